"""Slow AI fits of a stage-2 MET, corh(env):vm(geno, K) with fixed weighted residuals
(asr_gaussian(dispersion = 1)), take Newton steps with the differenced Hessian
(reml/slow_ai.py), from central differences of the score (the default) or forward ones
(slow_ai.FD_CENTRAL False, s22esc: one score evaluation a free parameter). The fit is checked
against an independent dense-V REML (tests/_dense_reml.py):

    V = Z (Σ ⊗ K) Z' + diag(1/w),   Σ = ρ s s' + (1 − ρ) diag(s²)   (corh),

ℓ at the estimates equals the dense ℓ there, and scipy started at the estimates finds no
higher ℓ (variances through their square roots: a zero variance is reachable)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, reml_loglik
from _stage2_met import stage2_met

import asr_py as asr
from asr_py.reml import ai as ai_mod
from asr_py.reml import slow_ai


def _fit(d: pd.DataFrame, K: pd.DataFrame) -> asr.AsremlModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(fixed="y ~ env", random="~ corh(env):vm(geno, K)",
                          family=asr.asr_gaussian(dispersion=1), weights="w", maxit=100,
                          data=d, K=K)


def _dense_ll(d: pd.DataFrame, K: pd.DataFrame, rho: float, var: np.ndarray) -> float:
    envs = sorted(d["env"].unique())
    e = d["env"].map({v: i for i, v in enumerate(envs)}).to_numpy()
    g = K.index.get_indexer(d["geno"])
    s = np.sqrt(var)
    sig = (rho * np.ones((len(envs), len(envs))) + (1 - rho) * np.eye(len(envs))) * np.outer(s, s)
    V = sig[np.ix_(e, e)] * K.to_numpy()[np.ix_(g, g)] + np.diag(1 / d["w"].to_numpy())
    X = np.eye(len(envs))[e]
    return reml_loglik(d["y"].to_numpy(), X, V)


@pytest.mark.parametrize("central", [False, True], ids=["forward", "central"])
def test_slow_corh_met_reaches_the_dense_optimum(monkeypatch: pytest.MonkeyPatch,
                                                 central: bool) -> None:
    d, K = stage2_met(6, 40, 3)
    monkeypatch.setattr(slow_ai, "FD_CENTRAL", central)
    used = []
    orig = ai_mod.fd_information
    monkeypatch.setattr(ai_mod, "fd_information",
                        lambda *a, **k: used.append(1) or orig(*a, **k))
    m = _fit(d, K)
    assert used  # the differenced Hessian was taken
    assert m.converged
    vc = m.varcomp["component"]
    names = list(vc.index)
    assert "cor" in names[0] and names[-1].startswith("units")
    rho, var = float(vc.iloc[0]), vc.iloc[1:-1].to_numpy(float)
    ll = _dense_ll(d, K, rho, var)
    assert m.loglik == pytest.approx(ll, abs=1e-7 * abs(ll))

    def f(x: np.ndarray) -> float:
        return _dense_ll(d, K, float(np.tanh(x[0])), x[1:] ** 2)

    x0 = np.r_[np.arctanh(min(rho, 0.999)), np.sqrt(np.maximum(var, 1e-8))]
    best = bfgs_max(f, x0)
    assert best - m.loglik < 1e-5  # no higher ℓ near the estimates
