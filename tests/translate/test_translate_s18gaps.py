"""s18gaps: R semantics the translation and the model's level order follow (session 18).
Expected values are R's documented behaviour, stated at each test."""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.model.collate import collate_sorted, sort_like_r
from asr_py.model.data import level_labels


# ----- R's collation of text (ICU, en_US.UTF-8) -------------------------------------------
def test_collation_case_second() -> None:
    # R 4.x, en_US.UTF-8, capabilities("ICU") TRUE: sort(c("B", "a", "b", "A")) is
    # "a" "A" "b" "B" (case at the third level, lower first); the C locale gives "A" "B" "a" "b"
    assert collate_sorted(["B", "a", "b", "A"]) == ["a", "A", "b", "B"]
    assert collate_sorted(["Zea", "alpha", "Beta"]) == ["alpha", "Beta", "Zea"]


def test_collation_digits_punctuation_accents() -> None:
    # ICU root order: punctuation before digits before letters; digits compared one by one
    # (sort(c("10", "2")) is "10" "2"); an accent only breaks ties of the base letters
    # (sort(c("f", "é", "e")) is "e" "é" "f")
    assert collate_sorted(["b", "2", "10", "_x", "-a"]) == ["_x", "-a", "10", "2", "b"]
    assert collate_sorted(["f", "é", "e"]) == ["e", "é", "f"]
    assert collate_sorted(["ab", "a b", "a_b"]) == ["a b", "a_b", "ab"]


def test_sort_like_r_numbers_by_value() -> None:
    assert sort_like_r([10, 2, 33]) == [2, 10, 33]
    assert sort_like_r(["b", "A", "a"], reverse=True) == ["b", "A", "a"]


def test_factor_levels_of_text_follow_r() -> None:
    # levels(factor(c("b", "B", "a", "A"))) in R (en_US): "a" "A" "b" "B"
    assert level_labels(pd.Series(["b", "B", "a", "A", None])) == ("a", "A", "b", "B")
    env = run_r('f <- factor(c("Tx", "ctrl", "Ctrl"))\nl <- levels(f)\n'
                's <- sort(c("b", "B", "a"))\no <- order(c("b", "B", "a"))\n', complete=True)
    assert list(env["l"]) == ["ctrl", "Ctrl", "Tx"]
    assert list(env["s"]) == ["a", "b", "B"]
    assert list(env["o"]) == [3, 1, 2]


def test_fit_level_order_follows_collation_and_fit_is_invariant() -> None:
    # predict rows of a text factor come in R's level order ("a" < "B" < "c"); the fit
    # itself (REML log-likelihood) does not depend on the order
    rng = np.random.default_rng(3)
    g = np.repeat(["c", "B", "a"], 6)
    d = pd.DataFrame({"y": rng.normal(size=18) + np.repeat([1.0, 2.0, 3.0], 6), "g": g,
                      "b": np.tile(["1", "2", "3"], 6)})
    m = asr.asreml("y ~ g", random="~ b", data=d)
    pred = m.predict("g")
    assert [str(v) for v in pred["g"]] == ["a", "B", "c"]
    cat = d.assign(g=pd.Categorical(d["g"], categories=["c", "B", "a"]))
    m2 = asr.asreml("y ~ g", random="~ b", data=cat)
    assert m2.loglik == pytest.approx(m.loglik, rel=1e-10)


# ----- a name in a data mask after source(): the sourced file's variable ---------------------
def test_filter_uses_a_variable_made_by_a_sourced_file(tmp_path) -> None:
    # R: filter(d, g %in% rownames(G)) looks g up in the data and G in the environment, where
    # the sourced file put it
    (tmp_path / "prep.R").write_text(
        'G <- matrix(1, 2, 2, dimnames = list(c("a", "c"), c("a", "c")))\n')
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        env = run_r('source("prep.R")\nd <- data.frame(g = c("a", "b", "c"), y = 1:3)\n'
                    'e <- d |> filter(g %in% rownames(G))\n', complete=True)
        with pytest.raises(AsrError, match="neither a column of the data nor a variable"):
            run_r('source("prep.R")\nd <- data.frame(g = c("a", "b"))\n'
                  'e <- d |> filter(g %in% rownames(H))\n', complete=True)
    finally:
        os.chdir(old)
    assert list(env["e"]["g"]) == ["a", "c"]


