"""asreml's ``asmv = trait`` (long-format multivariate data, asr_py.model.asmv) against a
dense-V REML written here from the model's definition: records of one unit (the rows
k·t, ..., k·t + t − 1 of the data) share the residual matrix Σ_r, R = W^{-1/2}(I_u ⊗ Σ_r)W^{-1/2}
over the observed records, G = I_g ⊗ Σ_g."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import chol_entries, chol_from, fit_dense, gls, reml_loglik

import asr_py as asr
from asr_py.errors import DataError, FormulaError

TRAITS = ("a", "b")


def _long(seed: int = 3, ng: int = 10, nr: int = 3) -> pd.DataFrame:
    """Long data, traits within units (a, b, a, b, ...), per-row weights, one trait missing."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(ng), nr)
    sg = np.array([[1.0, 0.6], [0.6, 2.0]])
    sr = np.array([[1.0, 0.5], [0.5, 1.5]])
    y = np.array([10.0, 20.0]) + rng.multivariate_normal([0, 0], sg, ng)[g] + \
        rng.multivariate_normal([0, 0], sr, g.size)
    rows = []
    for u in range(g.size):
        for t, name in enumerate(TRAITS):
            rows.append({"gen": f"g{g[u]:02d}", "unit": u, "trait": name, "y": y[u, t],
                         "w": float(rng.uniform(0.5, 2.0))})
    d = pd.DataFrame(rows)
    d.loc[7, "y"] = np.nan          # unit 3 lacks trait b: its row stays, response NA
    d["gen"] = pd.Categorical(d["gen"])
    return d


