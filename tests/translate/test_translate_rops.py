"""translate(): R's binary operators by position with recycling (issue 14, c14sem). The
values R gives are stated in each test (R 4.x semantics: Ops on vectors recycle the shorter
operand, Ops.data.frame pairs cells by position and keeps the first frame's names)."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.rops import r_op
from asr_py.warning_classes import AsrWarning


def run_r(code: str, **env) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        return run_py(translate(code), **env)


def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 7.0], "c": [7.0, 8.0, 10.0]},
                        index=["r1", "r2", "r3"])


def test_two_rows_of_data_frames_subtract_by_position() -> None:
    """R: x[1, c(2, 3)] - y[2, c(2, 3)] is a one-row frame 4-5, 7-8 (row name "r1")."""
    ns = run_r("z <- x[1, c(2, 3)] - y[2, c(2, 3)]\n", x=frame(), y=frame())
    z = ns["z"]
    assert z.to_numpy().tolist() == [[-1.0, -1.0]]
    assert list(z.columns) == ["b", "c"] and list(z.index) == ["r1"]


def test_columns_with_different_row_labels_pair_by_position() -> None:
    x = frame()
    y = pd.DataFrame({"b": [1.0, 1.0, 2.0]}, index=[10, 11, 12])
    ns = run_r("d <- x$a - y$b\n", x=x, y=y)
    assert np.asarray(ns["d"]).tolist() == [0.0, 1.0, 1.0]
    assert list(ns["d"].index) == ["r1", "r2", "r3"]           # the first operand's names


def test_comparison_with_a_length_one_column_recycles() -> None:
    """kdif >= diffs$LSD$assignedLSD with a one-row LSD frame: one result per kdif value."""
    kdif = np.array([0.5, 2.0, 3.0, 1.0])
    lsd = pd.DataFrame({"assignedLSD": [1.5]}, index=["overall"])
    ns = run_r("k <- kdif >= LSD$assignedLSD\n", kdif=kdif, LSD=lsd)
    assert np.asarray(ns["k"]).tolist() == [False, True, True, False]


def test_recycling_and_its_warning() -> None:
    """R: c(1, 2, 3, 4) + c(10, 20) is 11 22 13 24; lengths 3 and 2 warn (1+10, 2+20, 3+10)."""
    s = pd.Series([1.0, 2.0, 3.0, 4.0], index=list("abcd"))
    out = r_op(s, "+", pd.Series([10.0, 20.0], index=["x", "y"]))
    assert out.tolist() == [11.0, 22.0, 13.0, 24.0] and list(out.index) == list("abcd")
    with pytest.warns(AsrWarning, match="not a multiple"):
        out = r_op(pd.Series([1.0, 2.0, 3.0]), "+", pd.Series([10.0, 20.0], index=[5, 6]))
    assert out.tolist() == [11.0, 22.0, 13.0]


def test_a_vector_runs_down_the_columns_of_a_frame() -> None:
    """R: data.frame(a = 1:2, b = 3:4) * c(10, 100) recycles down the columns: 10 30 / 200 400."""
    d = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    out = r_op(d, "*", np.array([10.0, 100.0]))
    assert out.to_numpy().tolist() == [[10.0, 30.0], [200.0, 400.0]]
    with pytest.raises(AsrError, match="different shapes"):
        r_op(d, "-", d.iloc[:1])


def test_values_pandas_already_pairs_are_unchanged() -> None:
    s = pd.Series([1.0, 2.0], index=["a", "b"])
    assert r_op(s, "-", s).tolist() == [0.0, 0.0]
    assert r_op(s, "*", 2.0).tolist() == [2.0, 4.0]
    assert r_op(3, "%%", 2) == 1 and r_op("a", "==", "a") is True
    f = pd.Series(pd.Categorical(["x", "y"]), index=[3, 4])
    assert r_op(f, "==", pd.Series(["x", "x"])).tolist() == [True, False]


def test_a_null_operand_is_r_empty_vector() -> None:
    """R: ``NULL - 1`` is numeric(0), ``NULL == c(1, 2)`` logical(0); ``all()`` of that is
    TRUE, ``any()`` FALSE, ``sum(is.na(NULL))`` 0, and ``if (NULL == 1)`` an error
    ("argument is of length zero")."""
    num = r_op(None, "-", pd.Series([1.0]))
    assert num.dtype == float and num.size == 0
    cmp = r_op(pd.Series([1.0, 2.0]), "==", None)
    assert cmp.dtype == bool and cmp.size == 0
    code = ("L <- list(p = d)\nt1 <- all(L$p$nope == c(1, 2))\nt2 <- any(L$p$nope == 1)\n"
            "t3 <- sum(is.na(L$p$nope))\nt4 <- all(L$p$nope %in% c(1, 2))\n"
            "t5 <- any(L$p$nope %in% c(1, 2))\nt6 <- all(L$p$a == d$a)\n")
    ns = run_r(code, d=frame())
    assert ns["t1"] and not ns["t2"] and ns["t3"] == 0 and ns["t4"] and not ns["t5"]
    assert ns["t6"]
    with pytest.raises(AsrError, match="length 0"):
        run_r("L <- list(p = d)\nif (L$p$nope == 1) x <- 1\n", d=frame())


def test_missing_names_are_null() -> None:
    """R: attributes(x)[c("names", "nope")] has NULL for "nope"; is.null(d$nope) is TRUE
    while d$a is the column."""
    code = ('att <- attributes(d)[c("names", "nope")]\nn1 <- is.null(att$nope)\n'
            'n2 <- is.null(d$nope)\nn3 <- is.null(d$a)\n')
    ns = run_r(code, d=frame())
    assert list(ns["att"]["names"]) == ["a", "b", "c"] and ns["att"]["nope"] is None
    assert ns["n1"] is True and ns["n2"] is True and ns["n3"] is False


def test_variables_named_as_imported_modules_do_not_hide_them() -> None:
    """R: ``np <- 2; pd <- c(1, 3); asr <- np * 10`` -- ordinary variables; the
    translation's numpy/pandas/asr_py must stay reachable."""
    code = "np <- 2\npd <- c(1, 3)\nasr <- np * 10\ny <- mean(pd) + asr\n"
    py = translate(code)
    assert "np_ = 2" in py and "asr_ = np_ * 10" in py
    ns = run_r(code)
    assert ns["y"] == 22.0