def test_c_of_a_vector_valued_call_is_flat() -> None:
    # R: c(as.character(f)) is the character vector itself (c() flattens), so
    # unique(c(as.character(d$g))) is the distinct labels, and c(1, seq(2, 3)) is 1 2 3
    d = pd.DataFrame({"g": ["a", "b", "a", None]})
    env = run_r('u <- unique(c(as.character(d$g)))\nv <- c(1, seq(2, 3))\n', complete=True,
                d=d)
    assert [x for x in env["u"] if isinstance(x, str)] == ["a", "b"]
    assert [float(x) for x in env["v"]] == [1.0, 2.0, 3.0]


# ----- lubridate ------------------------------------------------------------------------------
def test_lubridate_parsers_and_parts() -> None:
    # ymd/mdy/dmy read the digit runs in their order; 20191121 and "19-11-21" (%y: 2019) too;
    # yday(2020-03-01) = 61 (leap year), wday of Sunday 2024-01-07 is 1 (week_start = 7)
    env = run_r('library(lubridate)\n'
                'a <- ymd(c("2019-11-21", "2019/11/21", "19-11-21"))\nb <- ymd(20191121)\n'
                'c1 <- mdy("Nov 21, 2019")\nd1 <- dmy("21.11.2019")\n'
                'y <- year(a)\nm <- month(a)\nj <- yday(ymd("2020-03-01"))\n'
                'w <- wday(ymd("2024-01-07"))\n', complete=True)
    t = pd.Timestamp("2019-11-21")
    assert list(env["a"]) == [t, t, t] and env["b"] == t
    assert env["c1"] == t and env["d1"] == t
    assert list(env["y"]) == [2019] * 3 and list(env["m"]) == [11] * 3
    assert env["j"] == 61 and env["w"] == 1


def test_lubridate_unparsed_is_na_with_warning() -> None:
    from asr_py.translate.rlubridate import r_ymd
    with pytest.warns(asr.AsrWarning, match="1 failed to parse"):
        got = r_ymd(pd.Series(["2019-13-01", "2019-12-01"]))
    assert got.isna().tolist() == [True, False]


def test_lubridate_period_of_interval_and_slots() -> None:
    # .int_to_period: 2019-11-21 -> 2020-03-20 is 3m 28d (a month borrowed: Feb 2020 has 29
    # days, 29 - 21 + 20 = 28); 1985-01-31 -> 1986-03-28 is 1y 1m 28d (lubridate's own
    # example: max(28 - 31, 0) + 28); a negative interval the negated period
    env = run_r('library(lubridate)\n'
                'd <- data.frame(p = c("2019-11-21", "1985-01-31"), h = c("2020-03-20", '
                '"1986-03-28"))\n'
                'd2 <- d %>% mutate(t = interval(ymd(p), ymd(h)) %>% as.period,\n'
                '                   s = paste0(t@month, "month ", t@day, "day"))\n'
                'n <- as.period(ymd("2020-03-20") %--% ymd("2019-11-21"))\n', complete=True)
    assert list(env["d2"]["s"]) == ["3month 28day", "1month 28day"]
    assert list(np.asarray(env["n"]["month"])) == [-3] and list(env["n"]["day"]) == [-28]
    assert str(env["n"]) == "-3m -28d 0H 0M 0S"


def test_lubridate_time_length() -> None:
    # 2020-01-01 -> 2020-03-01: 60 days (leap year), exactly 2 months; to 2020-03-16 the
    # third month is 15 of its 31 days
    env = run_r('library(lubridate)\n'
                'i <- interval(ymd("2020-01-01"), ymd("2020-03-01"))\n'
                'dd <- time_length(i, "day")\nmm <- time_length(i, "month")\n'
                'm2 <- time_length(interval(ymd("2020-01-01"), ymd("2020-03-16")), "month")\n',
                complete=True)
    assert float(env["dd"][0]) == 60.0 and float(env["mm"][0]) == 2.0
    assert float(env["m2"][0]) == pytest.approx(2 + 15 / 31)


