"""wald(denDF=...): Kenward-Roger denominator df and F tests, incremental and conditional.

References: (1) a balanced split plot (Yates' oats) where the F tests are exact and their
denominator df and F values follow from the classical ANOVA table, computed here by hand;
(2) pbkrtest 0.5.2 (KRmodcomp, vcovAdj) on lme4 fits of the same models, recorded in
tests/data/kr_reference.json by tests/data/kr_reference.R; (3) finite differences of
Var(β̂) = (C⁻¹)_ββ in θ for a heterogeneous residual that pbkrtest does not fit.
DT_yatesoats.csv is sommer 4.3.7's ``DT_yatesoats`` (GPL >= 2; Yates 1935), copied from
shared/data/sommer/.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.reml.mme import MME
from asr_py.results.kenward_roger import kr_info, kr_test

DATA = Path(__file__).resolve().parents[1] / "data"
REF = json.loads((DATA / "kr_reference.json").read_text())


@pytest.fixture(scope="module")
def oats() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_yatesoats.csv", dtype={c: str for c in ("N", "V", "B", "MP")})


@pytest.fixture(scope="module")
def oats_fit(oats):
    return asr.asreml("Y ~ V*N", random="~ B + B:MP", data=oats)


@pytest.fixture(scope="module")
def dt_fit(dt_example):
    return asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)


@pytest.fixture(scope="module")
def sleep_fit(sleepstudy):
    return asr.asreml("Reaction ~ Days", data=sleepstudy,
                      random="~ str(~ Subject + Days:Subject, ~ us(2):id(Subject))")


def _split_plot_anova(d: pd.DataFrame) -> dict[str, tuple[float, int, int]]:
    """Classical split-plot ANOVA by sums of squares: term -> (F, df1, df2)."""
    y = d["Y"].to_numpy(float)
    g = y.mean()

    def ss(*by: str) -> float:
        m = d.groupby(list(by))["Y"].transform("mean").to_numpy()
        return float(np.sum((m - g) ** 2))

    ss_b, ss_v, ss_n = ss("B"), ss("V"), ss("N")
    ss_bv = ss("B", "V") - ss_b - ss_v  # whole-plot error
    ss_vn = ss("V", "N") - ss_v - ss_n
    ss_e = float(np.sum((y - g) ** 2)) - ss_b - ss_v - ss_bv - ss_n - ss_vn
    df_bv, df_e = 10, 45
    ms_a, ms_e = ss_bv / df_bv, ss_e / df_e
    return {"V": (ss_v / 2 / ms_a, 2, df_bv), "N": (ss_n / 3 / ms_e, 3, df_e),
            "V:N": (ss_vn / 6 / ms_e, 6, df_e)}


def test_default_output_unchanged(dt_fit):
    w = dt_fit.wald()
    assert list(w.columns) == ["Df", "Sum of Sq", "Wald statistic", "Pr(Chisq)", "F.inc"]
    assert list(dt_fit.wald(denDF="none").columns) == list(w.columns)
    kr = dt_fit.wald(denDF="numeric")
    assert list(kr.columns) == list(w.columns) + ["denDF", "F.adj", "Pr(F)"]
    pd.testing.assert_frame_equal(kr[w.columns], w)


def test_balanced_split_plot_exact_ddf_and_f(oats_fit, oats):
    w = oats_fit.wald(denDF="numeric")
    ref = _split_plot_anova(oats)
    for term, (f, df1, df2) in ref.items():
        assert w.loc[term, "Df"] == df1
        assert w.loc[term, "denDF"] == pytest.approx(df2, rel=1e-7)
        assert w.loc[term, "F.inc"] == pytest.approx(f, rel=1e-6)
        assert w.loc[term, "F.adj"] == pytest.approx(f, rel=1e-6)
        assert w.loc[term, "Pr(F)"] == pytest.approx(stats.f.sf(f, df1, df2), rel=1e-5)
    # the intercept is tested against the block stratum (6 blocks: 5 df)
    assert w.loc["(Intercept)", "denDF"] == pytest.approx(5, rel=1e-7)


def test_split_plot_against_pbkrtest(oats_fit):
    w = oats_fit.wald(denDF="kenward-roger")
    for (term, row), ref in zip(w.iterrows(), REF["oats"]["incremental"]):
        assert row["Df"] == ref["ndf"], term
        assert row["denDF"] == pytest.approx(ref["ddf"], rel=1e-6)
        assert row["F.adj"] == pytest.approx(ref["F"], rel=1e-4)  # lme4 θ to ~1e-5
        assert row["Pr(F)"] == pytest.approx(ref["p"], rel=1e-4)
    info = kr_info(oats_fit.model, oats_fit.result)
    # R orders the V:N columns with V varying fastest, asr_py with N fastest
    r_of = list(range(6)) + [6 + n * 2 + v for v in range(2) for n in range(3)]
    ref = np.array(REF["oats"]["vcov_adj"])[np.ix_(r_of, r_of)]
    np.testing.assert_allclose(info.phi_a, ref, rtol=1e-4, atol=1e-6)


def test_unbalanced_dt_example_against_pbkrtest(dt_fit):
    ref = REF["dt_example"]
    info = kr_info(dt_fit.model, dt_fit.result)
    np.testing.assert_allclose(info.phi, ref["vcov_beta"], rtol=1e-6)
    np.testing.assert_allclose(info.phi_a, ref["vcov_adj"], rtol=1e-6)
    w = dt_fit.wald(denDF="kenward-roger")
    assert (w["denDF"] != np.round(w["denDF"])).all()  # not an integer: a real KR answer
    for (term, row), r in zip(w.iterrows(), ref["incremental"]):
        assert row["denDF"] == pytest.approx(r["ddf"], rel=1e-6), term
        assert row["F.adj"] == pytest.approx(r["F"], rel=1e-6), term
        assert row["Pr(F)"] == pytest.approx(r["p"], rel=1e-5), term


def test_random_slopes_sleepstudy_against_pbkrtest(sleep_fit):
    ref = REF["sleepstudy"]
    np.testing.assert_allclose(sleep_fit.result.theta, np.array(ref["theta"])[[0, 2, 1, 3]],
                               rtol=1e-4)
    w = sleep_fit.wald(denDF="kenward-roger")
    for (term, row), r in zip(w.iterrows(), ref["incremental"]):
        assert row["denDF"] == pytest.approx(r["ddf"], rel=1e-5), term
        assert row["F.adj"] == pytest.approx(r["F"], rel=1e-4), term
    info = kr_info(sleep_fit.model, sleep_fit.result)
    np.testing.assert_allclose(info.phi_a, ref["vcov_adj"], rtol=1e-4)
    res = kr_test(info, sleep_fit.result.beta, np.array([[0.0], [1.0]]))
    assert res["denDF"] == pytest.approx(ref["days"]["ddf"], rel=1e-5)
    assert res["F.adj"] == pytest.approx(ref["days"]["F"], rel=1e-4)


def test_conditional_follows_marginality(oats_fit):
    w = oats_fit.wald(denDF="numeric", ssType="conditional")
    # V:N is tested after everything (= incremental = pbkrtest's test of the last 6 columns)
    r = REF["oats"]["vn_given_v_n"]
    assert w.loc["V:N", "denDF.con"] == pytest.approx(r["ddf"], rel=1e-6)
    assert w.loc["V:N", "F.con.adj"] == pytest.approx(r["F"], rel=1e-5)
    # balanced: V after N (but not V:N) is the same test as V first
    for term in ("V", "N", "V:N"):
        assert w.loc[term, "Wald.con"] == pytest.approx(w.loc[term, "Wald statistic"],
                                                        rel=1e-8)
        assert w.loc[term, "denDF.con"] == pytest.approx(w.loc[term, "denDF"], rel=1e-6)


def test_conditional_unbalanced_is_adjusted_wald(dt_example):
    d = dt_example.copy()
    m = asr.asreml("Yield ~ Env + Name", random="~ Block", data=d)
    assert not m.model.fixed.aliased
    w = m.wald(ssType="conditional")
    b = m.result.beta
    V = m.result.vcov_beta
    for t in m.model.fixed.terms[1:]:  # Env | Name and Name | Env: the full-model Wald
        c = t.columns
        ref = b[c] @ np.linalg.solve(V[np.ix_(c, c)], b[c])
        assert w.loc[t.label, "Wald.con"] == pytest.approx(ref, rel=1e-8)
    # Env was entered first: incremental (ignoring Name) differs from conditional
    assert abs(w.loc["Env", "Wald statistic"] - w.loc["Env", "Wald.con"]) > 1e-3


def test_conditional_block_nested_in_env_coded_apart(dt_example):
    """Blocks are nested in environments though coded apart (CA.2013.1, ...): asreml does not
    adjust a term for one that encompasses it implicitly (ASReml User Guide, conditional F
    statistics, its REGION/LOCATION example), so Env's conditional test is its incremental
    one (before session 15 it was the Wald test of Env's kept columns after Block's, which,
    with two Block columns aliased, tested a mixture of Block contrasts)."""
    m = asr.asreml("Yield ~ Env + Block", random="~ Name", data=dt_example)
    assert m.model.fixed.aliased
    w = m.wald(ssType="conditional")
    for t in ("Env", "Block"):
        assert w.loc[t, "Wald.con"] == pytest.approx(w.loc[t, "Wald statistic"], rel=1e-8)
        assert w.loc[t, "Df.con"] == w.loc[t, "Df"]


def test_kr_against_finite_differences_heterogeneous_residual(dt_example):
    """Φ_A = Φ − Σ_ij W_ij ∂²Φ/∂θ_i∂θ_j (linear Σ): ∂²Φ by central differences of (C⁻¹)_ββ."""
    m = asr.asreml("Yield ~ Env", random="~ Name", residual="~ dsum(~ units | Env)",
                   data=dt_example)
    info = kr_info(m.model, m.result)
    prob = m.model.problem(theta0=m.result.theta)
    mme = MME(prob, exploit_scaled_identity=False, fast=False)
    p = prob.X.shape[1]
    theta = m.result.theta.astype(float)

    def phi(t: np.ndarray) -> np.ndarray:
        st = mme.evaluate(t)
        e = np.zeros((mme.N, p))
        e[:p, :p] = np.eye(p)
        return st.factor.solve(e)[:p]

    np.testing.assert_allclose(info.phi, phi(theta), rtol=1e-8)
    k = len(theta)
    h = 1e-3 * theta
    d2 = np.zeros((k, k, p, p))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            d2[i, j] = (phi(theta + ei + ej) - phi(theta + ei - ej) - phi(theta - ei + ej)
                        + phi(theta - ei - ej)) / (4 * h[i] * h[j])
    ref = info.phi - np.einsum("ij,ijab->ab", info.W, d2)
    np.testing.assert_allclose(info.phi_a, ref, rtol=1e-4)
    # I_E = ½ tr(PΣ̇_iPΣ̇_j) = −½ ∂²(log|R| + log|G| + log|C|)/∂θ_i∂θ_j (linear Σ)

    def logdets(t: np.ndarray) -> float:
        st = mme.evaluate(t)
        return st.logdet_c + st.logdet_r + sum(st.logdet_g)

    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            fd = (logdets(theta + ei + ej) - logdets(theta + ei - ej)
                  - logdets(theta - ei + ej) + logdets(theta - ei - ej)) / (4 * h[i] * h[j])
            assert info.info[i, j] == pytest.approx(-0.5 * fd, rel=1e-4, abs=1e-6)
    # and P_i = ∂Φ⁻¹/∂θ_i
    for i in range(k):
        ei = np.eye(k)[i] * h[i]
        fd = (np.linalg.inv(phi(theta + ei)) - np.linalg.inv(phi(theta - ei))) / (2 * h[i])
        np.testing.assert_allclose(info.P[i], fd, rtol=1e-5, atol=1e-8)


def test_bad_arguments(dt_fit):
    with pytest.raises(AsrError, match="denDF"):
        dt_fit.wald(denDF="algebraic!")
    with pytest.raises(AsrError, match="ssType"):
        dt_fit.wald(ssType="marginal")


def test_satterthwaite_exact_and_against_lmertest(oats_fit, dt_fit, sleep_fit, oats):
    w = oats_fit.wald(denDF="satterthwaite")
    for term, (f, _, df2) in _split_plot_anova(oats).items():
        assert w.loc[term, "denDF"] == pytest.approx(df2, rel=1e-6)
        assert w.loc[term, "F.adj"] == pytest.approx(f, rel=1e-6)
    for fit, key, tol in ((dt_fit, "dt_example", 1e-6), (sleep_fit, "sleepstudy", 1e-4)):
        w = fit.wald(denDF="satterthwaite")
        np.testing.assert_allclose(w["F.adj"], w["F.inc"], rtol=1e-10)
        for (term, row), r in zip(w.iterrows(), REF[key]["satterthwaite"]):
            assert row["denDF"] == pytest.approx(r["ddf"], rel=tol), (key, term)
            assert row["F.inc"] == pytest.approx(r["F"], rel=tol), (key, term)
            assert row["Pr(F)"] == pytest.approx(r["p"], rel=10 * tol), (key, term)
    # differs from Kenward-Roger on unbalanced data
    kr = dt_fit.wald(denDF="kenward-roger")
    assert abs(kr.loc["Env", "denDF"] - dt_fit.wald(denDF="satterthwaite").loc[
        "Env", "denDF"]) > 1


def test_kr_info_kept_per_fit_and_equal_to_a_fresh_computation(dt_example):
    """kr_info is computed once per fit (repeated wald(denDF=...) calls reuse it); the kept
    value equals what a new computation on a refit of the same model gives."""
    from asr_py.results.kenward_roger import _kr_info

    m = asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)
    first = kr_info(m.model, m.result)
    assert kr_info(m.model, m.result) is first
    fresh = _kr_info(m.model, m.result)
    assert fresh is not first
    np.testing.assert_allclose(fresh.phi_a, first.phi_a, rtol=1e-12, atol=0)
    np.testing.assert_allclose(fresh.W, first.W, rtol=1e-12, atol=0)
    t1 = m.wald(denDF="numeric")
    t2 = m.wald(denDF="numeric")
    np.testing.assert_array_equal(np.asarray(t1["denDF"], float), np.asarray(t2["denDF"], float))
