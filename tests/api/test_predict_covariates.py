"""predict() with a covariate in classify: at given values, at its mean by default, and
through a random smoothing spline spl(x) (the fitted curve, at its knots by default)."""

import numpy as np
import pandas as pd
import pytest
from scipy.interpolate import CubicSpline

import asr_py as asr


@pytest.fixture(scope="module")
def curve() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    x = np.repeat(np.arange(1, 21), 3).astype(float)
    env = np.tile(["a", "b", "c"], 20)
    y = np.sin(x / 3) + rng.normal(0, 0.2, 60) + (env == "b")
    return pd.DataFrame({"x": x, "y": y, "env": env})


def test_spline_predictions_at_knots_are_the_fitted_curve(curve):
    """Each x has one record per env, so the prediction at x (env averaged) is the mean of
    the fitted values of its records (fitted = Xβ̂ + Zû, a different code path)."""
    m = asr.asreml("y ~ x + env", random="~ spl(x)", data=curve)
    p = m.predict(classify="x")
    assert np.array_equal(p["x"].to_numpy(), np.arange(1, 21).astype(float))
    by_x = m.fitted.groupby(curve["x"]).mean()
    np.testing.assert_allclose(p["predicted.value"], by_x.to_numpy(), rtol=1e-10)
    assert (p["std.error"] > 0).all()


def test_spline_between_knots_is_the_natural_cubic_interpolant(curve):
    """A linear trend plus a cubic smoothing spline is a natural cubic spline in x: between
    knots the prediction equals the natural interpolant through the knot predictions."""
    m = asr.asreml("y ~ x + env", random="~ spl(x)", data=curve)
    knots = m.predict(classify="x")
    ref = CubicSpline(knots["x"], knots["predicted.value"], bc_type="natural")
    new = [1.5, 4.25, 17.9]
    p = m.predict(classify="x", levels={"x": new})
    np.testing.assert_allclose(p["predicted.value"], ref(new), rtol=1e-9, atol=1e-12)


def test_covariate_at_values_and_at_its_mean(curve):
    m = asr.asreml("y ~ x + env", data=curve)
    b = m.coef_fixed["solution"]
    p = m.predict(classify="env:x", levels={"x": [0.0, 2.0]})
    a0 = p[(p["env"] == "a") & (p["x"] == 0.0)]["predicted.value"].iloc[0]
    b2 = p[(p["env"] == "b") & (p["x"] == 2.0)]["predicted.value"].iloc[0]
    assert a0 == pytest.approx(b["(Intercept)"], rel=1e-10)
    assert b2 == pytest.approx(b["(Intercept)"] + b["env_b"] + 2 * b["x"], rel=1e-10)
    d = m.predict(classify="x")
    assert d["x"].tolist() == [pytest.approx(curve["x"].mean())]


def test_dev_term_enters_at_its_levels(curve):
    m = asr.asreml("y ~ x + env", random="~ spl(x) + dev(x)", data=curve)
    p = m.predict(classify="x")
    by_x = m.fitted.groupby(curve["x"]).mean()
    np.testing.assert_allclose(p["predicted.value"], by_x.to_numpy(), rtol=1e-10)
    with pytest.raises(asr.AsrError, match="not a factor or covariate"):
        m.predict(classify="z")


def test_numeric_column_coded_as_factor_predicts_by_level():
    """fac(Year) and C(Year, contr.sum) on an integer column: the same model, the same
    predictions per Year (different codings, one estimable function)."""
    from pathlib import Path

    dt = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "DT_example.csv",
                     dtype={"Name": str, "Env": str})
    dt["x"] = np.arange(len(dt)) / 10.0
    a = asr.asreml("Yield ~ fac(Year) + x", random="~ Name", data=dt).predict("Year")
    b = asr.asreml("Yield ~ C(Year, contr.sum) + x", random="~ Name", data=dt).predict("Year")
    assert a["Year"].tolist() == ["2011", "2012", "2013"]
    np.testing.assert_allclose(a["predicted.value"], b["predicted.value"], rtol=1e-8)
    np.testing.assert_allclose(a["std.error"], b["std.error"], rtol=1e-6)


@pytest.mark.parametrize("basis, raw", [("leg(Days, 1)", "Days"),
                                        ("pol(Days, 2)", "Days + I(Days^2)"),
                                        ("leg(Days, 2)", "Days + I(Days^2)")])
def test_polynomial_bases_keep_their_training_scaling(basis, raw):
    """leg()/pol() columns at new x use the training range/coefficients, so predictions
    equal those of the same model written with raw powers of x."""
    from pathlib import Path

    ss = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "sleepstudy.csv",
                     dtype={"Subject": str})
    new = {"Days": [0.0, 4.5, 9.0, 12.0]}
    a = asr.asreml(f"Reaction ~ {basis}", random="~ Subject", data=ss)
    b = asr.asreml(f"Reaction ~ {raw}", random="~ Subject", data=ss)
    # (REML log-likelihoods differ by the constant log|T'T|/2 of the reparameterised X)
    np.testing.assert_allclose(a.varcomp["component"], b.varcomp["component"], rtol=1e-5)
    pa = a.predict(classify="Days", levels=new)
    pb = b.predict(classify="Days", levels=new)
    np.testing.assert_allclose(pa["predicted.value"], pb["predicted.value"], rtol=1e-8)
    np.testing.assert_allclose(pa["std.error"], pb["std.error"], rtol=1e-6)


def test_unknown_classify_level_is_an_error(curve):
    m = asr.asreml("y ~ x + env", data=curve)
    with pytest.raises(asr.AsrError, match="'zz' not among the levels of 'env'"):
        m.predict(classify="env", levels={"env": ["a", "zz"]})
