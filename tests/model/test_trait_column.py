"""A data column named ``trait`` in a univariate model is an ordinary factor (asreml reads
the column there; its ``trait`` factor exists only for a cbind response).

Long-format data (one response column, a trait column): the same model with the column
named ``trait`` and renamed ``tr`` gives the same fit, varcomp (names up to the factor's
name), predictions and Wald tables; the fit is checked against the dense-V REML of
tests/_dense_reml.py and the predictions against GLS on that V. A cbind response with a data
column ``trait`` is a FormulaError with a hint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, gls, indicator

import asr_py as asr
from asr_py.errors import FormulaError


def _long(seed: int = 5) -> pd.DataFrame:
    """Two traits at different scales on 24 genotypes in 3 environments, ~10 % missing."""
    rng = np.random.default_rng(seed)
    rows = []
    u = rng.normal(size=(24, 2)) * [0.8, 6.0]
    for e, eff in zip(["E1", "E2", "E3"], [0.0, 0.6, -0.4]):
        for g in range(24):
            for t, (mu, sd) in enumerate([(5.0, 1.0), (40.0, 4.0)]):
                rows.append(("AB"[t], f"g{g:02d}", e,
                             mu + eff * (1 + 5 * t) + u[g, t] + rng.normal() * sd))
    d = pd.DataFrame(rows, columns=["trait", "gen", "env", "y"])
    d.loc[rng.choice(len(d), len(d) // 10, replace=False), "y"] = np.nan
    return d


def _fit(d: pd.DataFrame, name: str, fixed: str, random: str, residual: str | None
         ) -> asr.AsremlFit:
    f = {k: v.replace("{t}", name) if v else v
         for k, v in dict(fixed=fixed, random=random, residual=residual).items()}
    return asr.asreml(**f, data=d if name == "trait" else d.rename(columns={"trait": name}))


MODELS = [
    ("y ~ {t} + env", "~ diag({t}):gen", "~ dsum(~ units | {t})",
     ["{t}", "{t}:env", "{t}:gen"]),
    ("y ~ {t} + at({t}):env", "~ us({t}):gen", "~ dsum(~ units | {t})",
     ["{t}:env", "{t}:gen"]),
    ("y ~ {t}*env", "~ at({t}, 'B'):gen", None, ["{t}", "env:{t}"]),
]


@pytest.mark.parametrize("fixed,random,residual,classify", MODELS)
def test_trait_column_same_as_renamed(fixed: str, random: str, residual: str | None,
                                      classify: list[str]) -> None:
    d = _long()
    before = d.copy()
    a = _fit(d, "trait", fixed, random, residual)
    b = _fit(d, "tr", fixed, random, residual)
    pd.testing.assert_frame_equal(d, before)           # the user's data untouched
    assert a.loglik == pytest.approx(b.loglik, abs=1e-8)
    va, vb = a.varcomp, b.varcomp
    assert list(va.index) == [s.replace("tr", "trait") for s in vb.index]
    assert any("trait_A" in s or "trait, 'B'" in s or "trait, B" in s for s in va.index)
    np.testing.assert_allclose(va["component"], vb["component"], rtol=1e-7)
    for c in classify:
        pa = a.predict(classify=c.replace("{t}", "trait"))
        pb = b.predict(classify=c.replace("{t}", "tr"))
        assert list(pa.columns) == [x.replace("tr", "trait") for x in pb.columns]
        assert set(pa["trait"]) == {"A", "B"}
        np.testing.assert_allclose(pa["predicted.value"], pb["predicted.value"], rtol=1e-9)
        np.testing.assert_allclose(pa["std.error"], pb["std.error"], rtol=1e-7)
    wa, wb = a.wald(), b.wald()
    np.testing.assert_allclose(wa.iloc[:, :3].to_numpy(float), wb.iloc[:, :3].to_numpy(float),
                               rtol=1e-7)


def test_trait_column_against_dense_reml() -> None:
    """y ~ trait + env, diag(trait):gen, a residual variance per trait: the REML optimum of
    V = Σ_t σ²_g,t Z_t Z_t' + diag(σ²_e,t(i)) and the GLS predictions of the two traits
    (env averaged with equal weights; the gen effects are not in classify, so left out)."""
    d = _long()
    m = asr.asreml("y ~ trait + env", random="~ diag(trait):gen",
                   residual="~ dsum(~ units | trait)", data=d)
    r = d.dropna(subset=["y"]).reset_index(drop=True)
    y = r["y"].to_numpy(float)
    T = indicator(r["trait"], ["A", "B"])
    E = indicator(r["env"], ["E1", "E2", "E3"])
    G = indicator(r["gen"])
    X = np.column_stack([np.ones(len(r)), T[:, 1], E[:, 1:]])
    Zt = [G * T[:, [k]] for k in range(2)]

    def build(p: np.ndarray) -> np.ndarray | None:
        if np.any(p <= 0):
            return None
        V = sum(p[k] * Zt[k] @ Zt[k].T for k in range(2))
        return V + np.diag(T @ p[2:])

    vc = m.varcomp["component"]
    start = np.array([vc["trait:gen!trait_A"], vc["trait:gen!trait_B"],
                      vc["trait_A!units!R"], vc["trait_B!units!R"]])
    p, ll = fit_dense(y, X, build, [start, np.array([0.5, 10, 1, 30])],
                      [(1e-8, None)] * 4, scale=start)
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(start, p, rtol=2e-3)
    beta, cov = gls(y, X, build(start))
    L = np.array([[1, 0, 1 / 3, 1 / 3], [1, 1, 1 / 3, 1 / 3]])
    pr = m.predict(classify="trait")
    assert list(pr["trait"]) == ["A", "B"]
    np.testing.assert_allclose(pr["predicted.value"], L @ beta, rtol=1e-8)
    np.testing.assert_allclose(pr["std.error"], np.sqrt(np.diag(L @ cov @ L.T)), rtol=1e-6)


def test_trait_column_numeric_is_a_covariate() -> None:
    """R's rule for any column: a numeric ``trait`` column is a covariate (one slope)."""
    d = _long().dropna(subset=["y"])
    d["trait"] = (d["trait"] == "B").astype(float)
    d["code"] = d["trait"]
    a = asr.asreml("y ~ trait + env", data=d)
    b = asr.asreml("y ~ code + env", data=d)
    assert a.model.fixed.names == [s.replace("code", "trait") for s in b.model.fixed.names]
    np.testing.assert_allclose(a.coef_fixed.to_numpy(float), b.coef_fixed.to_numpy(float),
                               rtol=1e-9)


def test_multivariate_with_trait_column_is_an_error() -> None:
    d = pd.DataFrame({"y1": [1.0, 2, 3, 4, 5, 6], "y2": [2.0, 1, 4, 3, 6, 5],
                      "trait": list("aabbcc"), "g": list("xyxyxy")})
    with pytest.raises(FormulaError) as e:
        asr.asreml("cbind(y1, y2) ~ trait", random="~ us(trait):g",
                   residual="~ units:us(trait)", data=d)
    assert "column 'trait'" in str(e.value)
    assert "rename" in (e.value.hint or "")


def test_univariate_trait_without_column_is_the_response() -> None:
    """No data column ``trait``: a univariate ``trait`` is the one-level factor of the
    response, as before (the prediction of trait 'y' is the mean's)."""
    d = _long().drop(columns="trait").rename(columns={"gen": "g"}).dropna()
    m = asr.asreml("y ~ trait + env", data=d)
    pr = m.predict(classify="trait")
    assert list(pr["trait"]) == ["y"]
    n = m.predict(classify="env")["predicted.value"].mean()
    assert pr["predicted.value"].iloc[0] == pytest.approx(n, rel=1e-10)
