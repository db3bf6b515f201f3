"""Translation of R constructs met in asremlPlus's GeneticCane/alldiffs/Selection scripts
(seventh pass, c14sel): each R snippet runs as translated and gives R 4.2's value, recorded
by tests/translate/data/c14sel_rbase.R in c14sel_rbase.txt (base R), or dae's/asreml's
documented semantics (dae functions named as values, asreml's constraint codes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

_REC = {ln.split(":|", 1)[0]: ln.rstrip("\n").split(":|", 1)[1].split("|")
        for ln in (Path(__file__).parent / "data" / "c14sel_rbase.txt").read_text().splitlines()}


def _run(code: str, **ns: object) -> dict:
    return run_r(code, **ns)


def test_paste_of_a_vector_held_in_a_variable_recycles() -> None:
    env = _run('suffices <- list("32_42", "42_50", "50_59")\n'
               'r <- paste("RGR_sm", suffices, sep = "_")\n'
               'v <- c(1.5, 2, NA)\nn <- paste("x", v, TRUE)\n'
               'k <- 2\none <- paste("a", k, sep = "")\nix <- paste(r[k], "~ x", sep = " ")\n')
    assert env["r"] == _REC["paste_list"]
    assert list(env["n"]) == _REC["paste_num"]
    assert env["one"] == _REC["paste_one"][0]          # one value: a string, not a vector
    assert env["ix"] == _REC["paste_index"][0]


def test_diag_with_nrow_and_ncol() -> None:
    env = _run("x <- c(a = 2)\nD <- diag(x, nrow = 3, ncol = 3)\nE <- diag(c(1, 2), nrow = 3, "
               "ncol = 4)\n")
    # R's cat of a matrix lists it by column
    assert env["D"].ravel(order="F").tolist() == [float(v) for v in _REC["diag_named"]]
    assert env["E"].ravel(order="F").tolist() == [float(v) for v in _REC["diag_rect"]]


def test_data_frame_row_names_argument() -> None:
    env = _run('d <- data.frame(m = c(0.3, 0.4), row.names = c("a,b", "c,d"))\n'
               'rn <- rownames(d)\n')
    got = env["d"]
    assert [str(i) for i in got.index] + list(got.columns) == _REC["df_rownames"]


def test_invisible_as_a_function_last_value_is_returned() -> None:
    env = _run("f <- function(a) {\n  a <- a + 1\n  invisible(a)\n}\ny <- f(1)\n")
    assert env["y"] == float(_REC["invisible"][0])


def test_names_of_a_list_of_vectors_make_a_named_list() -> None:
    env = _run('l <- lapply(c("p", "q"), function(r, dat) dat[[r]] * 2, dat = dd)\n'
               'names(l) <- c("P", "Q")\nq <- l$Q\n',
               dd={"p": np.array([1, 2]), "q": np.array([3, 4])})
    assert list(env["l"]) == _REC["named_list"][:2]
    assert list(env["q"]) == [float(v) for v in _REC["named_list"][2:]]


def test_sapply_extra_argument_with_a_dotted_name() -> None:
    env = _run("h <- function(k, t.value) k * t.value\ns <- sapply(1:3, h, t.value = 10)\n")
    assert list(env["s"]) == [int(v) for v in _REC["sapply_dotted"]]


def test_dae_functions_as_values_and_a_function_held_in_a_list() -> None:
    """dae's mat.ar1/mat.ma1 named in a list, then called through it (dae's closed forms:
    ρ^|i−j| and ρ1 = −θ/(1 + θ²))."""
    env = _run('models <- list(ar1 = mat.ar1, ma1 = mat.ma1)\n'
               'A <- models[["ar1"]](0.5, 3)\nfunc <- "ma1"\nM <- models[[func]](0.5, 3)\n')
    np.testing.assert_allclose(env["A"][0], [1, 0.5, 0.25])
    np.testing.assert_allclose(env["M"][0], [1, -0.5 / 1.25, 0])


def test_a_script_variable_named_like_a_dae_function_is_the_script_s() -> None:
    env = _run("mat.I <- 3\nx <- mat.I + 1\n")
    assert env["x"] == 4


@pytest.fixture(scope="module")
def bound_data() -> pd.DataFrame:
    """Data whose random g variance is at its bound (g explains nothing: the level means
    are made equal)."""
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"g": np.repeat(list("abcdef"), 6), "x": np.tile(np.arange(6.0), 6)})
    d["y"] = 1 + 0.5 * d["x"] + rng.normal(size=len(d))
    d["y"] = d["y"] - d.groupby("g")["y"].transform("mean") + d["y"].mean()   # no g effect
    return d


def test_vparameters_con_gammas_con_and_vpc_char(bound_data: pd.DataFrame) -> None:
    """asreml 4.2's vparameters.con holds summary()$varcomp's bound letters (asremlPlus
    R/REMLRTIC.v4.r reads it as the letters under 4.2); asreml 3's gammas.con the integer
    codes of guzpfx's table (asremlPlus R/asremlPlusUtilities.r), named by the words."""
    table = [" ", "P", "?", "U", "F", "C", "S", "B"]
    env = _run("m <- asreml(y ~ x, random = ~ g, data = d)\n"
               "con <- m$vparameters.con\nch <- vpc.char(m)\ng3 <- m$gammas.con\n"
               "vp <- m$vparameters\n", d=bound_data)
    bound = env["m"].varcomp["bound"]
    assert list(env["con"].index) == list(env["vp"].index) == list(env["ch"].index)
    assert list(env["con"]) == list(env["ch"]) == list(bound)
    assert env["ch"]["g"] == env["con"]["g"] == "B"
    words = {"B": "Boundary", "P": "Positive", "U": "Unconstrained", "F": "Fixed"}
    assert list(env["g3"].index) == [words[c] for c in bound]
    assert [table[c] for c in env["g3"]] == list(bound)


