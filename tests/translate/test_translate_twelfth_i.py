"""Twelfth pass I (held-out agronomy scripts): dplyr's ``na_if()`` and ``case_when()``
(asr_py/translate/rcasewhen.py) and a length-one value of ``mutate()`` recycled to every row
(asr_py/translate/rrecycle.py).

Expected values: dplyr 1.1's documented semantics (``?na_if``, ``?case_when``, tibble's
recycling of length one) written out by hand for small inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rcasewhen import r_case_when, r_na_if
from asr_py.translate.rrecycle import r_recycle1


@pytest.fixture()
def spread_csv(tmp_path, monkeypatch):
    # a field book with "." for missing values, as the alfalfa BLUE scripts read it
    pd.DataFrame({"Entry": ["a", "a", "b", "b", "c"], "Row": [1, 2, 1, 2, 1],
                  "spread_22": [".", "6", "4", ".", "7"],
                  "spread_23": ["8", ".", "5", "3", "."]}).to_csv(tmp_path / "x.csv",
                                                                 index=False)
    monkeypatch.chdir(tmp_path)


# ----- na_if ----------------------------------------------------------------------------
def test_na_if_across_then_numeric_in_mutate(spread_csv) -> None:
    ns = run_r('library(dplyr)\n'
               'd <- read.csv("x.csv")\n'
               'd1 <- d %>% mutate(across(starts_with("spread_"), ~as.numeric(na_if(., "."))),'
               ' across(c(Entry, Row), as.factor))\n', complete=True)
    d1 = ns["d1"]
    assert d1["spread_22"].tolist()[1:3] == [6.0, 4.0]
    assert np.isnan(d1["spread_22"][0]) and np.isnan(d1["spread_22"][3])
    assert np.isnan(d1["spread_23"][1]) and d1["spread_23"][3] == 3.0
    assert d1["Row"].tolist() == ["1", "2", "1", "2", "1"]    # factors: their labels


def test_na_if_keeps_type_and_levels() -> None:
    f = pd.Series(pd.Categorical(["lo", "hi", "lo", None], categories=["lo", "hi"]))
    out = r_na_if(f, "lo")
    assert list(out.cat.categories) == ["lo", "hi"]          # a factor keeps its levels
    assert out.isna().tolist() == [True, False, True, True]
    num = r_na_if(np.array([1.0, -99.0, 3.0, -99.0]), -99)
    assert np.isnan(num[[1, 3]]).all() and num[0] == 1.0 and num[2] == 3.0
    # y as long as x: element by element
    assert r_na_if(pd.Series([1, 2, 3]), pd.Series([1, 0, 3])).isna().tolist() == \
        [True, False, True]
    assert r_na_if("x", "x") is None and r_na_if(5, 4) == 5


def test_na_if_wrong_y_length_is_an_error() -> None:
    with pytest.raises(AsrError, match="length 2"):
        r_na_if(pd.Series([1, 2, 3]), [1, 2])


# ----- case_when ------------------------------------------------------------------------
def test_case_when_first_true_wins_na_condition_is_false() -> None:
    x = pd.Series([-2.0, 0.5, 12.0, np.nan, 3.0], index=[10, 11, 12, 13, 14])
    out = r_case_when([(x < 0, 0), (x > 10, 10), (x > 2, -1), (True, x)])
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out.tolist()[:3] == [0, 0.5, 10] and out[14] == -1
    assert np.isnan(out[13])                      # the catch-all gives x, NA there
    # no match and no default: NA; .default
    got = r_case_when([(x > 100, "big")])
    assert got.isna().all()
    got = r_case_when([(x > 2, "big")], default="small")
    assert got.tolist() == ["small", "small", "big", "small", "big"]


def test_case_when_type_mix_and_length_errors() -> None:
    with pytest.raises(AsrError, match="mix"):
        r_case_when([(np.array([True, False]), "a"), (True, 1.5)])
    with pytest.raises(AsrError, match="condition 1 has length 2"):
        r_case_when([(np.array([True, False]), np.array([1, 2, 3]))])
    with pytest.raises(AsrError, match="not logical"):
        r_case_when([(np.array([1, 0]), 1)])


def test_case_when_translated_in_mutate_of_predictions(spread_csv) -> None:
    py = translate('p <- data.frame(predicted.value = c(-1, 4, 12))\n'
                   'p <- p %>% mutate(predicted.value = case_when(predicted.value < 0 ~ 0,'
                   ' predicted.value > 10 ~ 10, TRUE ~ predicted.value))\n'
                   'q <- case_when(p$predicted.value > 5 ~ "high", .default = "low")\n')
    assert "r_case_when(" in py and "untranslated(" not in py
    ns = run_r('p <- data.frame(predicted.value = c(-1, 4, 12))\n'
               'p <- p %>% mutate(predicted.value = case_when(predicted.value < 0 ~ 0,'
               ' predicted.value > 10 ~ 10, TRUE ~ predicted.value))\n'
               'q <- case_when(p$predicted.value > 5 ~ "high", .default = "low")\n')
    assert ns["p"]["predicted.value"].tolist() == [0, 4, 10]
    assert list(ns["q"]) == ["low", "low", "high"]


def test_case_when_with_a_spliced_or_unknown_argument_is_a_todo() -> None:
    py = translate('z <- case_when(x > 1 ~ 1, .ptype = integer())\n')
    assert "untranslated(" in py


# ----- mutate(col = f(constant)) recycles to every row -------------------------------------
def test_mutate_constant_factor_reaches_every_row_of_a_filtered_frame() -> None:
    ns = run_r('d <- data.frame(g = c("a", "b", "c", "d"), y = 1:4)\n'
               'd2 <- d[d$y > 1, ]\n'
               'p <- d2 %>% mutate(year = as.factor(22))\n', complete=True)
    p = ns["p"]
    assert len(p) == 3
    assert p["year"].tolist() == ["22", "22", "22"]   # not "22", NaN, NaN


def test_recycle1_rules() -> None:
    d = pd.DataFrame({"a": [1, 2, 3]}, index=[5, 7, 9])
    assert r_recycle1(pd.Series([4]), d).tolist() == [4, 4, 4]
    assert r_recycle1(pd.Series([4, 5, 6]), d).index.tolist() == [5, 7, 9]   # by position
    assert r_recycle1(3, d) == 3
    assert len(r_recycle1(np.array([1, 2]), d)) == 2           # left to pandas (an error)


# ----- R's ! of a single logical: a bool, not Python's ~ (an int) ----------------------------
def test_not_of_a_scalar_comparison_takes_the_right_branch() -> None:
    ns = run_r('a <- 1\n'
               'if (!(a == 1)) b <- "wrong" else b <- "right"\n'
               'x <- NA\n'
               'if (!is.na(x)) k <- "wrong" else k <- "right"\n'
               'z <- !is.na(3)\n', complete=True)
    assert ns["b"] == "right" and ns["k"] == "right"      # ~True == -2 was truthy
    assert ns["z"] is True


def test_not_of_a_column_stays_elementwise() -> None:
    ns = run_r('d <- data.frame(y = c(1, NA, 3), x = c(2, 2, 0))\n'
               'ok <- d[!is.na(d$y) & d$x > 1, ]\n'
               'v <- !is.na(d$y)\n', complete=True)
    assert len(ns["ok"]) == 1 and ns["ok"]["y"].tolist() == [1.0]
    assert list(ns["v"]) == [True, False, True]


# ----- table() of a matrix read from .rds; apply() of results of different lengths ---------
def test_table_of_a_wide_numeric_matrix_counts_its_values() -> None:
    from asr_py.translate.runtime import r_table

    rng = np.random.default_rng(0)
    m = pd.DataFrame(rng.integers(0, 7, (20, 40)), index=[f"g{i}" for i in range(20)],
                     columns=[f"m{j}" for j in range(40)])
    got = r_table(m)
    vals, counts = np.unique(m.to_numpy(), return_counts=True)
    assert got.index.tolist() == vals.tolist() and got.tolist() == counts.tolist()
    # a frame of two factors is still a cross-table (R's table() of a data frame)
    d = pd.DataFrame({"a": ["x", "y", "x"], "b": ["u", "u", "v"]})
    assert r_table(d).shape == (2, 2)        # R: dim(table(d)) is 2 2, a matrix


def test_apply_with_results_of_different_lengths_is_a_named_list() -> None:
    from asr_py.translate.rbase import r_apply
    from asr_py.translate.runtime import r_table

    m = pd.DataFrame({"m1": [0, 0, 1], "m2": [2, 2, 2]}, index=["a", "b", "c"])
    out = r_apply(m, 2, lambda x: r_table(x))
    assert list(out) == ["m1", "m2"]
    assert out["m1"].tolist() == [2, 1] and out["m2"].tolist() == [3]
    same = r_apply(m, 2, lambda x: np.asarray(x) * 2)     # equal lengths: a matrix
    assert same.shape == (3, 2)


def test_across_after_named_columns_in_one_mutate(spread_csv) -> None:
    ns = run_r('library(dplyr)\n'
               'd <- read.csv("x.csv")\n'
               'd1 <- d %>% mutate(spread_22 = as.numeric(na_if(spread_22, ".")),'
               ' across(c(Entry, spread_22), as.character))\n', complete=True)
    d1 = ns["d1"]
    # the across() sees spread_22 as made before it (a number, NA for "."), as.character
    # of it is R's "6"
    assert d1["spread_22"].tolist()[1:3] == ["6", "4"] and pd.isna(d1["spread_22"][0])
    assert d1["Entry"].tolist() == ["a", "a", "b", "b", "c"]


# ----- tidyr's replace_na() ----------------------------------------------------------------
def test_replace_na_vector_and_frame() -> None:
    ns = run_r('d <- data.frame(Date = c(NA, "2018", NA), Total = c(1, NA, 3))\n'
               'd2 <- d %>% mutate(Date = replace_na(Date, "2017"),'
               ' Total = replace_na(Total, 99))\n'
               'd3 <- replace_na(d, list(Total = 0))\n', complete=True)
    assert ns["d2"]["Date"].tolist() == ["2017", "2018", "2017"]
    assert ns["d2"]["Total"].tolist() == [1, 99, 3]
    assert ns["d3"]["Total"].tolist() == [1, 0, 3]
    assert ns["d3"]["Date"].isna().tolist() == [True, False, True]   # not in the list


def test_replace_na_errors_and_factor_levels() -> None:
    from asr_py.translate.rcasewhen import r_replace_na

    with pytest.raises(AsrError, match="no column 'z'"):
        r_replace_na(pd.DataFrame({"a": [1.0, None]}), {"z": 0})
    f = pd.Series(pd.Categorical(["a", None]))
    out = r_replace_na(f, "none")
    assert out.tolist() == ["a", "none"] and "none" in out.cat.categories
    assert list(r_replace_na(np.array([1.0, np.nan]), 0)) == [1.0, 0.0]
