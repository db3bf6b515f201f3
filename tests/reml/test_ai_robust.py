"""Robustness of the AI-REML iteration (asr_py/reml/ai.py): parameters of very different
scales, variances at their boundary, covariance matrices on the boundary of the PD cone,
and an honest convergence rule.

Every optimum is checked independently of the iteration: the REML score by central finite
differences of :func:`asr_py.reml.loglik_at` (≈ 0 for free parameters, ≤ 0 into the
boundary for held ones), and likelihoods against the optimum reached from a good start.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml import loglik_at
from asr_py.reml.qp import active_set_qp as _qp
from asr_py.reml.qp import scaled_information as _scaled

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


def _fd_score(problem, theta: np.ndarray, k: int, rel: float = 1e-5) -> float:
    """Central difference dℓ/dθ_k (one-sided forward at a boundary value near 0)."""
    h = rel * max(abs(theta[k]), 1e-3)
    up = theta.copy()
    up[k] += h
    lo = theta.copy()
    lo[k] -= h
    if lo[k] < 0:
        return (loglik_at(problem, up) - loglik_at(problem, theta)) / h
    return (loglik_at(problem, up) - loglik_at(problem, lo)) / (2 * h)


# ---------------------------------------------------------------------------------------
# 1. scale: bivariate cpdata GBLUP, Yield variances ~1e3, color ~1e-3
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cpdata_fit():
    df = pd.read_csv(DATA / "DT_cpdata_yc.csv", dtype={"id": str})
    gt = pd.read_csv(DATA / "GT_cpdata_600.csv", dtype={"id": str})
    mk = pd.concat([gt[["id"]], gt.drop(columns="id") + 1.0], axis=1)  # -1/0/1 -> 0/1/2
    G = asr.gmatrix(mk, coding="012", ridge=0.01)
    m = asr.asreml("cbind(Yield, color) ~ trait", random="~ us(trait):vm(id, G)",
                   residual="~ units:us(trait)", data=df, G=G, mv_start="default",
                   solver="sparse")
    return m


def test_scale_disparate_bivariate_converges_fast(cpdata_fit):
    m = cpdata_fit
    assert m.converged
    assert m.result.n_iter <= 12  # the old iteration: 30 + 1 without convergence
    assert not any("Singularity" in d for d in m.diagnostics)
    vc = m.varcomp["component"].to_numpy()
    assert vc[3] > 1000 and vc[5] < 0.01  # residual variances of the traits differ by ~1e6


def test_scale_disparate_optimum_has_zero_score(cpdata_fit):
    m = cpdata_fit
    prob = m.model.problem()
    th = m.result.theta
    for k in range(th.size):
        fd = _fd_score(prob, th, k)
        # |∂ℓ/∂θ_k| x |θ_k|: the gain of a relative change of θ_k is negligible
        assert abs(fd) * max(abs(th[k]), 1e-3) < 1e-3, (k, fd)


def test_scale_invariance_of_the_iteration():
    """Multiplying the response by 1000 multiplies every variance by 1e6, leaves the path
    (iterations, methods, step lengths) unchanged and shifts ℓ by −(n−p) log 1000."""
    dy = pd.read_csv(DATA / "Dyestuff.csv", dtype={"Batch": str})
    a = asr.asreml("Yield ~ 1", random="~ Batch", data=dy)
    dy2 = dy.assign(Yield=dy["Yield"] * 1000.0)
    b = asr.asreml("Yield ~ 1", random="~ Batch", data=dy2)
    assert a.converged and b.converged
    assert a.result.n_iter == b.result.n_iter
    np.testing.assert_allclose(b.result.theta, a.result.theta * 1e6, rtol=1e-7)
    assert b.loglik == pytest.approx(a.loglik - 29 * np.log(1000.0), abs=1e-6)


# ---------------------------------------------------------------------------------------
# 2. variances going to zero are held at the boundary, not crawled to
# ---------------------------------------------------------------------------------------
def _spline_data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = np.repeat(np.arange(1, 11, dtype=float), 4)
    env = np.tile(["a", "b"], 20)
    y = 2 + 0.5 * x + np.sin(x) + rng.normal(0, 0.3, x.size) + (env == "b") * 1.0
    return pd.DataFrame({"x": x, "env": env, "y": y})


def test_dev_variance_held_at_boundary():
    df = _spline_data()
    m = asr.asreml("y ~ x + env", random="~ spl(x) + dev(x)", data=df)
    assert m.converged
    assert m.result.n_iter <= 15  # was 30+ EM steps without convergence
    names = list(m.varcomp.index)
    k = names.index("dev(x)")
    assert m.varcomp["bound"].iloc[k] == "B"
    assert any("dev(x)" in d and "boundary" in d for d in m.diagnostics)
    prob = m.model.problem()
    th = m.result.theta
    assert _fd_score(prob, th, k) < 0  # ℓ decreases into the parameter space: KKT
    for j in range(th.size):
        if j != k:
            assert abs(_fd_score(prob, th, j)) * th[j] < 1e-5


FIXED = "cbind(Yield, Weight) ~ trait + trait:Env"
RANDOM = "~ us(trait):Name"
RESID = "~ units:us(trait)"


def _dt_example() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv",
                       dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


def _fixed_cov_fit(values: list[float]):
    dt = _dt_example()
    sv = asr.asreml(FIXED, RANDOM, RESID, data=dt, start_values=True)
    sv["Value"] = values
    sv["Constraint"] = ["P", "F", "P", "P", "U", "P"]
    return asr.asreml(FIXED, RANDOM, RESID, data=dt, params=sv, mv_start="default")


def test_poor_start_with_fixed_covariance_reaches_the_boundary_optimum():
    good = _fixed_cov_fit([5.0, 0.0, 0.3, 8.0, 1.6, 0.4])
    poor = _fixed_cov_fit([1e4, 0.0, 1e-4, 1e-4, 0.0, 1e4])
    assert good.converged and poor.converged
    assert good.result.n_iter <= 15
    assert poor.loglik == pytest.approx(good.loglik, abs=1e-6)
    assert good.loglik == pytest.approx(-488.6204311, abs=1e-6)
    for m in (good, poor):
        assert list(m.result.constraints) == ["B", "F", "P", "P", "U", "P"]
    np.testing.assert_allclose(poor.result.theta[2:], good.result.theta[2:], rtol=1e-4)
    prob = good.model.problem()
    th = good.result.theta
    assert _fd_score(prob, th, 0) < 0
    for j in (2, 3, 4, 5):
        assert abs(_fd_score(prob, th, j)) * max(abs(th[j]), 1e-2) < 1e-3


# ---------------------------------------------------------------------------------------
# 3. genetic correlations at ±1: the PD boundary
# ---------------------------------------------------------------------------------------
def test_genetic_correlation_matrix_on_the_pd_boundary():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import multilocation_gblup as ml
    finally:
        sys.path.pop(0)
    df, G = ml.simulate(n=200, n_loc=2, seed=2025)
    m = asr.asreml(ml.FIXED, ml.RANDOM_A, ml.RESIDUAL, data=df, G=G, mv_start="default")
    assert m.converged
    assert m.result.n_iter <= 15
    assert any("trait:vm(id, G) is at the boundary" in d for d in m.diagnostics)
    th = m.result.theta
    sg = np.zeros((3, 3))
    sg[np.tril_indices(3)] = th[:6]
    sg = sg + np.tril(sg, -1).T
    d = np.sqrt(np.diag(sg))
    ev = np.linalg.eigvalsh(sg / np.outer(d, d))
    assert ev[0] < 1e-5  # the genetic correlation matrix is (numerically) singular
    # the boundary point beats the interior: shrinking Σ_g towards its diagonal (inside
    # the cone) lowers ℓ, and the previous non-converged estimate (-1159.605) is improved
    prob = m.model.problem()
    for t in (1e-3, 1e-2):
        inner = th.copy()
        inner[:6] = (1 - t) * th[:6] + t * np.diag(np.diag(sg))[np.tril_indices(3)]
        assert loglik_at(prob, inner) < m.loglik
    assert m.loglik > -1159.3095


# ---------------------------------------------------------------------------------------
# the active-set QP of a step, against brute force
# ---------------------------------------------------------------------------------------
def test_bound_qp_matches_enumeration():
    rng = np.random.default_rng(4)
    for _ in range(30):
        n = 4
        a = rng.normal(size=(n, n))
        h = a @ a.T + 0.1 * np.eye(n)
        g = rng.normal(size=n) * 3
        lb = -rng.uniform(0, 1, n)
        lb[0] = 0.0
        x, wb, _ = _qp(h, g, lb, np.zeros((0, n)))
        best = None
        for mask in range(2 ** n):  # every choice of active bounds
            act = np.array([(mask >> i) & 1 for i in range(n)], dtype=bool)
            z = lb.copy()
            f = ~act
            if f.any():
                z[f] = np.linalg.solve(h[np.ix_(f, f)], g[f] - h[np.ix_(f, act)] @ lb[act])
            if np.all(z >= lb - 1e-12):
                q = g @ z - 0.5 * z @ h @ z
                if best is None or q > best[0]:
                    best = (q, z)
        np.testing.assert_allclose(x, best[1], atol=1e-9)


def test_scaled_information_flags_true_singularity_only():
    ai = np.diag([1e-7, 1e5])  # badly scaled but regular
    _, _, sing = _scaled(ai, np.arange(2))
    assert not sing
    v = np.array([1.0, 2.0])
    _, _, sing = _scaled(np.outer(v, v) * np.array([[1e-6, 1], [1, 1e6]]), np.arange(2))
    assert sing
