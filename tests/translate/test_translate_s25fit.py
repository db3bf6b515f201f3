"""translate(): R's NULL through names() and [ (session 25, s25fit). Each expected value is
what R gives for the same code, quoted in the test (R's ?names: "For other objects, NULL";
?Extract: indexing NULL gives NULL; ?Comparison: a zero-length operand gives logical(0);
?all: all(logical(0)) is TRUE)."""

from __future__ import annotations

import numpy as np
from _translate_fixtures import run_r

from asr_py.compat.rlist import RNullList


def test_names_of_null_is_null_and_its_subset_too() -> None:
    # R: x <- list(a = 1); is.null(names(x$b)) TRUE; is.null(names(x$b)[4:5]) TRUE;
    # all(names(x$b)[4:5] == c("u", "l")) TRUE (NULL == v is logical(0))
    ns = run_r('x <- list(a = 1)\nnn <- is.null(names(x$b))\n'
               'ns <- is.null(names(x$b)[4:5])\n'
               'ok <- all(names(x$b)[4:5] == c("u", "l"))\n')
    assert ns["nn"] is True
    assert ns["ns"] is True
    assert bool(ns["ok"]) is True


def test_names_of_a_character0_subset_is_na_not_null() -> None:
    # R: names(list(a = 1))[4:5] is c(NA, NA) (a vector indexed past its end), so
    # all(... == c("u", "l")) is NA and expect_true of it fails: not the NULL case
    ns = run_r('x <- list(a = 1)\nv <- names(x)[4:5]\nk <- length(v)\n'
               'ok <- all(names(x)[4:5] == c("u", "l"))\n')
    assert ns["k"] == 2
    assert not bool(ns["ok"])


def test_asremlplus_list_pair_not_formed() -> None:
    # test41alldiffs.asr.r:2151: ratioTransform(..., numerator.levels = "0.6",
    # denominator.levels = "0.2") returns only "0.6,0.2"; the script's
    # all(names(Preds.ratio.OatsN$`0.2,0`)[4:5] == c(...)) is TRUE in R (the pair is NULL)
    preds = RNullList({"0.6,0.2": None})
    ns = run_r('ok <- all(names(p$`0.2,0`)[4:5] == c("upper.Confidence.limit", '
               '"lower.Confidence.limit"))\n', p=preds)
    assert bool(np.all(ns["ok"])) is True


def test_as_character_of_a_formula_attribute() -> None:
    # R: f <- ~ a + b; as.character(f) is c("~", "a + b") (?as.character of a call); the
    # attribute of asremlPlus's R2adj value read so (test42MET.r:111: [2] is the rhs)
    from asr_py.compat.r2adj import R2Value
    from asr_py.compat.rattrs import RFormula

    r = R2Value(50.0, {"fixed": RFormula("~a + b")})
    ns = run_r('k <- as.character(attr(r, which = "fixed"))\nrhs <- k[2]\nn <- length(k)\n',
               r=r)
    assert list(ns["k"]) == ["~", "a + b"]
    assert ns["rhs"] == "a + b" and ns["n"] == 2
