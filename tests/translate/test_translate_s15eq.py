"""s15eq: R's comparison operators on lists and vectors and ``names(v[k])``.

Expected values are R's documented semantics (R's ?Comparison: element by element, the
shorter operand recycled with a warning when the lengths do not divide, a list compared when
each element is one value and coerced to the common type, a number against a text compared
as text, ``NULL == 1`` is ``logical(0)``; ?Extract: ``x[i]`` keeps the names of what it
selects), e.g. in R ``all(lapply(1:3, function(i) 2) == 2)`` is TRUE and
``names(c(a = 1, b = 2)[2])`` is ``"b"``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rcompare import r_cmp, r_sub_keep
from asr_py.translate.runtime import r_names
from asr_py.warning_classes import AsrWarning


def test_lapply_result_compared_with_one_value_is_elementwise() -> None:
    ns = run_r("s <- lapply(1:3, function(i) i * 2)\n"
               "ok <- all(lapply(1:3, function(i) 2) == 2)\n"
               "eq <- s == 4\n", complete=True)
    assert bool(ns["ok"]) is True
    assert list(ns["eq"]) == [False, True, False]


def test_length_one_subset_and_attribute_compare_with_a_text() -> None:
    ns = run_r('x <- c("a", "b")\nn <- c(u = 1, v = 2)\n'
               'ok1 <- all(x[c(1)] == "a")\nok2 <- names(n)[c(2)] == "v"\n', complete=True)
    assert bool(np.all(ns["ok1"])) and bool(np.all(ns["ok2"]))
    assert r_cmp(["Genotype"], "==", "Genotype").tolist() == [True]
    assert r_cmp(["Genotype"], "!=", "Genotype").tolist() == [False]


def test_named_list_comparison_keeps_the_names() -> None:
    ns = run_r("l <- list(a = 1, b = 2, c = 3)\nr <- l >= 2\n", complete=True)
    r = ns["r"]
    assert isinstance(r, pd.Series)
    assert list(r.index) == ["a", "b", "c"] and r.tolist() == [False, True, True]


def test_recycling_and_its_warning() -> None:
    assert r_cmp([1, 2, 3, 4], "==", [1, 2]).tolist() == [True, True, False, False]
    with pytest.warns(AsrWarning, match="not a multiple"):
        out = r_cmp([1, 2, 3], "<", [2, 2])
    assert out.tolist() == [True, False, False]


def test_list_holding_a_vector_is_an_error_with_a_hint() -> None:
    with pytest.raises(AsrError, match="element 1 of a list") as err:
        r_cmp([[1, 2], 3], "==", 3)
    assert "unlist" in str(err.value)
    # a missing element (None, as r_sub gives beyond the end) is NA, not an error
    assert r_cmp(["a", None], "==", "a").tolist() == [True, False]


def test_null_number_text_and_untouched_cases() -> None:
    assert r_cmp(None, "==", 1).size == 0                  # logical(0)
    assert r_cmp(1, "==", "1") is True and r_cmp(10, "==", "10.0") is False
    assert r_cmp(np.array([1.5, 2.0]), "==", "2").tolist() == [False, True]
    assert r_cmp(True, "==", "TRUE") is True
    s = pd.Series([1.0, 3.0], index=["p", "q"])
    out = r_cmp(s, ">", 2)
    assert isinstance(out, pd.Series) and out.to_dict() == {"p": False, "q": True}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert r_cmp(3, "<", 4) is True


def test_plain_columns_and_variables_keep_pythons_comparison_in_the_text() -> None:
    py = translate('d <- read.csv("DT.csv")\ny <- d[d$Yield > 1, ]\n'
                   'for (e in c("x", "y")) if (e == "x") print(e)\n')
    assert "r_cmp" not in py
    py = translate('l <- lapply(1:3, function(i) i)\nok <- all(l == 2)\n'
                   'a <- all(attr(x, "LSDby") == "Genotype")\n')
    assert py.count("r_cmp(") == 2


def test_names_of_a_subset_keep_the_names() -> None:
    ns = run_r('v <- c(a = 1, b = 2, c = 3)\nn1 <- names(v[2])\nn2 <- names(v[c(1, 3)])\n'
               'l <- list(p = 1, q = "z")\nn3 <- names(l[2])\nn4 <- names(v["c"])\n',
               complete=True)
    assert list(ns["n1"]) == ["b"] and list(ns["n2"]) == ["a", "c"]
    assert list(ns["n3"]) == ["q"] and list(ns["n4"]) == ["c"]
    s = pd.Series([0.1, 0.2], index=["at(T, -,0):spl(x)", "at(T, +,0):spl(x)"])
    assert r_names(r_sub_keep(s, 2)) == ["at(T, +,0):spl(x)"]
    assert r_names(r_sub_keep(s, -1)) == ["at(T, +,0):spl(x)"]


def test_c_flattens_rep_and_seq_so_the_comparison_is_by_element() -> None:
    ns = run_r("f <- c(0, 0, 1, 0, 0, 0, 0, 1)\nx <- c(rep(0, 7), 1)\n"
               "ok <- f == c(rep(0, 2), 1, rep(0, 4), 1)\ny <- c(seq(1, 3), 5)\n",
               complete=True)
    assert ns["x"] == [0, 0, 0, 0, 0, 0, 0, 1] and list(ns["y"]) == [1, 2, 3, 5]
    assert np.asarray(ns["ok"]).tolist() == [True] * 8
