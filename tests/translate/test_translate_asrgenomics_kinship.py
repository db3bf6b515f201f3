"""ASRgenomics' G.matrix(), G.tuneup(), G.inverse(), match.kinship2pheno() as translated
(rasrgenomicskin.py) and Matrix::nearPD's projections (rnearpd.py). Expected values:
VanRaden's formula and the blend/align equations computed here with numpy, the inverse by
numpy, Higham's (2002) published nearest-correlation example, the eigenvalue-clipping
closed form of the nearest positive semi-definite matrix (Higham 1988), and a dense-V REML
(tests/_dense_reml.py) of the GBLUP model vm(id, Ginv) stands for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, indicator
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rasrgenomicskin import (
    r_G_inverse,
    r_G_matrix,
    r_G_tuneup,
    r_match_kinship2pheno,
)
from asr_py.translate.rnearpd import near_pd


def _markers(n: int = 8, m: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, size=(n, m)).astype(float)
    return pd.DataFrame(X, index=[f"id{i}" for i in range(n)],
                        columns=[f"snp{j}" for j in range(m)])


def _vanraden(X: np.ndarray) -> np.ndarray:
    p = X.mean(axis=0) / 2                      # frequency of the allele counted
    Z = X - 2 * p
    return Z @ Z.T / (2 * np.sum(p * (1 - p)))


def test_g_matrix_is_vanraden_rounded_and_named() -> None:
    M = _markers()
    out = r_G_matrix(M=M, method="VanRaden")
    G = out["G"]
    assert list(G.index) == list(M.index) == list(G.columns)
    np.testing.assert_allclose(G.to_numpy(), np.round(_vanraden(M.to_numpy()), 8),
                               atol=1e-12)
    assert np.abs(G.to_numpy() - np.round(G.to_numpy(), 3)).max() > 0   # 8 digits kept
    G3 = r_G_matrix(M=M, digits=3)["G"].to_numpy()
    np.testing.assert_array_equal(G3, np.round(G3, 3))
    # sparseform: list(G.sparse = full2sparse(G)), the lower triangle row by row
    sp = r_G_matrix(M=M, sparseform=True)["G.sparse"]
    assert list(sp.columns) == ["Row", "Col", "Value"]
    assert (sp["Row"] >= sp["Col"]).all() and len(sp) == 8 * 9 // 2


def test_g_matrix_needs_row_names() -> None:
    M = _markers().reset_index(drop=True)
    with pytest.raises(AsrError, match="individual names"):
        r_G_matrix(M=M)


def test_g_tuneup_blend_and_align_solve_their_equations() -> None:
    G = r_G_matrix(M=_markers())["G"]
    n = G.shape[0]
    Gb = r_G_tuneup(G=G, blend=True, pblend=0.05)["Gb"].to_numpy()
    np.testing.assert_allclose(Gb, np.round(0.95 * G.to_numpy() + 0.05 * np.eye(n), 8))
    # blending with A: (1 - p) G + p A
    rng = np.random.default_rng(1)
    B = rng.normal(size=(n, n))
    A = pd.DataFrame(np.eye(n) + 0.1 * (B @ B.T) / n, index=G.index, columns=G.columns)
    Gba = r_G_tuneup(G=G, A=A, blend=True, pblend=0.1)["Gb"].to_numpy()
    np.testing.assert_allclose(Gba, 0.9 * G.to_numpy() + 0.1 * A.to_numpy(), atol=1e-8)
    # align: b0 + b1 G has A's mean diagonal and A's mean (Christensen et al. 2012)
    Ga = r_G_tuneup(G=G, A=A, align=True)["Gb"].to_numpy()
    assert np.mean(np.diag(Ga)) == pytest.approx(np.mean(np.diag(A.to_numpy())), abs=1e-7)
    assert np.mean(Ga) == pytest.approx(np.mean(A.to_numpy()), abs=1e-7)
    with pytest.raises(AsrError, match="no option"):
        r_G_tuneup(G=G)


def test_near_pd_reproduces_highams_nearest_correlation_example() -> None:
    # Higham (2002), IMA J Numer Anal 22, p. 339: the nearest correlation matrix to
    # [[1,1,0],[1,1,1],[0,1,1]] is [[1,.7607,.1573],[.7607,1,.7607],[.1573,.7607,1]]
    A = np.array([[1.0, 1, 0], [1, 1, 1], [0, 1, 1]])
    X = near_pd(A, corr=True, do2eigen=False, conv_tol=1e-10, maxit=1000).mat
    np.testing.assert_allclose(X, [[1, 0.7607, 0.1573], [0.7607, 1, 0.7607],
                                   [0.1573, 0.7607, 1]], atol=1e-4)


def test_near_pd_without_constraints_is_eigenvalue_clipping() -> None:
    # nearest PSD matrix in the Frobenius norm: Q max(L, 0) Q' (Higham 1988)
    rng = np.random.default_rng(5)
    B = rng.normal(size=(6, 6))
    S = (B + B.T) / 2
    d, Q = np.linalg.eigh(S)
    want = (Q * np.where(d > 1e-6 * d.max(), d, 0.0)) @ Q.T
    res = near_pd(S, do2eigen=False)
    assert res.converged
    np.testing.assert_allclose(res.mat, want, atol=1e-10)


def test_g_tuneup_bend_makes_a_singular_g_positive_definite() -> None:
    # 12 individuals, 6 markers: rank(G) <= 6, so G is singular and cannot be inverted
    with pytest.warns(UserWarning, match="more individuals than markers"):
        G = r_G_matrix(M=_markers(n=12, m=6))["G"]
    assert np.linalg.eigvalsh(G.to_numpy()).min() < 1e-8
    with pytest.raises(AsrError, match="ill-conditioned|not positive definite"):
        r_G_inverse(G=G)
    Gb = r_G_tuneup(G=G, bend=True)["Gb"].to_numpy()
    ev = np.linalg.eigvalsh(Gb)
    # do2eigen raises the eigenvalues to posd.tol (1e-2) x the largest, then rescales
    # the diagonal (D X D, D near 1): positive definite, condition number near 1e2
    assert ev.min() > 0.5e-2 * ev.max()
    np.testing.assert_allclose(r_G_inverse(G=pd.DataFrame(Gb, index=G.index,
                                                          columns=G.index))["Ginv"].to_numpy(),
                               np.linalg.inv(Gb), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(Gb, Gb.T)
    # a matrix already well inside the cone is left as it is
    P = np.eye(4) + 0.2
    np.testing.assert_allclose(near_pd(P, do_sym=True, posd_tol=1e-2).mat, P, atol=1e-12)


def test_g_inverse_is_the_inverse_flagged_for_vm() -> None:
    G = r_G_tuneup(G=r_G_matrix(M=_markers())["G"], blend=True)["Gb"]
    out = r_G_inverse(G=G)
    Ginv = out["Ginv"]
    np.testing.assert_allclose(Ginv.to_numpy(), np.linalg.inv(G.to_numpy()), atol=1e-7)
    assert Ginv.attrs.get("inverse") is True
    assert out["status"] in ("well-conditioned", "ill-conditioned")
    # sparseform: R's $ matches the prefix, so ...$Ginv is the Ginv.sparse element
    sp = r_G_inverse(G=G, sparseform=True)["Ginv"]
    assert list(sp.columns) == ["Row", "Col", "Value"]
    assert sp.attrs.get("inverse") is True and sp.attrs["rowNames"] == list(G.index)
    # blend inside G.inverse: the inverse of the blended matrix
    G0 = r_G_matrix(M=_markers())["G"]
    Gi = r_G_inverse(G=G0, blend=True, pblend=0.02)["Ginv"].to_numpy()
    np.testing.assert_allclose(
        Gi, np.linalg.inv(np.round(0.98 * G0.to_numpy() + 0.02 * np.eye(8), 8)), atol=1e-6)


def test_match_kinship2pheno_positions_as_r_which() -> None:
    K = pd.DataFrame(np.eye(3), index=["a", "b", "c"], columns=["a", "b", "c"])
    pheno = pd.DataFrame({"ID": ["b", "x", "a", "b"], "y": [1.0, 2, 3, 4]})
    out = r_match_kinship2pheno(K=K, pheno_data=pheno, indiv="ID", mism=True)
    np.testing.assert_array_equal(out["matchesK"], [1, 2])     # a, b (1-based)
    np.testing.assert_array_equal(out["mismatchesK"], [3])     # c is not phenotyped
    np.testing.assert_array_equal(out["matchesP"], [1, 3, 4])
    np.testing.assert_array_equal(out["mismatchesP"], [2])     # x is not in K
    assert out["Kclean"] is None                               # clean = FALSE
    assert r_match_kinship2pheno(K=K, pheno_data=pheno, indiv="ID")["matchesP"] is None
    cl = r_match_kinship2pheno(K=K, pheno_data=pheno, indiv="ID", clean=True,
                               ord=False)["Kclean"]
    assert list(cl.index) == ["a", "b"]


def test_translated_gblup_fits_as_a_dense_reml_with_g() -> None:
    r = ("library(ASRgenomics)\n"
         "G <- G.matrix(M = M, method = 'VanRaden')$G\n"
         "G <- G.tuneup(G = G, blend = TRUE, pblend = 0.02)$Gb\n"
         "Ginv <- G.inverse(G = G, sparseform = TRUE)$Ginv\n"
         "fit <- asreml(y ~ 1, random = ~ vm(id, Ginv), data = dat)\n")
    py = translate(r)
    assert "# TODO(asr_py)" not in py and "untranslated(" not in py, py
    M = _markers(n=30, m=60, seed=11)
    rng = np.random.default_rng(2)
    ids = np.repeat(M.index.to_numpy(), 2)
    G = 0.98 * _vanraden(M.to_numpy()) + 0.02 * np.eye(30)
    u = np.linalg.cholesky(G) @ rng.normal(size=30)
    Z = indicator(pd.Series(ids), list(M.index))
    y = 10 + Z @ u + rng.normal(scale=0.8, size=60)
    dat = pd.DataFrame({"id": pd.Categorical(ids, categories=list(M.index)), "y": y})
    ns = run_r(r, complete=True, M=M, dat=dat)
    vc = ns["fit"].varcomp
    X = np.ones((60, 1))
    Gr = np.round(G, 8)
    theta, _ = fit_dense(y, X, lambda t: t[0] * Z @ Gr @ Z.T + t[1] * np.eye(60)
                         if min(t) > 0 else None, [np.array([1.0, 1.0])],
                         [(1e-8, None), (1e-8, None)])
    np.testing.assert_allclose(vc["component"].to_numpy(), theta, rtol=2e-3)
