"""emmeans' Kenward-Roger df of a singular lmer fit (a random-intercept variance of 0).

lme4 estimates the variance as 0; the emulation refits without the term (the same model),
but pbkrtest still differentiates Var(y) in that variance parameter, so the KR df of a mean
is not the residual df. asremlPlus's test41/42alldiffs.asr.r ('facCombine.alldiffs on
Ladybird') record the LSD 0.5534673 from emmeans on such a fit (Run variance 0: KR df 47.2,
not 60). Independent check: the KR formulas (Kenward & Roger 1997, as the module docstring of
asr_py.results.kenward_roger) in dense numpy with ∂Σ/∂σ²_run = ZZ' and ∂Σ/∂σ² = I."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asr_py.compat import emmeans as em
from asr_py.compat import lme4


def _data() -> pd.DataFrame:
    """6 runs x 3 treatments x 2 plants; the noise has equal run means, so the REML
    estimate of the run variance is 0 (a singular fit)."""
    rng = np.random.default_rng(3)
    run = np.repeat(np.arange(6), 6)
    trt = np.tile(np.repeat(np.arange(3), 2), 6)
    e = rng.normal(size=run.size)
    e = e - pd.Series(e).groupby(run).transform("mean").to_numpy()
    y = np.array([0.0, 1.0, 2.5])[trt] + e
    return pd.DataFrame({"y": y, "Run": pd.Categorical([f"R{i}" for i in run]),
                         "Trt": pd.Categorical([f"T{i}" for i in trt])})


def _kr_df_dense(d: pd.DataFrame) -> tuple[float, float]:
    """(KR df of the first treatment mean, SE of the first difference) at σ²_run = 0."""
    y = d["y"].to_numpy(float)
    X = pd.get_dummies(d["Trt"]).to_numpy(float)       # cell means
    Z = pd.get_dummies(d["Run"]).to_numpy(float)
    n, p = X.shape
    s2 = float(np.sum((y - X @ np.linalg.lstsq(X, y, rcond=None)[0]) ** 2) / (n - p))
    Si = np.eye(n) / s2
    Phi = np.linalg.inv(X.T @ Si @ X)
    P = Si - Si @ X @ Phi @ X.T @ Si
    D = [Z @ Z.T, np.eye(n)]
    W = np.linalg.inv(np.array([[0.5 * np.trace(P @ a @ P @ b) for b in D] for a in D]))
    Pm = [-X.T @ Si @ a @ Si @ X for a in D]
    L = np.eye(p)[:, [0]]
    Th = L @ np.linalg.inv(L.T @ Phi @ L) @ L.T
    A1 = sum(W[i, j] * np.trace(Th @ Phi @ Pm[i] @ Phi) * np.trace(Th @ Phi @ Pm[j] @ Phi)
             for i in range(2) for j in range(2))
    A2 = sum(W[i, j] * np.trace(Th @ Phi @ Pm[i] @ Phi @ Th @ Phi @ Pm[j] @ Phi)
             for i in range(2) for j in range(2))
    B = (A1 + 6 * A2) / 2
    g = (2 * A1 - 5 * A2) / (3 * A2)
    dd = 3 + 2 * (1 - g)
    c1, c2, c3 = g / dd, (1 - g) / dd, (3 - g) / dd
    E = 1 / (1 - A2)
    V = 2 * (1 + c1 * B) / ((1 - c2 * B) ** 2 * (1 - c3 * B))
    rho = V / (2 * E * E)
    df = 4 + 3 / (rho - 1)
    sed = float(np.sqrt(Phi[0, 0] + Phi[1, 1] - 2 * Phi[0, 1]))  # Φ_A = Φ here (W's terms
    return float(df), sed                                          # cancel for cell means)


def test_singular_lmer_kr_df_counts_the_zero_variance() -> None:
    d = _data()
    m = lme4.lmer("y ~ Trt + (1 | Run)", d)
    vc = lme4.VarCorr(m)
    assert float(vc.loc[vc["grp"] == "Run", "vcov"].iloc[0]) == 0.0   # singular, as lme4
    g = em.emmeans(m, "~ Trt")
    df, sed = _kr_df_dense(d)
    resid_df = len(d) - 3
    assert df < resid_df - 1                   # not the residual df of the model without Run
    np.testing.assert_allclose(g["df"], df, rtol=1e-6)
    V = g.vcov().to_numpy()
    assert np.sqrt(V[0, 0] + V[1, 1] - 2 * V[0, 1]) == pytest.approx(sed, rel=1e-6)


def test_nonsingular_lmer_kr_df_unchanged() -> None:
    """A fit with a positive run variance: kr_fit is the fit itself (no 'B' counted)."""
    d = _data()
    d["y"] = d["y"] + np.repeat(np.random.default_rng(5).normal(scale=2.0, size=6), 6)
    m = lme4.lmer("y ~ Trt + (1 | Run)", d)
    assert m.kr_fit is m.fit
    g = em.emmeans(m, "~ Trt")
    assert np.all(np.isfinite(g["df"])) and np.all(g["df"] > 0)
