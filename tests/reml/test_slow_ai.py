"""Newton steps with a differenced Hessian when full AI steps converge linearly (issue 11,
item 2d; reml/slow_ai.py).

ante(Env):Name with dsum(~ units | Env) residuals on sommer's DT_example: the AI iteration
contracts the error by only ~0.88 per step (AI is not the Hessian: 57 iterations before, not
converged at the default maxit 30). The optimum is checked against an independent dense-V
REML (``tests/_dense_reml.py``) maximised by scipy over the ante(1) family, Σ⁻¹ = U D⁻¹ U'
(U unit upper bidiagonal: every tridiagonal positive-definite precision matrix)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, reml_loglik

import asr_py as asr
from asr_py.reml.slow_ai import SLOW_RATIO, SLOW_STEPS, is_slow

DATA = Path(__file__).resolve().parents[1] / "data" / "DT_example.csv"


def test_is_slow_needs_full_ai_steps_shrinking_slowly() -> None:
    k = SLOW_STEPS + 1
    z = [0.9 ** i for i in range(k)]
    assert is_slow(["AI"] * k, [1.0] * k, z)
    assert not is_slow(["AI"] * k, [1.0] * k, [0.1 ** i for i in range(k)])  # fast
    assert not is_slow(["AI"] * (k - 1) + ["EM"], [1.0] * k, z)
    assert not is_slow(["AI"] * k, [1.0] * (k - 1) + [0.5], z)
    assert not is_slow(["AI"] * (k - 1), [1.0] * (k - 1), z[:-1])  # too few
    assert not is_slow(["AI"] * k, [1.0] * k, [(SLOW_RATIO * 0.9) ** i for i in range(k)])


def test_ante_with_heterogeneous_residuals_converges_fast() -> None:
    dt = pd.read_csv(DATA, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})
    m = asr.asreml("Yield ~ Env", random="~ ante(Env):Name",
                   residual="~ dsum(~ units | Env)", data=dt)  # default maxit 30
    r = m.result
    assert m.converged and r.n_iter <= 20
    assert "NR" in [h["method"] for h in r.history]
    y = dt["Yield"].to_numpy(float)
    env, levs = pd.factorize(dt["Env"], sort=True)
    name = pd.factorize(dt["Name"])[0]
    X = np.eye(3)[env]
    same = (name[:, None] == name[None, :]).astype(float)

    def ll(x: np.ndarray) -> float:
        U = np.eye(3)
        U[0, 1], U[1, 2] = x[0], x[1]
        prec = U @ np.diag(np.exp(-x[2:5])) @ U.T
        S = np.linalg.inv(prec)
        V = same * S[np.ix_(env, env)] + np.diag(np.exp(x[5:8])[env])
        return reml_loglik(y, X, V)

    # start: the REML fit of us(Env):Name's Σ projected on ante(1) (its own Cholesky of Σ⁻¹)
    th = r.theta
    S0 = np.diag([0.3, 0.6, 0.2])
    P0 = np.linalg.inv(S0)
    x0 = np.concatenate([[0.0, 0.0], -np.log(np.diag(P0)), np.log(th[5:8])])
    best = max(bfgs_max(ll, x0), bfgs_max(ll, np.concatenate([[-0.4, -0.7],
                                                              np.log([0.06, 1.6, 0.14]),
                                                              np.log(th[5:8])])))
    assert m.loglik == pytest.approx(best, abs=1e-5)
    assert best <= m.loglik + 1e-6
    assert list(levs) == ["CA.2011", "CA.2012", "CA.2013"]
