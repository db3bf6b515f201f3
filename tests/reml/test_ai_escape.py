"""Escape from a variance boundary (asr_py/reml/ai.py): an AI step that puts a term's scale
σ² at its boundary leaves the term's correlations without information; the iteration must
release σ² when its score is positive instead of crawling on with EM steps (which cannot
move a variance away from zero).

The optimum of ``cor(Env):Name`` is checked against the same model written
``Name + Env:Name`` (σ² = σ²_N + σ²_EN, ρ = σ²_N / σ²), and that of ``corh(Env):Name`` by
central finite differences of :func:`asr_py.reml.loglik_at` (score ≈ 0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.reml import loglik_at

DATA = Path(__file__).resolve().parents[1] / "data"
FIXED = "Yield ~ Env + Weight"


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv",
                       dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


def _fd_score(problem, theta: np.ndarray, k: int, rel: float = 1e-5) -> float:
    h = rel * max(abs(theta[k]), 1e-3)
    up = theta.copy()
    up[k] += h
    lo = theta.copy()
    lo[k] -= h
    return (loglik_at(problem, up) - loglik_at(problem, lo)) / (2 * h)


def test_cor_scale_released_from_boundary_reaches_interior_optimum(dt):
    ref = asr.asreml(FIXED, random="~ Name + Env:Name", data=dt)
    assert ref.converged
    assert ref.loglik == pytest.approx(-262.80494930, abs=1e-6)
    s_n, s_en, s_e = ref.result.theta
    m = asr.asreml(FIXED, random="~ cor(Env):Name", data=dt)
    assert m.converged
    assert m.result.n_iter <= 20  # was 30+ EM steps without convergence
    assert abs(m.loglik - ref.loglik) < 1e-6
    sig2, rho, sig2_e = m.result.theta
    assert sig2 == pytest.approx(s_n + s_en, abs=1e-4)
    assert rho == pytest.approx(s_n / (s_n + s_en), abs=1e-4)
    assert sig2_e == pytest.approx(s_e, abs=1e-4)
    assert sig2 == pytest.approx(0.208364, abs=1e-4)
    assert rho == pytest.approx(0.235117, abs=1e-4)
    assert not m.result.boundary.any()


def test_corh_converges_with_zero_score(dt):
    m = asr.asreml(FIXED, random="~ corh(Env):Name", data=dt)
    assert m.converged
    prob = m.model.problem()
    th = m.result.theta
    free = ~m.result.boundary & np.array([c.upper() != "F" for c in prob.constraints])
    assert free.any()
    for k in np.flatnonzero(free):
        fd = _fd_score(prob, th, k)
        assert abs(fd) * max(abs(th[k]), 1e-3) < 1e-4, (prob.names[k], th[k], fd)
    # held parameters (if any): ℓ does not increase into the parameter space
    for k in np.flatnonzero(m.result.boundary):
        up = th.copy()
        up[k] += 1e-6
        assert loglik_at(prob, up) <= m.loglik + 1e-8
