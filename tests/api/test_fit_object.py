"""The fit object's tables checked against independent computations."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr


@pytest.fixture(scope="module")
def fit(dt_example):
    return asr.asreml("Yield ~ Env", "~ Name", data=dt_example)


def test_varcomp_and_start_values_table(fit, dt_example):
    vc = fit.varcomp
    assert list(vc.index) == ["Name", "units!R"]
    assert list(vc.columns) == ["component", "std.error", "z.ratio", "bound", "%ch"]
    sv = asr.asreml("Yield ~ Env", "~ Name", data=dt_example, start_values=True)
    assert list(sv.columns[:3]) == ["Component", "Value", "Constraint"]
    assert list(sv["Component"]) == ["Name", "units!R"]


def test_fixed_at_start_value(dt_example):
    sv = asr.asreml("Yield ~ Env", "~ Name", data=dt_example, start_values=True)
    sv.loc[sv.Component == "Name", ["Value", "Constraint"]] = [2.0, "F"]
    m = asr.asreml("Yield ~ Env", "~ Name", data=dt_example, params=sv)
    assert m.varcomp.loc["Name", "component"] == 2.0
    assert m.varcomp.loc["Name", "bound"] == "F"
    # profile: the fixed-variance fit cannot beat the free one
    free = asr.asreml("Yield ~ Env", "~ Name", data=dt_example)
    assert m.loglik <= free.loglik + 1e-9


def test_aic_bic_definitions(fit):
    k = 2
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * k)
    assert fit.bic == pytest.approx(-2 * fit.loglik + k * np.log(185 - 3))


def test_wald_matches_direct_quadratic_form(fit):
    w = fit.wald()
    beta = fit.coef_fixed["solution"].to_numpy()
    V = fit.vcov_fixed.to_numpy()
    # total Wald statistic = beta' V^-1 beta, split incrementally
    assert w["Wald statistic"].sum() == pytest.approx(beta @ np.linalg.solve(V, beta), rel=1e-9)
    # the last term's incremental statistic is its conditional (marginal) Wald test
    idx = [1, 2]
    cond = beta[idx] @ np.linalg.solve(V[np.ix_(idx, idx)], beta[idx])
    assert w.loc["Env", "Wald statistic"] == pytest.approx(cond, rel=1e-9)
    assert w.loc["Env", "Pr(Chisq)"] == pytest.approx(stats.chi2.sf(cond, 2))


def test_predict_env_means(fit):
    p = fit.predict("Env")
    b = fit.coef_fixed["solution"].to_numpy()
    V = fit.vcov_fixed.to_numpy()
    L = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1]], float)
    np.testing.assert_allclose(p["predicted.value"], L @ b, rtol=1e-10)
    np.testing.assert_allclose(p["std.error"], np.sqrt(np.diag(L @ V @ L.T)), rtol=1e-8)


def test_predict_random_factor_includes_blups(fit):
    p = fit.predict("Name").set_index("Name")
    b = fit.coef_fixed["solution"].to_numpy()
    u = fit.coef_random["solution"]
    env_avg = b[0] + (b[1] + b[2]) / 3
    first = p.index[0]
    assert p.loc[first, "predicted.value"] == pytest.approx(env_avg + u[f"Name_{first}"])


def test_vpredict_ratio_delta_method(fit):
    v = fit.vpredict("h2 ~ V1/(V1+V2)")
    th = fit.varcomp["component"].to_numpy()
    assert v.loc["h2", "Estimate"] == pytest.approx(th[0] / th.sum())
    g = np.array([th[1], -th[0]]) / th.sum() ** 2
    se = np.sqrt(g @ fit.result.vcov_theta @ g)
    assert v.loc["h2", "SE"] == pytest.approx(se, rel=1e-5)


def test_vpredict_errors(fit):
    with pytest.raises(asr.FormulaError, match="V9 does not exist"):
        fit.vpredict("h2 ~ V9/(V1+V2)")


def test_update_refits_from_estimates(fit):
    m2 = fit.update()
    assert m2.loglik == pytest.approx(fit.loglik, abs=1e-8)
    assert m2.result.n_iter <= 3


def test_params_table_restarts_at_the_optimum(fit, dt_example):
    """m.params (asreml's G.param/R.param) holds the estimates; a fit started from it is at
    the optimum already (same loglik, at most 2 iterations)."""
    tab = fit.params
    assert list(tab["Component"]) == list(fit.varcomp.index)
    np.testing.assert_allclose(tab["Value"], fit.varcomp["component"])
    m = asr.asreml("Yield ~ Env", "~ Name", data=dt_example, params=tab)
    assert m.loglik == pytest.approx(fit.loglik, abs=1e-8)
    assert m.result.n_iter <= 2


def test_update_with_a_new_term_keeps_matching_estimates(fit, dt_example):
    """update(random=...) starts shared components at this fit's estimates: the start
    values seen at iteration 0 are the estimates for 'Name' and 'units!R'."""
    m2 = fit.update(random="~ Name + Env:Name")
    ref = asr.asreml("Yield ~ Env", "~ Name + Env:Name", data=dt_example)
    assert m2.loglik == pytest.approx(ref.loglik, abs=1e-6)
    start = dict(zip(m2.result.names, m2.result.history[0]["theta"]))
    assert start["Name"] == pytest.approx(fit.varcomp.loc["Name", "component"])
    assert start["units!R"] == pytest.approx(fit.varcomp.loc["units!R", "component"])


def test_lrt_halves_boundary_pvalue(dt_example):
    m1 = asr.asreml("Yield ~ Env", "~ Name", data=dt_example)
    m2 = asr.asreml("Yield ~ Env", "~ Name + Env:Name", data=dt_example)
    t = asr.lrt(m1, m2)
    lr = 2 * (m2.loglik - m1.loglik)
    assert t["LR-statistic"].iloc[0] == pytest.approx(lr)
    assert t["Pr(Chisq)"].iloc[0] == pytest.approx(stats.chi2.sf(lr, 1) / 2)


def test_fitted_plus_residuals_is_y(fit, dt_example):
    s = fit.fitted + fit.residuals
    np.testing.assert_allclose(s.to_numpy(), dt_example.loc[s.index, "Yield"].to_numpy())


def test_summary_mentions_convergence_and_components(fit):
    text = fit.summary()
    assert "converged: True" in text and "units!R" in text


def test_bivariate_predict_and_genetic_correlation(dt_example):
    m = asr.asreml("cbind(Yield, Weight) ~ trait + trait:Env", "~ us(trait):Name",
                   "~ units:us(trait)", data=dt_example)
    p = m.predict("trait:Env")
    assert len(p) == 6
    with pytest.raises(asr.AsrError, match="trait in classify"):
        m.predict("Env")
    rg = m.vpredict("rg ~ V2/sqrt(V1*V3)")
    th = m.varcomp["component"].to_numpy()
    assert rg.iloc[0, 0] == pytest.approx(th[1] / np.sqrt(th[0] * th[2]))
    assert 0 < rg.iloc[0, 1] < 0.1
    assert isinstance(m.fitted.index, pd.MultiIndex)


def test_misspelt_keyword_is_an_error(dt_example):
    with pytest.raises(asr.AsrError, match="unexpected keyword 'wieghts'") as err:
        asr.asreml("Yield ~ Env", "~ Name", data=dt_example, wieghts="x")
    assert "did you mean 'weights'" in str(err.value)
    with pytest.raises(asr.AsrError, match="unexpected keyword 'G'"):
        asr.asreml("Yield ~ Env", "~ vm(Name, K)", data=dt_example, K=None, G=None)
