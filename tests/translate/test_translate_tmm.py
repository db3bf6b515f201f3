"""translate(): the helpers the teaching scripts (AparicioJohan/trainingMM and alike) call beside
asreml (issue 14, session 12): R's QR functions, rnorm()/runif(), sommer's/rrBLUP's A.mat(X)
and polyBreedR's A_mat(ped, ploidy = 2). Values are checked against closed forms computed
here independently (VanRaden's formula, the tabular pedigree recursion, QR identities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py.errors import AsrError
from asr_py.translate import translate


def _vanraden(M: np.ndarray) -> np.ndarray:
    """VanRaden (2008) from -1/0/1 markers: W = M + 1 - 2p, G = WW'/(2 sum p(1-p))."""
    p = (M + 1).mean(axis=0) / 2
    W = M + 1 - 2 * p
    return W @ W.T / (2 * np.sum(p * (1 - p)))


def test_sommer_a_mat_is_vanraden_with_rownames() -> None:
    rng = np.random.default_rng(7)
    M = rng.integers(-1, 2, size=(6, 40)).astype(float)
    M[:, 3] = 1.0                                   # a monomorphic marker adds nothing
    ids = [f"L{i}" for i in range(6)]
    ns = run_py(translate("G <- A.mat(X)\nG2 <- sommer::A.mat(X0)\nnm <- rownames(G)\n"),
                X=pd.DataFrame(M, index=ids), X0=M)
    G = ns["G"]
    assert list(G.index) == ids and list(G.columns) == ids
    np.testing.assert_allclose(G.to_numpy(), _vanraden(M), rtol=0, atol=1e-10)
    # no rownames(X): R's A.mat has no dimnames either
    assert isinstance(ns["G2"], np.ndarray)
    np.testing.assert_allclose(ns["G2"], _vanraden(M), rtol=0, atol=1e-10)
    assert list(ns["nm"]) == ids


def test_a_mat_min_maf_drops_rare_markers() -> None:
    M = np.array([[-1, 1, 0, 1], [-1, 0, 1, -1], [-1, -1, 1, 1], [0, 1, -1, 0.]])
    ns = run_py(translate("G <- A.mat(X, min.MAF = 0.2)\n"),
                X=pd.DataFrame(M, index=list("abcd")))
    # marker 1 has p = 1/8 < 0.2: dropped (minor-allele frequency min(p, 1 - p))
    np.testing.assert_allclose(ns["G"].to_numpy(), _vanraden(M[:, 1:]), atol=1e-10)


def test_a_mat_unsupported_argument_is_an_error() -> None:
    py = translate("G <- A.mat(X, shrink = TRUE)\n")
    assert "TODO(asr_py): not translated (A.mat(..., shrink = ): argument not supported)" in py


def test_polybreedr_a_mat_pedigree() -> None:
    # trainingMM's pedigree: g3 = g2 x g1, g4 = g3 x g1 (a parent-offspring mating); g0 is
    # a founder nobody descends from (polyBreedR puts such founders first), "g9" a parent
    # not listed as an individual (added as a founder, next).
    r = ('ped <- data.frame(id = c("g1", "g2", "g3", "g4", "g0", "g5"),\n'
         '  p1 = c(NA, NA, "g2", "g3", NA, "g9"), p2 = c(NA, NA, "g1", "g1", NA, "g2"))\n'
         'A <- A_mat(ped, ploidy = 2)\n')
    A = run_py(translate(r))["A"]
    order = ["g0", "g9", "g1", "g2", "g3", "g4", "g5"]
    assert list(A.index) == order and list(A.columns) == order
    # tabular method by hand, in the order g1 g2 g9 g3 g4 g5 g0
    ids = ["g1", "g2", "g9", "g3", "g4", "g5", "g0"]
    par = {"g3": ("g2", "g1"), "g4": ("g3", "g1"), "g5": ("g9", "g2")}
    n = len(ids)
    T = np.zeros((n, n))
    for i, a in enumerate(ids):
        s, d = (ids.index(p) for p in par[a]) if a in par else (None, None)
        for j in range(i):
            T[i, j] = T[j, i] = 0.0 if s is None else (T[j, s] + T[j, d]) / 2
        T[i, i] = 1.0 + (0.0 if s is None else T[s, d] / 2)
    want = pd.DataFrame(T, index=ids, columns=ids).loc[order, order]
    np.testing.assert_allclose(A.to_numpy(), want.to_numpy(), atol=1e-12)
    assert A.loc["g4", "g4"] == pytest.approx(1.25)


def test_a_mat_polyploid_is_a_clear_error() -> None:
    r = ('ped <- data.frame(id = c("a", "b"), p1 = c(NA, NA), p2 = c(NA, NA))\n'
         'A <- A_mat(ped, ploidy = 4)\n')
    with pytest.raises(AsrError, match="only diploid"):
        run_py(translate(r))


