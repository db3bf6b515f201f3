"""One-sided bounds of the active-set AI step: for each parameter the value it is held at on
its lower and on its upper bound (−inf / +inf: no such bound).

* 'P' (and 'B') variances: lower bound 0, held at b_k = BOUNDARY_REL x c_k (the parameter's
  own scale, :meth:`IterContext.update_scales`; raised where a zero makes the structure
  singular, reml/held_floor.py);
* any other parameter with a finite template bound (correlations: (−1, 1), exp/gau (0, 1),
  ...) that is not 'F', not a 'U' variance and not a parameter of a covariance matrix whose
  positive-definite boundary is handled (reml/pd_blocks.py): held at lower + ε and
  upper − ε, ε = BOUND_EPS x (upper − lower) (x max(1, |bound|) for a half-line), strictly
  inside, since a correlation's bound is open.

The AI step (reml/ai_step.py) keeps θ + δ between the two values and holds a parameter on
a bound while the quadratic model's multiplier says ℓ increases outwards (ASReml's 'B').
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from asr_py.reml.iter_context import IterContext

#: a bounded non-variance parameter is held this far (relative to its range) inside its bound
BOUND_EPS = 1e-8


def held_values(ctx: IterContext) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi): the values each parameter is held at on its lower / upper bound."""
    nt = len(ctx.cons)
    lo = np.full(nt, -np.inf)
    hi = np.full(nt, np.inf)
    lower = np.asarray(ctx.lower, dtype=float)
    upper = np.asarray(ctx.upper, dtype=float)
    in_pd = np.zeros(nt, dtype=bool)
    for b in ctx.pd:
        in_pd[b.idx] = True
    for k, (c, kind) in enumerate(zip(ctx.cons, ctx.kinds)):
        if c == "F" or (c == "U" and kind == "variance"):
            continue
        if kind == "variance" and c in ("P", "B"):
            lo[k] = ctx.bval[k]
            continue
        if in_pd[k]:
            continue
        a, b = lower[k], upper[k]
        if np.isfinite(a) and np.isfinite(b):
            eps = BOUND_EPS * (b - a)
            lo[k], hi[k] = a + eps, b - eps
        elif np.isfinite(a):
            lo[k] = a + BOUND_EPS * max(1.0, abs(a))
        elif np.isfinite(b):
            hi[k] = b - BOUND_EPS * max(1.0, abs(b))
    return lo, hi


def _tol(v: np.ndarray) -> np.ndarray:
    return 1e-9 * np.abs(v)


def at_lower(theta: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Parameters at (or beyond) the value held on their lower bound."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(lo) & (theta <= lo + _tol(lo))


def at_upper(theta: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Parameters at (or beyond) the value held on their upper bound."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(hi) & (theta >= hi - _tol(hi))


__all__ = ["at_lower", "at_upper", "held_values"]
