"""s16gaps: R constructs of runnable corpus scripts that stopped (session 16). Expected
values are R's documented semantics, stated at each test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.translate.rfinite import r_is_finite


# ----- read.csv() of a file that is not UTF-8 -------------------------------------------------
@pytest.fixture
def latin1_csv(tmp_path: Path, monkeypatch) -> Path:
    """A csv written in latin-1 (Excel on Windows): 'Nariño' is the bytes Nari\\xf1o."""
    monkeypatch.chdir(tmp_path)
    p = tmp_path / "loc.csv"
    p.write_bytes("place,alt\nNariño,9\nTolú,25\nCali,1000\n".encode("latin-1"))
    return p


@pytest.mark.parametrize("reader", ["read.csv", "read.table"])
def test_read_of_a_latin1_file_keeps_its_bytes_as_r(latin1_csv: Path, reader: str) -> None:
    # R >= 4.2 reads in its UTF-8 native encoding without conversion: the invalid byte
    # stays in the string (printed Nari\xf1o), which equals no UTF-8 text; no error
    extra = ", header = TRUE, sep = ','" if reader == "read.table" else ""
    ns = run_r(f'd <- {reader}("loc.csv"{extra})\n'
               'n <- nrow(d)\nok <- d$place == "Cali"\ns <- sum(d$alt)\n')
    assert ns["n"] == 3 and ns["s"] == 1034
    assert list(ns["ok"]) == [False, False, True]
    places = list(ns["d"]["place"])
    assert places[0] == "Nari\\xf1o" and places[1] == "Tol\\xfa"
    assert "Nariño" not in places


def test_read_csv_with_file_encoding_latin1_decodes(latin1_csv: Path) -> None:
    # fileEncoding = "latin1" re-encodes the file to UTF-8: 'Nariño' proper
    ns = run_r('d <- read.csv("loc.csv", fileEncoding = "latin1")\n')
    assert list(ns["d"]["place"]) == ["Nariño", "Tolú", "Cali"]


@pytest.mark.parametrize("check", ["TRUE", "FALSE"])
def test_header_names_lose_surrounding_white_space(tmp_path: Path, monkeypatch,
                                                  check: str) -> None:
    # read.table reads the header line with scan(strip.white = TRUE): 'site ' is 'site'
    # (then make.names leaves it as is); the values keep their spaces (strip.white = FALSE)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.csv").write_text("site , yield\na ,1\nb,2\n")
    ns = run_r(f'd <- read.csv("s.csv", check.names = {check})\n'
               'v <- d$site\ny <- sum(d$yield)\n')
    assert list(ns["d"].columns) == ["site", "yield"]
    assert list(ns["v"]) == ["a ", "b"] and ns["y"] == 3


# ----- dplyr's count() / tally() --------------------------------------------------------------
def _trial() -> pd.DataFrame:
    return pd.DataFrame({"trial": ["t2", "t1", "t2", "t1", "t2", None],
                         "rep": [1, 1, 1, 2, 2, 1],
                         "w": [1.0, 2.0, np.nan, 4.0, 0.5, 3.0]})


def test_count_is_rows_per_key_combination_sorted_by_keys() -> None:
    # dplyr: count(d, a, b) == summarise(group_by(d, a, b), n = n()): keys sorted, NA last
    ns = run_r("library(dplyr)\nx <- d %>% count(trial, rep) %>% filter(n > 1)\n"
               "y <- count(d, trial)\n", d=_trial(), complete=True)
    assert ns["x"].to_dict("list") == {"trial": ["t2"], "rep": [1], "n": [2]}
    y = ns["y"]
    assert list(y["trial"].iloc[:2]) == ["t1", "t2"] and pd.isna(y["trial"].iloc[2])
    assert list(y["n"]) == [2, 3, 1]


def test_count_wt_sort_name_and_tally() -> None:
    # wt: sum(w, na.rm = TRUE); sort = TRUE: decreasing n; name: the column's name;
    # tally(): no keys; a grouped tally counts per group; a key named n makes the count nn
    d = _trial()
    ns = run_r('library(dplyr)\na <- count(d, trial, wt = w, sort = TRUE, name = "tot")\n'
               "b <- tally(d)\nc <- d %>% group_by(rep) %>% tally(sort = TRUE)\n"
               "e <- count(d2, n)\n", d=d, d2=pd.DataFrame({"n": [1, 1, 2]}), complete=True)
    a = ns["a"]
    assert list(a.columns) == ["trial", "tot"] and list(a["tot"]) == [6.0, 3.0, 1.5]
    assert a["trial"].iloc[0] == "t1" and pd.isna(a["trial"].iloc[1]) and \
        a["trial"].iloc[2] == "t2"
    assert ns["b"].to_dict("list") == {"n": [6]}
    assert ns["c"].to_dict("list") == {"rep": [1, 2], "n": [4, 2]}
    assert ns["e"].to_dict("list") == {"n": [1, 2], "nn": [2, 1]}


# ----- c() with NA, is.finite(), %in% of part of a vector, partial $ --------------------------
def test_c_of_a_variable_and_na_keeps_the_na() -> None:
    # R: c(x, NA, Inf) has length(x) + 2 elements; NA is a missing value, not NULL
    ns = run_r("x <- c(1, 2)\ny <- c(x, NA, Inf)\nn <- length(y)\nm <- sum(is.na(y))\n"
               "d <- data.frame(b = c(2, NA, Inf))\nk <- nrow(d)\n", complete=True)
    assert ns["n"] == 4 and ns["m"] == 1 and ns["k"] == 3


def test_is_finite_and_is_infinite_follow_r() -> None:
    # ?is.finite: NA/NaN/Inf are not finite; text never is; a factor is where not NA;
    # is.infinite is TRUE only for +-Inf; a Series keeps its rows for d[is.finite(d$y), ]
    d = pd.DataFrame({"y": [1.0, np.nan, np.inf, -np.inf, 2.0], "g": list("abcde")})
    ns = run_r("a <- is.finite(d$y)\nb <- is.infinite(d$y)\nc <- is.finite(d$g)\n"
               "e <- d[is.finite(d$y), ]\nf <- is.finite(c(1, NA, -Inf))\n"
               "h <- is.finite(3)\n",
               d=d, complete=True)
    assert list(ns["a"]) == [True, False, False, False, True]
    assert list(ns["b"]) == [False, False, True, True, False]
    assert list(ns["c"]) == [False] * 5
    assert list(ns["e"]["y"]) == [1.0, 2.0]
    assert list(ns["f"]) == [True, False, False]
    assert ns["h"] is True
    k = r_is_finite(pd.Series(pd.Categorical(["u", None])))   # a factor kept as one
    assert list(k) == [True, False]


def test_is_finite_of_a_data_frame_is_an_error() -> None:
    from asr_py.errors import AsrError

    with pytest.raises(AsrError, match="data frame"):
        run_r("a <- is.finite(d)\n", d=pd.DataFrame({"y": [1.0]}))


def test_in_of_part_of_colnames_is_elementwise() -> None:
    # colnames(d)[1:2] is c("a", "b"); %in% gives one logical per element
    d = pd.DataFrame({"a": [1], "b": [2], "cc": [3]})
    ns = run_r('k <- colnames(d)[1:2] %in% c("a", "cc")\nj <- names(d)[2:3] %in% "cc"\n',
               d=d, complete=True)
    assert list(ns["k"]) == [True, False] and list(ns["j"]) == [False, True]


def test_partial_dollar_of_asreml_obj_is_the_fit() -> None:
    # R's $ matches a unique prefix: current.asrt$asreml.ob is current.asrt$asreml.obj
    from asr_py import translate

    head = "library(asremlPlus)\nt <- as.asrtests(m, NULL, NULL)\n"
    for tail in ("v <- t$asreml.ob$vparameters.con\n", "v <- t$asreml.o$loglik\n"):
        full = tail.replace("$asreml.ob$", "$asreml.obj$").replace("$asreml.o$",
                                                                    "$asreml.obj$")
        assert translate(head + tail) == translate(head + full)


# ----- mutate(across(cols, ~ f(., other columns)), later = g(changed)) ------------------------
def test_across_lambda_reads_other_columns_and_later_arguments_see_its_result() -> None:
    # dplyr: the lambda's bare names are the data's columns (Y, L), else the script's
    # variables (year); mutate() is sequential: w sees the a that across() set to NA
    d = pd.DataFrame({"Y": [1, 2, 2, 3], "L": [3, 1, 2, 2], "a": [10.0, 20.0, 30.0, 40.0],
                      "b": [1.0, 2.0, 3.0, 4.0], "p": [5.0, 6.0, 7.0, 8.0]})
    ns = run_r("library(dplyr)\nyear <- 2\n"
               "x <- d %>% mutate(p = if_else(Y == year, NA, p),\n"
               "  across(c(a, b), ~if_else(Y == year | L == 3, NA, .)),\n"
               "  w = if_else(is.na(a), 1, a))\n", d=d, complete=True)
    x = ns["x"]
    assert x["p"].isna().tolist() == [False, True, True, False]
    assert x["a"].isna().tolist() == [True, True, True, False]
    assert x["b"].isna().tolist() == [True, True, True, False]
    assert x["w"].tolist() == [1.0, 1.0, 1.0, 40.0]
    assert d["a"].tolist() == [10.0, 20.0, 30.0, 40.0]        # the input is not changed


def test_across_lambda_parameter_is_not_a_column() -> None:
    # function(x) ...: x is the function's own argument even where a column x exists
    d = pd.DataFrame({"x": [100.0, 200.0], "a": [1.0, 2.0], "k": [2.0, 3.0]})
    ns = run_r("library(dplyr)\ny <- mutate(d, across(c(a), function(x) x * k))\n",
               d=d, complete=True)
    assert ns["y"]["a"].tolist() == [2.0, 6.0] and ns["y"]["x"].tolist() == [100.0, 200.0]


# ----- lmer() with an expression as its response ----------------------------------------------
def test_lmer_response_expression_is_evaluated_as_r_model_frame() -> None:
    # R's model.frame() evaluates the left-hand side: a + b ~ ... fits the sum of the
    # columns (rows with a missing a or b dropped), log(y) ~ ... the log
    from asr_py.compat import lme4

    rng = np.random.default_rng(3)
    g = np.repeat(list("pqrstu"), 5)
    a = rng.normal(10, 1, 30) + np.repeat(rng.normal(0, 1, 6), 5)
    b = rng.normal(5, 1, 30)
    d = pd.DataFrame({"a": a, "b": b, "g": g})
    d.loc[3, "b"] = np.nan
    m1 = lme4.lmer("a + b ~ 1 + (1 | g)", data=d)
    s = d.assign(s=d["a"] + d["b"]).dropna()
    m2 = lme4.lmer("s ~ 1 + (1 | g)", data=s)
    assert len(m1.y) == 29
    assert m1.fixef().iloc[0] == pytest.approx(m2.fixef().iloc[0], rel=1e-8)
    assert m1.fixef().iloc[0] == pytest.approx(np.nanmean(s["s"]), rel=0.05)
    m3 = lme4.lmer("log(a) ~ 1 + (1 | g)", data=d)
    m4 = lme4.lmer("la ~ 1 + (1 | g)", data=d.assign(la=np.log(d["a"])))
    assert m3.fixef().iloc[0] == pytest.approx(m4.fixef().iloc[0], rel=1e-8)
    assert list(d.columns) == ["a", "b", "g"]                   # the data is not changed


def test_do_call_c_of_a_list_concatenates_its_elements() -> None:
    # do.call(c, L) is c(L[[1]], L[[2]], ...): the values in order; a named list's names
    # become the vector's (a1, a2, b)
    ns = run_r("l <- list(a = 1:2, b = 3)\nx <- do.call(c, lapply(1:3, function(i) i * 2))\n"
               "y <- do.call(c, l)\nn <- names(y)\ns <- sum(y)\n", complete=True)
    assert list(ns["x"]) == [2, 4, 6]
    assert list(ns["y"]) == [1, 2, 3] and list(ns["n"]) == ["a1", "a2", "b"]
    assert ns["s"] == 6


def test_pull_by_position_and_with_names() -> None:
    # dplyr's pull(): var a name, a position from the left (2: the second column) or from
    # the right (-1: the last); name = id gives a vector named by that column
    d = pd.DataFrame({"id": ["x - G", "y - G"], "vcov": [1.5, 2.5], "p": [10, 20]})
    ns = run_r("library(dplyr)\na <- d %>% pull(vcov, name = id)\nb <- pull(d, 2)\n"
               'c <- pull(d, -1)\ne <- pull(d)\nv <- a["y - G"]\n', d=d, complete=True)
    assert list(ns["a"]) == [1.5, 2.5] and list(ns["a"].index) == ["x - G", "y - G"]
    assert list(ns["b"]) == [1.5, 2.5]
    assert list(ns["c"]) == [10, 20] and list(ns["e"]) == [10, 20]
    assert float(np.ravel(ns["v"])[0]) == 2.5


def test_arithmetic_of_named_vectors_pairs_by_position() -> None:
    # R: Px, Py, Pz each one element named differently; (Pz - Px - Py) / 2 pairs them by
    # position (pandas would align the names and give NaN): (20 - 2 - 6) / 2 = 6
    code = ('f <- function(v1) {\n  Px <- v1["a"] + v1["b"] / 3\n  names(Px) <- "Px"\n'
            '  Py <- v1["b"] * 2\n  names(Py) <- "Py"\n  Pz <- v1["c"]\n  names(Pz) <- "Pz"\n'
            '  cov_xy <- (Pz - Px - Py) / 2\n  names(cov_xy) <- "C"\n'
            '  cov_xy / sqrt(Px * Py)\n}\nv <- c(a = 1, b = 3, c = 20)\nout <- f(v)\n')
    ns = run_r(code, complete=True)
    assert float(np.ravel(ns["out"])[0]) == pytest.approx(6 / np.sqrt(12))
