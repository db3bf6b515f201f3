"""Scale-free AI-REML (issue 11 items 1, 2, 4): a fit must not depend on the units of each
trait, boundary diagnostics must be true, a us() optimum on the positive-definite boundary
must be reached, and a fit at round-off level is converged.

Every number is checked against the independent dense-V REML of ``tests/_dense_reml.py`` (numpy/
scipy only) or against an exact invariance (units: ℓ changes by the Jacobian −(n_t − p_t)
log c per trait scaled by c, variances by c², covariances by c₁c₂).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import chol_entries, chol_from, maximise, reml_loglik

import asr_py as asr


def _families(seed: int, nf: int, nrep: int, g: np.ndarray, e_sd: np.ndarray,
              mu: np.ndarray) -> pd.DataFrame:
    """Records of ``nf`` families x ``nrep``; family effects ``g`` (nf x t) given."""
    rng = np.random.default_rng(seed)
    rows = []
    for f in range(nf):
        for _ in range(nrep):
            e = rng.normal(0.0, 1.0, mu.size) * e_sd
            rows.append({"fam": f"F{f:02d}", **{f"y{t + 1}": mu[t] + g[f, t] + e[t]
                                                for t in range(mu.size)}})
    return pd.DataFrame(rows)


def _dense_univariate(y: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, float]:
    """max over σ²_f ≥ 0, σ²_e > 0 of the REML ℓ of y = μ + Zu + e (σ = x², x unbounded)."""
    n = y.size
    X = np.ones((n, 1))
    ZZ = Z @ Z.T
    v = float(np.var(y))

    def ll(x: np.ndarray) -> float:
        return reml_loglik(y, X, x[0] ** 2 * ZZ + x[1] ** 2 * np.eye(n))

    x, f = maximise(ll, [np.sqrt([v / 2, v / 2]), np.sqrt([v / 10, v])])
    return x ** 2, f


@pytest.fixture(scope="module")
def wood() -> pd.DataFrame:
    """Velocity (~3000 m/s) and density (~0.45 g/cm³): trait variances ~1e7 apart."""
    rng = np.random.default_rng(11)
    nf = 20
    g = np.c_[rng.normal(0, np.sqrt(40.6), nf), rng.normal(0, np.sqrt(2e-4), nf)]
    return _families(12, nf, 6, g, np.array([20.0, 0.02]), np.array([3000.0, 0.45]))


def test_diag_bivariate_equals_sum_of_univariate_fits(wood: pd.DataFrame) -> None:
    Z = pd.get_dummies(wood["fam"]).to_numpy(float)
    uni = []
    for t in ("y1", "y2"):
        m = asr.asreml(f"{t} ~ 1", random="~ fam", data=wood)
        th, f = _dense_univariate(wood[t].to_numpy(float), Z)
        assert m.converged
        assert m.loglik == pytest.approx(f, abs=1e-6)
        np.testing.assert_allclose(m.result.theta, th, rtol=1e-4)
        uni.append(m)
    biv = asr.asreml("cbind(y1, y2) ~ trait", random="~ diag(trait):fam",
                     residual="~ units:diag(trait)", data=wood)
    assert biv.converged
    # was 2.5 log-likelihood units short: the density variances frozen at 1e-9 x var(stacked y)
    assert biv.loglik == pytest.approx(uni[0].loglik + uni[1].loglik, abs=1e-6)
    th = biv.result.theta  # fam_y1, fam_y2, units_y1, units_y2
    np.testing.assert_allclose(th[[0, 2]], uni[0].result.theta, rtol=1e-5)
    np.testing.assert_allclose(th[[1, 3]], uni[1].result.theta, rtol=1e-5)
    # no variance is at zero here, so no diagnostic may say so, and all 4 are counted
    assert not biv.result.boundary.any()
    assert not any("boundary" in d for d in biv.diagnostics)
    assert biv.n_estimated == 4
    assert biv.aic == pytest.approx(-2 * biv.loglik + 2 * 4)


def test_variance_at_zero_is_reported_only_when_the_optimum_is_zero(wood: pd.DataFrame
                                                                    ) -> None:
    """Density with no family effect: the dense optimum of σ²_f is 0; the diagnostic names
    the term. Velocity (σ²_f > 0) gets none."""
    rng = np.random.default_rng(5)
    d = wood.copy()
    fam_mean = d.groupby("fam")["y2"].transform("mean")
    d["y2"] = d["y2"] - fam_mean + 0.45 + rng.normal(0, 1e-4, len(d))  # no family signal
    Z = pd.get_dummies(d["fam"]).to_numpy(float)
    th, f = _dense_univariate(d["y2"].to_numpy(float), Z)
    assert th[0] < 1e-8 * th[1]  # the independent optimum is at zero
    biv = asr.asreml("cbind(y1, y2) ~ trait", random="~ diag(trait):fam",
                     residual="~ units:diag(trait)", data=d)
    v1 = asr.asreml("y1 ~ 1", random="~ fam", data=d)
    assert biv.converged
    assert biv.loglik == pytest.approx(v1.loglik + f, abs=1e-6)
    assert list(biv.result.boundary) == [False, True, False, False]
    notes = [x for x in biv.diagnostics if "boundary" in x]
    assert len(notes) == 1 and "trait:fam!trait_y2" in notes[0]
    assert biv.n_estimated == 3
    assert biv.aic == pytest.approx(-2 * biv.loglik + 2 * 3)


def _yield_protein(seed: int, nf: int, boundary: bool = True) -> pd.DataFrame:
    """Yield (t/ha) and protein (%) with a genetic correlation of exactly −1 (``boundary``)
    or about −0.5."""
    rng = np.random.default_rng(seed)
    g1 = rng.normal(0, 0.6, nf)
    g = np.c_[g1, -2.0 * g1 if boundary else -1.0 * g1 + rng.normal(0, 1.0, nf)]
    d = _families(seed + 1, nf, 4, g, np.array([0.8, 1.5]), np.array([6.0, 12.0]))
    return d.rename(columns={"y1": "yld", "y2": "prot"})


def _dense_us_bivariate(d: pd.DataFrame, a: str, b: str, starts: list[np.ndarray]
                        ) -> tuple[np.ndarray, np.ndarray, float]:
    """Dense REML of cbind(a, b) ~ trait, us(trait):fam, units:us(trait) on Cholesky
    factors (the PD boundary is a zero diagonal entry of the family factor)."""
    n = len(d)
    y = np.r_[d[a].to_numpy(float), d[b].to_numpy(float)]
    X = np.kron(np.eye(2), np.ones((n, 1)))
    Z = pd.get_dummies(d["fam"]).to_numpy(float)
    ZZ, eye = Z @ Z.T, np.eye(n)

    def ll(x: np.ndarray) -> float:
        lg, le = chol_from(x[:3], 2), chol_from(x[3:], 2)
        return reml_loglik(y, X, np.kron(lg @ lg.T, ZZ) + np.kron(le @ le.T, eye))

    x, f = maximise(ll, starts)
    lg, le = chol_from(x[:3], 2), chol_from(x[3:], 2)
    return lg @ lg.T, le @ le.T, f


def _us_start(g: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.r_[chol_entries(g), chol_entries(r)]


def _mat(th: np.ndarray) -> np.ndarray:
    return np.array([[th[0], th[1]], [th[1], th[2]]])


def _units_pair(d: pd.DataFrame) -> tuple[asr.AsremlFit, asr.AsremlFit]:
    """The fit in t/ha & % and in kg/ha & fraction; checks ℓ's Jacobian."""
    fits = {}
    for cy, cp in ((1.0, 1.0), (1000.0, 0.01)):  # t/ha & %  vs  kg/ha & fraction
        dd = d.assign(yld=d["yld"] * cy, prot=d["prot"] * cp)
        fits[cy] = asr.asreml("cbind(yld, prot) ~ trait", random="~ us(trait):fam",
                              residual="~ units:us(trait)", data=dd, maxit=30,
                              mv_start="default")
        assert fits[cy].converged
    m1, m2 = fits[1.0], fits[1000.0]
    n = len(d)
    jac = -(n - 1) * (np.log(1000.0) + np.log(0.01))
    assert m2.loglik == pytest.approx(m1.loglik + jac, abs=1e-6)
    return m1, m2


