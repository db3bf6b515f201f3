"""predict() of a GLM fit adds asreml's columns transformed.value and approx.se.

Checked against the asreml 4.1/4.2 values asremlPlus records for the budworm binomial fit
(briencj/asremlPlus at b936278, tests/testthat/test42glm.r and test41alldiffs.asr.r:2316-2320:
predicted.value −3.473155, std.error 0.4685204, transformed.value 0.03008577, approx.se
0.01103991 for sex F, ldose 0), and for other links against closed forms of the rule
approx.se = |g⁻¹(η) − g⁻¹(η − se)| (asr_py/results/transformed.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _budworm() -> pd.DataFrame:
    """The MASS budworm data in grouped form, as asremlPlus's test42glm.r writes them."""
    df = pd.DataFrame({"ldose": [float(v) for v in range(6)] * 2,
                       "numdead": [1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16],
                       "sex": ["M"] * 6 + ["F"] * 6, "N": [20] * 12})
    df["p"] = df["numdead"] / df["N"]
    return df


def test_binomial_predictions_carry_asremls_recorded_transformed_value_and_approx_se() -> None:
    df = _budworm()
    m = asr.asreml("p ~ ldose + sex", data=df, family=asr.asr_binomial(total="N"))
    p = m.predict(classify="sex:ldose", levels={"ldose": list(range(6))})
    assert list(p.columns) == ["sex", "ldose", "predicted.value", "std.error", "status",
                               "transformed.value", "approx.se"]
    first = p.iloc[0]
    assert (first["sex"], first["ldose"]) == ("F", 0.0)
    # asreml's recorded values (asremlPlus test42glm.r; its tolerance 1e-5)
    assert first["predicted.value"] == pytest.approx(-3.473155, abs=1e-6)
    assert first["std.error"] == pytest.approx(0.4685204, abs=1e-6)
    assert first["transformed.value"] == pytest.approx(0.03008577, abs=1e-8)
    assert first["approx.se"] == pytest.approx(0.01103991, abs=1e-8)
    # not the delta method p(1 − p)·se (0.01367)
    pr = first["transformed.value"]
    assert abs(pr * (1 - pr) * first["std.error"] - 0.01103991) > 2e-3
    # every row: the inverse logit, and the one-sided difference of the rule
    eta, se = p["predicted.value"].to_numpy(), p["std.error"].to_numpy()
    expit = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    np.testing.assert_allclose(p["transformed.value"], expit(eta), rtol=1e-13)
    np.testing.assert_allclose(p["approx.se"], expit(eta) - expit(eta - se), rtol=1e-10)


def _counts(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(8), 6)
    x = rng.normal(size=g.size)
    eta = 1.0 + 0.3 * x + rng.normal(0, 0.3, 8)[g]
    return pd.DataFrame({"x": x, "g": [f"G{i}" for i in g],
                         "trt": np.tile(["a", "b", "c"], g.size // 3),
                         "y": rng.poisson(np.exp(eta)).astype(float),
                         "z": rng.gamma(4.0, np.exp(eta) / 4.0)})


def test_poisson_log_approx_se_is_mu_times_one_minus_exp_minus_se() -> None:
    df = _counts(3)
    m = asr.asreml("y ~ trt + x", random="~ g", data=df, family=asr.asr_poisson())
    p = m.predict(classify="trt")
    eta, se = p["predicted.value"].to_numpy(), p["std.error"].to_numpy()
    assert np.all(se > 0)
    mu = np.exp(eta)
    np.testing.assert_allclose(p["transformed.value"], mu, rtol=1e-13)
    np.testing.assert_allclose(p["approx.se"], mu * -np.expm1(-se), rtol=1e-10)


def test_gamma_inverse_link_approx_se_is_positive() -> None:
    """μ = 1/η decreases in η: the difference is taken in absolute value."""
    df = _counts(5)
    m = asr.asreml("z ~ trt", data=df, family=asr.asr_Gamma(dispersion=None))
    p = m.predict(classify="trt")
    eta, se = p["predicted.value"].to_numpy(), p["std.error"].to_numpy()
    assert np.all(eta - se > 0)
    np.testing.assert_allclose(p["transformed.value"], 1.0 / eta, rtol=1e-13)
    np.testing.assert_allclose(p["approx.se"], 1.0 / (eta - se) - 1.0 / eta, rtol=1e-10)
    assert np.all(p["approx.se"] > 0)


def test_identity_link_adds_no_columns() -> None:
    """A Gaussian identity-link family is the linear mixed model: the table is asreml's
    usual one."""
    df = _counts(7)
    m = asr.asreml("z ~ trt", random="~ g", data=df, family=asr.asr_gaussian())
    p = m.predict(classify="trt")
    assert list(p.columns) == ["trt", "predicted.value", "std.error", "status"]


def test_difference_across_the_pole_or_turn_of_the_inverse_link_is_nan() -> None:
    """μ = 1/η: from η = 0.3 a step of 0.5 crosses the pole (no difference is defined);
    μ = η²: from η = 0.2 a step of 0.5 passes the turn at 0. Inside: closed forms."""
    from asr_py.glmm.family import Link
    from asr_py.results.transformed import transformed_columns

    eta, se = np.array([0.3, 2.0, np.nan]), np.array([0.5, 0.5, 0.1])
    mu, approx = transformed_columns(eta, se, Link("inverse"))
    np.testing.assert_allclose(mu[:2], [1 / 0.3, 0.5])
    assert np.isnan(approx[0]) and np.isnan(approx[2]) and np.isnan(mu[2])
    assert approx[1] == pytest.approx(1 / 1.5 - 1 / 2.0, rel=1e-14)
    mu, approx = transformed_columns(np.array([0.2, 3.0]), np.array([0.5, 0.5]), Link("sqrt"))
    assert np.isnan(approx[0])
    assert approx[1] == pytest.approx(9.0 - 2.5 ** 2, rel=1e-14)
    mu, approx = transformed_columns(np.array([-1.0, 4.0]), np.array([0.7, 0.2]),
                                     Link("identity"))
    np.testing.assert_allclose(approx, [0.7, 0.2], rtol=1e-12)
