"""Metric correlations that are numerically singular at the optimum (reml/singular_corr.py,
reml/dense_v.py): gaussian correlations over close points in a plane.

80 points scattered over a 3 x 3 field (coordinates to 0.01), a smooth gaussian process and
noise. The gaussian correlation matrix φ^(Δx² + Δy²) has condition number ~1e13 at the
optimum: the mixed model equations (which hold its inverse) gave ℓ 0.29 off there and the
fit stopped unconverged at ℓ −115.5117 (igau) or held every parameter on a bound at
−115.6358 (agau). Checked against independent sources:

* V's ℓ, score and C⁻¹ of reml/dense_v.py against tests/_dense_reml.py's ℓ of a V built
  here from the definition, its central differences, and the inverse of Henderson's
  C = W'R⁻¹W + diag(0, G⁻¹) assembled here at a well-conditioned θ;
* the fits against a dense-V REML maximised by scipy from several starts;
* the same fit after rescaling the trait by c: ℓ shifted by exactly −(n − p) log c (the
  Jacobian), variances scaled by c², correlations unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, reml_loglik
from _scattered_points import point_design, scattered_field

import asr_py as asr
from asr_py.reml.centering import centre_response
from asr_py.reml.dense_v import evaluate


def _field(seed: int = 4, n: int = 80, side: float = 3.0, rng_: float = 5.0,
           noise: float = 0.3) -> pd.DataFrame:
    """A Gaussian-kernel field 2·exp(−d²/r²) (jittered 1e-9 to stay positive definite)."""
    return scattered_field(seed, n, side, lambda d2: 2.0 * np.exp(-d2 / rng_**2) + 1e-9 * np.eye(n),
                           single_every=3, noise=noise)


_design = point_design


def _gau(pts: np.ndarray, phi: np.ndarray) -> np.ndarray | None:
    """igau (one φ) or agau (φ1, φ2): Π_a φ_a^(Δ_a²), ASReml's definitions."""
    if not np.all((phi > 0) & (phi <= 1)):
        return None
    dx2 = np.subtract.outer(pts[:, 0], pts[:, 0]) ** 2
    dy2 = np.subtract.outer(pts[:, 1], pts[:, 1]) ** 2
    return phi[0] ** (dx2 + dy2) if phi.size == 1 else phi[0] ** dx2 * phi[1] ** dy2


def _builder(df: pd.DataFrame, ncor: int):
    y, X, Z, pts = _design(df)

    def build(v: np.ndarray) -> np.ndarray | None:
        C = _gau(pts, np.asarray(v[1:1 + ncor]))
        if C is None or v[0] < 0 or v[-1] <= 0:
            return None
        return v[0] * Z @ C @ Z.T + v[-1] * np.eye(len(y))
    return y, X, build


def _fit(df: pd.DataFrame, name: str) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("z ~ trt", random=f"~ {name}(x, y)", data=df)


@pytest.fixture(scope="module")
def field() -> pd.DataFrame:
    return _field()