SCALE = np.array([1e6, 10.0, 1e-4] * 2)  # c², c₁c₂, c² per us(trait) parameter


def test_units_do_not_change_an_interior_optimum() -> None:
    m1, m2 = _units_pair(_yield_protein(3, 40, boundary=False))
    assert not m1.result.boundary.any() and not m2.result.boundary.any()
    np.testing.assert_allclose(m2.result.theta / SCALE, m1.result.theta, rtol=1e-6)
    assert m1.diagnostics == m2.diagnostics


@pytest.mark.parametrize("seed", [1, 2])
def test_units_do_not_change_the_optimum_on_the_pd_boundary(seed: int) -> None:
    d = _yield_protein(seed, 14)
    m1, m2 = _units_pair(d)
    # on the face of the PD cone ℓ is flat to ~1e-6 along it: estimates agree to 2e-3 of
    # their standard errors (unit-free; an elementwise rtol is not: seed 2's residual
    # covariance −0.0165 ± 0.196 moved 2e-5 = 1e-4 SE and failed rtol 1e-3)
    se = np.sqrt(np.diag(m1.result.vcov_theta))
    assert np.all(np.abs(m2.result.theta / SCALE - m1.result.theta) <= 2e-3 * se)
    # the independent optimum: on the PD boundary (genetic correlation −1)
    g, r, f = _dense_us_bivariate(d, "yld", "prot",
                                  [_us_start(np.eye(2) * 0.5, np.eye(2)),
                                   _us_start(_mat(m1.result.theta[:3]) + 1e-6 * np.eye(2),
                                             _mat(m1.result.theta[3:]))])
    assert g[0, 1] / np.sqrt(g[0, 0] * g[1, 1]) < -0.999
    assert m1.loglik == pytest.approx(f, abs=1e-4)
    assert m1.loglik >= f - 1e-4
    np.testing.assert_allclose(_mat(m1.result.theta[:3]), g, atol=2e-3 * np.abs(g).max())
    rg = m1.result.theta[1] / np.sqrt(m1.result.theta[0] * m1.result.theta[2])
    assert rg < -0.999
    assert any("trait:fam" in x and "boundary" in x for x in m1.diagnostics)


