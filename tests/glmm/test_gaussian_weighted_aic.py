"""A weighted second stage with ``asr_gaussian(dispersion = 1)`` (Gaussian data, identity
link) is an ordinary linear mixed model: its REML log-likelihood is the data's, so AIC and
BIC are defined (asreml reports them), not NaN as for a PQL fit of other families.

Checked against the REML log-likelihood written out densely:
ℓ = −½[(n−p) log 2π + log|V| + log|X'V⁻¹X| + r'V⁻¹r], V = σ²_b ZZ' + diag(1/w).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    env = np.repeat([f"E{i}" for i in range(6)], 8)
    gen = np.tile([f"G{i}" for i in range(8)], 6)
    w = rng.uniform(0.5, 4.0, env.size)
    y = 5 + rng.normal(0, 0.8, 6)[np.repeat(np.arange(6), 8)] + rng.normal(0, 1, env.size) \
        / np.sqrt(w)
    return pd.DataFrame({"env": pd.Categorical(env), "gen": pd.Categorical(gen), "y": y,
                         "w": w})


def _dense_loglik(d: pd.DataFrame, s2_env: float) -> float:
    n = len(d)
    X = np.column_stack([np.ones(n), pd.get_dummies(d["gen"], drop_first=True).to_numpy(float)])
    Z = pd.get_dummies(d["env"]).to_numpy(float)
    V = s2_env * Z @ Z.T + np.diag(1 / d["w"].to_numpy())
    Vi = np.linalg.inv(V)
    XtViX = X.T @ Vi @ X
    beta = np.linalg.solve(XtViX, X.T @ Vi @ d["y"].to_numpy())
    r = d["y"].to_numpy() - X @ beta
    p = X.shape[1]
    return float(-0.5 * ((n - p) * np.log(2 * np.pi) + np.linalg.slogdet(V)[1]
                         + np.linalg.slogdet(XtViX)[1] + r @ Vi @ r))


def test_weighted_fixed_only_stage_two_has_aic() -> None:
    d = _data()
    m = asr.asreml(fixed="y ~ gen", data=d, weights="w",
                   family=asr.asr_gaussian(dispersion=1))
    ll = _dense_loglik(d, 0.0)
    assert m.loglik == pytest.approx(ll, rel=1e-8, abs=1e-8)
    assert m.n_estimated == 0
    assert m.aic == pytest.approx(-2 * ll, rel=1e-8)
    assert m.bic == pytest.approx(-2 * ll, rel=1e-8)


def test_weighted_stage_two_with_random_env_aic_counts_one_parameter() -> None:
    d = _data()
    m = asr.asreml(fixed="y ~ gen", random="~ env", data=d, weights="w",
                   family=asr.asr_gaussian(dispersion=1))
    s2 = float(m.varcomp.loc[[i for i in m.varcomp.index if i.startswith("env")][0],
                             "component"])
    ll = _dense_loglik(d, s2)
    assert m.loglik == pytest.approx(ll, rel=1e-7)
    # the REML estimate: the dense log-likelihood is not higher nearby
    assert ll >= _dense_loglik(d, s2 * 1.05) and ll >= _dense_loglik(d, s2 * 0.95)
    n_minus_p = len(d) - 8
    assert m.aic == pytest.approx(-2 * ll + 2, rel=1e-7)
    assert m.bic == pytest.approx(-2 * ll + np.log(n_minus_p), rel=1e-7)


def test_non_gaussian_pql_aic_stays_nan() -> None:
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"g": pd.Categorical(np.repeat(list("abcdef"), 10)),
                      "y": rng.poisson(3, 60).astype(float)})
    m = asr.asreml(fixed="y ~ 1", random="~ g", data=d, family=asr.asr_poisson())
    assert np.isnan(m.aic) and np.isnan(m.bic)


def test_fixed_dispersion_with_an_explicit_idv_residual_estimates_its_variance() -> None:
    """asreml holds only the residual scale at the dispersion: residual = ~ idv(units) keeps
    its variance s² estimated (Breeding-Insight/alfalfa_BLUE's second stage: the standard
    errors it records are those of s² = 0.2552, r'Wr/(n - p) of the weighted fit, not of
    s² = 1). REML of y = Xb + e, var(e) = s² diag(1/w): s² = r'Wr / (n - p)."""
    d = _data()
    m = asr.asreml(fixed="y ~ gen + env", residual="~ idv(units)", data=d, weights="w",
                   family=asr.asr_gaussian(dispersion=1))
    X = np.column_stack([np.ones(len(d)),
                         pd.get_dummies(d["gen"], drop_first=True).to_numpy(float),
                         pd.get_dummies(d["env"], drop_first=True).to_numpy(float)])
    W = np.diag(d["w"].to_numpy())
    b = np.linalg.solve(X.T @ W @ X, X.T @ W @ d["y"].to_numpy())
    r = d["y"].to_numpy() - X @ b
    s2 = float(r @ W @ r / (len(d) - X.shape[1]))
    got = float(m.varcomp["component"].iloc[0])
    assert got == pytest.approx(s2, rel=1e-5)
    assert m.varcomp["bound"].iloc[0] != "F"
    # the default residual stays held at the dispersion
    m1 = asr.asreml(fixed="y ~ gen + env", data=d, weights="w",
                    family=asr.asr_gaussian(dispersion=1))
    assert float(m1.varcomp["component"].iloc[0]) == 1.0
    # predictions' standard errors scale by sqrt(s²) between the two (same BLUEs)
    p, p1 = m.predict(classify="gen"), m1.predict(classify="gen")
    np.testing.assert_allclose(p["predicted.value"], p1["predicted.value"], rtol=1e-8)
    np.testing.assert_allclose(p["std.error"], p1["std.error"] * np.sqrt(s2), rtol=1e-5)


def test_dispersion_other_than_one_with_an_explicit_variance_is_an_error() -> None:
    with pytest.raises(asr.ModelError, match="explicit residual variance"):
        asr.asreml(fixed="y ~ gen", residual="~ idv(units)", data=_data(), weights="w",
                   family=asr.asr_gaussian(dispersion=2))
