"""translate(): nlme's lme() (session 22): scripts comparing asreml with nlme fit
``lme(y ~ x, random = ~ 1 | g, data, weights = varIdent(form = ~ 1 | s))`` and read
logLik(), VarCorr(), fixef(), ranef(), summary()$tTable; before, lme() was a placeholder.

Independent sources: nlme's Rail example (Pinheiro & Bates 2000, ch. 1: the balanced one-way
model, whose REML estimates are the ANOVA ones in closed form; lucid's test_vc.r records
nlme's variances 615.31 and 16.17), the lme4 1.1-31 sleepstudy fit recorded in
/work/shared/reference/h_sleepstudy.json (nlme and lme4 maximise the same REML likelihood),
nlme's published denominator DF of Orthodont's ``distance ~ age + Sex`` (80, 80, 25: they
depend on the design only) and the dense-V REML of tests/_dense_reml.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, reml_loglik
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.rnlmefit import r_lme

DATA = Path(__file__).resolve().parents[1] / "data"
RAIL = [55, 53, 54, 26, 37, 32, 78, 91, 85, 92, 100, 96, 49, 51, 50, 80, 85, 83]


def test_rail_random_intercept_as_nlme() -> None:
    """lme(travel ~ 1, random = ~ 1 | Rail): balanced one-way REML = ANOVA estimates."""
    ns = run_r("""
library(nlme)
Rail <- data.frame(Rail = factor(rep(1:6, each = 3)),
                   travel = c(55, 53, 54, 26, 37, 32, 78, 91, 85, 92, 100, 96,
                              49, 51, 50, 80, 85, 83))
m <- lme(travel ~ 1, random = ~ 1 | Rail, data = Rail, method = "REML")
vc <- VarCorr(m)
ll <- logLik(m)
fe <- fixef(m)
re <- ranef(m)
tt <- summary(m)$tTable
aic <- AIC(m)
an <- anova(m)
sg <- m$sigma
""", complete=True)
    y = np.array(RAIL, float).reshape(6, 3)
    msw = ((y - y.mean(1, keepdims=True)) ** 2).sum() / 12
    msb = 3 * ((y.mean(1) - y.mean()) ** 2).sum() / 5
    va = (msb - msw) / 3
    vc = ns["vc"]
    assert list(vc.index) == ["(Intercept)", "Residual"]
    assert list(vc.columns) == ["Variance", "StdDev"]
    np.testing.assert_allclose(vc["Variance"], [va, msw], rtol=1e-5)
    np.testing.assert_allclose(vc["Variance"], [615.31, 16.17], atol=0.01)  # lucid's record
    assert ns["fe"]["(Intercept)"] == pytest.approx(66.5)
    tt = ns["tt"]
    assert tt.loc["(Intercept)", "DF"] == 12
    assert tt.loc["(Intercept)", "Std.Error"] == pytest.approx(np.sqrt((va * 3 + msw) / 18),
                                                               rel=1e-5)
    Z = np.kron(np.eye(6), np.ones((3, 1)))
    V = va * Z @ Z.T + msw * np.eye(18)
    assert ns["ll"] == pytest.approx(reml_loglik(y.ravel(), np.ones((18, 1)), V), abs=1e-6)
    assert ns["ll"] == pytest.approx(-61.0885, abs=1e-4)    # Pinheiro & Bates, ch. 1
    assert ns["aic"] == pytest.approx(-2 * ns["ll"] + 2 * 3)     # b, var(Rail), sigma
    assert ns["an"].loc["(Intercept)", "denDF"] == 12
    assert ns["an"].loc["(Intercept)", "F-value"] == pytest.approx(
        tt.loc["(Intercept)", "t-value"] ** 2)
    assert ns["sg"] == pytest.approx(np.sqrt(msw), rel=1e-5)
    shrink = 3 * va / (3 * va + msw)
    np.testing.assert_allclose(ns["re"]["(Intercept)"], shrink * (y.mean(1) - y.mean()),
                               rtol=1e-5)


def test_sleepstudy_random_slope_matches_lme4_record() -> None:
    """lme(Reaction ~ Days, random = ~ Days | Subject): lme4 1.1-31's REML fit."""
    d = pd.read_csv(DATA / "sleepstudy.csv")
    d["Subject"] = d["Subject"].astype(str)
    m = r_lme("Reaction ~ Days", d, "~ Days | Subject")
    vc = m.VarCorr()
    assert list(vc.index) == ["(Intercept)", "Days", "Residual"]
    np.testing.assert_allclose(vc["Variance"], [612.089850, 35.0716741, 654.941010],
                               rtol=2e-4)
    assert vc.loc["Days", "Corr"] == pytest.approx(9.60434 / np.sqrt(612.08985 * 35.07167),
                                                   rel=2e-3)
    assert m.loglik == pytest.approx(-871.814135979246, abs=1e-5)
    np.testing.assert_allclose(m.fixef(), [251.405104848485, 10.467285959596], rtol=1e-6)
    assert m.t_table()["DF"].tolist() == [161, 161]     # 180 - 18 - 1


