"""R_s⁻¹Ṙ_kR_s⁻¹ of ar1 x ar1 with missing plots (Subset's complement path) given factored
as T'D_kT (vcov.base.Congruence), and the score's W'MW and ê'Mê formed from TW (mme
_w_cong_w): checked against dense algebra on Σ_s = σ²(A_row ⊗ A_col)[kept, kept] with the
closed-form derivatives ∂A/∂ρ = |i−j| ρ^{|i−j|−1} (tests/_dense_reml.py's ar1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _dense_reml import ar1

import asr_py as asr
from asr_py.reml.mme import MME
from asr_py.vcov.base import Congruence, materialise
from asr_py.vcov.composite import Subset

NR, NC = 16, 11


def _data(seed: int = 4, missing: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([(r + 1, c + 1) for r in range(NR) for c in range(NC)],
                     columns=["Row", "Col"])
    d["Entry"] = [f"E{e}" for e in rng.integers(0, 12, NR * NC)]
    d["y"] = rng.normal(size=NR * NC) + d.Entry.str[1:].astype(int) * 0.1
    d.loc[rng.choice(NR * NC, missing, replace=False), "y"] = np.nan
    for c in ("Row", "Col", "Entry"):
        d[c] = pd.Categorical(d[c].astype(str), categories=list(dict.fromkeys(d[c].astype(str))))
    return d


def _dar1(n: int, rho: float) -> np.ndarray:
    k = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    return np.where(k > 0, k * rho ** np.maximum(k - 1, 0), 0.0)


def _dense_parts(theta: np.ndarray, kept: np.ndarray) -> list[np.ndarray]:
    """[Σ_s⁻¹ (∂Σ_s/∂θ_k) Σ_s⁻¹] for θ = (σ², ρ_row, ρ_col), Σ = σ² A_row ⊗ A_col."""
    s2, r1, r2 = theta
    a1, a2 = ar1(NR, r1), ar1(NC, r2)
    ders = [np.kron(a1, a2), s2 * np.kron(_dar1(NR, r1), a2), s2 * np.kron(a1, _dar1(NC, r2))]
    ix = np.ix_(kept, kept)
    si = np.linalg.inv(s2 * np.kron(a1, a2)[ix])
    return [si @ d[ix] @ si for d in ders]


@pytest.mark.parametrize("theta", [(1.3, 0.45, -0.2), (0.7, 0.05, 0.8)])
def test_congruence_parts_equal_dense_inverse_derivatives(theta: tuple[float, ...]) -> None:
    d = _data()
    res = asr.compile_model("y ~ Entry", None, "~ ar1(Row):ar1(Col)", d).problem().residual
    assert isinstance(res, Subset)
    th = np.asarray(theta)
    parts = res.inv_deriv_inv_parts(th)
    assert res.mode == "complement" and all(isinstance(p, Congruence) for p in parts)
    for got, want in zip(parts, _dense_parts(th, res.index)):
        np.testing.assert_allclose(got.matrix().toarray(), want, rtol=1e-9,
                                   atol=1e-9 * np.abs(want).max())
    # the whole-matrix interface is unchanged: the same matrices
    for got, whole in zip(parts, res.inv_deriv_inv(th)):
        np.testing.assert_array_equal(materialise(got).toarray(), whole.toarray())


def test_score_products_from_tw_equal_dense() -> None:
    """W'MW and ê'Mê of _w_cong_w (U = TW, U'(DU), (Tê)'D(Tê)) against W'(M)W with the
    dense M, for an arbitrary ê."""
    d = _data()
    prob = asr.compile_model("y ~ Entry", None, "~ ar1(Row):ar1(Col)", d).problem()
    mme = MME(prob)
    th = np.array([1.1, 0.3, 0.6])
    e = np.random.default_rng(1).normal(size=mme.n)
    w = mme.W.toarray()
    rcache: dict = {}
    for cong, m in zip(prob.residual.inv_deriv_inv_parts(th),
                       _dense_parts(th, prob.residual.index)):
        ent, t3 = mme._w_cong_w(None, cong, e, rcache)  # W'MW's entries
        wmw = sp.coo_matrix((ent.data, (ent.row, ent.col)), shape=(mme.N, mme.N))
        np.testing.assert_allclose(wmw.toarray(), w.T @ m @ w, rtol=1e-9,
                                   atol=1e-9 * np.abs(w.T @ m @ w).max())
        assert t3 == pytest.approx(float(e @ m @ e), rel=1e-9)
    assert len(rcache["u"]) == 1  # one U = TW for the three derivatives
