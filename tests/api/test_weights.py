"""asreml(..., weights='w'): Var(e_i) = σ²/w_i (R = W^{-1/2} R(θ) W^{-1/2}).

Checked against lme4 (recorded numbers, R code in the comments), closed forms (constant
weights) and an independent dense numpy REML (two-stage analysis with the residual variance
fixed at 1, a heterogeneous dsum residual, a bivariate model).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import asr_py as asr
from asr_py.errors import DataError
from asr_py.model.spec import compile_model
from asr_py.translate import translate
from asr_py.vcov.weighted import Weighted

LOG2PI = float(np.log(2 * np.pi))


def with_w(dt: pd.DataFrame) -> pd.DataFrame:
    """DT_example with the deterministic weight column w_i = 0.5 + ((7 i) mod 11)/10 (i the
    0-based row number); the same formula is used in the R code below."""
    d = dt.copy()
    i = np.arange(len(d))
    d["w"] = 0.5 + ((i * 7) % 11) / 10
    return d


def dense_reml(y: np.ndarray, X: np.ndarray, V: np.ndarray) -> tuple[float, np.ndarray,
                                                                      np.ndarray]:
    """Full REML log-likelihood, GLS β̂ and Cov(β̂) from V by dense numpy (independent of
    the MME): ℓ = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py]."""
    n, p = X.shape
    L = np.linalg.cholesky(V)
    Xs = np.linalg.solve(L, X)
    ys = np.linalg.solve(L, y)
    xtx = Xs.T @ Xs
    cov = np.linalg.inv(xtx)
    beta = cov @ (Xs.T @ ys)
    r = ys - Xs @ beta
    ll = -0.5 * ((n - p) * LOG2PI + 2 * np.log(np.diag(L)).sum()
                 + np.linalg.slogdet(xtx)[1] + float(r @ r))
    return float(ll), beta, cov


def indicator(codes: pd.Series) -> np.ndarray:
    return pd.get_dummies(codes).to_numpy(dtype=float)


def env_design(d: pd.DataFrame) -> np.ndarray:
    """Intercept + treatment contrasts of Env (first level as baseline), as asr_py and R."""
    e = indicator(d["Env"])
    return np.column_stack([np.ones(len(d)), e[:, 1:]])


# ---------------------------------------------------------------------------------------------
# (1) lme4
# ---------------------------------------------------------------------------------------------
# R 4.2, lme4:
#   d <- read.csv("tests/data/DT_example.csv", stringsAsFactors = TRUE)
#   i <- seq_len(nrow(d)) - 1; d$w <- 0.5 + ((i * 7) %% 11) / 10
#   m <- lmer(Yield ~ Env + (1 | Name) + (1 | Env:Name), data = d, weights = w, REML = TRUE,
#             control = lmerControl(optimizer = "bobyqa",
#                                   optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
#   logLik(m, REML = TRUE); as.data.frame(VarCorr(m)); fixef(m); sqrt(diag(vcov(m)))
LME4 = {
    "loglik": -468.496721458781,
    "Name": 3.73960494886647,
    "Env:Name": 5.30488467452538,
    "units!R": 4.00752411359486,
    "beta": [16.44005231479339, -5.73240777514965, -6.29826689455974],
    "se": [0.688876908139501, 0.757513449249472, 0.801185372343377],
}


def test_weighted_lmm_matches_lme4(dt_example: pd.DataFrame) -> None:
    d = with_w(dt_example)
    before = d.copy()
    m = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=d, weights="w")
    pd.testing.assert_frame_equal(d, before)  # user data not mutated
    assert m.converged
    assert m.loglik == pytest.approx(LME4["loglik"], abs=1e-6)
    vc = m.varcomp["component"]
    for k in ("Name", "Env:Name", "units!R"):
        assert vc[k] == pytest.approx(LME4[k], rel=1e-5), k
    cf = m.coef_fixed
    np.testing.assert_allclose(cf["solution"].to_numpy(), LME4["beta"], rtol=1e-6)
    np.testing.assert_allclose(cf["std.error"].to_numpy(), LME4["se"], rtol=1e-4)
    assert isinstance(m.model.residual.template, Weighted)
    assert m.call["weights"] == "w"


def test_weights_kept_by_update(dt_example: pd.DataFrame) -> None:
    d = with_w(dt_example)
    m = asr.asreml("Yield ~ Env", random="~ Name", data=d, weights="w")
    m2 = m.update(random="~ Name + Env:Name")
    assert m2.loglik == pytest.approx(LME4["loglik"], abs=1e-6)


# ---------------------------------------------------------------------------------------------
# (2) constant weights: closed form
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [2.5, 0.2])
def test_constant_weights_scale_the_residual(dt_example: pd.DataFrame, c: float) -> None:
    """w_i = c: R = (σ²/c) I, so σ̂²_c = c σ̂²_1, the other components and β̂ are unchanged.
    The full REML ℓ (log|R| includes −Σ log w_i = −n log c) is unchanged; the part of it
    from R(θ) alone, −½ log|σ̂²_c I|, shifts by −(n/2) log c and the weight determinant
    +(n/2) log c makes up for it (lme4's logLik behaves the same)."""
    d = dt_example.copy()
    d["c"] = c
    m1 = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=d)
    mc = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=d, weights="c")
    v1, vc = m1.varcomp["component"], mc.varcomp["component"]
    assert vc["units!R"] == pytest.approx(c * v1["units!R"], rel=1e-5)
    for k in ("Name", "Env:Name"):
        assert vc[k] == pytest.approx(v1[k], rel=1e-5)
    np.testing.assert_allclose(mc.coef_fixed["solution"], m1.coef_fixed["solution"], rtol=1e-7)
    assert mc.loglik == pytest.approx(m1.loglik, abs=1e-6)
    n = len(d)
    # the likelihood without the weight determinant (log|R(θ)| in place of log|R_w|) shifts
    # by the closed form −(n/2) log c
    ll_omit = mc.loglik - 0.5 * float(np.log(d["c"]).sum())
    assert ll_omit - m1.loglik == pytest.approx(-0.5 * n * np.log(c), abs=1e-6)
    tmpl = mc.model.residual.template
    th = np.array([vc["units!R"]])
    assert tmpl.template.logdet(th) == pytest.approx(n * np.log(th[0]), rel=1e-12)
    assert tmpl.logdet(th) == pytest.approx(n * np.log(th[0] / c), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# (3) two-stage analysis
# ---------------------------------------------------------------------------------------------
def stage1(dt: pd.DataFrame) -> pd.DataFrame:
    """Stage 1 by closed form, one OLS fit Yield ~ Name per environment: BLUE = cell mean,
    SE = sqrt(s²_env / n_cell) with s²_env the within-environment residual mean square."""
    out = []
    for env, g in dt.groupby("Env", sort=True):
        cells = g.groupby("Name")["Yield"]
        mean, cnt = cells.mean(), cells.size()
        resid = g["Yield"] - g["Name"].map(mean)
        df = len(g) - len(mean)
        assert df > 0
        s2 = float((resid**2).sum() / df)
        out.append(pd.DataFrame({"Name": mean.index, "Env": env,
                                 "predicted.value": mean.to_numpy(),
                                 "std.error": np.sqrt(s2 / cnt.to_numpy())}))
    res = pd.concat(out, ignore_index=True)
    res["w"] = 1.0 / res["std.error"] ** 2
    return res


def test_two_stage_residual_fixed_at_one(dt_example: pd.DataFrame) -> None:
    s1 = stage1(dt_example)
    kw = dict(random="~ Name", data=s1, weights="w")
    tab = asr.asreml("predicted.value ~ Env", start_values=True, **kw)
    assert isinstance(tab, pd.DataFrame)
    r = tab["Component"] == "units!R"
    tab.loc[r, "Value"] = 1.0
    tab.loc[r, "Constraint"] = "F"
    m = asr.asreml("predicted.value ~ Env", params=tab, **kw)
    assert m.converged
    assert m.varcomp.loc["units!R", "component"] == 1.0
    assert m.varcomp.loc["units!R", "bound"] == "F"
    # independent: V(σ²_g) = σ²_g ZZ' + diag(SE²), maximised over σ²_g alone
    y = s1["predicted.value"].to_numpy()
    X = env_design(s1)
    Z = indicator(s1["Name"])
    ZZ = Z @ Z.T
    D = np.diag(s1["std.error"].to_numpy() ** 2)

    def neg(sg: float) -> float:
        return -dense_reml(y, X, sg * ZZ + D)[0]

    opt = optimize.minimize_scalar(neg, bounds=(1e-6, 50.0), method="bounded",
                                   options={"xatol": 1e-10})
    sg = float(opt.x)
    ll, beta, cov = dense_reml(y, X, sg * ZZ + D)
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    assert m.varcomp.loc["Name", "component"] == pytest.approx(sg, rel=1e-5)
    np.testing.assert_allclose(m.coef_fixed["solution"], beta, rtol=1e-6)
    np.testing.assert_allclose(m.coef_fixed["std.error"], np.sqrt(np.diag(cov)), rtol=1e-5)
    # without the 'F' constraint σ² is estimated (and the fit can only be better)
    free = asr.asreml("predicted.value ~ Env", **kw)
    assert free.varcomp.loc["units!R", "component"] != pytest.approx(1.0, abs=1e-3)
    assert free.loglik >= m.loglik - 1e-8


# ---------------------------------------------------------------------------------------------
# structured residual and a bivariate model vs dense numpy REML
# ---------------------------------------------------------------------------------------------
def _check_optimum(fun: object, theta: np.ndarray, ll: float) -> None:
    """ℓ at asr_py's θ̂ equals the dense ℓ, its dense gradient (central differences) vanishes
    and moving any parameter by ±1 % lowers it (a maximum)."""
    assert fun(theta) == pytest.approx(ll, abs=1e-7)
    for k in range(theta.size):
        h = 1e-5 * max(abs(theta[k]), 1e-2)
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        grad = (fun(tp) - fun(tm)) / (2 * h)
        assert abs(grad) * max(abs(theta[k]), 1e-2) < 1e-4, (k, grad)
        for s in (1.01, 0.99):
            t = theta.copy()
            t[k] = theta[k] * s if abs(theta[k]) > 1e-3 else theta[k] + (s - 1)
            assert fun(t) < ll, (k, s)


def test_dsum_residual_with_weights(dt_example: pd.DataFrame) -> None:
    d = with_w(dt_example)
    m = asr.asreml("Yield ~ Env", random="~ Name", residual="~ dsum(~ units | Env)", data=d,
                   weights="w")
    assert m.converged
    y = d["Yield"].to_numpy(dtype=float)
    X = env_design(d)
    ZZ = indicator(d["Name"]) @ indicator(d["Name"]).T
    E = indicator(d["Env"])
    w = d["w"].to_numpy()

    def ll(t: np.ndarray) -> float:
        if np.any(t <= 0):
            return -1e10
        return dense_reml(y, X, t[0] * ZZ + np.diag((E @ t[1:]) / w))[0]

    vc = m.varcomp["component"]
    theta = np.array([vc["Name"]] + [vc[f"Env_{e}!units!R"]
                                     for e in ("CA.2011", "CA.2012", "CA.2013")])
    _check_optimum(ll, theta, m.loglik)


def test_bivariate_weights_apply_to_every_trait(dt_example: pd.DataFrame) -> None:
    """cbind(Yield, Weight): Cov(e_{r,a}, e_{r,b}) = Σ_e[a, b] / w_r (the row's weight for both
    traits); records trait within row."""
    d = with_w(dt_example)
    m = asr.asreml("cbind(Yield, Weight) ~ trait + trait:Env", random="~ us(trait):Name",
                   residual="~ units:us(trait)", data=d, weights="w")
    assert m.converged
    n = len(d)
    y = d[["Yield", "Weight"]].to_numpy(dtype=float).ravel()  # trait within row
    Xr = env_design(d)
    X = np.kron(Xr, np.eye(2))
    X = np.column_stack([X[:, 0], X[:, 1], X[:, 2], X[:, 4], X[:, 3], X[:, 5]])
    N = indicator(d["Name"])
    NN = N @ N.T
    Dw = np.diag(1.0 / d["w"].to_numpy())

    def cov2(a: float, b: float, c: float) -> np.ndarray:
        return np.array([[a, b], [b, c]])

    def ll(t: np.ndarray) -> float:
        g, e = cov2(*t[:3]), cov2(*t[3:])
        if np.linalg.eigvalsh(g)[0] <= 0 or np.linalg.eigvalsh(e)[0] <= 0:
            return -1e10
        return dense_reml(y, X, np.kron(NN, g) + np.kron(Dw, e))[0]

    theta = m.varcomp["component"].to_numpy()
    assert theta.size == 6
    _check_optimum(ll, theta, m.loglik)
    assert m.model.records.weights is not None
    np.testing.assert_array_equal(m.model.records.weights, np.repeat(d["w"].to_numpy(), 2))
    assert y.size == 2 * n


# ---------------------------------------------------------------------------------------------
# (5) missing and bad weights
# ---------------------------------------------------------------------------------------------
def test_missing_weights_dropped_with_a_count(dt_example: pd.DataFrame) -> None:
    d = with_w(dt_example)
    d.loc[d.index[[3, 10, 50]], "w"] = np.nan
    before = d.copy()
    mod = compile_model("Yield ~ Env", "~ Name", data=d, weights="w")
    pd.testing.assert_frame_equal(d, before)
    assert mod.records.n == len(d) - 3
    assert mod.records.n_missing_w == 3
    assert any("3 data rows dropped for missing weights in 'w'" in s
               for s in mod.records.notes)
    m = asr.asreml("Yield ~ Env", random="~ Name", data=d, weights="w")
    m_sub = asr.asreml("Yield ~ Env", random="~ Name", data=d.dropna(subset=["w"]),
                       weights="w")
    assert m.loglik == pytest.approx(m_sub.loglik, abs=1e-9)


def test_missing_weight_column(dt_example: pd.DataFrame) -> None:
    d = with_w(dt_example)
    with pytest.raises(DataError, match="weights column 'ww' is not in the data") as exc:
        asr.asreml("Yield ~ Env", random="~ Name", data=d, weights="ww")
    assert "did you mean" in str(exc.value) and "'w'" in str(exc.value)
    with pytest.raises(DataError, match="name of a data column"):
        asr.asreml("Yield ~ Env", data=d, weights=d["w"])  # type: ignore[arg-type]
    with pytest.raises(DataError, match="'Name' is not numeric"):
        asr.asreml("Yield ~ Env", data=d, weights="Name")


@pytest.mark.parametrize("bad", [0.0, -1.5, np.inf])
def test_non_positive_weights(dt_example: pd.DataFrame, bad: float) -> None:
    d = with_w(dt_example)
    d.loc[d.index[[7, 12]], "w"] = bad
    with pytest.raises(DataError, match=r"weights column 'w' has 2 zero, negative or infinite "
                                        r"values \(rows 7, 12\)") as exc:
        asr.asreml("Yield ~ Env", random="~ Name", data=d, weights="w")
    assert "hint" in str(exc.value)


def test_bad_weight_on_a_dropped_row_is_ignored(dt_example: pd.DataFrame) -> None:
    """Only rows that enter the fit need a valid weight (a missing response drops the row)."""
    d = with_w(dt_example)
    d.loc[d.index[5], "Yield"] = np.nan
    d.loc[d.index[5], "w"] = 0.0
    m = asr.asreml("Yield ~ Env", random="~ Name", data=d, weights="w")
    assert m.model.records.n == len(d) - 1


def test_translate_weights() -> None:
    py = translate("m <- asreml(fixed = Yield ~ Env, random = ~ Name, weights = w, data = d)\n")
    assert "weights='w'" in py and "TODO" not in py.split("\n", 1)[1]
    py = translate("m <- asreml(Yield ~ Env, weights = 1/d$se^2, data = d)\n")
    assert "TODO(asr_py): asreml(weights = 1/d$se^2) is not translated" in py
