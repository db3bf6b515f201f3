"""asr.plus (asremlPlus's workflow) against independent computations: a dense REML
likelihood of the one-way model in numpy/scipy, the chi-square (mixture) p-values in closed
form, asr.lrt, the Wald table and direct asr.asreml fits of the models the functions move to.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def dye() -> pd.DataFrame:
    d = pd.read_csv(DATA / "Dyestuff.csv", dtype={"Batch": str})
    d["Half"] = np.where(np.arange(len(d)) % 2 == 0, "h1", "h2")   # a factor with no effect
    return d


@pytest.fixture(scope="module")
def pen() -> pd.DataFrame:
    return pd.read_csv(DATA / "Penicillin.csv", dtype={"plate": str, "sample": str})


@pytest.fixture(scope="module")
def oats() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})


@pytest.fixture(scope="module")
def dye_fits(dye: pd.DataFrame) -> tuple[object, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m1 = asr.asreml("Yield ~ 1", random="~ Batch", data=dye)
        m0 = asr.asreml("Yield ~ 1", data=dye)
    return m0, m1


def _dense_reml(y: np.ndarray, z: np.ndarray | None) -> tuple[float, float]:
    """Maximised REML log-likelihood (with its 2π constant) of y = μ + Zu + e and the ML
    log-likelihood at those estimates: numpy/scipy, independent of asr_py."""
    n = len(y)
    x = np.ones((n, 1))

    def parts(logs: np.ndarray) -> tuple[float, float]:
        v = np.exp(logs[-1]) * np.eye(n)
        if z is not None:
            v = v + np.exp(logs[0]) * z @ z.T
        vi = np.linalg.inv(v)
        xtvx = x.T @ vi @ x
        beta = np.linalg.solve(xtvx, x.T @ vi @ y)
        r = y - x @ beta
        ld_v = np.linalg.slogdet(v)[1]
        ld_x = np.linalg.slogdet(xtvx)[1]
        quad = float(r @ vi @ r)
        reml = -0.5 * ((n - 1) * math.log(2 * math.pi) + ld_v + ld_x + quad)
        ml = -0.5 * (n * math.log(2 * math.pi) + ld_v + quad)
        return reml, ml

    start = np.log([np.var(y) / 2] * (1 if z is None else 2))
    best = optimize.minimize(lambda t: -parts(t)[0], start, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    return parts(best.x)


def _z(f: pd.Series) -> np.ndarray:
    return pd.get_dummies(f).to_numpy(dtype=float)


def test_remlrt_is_the_dense_reml_difference_with_chi2_and_mixture_p(dye, dye_fits) -> None:
    m0, m1 = dye_fits
    y = dye["Yield"].to_numpy(float)
    l1, _ = _dense_reml(y, _z(dye["Batch"]))
    l0, _ = _dense_reml(y, None)
    d = 2 * (l1 - l0)
    out = asr.plus.REMLRT(m0, m1)
    assert list(out.columns) == ["REMLRT", "DF", "p", "NBound.h0", "NBound.h1"]
    assert out["REMLRT"].iloc[0] == pytest.approx(d, abs=1e-4)
    assert out["DF"].iloc[0] == 1
    assert out["p"].iloc[0] == pytest.approx(stats.chi2.sf(d, 1), rel=1e-4)
    half = asr.plus.REMLRT(m0, m1, positive_zero=True)
    assert half["p"].iloc[0] == pytest.approx(0.5 * stats.chi2.sf(d, 1), rel=1e-4)
    # the same test as asr.lrt's boundary-halved p
    assert half["p"].iloc[0] == pytest.approx(asr.lrt(m0, m1)["Pr(Chisq)"].iloc[0], rel=1e-9)


def test_remlrt_one_and_one_mixture() -> None:
    from asr_py.compat.asremlplus import _remlrt_p

    d = 4.2
    want = 1 - 0.5 * (stats.chi2.cdf(d, 1) + stats.chi2.cdf(d, 2))
    assert _remlrt_p(d, 2, "one-and-one") == pytest.approx(want, rel=1e-12)
    assert _remlrt_p(1e-12, 1, "onlybound") == 1.0
    with pytest.raises(AsrError, match="DF = 2"):
        _remlrt_p(d, 1, "one-and-one")


def test_remlrt_is_invariant_to_the_units_of_the_trait(dye, dye_fits) -> None:
    m0, m1 = dye_fits
    d = dye.assign(Yield=dye["Yield"] / 1000)          # grams -> kilograms, say
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k1 = asr.asreml("Yield ~ 1", random="~ Batch", data=d)
        k0 = asr.asreml("Yield ~ 1", data=d)
    a, b = asr.plus.REMLRT(m0, m1), asr.plus.REMLRT(k0, k1)
    assert b["REMLRT"].iloc[0] == pytest.approx(a["REMLRT"].iloc[0], abs=1e-5)


def test_remlrt_refuses_different_fixed_models(dye) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = asr.asreml("Yield ~ 1", random="~ Batch", data=dye)
        b = asr.asreml("Yield ~ Half", random="~ Batch", data=dye)
    with pytest.raises(AsrError, match="fixed models differ"):
        asr.plus.REMLRT(a, b)


def test_info_criteria_reml_and_full_against_dense_likelihoods(dye, dye_fits) -> None:
    _, m1 = dye_fits
    y = dye["Yield"].to_numpy(float)
    n = len(y)
    reml, ml = _dense_reml(y, _z(dye["Batch"]))
    # asreml's log-likelihoods leave out the 2π constants (½(n−p) log 2π, ½n log 2π)
    reml_asreml = reml + 0.5 * (n - 1) * math.log(2 * math.pi)
    ml_asreml = ml + 0.5 * n * math.log(2 * math.pi)
    ic = asr.plus.infoCriteria(m1)
    assert list(ic.columns) == ["fixedDF", "varDF", "NBound", "AIC", "BIC", "loglik"]
    row = ic.iloc[0]
    assert (row["fixedDF"], row["varDF"], row["NBound"]) == (0, 2, 0)
    assert row["loglik"] == pytest.approx(reml_asreml, abs=1e-4)
    assert row["AIC"] == pytest.approx(-2 * reml_asreml + 4, abs=1e-3)
    assert row["BIC"] == pytest.approx(-2 * reml_asreml + 2 * math.log(n - 1), abs=1e-3)
    full = asr.plus.infoCriteria(m1, IClikelihood="full").iloc[0]
    # the full likelihood at the REML estimates is the ML likelihood evaluated there
    assert full["loglik"] == pytest.approx(ml_asreml, abs=1e-4)
    assert full["fixedDF"] == 1
    assert full["AIC"] == pytest.approx(-2 * ml_asreml + 2 * 3, abs=1e-3)
    assert full["BIC"] == pytest.approx(-2 * ml_asreml + 3 * math.log(n), abs=1e-3)
    both = asr.plus.infoCriteria({"m1": m1, "m1b": m1})
    assert list(both.index) == ["m1", "m1b"] and both["AIC"].iloc[1] == row["AIC"]


def test_as_asrtests_label_and_wald_table(pen) -> None:
    m = asr.asreml("diameter ~ 1", random="~ plate + sample", data=pen)
    t = asr.plus.as_asrtests(m, label="Start", IClikelihood="REML")
    assert set(t) == {"asreml.obj", "wald.tab", "test.summary"}
    assert list(t["test.summary"].columns) == list(asr.plus.SUMMARY_COLUMNS)
    row = t["test.summary"].iloc[0]
    assert row["action"] == "Starting model" and row["denDF"] == 3   # plate, sample, e
    ll = m.loglik + 0.5 * m.result.n_minus_p * math.log(2 * math.pi)   # asreml's loglik
    assert row["AIC"] == pytest.approx(-2 * ll + 6)
    # asremlPlus's wald.tab: Df, denDF, F.inc, Pr (asreml 4's wald() F table)
    w = m.wald(denDF="numeric")
    assert list(t["wald.tab"].columns) == ["Df", "denDF", "F.inc", "Pr"]
    for a, b in (("Df", "Df"), ("F.inc", "F.inc")):
        np.testing.assert_allclose(t["wald.tab"][a], w[b])
    # denDF as asreml reports it to asremlPlus: one decimal place, and Pr from that df
    np.testing.assert_allclose(t["wald.tab"]["denDF"], np.round(w["denDF"].astype(float), 1))
    np.testing.assert_allclose(t["wald.tab"]["Pr"], stats.f.sf(
        w["F.adj"].astype(float), w["Df"].astype(float),
        np.round(w["denDF"].astype(float), 1)), rtol=1e-10)


def test_testranfix_random_term_is_the_remlrt_decision(pen) -> None:
    m = asr.asreml("diameter ~ 1", random="~ plate + sample", data=pen)
    t0 = asr.plus.as_asrtests(m)
    t = asr.plus.testranfix(t0, "sample", positive_zero=True)
    small = asr.asreml("diameter ~ 1", random="~ plate", data=pen)
    want = asr.lrt(small, m)["Pr(Chisq)"].iloc[0]
    row = t["test.summary"].iloc[-1]
    assert (row["terms"], row["DF"], row["action"]) == ("sample", 1, "Retained")
    assert row["p"] == pytest.approx(want, rel=1e-6)
    assert t["asreml.obj"] is m                            # retained: the same fit
    assert asr.plus.getTestPvalue(t, "sample") == row["p"]
    assert len(t0["test.summary"]) == 0                   # the input is not changed


def test_testranfix_drops_a_nonsignificant_term_and_refits(dye, dye_fits) -> None:
    m0, m1 = dye_fits
    t = asr.plus.testranfix(asr.plus.as_asrtests(m1), "Batch", alpha=1e-6)
    row = t["test.summary"].iloc[-1]
    assert row["action"] == "Dropped"
    assert row["p"] == pytest.approx(asr.plus.REMLRT(m0, m1)["p"].iloc[0], rel=1e-9)
    assert t["asreml.obj"].call["random"] is None
    assert t["asreml.obj"].loglik == pytest.approx(m0.loglik, abs=1e-6)
    kept = asr.plus.testranfix(asr.plus.as_asrtests(m1), "Batch", drop_ran_ns=False,
                               alpha=1e-6)
    assert kept["test.summary"]["action"].iloc[-1] == "Nonsignificant"
    assert kept["asreml.obj"] is m1


def test_testranfix_fixed_term_uses_the_wald_p(dye) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("Yield ~ Half", random="~ Batch", data=dye)
    w = m.wald(denDF="numeric")
    t = asr.plus.testranfix(asr.plus.as_asrtests(m), "Half")
    row = t["test.summary"].iloc[-1]
    assert row["denDF"] == round(float(w.loc["Half", "denDF"]), 1)   # as asreml reports it
    assert row["p"] == pytest.approx(stats.f.sf(float(w.loc["Half", "F.adj"]),
                                                float(w.loc["Half", "Df"]), row["denDF"]))
    p = row["p"]
    assert row["action"] == ("Significant" if p <= 0.05 else "Nonsignificant")
    d = asr.plus.testranfix(asr.plus.as_asrtests(m), "Half", drop_fix_ns=True, alpha=p / 2)
    assert d["test.summary"]["action"].iloc[-1] == "Dropped"
    assert list(d["wald.tab"].index) == ["(Intercept)"]
    absent = asr.plus.testranfix(asr.plus.as_asrtests(m), "Nope")
    assert absent["test.summary"]["action"].iloc[-1] == "Absent"


def test_testranfix_conditional_wald(oats) -> None:
    m = asr.asreml("Y ~ N*V", random="~ B + B:MP", data=oats)
    w = m.wald(denDF="numeric", ssType="conditional")
    t = asr.plus.testranfix(asr.plus.as_asrtests(m), "V", ssType="conditional")
    row = t["test.summary"].iloc[-1]
    assert row["p"] == pytest.approx(w.loc["V", "Pr(F.con)"])
    assert row["denDF"] == pytest.approx(w.loc["V", "denDF.con"])
    assert list(t["wald.tab"].columns) == ["Df", "denDF", "F.inc", "F.con", "Margin", "Pr"]
    assert t["wald.tab"].loc["V", "Pr"] == pytest.approx(w.loc["V", "Pr(F.con)"])
    assert t["wald.tab"].loc["V", "denDF"] == pytest.approx(w.loc["V", "denDF.con"])
    # without F tests: asreml's chi-square columns
    t0 = asr.plus.as_asrtests(m, denDF="none")
    assert list(t0["wald.tab"].columns) == ["Df", "Sum of Sq", "Wald statistic", "Pr(Chisq)"]


def test_rmboundary_removes_a_zero_variance_term(dye) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("Yield ~ 1", random="~ Batch + Half", data=dye)
        direct = asr.asreml("Yield ~ 1", random="~ Batch", data=dye)
    assert m.varcomp.loc["Half", "bound"] == "B"    # the premise: Half's variance is 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.rmboundary(asr.plus.as_asrtests(m))
    assert t["test.summary"][["terms", "action"]].values.tolist() == [["Half", "Boundary"]]
    assert t["asreml.obj"].call["random"].replace(" ", "") == "~Batch"
    assert t["asreml.obj"].loglik == pytest.approx(direct.loglik, abs=1e-6)
    with pytest.warns(asr.AsrWarning, match="checkboundaryonly"):
        only = asr.plus.rmboundary(asr.plus.as_asrtests(m), checkboundaryonly=True)
    assert only["asreml.obj"] is m and only["test.summary"].empty


def test_change_terms_moves_to_the_model_a_direct_fit_gives(pen) -> None:
    m = asr.asreml("diameter ~ 1", random="~ plate", data=pen)
    t = asr.plus.changeTerms(asr.plus.as_asrtests(m), addFixed="plate",
                             dropRandom="plate", addRandom="sample", label="Swap")
    direct = asr.asreml("diameter ~ plate", random="~ sample", data=pen)
    got = t["asreml.obj"]
    assert got.call["fixed"].replace(" ", "") == "diameter~plate"
    row = t["test.summary"].iloc[0]
    assert (row["terms"], row["action"]) == ("Swap", "Changed fixed, random")
    assert got.loglik == pytest.approx(direct.loglik, abs=1e-5)
    assert list(t["wald.tab"].index) == ["(Intercept)", "plate"]
    # asremlPlus's getFormulae: the kinds asked, NULL (None) for one the fit lacks
    assert asr.plus.getFormulae(got) == {"fixed": got.call["fixed"],
                                         "random": got.call["random"], "residual": None}


def test_change_terms_residual_and_no_random(pen) -> None:
    m = asr.asreml("diameter ~ sample", data=pen)
    with pytest.warns(asr.AsrWarning, match="No random terms to drop"):
        t = asr.plus.changeTerms(asr.plus.as_asrtests(m), dropRandom="plate",
                                 newResidual="idv(units)")
    assert t["test.summary"]["action"].iloc[-1] == "Changed residual"
    back = asr.plus.changeTerms(t, newResidual="-(1)")
    assert back["asreml.obj"].call["residual"] is None
    assert back["asreml.obj"].loglik == pytest.approx(m.loglik, abs=1e-6)
    assert len(back["test.summary"]) == 2 and len(t["test.summary"]) == 1


def test_testswapran_keeps_the_better_model(pen) -> None:
    m = asr.asreml("diameter ~ 1", random="~ plate", data=pen)
    t = asr.plus.testswapran(asr.plus.as_asrtests(m), oldterms="plate",
                             newterms="plate + sample")
    big = asr.asreml("diameter ~ 1", random="~ plate + sample", data=pen)
    row = t["test.summary"].iloc[-1]
    assert row["action"] == "Swapped"
    assert row["p"] == pytest.approx(stats.chi2.sf(2 * (big.loglik - m.loglik), 1), rel=1e-5)
    assert t["asreml.obj"].loglik == pytest.approx(big.loglik, abs=1e-5)


def test_testresidual_simpler_model_kept_when_not_worse(pen) -> None:
    m = asr.asreml("diameter ~ 1", random="~ plate + sample",
                   residual="~ idh(sample):plate", data=pen)
    simple = asr.asreml("diameter ~ 1", random="~ plate + sample", data=pen)
    t = asr.plus.testresidual(asr.plus.as_asrtests(m), "~ units", label="common variance",
                              simpler=True)
    row = t["test.summary"].iloc[-1]
    d = 2 * (m.loglik - simple.loglik)
    assert row["DF"] == 5                                # 6 variances -> 1
    assert row["p"] == pytest.approx(stats.chi2.sf(d, 5), rel=1e-5)
    assert row["action"] == ("Swapped" if row["p"] > 0.05 else "Unswapped")
    kept = t["asreml.obj"]
    assert kept.loglik == pytest.approx((simple if row["p"] > 0.05 else m).loglik, abs=1e-5)


def test_get_test_entry_ignores_factor_order_and_reports_absence() -> None:
    from asr_py.compat.asremlplus import _empty_summary

    ts = asr.plus.addto_test_summary(_empty_summary(), "A:B", p=0.3, action="Dropped")
    t = {"asreml.obj": None, "wald.tab": None, "test.summary": ts}
    assert asr.plus.getTestPvalue(t, "B:A") == 0.3
    assert asr.plus.getTestEntry(t, "C", error_absent=False) is None
    with pytest.raises(AsrError, match="'C' not found"):
        asr.plus.getTestPvalue(t, "C")


def test_bad_input_gets_clear_errors(pen) -> None:
    m = asr.asreml("diameter ~ 1", random="~ plate", data=pen)
    with pytest.raises(AsrError, match="needs an asrtests object"):
        asr.plus.testranfix(m, "plate")
    with pytest.raises(AsrError, match="needs an asr.asreml"):
        asr.plus.as_asrtests(pen)
    with pytest.raises(AsrError, match="not supported"):
        asr.plus.testranfix(asr.plus.as_asrtests(m), "plate", REMLDF=1, bogus=1)
    with pytest.raises(AsrError, match="no terms"):
        asr.plus.changeTerms(asr.plus.as_asrtests(m))
    with pytest.raises(AsrError, match="without a leading ~"):
        asr.plus.changeTerms(asr.plus.as_asrtests(m), addRandom="~ sample")


def test_setvarianceterms_fixed_value_and_unconstrained(dye) -> None:
    m = asr.asreml("Yield ~ 1", random="~ Batch", data=dye)
    f = asr.plus.setvarianceterms(m.call, terms="Batch", bounds="F", initial_values=1764.05)
    # Batch's variance held at lme4's REML estimate: the residual variance that maximises
    # the REML likelihood given it is lme4's too (2451.25)
    assert f.varcomp.loc["Batch", "bound"] == "F"
    assert f.varcomp.loc["Batch", "component"] == 1764.05
    assert f.varcomp["component"].iloc[-1] == pytest.approx(2451.25, rel=1e-4)
    # 'U': the variance may go below zero (V PD); Dyestuff's optimum is inside, lme4's value
    u = asr.plus.setvarianceterms(m.call, terms="Batch", bounds="U")
    assert u.varcomp.loc["Batch", "bound"] == "U"
    assert u.varcomp.loc["Batch", "component"] == pytest.approx(1764.05, rel=1e-4)
    with pytest.raises(AsrError, match="no variance parameter 'h'"):
        asr.plus.setvarianceterms(m.call, terms="h", bounds="U")


def test_setvarianceterms_recorded_in_the_call(pen) -> None:
    # asremlPlus keeps what setvarianceterms set as call$setvparameters (set.terms,
    # ignore.suffices, bounds, initial.values; R/reml4.v13.r:480), merges a later call's
    # terms into it and re-applies it to refits while the term is fitted
    m = asr.asreml("diameter ~ 1", random="~ plate + sample", data=pen)
    f = asr.plus.setvarianceterms(m.call, terms="plate", bounds="F", initial_values=0.5)
    sv = f.call["setvparameters"]
    assert list(sv.columns) == ["set.terms", "ignore.suffices", "bounds", "initial.values"]
    assert sv.to_dict("records") == [{"set.terms": "plate", "ignore.suffices": True,
                                      "bounds": "F", "initial.values": 0.5}]
    g = asr.plus.setvarianceterms(f.call, terms="sample", bounds="F", initial_values=3.0)
    assert list(g.call["setvparameters"]["set.terms"]) == ["plate", "sample"]
    assert g.varcomp.loc["plate", "component"] == 0.5
    assert g.varcomp.loc["sample", "component"] == 3.0
    u = g.update(random="~ . - sample")          # refit: plate stays set, sample is gone
    assert list(u.call["setvparameters"]["set.terms"]) == ["plate"]
    assert u.varcomp.loc["plate", "bound"] == "F"
    assert u.varcomp.loc["plate", "component"] == 0.5
    v = u.update(random="~ . - plate")
    assert "setvparameters" not in v.call
