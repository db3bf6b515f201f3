"""Random regressions on an uncentred covariate (asr_py/reml/congruence.py).

``str(~ g + g:x, ~ us(2):id(g))`` (lme4's (x | g)) with x = 10² .. 10⁴ ± 2 %: the columns
[1, x] are nearly collinear. On main (e1e10dd) these fits stop unconverged at maxit 30 (seed
0 at 10² and 10⁴; seed 2 at 10³ 54.8 below the optimum) or take 14–30 iterations; fitted in
centred columns and mapped back they converge in <= 15 iterations to the optimum of an
independent dense-V REML (tests/_dense_reml.py, Σ by its Cholesky factor in centred-scaled
coordinates). A shift of x is a reparametrisation of us(2) (the same set of V), so the fit
equals the fit with x centred by hand, mapped by K = [[1, c], [0, 1]] (Σ_c = K Σ K',
u_c = K u); x × 1000 and y × 1000 change ℓ by the Jacobian only (−ln 1000 and
−(n − p) ln 1000); row order and level labels change nothing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import blup, chol_from, fit_dense, indicator, reml_loglik

import asr_py as asr
from asr_py.warning_classes import ConvergenceWarning

RANDOM = "~ str(~ g + g:x, ~ us(2):id(g))"


def _sim(seed: int, mean: float, sdr: float = 0.02, ng: int = 12, nper: int = 12
         ) -> pd.DataFrame:
    """Intercepts and slopes per group (correlation 0.53) on x = mean ± sdr·|mean|."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(ng), nper)
    sx = sdr * abs(mean)
    x = mean + sx * rng.standard_normal(g.size)
    b = rng.standard_normal((ng, 2)) @ np.array([[1.0, 0.0], [0.5, 0.8]]).T
    b[:, 1] /= sx
    y = 3.0 + 0.5 * (x - mean) / sx + b[g, 0] + b[g, 1] * (x - mean) + rng.standard_normal(g.size)
    return pd.DataFrame({"y": y, "x": x, "g": pd.Categorical([f"G{k}" for k in g])})


def _fit(d: pd.DataFrame, **kw: object) -> tuple[asr.AsremlFit, list]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(fixed="y ~ x", random=RANDOM, data=d, **kw)
    return m, list(w)


def _sigma(m: asr.AsremlFit) -> np.ndarray:
    v = dict(zip(m.result.names, np.asarray(m.result.theta, dtype=float)))
    a, b, c = (v[f"g+g:x!us(2)_{k}"] for k in ("1:1", "2:1", "2:2"))
    return np.array([[a, b], [b, c]])