def _dense(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, object]:
    """y, X and V(θ) (θ: Cholesky entries of Σ_g, then of Σ_r) of the asmv model."""
    obs = d["y"].notna().to_numpy()
    y = d["y"].to_numpy()[obs]
    t = (d["trait"] == "b").to_numpy().astype(int)[obs]
    unit = (np.arange(len(d)) // 2)[obs]
    gen = d["gen"].cat.codes.to_numpy()[obs]
    w = d["w"].to_numpy()[obs]
    X = np.column_stack([np.ones(y.size), t])
    Z = np.zeros((y.size, 2 * (gen.max() + 1)))
    Z[np.arange(y.size), 2 * gen + t] = 1.0
    same = unit[:, None] == unit[None, :]
    s = 1 / np.sqrt(w)

    def build(theta: np.ndarray) -> np.ndarray:
        lg, lr = chol_from(theta[:3], 2), chol_from(theta[3:], 2)
        sg, sr = lg @ lg.T, lr @ lr.T
        G = np.kron(np.eye(gen.max() + 1), sg)
        R = np.where(same, sr[t][:, t], 0.0) * np.outer(s, s)
        return Z @ G @ Z.T + R

    return y, X, build


def _sigmas(fit: asr.AsremlFit) -> tuple[np.ndarray, np.ndarray]:
    vc = fit.varcomp["component"].to_numpy()
    sg = np.array([[vc[0], vc[1]], [vc[1], vc[2]]])
    sr = np.array([[vc[3], vc[4]], [vc[4], vc[5]]])
    return sg, sr


def _fit(d: pd.DataFrame, **kw: object) -> asr.AsremlFit:
    kw.setdefault("residual", "~ units:us(trait)")
    return asr.asreml("y ~ trait", random="~ us(trait):gen", data=d, weights="w",
                      asmv="trait", **kw)


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return _long()


@pytest.fixture(scope="module")
def fit(long: pd.DataFrame) -> asr.AsremlFit:
    return _fit(long)


def test_asmv_equals_dense_reml(long: pd.DataFrame, fit: asr.AsremlFit) -> None:
    y, X, build = _dense(long)
    sg, sr = _sigmas(fit)
    theta = np.concatenate([chol_entries(sg), chol_entries(sr)])
    # the same ℓ at asr_py's estimates, and no higher ℓ anywhere (dense optimum)
    assert reml_loglik(y, X, build(theta)) == pytest.approx(fit.loglik, abs=1e-7)
    _, best = fit_dense(y, X, build, [theta, np.array([1, 0, 1, 1, 0, 1.0])])
    assert best == pytest.approx(fit.loglik, abs=1e-5)
    assert best < fit.loglik + 1e-5
    # β̂ by GLS at the estimates: the predicted trait means
    beta, _ = gls(y, X, build(theta))
    pv = fit.predict(classify="trait")
    got = pv.set_index("trait")["predicted.value"]
    assert got["a"] == pytest.approx(beta[0], abs=1e-6)
    assert got["b"] == pytest.approx(beta[0] + beta[1], abs=1e-6)


def test_asmv_is_the_cbind_model(long: pd.DataFrame, fit: asr.AsremlFit) -> None:
    """Without weights the long asmv model is the wide cbind(a, b) model (records of one
    data row share units)."""
    wide = long.pivot(index="unit", columns="trait", values="y").reset_index()
    wide["gen"] = long.groupby("unit")["gen"].first().to_numpy()
    mv = asr.asreml("cbind(a, b) ~ trait", random="~ us(trait):gen",
                    residual="~ units:us(trait)", data=wide)
    uni = asr.asreml("y ~ trait", random="~ us(trait):gen", residual="~ units:us(trait)",
                     data=long, asmv="trait")
    assert uni.loglik == pytest.approx(mv.loglik, abs=1e-6)   # both at the optimum
    np.testing.assert_allclose(uni.varcomp["component"].to_numpy(),
                               mv.varcomp["component"].to_numpy(), rtol=1e-3)
    a = uni.predict(classify="trait").set_index("trait")
    b = mv.predict(classify="trait").set_index("trait")
    np.testing.assert_allclose(a["predicted.value"], b["predicted.value"], rtol=1e-6)
    np.testing.assert_allclose(a["std.error"], b["std.error"], rtol=1e-4)


def test_default_residual_is_units_us_trait(long: pd.DataFrame, fit: asr.AsremlFit) -> None:
    d = asr.asreml("y ~ trait", random="~ us(trait):gen", data=long, weights="w",
                   asmv="trait")
    assert d.loglik == pytest.approx(fit.loglik, abs=1e-6)
    assert len(d.varcomp) == 6


def test_traits_outer_order(long: pd.DataFrame, fit: asr.AsremlFit) -> None:
    """``us(trait):units`` reads data sorted by trait (units within traits)."""
    by_trait = long.sort_values(["trait", "unit"], kind="stable").reset_index(drop=True)
    f = _fit(by_trait, residual="~ us(trait):units")
    assert f.loglik == pytest.approx(fit.loglik, abs=1e-6)
    with pytest.raises(DataError, match="does not hold each of the 2 traits once"):
        _fit(by_trait)          # units:us(trait) on trait-sorted rows: a unit holds a, a


def test_invariance_units_and_order(long: pd.DataFrame, fit: asr.AsremlFit) -> None:
    # trait b in other units (× 1000): Σ scales, ℓ moves by the Jacobian −(n_b − p_b) ln k
    k = 1000.0
    d = long.copy()
    b = d["trait"] == "b"
    d.loc[b, "y"] *= k
    f = _fit(d)
    n_b = int((b & d["y"].notna()).sum())
    assert f.loglik == pytest.approx(fit.loglik - (n_b - 1) * np.log(k), abs=1e-6)
    sg0, sr0 = _sigmas(fit)
    sg1, sr1 = _sigmas(f)
    scale = np.array([[1, k], [k, k * k]])
    np.testing.assert_allclose(sg1, sg0 * scale, rtol=2e-3)   # a flat ℓ: 1e-6 moves Σ 5e-4
    np.testing.assert_allclose(sr1, sr0 * scale, rtol=2e-3)
    # units in another order, and traits b, a within each unit: the same fit
    rng = np.random.default_rng(0)
    perm = rng.permutation(long["unit"].max() + 1)
    rows = np.concatenate([[2 * u + 1, 2 * u] for u in perm])
    f2 = _fit(long.iloc[rows].reset_index(drop=True))
    assert f2.loglik == pytest.approx(fit.loglik, abs=1e-6)
    np.testing.assert_allclose(f2.varcomp["component"], fit.varcomp["component"], rtol=1e-3)


def test_bad_long_data(long: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="not a whole number of units"):
        _fit(long.iloc[:-1])
    with pytest.raises(DataError, match="hold each of the 2 traits once"):
        _fit(long.iloc[[1, 0, 2, 4, 3, 5] + list(range(6, len(long)))].reset_index(drop=True))
    with pytest.raises(DataError, match="not a column"):
        asr.asreml("y ~ trait", data=long, asmv="Trait")
    wide = pd.DataFrame({"y1": [1.0, 2, 3, 4], "y2": [2.0, 1, 4, 3]})
    with pytest.raises(FormulaError, match="long-format"):
        asr.asreml("cbind(y1, y2) ~ trait", data=wide, asmv="trait")


def _wide_missing(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(12), 3)
    y = np.array([1.0, 2.0]) + rng.multivariate_normal([0, 0], [[1, .5], [.5, 2]], 12)[g] + \
        rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], g.size)
    d = pd.DataFrame({"gen": pd.Categorical([f"g{i:02d}" for i in g]), "a": y[:, 0],
                      "b": y[:, 1], "x": rng.normal(size=g.size)})
    d.loc[[2, 9, 17], "b"] = np.nan
    d.loc[5, "a"] = np.nan
    return d


