"""The engine against independent computations: dense-V log-likelihood, finite-difference
score and Hessian, ANOVA closed form, dense C⁻¹."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _reml_problems import (
    DATA,
    bivariate,
    dense_loglik,
    dyestuff,
    penicillin,
    sleepstudy,
)
from _reml_templates import ScaledIdentity, UsKronIdentity

from asr_py.reml import MME, MixedProblem, RandomBlock, fit_reml, loglik_at, score_ai_at

BUILDERS = {"dyestuff": dyestuff, "penicillin": penicillin, "sleepstudy": sleepstudy,
            "bivariate": bivariate}
# some valid θ away from the optimum for each problem
POINTS = {
    "dyestuff": [1000.0, 3000.0],
    "penicillin": [0.5, 2.0, 0.4],
    "sleepstudy": [500.0, -20.0, 40.0, 700.0],
    "bivariate": [2.0, 0.7, 1.5, 3.5, 1.0, 4.0],
}


@pytest.mark.parametrize("solver", ["dense", "sparse"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_loglik_equals_dense_v_formula(name: str, solver: str) -> None:
    prob = BUILDERS[name]()
    th = np.array(POINTS[name])
    assert abs(loglik_at(prob, th, solver=solver) - dense_loglik(prob, th)) < 1e-8


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_score_equals_finite_differences(name: str) -> None:
    prob = BUILDERS[name]()
    th = np.array(POINTS[name])
    _, score, _ = score_ai_at(prob, th)
    fd = np.empty_like(th)
    for k in range(th.size):
        h = 1e-5 * max(abs(th[k]), 1.0)
        e = np.zeros_like(th)
        e[k] = h
        fd[k] = (loglik_at(prob, th + e) - loglik_at(prob, th - e)) / (2 * h)
    np.testing.assert_allclose(score, fd, rtol=1e-5, atol=1e-7 * np.max(np.abs(fd)))


@pytest.mark.parametrize("name", ["dyestuff", "sleepstudy", "bivariate"])
def test_ai_close_to_observed_information_at_optimum(name: str) -> None:
    prob = BUILDERS[name]()
    res = fit_reml(prob)
    th = res.theta
    k = th.size
    hs = 1e-4 * np.maximum(np.abs(th), 1e-2 * np.max(np.abs(th)))
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.zeros(k), np.zeros(k)
            ei[i], ej[j] = hs[i], hs[j]
            hess[i, j] = (loglik_at(prob, th + ei + ej) - loglik_at(prob, th + ei - ej)
                          - loglik_at(prob, th - ei + ej) + loglik_at(prob, th - ei - ej)
                          ) / (4 * hs[i] * hs[j])
    obs = -hess
    # AI = (observed + expected)/2 at the optimum: close to observed, not equal
    np.testing.assert_allclose(np.diag(res.ai), np.diag(obs), rtol=0.1)
    scale = np.sqrt(np.outer(np.diag(obs), np.diag(obs)))
    assert np.max(np.abs(res.ai - obs) / scale) < 0.1


def test_dyestuff_anova_closed_form() -> None:
    """Balanced one-way layout: REML = ANOVA, σ²_e = MSW, σ²_b = (MSB − MSW)/m."""
    d = pd.read_csv(DATA / "Dyestuff.csv")
    g = d.groupby("Batch")["Yield"]
    k, m = g.ngroups, 5
    msb = m * ((g.mean() - d["Yield"].mean()) ** 2).sum() / (k - 1)
    msw = ((d["Yield"] - g.transform("mean")) ** 2).sum() / (k * (m - 1))
    res = fit_reml(dyestuff())
    np.testing.assert_allclose(res.theta, [(msb - msw) / m, msw], rtol=1e-9)
    # vcov of the mean: (σ²_e + m σ²_b)/(k m)
    np.testing.assert_allclose(res.vcov_beta[0, 0], msb / (k * m), rtol=1e-9)


@pytest.mark.parametrize("solver", ["dense", "sparse"])
def test_cinv_quantities_match_dense_inverse(solver: str) -> None:
    prob = sleepstudy()
    res = fit_reml(prob, solver=solver)
    c, *_ = MME(prob).assemble(res.theta)
    cinv = np.linalg.inv(c.toarray())
    p = 2
    np.testing.assert_allclose(res.vcov_beta, cinv[:p, :p], rtol=1e-8)
    np.testing.assert_allclose(res.pev[0], np.diag(cinv)[p:], rtol=1e-8)
    rng = np.random.default_rng(0)
    L = rng.normal(size=(3, c.shape[0]))
    np.testing.assert_allclose(res.cinv_quad(L), L @ cinv @ L.T, rtol=1e-8)
    np.testing.assert_allclose(res.solve_c(L.T), cinv @ L.T, rtol=1e-8, atol=1e-12)
    # ŝ solves the MME
    _, r, *_ = MME(prob).assemble(res.theta)
    np.testing.assert_allclose(res.solution, cinv @ r, rtol=1e-8)


def test_private_templates_give_the_same_fit() -> None:
    """Hand-written σ²I and us⊗I templates (tests/reml/_reml_templates.py) reproduce the fit
    with the asr_py.vcov ones: the engine only uses the template interface."""
    ref = sleepstudy()
    z = ref.random[0].Z
    n = ref.y.size
    prob = MixedProblem(y=ref.y, X=ref.X,
                        random=[RandomBlock("us", z, UsKronIdentity(2, 18))],
                        residual=ScaledIdentity(n), theta0=ref.theta0,
                        constraints=ref.constraints, names=ref.names)
    a, b = fit_reml(prob), fit_reml(ref)
    np.testing.assert_allclose(a.theta, b.theta, rtol=1e-9)
    assert abs(a.loglik - b.loglik) < 1e-9


def test_general_residual_path_equals_scaled_path() -> None:
    """The R = σ²I shortcut (precomputed W'W) and the general R⁻¹ path agree."""
    prob = penicillin()
    th = np.array(POINTS["penicillin"])
    fast, slow = MME(prob), MME(prob, exploit_scaled_identity=False)
    assert fast.scaled and not slow.scaled
    sf, ss = fast.evaluate(th), slow.evaluate(th)
    assert abs(sf.loglik - ss.loglik) < 1e-9
    s1, a1 = fast.score_ai(sf)
    s2, a2 = slow.score_ai(ss)
    np.testing.assert_allclose(s1, s2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a1, a2, rtol=1e-8, atol=1e-10 * np.abs(a1).max())
    np.testing.assert_allclose(fast.em_information(th), slow.em_information(th), rtol=1e-12)
