"""translate() and the API on the constructs the fifth pass of issue 14 found in general user
scripts (held-out repositories and the failing non-asremlPlus corpus scripts). Each test
translates a minimal R snippet, executes it, and checks the value R / asreml gives (stated in
the test) or an independent computation."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate import translate


def run_r(code: str, **env) -> tuple[dict, str]:
    """Translate ``code``, run it; the namespace and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns = run_py(translate(code), **env)
    return ns, out.getvalue()


def _markers(n: int = 60, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"id": np.arange(n), "pop": rng.choice(["a", "b"], n)})
    for j in range(4):
        d[f"m{j}"] = rng.choice([-1.0, 0.0, 1.0], n)
    d["y"] = d[["m0", "m1", "m2", "m3"]].to_numpy() @ [0.8, -0.5, 0.3, 0.0] + rng.normal(
        size=n)
    return d


# --- group = list(QTL1 = c(3:5)): asreml's column positions -----------------------------------

def test_group_by_column_positions_is_the_group_by_names() -> None:
    """asreml documents group= entries as "a numeric vector specifying contiguous fields in
    data": ``list(QTL = c(3:6))`` is the 3rd to 6th columns (R counts from 1)."""
    d = _markers()
    code = ("Lgrp <- list(QTL = c(3:6))\n"
            "m <- asreml(fixed = y ~ pop, random = ~ grp(QTL), group = Lgrp, data = d)\n")
    ns, _ = run_r(code, d=d)
    ref = asr.asreml("y ~ pop", random="~ grp(QTL)", group={"QTL": ["m0", "m1", "m2", "m3"]},
                     data=d)
    assert ns["m"].loglik == pytest.approx(ref.loglik, abs=1e-10)
    np.testing.assert_allclose(ns["m"].varcomp["component"], ref.varcomp["component"])


def test_group_position_outside_the_data_is_a_clear_error() -> None:
    d = _markers()
    with pytest.raises(AsrError, match="column position 8, but data has 7 columns"):
        asr.asreml("y ~ 1", random="~ grp(QTL)", group={"QTL": [6, 7, 8, 9]}, data=d)


# --- two subscripts, length, matrix, kronecker, diag, attr<- (values R 4.2 prints) ------------

def _frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.5, 2.5, 3.5], "b": ["x", "y", "z"], "c": [10.0, 20.0, 30.0]})


def test_two_subscripts_are_positions_as_in_r() -> None:
    code = ("v <- d[2, 1]\nw <- d[, -1]\nr1 <- d[1, ]\ncol3 <- d[, 3]\nsub <- d[2:3, c(1, 3)]\n"
            "m <- matrix(1:6, 2)\nrow2 <- m[2, ]\ncol2 <- m[, 2]\nel <- m[2, 3]\n"
            "drop1 <- m[, -1]\n")
    ns, _ = run_r(code, d=_frame())
    assert ns["v"] == 2.5
    assert list(ns["w"].columns) == ["b", "c"]                  # d[, -1] drops column 1
    assert ns["r1"].shape == (1, 3) and ns["r1"]["a"].tolist() == [1.5]  # d[1, ]: row 1
    assert ns["col3"].tolist() == [10, 20, 30]                  # one column: a vector
    assert ns["sub"].to_numpy().tolist() == [[2.5, 20], [3.5, 30]]
    assert list(ns["row2"]) == [2, 4, 6] and list(ns["col2"]) == [3, 4] and ns["el"] == 6
    assert np.asarray(ns["drop1"]).tolist() == [[3, 5], [4, 6]]


def test_empty_subscript_is_the_whole_object() -> None:
    ns, _ = run_r("L2 <- L[]\nd2 <- d[, ]\n", L={"a": 1}, d=_frame())
    assert ns["L2"] == {"a": 1}
    pd.testing.assert_frame_equal(ns["d2"], _frame())


