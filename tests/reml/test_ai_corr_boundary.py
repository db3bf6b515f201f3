"""PD-boundary handling of general correlation matrices (corg/corgh) and chol's held d."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import indicator, maximise, reml_loglik

import asr_py as asr
from asr_py.reml import loglik_at, score_ai_at
from asr_py.reml.held_floor import HELD_REL

DATA = Path(__file__).resolve().parents[1] / "data" / "DT_example.csv"


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    return pd.read_csv(DATA, dtype={c: str for c in ("Name", "Env", "Loc", "Year", "Block")})


@pytest.fixture(scope="module")
def us_fit(dt: pd.DataFrame):
    return asr.asreml("Yield ~ Env + Weight", random="~ us(Env):Name", data=dt)


def _rank2_dense_optimum(dt: pd.DataFrame, B0: np.ndarray, s2e: float) -> float:
    """max over B (3 x 2, B[0, 1] = 0) and σ²_e of the dense REML ℓ of Yield ~ Env + Weight
    with V = (Z_E BB' Z_E') ∘ (Z_N Z_N') + σ²_e I, from (B0, s2e) (BFGS, Nelder-Mead, BFGS)."""
    d = dt.dropna(subset=["Yield", "Weight"])
    envs = sorted(d["Env"].unique())
    ZE = indicator(d["Env"], envs)
    ZN = indicator(d["Name"])
    same = ZN @ ZN.T
    X = np.c_[np.ones(len(d)), ZE[:, 1:], d["Weight"].to_numpy(float)]
    y = d["Yield"].to_numpy(float)
    ix = [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1)]

    def ll(x: np.ndarray) -> float:
        B = np.zeros((3, 2))
        for (i, j), v in zip(ix, x[:5]):
            B[i, j] = v
        return reml_loglik(y, X, (ZE @ B @ B.T @ ZE.T) * same + x[5] * np.eye(len(d)))

    return maximise(ll, [np.r_[[B0[i, j] for i, j in ix], s2e]])[1]


def _fd_score(problem, theta: np.ndarray, k: int, h: float | None = None) -> float:
    h = h or 1e-5 * max(abs(theta[k]), 1e-2)
    e = np.zeros(theta.size)
    e[k] = h
    return (loglik_at(problem, theta + e) - loglik_at(problem, theta - e)) / (2 * h)


def test_corgh_reaches_us_boundary_optimum(dt: pd.DataFrame, us_fit) -> None:
    m = asr.asreml("Yield ~ Env + Weight", random="~ corgh(Env):Name", data=dt)
    assert m.converged
    assert us_fit.converged
    # both on the PD boundary (smallest correlation-scale eigenvalue held at 1e-6)
    assert m.loglik == pytest.approx(us_fit.loglik, abs=1e-4)
    assert m.loglik >= us_fit.loglik - 1e-4
    # the diagnostic names the term, its rank, and no correlation at ±1 (none is: the
    # estimates are 0.44, -0.65, 0.40)
    msg = [d for d in m.diagnostics if "correlation matrix of Env:Name is at the boundary" in d]
    assert len(msg) == 1 and "rank 2 of 3" in msg[0] and "no correlation at ±1" in msg[0]
    r = m.result
    problem = m.model.problem()
    theta = r.theta
    # the correlation matrix is (numerically) singular, still positive definite
    c = np.eye(3)
    c[1, 0], c[2, 0], c[2, 1] = theta[:3]
    c = c + np.tril(c, -1).T
    lam = np.linalg.eigvalsh(c)
    assert 0 < lam[0] < 1e-4
    assert np.all(np.abs(theta[:3]) < 0.9)
    assert loglik_at(problem, theta) == pytest.approx(m.loglik, abs=1e-9)
    # the variances are interior: stationary (finite differences). The correlations sit on
    # the face C = NN' (tests/reml/test_pd_face_corr.py checks them against a dense REML).
    # (a step of 1e-3 x θ_k: at a correlation-scale eigenvalue of 1e-8, ℓ is evaluated to
    # ~1e-8, so smaller steps measure round-off)
    for k in (3, 4, 5, 6):
        fd = _fd_score(problem, theta, k, 1e-3 * theta[k])
        assert r.score[k] == pytest.approx(fd, abs=2e-2)
        assert abs(fd) < 1e-2


