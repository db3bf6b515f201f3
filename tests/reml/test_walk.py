"""The walk along a straight crawl of full AI steps (reml/extrapolate.py) on a real fit.

ante(Env):Name with dsum(~ units | Env) residuals (DT_example), the differenced Hessians and
the secant step switched off (plain AI steps, as tests/reml/test_slow_subspace.py): the AI
steps crawl along one line; with the walk the fit reaches the optimum of an independent
dense-V REML (the ante(1) family) in well under half the iterations it takes
without; y x 1000 and the row order give the same fit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, reml_loglik
from test_slow_subspace import DATA

import asr_py as asr
import asr_py.reml.ai as ai_mod
import asr_py.reml.slow_ai as slow_ai


def _plain_ai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slow_ai, "MAX_FD_PARAMS", 0)
    monkeypatch.setattr(ai_mod, "MAX_FD_PARAMS", 0)
    monkeypatch.setattr(ai_mod, "linear_regime", lambda *a, **k: False)
    monkeypatch.setattr(ai_mod, "SUB_MAX_Z", -1.0)


def _fit(dt: pd.DataFrame) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml("Yield ~ Env", random="~ ante(Env):Name",
                          residual="~ dsum(~ units | Env)", data=dt, maxit=200)


def _data() -> pd.DataFrame:
    return pd.read_csv(DATA, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


def test_walk_reaches_the_dense_optimum_in_fewer_iterations(monkeypatch) -> None:
    _plain_ai(monkeypatch)
    dt = _data()
    m = _fit(dt)
    assert m.converged
    assert "walk" in [h["method"] for h in m.result.history]
    monkeypatch.setattr(ai_mod, "straight", lambda *a, **k: False)
    slow = _fit(dt)
    assert slow.converged and slow.result.n_iter >= 2 * m.result.n_iter
    assert m.loglik == pytest.approx(slow.loglik, abs=1e-5)
    y = dt["Yield"].to_numpy(float)
    env = pd.factorize(dt["Env"], sort=True)[0]
    name = pd.factorize(dt["Name"])[0]
    X = np.eye(3)[env]
    same = (name[:, None] == name[None, :]).astype(float)

    def ll(x: np.ndarray) -> float:
        U = np.eye(3)
        U[0, 1], U[1, 2] = x[0], x[1]
        S = np.linalg.inv(U @ np.diag(np.exp(-x[2:5])) @ U.T)
        V = same * S[np.ix_(env, env)] + np.diag(np.exp(x[5:8])[env])
        return reml_loglik(y, X, V)

    x0 = np.concatenate([[0.0, 0.0], np.log([0.3, 0.6, 0.2]), np.log(m.result.theta[5:8])])
    best = bfgs_max(ll, x0)
    assert m.loglik == pytest.approx(best, abs=1e-5)


def test_walk_units_and_row_order(monkeypatch) -> None:
    _plain_ai(monkeypatch)
    dt = _data()
    m = _fit(dt)
    e = dt.iloc[np.random.default_rng(5).permutation(len(dt))].reset_index(drop=True)
    e["Yield"] = e["Yield"] * 1000.0
    big = _fit(e)
    assert big.converged
    n_p = len(dt) - 3
    assert big.loglik == pytest.approx(m.loglik - n_p * np.log(1000.0), abs=1e-4)
    a = m.varcomp["component"].to_numpy(float)
    b = big.varcomp["component"].to_numpy(float)
    names = m.varcomp.index
    d, u = names.str.endswith("!d"), names.str.endswith("!u")   # ante: Σ⁻¹ = U D U'
    r = ~d & ~u                                                 # residual variances
    np.testing.assert_allclose(b[r], a[r] * 1e6, rtol=2e-3)
    np.testing.assert_allclose(b[d], a[d] * 1e-6, rtol=2e-3)
    np.testing.assert_allclose(b[u], a[u], atol=2e-3)