def test_length_of_a_data_frame_counts_columns() -> None:
    ns, _ = run_r('n <- length(d)\nk <- length("abc")\nx <- c("a", "b")\n'
                  "y <- as.character(x[1])\nlx <- length(x)\n", d=_frame())
    assert (ns["n"], ns["k"], ns["y"], ns["lx"]) == (3, 1, "a", 2)


def test_matrix_fills_by_column_unless_byrow() -> None:
    ns, _ = run_r("a <- matrix(1:6, 2)\nb <- matrix(1:6, 2, byrow = TRUE)\n"
                  "z <- matrix(0, 2, 3)\nn <- matrix(1:6, ncol = 2)\n")
    assert np.asarray(ns["a"]).tolist() == [[1, 3, 5], [2, 4, 6]]
    assert np.asarray(ns["b"]).tolist() == [[1, 2, 3], [4, 5, 6]]
    assert np.asarray(ns["z"]).tolist() == [[0, 0, 0], [0, 0, 0]]
    assert np.asarray(ns["n"]).shape == (3, 2)


def test_kronecker_and_diag() -> None:
    ns, _ = run_r("K <- kronecker(diag(2), matrix(1:4, 2))\nK2 <- diag(2) %x% matrix(1:4, 2)\n"
                  "D <- diag(c(2, 3))\ndd <- diag(matrix(1:4, 2))\n")
    want = [[1, 3, 0, 0], [2, 4, 0, 0], [0, 0, 1, 3], [0, 0, 2, 4]]
    assert ns["K"].tolist() == want and ns["K2"].tolist() == want
    assert ns["D"].tolist() == [[2, 0], [0, 3]] and list(ns["dd"]) == [1, 4]


def test_attr_inverse_marks_a_g_inverse_for_vm() -> None:
    """``attr(Ginv, "INVERSE") <- TRUE`` tells asreml the matrix given to vm() is already
    an inverse: the fit equals the one with G itself (not flagged)."""
    rng = np.random.default_rng(1)
    ids = [f"g{k}" for k in range(8)]
    W = rng.normal(size=(8, 20))
    G = pd.DataFrame(W @ W.T / 20 + 0.05 * np.eye(8), index=ids, columns=ids)
    d = pd.DataFrame({"id": np.repeat(ids, 3)})
    d["y"] = rng.normal(size=len(d)) + np.repeat(rng.normal(size=8), 3)
    Ginv = pd.DataFrame(np.linalg.inv(G.to_numpy()), index=ids, columns=ids)
    code = ('attr(Ginv, "INVERSE") <- TRUE\n'
            "m <- asreml(fixed = y ~ 1, random = ~ vm(id, Ginv), data = d)\n")
    ns, _ = run_r(code, Ginv=Ginv, d=d)
    ref = asr.asreml("y ~ 1", random="~ vm(id, G)", data=d, G=G)
    assert ns["m"].loglik == pytest.approx(ref.loglik, abs=1e-6)
    assert "inverse" not in Ginv.attrs               # the user's matrix is not changed


# --- asreml 3: predict(classify = list("A", "B", "A:B")) -------------------------------------

def test_asreml3_predict_of_a_classify_list_gives_one_table_per_term() -> None:
    """asreml 3 returned ``$predictions`` as a list with one component per classify term;
    each is the prediction of that term alone."""
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"a": np.tile(["a1", "a2"], 12), "b": np.repeat(["b1", "b2", "b3"], 8),
                      "rep": np.tile(np.repeat(["r1", "r2", "r3", "r4"], 2), 3)})
    d["y"] = rng.normal(size=len(d)) + (d["a"] == "a2") + np.repeat([0.0, 1.0, 2.0], 8)
    code = ("m <- asreml(y ~ a + b + a:b, random = ~ rep, data = d)\n"
            'p <- predict(m, classify = list("a", "b", "a:b"))$predictions\n')
    ns, _ = run_r(code, d=d)
    assert list(ns["p"]) == ["a", "b", "a:b"]
    for term in ("a", "b", "a:b"):
        ref = ns["m"].predict(classify=term)
        pd.testing.assert_frame_equal(ns["p"][term], ref)
    assert len(ns["p"]["a:b"]) == 6