def test_in_of_a_variable_is_elementwise_for_a_vector_and_one_value_for_a_scalar() -> None:
    """R: c(1, 2, 5) %in% c(2, 5) is FALSE TRUE TRUE; 3 %in% c(2, 5) is FALSE."""
    ns = run_r("is_mom <- id %in% momid\nk <- 3 %in% momid\nif (j %in% momid) z <- 1 else z <- 0\n",
               id=pd.Series([1.0, 2.0, 5.0]), momid=pd.Series([2.0, 5.0], index=[7, 8]), j=5.0)
    assert ns["is_mom"].tolist() == [False, True, True]
    assert ns["k"] is False and ns["z"] == 1


def test_in_of_a_number_against_literal_numbers() -> None:
    """R: -1 %in% c(-1, -2) is TRUE, also for the double a test.summary column holds
    (asremlPlus test41Selection.r:760 asks denDF[4] %in% c(-1, -2) with denDF -1);
    c(-1, 3) %in% c(-1, -2) is TRUE FALSE; "-1" %in% c(-1, -2) is TRUE (match() as text)."""
    ns = run_r("a <- d[4] %in% c(-1, -2)\nb <- v %in% c(-1, -2)\nt <- '-1' %in% c(-1, -2)\n",
               d=[0.0, 8.0, -2.0, -1.0], v=pd.Series([-1.0, 3.0]))
    assert ns["a"] is True
    assert ns["b"].tolist() == [True, False]
    assert ns["t"] is True


def test_c_of_one_value_is_that_value() -> None:
    # R has no scalars: c(length(v) + 1) is the one number 3, so n^2 is 9 and 36 / n 12
    # (m-hrachov passes n_terms = c(length(vars) + 1) to a function computing n_terms^2)
    ns = run_r('v <- c("a", "b")\nn <- c(length(v) + 1)\nm <- n^2\nq <- 36 / c(3)\n'
               'k <- c(nrow(d))\n', d=frame())
    assert ns["n"] == 3 and ns["m"] == 9 and ns["q"] == 12
    assert ns["k"] == len(frame())
