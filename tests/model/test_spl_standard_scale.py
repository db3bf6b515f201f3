"""spl(x)'s variance on asreml's standardised scale (x and knots ÷ c, c = (t_r − t_1)/9).

Independent sources: the REML log-likelihood of a dense V built here from Green & Silverman's
formulas (tests/_dense_reml.py, never asr_py) with σ²_s/c³ on x's own scale; scipy's
make_smoothing_spline at λ = σ²_e c³/σ²_s (Green & Silverman's penalised sum of squares on x's
own scale); and the closed form of the REML ℓ under x → a·x (only X's x column changes, so ℓ
moves by −log a).
"""

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, gs_q_r, reml_loglik
from scipy.interpolate import make_smoothing_spline

import asr_py as asr


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    x = np.repeat(np.linspace(2.0, 8.0, 13), 2)
    y = 3 + 0.5 * x + np.sin(1.3 * x) + rng.normal(0, 0.35, x.size)
    return pd.DataFrame({"x": x, "y": y})



def _own_scale_k(x: np.ndarray) -> tuple[np.ndarray, float]:
    """K = N Q(Q'Q)⁻¹ R (Q'Q)⁻¹Q'N' on x's own scale (knots = unique x) and c."""
    t = np.unique(x)
    Q, R = gs_q_r(t)
    N = (x[:, None] == t[None, :]).astype(float)
    Z = N @ Q @ np.linalg.inv(Q.T @ Q)
    return Z @ R @ Z.T, (t[-1] - t[0]) / 9


@pytest.mark.parametrize("a", [1e-3, 1.0, 1e3])
def test_spl_loglik_and_optimum_against_dense_reml(a: float) -> None:
    # V = σ²_s K / c³ + σ²_e I: the reported σ²_s is c³ times the own-scale variance; ℓ at our
    # estimates equals the dense ℓ and no better point exists (several starts)
    d = _data().assign(x=lambda f: f["x"] * a)
    fit = asr.asreml("y ~ x", "~ spl(x)", data=d)
    assert fit.converged
    x, y = d["x"].to_numpy(float), d["y"].to_numpy(float)
    K, c = _own_scale_k(x)
    X = np.column_stack([np.ones_like(x), x])
    th = fit.varcomp["component"].to_numpy()

    def vfun(p: np.ndarray) -> np.ndarray | None:
        return None if p[0] < 0 or p[1] <= 0 else p[0] * K / c**3 + p[1] * np.eye(len(y))

    assert reml_loglik(y, X, vfun(th)) == pytest.approx(fit.loglik, abs=1e-8)
    _, best = fit_dense(y, X, vfun, [th * 3, th / 3, np.array([1.0, 1.0])],
                        [(0, None), (1e-8, None)], scale=np.abs(th) + 1e-3)
    assert best <= fit.loglik + 1e-7


def test_spl_variance_and_loglik_do_not_change_with_x_units_or_row_order() -> None:
    # x -> a·x leaves the standardised design unchanged: σ²_s, σ²_e to round-off, and ℓ moves
    # by exactly −log a (X's x column × a in log|X'V⁻¹X|); shuffled rows give the same fit
    d = _data()
    base = asr.asreml("y ~ x", "~ spl(x)", data=d)
    comp = base.varcomp["component"]
    for a in (1e-3, 1e3):
        f = asr.asreml("y ~ x", "~ spl(x)", data=d.assign(x=d["x"] * a))
        assert f.converged
        np.testing.assert_allclose(f.varcomp["component"], comp, rtol=1e-6)
        assert f.loglik + np.log(a) == pytest.approx(base.loglik, abs=1e-7)
    sh = asr.asreml("y ~ x", "~ spl(x)", data=d.sample(frac=1.0, random_state=3))
    np.testing.assert_allclose(sh.varcomp["component"], comp, rtol=1e-6)
    assert sh.loglik == pytest.approx(base.loglik, abs=1e-8)


def test_fitted_spl_is_the_smoothing_spline_at_lambda_from_the_standardised_variance() -> None:
    # the REML fit's BLUP is the natural cubic smoothing spline with λ = σ²_e c³ / σ²_s on x's
    # own scale (Green & Silverman: Σ w_j (ȳ_j − f(x_j))² + λ∫f''²; two records per x)
    d = _data().sample(frac=1.0, random_state=7)
    fit = asr.asreml("y ~ x", "~ spl(x)", data=d.assign(x=d["x"] * 1e3))
    s2s, s2e = fit.varcomp["component"]
    xs = np.unique(d["x"].to_numpy() * 1e3)
    c = (xs[-1] - xs[0]) / 9
    means = d.assign(x=d["x"] * 1e3).groupby("x")["y"].mean().to_numpy()
    ref = make_smoothing_spline(xs, means, w=np.full(xs.size, 2.0), lam=s2e * c**3 / s2s)
    np.testing.assert_allclose(fit.result.fitted, ref(d["x"].to_numpy() * 1e3), atol=1e-6)
