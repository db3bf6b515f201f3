"""translate(): R's matrix/vector semantics and the helpers the teaching scripts of
AparicioJohan/trainingMM call (issue 14, session 13). Expected values follow R 4.2's
documented rules (``?matmult``, ``?Extract``, ``?eigen``, ``?model.frame``, dplyr's
``transmute``, purrr's ``pluck``), computed here independently with numpy/pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

import asr_py as asr
from asr_py.errors import AsrError, ModelError
from asr_py.translate import translate
from asr_py.translate.rbase import r_matmul, r_rbind
from asr_py.translate.rtransmute import r_eigen, r_model_frame


def test_matrix_times_vector_is_a_column_that_rbind_stacks() -> None:
    X = np.arange(6.0).reshape(3, 2)
    Z = np.arange(12.0).reshape(3, 4)
    y = np.array([1.0, 2.0, 3.0])
    # R: t(X) %*% y is 2 x 1, t(Z) %*% y is 4 x 1; rbind() of them is 6 x 1
    rhs = r_rbind(r_matmul(X.T, y), r_matmul(Z.T, y))
    assert rhs.shape == (6, 1)
    np.testing.assert_allclose(rhs[:, 0], np.concatenate([X.T @ y, Z.T @ y]))
    # two plain vectors stay rows (R's rbind of vectors)
    assert r_rbind(np.array([1.0, 2.0]), np.array([3.0, 4.0])).shape == (2, 2)


def test_matmul_conforms_a_vector_as_row_or_column() -> None:
    L = np.ones((4, 1))
    # a one-column matrix times one value (C[1, 1]) or a vector of length 3: R reads the
    # vector as a 1 x k row -> 4 x k
    np.testing.assert_allclose(r_matmul(L, 2.5), np.full(4, 2.5))
    np.testing.assert_allclose(r_matmul(L, np.array([1.0, 2.0, 3.0])),
                               np.tile([1.0, 2.0, 3.0], (4, 1)))
    # a vector times a 1 x p matrix: the vector is a column -> length x p
    np.testing.assert_allclose(r_matmul(np.array([1.0, 2.0]), np.array([[1.0, 10.0, 100.0]])),
                               [[1, 10, 100], [2, 20, 200]])
    # conformable the usual way: numpy's inner products, as before
    assert r_matmul(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 11.0
    with pytest.raises(ValueError):
        r_matmul(np.ones((2, 3)), np.ones(2))        # R: non-conformable arguments


def test_element_indexing_of_a_matrix_is_column_major() -> None:
    ns = run_r("m <- matrix(1:6, nrow = 2)\na <- m[c(2, 3)]\n"
               "s <- solve(diag(2)) %*% matrix(c(5, 7), dimnames = list(c('p', 'q'), 'v'))\n"
               "rownames(s) <- c('p', 'q')\nb <- s[1:2]\nc3 <- s[3]\n")
    np.testing.assert_array_equal(ns["a"], [2.0, 3.0])       # R: m[2] = 2, m[3] = 3
    np.testing.assert_array_equal(ns["b"], [5.0, 7.0])
    assert np.isnan(ns["c3"])                                # beyond the end: NA


def test_row_of_a_dimnamed_square_matrix_drops_to_a_named_vector() -> None:
    ns = run_r("G <- matrix(c(2, 1, 1, 3), 2, dimnames = list(c('a', 'b'), c('a', 'b')))\n"
               "G <- G * 1.5\ng10 <- G[2, 1:2]\nv <- t(g10) %*% solve(G[1:2, 1:2]) %*% c(1, 1)\n",
               complete=True)
    G = np.array([[2.0, 1.0], [1.0, 3.0]]) * 1.5
    assert isinstance(ns["g10"], pd.Series) and list(ns["g10"].index) == ["a", "b"]
    np.testing.assert_allclose(np.ravel(ns["v"]), G[1] @ np.linalg.inv(G) @ [1, 1])


def test_formula_variable_from_the_script_as_in_r() -> None:
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"g": np.repeat(list("abcd"), 3), "b": np.tile(list("123"), 4),
                      "yield": rng.normal(10, 1, 12)})
    ns = run_r("y <- matrix(d[, 'yield'])\nm <- asreml(fixed = y ~ 1 + b, random = ~g, "
               "data = d)\n", d=d)
    ref = asr.asreml("yield ~ 1 + b", random="~g", data=d)
    assert ns["m"].loglik == pytest.approx(ref.loglik, rel=1e-10)
    # a column of data= wins over the script's variable of that name (R's lookup order)
    d2 = d.rename(columns={"yield": "y"})
    ns = run_r("y <- rnorm(12)\nm <- asreml(fixed = y ~ 1 + b, random = ~g, data = d)\n",
               d=d2)
    assert ns["m"].loglik == pytest.approx(ref.loglik, rel=1e-10)


def test_predict_only_and_partial_dollar() -> None:
    py = translate("p <- predict(m, classify = 'vm(gen, A)', only = 'vm(gen, A)')$pval\n")
    assert "m.predict(classify='vm(gen, A)', only='vm(gen, A)')" in py
    assert "TODO" not in py.split("import", 1)[-1]


def test_transmute_pluck_and_copies() -> None:
    d = pd.DataFrame({"gen": ["a", "b"], "predicted.value": [1.0, 2.0], "x": [0, 0]})
    ns = run_r("t1 <- d |> transmute(gen, blue = predicted.value * 2)\n"
               "l <- list(first = d, second = 3)\nv <- pluck(l, 'first', 'gen')\n"
               "a <- b <- list()\na[['k']] <- 1\nb[['k']] <- 2\n", d=d, complete=True)
    assert list(ns["t1"].columns) == ["gen", "blue"]
    np.testing.assert_allclose(ns["t1"]["blue"], [2.0, 4.0])
    assert list(ns["v"]) == ["a", "b"]
    assert ns["a"] == {"k": 1} and ns["b"] == {"k": 2}       # two lists, as R


def test_dimnames_of_a_list_element() -> None:
    ns = run_r("l <- list()\nl[['m']] <- matrix(1:4, 2)\n"
               "dimnames(l[['m']]) <- list(c('r1', 'r2'), c('c1', 'c2'))\n", complete=True)
    m = ns["l"]["m"]
    assert list(m.index) == ["r1", "r2"] and list(m.columns) == ["c1", "c2"]
    np.testing.assert_array_equal(m.to_numpy(), [[1, 3], [2, 4]])


def test_eigen_as_r_orders_it() -> None:
    rng = np.random.default_rng(2)
    B = rng.normal(size=(4, 4))
    S = B @ B.T
    e = r_eigen(S)
    assert np.all(np.diff(e["values"]) <= 0)                 # decreasing
    np.testing.assert_allclose(S @ e["vectors"], e["vectors"] * e["values"], atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(e["vectors"], axis=0), 1.0)
    N = np.array([[2.0, 1.0], [0.0, -3.0]])                  # not symmetric: by modulus
    np.testing.assert_allclose(r_eigen(N)["values"], [-3.0, 2.0])
    assert r_eigen(S, only_values=True)["vectors"] is None
    with pytest.raises(AsrError, match="non-square"):
        r_eigen(np.ones((2, 3)))
    py = translate("eD <- eigen(D)\nh <- sum(eD$values)\n")
    assert "r_eigen(x=D)" in py and "eD['values']" in py


def test_model_frame_drops_incomplete_rows() -> None:
    d = pd.DataFrame({"y": [1.0, np.nan, 3.0, 4.0], "a": ["p", "q", None, "q"],
                      "z": [9, 9, 9, 9]})
    mf = r_model_frame("y ~ 1 + a", d)
    assert list(mf.columns) == ["y", "a"] and list(mf.index) == [0, 3]
    with pytest.raises(AsrError, match="'b' not in the data"):
        r_model_frame("y ~ b", d)
    with pytest.raises(AsrError, match="function of a variable"):
        r_model_frame("log(y) ~ a", d)


def test_rows_by_grep_and_cbind_of_one() -> None:
    vc = pd.DataFrame({"component": [1.0, 2.0, 3.0]},
                      index=["block", "vm(gen, A)", "units!R"])
    ns = run_r("vb <- vc[grep('^block', rownames(vc)), 'component']\n"
               "vg <- vc[grep('vm\\\\(gen', rownames(vc)), ]\n"
               "L <- cbind(matrix(1, nrow = 3, ncol = 1))\nv <- cbind(c(1, 2))\n",
               vc=vc, complete=True)
    assert ns["vb"] == 1.0
    assert list(ns["vg"].index) == ["vm(gen, A)"]
    assert ns["L"].shape == (3, 1) and ns["v"].shape == (2, 1)


def test_across_with_a_function_literal_keeps_rows_by_position() -> None:
    d = pd.DataFrame({"a": [1.0, 2.0, 3.0, 6.0], "b": [2.0, 2.0, 4.0, 8.0]},
                     index=[3, 5, 7, 9])           # row labels as na.omit() leaves them
    ns = run_r("s <- d |> mutate(across(c(a, b), \\(x) x / max(x)))\n", d=d, complete=True)
    np.testing.assert_allclose(ns["s"]["a"], d["a"] / 6)
    np.testing.assert_allclose(ns["s"]["b"], d["b"] / 8)


def test_params_fixing_a_variance_is_not_counted_as_free() -> None:
    # 4 records, 2 fixed effects: 2 residual df for g, g:loc and the residual variance
    d = pd.DataFrame({"g": list("ab") * 2, "loc": ["x", "x", "y", "y"],
                      "y": [1.0, 2.5, 0.7, 3.1]})
    with pytest.raises(ModelError, match="3 variance parameters but only 2"):
        asr.asreml("y ~ loc", random="~ g + g:loc", data=d)
    sv = asr.asreml("y ~ loc", random="~ g + g:loc", data=d, start_values=True)
    sv.loc[sv["Component"] == "g:loc", ["Value", "Constraint"]] = [0.3, "F"]
    fit = asr.asreml("y ~ loc", random="~ g + g:loc", data=d, params=sv)
    assert fit.varcomp.loc["g:loc", "component"] == pytest.approx(0.3)


def test_crossprod_split_n_distinct_outer_sep_trig() -> None:
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    ns = run_r("a <- crossprod(X)\nb <- crossprod(X, y)\nc1 <- tcrossprod(X)\n"
               "n <- n_distinct(c('a', 'b', 'a', NA))\n"
               "n2 <- n_distinct(c(1, 1, NA), na.rm = TRUE)\n"
               "s <- split(1:6, f = rep(1:2, times = 3))\n"
               "nm <- as.vector(outer(c('y', 'h'), c('g1', 'g2'), paste, sep = ':'))\n"
               "ang <- atan(1)\n", X=X, y=y, complete=True)
    np.testing.assert_allclose(ns["a"], X.T @ X)
    np.testing.assert_allclose(ns["b"], (X.T @ y).reshape(3, 1))     # R: a 3 x 1 matrix
    np.testing.assert_allclose(ns["c1"], X @ X.T)
    assert ns["n"] == 3 and ns["n2"] == 1                             # NA counts as a value
    assert list(ns["s"]) == ["1", "2"]
    assert list(ns["s"]["1"]) == [1, 3, 5] and list(ns["s"]["2"]) == [2, 4, 6]
    # R: outer's matrix read column by column
    assert list(ns["nm"]) == ["y:g1", "h:g1", "y:g2", "h:g2"]
    assert ns["ang"] == pytest.approx(np.pi / 4)
    with pytest.raises(AsrError, match="non-conformable"):
        run_r("z <- crossprod(X, c(1, 2))\n", X=X)


def test_split_of_a_data_frame_by_a_factor_column() -> None:
    d = pd.DataFrame({"env": pd.Categorical(["b", "a", "b"], categories=["b", "a"]),
                      "y": [1.0, 2.0, 3.0]})
    ns = run_r("s <- split(d, d$env)\n", d=d, complete=True)
    assert list(ns["s"]) == ["b", "a"]                   # the factor's levels, in order
    assert list(ns["s"]["b"]["y"]) == [1.0, 3.0]


def test_unique_data_frame_and_names_in_which() -> None:
    d = pd.DataFrame({"exp": ["e1", "e1", "e2"], "trait": ["t", "t", "t"], "h1": [1, 2, 3]})
    ns = run_r("k <- unique.data.frame(d[, c('exp', 'trait')])\n"
               "w <- which(names(d) %in% c('h1', 'trait'))\n", d=d, complete=True)
    assert ns["k"].values.tolist() == [["e1", "t"], ["e2", "t"]]
    assert list(ns["w"]) == [2, 3]                       # R's 1-based positions


def test_mbf_argument_becomes_asr_pys_mbf() -> None:
    py = translate("m <- asreml(y ~ 1, random = ~ mbf(hap), data = d,\n"
                   "  mbf = list(hap = list(key = c('gen', 'gen'), cov = 'Hj')))\n")
    assert "mbf={'hap': {'key': ['gen', 'gen'], 'cov': 'Hj'}}" in py and "Hj=Hj" in py
    assert "TODO" not in py.split("import", 1)[-1]
    dotted = translate("m <- asreml(y ~ 1, random = ~ mbf(r), data = d,\n"
                       "  mbf = list(r = list(key = c('row', 'row'), cov = 'B.df')))\n")
    assert "**{'B.df': B_df}" in dotted           # a Python keyword cannot hold the dot
    compile(dotted, "<translated>", "exec")
    # the fit equals grp() over the same covariates joined onto the records (dense check of
    # the design: both give the same REML log-likelihood)
    rng = np.random.default_rng(6)
    Hj = pd.DataFrame({"gen": ["g1", "g2", "g3"], "h1": [0.8, 0.1, 0.0],
                       "h2": [0.2, 0.6, 0.3], "h3": [0.0, 0.3, 0.7]})
    d = pd.DataFrame({"gen": np.repeat(["g1", "g2", "g3"], 4), "y": rng.normal(size=12)})
    ns = run_py_translated(py, d=d, Hj=Hj)
    joined = d.merge(Hj, on="gen", how="left")
    ref = asr.asreml("y ~ 1", random="~ grp(hap)", data=joined,
                     group={"hap": ["h1", "h2", "h3"]})
    assert ns["m"].loglik == pytest.approx(ref.loglik, rel=1e-8)


def run_py_translated(py: str, **env) -> dict:
    from _translate_fixtures import run_py

    return run_py(py, **{"__name__": "__translated__", **env})


def test_gparam_entry_by_position_gives_the_factor_levels() -> None:
    # asreml 4: G.param[[term]] is list(variance = ..., <factor> = list(levels = ...)), so
    # G.param[[1]][[2]]$levels of vm(gen, A) are gen's levels (trainingMM 08_gblup_LMM.R)
    rng = np.random.default_rng(9)
    ids = ["g1", "g2", "g3", "g4"]
    d = pd.DataFrame({"gen": np.repeat(ids, 3), "y": rng.normal(size=12)})
    A = pd.DataFrame(np.eye(4) + 0.2, index=ids, columns=ids)
    ns = run_r("m <- asreml(y ~ 1, random = ~ vm(gen, A), data = d)\n"
               "lv <- m$G.param[[1]][[2]]$levels\nnm <- names(m$G.param)\n",
               d=d, A=A, complete=True)
    assert list(ns["lv"]) == ids
    assert list(ns["nm"]) == ["vm(gen, A)"]
