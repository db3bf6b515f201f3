"""Fixed-formula parts built by formulaic (asr_py.model.formulaic_parts).

Reference values come from formulaic itself (``formulaic.model_matrix`` called here on the
same data) or from closed forms (x - mean, sum-to-zero coding, a scipy B-spline basis on the
training knots, generalised least squares with the fitted variance components).
"""

from __future__ import annotations

from dataclasses import replace

import formulaic
import numpy as np
import pandas as pd
import pytest
from scipy.interpolate import BSpline

import asr_py as asr
from asr_py.errors import AsrError, FormulaError
from asr_py.formula import parse_model
from asr_py.model.fixed import fixed_columns
from asr_py.model.records import Records
from asr_py.model.spec import Model, compile_model


def _data(n: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "Env": rng.choice(["A", "B", "C", "D"], n),
        "Name": rng.choice([f"g{i}" for i in range(8)], n),
        "Year": rng.choice([2001, 2002, 2003], n),
        "x": rng.uniform(0, 10, n),
    })
    df["y"] = np.sin(df["x"]) + (df["Env"] == "B") + rng.normal(scale=0.3, size=n)
    return df


def _X(formula: str, df: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    m = compile_model(formula, data=df)
    assert not m.fixed.aliased
    return m.fixed.X, m.fixed.names


def _on_new_data(model: Model, new: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """X of the compiled fixed formula on new rows, as predict re-materialises it."""
    n = len(new)
    rec = Records(frame=new, y=np.zeros(n), row=np.arange(n), trait=np.zeros(n, dtype=np.int64),
                  traits=model.records.traits)
    ctx = replace(model.context, records=rec, levels=dict(model.context.levels), warnings=[])
    fc = fixed_columns(ctx, model.terms["fixed"], False)
    return fc.X, fc.names


# --- the same columns as formulaic's own model matrix ----------------------------------------


@pytest.mark.parametrize("part", [
    "C(Env, contr.sum)",
    "C(Env, contr.treatment(base='B'))",
    "C(Env, contr.helmert)",
    "center(x)",
    "standardize(x)",
    "bs(x, 3)",
    "bs(x, df=5, degree=2)",
])
def test_columns_equal_formulaic(part: str) -> None:
    df = _data()
    X, names = _X(f"y ~ {part}", df)
    ref = formulaic.model_matrix(part, df)
    np.testing.assert_allclose(X, ref.to_numpy(dtype=float), atol=1e-12)
    assert len(names) == ref.shape[1]
    assert names[0] == "(Intercept)"


@pytest.mark.parametrize("part", ["cr(x, df=4)", "cs(x, df=4)", "cc(x, df=4)",
                                  "C(Env, contr.sum)"])
def test_columns_equal_formulaic_without_intercept(part: str) -> None:
    # cr/cs/cc span the intercept, so compare the intercept-free model (nothing aliased);
    # without an intercept a C() part is coded by full indicators, as formulaic and R do
    df = _data()
    X, names = _X(f"y ~ -1 + {part}", df)
    ref = formulaic.model_matrix(f"0 + {part}", df)
    np.testing.assert_allclose(X, ref.to_numpy(dtype=float), atol=1e-12)
    if part.startswith("C("):
        assert names == list(ref.columns)


def test_spline_spanning_the_intercept_is_aliased_as_asreml() -> None:
    df = _data()
    m = compile_model("y ~ cr(x, df=4)", data=df)
    ref = formulaic.model_matrix("cr(x, df=4)", df).to_numpy(dtype=float)
    assert m.fixed.aliased == ["cr(x, df = 4)[4]"]
    np.testing.assert_allclose(m.fixed.X, ref[:, :4], atol=1e-12)


# --- closed forms ------------------------------------------------------------------------------


def test_center_is_x_minus_mean() -> None:
    df = _data()
    X, names = _X("y ~ center(x)", df)
    assert names == ["(Intercept)", "center(x)"]
    x = df["x"].to_numpy()
    np.testing.assert_allclose(X[:, 1], x - x.sum() / x.size, atol=1e-12)


def test_contr_sum_is_sum_to_zero_coding() -> None:
    df = _data()
    X, names = _X("y ~ C(Env, contr.sum)", df)
    assert names == ["(Intercept)"] + [f"C(Env, contr.sum)[S.{lv}]" for lv in "ABC"]
    env = df["Env"].to_numpy()
    for j, lv in enumerate("ABC"):
        expected = (env == lv).astype(float) - (env == "D").astype(float)
        np.testing.assert_array_equal(X[:, 1 + j], expected)


def test_contr_treatment_base_drops_the_named_level() -> None:
    df = _data()
    X, names = _X("y ~ C(Env, contr.treatment(base = 'B'))", df)
    assert [nm.rsplit("[", 1)[1] for nm in names[1:]] == ["T.A]", "T.C]", "T.D]"]
    env = df["Env"].to_numpy()
    for j, lv in enumerate("ACD"):
        np.testing.assert_array_equal(X[:, 1 + j], (env == lv).astype(float))


def test_interactions_with_other_parts() -> None:
    df = _data()
    env, x = df["Env"].to_numpy(), df["x"].to_numpy()
    # C(Env) * x: sum-coded slopes (x in the model), as R's model.matrix
    X, names = _X("y ~ C(Env, contr.sum) * x", df)
    assert names[4:] == ["x"] + [f"C(Env, contr.sum)[S.{lv}]:x" for lv in "ABC"]
    for j, lv in enumerate("ABC"):
        s = (env == lv).astype(float) - (env == "D")
        np.testing.assert_allclose(X[:, 5 + j], s * x)
    # center(x):Env with Env not in the model: one centred slope per level
    X, names = _X("y ~ center(x):Env", df)
    assert names == ["(Intercept)"] + [f"center(x):Env_{lv}" for lv in "ABCD"]
    for j, lv in enumerate("ABCD"):
        np.testing.assert_allclose(X[:, 1 + j], (x - x.mean()) * (env == lv))
    # an ASReml part times a formulaic part
    X, names = _X("y ~ at(Env, 'B'):bs(x, 3)", df)
    ref = formulaic.model_matrix("0 + bs(x, 3)", df).to_numpy(dtype=float)
    np.testing.assert_allclose(X[:, 1:], ref * (env == "B")[:, None], atol=1e-12)
    assert names[1] == "at(Env, 'B'):bs(x, 3)[1]"


def test_multivariate_trait_by_spline_and_C_levels() -> None:
    df = _data()
    df["y2"] = 2 * df["y"] + 1
    m = compile_model("cbind(y, y2) ~ trait + trait:bs(x, 3)", data=df)
    ref = formulaic.model_matrix("0 + bs(x, 3)", df).to_numpy(dtype=float)
    X = m.fixed.X  # records are trait within row: even rows y, odd rows y2
    np.testing.assert_allclose(X[0::2, 2:5], ref, atol=1e-12)
    np.testing.assert_allclose(X[1::2, 5:8], ref, atol=1e-12)
    assert not X[0::2, 5:8].any() and not X[1::2, 2:5].any()
    assert m.fixed.names[2] == "trait_y:bs(x, 3)[1]"
    # levels = c(...) reaches formulaic as a list: the first level given is the base
    X, names = _X("y ~ C(Env, levels = c('D', 'C', 'B', 'A'))", df)
    env = df["Env"].to_numpy()
    assert [nm[-4:] for nm in names[1:]] == ["T.C]", "T.B]", "T.A]"]
    for j, lv in enumerate("CBA"):
        np.testing.assert_array_equal(X[:, 1 + j], (env == lv).astype(float))


def test_existing_transforms_are_unchanged() -> None:
    df = _data()
    X, names = _X("y ~ log(x) + poly(x, 2) + Env", df)
    x = df["x"].to_numpy()
    assert names == ["(Intercept)", "log(x)", "poly(x, 2)1", "poly(x, 2)2", "Env_B", "Env_C",
                     "Env_D"]
    np.testing.assert_allclose(X[:, 1], np.log(x))
    P = X[:, 2:4]  # R's poly: orthonormal, orthogonal to the constant, spanning x and x^2
    np.testing.assert_allclose(P.T @ P, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(P.sum(axis=0), 0, atol=1e-12)
    X, names = _X("y ~ scale(x)", df)
    assert names == ["(Intercept)", "scale(x)"]
    np.testing.assert_allclose(X[:, 1], (x - x.mean()) / x.std(ddof=1))


def test_data_is_not_modified() -> None:
    df = _data()
    before = df.copy()
    compile_model("y ~ C(Env, contr.sum) + bs(x, 3) + center(x):C(Year, contr.sum)", data=df)
    pd.testing.assert_frame_equal(df, before)


# --- re-materialisation on new data uses the training state -----------------------------------


def test_center_on_new_data_subtracts_training_mean() -> None:
    df = _data()
    m = compile_model("y ~ center(x)", data=df)
    new = pd.DataFrame({"x": [1.0, 2.0]})
    X, names = _on_new_data(m, new)
    assert names == ["(Intercept)", "center(x)"]
    np.testing.assert_allclose(X[:, 1], new["x"].to_numpy() - df["x"].mean())
    assert not np.allclose(X[:, 1], [-0.5, 0.5])  # not centred on the new frame


def test_bs_on_new_data_uses_training_knots() -> None:
    df = _data()
    m = compile_model("y ~ bs(x, 4)", data=df)
    new = pd.DataFrame({"x": [2.5, 7.0, 9.0]})
    X, _ = _on_new_data(m, new)
    # closed form: cubic B-splines on the training boundary knots and training median
    x = df["x"].to_numpy()
    lo, hi, mid = x.min(), x.max(), np.median(x)
    t = np.r_[[lo] * 4, mid, [hi] * 4]
    basis = BSpline.design_matrix(new["x"].to_numpy(), t, 3).toarray()[:, 1:]
    np.testing.assert_allclose(X[:, 1:], basis, atol=1e-12)
    # and formulaic's own spec from the training data agrees
    spec = formulaic.model_matrix("bs(x, 4)", df).model_spec
    np.testing.assert_allclose(X, spec.get_model_matrix(new).to_numpy(dtype=float), atol=1e-12)


def test_C_on_new_data_keeps_training_levels_and_types() -> None:
    df = _data()
    m = compile_model("y ~ C(Env, contr.sum) + C(Year, contr.sum)", data=df)
    # predict's grid holds level labels as text, also for the numeric Year
    new = pd.DataFrame({"Env": ["D", "A"], "Year": ["2003", "2001"]}, dtype=object)
    X, names = _on_new_data(m, new)
    assert names == list(m.fixed.names)
    np.testing.assert_array_equal(X[0], [1, -1, -1, -1, -1, -1])
    np.testing.assert_array_equal(X[1], [1, 1, 0, 0, 1, 0])
    assert m.context.levels["Env"] == ("A", "B", "C", "D")
    assert m.context.levels["Year"] == ("2001", "2002", "2003")


def test_predictions_do_not_depend_on_coding_or_centring() -> None:
    df = _data(60, seed=5)
    a = asr.asreml("y ~ C(Env, contr.sum) + center(x) + bs(x, 3)", random="~ Name", data=df)
    b = asr.asreml("y ~ Env + x + bs(x, 3)", random="~ Name", data=df)
    # same column space: same REML estimates (the log-likelihood moves by log|det T| only)
    np.testing.assert_allclose(a.varcomp["component"], b.varcomp["component"], rtol=1e-5)
    pa, pb = a.predict("Env"), b.predict("Env")
    assert list(pa["Env"]) == ["A", "B", "C", "D"]
    np.testing.assert_allclose(pa["predicted.value"], pb["predicted.value"], rtol=1e-6)
    np.testing.assert_allclose(pa["std.error"], pb["std.error"], rtol=1e-5)


def test_terms_record_which_parts_are_factors() -> None:
    # what predict needs to average over / classify by the factor of C(Year) on a numeric
    # column (a factor part, as fac(Year)), and to hold x of center(x) at its mean
    m = compile_model("y ~ C(Year, contr.sum) + center(x) + bs(x, 3):Env + fac(Year):x",
                      data=_data())
    got = {t.label: (t.factors, t.factor_parts) for t in m.fixed.terms}
    assert got["C(Year, contr.sum)"] == (("Year",), ("Year",))
    assert got["center(x)"] == (("x",), ())
    assert got["bs(x, 3):Env"] == (("x", "Env"), ("Env",))
    assert got["fac(Year):x"] == (("Year", "x"), ("Year",))


def test_poly_pol_scale_on_new_data_use_the_training_basis() -> None:
    # asr_py's own poly/pol/scale keep their training values and re-materialise, like the
    # formulaic parts, from training state (R's predict(poly(...)) / scale attributes)
    df = _data()
    m = compile_model("y ~ poly(x, 3) + pol(x, 2) + scale(x)", data=df)
    x, x_new = df["x"].to_numpy(), np.array([0.5, 4.0, 12.0])
    X, names = _on_new_data(m, pd.DataFrame({"x": x_new}))
    assert names == m.fixed.all_names
    fc_train, _ = _on_new_data(m, df)  # on the training rows: exactly the compiled X
    kept = [names.index(nm) for nm in m.fixed.names]
    np.testing.assert_array_equal(fc_train[:, kept], m.fixed.X)
    for j, nm in enumerate(names):
        if nm == "(Intercept)":
            continue
        deg = 1 if nm == "scale(x)" else int(nm[-1])
        coef = np.polyfit(x, fc_train[:, j], deg)  # each column is a polynomial in x
        np.testing.assert_allclose(np.polyval(coef, x), fc_train[:, j], atol=1e-9)
        np.testing.assert_allclose(X[:, j], np.polyval(coef, x_new), atol=1e-8)
    np.testing.assert_allclose(X[:, names.index("scale(x)")], (x_new - x.mean()) / x.std(ddof=1))


def test_predict_with_poly_pol_scale_equals_raw_polynomials() -> None:
    df = _data(60, seed=5)
    ref = asr.asreml("y ~ x + I(x^2) + Env", random="~ Name", data=df).predict("Env")
    for f in ("y ~ poly(x, 2) + Env", "y ~ pol(x, 2) + Env", "y ~ scale(x) + I(x^2) + Env"):
        got = asr.asreml(f, random="~ Name", data=df).predict("Env")
        np.testing.assert_allclose(got["predicted.value"], ref["predicted.value"], rtol=1e-6)
        np.testing.assert_allclose(got["std.error"], ref["std.error"], rtol=1e-5)


# --- a fit ---------------------------------------------------------------------------------------


def test_fit_with_bs_equals_gls() -> None:
    df = _data(60, seed=7)
    fit = asr.asreml("y ~ bs(x, 4) + Env", random="~ Name", data=df)
    assert fit.converged
    X = formulaic.model_matrix("bs(x, 4) + Env", df).to_numpy(dtype=float)
    Z = pd.get_dummies(df["Name"]).to_numpy(dtype=float)
    vc = fit.varcomp["component"]
    V = vc["Name"] * Z @ Z.T + vc["units!R"] * np.eye(len(df))
    Vi = np.linalg.inv(V)
    beta = np.linalg.solve(X.T @ Vi @ X, X.T @ Vi @ df["y"].to_numpy())
    np.testing.assert_allclose(fit.coef_fixed["solution"].to_numpy(), beta, rtol=1e-6,
                               atol=1e-8)
    assert list(fit.coef_fixed.index[1:5]) == [f"bs(x, 4)[{j}]" for j in range(1, 5)]


# --- validation and errors ------------------------------------------------------------------------


def test_formulaic_calls_pass_fixed_validation_but_not_random() -> None:
    for part in ("C(Env, contr.sum)", "center(x)", "bs(x, 3)", "cr(x, df = 4)", "cc(x, df = 4)",
                 "cs(x, df = 4)", "standardize(x)"):
        parse_model(f"y ~ {part}")
        with pytest.raises(FormulaError) as e:
            parse_model("y ~ 1", random=f"~ {part}")
        assert "cannot be a random term" in str(e.value) and e.value.hint
        assert "^" in str(e.value)


def test_unknown_function_still_a_caret_error_with_suggestion() -> None:
    with pytest.raises(FormulaError) as e:
        parse_model("y ~ centre(x)")
    msg = str(e.value)
    assert "unknown function centre()" in msg and "did you mean center?" in msg
    assert "    ^^^^^^^^^" in msg


def test_bad_arguments_are_caret_errors() -> None:
    df = _data()
    with pytest.raises(FormulaError) as e:
        compile_model("y ~ C(Env, contr.bogus)", data=df)
    assert "formulaic cannot evaluate C(Env, contr.bogus)" in str(e.value)
    assert "^" in str(e.value) and e.value.hint
    with pytest.raises(FormulaError) as e:
        compile_model("y ~ center(Env)", data=df)
    assert "center(Env)" in str(e.value) and "^" in str(e.value)
    with pytest.raises(FormulaError) as e:
        compile_model("y ~ bs(xx, 3)", data=df)
    assert "'xx'" in str(e.value) and "did you mean 'x'" in str(e.value)
    with pytest.raises(FormulaError) as e:
        parse_model("y ~ bs(x, dff = 3)")
    assert "did you mean df?" in str(e.value)


def test_new_values_outside_the_spline_range_are_a_clear_error() -> None:
    df = _data()
    m = compile_model("y ~ bs(x, 3)", data=df)
    with pytest.raises(AsrError) as e:
        _on_new_data(m, pd.DataFrame({"x": [50.0]}))
    assert "bs(x, 3)" in str(e.value) and "extrapolation" in str(e.value.hint)
