"""asr.hinverse: the single-step H-inverse against dense matrices built here from definitions.

References: A by the tabular method (written in this file); H from Legarra et al. (2009),
H = [[A11 + A12 A22⁻¹ (G − A22) A22⁻¹ A21, A12 A22⁻¹ G], [G A22⁻¹ A21, G]], inverted by numpy;
for τ, ω ≠ 1 the dense A⁻¹ + [[0, 0], [0, τ G⁻¹ − ω A22⁻¹]] from numpy inverses; a fit with
H⁻¹ against a fit with the dense H (a non-inverse known matrix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError, MatrixError

SIRE = [-1, -1, -1, -1, 0, 0, 2, 4, 4, 6, 6, 7, 7, 9, 9, 11]
DAM = [-1, -1, -1, -1, 1, 1, 3, 5, 3, 5, 1, 10, 8, 12, 10, 14]
NAMES = [f"a{i:02d}" for i in range(len(SIRE))]
GENO = ["a15", "a07", "a13", "a11", "a09", "a12"]  # not in pedigree order


def _tabular(sire: list[int], dam: list[int]) -> np.ndarray:
    n = len(sire)
    A = np.zeros((n, n))
    for i in range(n):
        s, d = sire[i], dam[i]
        A[i, i] = 1.0 + (0.5 * A[s, d] if s >= 0 and d >= 0 else 0.0)
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s >= 0 else 0.0)
                                       + (A[j, d] if d >= 0 else 0.0))
    return A


@pytest.fixture(scope="module")
def ped() -> pd.DataFrame:
    return pd.DataFrame({"id": NAMES, "sire": [NAMES[s] if s >= 0 else "0" for s in SIRE],
                         "dam": [NAMES[d] if d >= 0 else "0" for d in DAM]})


@pytest.fixture(scope="module")
def A() -> pd.DataFrame:
    return pd.DataFrame(_tabular(SIRE, DAM), index=NAMES, columns=NAMES)


@pytest.fixture(scope="module")
def G() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    M = rng.integers(0, 3, size=(len(GENO), 40))
    Gm = asr.gmatrix(M, ids=GENO, ridge=0.05).toarray()
    return pd.DataFrame(Gm, index=GENO, columns=GENO)


def _dense_h(A: pd.DataFrame, G: pd.DataFrame) -> pd.DataFrame:
    """H by Legarra et al. (2009), over all animals in A's order."""
    g = list(G.index)
    ng = [i for i in A.index if i not in g]
    A11, A12 = A.loc[ng, ng].to_numpy(), A.loc[ng, g].to_numpy()
    A22 = A.loc[g, g].to_numpy()
    Gm = G.to_numpy()
    P = A12 @ np.linalg.inv(A22)
    H = np.block([[A11 + P @ (Gm - A22) @ P.T, P @ Gm], [Gm @ P.T, Gm]])
    return pd.DataFrame(H, index=ng + g, columns=ng + g).loc[A.index, A.index]


def _frame(H: asr.RelMatrix) -> pd.DataFrame:
    return H.to_frame()


def test_hinverse_is_the_inverse_of_legarras_h(ped, A, G):
    H = asr.hinverse(ped, G)
    assert H.inverse and H.is_sparse and H.kind == "Hinv"
    Hd = _dense_h(A, G)
    got = _frame(H).loc[NAMES, NAMES].to_numpy()
    np.testing.assert_allclose(got, np.linalg.inv(Hd.to_numpy()), atol=1e-9)
    # the genotyped block of H is G, the rest blends A with G through A12 A22⁻¹
    np.testing.assert_allclose(Hd.loc[GENO, GENO], G, atol=1e-12)
    assert H.logdet == pytest.approx(np.linalg.slogdet(Hd.to_numpy())[1], rel=1e-9)


def test_sparse_where_a_inverse_is(ped, G):
    Ainv = asr.ainverse(ped)
    H = asr.hinverse(ped, G)
    pos = set(H.positions(GENO))
    Hc, Ac = H.matrix.tocoo(), Ainv.matrix.tocoo()
    outside = {(r, c) for r, c in zip(Hc.row, Hc.col) if not (r in pos and c in pos)}
    a_outside = {(r, c) for r, c in zip(Ac.row, Ac.col) if not (r in pos and c in pos)}
    assert outside == a_outside
    np.testing.assert_allclose(
        np.delete(np.delete(H.toarray(), list(pos), 0), list(pos), 1),
        np.delete(np.delete(Ainv.toarray(), list(pos), 0), list(pos), 1), atol=1e-14)


