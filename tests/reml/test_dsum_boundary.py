"""Heterogeneous residual variances per group, some on their bound (s16eng): the shape of
the AGENTproject historic_pheno_data_analysis fits (``trait ~ accenumb``, random
``~ campaign``, residual ``~ dsum(~ id(units) | campaign)``).

* :func:`asr_py.reml.slow_ai.carry_hessian`: the BFGS update that carries the differenced
  Hessian satisfies the secant equation H₊s = y and leaves H v unchanged for v ⊥ Hs, y
  (the BFGS formula), checked on a quadratic whose Hessian is known.
* a simulated design (20 campaigns of 3-24 plots, 90 genotypes as fixed effects, kg/ha-like
  scale; three campaigns of 4 plots with a residual s.d. of 30 beside 150-700): the fit
  used to stop with "neither an AI nor an EM step increased the log-likelihood" and
  converged=False, a residual variance held near zero with a positive score whose AI step
  overshoots (held_release.py). It now converges; checked against an independent dense-V
  REML (tests/_dense_reml.py) maximised by L-BFGS-B from our estimates and from a generic
  start, ℓ at the points compared in 50 digits (tests/reml/_exact_reml.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, lbfgsb_max, reml_loglik
from _exact_reml import reml_loglik_exact

import asr_py as asr
from asr_py.reml.slow_ai import carry_hessian


def test_carry_hessian_is_bfgs_on_the_free_block() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=(4, 4))
    h_true = a @ a.T + 4 * np.eye(4)  # the Hessian of a quadratic ℓ
    h0 = h_true + 0.3 * np.diag(np.diag(h_true))  # an approximate differenced H
    ai = 2.0 * np.eye(5)
    h_full = ai.copy()
    h_full[:4, :4] = h0
    free = np.array([True] * 4 + [False])
    s = np.r_[rng.normal(size=4), 0.0] * 0.1
    y = h_true @ s[:4]  # −Δscore of the quadratic
    out = carry_hessian(h_full, ai, s, np.r_[-y, 0.0], free)
    assert out is not None
    np.testing.assert_allclose(out[:4, :4] @ s[:4], y, rtol=1e-12)  # secant equation
    np.testing.assert_allclose(out[4], ai[4])  # the held parameter keeps AI's row
    assert np.all(np.linalg.eigvalsh(out[:4, :4]) > 0)
    q = np.linalg.qr(np.column_stack([h0 @ s[:4], y]))[0]
    v = rng.normal(size=4)
    v -= q @ (q.T @ v)  # v'H0 s = 0 and v'y = 0: BFGS leaves H0 v unchanged
    np.testing.assert_allclose(out[:4, :4] @ v, h0 @ v, rtol=1e-10, atol=1e-12)
    # a pair with no curvature along s (y's <= 0) does not qualify
    assert carry_hessian(h_full, ai, s, np.r_[y, 0.0], free) is None


def _design(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_camp, n_gen = 20, 90
    sizes = rng.integers(3, 25, n_camp)
    g = rng.normal(0, 400.0, n_gen)
    sig = rng.uniform(150.0, 700.0, n_camp)
    for z in (3, 11, 17):  # campaigns whose residual variance is small (ends on its bound)
        sig[z], sizes[z] = 30.0, 4
    rows = []
    for c in range(n_camp):
        ce = rng.normal(0, 600.0)
        for gi in rng.choice(n_gen, size=sizes[c], replace=False):
            rows.append((f"c{c:02d}", f"g{gi:03d}", 4000 + ce + g[gi] + rng.normal(0, sig[c])))
    return pd.DataFrame(rows, columns=["campaign", "gen", "yield"])


def test_dsum_with_variances_on_the_bound_converges_to_the_dense_optimum() -> None:
    d = _design()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml("yield ~ gen", random="~ campaign",
                       residual="~ dsum(~ id(units) | campaign)", data=d)
    conv = [x for x in w if issubclass(x.category, asr.ConvergenceWarning)]
    assert m.converged and not conv
    th = m.result.theta
    y = d["yield"].to_numpy(float)
    zc = indicator(d["campaign"])  # campaigns in sorted order, as the dsum sections
    zz = zc @ zc.T
    X = indicator(d["gen"])  # cell means: the same column space as 1 + treatment contrasts

    def ll(t: np.ndarray) -> float:
        return -np.inf if np.any(t < 0) else reml_loglik(y, X, t[0] * zz + np.diag(zc @ t[1:]))

    def ll50(t: np.ndarray) -> float:  # in 50 digits: at variances 1e-11 of the others a
        # V formed in double is ~1e-4 off in ℓ (s18eng), and L-BFGS-B climbs that noise
        return reml_loglik_exact(y, X, [(t[0], zz)] + [(v, np.diag(zc[:, k]))
                                                      for k, v in enumerate(t[1:])])

    tol = 1e-8 * abs(m.loglik)
    assert ll50(th) == pytest.approx(m.loglik, abs=1e-9 * abs(m.loglik))  # same ℓ at ours
    bounds = [(0.0, None)] * th.size
    x1, f1 = lbfgsb_max(ll, th, np.maximum(th, 1.0), bounds)
    generic = np.full(th.size, float(np.var(y)) / 4)
    x2, f2 = lbfgsb_max(ll, generic, generic, bounds)
    f1, f2 = ll50(x1), ll50(x2)  # the dense optima's ℓ without double's round-off
    best = max(f1, f2)
    assert best <= m.loglik + 5 * tol  # no better point than ours within the tolerance
    assert m.loglik >= f2 - 5 * tol  # ... and at least what a generic start reaches
    onb = (m.varcomp["bound"] == "B").to_numpy()
    assert onb[[4, 12]].all() and onb.sum() >= 3  # two small campaigns among those on the bound
    xb = x1 if f1 >= f2 else x2
    small = xb < 1e-3 * np.median(th[1:])
    assert np.array_equal(small, onb)  # the dense optimum's near-zero variances are ours
    free = ~onb
    np.testing.assert_allclose(th[free], xb[free], rtol=2e-2, atol=1e-3 * np.median(th[1:]))