def test_lapply_passes_positional_arguments_to_a_sourced_function(tmp_path) -> None:
    # R: lapply(X, FUN, ...) calls FUN(X[[i]], ...): the extra arguments by position, here to a
    # function a source()d file defines
    (tmp_path / "u.R").write_text("scale_by <- function(x, k, add = 0) x * k + add\n")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        env = run_r('source("u.R")\nl <- list(a = 1, b = 2)\nr <- lapply(l, scale_by, 10, 1)\n',
                    complete=True)
    finally:
        os.chdir(old)
    # (lapply keeps the list's names a, b)
    assert list(env["r"].values()) == [11, 21] and list(env["r"]) == ["a", "b"]


def test_trailing_empty_argument_is_missing() -> None:
    # R: scale(x, ) leaves center missing, as scale(x): (x - mean) / sd
    d = pd.DataFrame({"a": [1.0, 2, 3, 6]})
    env = run_r('s <- d %>% mutate(across(c(a), ~scale(., )[, 1]))\n', complete=True, d=d)
    v = d["a"].to_numpy()
    np.testing.assert_allclose(np.asarray(env["s"]["a"], float), (v - v.mean()) / v.std(ddof=1))


def test_select_if_is_select_where() -> None:
    # dplyr: select_if(d, is.numeric) keeps the numeric columns, as select(d, where(is.numeric))
    d = pd.DataFrame({"g": ["a", "b"], "x": [1.0, 2.0], "n": [3, 4]})
    env = run_r('s <- names(select_if(d, is.numeric))\n', complete=True, d=d)
    assert list(env["s"]) == ["x", "n"]


# ----- R's round() ----------------------------------------------------------------------------
def test_round_as_r() -> None:
    # ?Round: round(0.5) is 0 and round(-1.5) is -2 (IEC 60559, to even); round(0.15, 1) is 0.1
    # in R >= 4.0.0 (0.15 is stored as 0.1499999...; np.round gives 0.2); round(2.675, 2) is
    # 2.67 for the same reason; negative digits round to hundreds: round(1250, -2) = 1200 (a tie)
    env = run_r('a <- round(0.15, 1)\nb <- round(c(0.5, -1.5, 2.5))\nc1 <- round(2.675, 2)\n'
                'e <- round(1250, -2)\nf <- round(-0.15, digits = 1)\n'
                'g <- d %>% mutate(across(where(is.numeric), ~round(., 1)))\n', complete=True,
                d=pd.DataFrame({"x": [0.15, 0.25, 0.35, np.nan]}))
    assert env["a"] == 0.1 and list(env["b"]) == [0.0, -2.0, 2.0]
    assert env["c1"] == 2.67 and env["e"] == 1200.0 and env["f"] == -0.1
    np.testing.assert_array_equal(env["g"]["x"].to_numpy(float), [0.1, 0.2, 0.3, np.nan])


def test_summarise_chained_after_source_and_with_a_variable(tmp_path) -> None:
    # summaries read in turn (dplyr) also where bare names may be a sourced file's variables or
    # the script's own (n is also a variable here: the summary comes first)
    (tmp_path / "u.R").write_text("k <- 10\n")
    d = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, np.nan, 5.0]})
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        env = run_r('source("u.R")\nn <- 99\n'
                    's <- d %>% group_by(g) %>% summarise(m = sum(is.na(y)), n = n(), '
                    'p = round(m / n * k, 3))\n', complete=True, d=d)
    finally:
        os.chdir(old)
    assert env["s"]["p"].tolist() == [5.0, 0.0]


def test_column_mask_from_a_comparison() -> None:
    # R: d[, colSums(is.na(d)) < nrow(d)] keeps the columns not wholly missing (a logical
    # vector in the column position selects columns)
    d = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan], "c": ["x", None]})
    env = run_r('k <- d[, colSums(is.na(d)) < nrow(d)]\nm <- d[, colSums(is.na(d)) == 0]\n',
                complete=True, d=d)
    assert list(env["k"].columns) == ["a", "c"]
    assert list(np.asarray(env["m"], float)) == [1.0, 2.0]     # one column: a vector


def test_plot_after_source_is_left_as_a_plot(tmp_path) -> None:
    # after source(), ggplot(d, aes(x = g)) is not looked up in the sourced file (its bare
    # column names would raise NameError when run): the plot stays untranslated
    (tmp_path / "u.R").write_text("f <- function(x) x + 1\n")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        env = run_r('source("u.R")\nd <- data.frame(g = c("a", "b"), y = 1:2)\n'
                    'p <- ggplot(d, aes(x = g, y = y)) + geom_boxplot()\nz <- f(1)\n')
    finally:
        os.chdir(old)
    assert env["z"] == 2 and "ggplot" in repr(env["p"])


