"""s33polish: a fit converged with a covariance matrix held on the iteration's positive-definite
floor reported at the face's ridge instead, when ℓ is higher there.

The AI step holds a matrix M on the boundary (ai_step's ``pd_held``) with the smallest
eigenvalues μ of its correlation matrix D^{-1/2} M D^{-1/2} at PD_EPS (tuning.py). Where ℓ
falls steeply into the cone the floor itself costs ℓ ≈ (PD_EPS − c)|∂ℓ/∂μ|: a fit that
stops there (the stall rule, a predicted gain below the tolerance: the steps cannot cross
the floor) reports that cost as its optimum. The reported point here is the floor point
with those eigenvalues (μ <= HELD_SLACK x PD_EPS) lowered to FINAL_RIDGE (pd_face.py: the
ridge c of a fit converged on the face, ai_step.face_finish), eigenvectors and variances
kept, when ℓ rises by more than DEC_TOL x tol (unit-free: μ is on the correlation scale,
tol is tol_loglik x (n − p)).

Session-32 PD-face fuzz (benchmarks/face_fuzz.py): d132 and d228, (x|g) + (x|h) with g's
correlation at −1, stopped by the stall rule 7.6e-6 and 1.04e-5 below lme4 (2.4 and 1.7
times the tolerance); at FINAL_RIDGE 7.5e-6 and 1.03e-5 higher. Score and AI stay those of
the floor point (as face_finish's: the AI's identifiability judgments at μ = PD_EPS).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.reml.pd_blocks import PDBlock
from asr_py.reml.pd_face import FINAL_RIDGE
from asr_py.reml.tuning import DEC_TOL, PD_EPS

#: eigenvalues up to this multiple of PD_EPS count as held on the floor
HELD_SLACK = 1.5


def lowered(block: PDBlock, theta: np.ndarray, ridge: float = FINAL_RIDGE) -> np.ndarray | None:
    """θ with ``block``'s correlation-scale eigenvalues at most HELD_SLACK x PD_EPS set to
    ``ridge`` (M = D^{1/2} W diag(μ) W' D^{1/2}); None for a correlation matrix, a
    non-positive variance or no eigenvalue on the floor."""
    if block.corr:
        return None
    se = block.scaled_eig(block.matrix(theta))
    if se is None:
        return None
    mu, w, d = se
    low = mu <= HELD_SLACK * PD_EPS
    if not low.any():
        return None
    s = (w * np.where(low, ridge, mu)) @ w.T
    sd = np.sqrt(d)
    out = np.asarray(theta, dtype=float).copy()
    out[block.idx] = block.params_of(s * np.outer(sd, sd))
    return out


def held_ridge(evaluate: Any, state: Any, theta: np.ndarray, blocks: list[PDBlock],
               tol: float) -> tuple[Any, np.ndarray]:
    """(state, θ) to report: the floor point's, or that of every held covariance block
    :func:`lowered` when ``evaluate`` (θ -> state with ``.loglik``, None where θ cannot
    be evaluated) gives an ℓ more than DEC_TOL x ``tol`` higher."""
    th = np.asarray(theta, dtype=float)
    for b in blocks:
        t = lowered(b, th)
        if t is not None:
            th = t
    if th is theta or np.array_equal(th, theta):
        return state, theta
    new = evaluate(th)
    if new is None or not new.loglik > state.loglik + DEC_TOL * tol:
        return state, theta
    return new, th


__all__ = ["HELD_SLACK", "held_ridge", "lowered"]
