"""asremlPlus's simulate.asreml (asr.plus.simulate_asreml): responses y* = μ + V^{1/2} z
with μ the fitted values Xβ̂ + Zû and V = Z Ĝ Z' + R̂, both rebuilt here in numpy from the
fit's variance components (indicator matrices from the data; GLS and BLUP of
tests/_dense_reml.py), checked by Monte Carlo with stated tolerances; refits of the
compiled model to the observed response against the fit and dense-V REML."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import blup, gls, indicator, reml_loglik

import asr_py as asr
from asr_py.compat.refit_response import refit_response
from asr_py.compat.simulate_asreml import sqrt_factor
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def blocks() -> tuple[pd.DataFrame, object, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"B": np.repeat([f"b{i}" for i in range(6)], 4),
                      "T": np.tile(["t1", "t2", "t3", "t4"], 6)})
    d["y"] = (rng.normal(size=6).repeat(4) * 1.5 + d["T"].map(
        {"t1": 0.0, "t2": 1.0, "t3": 2.0, "t4": 0.5}) + rng.normal(size=24))
    fit = asr.asreml("y ~ T", random="~ B", data=d)
    vc = fit.varcomp["component"]
    Z = indicator(d["B"])
    V = vc["B"] * Z @ Z.T + vc["units!R"] * np.eye(len(d))
    X = np.column_stack([np.ones(len(d)), indicator(d["T"])[:, 1:]])
    b, _ = gls(d["y"].to_numpy(), X, V)
    u, _ = blup(d["y"].to_numpy(), X, V, Z, vc["B"] * np.eye(Z.shape[1]))
    return d, fit, V, X @ b + Z @ u


def test_square_root_factor_reproduces_v_exactly(blocks) -> None:
    _, _, V, _ = blocks
    F = sqrt_factor(V)
    np.testing.assert_allclose(F @ F.T, V, atol=1e-10)


def test_simulated_data_have_mean_mu_and_covariance_v(blocks) -> None:
    d, fit, V, mu = blocks
    nsim = 4000
    out = asr.plus.simulate_asreml(fit, nsim=nsim, seed=11)   # V = estimateV(fit)
    Y = out["data"].to_numpy()
    assert list(out) == ["data"] and Y.shape == (24, nsim)
    assert list(out["data"].columns[:2]) == ["data.1", "data.2"]
    # Monte Carlo: each mean within 5 standard errors sqrt(V_ii / nsim)
    se = np.sqrt(np.diag(V) / nsim)
    assert np.all(np.abs(Y.mean(axis=1) - mu) < 5 * se)
    # each covariance within 5 sd of its estimate, sd = sqrt((V_ii V_jj + V_ij²) / nsim)
    S = np.cov(Y)
    sd = np.sqrt((np.outer(np.diag(V), np.diag(V)) + V ** 2) / nsim)
    assert np.all(np.abs(S - V) < 5 * sd)


def test_given_v_and_means_are_used(blocks) -> None:
    d, fit, V, _ = blocks
    means = np.arange(24.0)
    out = asr.plus.simulate_asreml(fit, nsim=3000, seed=2, means=means, V=4.0 * np.eye(24))
    Y = out["data"].to_numpy()
    assert np.all(np.abs(Y.mean(axis=1) - means) < 5 * np.sqrt(4.0 / 3000))
    assert np.abs(Y.var(axis=1, ddof=1) - 4.0).max() < 5 * 4.0 * np.sqrt(2 / 3000)


def test_seed_repeats_the_draws(blocks) -> None:
    _, fit, V, _ = blocks
    a = asr.plus.simulate_asreml(fit, nsim=3, seed=5, V=V)["data"]
    b = asr.plus.simulate_asreml(fit, nsim=3, seed=5, V=V)["data"]
    pd.testing.assert_frame_equal(a, b)


def test_refit_of_the_observed_response_is_the_fit(blocks) -> None:
    d, fit, V, _ = blocks
    y = np.asarray(fit.model.records.y, dtype=float)
    for update in (True, False):
        res = refit_response(fit, y, update=update)
        assert res.converged
        np.testing.assert_allclose(res.theta, fit.result.theta, rtol=1e-4)
        assert res.loglik == pytest.approx(fit.loglik, abs=1e-6)
    X = np.column_stack([np.ones(len(d)), indicator(d["T"])[:, 1:]])
    assert fit.loglik == pytest.approx(reml_loglik(d["y"].to_numpy(), X, V), abs=1e-6)


def test_refit_matches_a_fresh_fit_of_the_simulated_response(blocks) -> None:
    d, fit, _, _ = blocks
    out = asr.plus.simulate_asreml(fit, nsim=2, seed=3, which="all")
    assert set(out) == {"observed", "data", "fitted", "residuals"}
    assert list(out["observed"].columns) == ["B", "T", "y", "fitted", "residuals"]
    for k in (1, 2):
        dk = d.assign(y=out["data"][f"data.{k}"].to_numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fresh = asr.asreml("y ~ T", random="~ B", data=dk)
        np.testing.assert_allclose(out["residuals"][f"residuals.{k}"], fresh.residuals,
                                   atol=1e-5)
        np.testing.assert_allclose(out["fitted"][f"fitted.{k}"], fresh.fitted, atol=1e-5)


def test_bad_input_is_an_error(blocks) -> None:
    _, fit, V, _ = blocks
    A = V.copy()
    A[0, 1] += 1.0
    with pytest.raises(AsrError, match="symmetric"):
        asr.plus.simulate_asreml(fit, nsim=2, V=A)
    with pytest.raises(AsrError, match="nonnegative definite"):
        asr.plus.simulate_asreml(fit, nsim=2, V=-np.eye(24))
    with pytest.raises(AsrError, match="lengths of means"):
        asr.plus.simulate_asreml(fit, nsim=2, means=np.zeros(5))
    with pytest.raises(AsrError, match="order equals"):
        asr.plus.simulate_asreml(fit, nsim=2, V=np.eye(5))
    with pytest.raises(AsrError, match="which"):
        asr.plus.simulate_asreml(fit, nsim=2, which="nonsense")
    with pytest.raises(AsrError, match="change model"):
        asr.plus.simulate_asreml(fit, nsim=2, which="resid", random="~ T")
    with pytest.raises(AsrError, match="asr.asreml"):
        asr.plus.simulate_asreml(pd.DataFrame(), nsim=2)


def test_units_added_to_residuals_give_y_minus_gls_mean() -> None:
    """With ``units`` the only random term, residual + units BLUP = y − Xβ̂ (β̂ the GLS
    estimate under V), asremlPlus's get.residuals(units = "addtoresiduals")."""
    rng = np.random.default_rng(8)
    d = pd.DataFrame({"Row": np.repeat(np.arange(1, 7), 5), "Col": np.tile(np.arange(1, 6), 6)})
    d["y"] = rng.normal(size=30) + 0.3 * d["Row"] + rng.normal(size=30)
    d = d.astype({"Row": "category", "Col": "category"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = asr.asreml("y ~ 1", random="~ units", residual="~ ar1(Row):ar1(Col)", data=d)
        out = asr.plus.simulate_asreml(fit, nsim=1, which="resid", units="addtores")
    V = asr.plus.estimateV(fit)
    X = np.ones((30, 1))
    b, _ = gls(d["y"].to_numpy(), X, V)
    np.testing.assert_allclose(out["observed"]["residuals"], d["y"] - X @ b, atol=1e-6)
    plain = asr.plus.simulate_asreml(fit, nsim=1, which="resid", V=V)
    np.testing.assert_allclose(plain["observed"]["residuals"], fit.residuals, atol=1e-12)
    with pytest.raises(AsrError, match="units"):
        asr.plus.simulate_asreml(fit, nsim=1, which="resid", units="both")