def test_try_error_class_and_na_omit_as_a_value() -> None:
    # R: class(try(<an error>, silent = TRUE)) is "try-error"; na.omit passed as na.action is
    # the function (lmer(..., na.action = na.omit) fits the complete rows)
    d = pd.DataFrame({"y": [1.0, 2.0, np.nan, 4.0, 3.0, 5.0, 2.5, 4.5],
                      "g": ["a", "a", "a", "b", "b", "b", "c", "c"]})
    env = run_r('e <- try(log(-1) + sqrt("a"), silent = TRUE)\nk <- class(e) == "try-error"\n'
                'f <- na.omit\n', complete=True, d=d)
    assert env["k"] and len(env["f"](d)) == 7


def test_lmer_frame_slot_and_scaled_residuals() -> None:
    # lme4: m@frame is the model frame (response first, complete cases);
    # residuals(m, scaled = TRUE) = (y - fitted) / sigma(m) (residuals.merMod)
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"y": rng.normal(size=24) + np.repeat(rng.normal(size=6), 4),
                      "g": np.repeat([f"g{i}" for i in range(6)], 4),
                      "r": np.tile(["1", "2", "3", "4"], 6), "z": 1.0})
    d.loc[3, "y"] = np.nan
    env = run_r('res_of <- function(model) {\n  r <- residuals(model, scaled = TRUE)\n'
                '  f <- model@frame\n  f$res <- r\n  f\n}\n'
                'm <- lmer(y ~ r + (1 | g), data = d)\nout <- res_of(m)\n', complete=True, d=d)
    m, out = env["m"], env["out"]
    assert list(out.columns) == ["y", "r", "g", "res"] and len(out) == 23
    raw = out["y"].to_numpy() - m.fitted.to_numpy()
    np.testing.assert_allclose(out["res"].to_numpy(), raw / m.sigma, rtol=1e-12)


def test_merge_factor_key_with_numeric_key() -> None:
    # R: merge() pastes the key columns, so a factor rep "1" matches the number 1
    # (merge(data.frame(r = factor(c("1","2")), a = 1:2), data.frame(r = c(2, 1), b = 3:4))
    # gives r 1, 2 with b 4, 3)
    x = pd.DataFrame({"r": pd.Categorical(["1", "2"]), "a": [1, 2]})
    y = pd.DataFrame({"r": [2.0, 1.0], "b": [3, 4]})
    env = run_r('m <- merge(x, y, by = "r", all.x = TRUE)\n', complete=True, x=x, y=y)
    assert [str(v) for v in env["m"]["r"]] == ["1", "2"]
    assert env["m"]["b"].tolist() == [4, 3]


def test_sys_date_and_dates_in_paste() -> None:
    # R: paste("x", Sys.Date()) is "x YYYY-mm-dd"; paste(as.Date("2020-01-02")) "2020-01-02"
    from asr_py.translate.runtime import r_as_date, r_paste
    env = run_r('a <- paste("x", Sys.Date(), sep = "_")\n', complete=True)
    assert re.fullmatch(r"x_\d{4}-\d{2}-\d{2}", env["a"])
    assert list(r_paste(r_as_date(pd.Series(["2020-01-02", "2020-01-03"])))) == \
        ["2020-01-02", "2020-01-03"]


def test_list_files(tmp_path) -> None:
    # R: list.files(p, pattern) the names in p matching the regular expression, sorted
    # (locale order: "a_2.csv" < "B_1.csv"), hidden files left out; full.names prefixes p
    for n in ("B_1.csv", "a_2.csv", ".hidden.csv", "c.txt"):
        (tmp_path / n).write_text("x")
    env = run_r(f'a <- list.files("{tmp_path}", pattern = "csv$")\n'
                f'b <- list.files("{tmp_path}", full.names = TRUE)\n'
                'n <- list.files("no/such/dir")\n', complete=True)
    assert env["a"] == ["a_2.csv", "B_1.csv"]
    assert env["b"] == [str(tmp_path / n) for n in ("a_2.csv", "B_1.csv", "c.txt")]
    assert env["n"] == []
