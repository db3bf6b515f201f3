"""s19runA: R semantics of base R idioms the sweetpotato/neyhartj/squash corpus scripts use.
Expected values are R's documented behaviour, stated at each test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r


def test_lapply_keeps_the_names_of_a_named_list() -> None:
    # ?lapply: "returns a list of the same length as X ... names(X) are kept";
    # unlist() then names its values by them: c(a = 3, b = 2)
    ns = run_r("L <- list(a = c(1, 2, 3), b = c(4, 5))\n"
               "n <- unlist(lapply(L, length))\n"
               "nm <- names(lapply(L, function(x) x * 2))\n"
               "mono <- names(which(unlist(lapply(L, function(x) length(x) == 2))))\n")
    assert list(ns["nm"]) == ["a", "b"]
    assert list(ns["mono"]) == ["b"]
    n = ns["n"]
    assert list(np.asarray(n)) == [3, 2] and list(pd.Series(n).index) == ["a", "b"]


def test_lapply_of_an_unnamed_list_has_no_names() -> None:
    ns = run_r("L <- list(1:3, 4:5)\nr <- lapply(L, length)\nk <- length(r)\n")
    assert ns["k"] == 2 and isinstance(ns["r"], list)


def test_rbind_of_a_named_list_of_frames_names_the_rows() -> None:
    # rbind.data.frame: an argument named x with several rows gives rows x.1, x.2, ...;
    # one row gives x (do.call passes the list's names as the argument names)
    ns = run_r("L <- list(E1 = data.frame(v = 1:2), E2 = data.frame(v = 3))\n"
               "d <- do.call(rbind, L)\n"
               "r <- rownames(d)\n")
    assert list(ns["r"]) == ["E1.1", "E1.2", "E2"]
    assert list(ns["d"]["v"]) == [1, 2, 3]


def test_matrix_rows_and_columns_by_which() -> None:
    # G[which(rownames(G) %in% ids), which(colnames(G) %in% ids)]: positions, in G's order
    ns = run_r("G <- matrix(1:9, 3, 3, dimnames = list(c(\"a\", \"b\", \"c\"), "
               "c(\"a\", \"b\", \"c\")))\n"
               "ids <- c(\"c\", \"a\")\n"
               "H <- G[which(rownames(G) %in% ids), which(colnames(G) %in% ids)]\n")
    H = ns["H"]
    assert list(H.index) == ["a", "c"] and list(H.columns) == ["a", "c"]
    np.testing.assert_array_equal(np.asarray(H, dtype=float), [[1, 7], [3, 9]])


def _em_reference(X: np.ndarray, tol: float) -> np.ndarray:
    """rrBLUP's EM (Poland et al. 2012; the A.mat manual), one marker at a time with dense
    solves: markers are draws of N(mu, Sigma) over the lines."""
    n, m = X.shape
    p = np.nanmean(X + 1, axis=0) / 2
    var_a = 2 * np.mean(p * (1 - p))
    W = X + 1 - 2 * p
    miss = np.isnan(W)
    W0 = np.where(miss, 0.0, W)
    mu, S = W0.mean(axis=1), np.cov(W0)
    A = (S + np.outer(mu, mu)) / var_a
    while True:
        Wi, T = W0.copy(), np.zeros((n, n))
        for k in range(m):
            q, o = np.flatnonzero(miss[:, k]), np.flatnonzero(~miss[:, k])
            if q.size:
                B = np.linalg.solve(S[np.ix_(o, o)], S[np.ix_(o, q)])
                Wi[q, k] = mu[q] + B.T @ (W0[o, k] - mu[o])
                T[np.ix_(q, q)] += S[np.ix_(q, q)] - S[np.ix_(o, q)].T @ B
            T += np.outer(Wi[:, k], Wi[:, k])
        mu = Wi.mean(axis=1)
        S = (T - m * np.outer(mu, mu)) / (m - 1)
        new = (S + np.outer(mu, mu)) / var_a
        done = np.linalg.norm(new - A) / n < tol
        A = new
        if done:
            return A


def test_amat_em_imputation_follows_poland_et_al() -> None:
    rng = np.random.default_rng(4)
    n, m = 6, 40
    X = rng.choice([-1.0, 0.0, 1.0], size=(n, m))
    X[:3] = X[3:] * np.where(rng.random((3, m)) < 0.8, 1, -1)      # related lines
    X[rng.random((n, m)) < 0.15] = np.nan
    X[:, 0] = [-1, 1, np.nan, 0, 1, -1]
    df = pd.DataFrame(X, index=[f"L{i}" for i in range(n)])
    ns = run_r("A <- A.mat(X, impute.method = \"EM\", tol = 1e-6)\n", X=df)
    A = ns["A"]
    assert list(A.index) == list(df.index)
    np.testing.assert_allclose(A.to_numpy(), _em_reference(X, 1e-6), rtol=1e-9, atol=1e-9)
    # not the mean imputation (NA -> 0 in W)
    p = np.nanmean(X + 1, axis=0) / 2
    W = np.nan_to_num(X + 1 - 2 * p)
    assert np.abs(A.to_numpy() - W @ W.T / (2 * np.sum(p * (1 - p)))).max() > 1e-3


def test_plsr_scores_closed_forms() -> None:
    # pls::plsr(Y ~ X, center = FALSE): the first score of a single response is
    # X w, w = X'y/|X'y|; scores are orthogonal; with all p components the PLS regression
    # R Q' is least squares
    from asr_py.translate.rpls import r_plsr

    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(10, 4)), index=[f"e{i}" for i in range(10)])
    Y = pd.DataFrame(X.to_numpy() @ rng.normal(size=(4, 3)) + rng.normal(size=(10, 3)))
    y1 = Y.iloc[:, [0]]
    fit1 = r_plsr(y1, X, center=False)
    xy = X.to_numpy().T @ y1.to_numpy()[:, 0]
    np.testing.assert_allclose(fit1["scores"]["Comp 1"], X.to_numpy() @ xy / np.linalg.norm(xy))
    fit = r_plsr(Y, X, center=False)
    T = fit["scores"].to_numpy()
    assert list(fit["scores"].index) == list(X.index) and T.shape == (10, 4)
    G = T.T @ T
    np.testing.assert_allclose(G - np.diag(np.diag(G)), 0, atol=1e-9)
    B = fit["projection"].to_numpy() @ fit["Yloadings"].T
    ols = np.linalg.lstsq(X.to_numpy(), Y.to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(B, ols, atol=1e-9)


def test_plsr_translates_with_matrices_from_the_script() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(8, 3)), index=[f"e{i}" for i in range(8)])
    Y = pd.DataFrame(rng.normal(size=(8, 3)))
    ns = run_r("z <- plsr(Y ~ X, scale = FALSE, center = FALSE)\n"
               "s <- scores(z)[,] %>% as.data.frame()\n", X=X, Y=Y)
    assert list(ns["s"].index) == list(X.index) and ns["s"].shape == (8, 3)


def test_diag_with_named_x_and_positional_sizes() -> None:
    # R matches diag(x = 2, 3, 3) as diag(x = 2, nrow = 3, ncol = 3): 2 times the identity
    ns = run_r("D <- diag(x = 2, 3, 3)\n")
    np.testing.assert_array_equal(np.asarray(ns["D"]), 2 * np.eye(3))


def test_asreml3_ginverse_matrix_is_used_as_the_inverse() -> None:
    # asreml 3: ginverse = list(gid = Ginv) gives ped(gid)/giv(gid) the INVERSE of the
    # relationship matrix; the fit equals vm(gid, K) with K = solve(Ginv)
    import asr_py as asr

    rng = np.random.default_rng(9)
    ids = [f"g{i}" for i in range(10)]
    M = rng.normal(size=(10, 25))
    K = pd.DataFrame(M @ M.T / 25 + 0.1 * np.eye(10), index=ids, columns=ids)
    d = pd.DataFrame({"gid": np.repeat(ids, 3)})
    d["y"] = rng.normal(size=30) + np.repeat(rng.multivariate_normal(np.zeros(10), K), 3)
    ns = run_r("Ginv <- solve(K)\n"
               "m <- asreml(y ~ 1, random = ~ ped(gid), ginverse = list(gid = Ginv), "
               "data = d)\n", K=K, d=d)
    direct = asr.asreml("y ~ 1", random="~ vm(gid, K)", data=d, K=K)
    assert ns["m"].loglik == pytest.approx(direct.loglik, abs=1e-6)
    assert "inverse" not in ns["Ginv"].attrs            # the script's matrix is not changed


def test_as_data_frame_of_a_call_names_the_column_by_its_deparse() -> None:
    # as.data.frame(v) names the column deparse(substitute(v)), in R's layout: the script's
    # d$`rowSums(m[, 1:2])` reads it back
    m = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": [5.0, 6.0]}, index=["r1", "r2"])
    ns = run_r("s <- as.data.frame(rowSums(m[,1:2]))\n"
               "v <- s$`rowSums(m[, 1:2])`\n", m=m)
    assert list(ns["s"].columns) == ["rowSums(m[, 1:2])"]
    assert list(np.asarray(ns["v"])) == [4.0, 6.0]


def test_for_visits_the_values_of_a_named_list() -> None:
    # R: for (x in L) visits L's elements (not its names); for (x in split(v, g)) the parts
    ns = run_r("L <- list(a = 2, b = 5)\ns <- 0\nfor (x in L) s <- s + x\n"
               "n <- 0\nfor (p in split(c(1, 2, 3), c(\"u\", \"v\", \"u\"))) n <- n + length(p)\n")
    assert ns["s"] == 7 and ns["n"] == 3