def _nested_data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = np.repeat(np.arange(6), 8)
    b = np.tile(np.repeat(np.arange(4), 2), 6)
    ua = rng.normal(0, 2, 6)
    ub = rng.normal(0, 1.2, 24)
    x = rng.normal(size=48)
    s = np.tile(["lo", "hi"], 24)
    e = rng.normal(size=48) * np.where(s == "hi", 2.5, 0.8)
    y = 10 + 0.5 * x + ua[a] + ub[a * 4 + b] + e
    return pd.DataFrame({"y": y, "x": x, "A": [f"a{i}" for i in a],
                         "B": [f"b{i}" for i in b], "s": s})


def _z(codes: pd.Series) -> np.ndarray:
    lv = sorted(set(codes))
    return (codes.to_numpy()[:, None] == np.array(lv)[None, :]).astype(float)


def test_nested_intercepts_match_dense_reml() -> None:
    """random = ~ 1 | A/B (B within A) and list(A = ~ 1, B = ~ 1): the same model."""
    d = _nested_data()
    m = r_lme("y ~ x", d, "~ 1 | A/B")
    m2 = r_lme("y ~ x", d, "list(A = ~ 1, B = ~ 1)")
    za, zab = _z(d["A"]), _z(d["A"] + ":" + d["B"])
    X = np.column_stack([np.ones(48), d["x"]])
    y = d["y"].to_numpy()

    def build(t: np.ndarray) -> np.ndarray | None:
        if np.any(t < 0) or t[2] <= 0:
            return None
        return t[0] * za @ za.T + t[1] * zab @ zab.T + t[2] * np.eye(48)

    est, ll = fit_dense(y, X, build, [np.array([1.0, 1.0, 1.0]), np.array([4.0, .5, 2.0])],
                        bounds=[(0, None), (0, None), (1e-6, None)])
    assert m.loglik == pytest.approx(ll, abs=1e-5)
    assert m2.loglik == pytest.approx(ll, abs=1e-8 + abs(m.loglik - ll))
    vc = m.VarCorr()
    assert list(vc.index) == ["A =", "(Intercept)", "B =", "(Intercept)", "Residual"]
    np.testing.assert_allclose(vc["Variance"].dropna(), est, rtol=2e-3)
    re = m.ranef()
    assert list(re) == ["A", "B"] and re["B"].index[0] == "a0/b0"
    # nlme's DF: x varies within B groups -> residual level, 48 - 24 - 1
    assert m.t_table()["DF"].tolist() == [23, 23]


def test_var_ident_matches_dense_reml() -> None:
    """weights = varIdent(form = ~ 1 | s): var(e) = sigma^2 delta_s^2, delta = 1 for the
    first level met (here "lo")."""
    d = _nested_data(5)
    m = r_lme("y ~ x", d, "~ 1 | A", weights="varIdent(form = ~ 1 | s)")
    za = _z(d["A"])
    hi = (d["s"] == "hi").to_numpy(float)
    X = np.column_stack([np.ones(48), d["x"]])

    def build(t: np.ndarray) -> np.ndarray | None:
        if np.any(t <= 0):
            return None
        return t[0] * za @ za.T + np.diag(t[1] * (1 - hi) + t[2] * hi)

    est, ll = fit_dense(d["y"].to_numpy(), X, build, [np.array([1.0, 1.0, 1.0])],
                        bounds=[(1e-8, None)] * 3)
    assert m.loglik == pytest.approx(ll, abs=1e-5)
    assert list(m.delta.index) == ["lo", "hi"]
    assert m.delta["hi"] == pytest.approx(np.sqrt(est[2] / est[1]), rel=2e-3)
    assert m.sigma ** 2 == pytest.approx(est[1], rel=2e-3)
    V = build(est)
    Vi = np.linalg.inv(V)
    beta = np.linalg.solve(X.T @ Vi @ X, X.T @ Vi @ d["y"].to_numpy())
    np.testing.assert_allclose(m.fixef(), beta, rtol=1e-3)


