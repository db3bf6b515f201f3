"""ante(f, k) and chol(f, k): closed forms, the antedependence (regression) reading, every
order against finite differences, and the full-order structures against us(f) in REML fits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from vcov_helpers import check_template

import asr_py as asr
from asr_py.errors import ModelError
from asr_py.reml import fit_reml
from asr_py.reml.problem import RandomBlock
from asr_py.vcov import Kronecker, get_structure, to_dense

DATA = Path(__file__).resolve().parents[1] / "data"


def make(name: str, n: int, **opts: object):
    return get_structure(name)([f"L{i}" for i in range(n)], name="f", **opts)


def wishart(n: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(n, n + 2))
    return a @ a.T / (n + 2) + 0.1 * np.eye(n)


def random_theta(t, rng: np.random.Generator) -> np.ndarray:
    """d_i in (0.5, 2), off-diagonal factor elements in (−0.8, 0.8)."""
    return np.array([rng.uniform(0.5, 2.0) if k == "variance" else rng.uniform(-0.8, 0.8)
                     for k in t.param_kinds])


# ----- every order against finite differences and dense algebra ----------------------------
@pytest.mark.parametrize("name", ["ante", "chol"])
@pytest.mark.parametrize("n", [2, 3, 4, 6])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_order_against_finite_differences(name: str, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k in range(1, n):
        t = make(name, n, order=k)
        # parameter count: n diagonal + Σ_{m=1..k} (n − m) band elements
        assert t.n_params == n + sum(n - m for m in range(1, k + 1))
        th = random_theta(t, rng)
        assert t.is_valid(th)
        check_template(t, th)
        init = t.initial(3.0)
        assert t.is_valid(init) and init.shape == (t.n_params,)


def test_names_kinds_and_order() -> None:
    a = make("ante", 3, order=1)
    assert a.param_names == ["f_L0!d", "f_L0:L1!u", "f_L1!d", "f_L1:L2!u", "f_L2!d"]
    assert a.param_kinds == ["variance", "other", "variance", "other", "variance"]
    c = make("chol", 3, order=2)
    assert c.param_names == ["f_L0!d", "f_L1:L0!l", "f_L1!d", "f_L2:L0!l", "f_L2:L1!l",
                             "f_L2!d"]
    assert make("chol", 4).order == 1 and make("ante", 4).order == 1  # ASReml's default
    assert make("ante", 4, k=2).order == 2  # the formula's argument name is accepted too
    assert a.has_variance and c.has_variance
    # d > 0 is the only restriction: bounds are [0, inf) and (−inf, inf)
    np.testing.assert_array_equal(a.lower(), [0, -np.inf, 0, -np.inf, 0])


@pytest.mark.parametrize("name", ["ante", "chol"])
@pytest.mark.parametrize("bad", [0, -1, 4, 2.5, True, "2"])
def test_bad_order_is_a_model_error(name: str, bad: object) -> None:
    with pytest.raises(ModelError, match="order"):
        make(name, 4, order=bad)


@pytest.mark.parametrize("name", ["ante", "chol"])
def test_is_valid(name: str) -> None:
    t = make(name, 3, order=2)
    th = t.initial(1.0)
    assert t.is_valid(th)
    for bad_d in (0.0, -0.5, np.nan):
        b = th.copy()
        b[0] = bad_d
        assert not t.is_valid(b)
    b = th.copy()
    b[1] = np.inf
    assert not t.is_valid(b)
    assert not t.is_valid(th[:-1])
    b = th.copy()
    b[0] = -1.0
    with pytest.raises(np.linalg.LinAlgError):
        t.logdet(b)


# ----- closed forms ----------------------------------------------------------------------------
def test_chol_is_l_d_lt_with_k_bands() -> None:
    t = make("chol", 4, order=2)
    th = np.array([2.0, 0.5, 1.0, -0.3, 0.7, 1.5, 0.2, -0.4, 0.8])
    # written out by hand from the θ order d1, l21, d2, l31, l32, d3, l42, l43, d4
    low = np.array([[1, 0, 0, 0], [0.5, 1, 0, 0], [-0.3, 0.7, 1, 0], [0, 0.2, -0.4, 1.0]])
    d = np.diag([2.0, 1.0, 1.5, 0.8])
    sig = low @ d @ low.T
    np.testing.assert_allclose(t.matrix(th), sig, atol=1e-14)
    np.testing.assert_allclose(t.logdet(th), np.log([2.0, 1.0, 1.5, 0.8]).sum())
    np.testing.assert_allclose(t.inverse(th), np.linalg.inv(sig), atol=1e-12)
    # L with bandwidth k gives Σ with bandwidth k
    big = make("chol", 7, order=2)
    m = big.matrix(random_theta(big, np.random.default_rng(3)))
    i, j = np.indices(m.shape)
    assert np.all(m[np.abs(i - j) > 2] == 0) and np.all(m[np.abs(i - j) == 2] != 0)


def test_ante_inverse_is_u_d_ut_with_k_bands() -> None:
    t = make("ante", 4, order=2)
    th = np.array([2.0, 0.5, 1.0, -0.3, 0.7, 1.5, 0.2, -0.4, 0.8])
    # θ order d1, U12, d2, U13, U23, d3, U24, U34, d4
    up = np.array([[1, 0.5, -0.3, 0], [0, 1, 0.7, 0.2], [0, 0, 1, -0.4], [0, 0, 0, 1.0]])
    prec = up @ np.diag([2.0, 1.0, 1.5, 0.8]) @ up.T
    np.testing.assert_allclose(t.inverse(th), prec, atol=1e-14)
    np.testing.assert_allclose(t.matrix(th), np.linalg.inv(prec), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.logdet(th), -np.log([2.0, 1.0, 1.5, 0.8]).sum())
    big = make("ante", 7, order=2)
    p = big.inverse(random_theta(big, np.random.default_rng(4)))
    i, j = np.indices(p.shape)
    assert np.all(p[np.abs(i - j) > 2] == 0) and np.all(p[np.abs(i - j) == 2] != 0)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_ante_is_antedependence(k: int) -> None:
    """From Σ alone (numpy): the regression of level j on all earlier levels has
    coefficients −U_ij on the k previous levels, 0 before them, and residual variance 1/d_j
    (Gabriel's antedependence of order k)."""
    n = 6
    t = make("ante", n, order=k)
    th = random_theta(t, np.random.default_rng(k))
    up, d = t.factors(th)
    s = to_dense(t.matrix(th))
    for j in range(1, n):
        beta = np.linalg.solve(s[:j, :j], s[:j, j])
        cvar = s[j, j] - s[j, :j] @ beta
        expect = np.zeros(j)
        lo = max(0, j - k)
        expect[lo:] = -up[lo:j, j]
        np.testing.assert_allclose(beta, expect, atol=1e-10)
        np.testing.assert_allclose(cvar, 1.0 / d[j], rtol=1e-10)


# ----- full order spans the same matrices as us ------------------------------------------------
@pytest.mark.parametrize("name", ["ante", "chol"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_full_order_reaches_every_pd_matrix(name: str, n: int) -> None:
    rng = np.random.default_rng(n)
    t = make(name, n, order=max(n - 1, 1))
    for _ in range(3):
        s = wishart(n, rng)
        th = t.from_matrix(s)
        assert t.is_valid(th)
        np.testing.assert_allclose(t.matrix(th), s, rtol=1e-10, atol=1e-12)
    # the default start is the us start matrix (variances s, covariances 0.1 s)
    us = make("us", n)
    np.testing.assert_allclose(t.matrix(t.initial(2.0)), us.matrix(us.initial(2.0)),
                               atol=1e-12)


@pytest.mark.parametrize("name", ["ante", "chol"])
def test_lower_order_start_is_the_band_of_the_us_start(name: str) -> None:
    """Truncating the factor of s(0.9 I + 0.1 J) to k bands: diagonal of the factor kept."""
    n, s0 = 5, 2.0
    t = make(name, n, order=1)
    full = make(name, n, order=n - 1)
    ft = dict(zip(full.param_names, full.initial(s0)))
    np.testing.assert_allclose(t.initial(s0), [ft[nm] for nm in t.param_names])


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv",
                       dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


def _sigma(fit, template_name: str) -> np.ndarray:
    t = fit.model.random[0].template.parts[0]
    assert type(t).__name__ == template_name
    return to_dense(t.matrix(fit.result.theta[: t.n_params]))


def test_formula_fits_with_two_levels_match_us(dt: pd.DataFrame) -> None:
    """Two environments: the default order 1 is n − 1, so ante/chol/us are one model."""
    d2 = dt[dt["Env"] != "CA.2013"].copy()
    fits = {s: asr.asreml("Yield ~ Env", random=f"~ {s}(Env):Name", data=d2)
            for s in ("us", "ante", "chol")}
    assert all(f.converged for f in fits.values())
    ll = fits["us"].loglik
    assert fits["ante"].loglik == pytest.approx(ll, abs=1e-6)
    assert fits["chol"].loglik == pytest.approx(ll, abs=1e-6)
    s_us = _sigma(fits["us"], "Unstructured")
    np.testing.assert_allclose(_sigma(fits["ante"], "Antedependence"), s_us, rtol=2e-3)
    np.testing.assert_allclose(_sigma(fits["chol"], "Cholesky"), s_us, rtol=2e-3)
    np.testing.assert_allclose(fits["ante"].residuals, fits["us"].residuals, atol=1e-3)


def test_formula_ante_compiles_and_fits(dt: pd.DataFrame) -> None:
    """``random = ~ ante(Env):Name`` on three environments: an order-1 model (5 parameters)
    nested in us (6), so its ℓ is below us's; names carry the factor."""
    fa = asr.asreml("Yield ~ Env", random="~ ante(Env):Name", data=dt)
    fu = asr.asreml("Yield ~ Env", random="~ us(Env):Name", data=dt)
    assert fa.converged
    names = list(fa.varcomp.index)
    assert names[:5] == ["Env:Name!Env_CA.2011!d", "Env:Name!Env_CA.2011:CA.2012!u",
                         "Env:Name!Env_CA.2012!d", "Env:Name!Env_CA.2012:CA.2013!u",
                         "Env:Name!Env_CA.2013!d"]
    assert fa.loglik < fu.loglik
    # at the estimates, the REML score vanishes (a stationary point of ℓ, not just a stop)
    assert np.max(np.abs(fa.result.score)) < 1e-3
    # the fitted Σ has a tridiagonal inverse (environments 1 and 3 independent given 2)
    p = np.linalg.inv(_sigma(fa, "Antedependence"))
    assert abs(p[0, 2]) < 1e-10 * np.abs(p).max()


@pytest.mark.parametrize("name", ["ante", "chol"])
def test_full_order_reml_matches_us_three_levels(dt: pd.DataFrame, name: str) -> None:
    """Three environments, order 2 = n − 1: the us(Env):Name problem with its G template
    swapped for ante/chol(Env, 2) ⊗ I reaches the same REML maximum."""
    fu = asr.asreml("Yield ~ Env", random="~ us(Env):Name", data=dt)
    assert fu.converged
    prob = fu.model.problem()
    kron = prob.random[0].template
    levels = kron.parts[0].levels
    t = get_structure(name)(levels, name="Env", order=2)
    swapped = Kronecker([t, kron.parts[1]])
    th0 = np.concatenate([t.initial(1.0), prob.theta0[kron.n_params:]])
    k = t.n_params
    prob2 = type(prob)(y=prob.y, X=prob.X,
                       random=[RandomBlock(prob.random[0].name, prob.random[0].Z, swapped)],
                       residual=prob.residual, theta0=th0,
                       constraints=["P" if kd == "variance" else "U" for kd in t.param_kinds]
                       + list(prob.constraints[kron.n_params:]),
                       names=t.param_names + list(prob.names[kron.n_params:]))
    res = fit_reml(prob2, maxit=50)
    assert res.converged
    assert res.loglik == pytest.approx(fu.loglik, abs=1e-6)
    np.testing.assert_allclose(to_dense(t.matrix(res.theta[:k])), _sigma(fu, "Unstructured"),
                               rtol=2e-3)
