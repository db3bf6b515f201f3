"""The score of a variance held at its boundary value, read from ℓ (s23held).

A 'P' variance held at b_k = BOUNDARY_REL x c_k has an analytic score that is a difference
of terms ~ q/b_k (tr(G⁻¹), u'G⁻¹G⁻¹u, ...) cancelling to ~1e-16 x q/b_k: in standard-error
units z_k = s_k / sqrt(AI_kk) its round-off is ~ 1e-16 x q x 1e12, as large as the score
itself. Whether the variance stays held (the active set's multiplier) then depends on the
rounding, hence on the units of y: ``y ~ 1, random = ~units, residual = ~ar1(r):ar1(c)``
on 120 plots held 'units' at 0 with z = −0.012 at y x 10 and y x 1024 and released it with
z = +0.008 at y x 1, while ℓ read by differences gives z = +0.0047 in every unit; the held
fits stopped 0.0106 below the optimum and reported convergence.

:func:`boundary_scores` replaces the score of each held variance by the one-sided
difference of ℓ from its held value, second order:

    s̃_k = (4 ℓ(θ + h_k e_k) − ℓ(θ + 2h_k e_k) − 3 ℓ(θ)) / (2 h_k),  h_k = HS_Z / sqrt(AI_kk),

(h_k a fixed fraction of its standard error: scale-free; ℓ itself is accurate there, its
log-determinants cancel only to ~1e-16 x q log b_k). :func:`wants_out` asks whether, with
those scores, the active-set AI step releases a held variance and predicts a gain above the
convergence rule's DEC_TOL x tol: the KKT condition fails and the fit has not converged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from asr_py.reml.ai_step import AIStep, ai_step
from asr_py.reml.iter_context import IterContext
from asr_py.reml.tuning import DEC_TOL
from asr_py.reml.zero_snap import at_zero

#: the difference step in units of the held variance's standard error 1/sqrt(AI_kk)
HS_Z = 1e-3
#: at most this many corrections of the score at a convergence point in one fit
HS_TRIES = 4


def boundary_scores(loglik_of: Callable[[np.ndarray], float | None], ctx: IterContext,
                    loglik: float, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
                    held: np.ndarray) -> np.ndarray:
    """``score`` with the entries of the ``held`` variances replaced by their one-sided
    differences of ℓ (module docstring); an entry is kept where AI_kk is not positive or
    ℓ cannot be evaluated at the two points. ``loglik_of(θ)``: ℓ(θ), or None."""
    out = np.array(score, dtype=float)
    d = np.diag(ai)
    for k in np.flatnonzero(held):
        if not (np.isfinite(d[k]) and d[k] > 0):
            continue
        h = HS_Z / np.sqrt(d[k])
        vals = []
        for m in (1.0, 2.0):
            th = theta.copy()
            th[k] += m * h
            vals.append(loglik_of(th) if ctx.valid(th) else None)
        if vals[0] is None or vals[1] is None:
            continue
        out[k] = (4.0 * vals[0] - vals[1] - 3.0 * loglik) / (2.0 * h)
    return out


@dataclass
class HeldOut:
    """A stop that does not stand: ``score`` with the held variances' entries read from ℓ,
    its active-set AI ``step``, and the held variances that step ``released`` (each with a
    positive differenced score and a positive step)."""

    score: np.ndarray
    step: AIStep
    released: np.ndarray


def wants_out(loglik_of: Callable[[np.ndarray], float | None], ctx: IterContext,
              loglik: float, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
              fixed: np.ndarray, tol: float) -> HeldOut | None:
    """At a point the fit would stop at: the corrected score, its AI step and the variances
    it releases when a variance held at its boundary
    (:func:`asr_py.reml.zero_snap.at_zero`) has a positive score read from ℓ, the step
    releases it and predicts a gain > DEC_TOL x ``tol`` (the absolute ℓ tolerance); None
    when the stop stands."""
    held = at_zero(ctx, theta, fixed)
    if not held.any():
        return None
    s = boundary_scores(loglik_of, ctx, loglik, theta, score, ai, held)
    if not np.any(s[held] > 0):
        return None
    step = ai_step(ctx, theta, s, ai, fixed)
    released = held & (s > 0) & ~step.held & (step.delta > 0)
    if not released.any() or not np.isfinite(step.gain) or step.gain <= DEC_TOL * tol:
        return None
    return HeldOut(s, step, released)


def held_note(problem_names: list[str], released: np.ndarray, it: int) -> str:
    """The diagnostic of a fit stopped with held variances whose score says they would rise:
    names only the ``released`` ones (:attr:`HeldOut.released`), not every held variance
    (worded "did not converge" so that the fit's ConvergenceWarning carries it)."""
    names = ", ".join(f"'{problem_names[k]}'" for k in np.flatnonzero(released))
    return (f"did not converge at iteration {it}: the log-likelihood rises off the bound of "
            f"{names} (held there; its score from differences of the log-likelihood is "
            "positive and predicts a gain above the tolerance) but the iteration could not "
            "release it; try a start value away from zero")
