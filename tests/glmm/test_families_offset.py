"""The negative binomial and inverse Gaussian families and ``offset(x)`` (session 34).

* Fixed-effect-only fits equal R's glm() (tests/data/glm_families_offset.R, its recorded
  output glm_families_offset.json): ``asr_negative_binomial(phi = 2)`` is
  ``glm(family = MASS::negative.binomial(theta = 2))`` (standard errors with dispersion 1, as
  asreml holds it), ``asr_inverse_gaussian(link, dispersion=None)`` is
  ``glm(family = inverse.gaussian(link))`` (dispersion estimated: Pearson χ²/(n − p)) —
  coefficients, standard errors, deviance and fitted means to 1e-6.
* GLMMs: the same PQL as the binomial/Poisson ones, against the independent dense PQL
  (tests/glmm/_dense_pql.py).
* ``offset(x)``: a known term with coefficient 1: Poisson, negative binomial and Gaussian glm(),
  lmer(REML) with an offset (ℓ, β̂, variance components, fitted values) and MASS::glmmPQL
  (``method='ML'``) with an offset; and offset(o) is the same fit as the response y − o.
* Bad input: the inverse Gaussian without its link/dispersion, offset() inside an
  interaction, a missing offset value, predict() of an offset fit: clear errors.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_pql import dense_pql

import asr_py as asr
from asr_py.errors import AsrError, DataError, FormulaError

REF = json.loads((Path(__file__).resolve().parents[1] / "data" /
                  "glm_families_offset.json").read_text())


@pytest.fixture(scope="module")
def d() -> pd.DataFrame:
    return pd.DataFrame(REF["data"])


def _fit(*args: object, **kw: object) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(*args, **kw)


def _check_glm(m: asr.AsremlFit, key: str) -> None:
    ref = REF[key]
    assert m.converged
    cf = m.coef_fixed
    np.testing.assert_allclose(cf["solution"].to_numpy(), ref["coef"], atol=1e-6)
    np.testing.assert_allclose(cf["std.error"].to_numpy(), ref["se"], rtol=1e-6)
    assert m.deviance == pytest.approx(ref["deviance"], abs=1e-6)
    np.testing.assert_allclose(m.fitted.to_numpy(), ref["fitted"], rtol=1e-6)


GLMS = {
    "nb_log": ("cnt ~ x + f", lambda: asr.asr_negative_binomial(phi=2)),
    "nb_log_offset": ("cnt ~ x + f + offset(log(expo))",
                      lambda: asr.asr_negative_binomial(link="log", phi=2)),
    "ig_log": ("ig ~ x + f", lambda: asr.asr_inverse_gaussian(link="log", dispersion=None)),
    "ig_inverse": ("ig ~ x + f",
                   lambda: asr.asr_inverse_gaussian(link="inverse", dispersion=None)),
    "ig_mu2": ("ig ~ x + f", lambda: asr.asr_inverse_gaussian(link="1/mu^2", dispersion=None)),
    "pois_offset": ("cnt ~ x + f + offset(log(expo))", lambda: asr.asr_poisson()),
}


@pytest.mark.parametrize("key", list(GLMS))
def test_fixed_only_fits_equal_r_glm(d: pd.DataFrame, key: str) -> None:
    formula, family = GLMS[key]
    _check_glm(_fit(formula, data=d, family=family()), key)


def test_gaussian_offset_equals_glm_and_the_shifted_response(d: pd.DataFrame) -> None:
    m = _fit("yg ~ x + offset(0.8 * expo)", data=d)
    ref = REF["gauss_offset"]
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["coef"], atol=1e-9)
    np.testing.assert_allclose(m.coef_fixed["std.error"].to_numpy(), ref["se"], rtol=1e-8)
    np.testing.assert_allclose(m.fitted.to_numpy(), ref["fitted"], atol=1e-9)
    # the same REML fit as y - o (the Jacobian of the shift is 1)
    s = _fit("ys ~ x", data=d.assign(ys=d.yg - 0.8 * d.expo))
    assert m.loglik == pytest.approx(s.loglik, abs=1e-9)
    np.testing.assert_allclose(m.residuals.to_numpy(), s.residuals.to_numpy(), atol=1e-9)


def test_lmm_offset_equals_lmer(d: pd.DataFrame) -> None:
    m = _fit("yg ~ x + offset(0.8 * expo)", random="~ g", data=d)
    ref = REF["lmer_offset"]
    assert m.converged
    assert m.loglik == pytest.approx(ref["loglik"], abs=1e-6)
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["fixef"], atol=1e-6)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), ref["vc"], rtol=1e-5)
    np.testing.assert_allclose(m.fitted.to_numpy(), ref["fitted"], atol=1e-6)
    # two offsets add up, and units of the offset follow the response's
    m2 = _fit("yg ~ x + offset(0.5 * expo) + offset(0.3 * expo)", random="~ g", data=d)
    assert m2.loglik == pytest.approx(m.loglik, abs=1e-8)


def test_pql_offset_equals_glmmpql(d: pd.DataFrame) -> None:
    m = _fit("cnt ~ x + f + offset(log(expo))", random="~ g", data=d, method="ML",
             family=asr.asr_poisson(dispersion=None))
    ref = REF["pql_pois_offset"]
    assert m.converged
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["fixef"], atol=1e-5)
    vc = m.varcomp["component"].to_numpy()
    assert vc[0] == pytest.approx(ref["sigma2_g"], rel=1e-4)
    assert vc[1] == pytest.approx(ref["phi"], rel=1e-4)
    np.testing.assert_allclose(m.coef_random["solution"].to_numpy(), ref["ranef"], atol=1e-4)


def _design(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    X = np.column_stack([np.ones(len(df)), df["x"].to_numpy(),
                         (df["f"] == "b").to_numpy(float), (df["f"] == "c").to_numpy(float)])
    levels = sorted(df["g"].unique())
    Z = (df["g"].to_numpy()[:, None] == np.array(levels)[None, :]).astype(float)
    return X, Z


def test_negative_binomial_glmm_matches_dense_pql(d: pd.DataFrame) -> None:
    m = _fit("cnt ~ x + f", random="~ g", data=d, family=asr.asr_negative_binomial(phi=2))
    assert m.converged
    X, Z = _design(d)
    ref = dense_pql(d["cnt"].to_numpy(float), np.ones(len(d)), X, [Z],
                    [np.eye(Z.shape[1])], "negbin2", "log")
    assert m.varcomp.loc["g", "component"] == pytest.approx(ref["sig"][0], rel=1e-5)
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["beta"], atol=1e-6)
    np.testing.assert_allclose(m.coef_random["solution"].to_numpy(), ref["u"][0], atol=1e-6)


def test_inverse_gaussian_glmm_matches_dense_pql(d: pd.DataFrame) -> None:
    m = _fit("ig ~ x + f", random="~ g", data=d,
             family=asr.asr_inverse_gaussian(link="log", dispersion=None))
    assert m.converged
    X, Z = _design(d)
    ref = dense_pql(d["ig"].to_numpy(float), np.ones(len(d)), X, [Z], [np.eye(Z.shape[1])],
                    "inverse.gaussian", "log", dispersion=None)
    assert m.varcomp.loc["g", "component"] == pytest.approx(ref["sig"][0], rel=1e-4, abs=1e-7)
    assert m.varcomp.loc["units!R", "component"] == pytest.approx(ref["phi"], rel=1e-5)
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["beta"], atol=1e-6)


def test_families_by_name_and_simulate(d: pd.DataFrame) -> None:
    a = _fit("cnt ~ x + f", data=d, family="asr_negative.binomial")   # asreml's defaults
    b = _fit("cnt ~ x + f", data=d, family=asr.asr_negative_binomial(link="log", phi=1))
    np.testing.assert_allclose(a.coef_fixed["solution"], b.coef_fixed["solution"], atol=1e-12)
    sims = _fit("cnt ~ x + f + offset(log(expo))", data=d,
                family=asr.asr_negative_binomial(phi=2)).simulate(400, seed=1)
    mu = REF["nb_log_offset"]["fitted"]
    # mean and variance of the draws follow μ and μ + μ²/2 (pooled over rows)
    assert sims.mean(axis=1).mean() == pytest.approx(np.mean(mu), rel=0.03)
    assert sims.var(axis=1).mean() == pytest.approx(np.mean(np.add(mu, np.square(mu) / 2)),
                                                    rel=0.1)


def test_bad_input_is_a_clear_error(d: pd.DataFrame) -> None:
    with pytest.raises(AsrError, match="link= and dispersion="):
        asr.asr_inverse_gaussian()
    with pytest.raises(AsrError, match="link= and dispersion="):
        _fit("ig ~ x", data=d, family="asr_inverse.gaussian")
    with pytest.raises(AsrError, match="phi must be a positive number"):
        asr.asr_negative_binomial(phi=0)
    with pytest.raises(AsrError, match="link 'probit' is not available"):
        asr.asr_negative_binomial(link="probit")
    with pytest.raises(DataError, match="negative binomial counts must be >= 0"):
        _fit("y ~ x", data=d.assign(y=d.x), family=asr.asr_negative_binomial())
    with pytest.raises(FormulaError, match=r"offset\(x\) is a term of the fixed formula"):
        _fit("yg ~ x + f:offset(expo)", data=d)
    with pytest.raises(DataError, match="missing or non-finite offset"):
        _fit("yg ~ x + offset(log(x))", data=d)   # log of negative x
    m = _fit("yg ~ x + offset(expo)", data=d)
    with pytest.raises(AsrError, match="predict"):
        m.predict("x")


def test_translated_asreml_call_runs_the_same_glm(d: pd.DataFrame) -> None:
    r = ("m <- asreml(cnt ~ x + f + offset(log(expo)), data = d,\n"
         "            family = asr_negative.binomial(link = 'log', phi = 2))\n")
    py = asr.translate(r)
    assert "# TODO" not in py and "offset(log(expo))" in py
    ns: dict = {"d": d.assign(f=d.f.astype("category"))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102 - our own output
    _check_glm(ns["m"], "nb_log_offset")


def test_simulated_gaussian_data_carry_the_offset(d: pd.DataFrame) -> None:
    m = _fit("yg ~ x + offset(0.8 * expo)", random="~ g", data=d)
    sims = m.simulate(300, seed=2)
    # the mean of the draws per row is o + Xβ̂ (random effects and residuals average out)
    b = m.coef_fixed["solution"].to_numpy()
    want = 0.8 * d.expo.to_numpy() + b[0] + b[1] * d.x.to_numpy()
    assert np.corrcoef(sims.mean(axis=1).to_numpy(), want)[0, 1] > 0.95
    assert abs(float(np.mean(sims.mean(axis=1).to_numpy() - want))) < 0.1


def test_offset_among_minus_terms_and_its_arguments(d: pd.DataFrame) -> None:
    a = _fit("yg ~ x - 1 + offset(0.8 * expo)", random="~ g", data=d)
    b = _fit("I(yg - 0.8 * expo) ~ x - 1", random="~ g", data=d)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-9)
    assert list(a.coef_fixed.index) == ["x"]
    with pytest.raises(FormulaError, match="offset\\(\\) takes one expression") as e:
        asr.parse_model("yg ~ offset(expo, 2) + x")
    assert "^" in str(e.value)