def test_qr_rank_q_r_and_coef() -> None:
    # column 3 = column 2: R's qr() gives rank 2, pivot 1 2 3, qr.coef NA for the alias
    X = np.array([[1, 0, 0], [1, 1, 1], [1, 2, 2], [1, 3, 3], [1, 5, 5.]])
    y = np.array([1.0, 2.0, 2.5, 5.0, 6.0])
    r = ("q <- qr(X)\nk <- q$rank\nQ <- qr.Q(q)\nR <- qr.R(q)\nQc <- qr.Q(qr(X), complete = TRUE)\n"
         "L <- qr.Q(qr(X), complete = TRUE)[, 4:5]\nb <- qr.coef(q, y)\nz <- qr.qty(q, y)\n")
    ns = run_py(translate(r), X=X, y=y)
    assert ns["k"] == 2
    np.testing.assert_allclose(ns["Q"] @ ns["R"], X, atol=1e-12)
    np.testing.assert_allclose(np.tril(ns["R"], -1), 0.0, atol=1e-14)
    Qc = ns["Qc"]
    np.testing.assert_allclose(Qc.T @ Qc, np.eye(5), atol=1e-12)
    # the last n - p columns of the complete Q span the null space of X' (REML's L)
    np.testing.assert_allclose(X.T @ ns["L"], 0.0, atol=1e-12)
    b_ls = np.linalg.lstsq(X[:, :2], y, rcond=None)[0]
    np.testing.assert_allclose(ns["b"][:2], b_ls, atol=1e-12)
    assert np.isnan(ns["b"][2])
    np.testing.assert_allclose(ns["z"], Qc.T @ y, atol=1e-12)


def test_qr_moves_an_aliased_column_to_the_end() -> None:
    # R: qr(cbind(1, 1, 1:3))$pivot is 1 3 2, rank 2
    X = np.column_stack([np.ones(3), np.ones(3), np.arange(1.0, 4.0)])
    ns = run_py(translate("q <- qr(X)\np <- q$pivot\nk <- q$rank\nR <- qr.R(q)\n"), X=X)
    assert list(ns["p"]) == [1, 3, 2] and ns["k"] == 2
    np.testing.assert_allclose(ns["R"][:2, :2], np.linalg.qr(X[:, [0, 2]])[1], atol=1e-12)


def test_qr_of_text_is_an_error() -> None:
    with pytest.raises(AsrError, match="qr.Q"):
        run_py(translate("Q <- qr.Q(X)\n"), X=np.eye(2))


def test_rnorm_runif_run_and_say_they_are_not_rs_numbers() -> None:
    r = "set.seed(2)\ne <- rnorm(2000, mean = 3, sd = 2)\nu <- runif(n = 5, 1, 2)\n"
    py = translate(r)
    assert "R's random stream cannot be reproduced" in py
    ns = run_py(py)
    assert ns["e"].shape == (2000,) and ns["u"].shape == (5,)
    assert abs(ns["e"].mean() - 3) < 0.2 and abs(ns["e"].std(ddof=1) - 2) < 0.2
    assert ((ns["u"] >= 1) & (ns["u"] < 2)).all()
    # seeded: the same script gives the same numbers
    np.testing.assert_array_equal(run_py(py)["e"], ns["e"])


def test_mutate_is_sequential_and_never_repeats_a_keyword() -> None:
    # dplyr: mutate(gen = sub(...), gen = sub(..., gen), w = z + y) - each argument sees the
    # columns made before it; one Python call with gen= twice does not even compile
    r = ("d <- data.frame(gen = c('gen1trait', 'gen2trait'), y = c(1, 2))\n"
         "d <- mutate(d, gen = gsub('^gen', '', gen), gen = gsub('trait', '', gen), z = 10,\n"
         "            w = z + y)\n")
    py = translate(r)
    compile(py, "<translated>", "exec")
    d = run_py(py)["d"]
    assert list(d["gen"]) == ["1", "2"]
    assert list(d["w"]) == [11.0, 12.0]


def test_bdiag_block_diagonal() -> None:
    # Matrix::bdiag(Gb, Gg): Gb in the top-left block, Gg bottom-right, zeros elsewhere
    Gb = np.array([[2.0, 0.5], [0.5, 1.0]])
    Gg = pd.DataFrame([[3.0]], index=["g"], columns=["g"])
    ns = run_py(translate("G <- bdiag(Gb, Gg)\nH <- Matrix::bdiag(list(Gb, 4))\n"), Gb=Gb, Gg=Gg)
    want = np.zeros((3, 3))
    want[:2, :2], want[2, 2] = Gb, 3.0
    np.testing.assert_array_equal(ns["G"], want)
    want[2, 2] = 4.0
    np.testing.assert_array_equal(ns["H"], want)


def test_in_one_value_from_a_loop_variable() -> None:
    # R: d$loc %in% j with j = "b" (a for-loop variable) picks the rows of b
    r = ("d <- data.frame(loc = c('a', 'b', 'b'), y = 1:3)\nout <- c()\n"
         "for (j in c('a', 'b')) {\n  s <- d[d$loc %in% j, ]\n  out <- c(out, sum(s$y))\n}\n")
    assert list(run_py(translate(r))["out"]) == [1, 5]


