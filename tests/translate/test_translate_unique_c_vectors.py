"""``unique(x, incomparables, fromLast)`` by unique.default's rules, and ``c()`` of calls that
return vectors (``c(na.omit(match(a, b)), 5:6)``) flattened as R's c() does (UIUC 2021/2023
single-trial and summary scripts)."""

from __future__ import annotations

import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError


def test_unique_incomparables_keeps_every_occurrence() -> None:
    # R: unique(c(1, 2, 2, 3, 3), incomparables = 2) is 1 2 2 3 (2 is never matched);
    # unique(d$s, 2) with text values: nothing equals 2, so the plain distinct values
    d = pd.DataFrame({"s": ["N", "S", "N", "W"]})
    ns = run_r("a <- unique(c(1, 2, 2, 3, 3), incomparables = 2)\nb <- unique(d$s, 2)\n",
               complete=True, d=d)
    assert list(ns["a"]) == [1, 2, 2, 3]
    assert list(ns["b"]) == ["N", "S", "W"]


def test_unique_from_last_keeps_the_last_of_each_in_order() -> None:
    # R: unique(c(1, 2, 1, 3), fromLast = TRUE) is 2 1 3
    ns = run_r("a <- unique(c(1, 2, 1, 3), fromLast = TRUE)\n", complete=True)
    assert list(ns["a"]) == [2, 1, 3]


def test_unique_of_a_data_frame_refuses_incomparables() -> None:
    d = pd.DataFrame({"s": ["N", "N"]})
    with pytest.raises(AsrError, match="incomparables"):
        run_r("u <- unique(d, incomparables = 'N')\n", d=d)


def test_c_flattens_a_vector_returned_by_a_call() -> None:
    # R: c(na.omit(match(c("c", "zz", "a"), g)), 5:6) is 3 1 5 6; the rows d[that, ] follow
    d = pd.DataFrame({"g": list("abcdef"), "y": [1.0, 2, 3, 4, 5, 6]})
    ns = run_r("A <- c('c', 'zz', 'a')\nrows <- d[c(na.omit(match(A, d$g)), 5:6), ]\n"
               "k <- c(setdiff(1:4, 2), 9)\n", complete=True, d=d)
    assert list(ns["rows"]["y"]) == [3.0, 1.0, 5.0, 6.0]
    assert list(ns["k"]) == [1, 3, 4, 9]


def test_nlevels_counts_the_levels_of_a_factor_and_of_its_unique_values() -> None:
    # R: nlevels(unique(f)) keeps f's levels (unique of a factor is a factor); a level with
    # no value still counts: nlevels(factor("a", levels = c("a", "b"))) is 2
    d = pd.DataFrame({"s": pd.Categorical(["N", "S", "N"], categories=["N", "S", "W"])})
    ns = run_r("n1 <- nlevels(d$s)\nn2 <- nlevels(unique(d$s))\n", complete=True, d=d)
    assert ns["n1"] == 3
    assert ns["n2"] == 3
