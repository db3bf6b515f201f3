"""A positive-constrained variance that keeps trying to go negative is put on its boundary
(ASReml's 'B').

ASReml's rule (user guide, "!GP"): when an update would make a variance negative it is
replaced by a small positive value; repeated attempts are detected and the variance is then
fixed at a small positive value, coded 'B' rather than 'P'. In asr_py the active-set AI step
(reml/ai_step.py) holds a 'P' variance on its boundary value b_k = BOUNDARY_REL x c_k once
the step reaches it; but when AI steps are damped and EM steps are taken instead (EM only
multiplies a variance by a positive factor), the variance creeps towards zero geometrically,
never reaches b_k, and the fit stops unconverged with it coded 'P' at, say, 5e-9 beside a
standard error of 7.5e-5 (asremlPlus's longit.dat fit of test42Selection.r).

:func:`snap_candidates` finds the free 'P'/'B' variances k that are such attempts: θ_k is
already small against its standard error (θ_k <= SNAP_REL / sqrt(AI_kk)) and the Newton step
in θ_k alone would make it negative (θ_k + s_k / AI_kk < 0: the quadratic model of ℓ in θ_k
decreases over [0, θ_k]), in SNAP_REPEAT iterations in a row (:func:`repeated`). The loop
(reml/ai.py) moves them to the smallest of :func:`snap_values` at which ℓ changes as the
quadratic model predicts (:func:`snap_gain_ok`: never down, so the reported point is never
worse than the iterate; not far up, which would be a numerical artefact), makes that value
their held floor, and the next AI step holds them (coded 'B' at the end when the multiplier
says ℓ increases outwards).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from asr_py.reml.bounds import at_lower, held_values

if TYPE_CHECKING:
    from asr_py.reml.iter_context import IterContext

#: a variance below this fraction of its standard error 1/sqrt(AI_kk) at θ may be snapped
SNAP_REL = 1e-2
#: ... in this many iterations in a row
SNAP_REPEAT = 3
#: the values tried on the way down: θ_k x 10^-j, j = SNAP_STEPS, ..., 1 (and b_k)
SNAP_STEPS = 8
#: at the end, a variance within this factor of its held value is on its bound
AT_ZERO = 10.0
#: a variance that falls to this fraction of its value in one step is creeping to zero
CREEP = 1e-2
#: ... and is snapped at once below this fraction of the model's largest variance
CREEP_ZONE = 1e-8


def snap_candidates(ctx: IterContext, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
                    fixed: np.ndarray) -> np.ndarray:
    """Mask of the free 'P'/'B' variances that try to go negative from a small value."""
    nt = theta.size
    out = np.zeros(nt, dtype=bool)
    lo, _ = held_values(ctx, theta)
    d = np.diag(ai)
    for k in range(nt):
        if fixed[k] or ctx.kinds[k] != "variance" or ctx.cons[k] not in ("P", "B"):
            continue
        if not (np.isfinite(lo[k]) and theta[k] > lo[k] and d[k] > 0
                and np.isfinite(score[k])):
            continue
        if theta[k] <= SNAP_REL / np.sqrt(d[k]) and theta[k] + score[k] / d[k] < 0:
            out[k] = True
    return out


def creeping(ctx: IterContext, theta: np.ndarray, theta_old: np.ndarray | None,
             fixed: np.ndarray) -> np.ndarray:
    """Free 'P'/'B' variances that fell to <= CREEP x their value in the step just taken
    (s17zero). Where the information on θ_k grows as θ_k falls (AI_kk ∝ 1/θ_k, ℓ ≈ ℓ₀ −
    a√θ_k near zero: a residual variance of one time of ar1h(DAP) whose records the random
    terms interpolate, asremlPlus longit.dat) full AI steps cut θ_k by ~10³ each (0.45,
    4.5e-4, 2.3e-7, 2.3e-10, ...): no step is damped, nor are three in a row snap candidates
    before θ_k is 1e-13 of the other variances, where ℓ has lost its digits (its score
    changes sign between 1e-7 and 1e-8) and the fit chases that noise unconverged. Such a
    variance, once below CREEP_ZONE x the model's largest variance (ℓ has lost half its
    digits, and the next cut takes the rest), is snapped as soon as it is a candidate;
    higher up a variance cut by 10³ may be passing on its way to a positive optimum (a
    dsum section at 0.3 beside 5e5 whose optimum is at 4e4: s16eng's test_dsum_boundary)."""
    out = np.zeros(theta.size, dtype=bool)
    if theta_old is None or theta_old.size != theta.size:
        return out
    var = np.array([k == "variance" for k in ctx.kinds], dtype=bool)
    vmax = float(np.max(np.abs(theta[var]), initial=0.0))
    for k in range(theta.size):
        if fixed[k] or not var[k] or ctx.cons[k] not in ("P", "B"):
            continue
        out[k] = (theta_old[k] > 0 and 0 < theta[k] <= CREEP * theta_old[k]
                  and theta[k] <= CREEP_ZONE * vmax)
    return out


def repeated(ctx: IterContext, mask: np.ndarray) -> np.ndarray:
    """Counts, per parameter, the iterations in a row in which it was a snap candidate
    (``ctx.neg_tries``) and returns those with at least SNAP_REPEAT (ASReml's "repeated
    attempts": a variance passing near zero on its way elsewhere is left alone)."""
    tries = getattr(ctx, "neg_tries", None)
    if tries is None or tries.size != mask.size:
        tries = np.zeros(mask.size, dtype=int)
    ctx.neg_tries = np.where(mask, tries + 1, 0)
    return ctx.neg_tries >= SNAP_REPEAT


def snap_values(ctx: IterContext, theta: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
    """Candidate θ with the masked variances on their bound, smallest first: the value held
    on the lower bound b_k, then θ_k x 10^-j (j = SNAP_STEPS, ..., 1) where that is larger
    (b_k = 1e-12 x scale can make R or G numerically singular: a residual variance of
    ar1h(DAP) at 1e-17 leaves C without a Cholesky factor)."""
    lo, _ = held_values(ctx, theta)
    out = []
    for j in range(SNAP_STEPS, 0, -1):
        th = theta.copy()
        th[mask] = np.maximum(lo[mask], theta[mask] * 10.0 ** -j)
        if not out or not np.array_equal(th, out[-1]):
            out.append(th)
    return out


def snap_gain_ok(gain: float, delta: np.ndarray, score: np.ndarray, ai: np.ndarray,
                 noise: float) -> bool:
    """Whether the change of ℓ from a snap is what the quadratic model s'δ − ½δ'AIδ predicts
    for so small a move: not negative (round-off ``noise`` allowed) and not more than twice
    the prediction (a larger gain means ℓ is no longer evaluated accurately there, e.g. a
    residual variance so small that log|R| dominates)."""
    pred = float(score @ delta - 0.5 * delta @ ai @ delta)
    return -noise <= gain <= 2.0 * max(pred, 0.0) + noise


def at_zero(ctx: IterContext, theta: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Free 'P'/'B' variances sitting on the value held on their lower bound at the end of
    a fit: reported as held ('B'), whatever the last step's multiplier (an unconverged or
    non-identifiable fit can end there with a flat or noisy score); the fit's diagnostics
    say whether an optimum at zero is established."""
    lo, _ = held_values(ctx, theta)
    var = np.array([k == "variance" and c in ("P", "B") for k, c in zip(ctx.kinds, ctx.cons)],
                   dtype=bool)
    # (within AT_ZERO x the held value: the scale, hence the held value, may have moved
    # after the variance was put there)
    return var & ~fixed & (at_lower(theta, lo) | (np.isfinite(lo) & (theta <= AT_ZERO * lo)))