def _design(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = d["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(d)), d["x"].to_numpy(float)])
    G = indicator(d["g"])
    return y, X, np.hstack([G, G * d["x"].to_numpy(float)[:, None]])


def _dense_optimum(d: pd.DataFrame) -> float:
    """The dense-V REML optimum; Σ = S L L' S' with S the centred-scaled map of x."""
    y, X, Z = _design(d)
    q = Z.shape[1] // 2
    xm, xs = float(d["x"].mean()), float(d["x"].std())
    s = np.array([[1.0, -xm / xs], [0.0, 1.0 / xs]])

    def build(p: np.ndarray) -> np.ndarray:
        lo = chol_from(p[:3], 2)
        sig = s @ lo @ lo.T @ s.T
        return Z @ np.kron(sig, np.eye(q)) @ Z.T + p[3] ** 2 * np.eye(len(y))

    sy = float(np.std(y))
    starts = [np.array([a, 0.0, a, 1.0]) * sy for a in (0.1, 0.5, 1.0)]
    return fit_dense(y, X, build, starts)[1]


@pytest.mark.parametrize(("seed", "mean"), [(0, 1e2), (2, 1e3), (0, 1e4), (3, 1e4),
                                            (1, -391.0)])
def test_converges_to_the_dense_optimum(seed: int, mean: float) -> None:
    d = _sim(seed, mean)
    m, w = _fit(d)
    assert m.result.converged
    assert not any(issubclass(x.category, ConvergenceWarning) for x in w)
    assert m.result.n_iter <= 15
    opt = _dense_optimum(d)
    assert m.loglik >= opt - 1e-7
    y, X, Z = _design(d)
    q = Z.shape[1] // 2
    v = Z @ np.kron(_sigma(m), np.eye(q)) @ Z.T + m.result.theta[-1] * np.eye(len(y))
    assert reml_loglik(y, X, v) == pytest.approx(m.loglik, abs=1e-7)  # the reported ℓ is V's


@pytest.mark.parametrize("mean", [1e2, 1e4])
def test_equals_the_fit_with_x_centred_by_hand(mean: float) -> None:
    d = _sim(2, mean)
    m, _ = _fit(d)
    c = float(d["x"].mean())
    dc = d.assign(x=d["x"] - c)
    mc, _ = _fit(dc)
    assert m.result.converged and mc.result.converged
    assert m.loglik == pytest.approx(mc.loglik, abs=1e-7)
    k = np.array([[1.0, c], [0.0, 1.0]])
    np.testing.assert_allclose(k @ _sigma(m) @ k.T, _sigma(mc), rtol=1e-4, atol=0)
    assert m.result.theta[-1] == pytest.approx(mc.result.theta[-1], rel=1e-5)
    # BLUPs: the slopes equal, the intercepts at x = c equal a + c·b; their PEVs likewise
    u, uc = np.asarray(m.result.u[0]), np.asarray(mc.result.u[0])
    q = u.size // 2
    np.testing.assert_allclose(u[q:], uc[q:], rtol=1e-4, atol=1e-8 * np.abs(uc[q:]).max())
    np.testing.assert_allclose(u[:q] + c * u[q:], uc[:q], rtol=1e-4,
                               atol=1e-6 * np.abs(uc[:q]).max())
    np.testing.assert_allclose(m.result.pev[0][q:], mc.result.pev[0][q:], rtol=1e-4)
    # the fixed effects: the slope equal, the intercept shifted
    b, bc = np.asarray(m.result.beta), np.asarray(mc.result.beta)
    assert b[1] == pytest.approx(bc[1], rel=1e-5)
    assert b[0] + c * b[1] == pytest.approx(bc[0], rel=1e-5)


def test_blups_and_pevs_match_dense_v() -> None:
    """û = GZ'Py and PEV = diag(G − GZ'PZG) of an independent dense-V computation at the
    fit's own estimates (û maps back by T, PEV by T C⁻¹ T')."""
    d = _sim(0, 1e4)
    m, _ = _fit(d)
    y, X, Z = _design(d)
    q = Z.shape[1] // 2
    gm = np.kron(_sigma(m), np.eye(q))
    v = Z @ gm @ Z.T + m.result.theta[-1] * np.eye(len(y))
    u, pev = blup(y, X, v, Z, gm)
    levels = list(d["g"].cat.categories)
    assert levels == sorted(levels)
    np.testing.assert_allclose(m.result.u[0], u, rtol=1e-5, atol=1e-9 * np.abs(u).max())
    np.testing.assert_allclose(m.result.pev[0], pev, rtol=1e-5)


@pytest.mark.parametrize("how", ["x1000", "y1000", "rows_and_labels"])
def test_units_row_order_and_labels(how: str) -> None:
    d = _sim(3, 1e4)
    base, _ = _fit(d)
    e = d.copy()
    if how == "x1000":
        e["x"] = e["x"] * 1000.0
    elif how == "y1000":
        e["y"] = e["y"] * 1000.0
    else:
        e = e.sample(frac=1.0, random_state=5).reset_index(drop=True)
        names = {c: f"Z{99 - i}" for i, c in enumerate(e["g"].cat.categories)}  # reversed
        e["g"] = pd.Categorical(e["g"].astype(str).map(names))
    m, w = _fit(e)
    n, p = len(d), 2
    jac = {"x1000": -np.log(1000.0), "y1000": -(n - p) * np.log(1000.0),
           "rows_and_labels": 0.0}[how]
    assert m.result.converged and m.result.n_iter <= 15
    assert not any(issubclass(x.category, ConvergenceWarning) for x in w)
    assert m.loglik == pytest.approx(base.loglik + jac, abs=1e-6)


def test_a_given_start_is_kept() -> None:
    """A start given in the user's parametrisation (params=, from the fit itself) is mapped
    into the working columns (the same V): the refit starts at the optimum's ℓ."""
    d = _sim(2, 1e3)
    m, _ = _fit(d)
    r, _ = _fit(d, params=m.params)
    assert r.result.converged
    assert r.result.history[0]["loglik"] == pytest.approx(m.loglik, abs=1e-6)
    assert r.loglik == pytest.approx(m.loglik, abs=1e-7)
    np.testing.assert_allclose(r.result.history[0]["theta"], m.result.theta, rtol=1e-9)


def test_a_start_written_for_the_raw_columns() -> None:
    """us(2, init = c(1, 0.5, 1)) on x = 10⁴ ± 2 % (as asremlPlus's Orange script's
    us(3, init =) on age, age²): mapped into the centred columns that start is singular to
    round-off, so the default pattern at its scale is used; the fit reaches the optimum
    (on main: unconverged at maxit 30, 3.1 below)."""
    d = _sim(0, 1e4)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = asr.asreml(fixed="y ~ x", random="~ str(~ g + g:x, ~ us(2, init = c(1, 0.5, 1)):"
                       "id(g))", data=d)
    assert m.result.converged and m.result.n_iter <= 15
    assert not any(issubclass(x.category, ConvergenceWarning) for x in w)
    assert m.loglik >= _dense_optimum(d) - 1e-7


def test_bivariate_slopes_equal_the_centred_fit() -> None:
    """us(4) over trait × (intercept, slope): the same fit as with x centred by hand, the
    slopes' 2 x 2 block equal and the intercepts' mapped by K = [[I, cI], [0, I]] (on main:
    22 iterations and 3.8e-3 below)."""
    d = _sim(0, 1e4)
    d["y2"] = 0.5 * d["y"] + np.random.default_rng(7).standard_normal(len(d))
    kw = dict(fixed="cbind(y, y2) ~ trait + trait:x", residual="~ units:us(trait)",
              random="~ str(~ trait:g + trait:g:x, ~ us(4):id(g))")
    c = float(d["x"].mean())
    m = asr.asreml(data=d, **kw)
    mc = asr.asreml(data=d.assign(x=d["x"] - c), **kw)
    assert m.result.converged and mc.result.converged and m.result.n_iter <= 15
    assert m.loglik == pytest.approx(mc.loglik, abs=1e-7)
    k = np.block([[np.eye(2), c * np.eye(2)], [np.zeros((2, 2)), np.eye(2)]])
    cov, covc = m.covariance("trait:g+trait:g:x"), mc.covariance("trait:g+trait:g:x")
    np.testing.assert_allclose(k @ np.asarray(cov) @ k.T, np.asarray(covc), rtol=2e-3,
                               atol=1e-6 * np.abs(np.asarray(covc)).max())


def test_far_from_zero_is_identifiable() -> None:
    """x = 10⁴ ± 10 (sd/mean 1e-3, as ChickWeight's Time + 1000): the user's AI is
    singular to round-off after diagonal scaling (eigenvalue ratio ~ (sd/mean)⁴), the model
    is not: identifiability is judged in the working columns, and ℓ equals the fit with x
    centred by hand."""
    d = _sim(0, 1e4, sdr=1e-3)
    m, w = _fit(d)
    mc, _ = _fit(d.assign(x=d["x"] - float(d["x"].mean())))
    assert m.identifiable and m.result.converged and m.converged
    assert not w
    assert m.loglik == pytest.approx(mc.loglik, abs=1e-7)
