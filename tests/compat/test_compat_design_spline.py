"""``fit$design`` (translate's ``r_design``) gives a spline term's columns as asreml does, with
identity covariance: the term's part of V is σ²_s Z Zᵀ (asremlPlus's test41EstimateV.r
builds V as ``V + sigma2 * vparameters[2] * Zspl %*% t(Zspl)`` from ``fit$design``).

Independent check: with V(θ) = σ²_s Z Zᵀ + σ² I built from the design alone, the REML score
computed densely in numpy, ∂ℓ/∂θᵢ = -½ tr(P Vᵢ) + ½ yᵀP Vᵢ P y, vanishes at asr_py's
estimates (they are the REML optimum of that V); with Z_s without its K it does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import asr_py as asr
from asr_py.translate.runtime import r_design


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"g": np.repeat(["a", "b"], 40), "x": np.tile(np.arange(40.0), 2)})
    d["y"] = np.sin(d["x"] / 6) * 2 + rng.normal(0, 0.4, len(d))
    d["g"] = d["g"].astype("category")
    return d


def _score(X: np.ndarray, y: np.ndarray, parts: list[np.ndarray],
           theta: np.ndarray) -> np.ndarray:
    V = sum(t * P for t, P in zip(theta, parts))
    Vi = np.linalg.inv(V)
    P = Vi - Vi @ X @ np.linalg.solve(X.T @ Vi @ X, X.T @ Vi)
    Py = P @ y
    return np.array([-0.5 * np.trace(P @ Vk) + 0.5 * Py @ Vk @ Py for Vk in parts])


def test_spline_design_columns_have_identity_covariance() -> None:
    d = _data()
    m = asr.asreml("y ~ g/x", random="~ g:spl(x)", data=d)
    D = r_design(m)
    Z = D[[c for c in D.columns if c.startswith("g:spl(x)")]].to_numpy(dtype=float)
    X = D[list(m.model.fixed.names)].to_numpy(dtype=float)
    y = d["y"].to_numpy(dtype=float)
    theta = m.varcomp["component"].to_numpy(dtype=float)
    assert theta[0] > 1e-4 * theta[1]                       # an interior estimate
    parts = [Z @ Z.T, np.eye(len(y))]
    score = _score(X, y, parts, theta)
    info_scale = np.abs(_score(X, y, parts, theta * [2.0, 1.0]))
    assert np.all(np.abs(score) < 1e-4 * np.maximum(1.0, info_scale))
    # the bare spline incidence (no K) is not this model: its score is far from zero
    Zs = m.model.random[0].Z
    Zs = Zs.toarray() if hasattr(Zs, "toarray") else np.asarray(Zs)
    bad = _score(X, y, [Zs @ Zs.T, np.eye(len(y))], theta)
    assert np.max(np.abs(bad)) > 100 * np.max(np.abs(score))


def test_other_terms_keep_their_incidence_columns() -> None:
    d = _data()
    m = asr.asreml("y ~ x", random="~ g", data=d)
    D = r_design(m)
    np.testing.assert_array_equal(D[["g_a", "g_b"]].to_numpy(),
                                  pd.get_dummies(d["g"]).to_numpy(dtype=float))