# --- janitor::clean_names, dplyr::mutate_at ---------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    # janitor's own tests (tests/testthat/test-clean-names.R, make_clean_names)
    ("sp ace", "sp_ace"), ("a**^@", "a"), ("%", "percent"), ("*", "x"), ("d(!)9", "d_9"),
    ("can\"'t", "cant"), ("hi_`there`", "hi_there"), (" leading spaces", "leading_spaces"),
    # snake case of camelCase, make.names' X before a digit
    ("GenoType", "geno_type"), ("1st.cut", "x1st_cut")])
def test_clean_names_follows_janitor(raw: str, clean: str) -> None:
    ns, _ = run_r("d2 <- janitor::clean_names(d)\n", d=pd.DataFrame({raw: [1]}))
    assert list(ns["d2"].columns) == [clean]


def test_clean_names_numbers_duplicates_and_mutate_at() -> None:
    d = pd.DataFrame([[1, 2, 3, 4]], columns=["repeated", "repeated", "REPEATED", "Block"])
    code = ("d2 <- clean_names(d)\nd3 <- mutate_at(d2, vars(block), factor)\n"
            "d4 <- mutate_at(d2, vars(), factor)\n")
    ns, _ = run_r(code, d=d)
    assert list(ns["d2"].columns) == ["repeated", "repeated_2", "repeated_3", "block"]
    assert ns["d3"]["block"].tolist() == ["4"] and ns["d3"]["repeated"].tolist() == [1]
    assert ns["d4"] is ns["d2"]                                    # vars(): no column
    assert list(d.columns) == ["repeated", "repeated", "REPEATED", "Block"]  # not mutated


def test_cbind_follows_r() -> None:
    """R 4.2: cbind(d, v = 1:3) adds column v; cbind(1:3, 4:6) is a 3 x 2 matrix;
    cbind(d, L) adds L's elements as columns; a scalar is recycled."""
    d = pd.DataFrame({"a": [1.5, 2.5, 3.5]}, index=[10, 11, 12])
    code = ("x <- cbind(d, v = c(1, 2, 3))\nm <- cbind(1:3, 4:6)\ny <- cbind(d, L)\n"
            "z <- cbind(d, s = 0)\n")
    ns, _ = run_r(code, d=d, L={"z": [7.0, 8.0, 9.0]})
    assert list(ns["x"].columns) == ["a", "v"] and ns["x"]["v"].tolist() == [1, 2, 3]
    assert ns["x"]["a"].tolist() == [1.5, 2.5, 3.5]     # rows by position, not by label
    assert np.asarray(ns["m"]).tolist() == [[1, 4], [2, 5], [3, 6]]
    assert list(ns["y"].columns) == ["a", "z"] and ns["y"]["z"].tolist() == [7, 8, 9]
    assert ns["z"]["s"].tolist() == [0, 0, 0]


def test_paste_of_single_elements() -> None:
    """R: paste(d[2, 1], d[2, 2], sep = "") is one string, "2.5y"."""
    ns, _ = run_r('s <- paste(d[2, 1], d[2, 2], sep = "")\nt <- paste0(d$b, "_", d$c)\n',
                  d=_frame())
    assert ns["s"] == "2.5y"
    assert list(ns["t"]) == ["x_10", "y_20", "z_30"]     # R: as.character(10) is "10"


