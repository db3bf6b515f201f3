"""A slightly indefinite differenced Hessian is shifted, not refused (reml/slow_ai.py, s20eng).

The field fit of tests/vcov/test_small_fit_paths.py, y ~ Rep + Entry with
dsum(~ ar1(RepRow):ar1(Col) | Rep) residuals, crosses a ridge where full AI steps overshoot
(halved in turn); the differenced Hessian there had one small negative scaled eigenvalue, so
no Newton step was taken and the fit needed 31 iterations (> the default maxit 30: reported
unconverged). It must now converge within the default maxit, at the optimum of the
independent dense-V REML of tests/_dense_reml.py (ℓ at our estimates; L-BFGS-B from them
finds nothing higher). :func:`shifted_hessian` itself is checked on a constructed matrix.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _dense_reml import ar1, drop_aliased, indicator, lbfgsb_max, reml_loglik

import asr_py as asr
from asr_py.reml.slow_ai import NEG_MAX, SHIFT_FLOOR, shifted_hessian

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "vcov"))
from test_small_fit_paths import _field  # noqa: E402


def test_shifted_hessian_raises_the_smallest_scaled_eigenvalue() -> None:
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    d = np.array([4.0, 0.01, 25.0, 1.0])
    lam = np.array([-0.003, 0.2, 0.9, 2.0])  # scaled eigenvalues, λ_1 = −0.0015 λ_m
    hs = q @ np.diag(lam) @ q.T
    hb = hs * np.sqrt(np.outer(d, d))
    out = shifted_hessian(hb, d)
    assert out is not None
    w = np.linalg.eigvalsh(out / np.sqrt(np.outer(d, d)))
    # H + μD: every scaled eigenvalue moves by the same μ = SHIFT_FLOOR λ_m − λ_1
    np.testing.assert_allclose(w, lam + SHIFT_FLOOR * 2.0 + 0.003, rtol=1e-10)
    bad = q @ np.diag([-2.0 * NEG_MAX * 2.0, 0.2, 0.9, 2.0]) @ q.T
    assert shifted_hessian(bad * np.sqrt(np.outer(d, d)), d) is None


def test_ar1_ar1_dsum_field_fit_converges_within_maxit_at_the_dense_optimum() -> None:
    d = _field()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(fixed="y ~ Rep + Entry",
                       residual="~ dsum(~ ar1(RepRow):ar1(Col) | Rep)", data=d)
    assert m.converged and m.result.n_iter <= 30  # was 31 (> maxit: unconverged)
    dd = d.dropna(subset=["y"]).reset_index(drop=True)
    y = dd["y"].to_numpy(float)
    X = drop_aliased(np.hstack([np.ones((len(y), 1)), indicator(dd["Rep"]),
                                indicator(dd["Entry"])]))
    rr = dd["RepRow"].astype(int).to_numpy() - 1
    cc = dd["Col"].astype(int).to_numpy() - 1
    sec = [(dd["Rep"] == r).to_numpy() for r in ("R0", "R1")]

    def ll(x: np.ndarray) -> float:
        V = np.zeros((len(y), len(y)))
        for k, s in enumerate(sec):
            v, pr, pc = x[3 * k:3 * k + 3]
            if v <= 0 or abs(pr) >= 1 or abs(pc) >= 1:
                return -np.inf
            V[np.ix_(s, s)] = v * ar1(15, pr)[np.ix_(rr[s], rr[s])] * ar1(14, pc)[
                np.ix_(cc[s], cc[s])]
        return reml_loglik(y, X, V)

    x = m.varcomp["component"].to_numpy(float)  # R, RepRow cor, Col cor per section
    assert ll(x) == pytest.approx(m.loglik, abs=1e-7)
    _, best = lbfgsb_max(ll, x, np.maximum(np.abs(x), 0.05),
                         [(1e-8, None), (-0.999, 0.999), (-0.999, 0.999)] * 2)
    assert best - m.loglik <= 1e-6