def test_denominator_df_of_a_between_group_factor() -> None:
    """Orthodont's design (27 subjects x 4 ages, 16 boys): nlme's DF of distance ~ age + Sex
    are 80 (intercept), 80 (age), 25 (Sex) (Pinheiro & Bates 2000, p. 86); y here is noise
    (the DF depend on the design only)."""
    rng = np.random.default_rng(0)
    subj = np.repeat(np.arange(27), 4)
    d = pd.DataFrame({"distance": rng.normal(size=108) + rng.normal(size=27)[subj],
                      "age": np.tile([8, 10, 12, 14], 27),
                      "Subject": [f"S{i:02d}" for i in subj],
                      "Sex": np.where(subj < 16, "Male", "Female")})
    tt = r_lme("distance ~ age + Sex", d, "~ 1 | Subject").t_table()
    assert tt["DF"].tolist() == [80, 80, 25]
    an = r_lme("distance ~ age + Sex", d, "~ 1 | Subject").anova()
    assert an["denDF"].tolist() == [80, 80, 25]
    # the last term's sequential F is its t-value squared
    assert an["F-value"].iloc[-1] == pytest.approx(tt["t-value"].iloc[-1] ** 2, rel=1e-8)


def test_translation_of_structures_and_what_stays_a_todo() -> None:
    py = translate("""
library(nlme)
vf <- varIdent(form = ~ 1 | s)
m <- nlme::lme(y ~ x, data = d, random = ~ 1 | A, weights = vf)
m1 <- lme(y ~ x, d, ~ 1 | A)
ci <- intervals(m)
""")
    assert "r_lme(fixed='y ~ x', data=d, random='~ 1 | A', weights=vf)" in py
    assert "r_nlme_struct('varIdent(form = ~ 1 | s)')" in py
    assert "r_lme(fixed='y ~ x', data=d, random='~ 1 | A')" in py
    assert "intervals" in py and "untranslated(" in py


def test_unfittable_lme_calls_stay_todos_saying_why() -> None:
    py = translate("""
library(nlme)
m <- lme(y ~ x, data = d, random = ~ 1 | A, correlation = corSymm(form = ~ 1 | A))
m2 <- lme(distance ~ age, data = Orthodont)
m3 <- lme(y ~ x, data = d, random = list(A = pdIdent(~ x)))
""")
    assert "r_lme(" not in py
    assert "TODO(asr_py): not translated (lme(): correlation = corSymm" in py
    assert "groupedData" in py and "pdIdent() random effects are not fitted" in py


def test_unsupported_structures_raise_clear_errors() -> None:
    d = _nested_data()
    with pytest.raises(AsrError, match="corSymm"):
        r_lme("y ~ x", d, "~ 1 | A", correlation="corSymm(form = ~ 1 | A)")
    with pytest.raises(AsrError, match="together"):
        r_lme("y ~ x", d, "~ 1 | A", correlation="corAR1(form = ~ 1 | A)",
              weights="varIdent(form = ~ 1 | s)")
    with pytest.raises(AsrError, match="varPower"):
        r_lme("y ~ x", d, "~ 1 | A", weights="varPower()")
    with pytest.raises(AsrError, match="groupedData"):
        r_lme("y ~ x", d, None)
    with pytest.raises(AsrError, match="pdIdent"):
        r_lme("y ~ x", d, "list(A = pdIdent(~ x))")
    assert list(d.columns) == ["y", "x", "A", "B", "s"]     # the data are not mutated


def test_lucid_vc_of_an_lme_fit() -> None:
    """kwstat/lucid tests/testthat/test_vc.r: vc(lme(travel ~ 1, random = ~ 1 | Rail)) is
    effect ((Intercept), Residual), variance c(615.31, 16.17), stddev c(24.81, 4.02)."""
    ns = run_r("""
library(nlme)
library(lucid)
Rail <- data.frame(Rail = factor(rep(1:6, each = 3)),
                   travel = c(55, 53, 54, 26, 37, 32, 78, 91, 85, 92, 100, 96,
                              49, 51, 50, 80, 85, 83))
m1n <- lme(travel ~ 1, random = ~ 1 | Rail, data = Rail)
v <- vc(m1n)
""", complete=True)
    v = ns["v"]
    assert list(v.columns) == ["effect", "variance", "stddev"]
    assert list(v["effect"]) == ["(Intercept)", "Residual"]
    np.testing.assert_allclose(v["variance"], [615.31, 16.17], atol=0.01)
    np.testing.assert_allclose(v["stddev"], [24.81, 4.02], atol=0.01)
    nested = r_lme("y ~ x", _nested_data(), "~ 1 | A/B")
    from asr_py.translate.rlucid import r_vc

    assert list(r_vc(nested)["effect"]) == ["A =", "(Intercept)", "B =", "(Intercept).1",
                                            "Residual"]