def test_design_columns_of_a_str_term_are_named_by_its_terms() -> None:
    """str(~ Fa + Fb, ~ us(2):id(3)): grep("Fa", colnames(fit$design)) gives Fa's 3 indicator
    columns only (asreml names each term's columns by the term), not all 6."""
    rng = np.random.default_rng(11)
    d = pd.DataFrame({"Fa": list("xyz") * 8, "Fb": list("zzyyxxyz") * 3})
    d["y"] = rng.normal(size=len(d))
    env = _run("options(design = TRUE)\n"
               "m <- asreml(y ~ 1, random = ~ str(~ Fa + Fb, ~ us(2):id(3)), data = d, "
               "maxit = 3)\n"
               'ca <- grep("Fa", colnames(m$design), fixed = TRUE)\n'
               'cb <- grep("Fb", colnames(m$design), fixed = TRUE)\n'
               "a <- m$design[, ca]\nb <- m$design[, cb]\n", d=d)
    for got, col in ((env["a"], "Fa"), (env["b"], "Fb")):
        want = pd.get_dummies(d[col]).astype(float).to_numpy()
        np.testing.assert_array_equal(np.asarray(got, dtype=float), want)


def test_rows_dropped_by_minus_match_and_a_column_set_by_match() -> None:
    env = _run('L <- diag(1, nrow = 4)\ng <- c("a", "b", "c", "d")\ncolnames(L) <- g\n'
               'rownames(L) <- g\nL <- L[-match("b", g), ]\nL[, match("c", g)] <- 0\n')
    rec = _REC["drop_row_zero_col"]
    got = env["L"]
    assert [str(i) for i in got.index] == rec[:3]
    assert np.asarray(got, dtype=float).ravel(order="F").tolist() == [float(v) for v in rec[3:]]


def test_elements_of_a_triangle_in_r_order() -> None:
    env = _run("m <- matrix(1:16, 4, 4)\nu <- abs(m[upper.tri(m)])\n"
               "l <- m[lower.tri(m, diag = TRUE)]\n")
    assert list(env["u"]) == [int(v) for v in _REC["upper_tri"]]
    assert list(env["l"]) == [int(v) for v in _REC["lower_tri_diag"]]
