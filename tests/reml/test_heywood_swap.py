"""Another Heywood set of fa(env, k) reached by exchanging a zero ψ with a non-zero one
(asr_py/reml/heywood_swap.py).

The engine sweep's fa(env, 2) METs (tests/reml/_sweep_cases.py, size 150) seeds 3 and 5
converged at a local optimum 0.12 / 0.042 below the REML optimum, each with a different set
of ψ_i = 0; the optimum is checked against the independent dense-V REML
(tests/_dense_reml.py, the fa family's own parameters maximised from its own starts), its
Heywood set read from the dense optimum.
"""

from __future__ import annotations

import numpy as np
import pytest
from _dense_reml import fit_dense, reml_loglik
from _sweep_cases import cases, fit_asr

from asr_py.vcov.factor_analytic import (
    EXCHANGE_LOW,
    EXCHANGE_SHARE,
    FactorAnalytic,
    ReducedRank,
)

_LEVELS = ["E0", "E1", "E2", "E3", "E4"]


def _fa2() -> object:
    return {c.name: c for c in cases(150)}["fa(env,2):gen"]


def _heywood(x: np.ndarray, n: int, k: int) -> set[int]:
    lam = x[n:n + n * k].reshape(k, n).T
    sii = np.sum(lam ** 2, axis=1) + x[:n]
    return {i for i in range(n) if x[i] <= 1e-4 * sii[i]}


@pytest.mark.parametrize("seed", [3, 5])
def test_fa2_reaches_the_dense_optimum_and_its_heywood_set(seed: int) -> None:
    case = _fa2()
    d = case.data(np.random.default_rng(seed), 150)
    m = fit_asr(case, d)
    assert m.converged, m.result.diagnostics
    dn = case.dense(d)
    xd, ld = fit_dense(dn.y, dn.X, dn.vfun, dn.starts, dn.bounds, scale=dn.scale)
    assert ld - m.loglik <= 1e-8 * abs(ld), (m.loglik, ld)
    comp = m.varcomp["component"].to_numpy(float)
    xa = dn.from_asr(comp)
    # the engine's ℓ is the dense-V ℓ at its own estimates
    assert abs(reml_loglik(dn.y, dn.X, dn.vfun(xa)) - m.loglik) <= 1e-8 * abs(ld)
    assert _heywood(xa, 5, 2) == _heywood(xd, 5, 2)
    assert any("Heywood set" in s for s in m.result.diagnostics)


def test_fa2_exchange_invariant_to_units_and_row_order() -> None:
    """Rows reversed and y x 1000: the same optimum (ℓ − (n − p) log 1000, the same
    Heywood set, Σ x 10⁶; Σ to 1e-3 of its largest entry: ℓ is flat to ~1e-7 along the
    held ψ's floors, where the two fits stop at slightly different points)."""
    case = _fa2()
    d = case.data(np.random.default_rng(5), 150)
    m = fit_asr(case, d)
    d2 = d.iloc[::-1].reset_index(drop=True)
    d2["y"] = d2["y"] * 1000.0
    m2 = fit_asr(case, d2)
    assert m.converged and m2.converged
    n_p = len(d) - 5
    assert abs(m2.loglik + n_p * np.log(1000.0) - m.loglik) <= 1e-9 * abs(m.loglik)
    t = FactorAnalytic(_LEVELS, name="env", order=2)
    c1 = m.varcomp["component"].to_numpy(float)[:15]
    c2 = m2.varcomp["component"].to_numpy(float)[:15]
    assert _heywood(c1, 5, 2) == _heywood(c2, 5, 2) == {0, 1, 4}
    s1, s2 = t.matrix(c1), t.matrix(c2) / 1e6
    np.testing.assert_allclose(s2, s1, atol=1e-3 * np.abs(s1).max())


def test_exchange_start_keeps_the_diagonal_and_the_structural_zeros() -> None:
    t = FactorAnalytic(_LEVELS, name="env", order=2)
    lam = np.array([[3.0, 0.0], [2.0, 1.0], [1.0, -2.0], [0.5, 0.5], [2.0, 2.0]])
    psi = np.array([0.0, 1.5, 2.0, 0.0, 4.0])
    th = np.concatenate([psi, lam.T.ravel()])
    s = t.matrix(th)
    out = t.exchange_start(th, 0, 2)
    assert out is not None
    s2 = t.matrix(out)
    np.testing.assert_allclose(np.diag(s2), np.diag(s))
    # closed form: ψ0 = share·Σ00, λ0 scaled by sqrt(1 − share); ψ2 = low·Σ22, λ2 scaled
    assert out[0] == pytest.approx(EXCHANGE_SHARE * 9.0)
    assert out[2] == pytest.approx(EXCHANGE_LOW * 7.0)
    lam2 = out[5:].reshape(2, 5).T
    np.testing.assert_allclose(lam2[0], lam[0] * np.sqrt(1 - EXCHANGE_SHARE))
    np.testing.assert_allclose(lam2[2], lam[2] * np.sqrt((7.0 - EXCHANGE_LOW * 7.0) / 5.0))
    np.testing.assert_allclose(lam2[[1, 3, 4]], lam[[1, 3, 4]])
    assert lam2[0, 1] == 0.0                                      # structural zero
    np.testing.assert_allclose(out[[1, 3, 4]], psi[[1, 3, 4]])
    assert t.exchange_start(th, 1, 1) is None
    r = ReducedRank(_LEVELS, name="env", order=2)
    assert r.exchange_start(th, 0, 2) is None