def _ar_data(seed: int = 7) -> pd.DataFrame:
    """Groups of 3 to 6 records, an AR(1) residual within each, times with gaps."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(14):
        nt = 3 + g % 4
        u = rng.normal() * 1.5
        e = np.zeros(nt)
        e[0] = rng.normal()
        for t in range(1, nt):
            e[t] = 0.6 * e[t - 1] + rng.normal() * 0.8
        times = np.cumsum(rng.uniform(0.5, 2.0, nt))
        for t in range(nt):
            rows.append((f"g{g:02d}", t + 1, times[t], 3 + 0.4 * t + u + e[t]))
    return pd.DataFrame(rows, columns=["g", "visit", "time", "y"])


def _ar_dense(d: pd.DataFrame, lag: np.ndarray) -> tuple[np.ndarray, float]:
    """Dense REML of var(g) ZZ' + sigma^2 (rho^lag within groups); rho > 0 for
    non-integer lags."""
    zg = _z(d["g"])
    low = -0.99 if np.allclose(lag, np.round(lag)) else 1e-6
    same = zg @ zg.T
    X = np.column_stack([np.ones(len(d)), d["visit"]])

    def build(t: np.ndarray) -> np.ndarray | None:
        if t[0] < 0 or t[1] <= 0 or not low < t[2] < 0.99:
            return None
        return t[0] * same + t[1] * same * np.sign(t[2]) ** lag * np.abs(t[2]) ** lag

    return fit_dense(d["y"].to_numpy(), X, build, [np.array([1.0, 1.0, 0.3]),
                                                   np.array([2.0, 0.5, 0.7])])


def test_cor_ar1_within_groups_matches_dense_reml() -> None:
    """correlation = corAR1(form = ~ 1 | g): rho^|i - j| by position within the group
    (written with and without form: nlme's default is the innermost random group)."""
    d = _ar_data()
    pos = d["visit"].to_numpy(float)
    est, ll = _ar_dense(d, np.abs(pos[:, None] - pos[None, :]))
    for cor in ("corAR1(form = ~ 1 | g)", "corAR1()", "corAR1(form = ~ visit | g)"):
        m = r_lme("y ~ visit", d, "~ 1 | g", correlation=cor)
        assert m.loglik == pytest.approx(ll, abs=1e-5), cor
        assert m.phi == pytest.approx(est[2], abs=2e-3)
        assert m.sigma ** 2 == pytest.approx(est[1], rel=3e-3)
        assert m.VarCorr().loc["(Intercept)", "Variance"] == pytest.approx(est[0], rel=3e-3)


def test_cor_car1_within_groups_matches_dense_reml() -> None:
    """correlation = corCAR1(form = ~ time | g): phi^|t_i - t_j| (continuous times)."""
    d = _ar_data(11)
    t = d["time"].to_numpy()
    est, ll = _ar_dense(d, np.abs(t[:, None] - t[None, :]))
    m = r_lme("y ~ visit", d, "~ 1 | g", correlation="corCAR1(form = ~ time | g)")
    assert m.loglik == pytest.approx(ll, abs=1e-5)
    assert m.phi == pytest.approx(est[2], abs=2e-3)
    with pytest.raises(AsrError, match="integer"):
        r_lme("y ~ visit", d, "~ 1 | g", correlation="corAR1(form = ~ time | g)")


def test_anova_of_two_lme_fits_compares_their_reml_likelihoods() -> None:
    """anova(m0, m1) of nested REML fits (same fixed effects): nlme's LRT table, the
    models as fitted (no ML refit), L.Ratio = 2 (logLik1 - logLik0) on 1 df."""
    d = _nested_data(5)
    ns = run_r("""
library(nlme)
m0 <- lme(y ~ x, random = ~ 1 | A, data = d)
m1 <- lme(y ~ x, random = ~ 1 | A, data = d, weights = varIdent(form = ~ 1 | s))
a <- anova(m0, m1)
""", complete=True, d=d)
    a, m0, m1 = ns["a"], ns["m0"], ns["m1"]
    assert a["df"].tolist() == [4, 5]
    lr = 2 * (m1.loglik - m0.loglik)
    assert a["L.Ratio"].iloc[1] == pytest.approx(lr)
    from scipy import stats

    assert a["p-value"].iloc[1] == pytest.approx(stats.chi2.sf(lr, 1))
    assert a["AIC"].tolist() == pytest.approx([-2 * m0.loglik + 8, -2 * m1.loglik + 10])


def test_gls_structures_match_dense_reml_and_the_random_intercept_model() -> None:
    """gls(): compound symmetry within groups is the random-intercept model (same REML
    likelihood, rho = var(g) / (var(g) + var(e))); AR(1) and sigma^2 I against dense REML."""
    d = _ar_data()
    ns = run_r("""
library(nlme)
dg <- groupedData(y ~ visit | g, data = d)
cs <- gls(y ~ visit, data = dg, correlation = corCompSymm(form = ~ 1 | g), na.action = na.omit)
ri <- lme(y ~ visit, random = ~ 1 | g, data = d)
ar <- gls(y ~ visit, data = d, correlation = corAR1(form = ~ 1 | g))
ols <- gls(y ~ visit, data = d)
a <- anova(ar)
cf <- coef(ar)
""", complete=True, d=d)
    cs, ri, ar, ols = ns["cs"], ns["ri"], ns["ar"], ns["ols"]
    assert ns["dg"].attrs["formula"] == "y ~ visit | g" and "formula" not in d.attrs
    assert cs.loglik == pytest.approx(ri.loglik, abs=1e-5)
    vc = ri.VarCorr()["Variance"]
    assert cs.phi == pytest.approx(vc.iloc[0] / vc.sum(), abs=1e-4)
    assert cs.sigma ** 2 == pytest.approx(vc.sum(), rel=1e-4)
    assert cs["modelStruct"]["corStruct"].describe()["Rho"] == cs.phi
    pos = d["visit"].to_numpy(float)
    zg = _z(d["g"])
    same = zg @ zg.T
    lag = np.abs(pos[:, None] - pos[None, :])
    X = np.column_stack([np.ones(len(d)), d["visit"]])
    y = d["y"].to_numpy()

    def build(t: np.ndarray) -> np.ndarray | None:
        if t[0] <= 0 or not -0.99 < t[1] < 0.99:
            return None
        return t[0] * same * np.sign(t[1]) ** lag * np.abs(t[1]) ** lag

    est, ll = fit_dense(y, X, build, [np.array([1.0, 0.3]), np.array([3.0, 0.8])])
    assert ar.loglik == pytest.approx(ll, abs=1e-5)
    assert ar.phi == pytest.approx(est[1], abs=2e-3)
    np.testing.assert_allclose(ns["cf"], np.linalg.solve(
        X.T @ np.linalg.solve(build(est), X), X.T @ np.linalg.solve(build(est), y)),
        rtol=1e-3)
    assert ns["a"].loc["visit", "F-value"] == pytest.approx(
        ar.t_table().loc["visit", "t-value"] ** 2)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    s2 = float(np.sum((y - X @ beta) ** 2)) / (len(y) - 2)
    assert ols.loglik == pytest.approx(reml_loglik(y, X, s2 * np.eye(len(y))), abs=1e-8)


def test_gls_without_a_group_or_with_missing_values() -> None:
    py = translate("library(nlme)\nm <- gls(y ~ x, data = d, correlation = corAR1())\n")
    assert "TODO(asr_py)" in py and "no random groups" in py
    d = _ar_data()
    d.loc[3, "y"] = np.nan
    from asr_py.translate.rnlmegls import r_gls

    with pytest.raises(AsrError, match="na.fail"):
        r_gls("y ~ visit", d, correlation="corAR1(form = ~ 1 | g)")
    m = r_gls("y ~ visit", d, correlation="corAR1(form = ~ 1 | g)", na_action="na.omit")
    assert m.n == len(d) - 1 and np.isnan(d.loc[3, "y"])


def test_denominator_df_of_a_split_plot() -> None:
    """Oats' design (6 blocks x 3 varieties (whole plots) x 4 nitrogen levels): nlme's DF of
    yield ~ nitro * Variety, random = ~ 1 | Block/Variety are 45 (intercept, nitro, the
    interaction) and 10 (Variety) (Pinheiro & Bates 2000, §1.6); y here is noise."""
    rng = np.random.default_rng(4)
    idx = pd.MultiIndex.from_product([range(6), ["G", "M", "V"], ["0", "2", "4", "6"]])
    d = pd.DataFrame(idx.to_list(), columns=["Block", "Variety", "nitro"])
    d["Block"] = "B" + d["Block"].astype(str)
    d["y"] = rng.normal(size=72)
    tt = r_lme("y ~ nitro * Variety", d, "~ 1 | Block/Variety").t_table()
    dfs = dict(zip(tt.index, tt["DF"]))
    assert dfs["(Intercept)"] == 45 and dfs["nitro2"] == 45 and dfs["nitro2:VarietyM"] == 45
    assert dfs["VarietyM"] == 10 and dfs["VarietyV"] == 10