def test_chol_innovation_variance_held_where_score_is_accurate(dt: pd.DataFrame,
                                                                 us_fit) -> None:
    """chol(Env, 2):Name reaches us()'s singular optimum with d_3 (the innovation variance of
    CA.2013) at its held value, HELD_REL x (Σ_33 − d_3): there the analytic score equals
    central finite differences (below ~1e-6 x Σ_33 the Cholesky of Σ in the MME loses the
    digits of ℓ and the score, which then even changes sign: the fit crept by step halving
    and stopped 2.5e-4 short at maxit 30)."""
    m = asr.asreml("Yield ~ Env + Weight", random="~ chol(Env, 2):Name", data=dt, maxit=30)
    r = m.result
    assert m.converged and r.n_iter <= 30
    # us()'s optimum is singular (d_3 = 0 there): the held d_3 costs |s_d3| x b (~4e-7 at
    # the iteration's floor b = HELD_REL x (Σ_33 − d_3); the final polish, reml/floor_polish.py,
    # holds it 100x lower: 3e-8)
    th = r.theta
    d1, l21, d2, l31, l32, d3 = th[:6]
    # us()'s singular optimum itself: dense-V REML over rank-2 Σ = BB' (B 3 x 2 lower
    # trapezoidal), started from chol's Σ with d_3 = 0. The held d_3 costs at most 1e-7;
    # us()'s own fit holds an eigenvalue on its floor and sits 1.6e-7 to 2.3e-7 below it
    # (numpy 2.4), so its ℓ is no upper bound; the optimiser's own accuracy is ~1e-9
    best = _rank2_dense_optimum(dt, np.array([[1, 0], [l21, 1], [l31, l32]])
                                * np.sqrt([d1, d2]), th[6])
    assert best - 1e-7 <= m.loglik <= best + 1e-8
    assert us_fit.loglik <= best + 1e-8
    rest = l31**2 * d1 + l32**2 * d2  # Σ_33 − d_3
    assert d3 < 0.2 * HELD_REL * rest
    assert r.constraints[5] == "B" and r.boundary[5]
    # the diagnostic names the parameter and says zero, which is true (us()'s matrix has
    # rank 2: CA.2013 is a linear combination of the other two environments)
    assert any("'Env:Name!Env_CA.2013!d' is held at its boundary" in d
               and "support a value of zero" in d for d in m.diagnostics)
    assert any("rank 2 of 3" in d for d in us_fit.diagnostics)
    problem = m.model.problem()
    # at the iteration's floor the analytic score equals central differences of ℓ; below
    # it (the polished value) only ℓ keeps its digits, and the fit stopped on differences
    th0 = th.copy()
    th0[5] = HELD_REL * rest
    _, score0, _ = score_ai_at(problem, th0)
    assert score0[5] == pytest.approx(_fd_score(problem, th0, 5, 0.5 * th0[5]), rel=5e-3)
    # ℓ falls away from zero: the optimum is d_3 = 0 (a secant from the held value to the
    # iteration's floor: at the polished value, ~1e-8, a difference over 0.5 d_3 is below
    # ℓ's round-off)
    fd3 = (loglik_at(problem, th0) - loglik_at(problem, th)) / (th0[5] - d3)
    assert fd3 < 0 and score0[5] < 0
    assert any("score from differences" in d for d in m.diagnostics)
    # the free parameters: stationary, the analytic score = differences, read where it keeps
    # its digits (d_3 on the iteration's floor; at the polished d_3 it reads -0.027 where
    # differences give -2e-4)
    for k in (0, 1, 2, 3, 4, 6):
        fd = _fd_score(problem, th0, k, 1e-4 * abs(th[k]))
        assert score0[k] == pytest.approx(fd, abs=2e-3)
        assert abs(score0[k]) < 2e-3