def test_aggregate_formula_method_follows_r() -> None:
    """Values R 4.2 prints for the same data: groups in observed combinations, the first
    grouping variable varying fastest, rows with a missing value dropped."""
    d = pd.DataFrame({"a": list("xyxyxy"), "b": list("ppqqpq"),
                      "y": [1, 2, 3, np.nan, 5, 6], "z": [1, 1, 1, 1, 1, 2]})
    code = ("m <- aggregate(y ~ a + b, data = d, FUN = mean)\n"
            "s <- aggregate(cbind(y, z) ~ b, d, sum)\nn <- aggregate(y ~ b, d, length)\n")
    ns, _ = run_r(code, d=d)
    assert ns["m"].to_dict("list") == {"a": ["x", "y", "x", "y"], "b": ["p", "p", "q", "q"],
                                       "y": [3.0, 2.0, 3.0, 6.0]}
    assert ns["s"].to_dict("list") == {"b": ["p", "q"], "y": [8.0, 9.0], "z": [3, 3]}
    assert ns["n"]["y"].tolist() == [3, 2]


def test_distribution_functions_give_r_values() -> None:
    """Values R 4.2 prints: 2*pnorm(-abs(c(1.96, 0.5))), pchisq(3.84, 1, lower.tail =
    FALSE), qnorm(0.975), pt(2, 5)."""
    code = ("p <- 2 * pnorm(-abs(c(1.96, 0.5)))\nq <- pchisq(3.84, 1, lower.tail = FALSE)\n"
            "z <- qnorm(0.975)\nt5 <- pt(2, 5)\n")
    ns, _ = run_r(code)
    np.testing.assert_allclose(ns["p"], [0.04999579, 0.61707508], rtol=1e-6)
    assert ns["q"] == pytest.approx(0.05004352, rel=1e-6)
    assert ns["z"] == pytest.approx(1.959964, rel=1e-6)
    assert ns["t5"] == pytest.approx(0.9490303, rel=1e-6)


def test_summary_partial_component_and_asreml3_coef_table() -> None:
    """R's $ completes a unique prefix (summary(m)$coef.fi is $coef.fixed); asreml 3's
    summary(m, all = TRUE)$coef.fixed names its columns 'solution', 'std error', 'z ratio'."""
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"g": np.repeat(list("abcdef"), 4), "x": rng.normal(size=24)})
    d["y"] = 1 + 0.5 * d["x"] + rng.normal(size=24)
    code = ("m <- asreml(y ~ x, random = ~ g, data = d)\n"
            "x <- summary(m, all = TRUE)$coef.fi\nz <- x[, 'z ratio']\n"
            "v <- summary(m)$varc\n")
    ns, _ = run_r(code, d=d)
    assert list(ns["x"].columns) == ["solution", "std error", "z ratio"]
    # asreml 3's order: the last term first, (Intercept) last (coef_layout.py)
    np.testing.assert_allclose(ns["z"], ns["m"].coef_fixed["z.ratio"].to_numpy()[::-1])
    pd.testing.assert_frame_equal(ns["v"], ns["m"].varcomp)


def test_as_vector_reads_a_matrix_by_column() -> None:
    ns, _ = run_r("v <- as.vector(matrix(1:6, 2))\nw <- as.vector(d$a)\n", d=_frame())
    assert list(ns["v"]) == [1, 2, 3, 4, 5, 6] and list(ns["w"]) == [1.5, 2.5, 3.5]


def test_missing_argument_of_a_function() -> None:
    """R: a parameter the body tests with missing() may be left out of a call."""
    code = ("f <- function(x, k) {\n  if (missing(k)) {\n    out <- x\n  } else {\n"
            "    out <- x * k\n  }\n  out\n}\na <- f(2)\nb <- f(2, 3)\n")
    ns, _ = run_r(code)
    assert (ns["a"], ns["b"]) == (2, 6)


def test_lapply_function_may_use_a_variable_named_x() -> None:
    """lapply(names(x), function(n) x[[n]] * 2): the function reads the script's own x."""
    code = ('x <- list(a = 1, b = 2)\ny <- lapply(names(x), function(n) x[[n]] * 2)\n')
    ns, _ = run_r(code)
    assert list(ns["y"]) == [2, 4]
