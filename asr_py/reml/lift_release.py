"""s31lift: no convergence at a floor set from a scale measured elsewhere.

When neither an AI nor an EM step gains, ``ai._lift_held`` raises the variances held at
their bound to LIFT_REL x 10^-j x their scale c_k (a standard error) and holds them there
(``ctx.snap_floor``). The scale is the one seen *when the lift was made*: from a start
10¹² off (tests/api/test_mv_start.py's POOR) c_k ~ 10¹⁶, the floors 7.6e9 … 1.3e11, and
the fit "converged" 1 658 below its optimum with four variances held under those floors
(at 310 … 1.28e7) while units:us(trait) sat on a rank-1 face of the PD cone.

Before a convergence is claimed, each lifted floor f_k is recomputed from the scale at the
point reached, f'_k = LIFT_REL x se_k, se_k = 1/sqrt(AI_kk) (the conditional standard
error there: c² in the units of a trait, like θ_k, so the rule does not depend on units).
A variance still held at or under its floor whose floor moved down by more than
MOVE_FACTOR is released, and the fit continues from an interior point: every covariance or
correlation matrix on (or next to) its PD face, and every one holding a released variance,
blended halfway towards its diagonal,

    M ← (1 − w) M + w Diag(M),   w = REENTRY_BLEND    (C ← (1 − w) C + w I for correlations)

(its correlation-scale eigenvalues become ≥ w: the AI step can leave the face). The
continued fit has its own floors and scales, measured from there."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from asr_py.reml.held_floor import structural_floors
from asr_py.reml.iter_context import IterContext
from asr_py.reml.result import RemlResult
from asr_py.reml.tuning import BOUNDARY_REL, RESID_HELD_REL

#: a lifted floor is stale when the floor from the present scale is this many times lower
MOVE_FACTOR = 4.0
#: the blend towards the diagonal of a matrix re-entered from its PD face
REENTRY_BLEND = 0.5
#: a matrix whose smallest correlation-scale eigenvalue is below this is on (next to) a face
FACE_EIG = 1e-3
#: continued fits after a release, at most (then the fit is reported unconverged)
MAX_RELEASES = 10

RELEASE_NOTE = (
    "did not converge: {n} variance(s) ({names}) held at a boundary value set from the "
    "standard errors of an earlier point{lift}; at the estimates their standard errors put "
    "it up to {fold:.2g} times lower (the stop was at that value, not at the optimum; "
    "increase maxit or change start values)")


def stale_floors(ctx: IterContext, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
                 fixed: np.ndarray, lifted: np.ndarray, lift_rel: float, tol: float,
                 loglik_of: Callable[[np.ndarray], float | None] | None = None,
                 loglik: float = np.inf) -> tuple[np.ndarray, float]:
    """The free 'P' variances held at their boundary value b_k whose floor from the present
    point, f'_k = rel_k x se_k (se_k = 1/sqrt(AI_kk); rel_k = ``lift_rel`` for a variance
    ``lifted`` by _lift_held, else RESID_HELD_REL / BOUNDARY_REL as in IterContext; never
    below the structural floor at θ) is more than MOVE_FACTOR times lower, and, unless
    lifted, where moving there gains more than ``tol`` to first order, −s_k (θ_k − f'_k),
    and (``loglik_of``, ℓ at θ ``loglik``) ℓ with all of them at f'_k is higher by more than
    ``tol`` (the analytic score of a variance held next to zero beside correlations at ±1
    has lost its digits: test_corr_escape's seed 4 read a gain its ℓ did not have); with the
    largest b_k / f'_k among them (1.0 when none)."""
    d = np.abs(np.diag(np.asarray(ai, dtype=float)))
    variance = np.array([k == "variance" for k in ctx.kinds], dtype=bool)
    held = ctx.pmask & variance & ~fixed & ctx.at_bound(theta)
    rel = np.where(lifted, lift_rel, np.where(ctx.resid_var, RESID_HELD_REL, BOUNDARY_REL))
    with np.errstate(divide="ignore", invalid="ignore"):
        now = np.where(np.isfinite(d) & (d > 0), rel / np.sqrt(d), np.inf)
    now = np.maximum(now, structural_floors(ctx.leaves, ctx.kinds, ctx.pmask, theta,
                                            ctx.held_rel))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(now > 0, ctx.bval / now, np.inf)
    gain = -np.asarray(score, dtype=float) * (theta - now)
    stale = held & (ratio > MOVE_FACTOR) & (lifted | (gain > tol))
    other = stale & ~lifted
    if other.any() and loglik_of is not None:
        th = np.asarray(theta, dtype=float).copy()
        th[other] = now[other]
        ll = loglik_of(th) if np.all(np.isfinite(th)) else None
        if ll is None or not ll > loglik + tol:
            stale = stale & ~other
    return stale, float(ratio[stale].max(initial=1.0))


def interior_start(ctx: IterContext, theta: np.ndarray, released: np.ndarray
                   ) -> np.ndarray:
    """θ with each PD block on (or next to) its face, or holding a released variance,
    blended REENTRY_BLEND of the way towards its diagonal (a valid point when θ is)."""
    out = np.asarray(theta, dtype=float).copy()
    for b in ctx.pd:
        m = b.matrix(out)
        se = b.scaled_eig(m)
        if se is None:
            continue
        if not (se[0][0] < FACE_EIG or released[b.idx].any()):
            continue
        if b.corr:
            out[b.idx] = (1.0 - REENTRY_BLEND) * out[b.idx]
        else:
            blend = (1.0 - REENTRY_BLEND) * m + REENTRY_BLEND * np.diag(np.diag(m))
            out[b.idx] = b.params_of(blend)
    return out if ctx.valid(out) else np.asarray(theta, dtype=float).copy()


def release_note(names: list[str], stale: np.ndarray, lifted: np.ndarray, it: int,
                 fold: float) -> str:
    """The diagnostic of a fit that stopped at stale boundary values."""
    ks = np.flatnonzero(stale)
    lift = f" (lifted at iteration {it})" if (stale & lifted).any() else ""
    return RELEASE_NOTE.format(n=ks.size, names=", ".join(f"'{names[k]}'" for k in ks),
                               lift=lift, fold=fold)


def released(first: RemlResult, second: RemlResult, maxit: int, tol: float) -> RemlResult:
    """``second`` (continued from an interior point after ``first`` stopped at stale floors)
    as the continuation of ``first``: n_iter the total, history the first's then the
    second's; its diagnostics with a note of the release. ``first`` (unconverged, its note
    kept) when ``second`` ends more than ``tol`` lower: the stop was no optimum, and the
    continued fit found none higher."""
    if second.loglik < first.loglik - tol:
        first.diagnostics.append(
            f"a fit continued from an interior point ended lower ({second.loglik:.6g}); "
            "the estimates above are kept")
        return first
    n1, rest = int(first.n_iter), maxit - int(first.n_iter)
    own = [{**h, "iteration": int(h.get("iteration", 0)) + n1} for h in second.history[1:]]
    second.history = [*first.history, *own]
    second.n_iter = n1 + int(second.n_iter)
    note = next((d for d in first.diagnostics if d.startswith("did not converge: ")), "")
    if note:
        note = ("at iteration " + str(n1) + note[len("did not converge"):].split(
            " (the stop")[0] + "; released, the fit continued from an interior point")
    stop = f"did not converge in {rest} iterations"
    second.diagnostics = [*([note] if note else []), *(
        d.replace(stop, f"did not converge in {maxit} iterations") for d in second.diagnostics)]
    return second


__all__ = ["FACE_EIG", "MAX_RELEASES", "MOVE_FACTOR", "REENTRY_BLEND", "interior_start",
           "release_note", "released",
           "stale_floors"]
