"""agriutilities' ``h_cullis()`` (rcullis.py) against closed forms:

* balanced one-way model y = mu + g + e with r replicates: the BLUP differences have
  prediction error variance 2 sigma2_g sigma2_e / (r sigma2_g + sigma2_e), so Cullis'
  H2 = 1 - vdBLUP / (2 sigma2_g) = sigma2_g / (sigma2_g + sigma2_e / r), the entry-mean
  heritability (Cullis, Smith & Coombes 2006, for balanced data);
* with a second random term, the C matrix is rebuilt in numpy from the data's own
  indicator matrices (not the fit's X and Z) and H2 follows agriutilities' formula.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate.runtime import r_h_cullis, r_varg


def _oneway(r: int = 3, ng: int = 8, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat([f"G{i:02d}" for i in range(ng)], r)
    eff = dict(zip(sorted(set(g)), rng.normal(0, 2.0, ng)))
    y = 10 + np.array([eff[x] for x in g]) + rng.normal(0, 1.5, len(g))
    return pd.DataFrame({"gen": g, "y": y})


def test_balanced_oneway_closed_form() -> None:
    d = _oneway(r=3)
    m = asr.lme4.lmer("y ~ 1 + (1 | gen)", data=d)
    vg = r_varg(m, "gen")
    ve = float(m.sigma) ** 2
    out = r_h_cullis(m, "gen", re_MME=True)
    assert out["H2Cullis"] == pytest.approx(vg / (vg + ve / 3), rel=1e-6)
    assert out["vdBLUP_avg"] == pytest.approx(2 * vg * ve / (3 * vg + ve), rel=1e-6)
    assert list(out["C22.g"].index) == sorted(set(d["gen"]))
    # Z G Z' + R is the marginal variance of y
    V = out["Z"].to_numpy() @ out["G"] @ out["Z"].to_numpy().T + out["R"]
    assert V[0, 0] == pytest.approx(vg + ve) and V[0, 1] == pytest.approx(vg)


def test_two_random_terms_against_numpy_mme() -> None:
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"gen": np.tile([f"g{i}" for i in range(6)], 4),
                      "blk": np.repeat([f"b{i}" for i in range(4)], 6)})
    d = d.iloc[rng.permutation(len(d))[:21]].reset_index(drop=True)    # unbalanced
    d["y"] = rng.normal(5, 1, len(d)) + d["gen"].map(dict(zip(
        sorted(set(d["gen"])), rng.normal(0, 1, 6)))) + d["blk"].map(
        {"b0": -1.5, "b1": 0.5, "b2": 1.8, "b3": -0.6})
    m = asr.lme4.lmer("y ~ 1 + (1 | gen) + (1 | blk)", data=d)
    vg, vb, ve = r_varg(m, "gen"), r_varg(m, "blk"), float(m.sigma) ** 2
    Zg = pd.get_dummies(d["gen"]).to_numpy(float)
    Zb = pd.get_dummies(d["blk"]).to_numpy(float)
    Z = np.hstack([Zg, Zb])
    X = np.ones((len(d), 1))
    Ginv = np.diag(np.r_[np.full(Zg.shape[1], 1 / vg), np.full(Zb.shape[1], 1 / vb)])
    C = np.block([[X.T @ X, X.T @ Z], [Z.T @ X, Z.T @ Z + ve * Ginv]]) / ve
    Cg = np.linalg.inv(C)[1:1 + Zg.shape[1], 1:1 + Zg.shape[1]]
    n = Zg.shape[1]
    vd = (n * np.trace(Cg) - Cg.sum()) * 2 / (n * (n - 1))
    assert r_h_cullis(m, "gen", re_MME=True)["H2Cullis"] == pytest.approx(
        1 - vd / 2 / vg, rel=1e-6)


def test_errors() -> None:
    m = asr.lme4.lmer("y ~ 1 + (1 | gen)", data=_oneway())
    with pytest.raises(AsrError, match="'blk' is not a random term"):
        r_h_cullis(m, "blk")
    with pytest.raises(AsrError, match="lme4 fit"):
        r_h_cullis(object(), "gen")