def _to_long(d: pd.DataFrame) -> pd.DataFrame:
    long = d.reset_index().melt(id_vars=["index", "gen", "x"], value_vars=["a", "b"],
                                var_name="trait", value_name="y")
    return long.sort_values(["index", "trait"]).reset_index(drop=True)


@pytest.mark.parametrize("res", ["~ units:diag(trait)", "~ at(trait):units",
                                 "~ dsum(~ units | trait)", "~ units:idh(trait)"])
def test_separable_traits_are_two_univariate_fits(res: str) -> None:
    """diag(trait):gen and a residual with no trait covariance: the model separates, so ℓ is
    the sum of the two univariate fits' ℓ (missing trait values only leave their record);
    the long asmv form gives the same."""
    d = _wide_missing()
    mv = asr.asreml("cbind(a, b) ~ trait", random="~ diag(trait):gen", residual=res, data=d)
    ua = asr.asreml("a ~ 1", random="~ gen", data=d)
    ub = asr.asreml("b ~ 1", random="~ gen", data=d)
    assert mv.loglik == pytest.approx(ua.loglik + ub.loglik, abs=1e-6)
    lg = asr.asreml("y ~ trait", random="~ diag(trait):gen", residual=res, data=_to_long(d),
                    asmv="trait")
    assert lg.loglik == pytest.approx(mv.loglik, abs=1e-6)
    pa = ua.predict(classify="gen")["predicted.value"].to_numpy()
    p = mv.predict(classify="trait:gen")
    np.testing.assert_allclose(p[p["trait"] == "a"]["predicted.value"].to_numpy(), pa,
                               rtol=1e-4)


def test_covariate_mean_over_rows_with_missing_traits() -> None:
    """predict(classify = 'trait') of ``trait + trait:x``: each trait at x̄ over the data rows
    (missing trait values are records to asreml under na.method(y = 'include')), the same
    for the wide cbind and the long asmv data; against GLS β̂ of a dense V at the fit's Σ."""
    d = _wide_missing()
    mv = asr.asreml("cbind(a, b) ~ trait + trait:x", random="~ us(trait):gen",
                    residual="~ units:us(trait)", data=d)
    lg = asr.asreml("y ~ trait + trait:x", random="~ us(trait):gen",
                    residual="~ units:us(trait)", data=_to_long(d), asmv="trait")
    pm = mv.predict(classify="trait").set_index("trait")["predicted.value"]
    pl = lg.predict(classify="trait").set_index("trait")["predicted.value"]
    np.testing.assert_allclose(pm.to_numpy(), pl.to_numpy(), rtol=1e-5)
    # dense GLS: records trait-within-row, X = [trait a, trait b, a·x, b·x]
    vc = mv.varcomp["component"].to_numpy()
    sg = np.array([[vc[0], vc[1]], [vc[1], vc[2]]])
    sr = np.array([[vc[3], vc[4]], [vc[4], vc[5]]])
    Y = d[["a", "b"]].to_numpy()
    row, tr = np.nonzero(~np.isnan(Y))
    y = Y[row, tr]
    x = d["x"].to_numpy()[row]
    X = np.column_stack([tr == 0, tr == 1, (tr == 0) * x, (tr == 1) * x]).astype(float)
    gen = d["gen"].cat.codes.to_numpy()[row]
    Z = np.zeros((y.size, 2 * 12))
    Z[np.arange(y.size), 2 * gen + tr] = 1.0
    V = Z @ np.kron(np.eye(12), sg) @ Z.T + np.where(row[:, None] == row[None, :],
                                                     sr[tr][:, tr], 0.0)
    beta, _ = gls(y, X, V)
    xbar = d["x"].mean()                    # over the 36 data rows, not the 32 records
    np.testing.assert_allclose(pm.to_numpy(), [beta[0] + beta[2] * xbar,
                                               beta[1] + beta[3] * xbar], rtol=1e-5)