def test_v_quantities_agree_with_their_definitions() -> None:
    """ℓ, score and C⁻¹ from V at a well-conditioned θ (40 points, φ = 0.2)."""
    df = _field(seed=1, n=40, rng_=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("z ~ trt", random="~ igau(x, y)", data=df, maxit=1)
    problem = centre_response(m.model.problem())[0]
    theta = np.array([1.3, 0.2, 0.4])
    pt = evaluate(problem, theta)
    assert pt is not None
    y, X, build = _builder(df, 1)
    y = problem.y  # the centred response (ℓ is the same: y − Xb₀ with b₀ in X's span)
    assert pt.loglik == pytest.approx(reml_loglik(y, X, build(theta)), abs=1e-9)
    h = 1e-6
    fd = [(reml_loglik(y, X, build(theta + h * e)) - reml_loglik(y, X, build(theta - h * e)))
          / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(pt.score, fd, rtol=1e-5, atol=1e-6)
    # Henderson's C at θ, assembled here with G⁻¹ (fine at this condition number)
    _, _, Z, pts = _design(df)
    G = theta[0] * _gau(pts, theta[1:2])
    W = np.hstack([X, Z])
    C = W.T @ W / theta[2]
    C[2:, 2:] += np.linalg.inv(G)
    np.testing.assert_allclose(pt.cinv, np.linalg.inv(C), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name,ncor", [("igau", 1), ("agau", 2)])
def test_gaussian_near_singular_fit_reaches_the_dense_optimum(field: pd.DataFrame, name: str,
                                                              ncor: int) -> None:
    fit = _fit(field, name)
    y, X, build = _builder(field, ncor)
    x = fit.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    bounds = [(0, None)] + [(1e-6, 1.0)] * ncor + [(1e-6, None)]
    starts = [x, np.r_[0.02, [0.5] * ncor, 0.3], np.r_[0.1, [0.8] * ncor, 0.3]]
    _, best = fit_dense(y, X, build, starts, bounds, scale=np.maximum(np.abs(x), 0.1))
    assert fit.loglik >= best - 1e-5  # before: −115.5117 / −115.6358 vs −115.1850 / −113.8606
    assert fit.converged
    assert any("numerically singular" in m for m in fit.diagnostics)


@pytest.mark.parametrize("c", [1e-4, 1e4])
def test_the_same_fit_in_other_units(field: pd.DataFrame, c: float) -> None:
    base = _fit(field, "igau")
    fit = _fit(field.assign(z=field.z * c), "igau")
    nu = len(field) - 2
    assert fit.converged
    assert fit.loglik == pytest.approx(base.loglik - nu * np.log(c), abs=1e-5)
    # the optimum is flat (σ²'s standard error twice σ²): the estimates, mapped back to the
    # first units (variances / c², φ as is), agree to 1/50 of their standard errors
    a, b = base.varcomp["component"].to_numpy(), fit.varcomp["component"].to_numpy()
    se = base.varcomp["std.error"].to_numpy()
    back = b / np.array([c**2, 1.0, c**2])
    assert np.all(np.abs(back - a) <= 0.02 * se)
    assert np.all(np.abs(back - a) <= 0.02 * np.abs(a))  # and to 2 % of their values


def test_a_default_start_the_equations_cannot_take_is_fitted_on_v() -> None:
    """gau(t) over 80 positions on a 10-unit transect to 0.01: the default φ₀ (1e-3) already
    gives a correlation matrix that is not positive definite in double, and the fit raised
    'the starting values are outside the parameter space' though the user gave none."""
    rng = np.random.default_rng(1)
    t = np.unique(np.sort(rng.uniform(0, 10, 80)).round(2))
    n = t.size
    e = np.subtract.outer(t, t) ** 2
    u = rng.multivariate_normal(np.zeros(n), 2 * np.exp(-e / 4) + 1e-9 * np.eye(n))
    df = pd.DataFrame([dict(t=ti, z=3 + u[i] + rng.normal(0, 0.3))
                       for i, ti in enumerate(t) for _ in range(2)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml("z ~ 1", random="~ gau(t)", data=df)
    x = fit.varcomp["component"].to_numpy()
    y, X = df.z.to_numpy(), np.ones((len(df), 1))
    Z = np.repeat(np.eye(n), 2, axis=0)

    def build(v: np.ndarray) -> np.ndarray | None:
        if not 0 < v[1] <= 1 or v[0] < 0 or v[2] <= 0:
            return None
        return v[0] * Z @ (v[1] ** e) @ Z.T + v[2] * np.eye(len(y))

    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = fit_dense(y, X, build, [x, np.r_[0.5, 0.5, 0.3]],
                        [(0, None), (1e-9, 1.0), (1e-6, None)],
                        scale=np.maximum(np.abs(x), 0.1))
    assert fit.converged
    assert fit.loglik >= best - 1e-5
    assert any("numerically singular at the start values" in m for m in fit.diagnostics)