def test_blend_tau_omega_against_the_formula(ped, A, G):
    w, tau, omega = 0.2, 1.3, 0.7
    H = asr.hinverse(ped, G, blend=w, tau=tau, omega=omega)
    A22 = A.loc[GENO, GENO].to_numpy()
    Gw = (1 - w) * G.to_numpy() + w * A22
    ref = np.linalg.inv(A.to_numpy())
    idx = [NAMES.index(i) for i in GENO]
    ref[np.ix_(idx, idx)] += tau * np.linalg.inv(Gw) - omega * np.linalg.inv(A22)
    np.testing.assert_allclose(_frame(H).loc[NAMES, NAMES], ref, atol=1e-9)
    assert H.logdet == pytest.approx(-np.linalg.slogdet(ref)[1], rel=1e-9)
    # with τ = ω = 1 the blend is the H of the blended G
    Hb = asr.hinverse(ped, G, blend=w)
    Gb = pd.DataFrame(Gw, index=GENO, columns=GENO)
    np.testing.assert_allclose(_frame(Hb).loc[NAMES, NAMES],
                               np.linalg.inv(_dense_h(A, Gb).to_numpy()), atol=1e-9)


def test_tuning_matches_a22_means(ped, A, G):
    H = asr.hinverse(ped, G, tune=True)
    a, b = H.info["alpha"], H.info["beta"]
    Gt = a + b * G.to_numpy()
    A22 = A.loc[GENO, GENO].to_numpy()
    off = ~np.eye(len(GENO), dtype=bool)
    assert np.mean(np.diag(Gt)) == pytest.approx(np.mean(np.diag(A22)), rel=1e-12)
    assert np.mean(Gt[off]) == pytest.approx(np.mean(A22[off]), rel=1e-12)
    ref = np.linalg.inv(_dense_h(A, pd.DataFrame(Gt, index=GENO, columns=GENO)).to_numpy())
    np.testing.assert_allclose(_frame(H).loc[NAMES, NAMES], ref, atol=1e-9)


def test_order_of_g_and_ainverse_input_do_not_matter(ped, G):
    H1 = asr.hinverse(ped, G)
    rev = G.loc[GENO[::-1], GENO[::-1]]
    H2 = asr.hinverse(asr.ainverse(ped), asr.RelMatrix(rev.to_numpy(), tuple(rev.index)))
    np.testing.assert_allclose(_frame(H1), _frame(H2).loc[H1.ids, H1.ids], atol=1e-12)
    # the user's G is not modified
    assert list(G.index) == GENO


def test_single_step_fit_equals_fit_with_dense_h(ped, A, G):
    rng = np.random.default_rng(8)
    Hd = _dense_h(A, G)
    u = np.linalg.cholesky(Hd.to_numpy()) @ rng.normal(size=len(NAMES))
    rec = NAMES[4:]
    d = pd.DataFrame({"id": [i for i in rec for _ in range(3)]})
    d["y"] = 2 + u[[NAMES.index(i) for i in d["id"]]] + rng.normal(scale=0.8, size=len(d))
    Hinv = asr.hinverse(ped, G)
    m1 = asr.asreml("y ~ 1", random="~ vm(id, Hinv)", data=d, Hinv=Hinv)
    m2 = asr.asreml("y ~ 1", random="~ vm(id, H)", data=d, H=Hd)
    assert m1.converged and m2.converged
    assert m1.loglik == pytest.approx(m2.loglik, abs=1e-7)
    np.testing.assert_allclose(m1.varcomp["component"], m2.varcomp["component"], rtol=1e-5)
    p1 = m1.predict("id").set_index("id").loc[NAMES]
    p2 = m2.predict("id").set_index("id").loc[NAMES]
    np.testing.assert_allclose(p1["predicted.value"], p2["predicted.value"], rtol=1e-6)
    np.testing.assert_allclose(p1["std.error"], p2["std.error"], rtol=1e-5)


def test_errors(ped, G):
    bad = G.rename(index={"a15": "x99"}, columns={"a15": "x99"})
    with pytest.raises(MatrixError, match="not in the pedigree.*x99"):
        asr.hinverse(ped, bad)
    with pytest.raises(DataError, match="blend"):
        asr.hinverse(ped, G, blend=1.0)
    with pytest.raises(DataError, match="tau"):
        asr.hinverse(ped, G, tau=0.0)
    with pytest.raises(MatrixError, match="an inverse"):
        asr.hinverse(ped, asr.ginverse(asr.RelMatrix(G.to_numpy(), tuple(G.index))))
    sing = pd.DataFrame(np.ones((6, 6)), index=GENO, columns=GENO)
    with pytest.raises(MatrixError, match="not positive definite") as e:
        asr.hinverse(ped, sing)
    assert "blend" in str(e.value)
    with pytest.raises(MatrixError, match="not positive definite.*omega"):
        asr.hinverse(ped, G, omega=50.0)
