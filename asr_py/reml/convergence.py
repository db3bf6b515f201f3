"""Convergence at the round-off level of the log-likelihood, and where the parameters have
settled to a small fraction of their standard errors."""

from __future__ import annotations

import numpy as np

from asr_py.reml.ai_step import (
    AIStep,
)
from asr_py.reml.mme import MME
from asr_py.reml.tolerance import loglik_size
from asr_py.reml.tuning import DEC_TOL, ROUNDOFF, ROUNDOFF_Z, SETTLE_Z

ROUNDOFF_NOTE = (
    "converged at round-off level at iteration {it}: the next step predicts a gain below the "
    "rounding noise of the log-likelihood and moves every parameter by less than "
    f"{ROUNDOFF_Z:g} of its standard error")


def loglik_noise(mme: MME) -> float:
    """Rounding noise of ℓ: ROUNDOFF x |ℓ| x sqrt(number of mixed model equations), |ℓ| by
    its units-free size (:func:`asr_py.reml.tolerance.loglik_size`: the same in any units
    of y)."""
    return ROUNDOFF * loglik_size(mme.problem) * float(np.sqrt(max(mme.N, 1)))


def at_roundoff(mme: MME, loglik: float, nstep: AIStep, ai: np.ndarray,
                 fixed: np.ndarray) -> bool:
    """True when the next AI step predicts a gain ½-quadratic ≤ the rounding noise of ℓ and
    moves every free parameter by ≤ ROUNDOFF_Z of its conditional standard error 1/sqrt(AI_kk):
    no evaluation of ℓ can confirm a further improvement."""
    if (nstep.clipped.any() or not np.isfinite(nstep.gain)
            or nstep.gain > loglik_noise(mme)):
        return False
    free = ~fixed & ~nstep.held
    d = np.abs(np.diag(ai))[free]
    z = np.abs(nstep.delta[free]) * np.sqrt(np.where(np.isfinite(d), d, np.inf))
    return bool(np.all(np.isfinite(z)) and z.max(initial=0.0) <= ROUNDOFF_Z)


def settled(step_z: float, nstep: AIStep, ai: np.ndarray, fixed: np.ndarray, dl: float,
            tol: float) -> bool:
    """True when a full step just changed ℓ by |dl| <= ``tol`` (the absolute ℓ tolerance)
    and moved every free parameter by ``step_z`` <= SETTLE_Z of its conditional standard
    error 1/sqrt(AI_kk), and the next AI step predicts a gain <= DEC_TOL x tol and moves
    none by more than SETTLE_Z of its standard error. Unit-free (standard-error units, ℓ
    differences), unlike the relative parameter change, which a parameter wobbling along a
    flat ridge at 1e-5 of its value (the score's round-off beside variances held at zero)
    never meets; the estimates are then within ~SETTLE_Z standard errors of the optimum."""
    if (abs(dl) > tol or step_z > SETTLE_Z or nstep.clipped.any()
            or not np.isfinite(nstep.gain) or nstep.gain > DEC_TOL * tol):
        return False
    free = ~fixed & ~nstep.held
    d = np.abs(np.diag(ai))[free]
    z = np.abs(nstep.delta[free]) * np.sqrt(np.where(np.isfinite(d), d, np.inf))
    return bool(np.all(np.isfinite(z)) and z.max(initial=0.0) <= SETTLE_Z)