def test_dimnames_kept_through_mme_algebra() -> None:
    # R: t(X) %*% W %*% Z has rownames colnames(X) and colnames colnames(Z) (W unnamed);
    # cbind/rbind of them carry those names, so rownames(C) names the MME's effects, and
    # rownames() of an unnamed matrix (chol2inv, ginv) is NULL
    r = ("d <- data.frame(y = c(1, 2, 4, 3, 6, 5), b = factor(c(1, 1, 2, 2, 3, 3)))\n"
         "X <- model.matrix(y ~ 1, d)\nZ <- model.matrix(y ~ -1 + b, d)\n"
         "W <- chol2inv(chol(diag(2, nrow = 6)))\n"
         "C <- rbind(cbind(t(X) %*% W %*% X, t(X) %*% W %*% Z),\n"
         "           cbind(t(Z) %*% W %*% X, t(Z) %*% W %*% Z + diag(0.5, nrow = 3)))\n"
         "y <- matrix(d$y)\nrhs <- rbind(t(X) %*% W %*% y, t(Z) %*% W %*% y)\n"
         "Ci <- ginv(C)\nnone <- rownames(Ci)\n"
         "rownames(Ci) <- colnames(Ci) <- rownames(C)\nsol <- Ci %*% rhs\n")
    ns = run_py(translate(r))
    names = ["(Intercept)", "b1", "b2", "b3"]
    assert list(ns["C"].index) == names and list(ns["C"].columns) == names
    assert ns["none"] is None
    sol = ns["sol"]
    assert list(sol.index) == names
    # the MME solved independently: [X Z]'[X Z]/2 + diag(0, .5, .5, .5)
    T = np.column_stack([np.ones(6), np.kron(np.eye(3), np.ones((2, 1)))])
    Cn = T.T @ T / 2 + np.diag([0, 0.5, 0.5, 0.5])
    want = np.linalg.pinv(Cn) @ (T.T @ np.array([1, 2, 4, 3, 6, 5.0]) / 2)
    np.testing.assert_allclose(sol.to_numpy().ravel(), want, atol=1e-10)


def test_positions_computed_from_length_are_one_based() -> None:
    # R: g[1:(length(g) - 2)] is a b c d; g[length(g) - 1] is e (was read as a logical mask:
    # 0-based positions, b c d e); g[g != "a" & g != "b"] stays elementwise
    r = ("g <- letters[1:6]\na <- g[1:(length(g) - 2)]\nb <- g[length(g) - 1]\n"
         "k <- g[g != 'a' & g != 'b']\n")
    ns = run_py(translate(r))
    assert list(ns["a"]) == ["a", "b", "c", "d"]
    assert ns["b"] == "e" or list(np.atleast_1d(ns["b"])) == ["e"]
    assert list(ns["k"]) == ["c", "d", "e", "f"]


def test_asreml_trace_number_is_a_logical() -> None:
    # R: asreml(..., trace = 0) is trace = FALSE (asr.asreml refuses a number)
    py = translate("m <- asreml(y ~ 1, data = d, trace = 0)\nm2 <- asreml(y ~ 1, data = d, "
                   "trace = 1)\n")
    assert "trace=False" in py and "trace=True" in py


def test_matrix_indexed_by_two_name_vectors() -> None:
    # R: A[ids, ids] with ids a character vector picks those rows and columns by name
    A = pd.DataFrame(np.arange(9.0).reshape(3, 3), index=list("abc"), columns=list("abc"))
    ns = run_py(translate("ids <- c('c', 'a')\nA2 <- A[ids, ids]\nk <- c(1, 3)\nA3 <- A[k, k]\n"),
                A=A)
    np.testing.assert_array_equal(ns["A2"].to_numpy(), [[8.0, 6.0], [2.0, 0.0]])
    assert list(ns["A2"].index) == ["c", "a"]
    np.testing.assert_array_equal(np.asarray(ns["A3"]), [[0.0, 2.0], [6.0, 8.0]])


def test_mutate_before_after_and_n() -> None:
    # dplyr: mutate(plot = 1:n(), .before = b) puts plot before b; .after = a after a;
    # .before = 0 first (R prints a plot b / a z plot b / t a z plot b)
    r = ("d <- data.frame(a = c(1, 2, 3), b = c(3, 4, 5))\n"
         "d <- d |> mutate(plot = 1:n(), .before = b)\n"
         "d <- mutate(d, z = a * 2, .after = a)\nd2 <- mutate(d, t = 'x', .before = 0)\n")
    ns = run_py(translate(r))
    assert list(ns["d"].columns) == ["a", "z", "plot", "b"]
    assert list(ns["d"]["plot"]) == [1, 2, 3]
    assert list(ns["d2"].columns) == ["t", "a", "z", "plot", "b"]
