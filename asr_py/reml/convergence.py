"""Convergence at the round-off level of the log-likelihood, and where the parameters have
settled to a small fraction of their standard errors."""

from __future__ import annotations

from collections.abc import Callable

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
                 fixed: np.ndarray, noise: float | None = None) -> bool:
    """True when the next AI step predicts a gain ½-quadratic ≤ the rounding noise of ℓ
    (``noise``; default :func:`loglik_noise`) and moves every free parameter by ≤ ROUNDOFF_Z
    of its conditional standard error 1/sqrt(AI_kk): no evaluation of ℓ can confirm a
    further improvement."""
    if noise is None:
        noise = loglik_noise(mme)
    if (nstep.clipped.any() or not np.isfinite(nstep.gain)
            or nstep.gain > noise):
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


#: s30refit: relative size of the perturbations of θ that read ℓ's rounding noise
#: (:func:`measured_noise`), and how many
NOISE_REL = 1e-12
NOISE_PROBES = 4
MEASURED_NOTE = (
    "converged at round-off level at iteration {it}: no AI or EM step increased "
    "the log-likelihood, and the next step predicts a gain of {gain:.2g}, below the rounding "
    "noise of the log-likelihood measured at the estimates ({noise:.2g}: its evaluations at "
    f"points {NOISE_REL:g} apart), moving every parameter by less than {ROUNDOFF_Z:g} of its "
    "standard error")


def measured_noise(loglik_of: Callable[[np.ndarray], float | None], theta: np.ndarray,
                   loglik: float, score: np.ndarray, free: np.ndarray) -> float:
    """The rounding noise of ℓ read from ℓ itself: max_k |ℓ(θ + Δ_k) − ℓ(θ) − s'Δ_k| over
    NOISE_PROBES perturbations Δ_k = NOISE_REL θ ∘ ξ_k of the ``free`` parameters (ξ_k fixed
    ±1 patterns; relative, so the same in any units). The true change, s'Δ + O(|Δ|²), is
    far below any rounding: what is left is how far evaluations of ℓ at one point disagree.
    :func:`loglik_noise` is a size-based estimate of it; an ill-conditioned V (a variance
    fixed at 1e-4 beside others of 10² under an ar1h residual: cond(R) ~ 10⁸) puts ℓ's
    noise ~10x above it, and the iterate, the best of noisy evaluations, then lies above
    every neighbour (asremlPlus's longit refit: ±3e-7 against 5.5e-8). 0 where no probe
    could be evaluated."""
    theta = np.asarray(theta, dtype=float)
    rng = np.random.default_rng(12345)
    worst = 0.0
    for _ in range(NOISE_PROBES):
        xi = rng.choice([-1.0, 1.0], size=theta.size)
        d = np.where(free, NOISE_REL * theta * xi, 0.0)
        ll = loglik_of(theta + d)
        if ll is None or not np.isfinite(ll):
            continue
        worst = max(worst, abs(ll - loglik - float(score @ d)))
    return worst


def noisy_note(noise: float, tol: float) -> str:
    """The words added to an unconverged stop when ℓ's measured rounding ``noise`` exceeds
    the ℓ tolerance ``tol``: ℓ itself is then uncertain to that amount (s30refit: a residual
    ar1h variance at 1.5e-10 beside others of 10²: ±0.28, and ℓ 0.45 above a dense-V
    evaluation at the same estimates); '' otherwise."""
    if not noise > tol:
        return ""
    return (f"; the log-likelihood is evaluated only to about ±{noise:.2g} at these estimates "
            f"(its rounding noise, read from evaluations {NOISE_REL:g} apart; the tolerance "
            f"is {tol:.2g}): V is ill-conditioned there (e.g. a variance near zero beside "
            "much larger ones, where its matrix is singular), so no step can be confirmed "
            "and the log-likelihood reported is uncertain by as much; fixing that variance "
            "at a small positive value (constraint 'F') avoids it")