def test_fit_started_at_its_optimum_converges_at_once(wood: pd.DataFrame) -> None:
    """Round-off-level convergence: from the optimum the next step's predicted gain is below
    the rounding noise of ℓ, so the fit is converged within an iteration or two (not stopped
    by failing step cuts as converged=False)."""
    kw = dict(random="~ us(trait):fam", residual="~ units:us(trait)", data=wood,
              mv_start="default")
    m = asr.asreml("cbind(y1, y2) ~ trait", **kw)
    assert m.converged
    sv = asr.asreml("cbind(y1, y2) ~ trait", start_values=True, **kw)
    sv["Value"] = m.result.theta
    again = asr.asreml("cbind(y1, y2) ~ trait", params=sv, **kw)
    assert again.converged and again.result.n_iter <= 2
    assert again.loglik == pytest.approx(m.loglik, abs=1e-8)


def test_held_variance_of_an_unconverged_fit_is_not_called_zero(wood: pd.DataFrame) -> None:
    """After one iteration the density family variance is already held, but the fit has not
    converged: the note must not claim the data support zero."""
    rng = np.random.default_rng(5)
    d = wood.copy()
    d["y2"] = d["y2"] - d.groupby("fam")["y2"].transform("mean") + 0.45 + rng.normal(
        0, 1e-4, len(d))
    m = asr.asreml("cbind(y1, y2) ~ trait", random="~ diag(trait):fam",
                   residual="~ units:diag(trait)", data=d, maxit=1)
    assert not m.converged
    assert m.result.boundary[1]
    notes = [x for x in m.diagnostics if "trait:fam!trait_y2" in x]
    assert len(notes) == 1 and "did not converge" in notes[0]
    assert "support a value of zero" not in notes[0]
