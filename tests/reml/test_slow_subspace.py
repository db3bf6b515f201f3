"""The differenced Hessian on the slow subspace (reml/slow_subspace.py), used by fits with more
than slow_ai.MAX_FD_PARAMS free parameters (asremlPlus's Selection refits: 48).

Checked against closed forms (a quadratic log-likelihood whose Hessian is known) and, for the
iteration, against an independent dense-V REML (``tests/_dense_reml.py``) maximised by scipy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, reml_loglik

import asr_py as asr
import asr_py.reml.ai as ai_mod
import asr_py.reml.slow_ai as slow_ai
from asr_py.reml.slow_subspace import SUB_STEPS, recent_steps, slow_basis, subspace_information

DATA = Path(__file__).resolve().parents[1] / "data" / "DT_example.csv"


def _spd(rng: np.random.Generator, n: int, spread: float) -> np.ndarray:
    q = np.linalg.qr(rng.normal(size=(n, n)))[0]
    return (q * np.exp(rng.uniform(-spread, spread, n))) @ q.T


def test_block_update_takes_the_hessian_on_the_slow_subspace() -> None:
    """ℓ quadratic with Hessian −H: B V = H V, B symmetric positive definite, and a Newton
    step with B removes an error lying in span(V) exactly (AI's own step does not)."""
    rng = np.random.default_rng(3)
    n = 9
    h = _spd(rng, n, 1.5)
    ai = _spd(rng, n, 1.5)
    opt = rng.normal(size=n)
    free = np.ones(n, dtype=bool)
    free[4] = False  # a fixed parameter keeps its AI row and column

    def score_at(t: np.ndarray) -> np.ndarray:
        return h @ (opt - t)

    steps = [rng.normal(size=n) for _ in range(3)]
    steps.append(2.5 * steps[-1])  # a repeated direction adds nothing
    for s in steps:
        s[4] = 0.0
    idx = np.flatnonzero(free)
    v = slow_basis(steps, ai, idx)
    assert v is not None and v.shape == (idx.size, 3)
    vz = v * np.sqrt(np.diag(ai)[idx])[:, None]  # orthonormal in standard-error units
    np.testing.assert_allclose(vz.T @ vz, np.eye(3), atol=1e-12)
    err = np.zeros(n)
    err[idx] = v @ np.array([0.7, -1.2, 0.4])  # the error lies in the slow subspace
    theta = opt - err
    b = subspace_information(score_at, lambda t: True, theta, score_at(theta), ai, free, steps)
    assert b is not None
    np.testing.assert_allclose(b, b.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(b) > 0)
    bb = b[np.ix_(idx, idx)]
    np.testing.assert_allclose(bb @ v, h[np.ix_(idx, idx)] @ v, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(b[4], ai[4])
    s = score_at(theta)[idx]
    np.testing.assert_allclose(np.linalg.solve(bb, s), err[idx], rtol=1e-6, atol=1e-8)
    assert np.linalg.norm(np.linalg.solve(ai[np.ix_(idx, idx)], s) - err[idx]) > 0.1


def test_no_update_where_the_slow_directions_are_not_those_of_a_maximum() -> None:
    """V'HV not positive definite (a saddle along the steps): no update."""
    rng = np.random.default_rng(5)
    n = 5
    h = -np.eye(n)
    ai = np.eye(n)
    steps = [rng.normal(size=n) for _ in range(2)]
    th = rng.normal(size=n)
    assert subspace_information(lambda t: -h @ t, lambda t: True, th, -h @ th, ai,
                                np.ones(n, dtype=bool), steps) is None


def test_recent_steps_are_the_last_differences_of_the_history() -> None:
    hist = [{"theta": np.array([float(i), 2.0 * i])} for i in range(SUB_STEPS + 4)]
    out = recent_steps(hist)
    assert len(out) == SUB_STEPS
    for s in out:
        np.testing.assert_allclose(s, [1.0, 2.0])


def test_subspace_newton_reaches_the_dense_reml_optimum_fast(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """ante(Env):Name with dsum(~ units | Env) residuals (DT_example): with the full
    differenced Hessian and the secant step switched off, plain AI steps need ~53 iterations;
    the slow-subspace Newton steps reach the optimum of an independent dense-V REML (the
    ante(1) family Σ⁻¹ = U D⁻¹ U', as test_slow_ai.py) in at most 20."""
    monkeypatch.setattr(slow_ai, "MAX_FD_PARAMS", 0)
    monkeypatch.setattr(ai_mod, "MAX_FD_PARAMS", 0)
    monkeypatch.setattr(ai_mod, "linear_regime", lambda *a, **k: False)
    dt = pd.read_csv(DATA, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})
    m = asr.asreml("Yield ~ Env", random="~ ante(Env):Name",
                   residual="~ dsum(~ units | Env)", data=dt, maxit=200)
    r = m.result
    assert m.converged and r.n_iter <= 20
    assert "NR" in [h["method"] for h in r.history]
    monkeypatch.setattr(ai_mod, "SUB_MAX_Z", -1.0)  # the subspace step off: plain AI
    monkeypatch.setattr(ai_mod, "straight", lambda *a, **k: False)  # s29conv: no walk
    plain = asr.asreml("Yield ~ Env", random="~ ante(Env):Name",
                       residual="~ dsum(~ units | Env)", data=dt, maxit=200)
    assert plain.converged and plain.result.n_iter >= 2 * r.n_iter
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

    x0 = np.concatenate([[0.0, 0.0], np.log([0.3, 0.6, 0.2]), np.log(r.theta[5:8])])
    best = bfgs_max(ll, x0)
    assert m.loglik == pytest.approx(best, abs=1e-5)
    assert best <= m.loglik + 1e-6
