"""Held-out pass O (s21newO): an apple marker-assisted-selection script written for
ASReml-R 3 (``print(log.TA01 <- summary(TA01)$logl)``, ``print(h2 <- VA/(VA+VE))``) and
southern-ocean spatial scripts (``zlim <- range(s$z, na.rm = TRUE)``).

Expected values are R's documented semantics written out by hand:
- R Language Definition 3.4 (assignment) and ``?assignOps``: "value: the value to be
  assigned ... the assignment functions return their value invisibly", so ``print(x <- e)``
  binds ``x`` and prints ``e``; ``if ((n <- length(v)) > 1)`` binds ``n`` and tests it.
- Function arguments are promises (R Language Definition 4.3.3, "Argument evaluation"):
  an assignment inside an argument runs when the argument is forced, in the order the
  arguments are forced (left to right for ``print``, ``cat``, ``c``); an assignment on the
  right of ``&&``/``||`` runs only when the left operand does not decide (``?Logic``), and
  a ``while`` condition is evaluated on every pass (``?Control``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

import asr_py as asr
from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rrange import r_range


def test_print_of_an_assignment_binds_and_prints(capsys: pytest.CaptureFixture[str]) -> None:
    ns = run_r("x <- c(2, 3)\nprint(va <- sum(x))\nprint(h2 <- va / (va + 5))\n",
               complete=True)
    assert ns["va"] == 5
    assert ns["h2"] == pytest.approx(0.5)
    out = capsys.readouterr().out.split()
    assert [float(v) for v in out] == pytest.approx([5.0, 0.5])


def test_assignments_in_arguments_run_left_to_right() -> None:
    ns = run_r("v <- c(a <- 1, b <- a + 1, 10)\n", complete=True)
    assert (ns["a"], ns["b"]) == (1, 2)
    assert list(ns["v"]) == [1, 2, 10]


def test_cat_of_an_assignment(capsys: pytest.CaptureFixture[str]) -> None:
    ns = run_r('cat("h2 =", h2 <- 0.25, "\\n")\n', complete=True)
    assert ns["h2"] == pytest.approx(0.25)
    assert capsys.readouterr().out == "h2 = 0.25 \n"


def test_assignment_in_an_if_condition() -> None:
    r = ("v <- c(4, 5, 6)\n"
         "if ((n <- length(v)) > 2) big <- TRUE else big <- FALSE\n")
    ns = run_r(r, complete=True)
    assert ns["n"] == 3 and ns["big"] is True


def test_function_whose_last_if_assigns_in_its_condition() -> None:
    r = ("f <- function(v) {\n  if ((m <- length(v)) > 1) m * 10 else 0\n}\n"
         "a <- f(c(1, 2, 3))\nb <- f(7)\n")
    ns = run_r(r, complete=True)
    assert (ns["a"], ns["b"]) == (30, 0)


def test_assignment_of_a_value_holding_an_assignment() -> None:
    ns = run_r("z <- sum(w <- c(1, 2, 3))\n", complete=True)
    assert list(ns["w"]) == [1, 2, 3] and ns["z"] == 6


@pytest.mark.parametrize("code", [
    "print(g() + (q <- 2))\n",                 # g() runs first: its effects would move
    "ok <- FALSE && (y <- TRUE)\n",            # y is never assigned in R
    "expect_error(k <- stop('no'))\n",         # the error must be caught, not raised
    "print(d$a <- 3)\n",                       # value 3, not d
    "f <- function(v) 1\nf(q <- 2)\n",          # f never forces v: q is not assigned
])
def test_assignments_that_may_not_move_stay_a_todo(code: str) -> None:
    py = translate(code)
    assert "TODO(asr_py)" in py
    assigned = {ln.split(" = ")[0] for ln in py.splitlines() if " = " in ln
                and not ln.startswith("#")}
    assert not assigned & {"q", "y", "k"}


def test_while_condition_is_not_moved_out_of_the_loop() -> None:
    py = translate("i <- 0\nwhile ((i <- i + 1) < 3) print(i)\n")
    assert "TODO(asr_py)" in py
    assert "\ni = i + 1\nwhile" not in py


# ----- range() (rrange.py) -----------------------------------------------------------------
# ?range: "range returns a vector containing the minimum and maximum of all the given
# arguments"; range.default combines them with c(..., recursive = TRUE); for numbers
# "finite: logical, indicating if all non-finite elements should be omitted", na.rm drops
# NA, and otherwise an NA gives c(NA, NA); with no values left c(Inf, -Inf) and a warning.

def test_range_of_a_vector_and_of_several_arguments() -> None:
    ns = run_r("r1 <- range(c(3, 1, 5))\nr2 <- range(c(3, 1), 7, -2)\n"
               "w <- r1[2] - r1[1]\n", complete=True)
    assert list(ns["r1"]) == [1, 5] and list(ns["r2"]) == [-2, 7]
    assert ns["w"] == 4


def test_range_with_missing_and_non_finite_values() -> None:
    r = ("d <- data.frame(a = c(1, 5, NA, -Inf), b = c(2, 3, 4, 5))\n"
         "r_na <- range(d$a)\nr_rm <- range(d$a, na.rm = TRUE)\n"
         "r_fin <- range(d$a, finite = TRUE)\nr_sub <- range(d$b[d$a > 0], na.rm = TRUE)\n")
    ns = run_r(r, complete=True)
    assert all(pd.isna(ns["r_na"])) and len(ns["r_na"]) == 2
    assert list(ns["r_rm"]) == [-np.inf, 5]
    assert list(ns["r_fin"]) == [1, 5]
    assert list(ns["r_sub"]) == [2, 3]          # d$a > 0 is NA for the NA row: dropped


def test_range_of_text_and_of_no_values() -> None:
    ns = run_r('r <- range(c("b", "a", "c"))\n', complete=True)
    assert list(ns["r"]) == ["a", "c"]
    with pytest.warns(UserWarning, match="Inf, -Inf"):
        ns = run_r("e <- range(c(NA, NA), na.rm = TRUE)\n", complete=True)
    assert list(ns["e"]) == [np.inf, -np.inf]


def test_range_of_an_unordered_factor_is_refused_as_in_r() -> None:
    with pytest.raises(AsrError, match="not meaningful for factors"):
        r_range(pd.Series(["a", "b"], dtype="category"))
    lv = pd.Categorical(["lo", "hi", "mid"], categories=["lo", "mid", "hi"], ordered=True)
    assert list(r_range(pd.Series(lv))) == ["lo", "hi"]


def test_range_of_dates_gives_dates() -> None:
    days = pd.Series(pd.to_datetime(["2020-03-01", None, "2020-01-05"]))
    assert pd.isna(r_range(days)).all()
    lo, hi = r_range(days, na_rm=True)
    assert (pd.Timestamp(lo), pd.Timestamp(hi)) == (pd.Timestamp("2020-01-05"),
                                                    pd.Timestamp("2020-03-01"))


# ----- commandArgs() (rcommandargs.py) and as.logical() (raslogical.py) --------------------
# ?commandArgs: "If trailingOnly = TRUE, a character vector of those arguments (if any)
# supplied after --args" (Rscript script.R a b gives c("a", "b")); ?as.logical: "Character
# strings c("T", "TRUE", "true", "True") are regarded as true, c("F", "FALSE", "false",
# "False") as false, and all others as NA"; numbers: zero FALSE, others TRUE.

_CLUSTER = ("args <- commandArgs(trailingOnly = TRUE)\n"
            "if (length(args) == 0) {\n  cv <- 0\n  debug <- FALSE\n} else {\n"
            "  cv <- as.numeric(args[1])\n  debug <- as.logical(args[2])\n}\n")


def test_command_args_are_the_scripts_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["script.py"])
    ns = run_r(_CLUSTER, complete=True)
    assert (ns["cv"], ns["debug"]) == (0, False)
    monkeypatch.setattr("sys.argv", ["script.py", "2", "T"])
    ns = run_r(_CLUSTER, complete=True)
    assert ns["args"] == ["2", "T"]
    assert (ns["cv"], ns["debug"]) == (2, True)


def test_command_args_without_trailing_only_is_refused() -> None:
    with pytest.raises(AsrError, match="R's own command line"):
        run_r("a <- commandArgs()\n")


def test_as_logical_of_text_numbers_and_na() -> None:
    ns = run_r('x <- as.logical("TRUE")\nf <- as.logical("False")\n'
               'y <- as.logical(c("T", "false", "yes", NA))\nz <- as.logical(c(0, 2, -1))\n',
               complete=True)
    assert ns["x"] is True and ns["f"] is False
    assert [None if v is pd.NA else bool(v) for v in ns["y"]] == [True, False, None, None]
    assert [bool(v) for v in ns["z"]] == [False, True, True]
    ns = run_r('u <- as.logical("maybe")\n', complete=True)
    assert ns["u"] is pd.NA
    with pytest.raises(TypeError):            # R: "missing value where TRUE/FALSE needed"
        run_r('if (as.logical("maybe")) k <- 1\n')


# ----- asreml.options(na.action = ) -------------------------------------------------------
# ASReml-R 4 ?asreml.options: options set there are the defaults of later asreml() calls;
# na.action = na.method(y = "include", x = "omit") makes a fit without its own na.action
# drop the records with a missing covariate (and keep missing responses) instead of
# failing (na.method's x default "fail").

def test_asreml_options_na_action_is_the_default_of_later_fits() -> None:
    r = ('d <- data.frame(y = c(1.2, 2.3, NA, 4.1, 5.7, 6.2, 2.9, 4.4),\n'
         '                x = c(1, NA, 3, 4, 5, 6, 7, 8),\n'
         '                g = c("a", "a", "b", "b", "c", "c", "d", "d"))\n'
         'asreml.options(na.action = na.method(y = "include", x = "omit"))\n'
         'm1 <- asreml(y ~ x, random = ~ g, data = d)\n'
         'm2 <- asreml(y ~ x, random = ~ g, data = d, na.action = na.method(x = "include"))\n')
    py = translate(r)
    assert "na_action=NA_ACTION" in py and "# TODO(asr_py):" not in py
    ns = run_r(r, complete=True)
    d = ns["d"]
    ref = asr.asreml(fixed="y ~ x", random="~ g", data=d,
                     na_action={"y": "include", "x": "omit"})
    assert ns["m1"].loglik == pytest.approx(ref.loglik)
    own = asr.asreml(fixed="y ~ x", random="~ g", data=d, na_action={"x": "include"})
    assert ns["m2"].loglik == pytest.approx(own.loglik)       # its own na.action wins


def test_fits_before_the_option_keep_asreml_default() -> None:
    py = translate('m0 <- asreml(y ~ x, data = d)\n'
                   'asreml.options(na.action = na.method(x = "omit"))\n'
                   'm1 <- asreml(y ~ x, data = d)\n')
    first, second = (ln for ln in py.splitlines() if "asr.asreml(" in ln)
    assert "na_action={'x': 'fail'}" in first and "na_action=NA_ACTION" in second
