"""Tenth pass E (held-out genetics and genebank scripts, tests/translate/corpus/SOURCES.md):
``ainverse(pedigree = ped)`` (a named pedigree crashed translate), parallel applies
(``mclapply``/``parLapply``) read as ``lapply``, tidyr's ``drop_na()``, ``d["a"]`` of a data
frame (a one-column data frame), dplyr's ``between()`` and the ``.data``/``.env`` pronouns,
``filter(cond, .by = g)`` and readxl's ``col_types``/``n_max``.

Expected values: R's documented semantics (``?Extract``, tidyr's and dplyr's reference
pages, readxl's ``read_excel``) worked by hand and noted at each test; the A-inverse from
an A built by the tabular method in numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate.rfilterby import r_filter_by
from asr_py.translate.rreadxl import r_read_excel
from asr_py.translate.rtidyr import r_drop_na


def _run(code: str, **env: object) -> dict:
    return run_r(code, complete=True, **env)


# ----- ainverse(pedigree = ped) ----------------------------------------------------------------

def _tabular_a(sire: list[int], dam: list[int]) -> np.ndarray:
    """A by the tabular method (ids 0..n-1 in order, -1 unknown)."""
    n = len(sire)
    A = np.zeros((n, n))
    for i in range(n):
        s, d = sire[i], dam[i]
        A[i, i] = 1 + (0.5 * A[s, d] if s >= 0 and d >= 0 else 0)
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s >= 0 else 0) + (A[j, d] if d >= 0 else 0))
    return A


def test_ainverse_with_a_named_pedigree_argument() -> None:
    # asreml 3: asreml.Ainverse(pedigree = ped)$ginv (arfesta's scripts: translate crashed
    # with an IndexError); the same A-inverse as the positional call
    code = ('ped <- data.frame(id = c("a", "b", "c", "d"), sire = c(NA, NA, "a", "a"),\n'
            '                  dam = c(NA, NA, "b", "c"))\n'
            'ainv <- asreml.Ainverse(pedigree = ped)$ginv\nai2 <- ainverse(ped)\n')
    py = asr.translate(code)
    assert "asr.ainverse(ped, check_roles=False)" in py
    env = _run(code)
    want = np.linalg.inv(_tabular_a([-1, -1, 0, 0], [-1, -1, 1, 2]))
    got = env["ainv"].matrix.toarray() if hasattr(env["ainv"], "matrix") else None
    if got is None:
        got = np.asarray(env["ainv"].to_dense())
    assert np.allclose(got, want)


def test_ainverse_options_are_flagged_not_dropped_silently() -> None:
    py = asr.translate('A <- ainverse(ped = pp, fgen = c("Selfing", 5))\n')
    # (session 31: each option by name, rainverse.py; fgen has no counterpart)
    assert 'TODO(asr_py): ainverse(fgen = c("Selfing", 5)) is not translated' in py
    assert "DIFFERENT matrix" in py
    # no pedigree at all: a TODO with the untranslated placeholder, never a call without one
    py = asr.translate("A <- ainverse(fgen = 5)\n")
    assert "asr.ainverse(" not in py and "untranslated(" in py


# ----- parallel applies -----------------------------------------------------------------------

def test_mclapply_and_parlapply_run_as_lapply() -> None:
    # R: mclapply(1:3, function(i) i^2, mc.cores = 4) is list(1, 4, 9); parLapply(cl, X, fun)
    # the same without the cluster; parSapply(cl, X, FUN) a vector
    env = _run("cl <- NULL\nsq <- mclapply(1:3, function(i) {\n  j <- i^2\n  j\n}, "
               "mc.cores = 4)\np <- parLapply(cl, c(1, 2), function(x) x + 1)\n"
               "s <- parSapply(cl = cl, X = c(4, 9), FUN = sqrt)\n")
    assert list(env["sq"]) == [1, 4, 9]
    assert list(env["p"]) == [2, 3]
    assert list(env["s"]) == [2, 3]


def test_mclapply_fits_asreml_in_its_function(workdir: Path) -> None:
    # one fit per environment inside mclapply's function (arfesta's per-transcript fits)
    py = asr.translate('dat <- read.csv("DT.csv")\n'
                       'fits <- mclapply(c("E1", "E2"), function(e) {\n'
                       '  d <- dat[dat$Env == e, ]\n'
                       '  m <- asreml(Yield ~ 1, random = ~ Name, data = d)\n'
                       '  m$loglik\n}, mc.cores = 23)\n')
    assert py.count("asr.asreml(") == 1 and "untranslated(" not in py


# ----- tidyr drop_na() ------------------------------------------------------------------------

def test_drop_na_all_columns_and_selected_columns() -> None:
    # tidyr: drop_na(d) keeps rows complete in every column; drop_na(d, a) in a only
    env = _run('d <- data.frame(a = c(1, NA, 3), b = c("x", "y", NA), k = 1:3)\n'
               "d1 <- drop_na(d)\nd2 <- d |> drop_na(a)\nd3 <- d %>% drop_na(c(a, b))\n"
               "n2 <- nrow(d2)\n")
    assert list(env["d1"]["k"]) == [1]
    assert list(env["d2"]["k"]) == [1, 3] and env["n2"] == 2
    assert list(env["d2"].index) == [0, 1]          # a tibble's rows are renumbered
    assert list(env["d3"]["k"]) == [1]


def test_drop_na_errors_name_the_column() -> None:
    d = pd.DataFrame({"a": [1.0, None]})
    with pytest.raises(AsrError, match="drop_na"):
        r_drop_na(d, lambda _p: _p["zz"])
    with pytest.raises(AsrError, match="data frame"):
        r_drop_na([1, 2])


# ----- d["a"] ---------------------------------------------------------------------------------

def test_single_bracket_name_of_a_data_frame_is_a_data_frame() -> None:
    # R: d["k"] is a data.frame with one column (nrow 3; distinct() of it 2 rows); v["a"] of
    # a named vector the element; d[["k"]] the column
    env = _run('d <- data.frame(k = c(1, 1, 2), j = c("a", "b", "c"))\n'
               'a <- d["k"]\nn <- nrow(d["k"])\ng <- distinct(d["k"])\n'
               'v <- c(a = 1, b = 2)\nw <- v["a"] + 1\ncol <- d[["k"]]\n')
    assert isinstance(env["a"], pd.DataFrame) and list(env["a"].columns) == ["k"]
    assert env["n"] == 3 and len(env["g"]) == 2
    assert env["w"] == 2
    assert list(env["col"]) == [1, 1, 2]


def test_single_bracket_unknown_column_is_an_error() -> None:
    with pytest.raises(AsrError, match="no column 'zz'"):
        _run('d <- data.frame(k = 1)\nz <- d["zz"]\n')


# ----- between(), .data and .env pronouns, filter(.by) ----------------------------------------

def test_between_and_data_pronoun_in_filter() -> None:
    # dplyr: between(y, 1, 5) keeps 1 and 4 (NA dropped); .data[[tr]] is the column named
    # by the variable tr (here y, not the column tr); .env$lim the variable lim
    env = _run('d <- data.frame(y = c(1, 4, 7, NA), tr = c(9, 9, 9, 9))\ntr <- "y"\nlim <- 3\n'
               "a <- d |> filter(between(y, 1, 5))\nb <- d |> filter(.data[[tr]] > 2)\n"
               "c2 <- d |> filter(between(.data[[tr]], 1, 5))\n"
               "e <- d |> filter(.data$y > .env$lim)\nx <- between(c(0, 2, 9), 1, 5)\n")
    assert list(env["a"]["y"]) == [1, 4]
    assert list(env["b"]["y"]) == [4, 7]
    assert list(env["c2"]["y"]) == [1, 4]
    assert list(env["e"]["y"]) == [4, 7]
    assert list(env["x"]) == [False, True, False]


def test_filter_by_evaluates_conditions_per_group() -> None:
    # dplyr 1.1: filter(n() > 1, .by = g) keeps groups with two rows or more (a: 3 rows);
    # filter(y > mean(y), .by = g): a's mean is 8/3, so 4 and 3 stay; b (7 > 7) none; the
    # data's row order is kept
    env = _run('d <- data.frame(y = c(1, 4, 7, NA, 3), g = c("a", "a", "b", "c", "a"),\n'
               "                h = c(1, 2, 1, 2, 1))\n"
               "c1 <- d |> filter(n() > 1, .by = g)\n"
               "c2 <- filter(d, y > mean(y), .by = c(g))\n"
               'c3 <- d |> filter(n() > 1, .by = c("g", "h"))\n')
    assert list(env["c1"]["y"]) == [1, 4, 3]
    assert list(env["c2"]["y"]) == [4, 3]
    assert list(env["c3"]["y"]) == [1, 3]


def test_filter_by_unknown_column_is_an_error() -> None:
    d = pd.DataFrame({"y": [1, 2]})
    with pytest.raises(AsrError, match="no column 'g'"):
        r_filter_by(d, ["g"], lambda _g: len(_g) > 1)


# ----- readxl's col_types, n_max ---------------------------------------------------------------

def test_read_excel_col_types_numeric_coerces_text_to_na(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    f = tmp_path / "t.xlsx"
    pd.DataFrame({"id": [1, 2, 3], "h": [78, "n.a.", 89], "w": [1.5, 2.5, 3.5]}).to_excel(
        f, index=False, sheet_name="Obs")
    # readxl: col_types = c("text", "numeric", "numeric"): id as "1", "2", "3"; h's "n.a."
    # is NA; n_max = 1: one row
    d = r_read_excel(str(f), sheet="Obs", col_types=[["text"], ["numeric", "numeric"]])
    assert list(d["id"]) == ["1", "2", "3"]
    assert d["h"].isna().tolist() == [False, True, False] and d["h"].dtype.kind == "f"
    assert len(r_read_excel(str(f), sheet="Obs", n_max=1)) == 1
    d2 = r_read_excel(str(f), sheet=1, col_types=["skip", "numeric", "skip"])
    assert list(d2.columns) == ["h"]
    with pytest.raises(AsrError, match="col_types"):
        r_read_excel(str(f), col_types=["text", "numeric"])
    py = asr.translate('x <- readxl::read_xlsx("t.xlsx", sheet = "Obs", col_types = "text")\n')
    assert "r_read_excel('t.xlsx', sheet='Obs', col_types='text')" in py


# ----- rev(), if_else(), stringr --------------------------------------------------------------

def test_rev_if_else_and_stringr_functions() -> None:
    # R: rev(c("a", "b")) is "b" "a" (in a pipe with the dot too); dplyr's if_else as
    # ifelse; stringr: str_remove the first match, str_sub(x, 10) from the 10th character,
    # str_sub(x, -4) the last four, str_to_title each word capitalised, str_split_i(x, p, -1)
    # the last piece, str_detect a logical vector, str_replace_all with a back-reference
    env = _run('x <- c("campaign_2001-2002", "campaign_1999-2000")\ny <- rev(x)\n'
               'z <- c("(Intercept)", x) %>% rev(.)\n'
               "d <- data.frame(a = c(1, NA))\nd2 <- d %>% mutate(b = if_else(is.na(a), 0, a))\n"
               's <- str_remove(x, "campaign_")\ns2 <- str_sub(x, 10)\ns3 <- str_sub(x, -4)\n'
               't <- "days_to_heading" |> str_replace_all("_", " ") |> str_to_title()\n'
               'g <- str_split_i("BLUE_accenumb_ABC12", "accenumb_", -1)\n'
               'dd <- str_detect(x, "1999")\nnd <- str_detect(x, "1999", negate = TRUE)\n'
               'br <- str_replace_all("a1b22", "([0-9]+)", "<\\\\1>")\n'
               'n <- str_length("abc")\n')
    assert list(env["y"]) == ["campaign_1999-2000", "campaign_2001-2002"]
    assert list(env["z"]) == ["campaign_1999-2000", "campaign_2001-2002", "(Intercept)"]
    assert list(env["d2"]["b"]) == [1.0, 0.0]
    assert list(env["s"]) == ["2001-2002", "1999-2000"] == list(env["s2"])
    assert list(env["s3"]) == ["2002", "2000"]
    assert env["t"] == "Days To Heading"
    assert env["g"] == "ABC12"
    assert list(env["dd"]) == [False, True] and list(env["nd"]) == [True, False]
    assert env["br"] == "a<1>b<22>"
    assert env["n"] == 3


# ----- coefficients$fixed[-1, ], as.data.frame(v) ----------------------------------------------

def test_one_column_matrix_rows_and_as_data_frame_of_a_vector() -> None:
    # asreml's m$coefficients$fixed is an n x 1 matrix with effect row names: fixed[-1, ]
    # drops the first row (a named vector); as.data.frame(v) of a named vector is one column
    # named v with the names as row names (rownames_to_column() reads them); a matrix V1..Vn
    fixed = pd.Series([5.0, 1.0, 2.0], index=["(Intercept)", "c_2001", "c_2002"])
    env = _run("eff <- fixed[-1, ] + fixed[1]\n"
               "tab <- eff |> as.data.frame() |> rownames_to_column()\n"
               "one <- fixed[2, ]\nfx <- c(a = 1, b = 2)\nd2 <- as.data.frame(fx)\n"
               "m <- as.data.frame(matrix(1:4, 2))\n", fixed=fixed)
    assert list(env["tab"].columns) == ["rowname", "eff"]
    assert list(env["tab"]["rowname"]) == ["c_2001", "c_2002"]
    assert list(env["tab"]["eff"]) == [6.0, 7.0]
    assert env["one"] == 1.0
    assert list(env["d2"].index) == ["a", "b"] and list(env["d2"]["fx"]) == [1, 2]
    assert list(env["m"].columns) == ["V1", "V2"] and list(env["m"]["V2"]) == [3, 4]


# ----- dplyr slice() ---------------------------------------------------------------------------

def test_slice_positions_n_and_heads() -> None:
    # dplyr on a data.frame: slice(2:n()) rows 2..5 with their row names; a position past
    # the end is ignored; slice(-1) drops the first; slice_head(n = 2) / slice_tail(n = 2)
    env = _run('d <- data.frame(k = 1:5, row.names = c("a", "b", "c", "d", "e"))\n'
               "a <- d |> slice(2:n())\nb <- slice(d, 1:3, 9)\nc <- d |> slice(-1)\n"
               "f <- d |> slice_head(n = 2)\ng <- d |> slice_tail(n = 2)\n")
    assert list(env["a"]["k"]) == [2, 3, 4, 5] and list(env["a"].index) == list("bcde")
    assert list(env["b"]["k"]) == [1, 2, 3]
    assert list(env["c"]["k"]) == [2, 3, 4, 5]
    assert list(env["f"]["k"]) == [1, 2] and list(env["g"]["k"]) == [4, 5]
    with pytest.raises(AsrError, match="mixed"):
        _run("d <- data.frame(k = 1:3)\nz <- slice(d, c(-1, 2))\n")


def test_data_mask_on_an_expression_reads_columns_before_variables() -> None:
    # R: inside mutate() on tibble(eff, ev) (data frames spliced), eff is the column eff,
    # not the function's argument eff (a data frame): cv = sqrt(4)/2, sqrt(16)/4 = 1, 1
    env = _run("f <- function(eff, ev) {\n"
               "  tibble(eff, ev) |> mutate(cv = sqrt(error_variance) / eff)\n}\n"
               "e1 <- data.frame(eff = c(2, 4))\ne2 <- data.frame(error_variance = c(4, 16))\n"
               "r <- f(e1, e2)\n")
    assert list(env["r"]["cv"]) == [1.0, 1.0]


# ----- as.Date(), date differences, paste0() of a call on a variable ---------------------------

def test_as_date_differences_in_days_and_vectorised_paste0() -> None:
    # the genebank notebooks' heading_date_to_days(): as.Date("20230512", "%Y%m%d") minus
    # 1 January is 131 days; on a vector paste0(substr(x, 1, 4), "0101") is element-wise
    # (2023-02-01: 31 days; 2024-03-01: 60, a leap year; NA stays NA)
    env = _run("heading_date_to_days <- function(date_int){\n"
               '  heading_date <- as.Date(as.character(date_int), format="%Y%m%d")\n'
               '  starting_date <- as.Date(paste0(substr(date_int, 1, 4), "0101"), '
               'format="%Y%m%d")\n'
               "  return(as.numeric(heading_date - starting_date))\n}\n"
               "a <- heading_date_to_days(20230512)\n"
               "b <- heading_date_to_days(c(20230201, 20240301, NA))\n"
               'd <- as.numeric(as.Date("2020-03-01") - as.Date("2020/02/01"))\n'
               'bad <- as.Date("2020-13-45")\n')
    assert env["a"] == 131.0
    b = list(env["b"])
    assert b[:2] == [31.0, 60.0] and np.isnan(b[2])
    assert env["d"] == 29.0
    assert pd.isna(env["bad"])


def test_unlist_of_a_data_frame_and_a_named_list() -> None:
    # R: unlist(d["a"]) is the column's values; unlist(d) column after column; unlist of a
    # named list its values (not the names); of a list of vectors one vector
    env = _run('d <- data.frame(a = c(1, 2), z = c(3, 4))\nu <- as.numeric(unlist(d["a"]))\n'
               "w <- unlist(d)\nnl <- unlist(list(p = 5, q = 6))\nL <- unlist(list(c(1, 2), 3))\n")
    assert list(env["u"]) == [1, 2]
    assert list(env["w"]) == [1, 2, 3, 4]
    assert list(env["nl"]) == [5, 6]
    assert list(env["L"]) == [1, 2, 3]


def test_single_bracket_null_assignment_drops_columns() -> None:
    # R: d["z"] <- NULL removes the column z; d[c("a", "b")] <- NULL both
    env = _run('d <- data.frame(a = 1, b = 2, z = 3)\nd["z"] <- NULL\ne <- d\n'
               'e[c("a", "b")] <- NULL\n')
    assert list(env["d"].columns) == ["a", "b"]
    assert list(env["e"].columns) == []


def test_dollar_of_a_fit_passed_to_a_function(workdir: Path) -> None:
    # a function whose parameter is a fit only at run time: m$residuals and m$loglik are the
    # fit's; m$mf (asreml's model frame) is a clear error, not "not subscriptable"
    env = _run('dat <- read.csv("DT.csv")\nm <- asreml(Yield ~ Env, random = ~ Name, data = dat)\n'
               "f <- function(fit) {\n  r <- fit$residuals\n  length(r)\n}\nn <- f(m)\n"
               "g <- function(fit) fit$loglik\nll <- g(m)\n")
    assert env["n"] == len(env["m"].residuals)
    # asreml's loglik leaves out the REML constant: l_R + (n - p)/2 log(2 pi)
    m = env["m"]
    want = m.loglik + 0.5 * m.result.n_minus_p * np.log(2 * np.pi)
    assert env["ll"] == pytest.approx(want)
    from asr_py.translate.runtime import r_dollar

    assert r_dollar(m, "loglik") == pytest.approx(want)
    assert r_dollar(m, "resid").equals(m.residuals)

    assert r_dollar(m, "mf").equals(m.model_frame())     # asreml 4's model frame (c15agent)
    with pytest.raises(AsrError, match=r"m\$monitor of an asreml fit"):
        r_dollar(env["m"], "monitor")
