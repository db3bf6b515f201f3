"""A straight crawl of the AI iteration: full steps along one line that do not shrink.

Where ℓ rises slowly along a direction the AI matrix takes to be steep, full AI steps go
along one line, each about as long as the one before (ante(Env):Name with dsum(~ units | Env)
residuals on DT_example, the differenced Hessians off: 53 iterations). Newton steps with a
carried Hessian are left alone (a walk there broke a converging secant sequence: fa(env, 5)
over 24 simulated environments, 56 → 75 iterations). :func:`straight` reads the last
EXT_STEPS steps (standard-error units): each at a cosine >= EXT_COS with the one before, at
least EXT_RATE of its length and gaining at least EXT_GAIN of its gain. The iteration
(reml/ai.py, :func:`walk`) then tries θ + m δ for the last step δ and m = 1, 3, 7, 15 (2, 4,
8 and 16 steps' worth), moving to the best point up to the first that does not gain more
than ℓ's rounding noise; 'P' parameters may at most halve on the way (a variance crawling
towards zero is left to the bound rules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: this many full steps in a row, each at a cosine >= EXT_COS with the one before and at least
#: EXT_RATE of its length (standard-error units), are a straight crawl
EXT_STEPS = 3
EXT_COS = 0.95
EXT_RATE = 0.8
#: ... gaining each at least this fraction of the one before
EXT_GAIN = 0.5
#: the multiples of the last step tried beyond the present point
EXT_MULTS = (1.0, 3.0, 7.0, 15.0)


def straight(steps: Sequence[np.ndarray], gains: Sequence[float], ai: np.ndarray,
             free: np.ndarray) -> bool:
    """True when each of the last EXT_STEPS ``steps`` points along the one before (cosine
    >= EXT_COS) and is at least EXT_RATE of its length, in standard-error units over
    ``free``, and their ℓ ``gains`` are positive and each at least EXT_GAIN of the one
    before (not the shrinking gains of a converging iteration)."""
    if len(steps) < EXT_STEPS or len(gains) < EXT_STEPS or not free.any():
        return False
    g = np.asarray(gains[-EXT_STEPS:], dtype=float)
    if not (np.all(np.isfinite(g)) and np.all(g > 0) and np.all(g[1:] >= EXT_GAIN * g[:-1])):
        return False
    d = np.abs(np.diag(ai))[free]
    sq = np.sqrt(np.where(np.isfinite(d), d, 0.0))
    z = [np.asarray(s, dtype=float)[free] * sq for s in steps[-EXT_STEPS:]]
    n = [float(np.linalg.norm(v)) for v in z]
    if not all(np.isfinite(v) and v > 0 for v in n):
        return False
    return all(float(z[i] @ z[i + 1]) >= EXT_COS * n[i] * n[i + 1]
               and n[i + 1] >= EXT_RATE * n[i] for i in range(len(z) - 1))


def walk(loglik_of: Callable[[np.ndarray], tuple[float, object] | None], theta: np.ndarray,
         step: np.ndarray, loglik: float, noise: float, pmask: np.ndarray
         ) -> tuple[np.ndarray, object] | None:
    """The best of θ + m ``step`` (m in EXT_MULTS, in turn, up to the first that is invalid,
    halves a 'P' parameter of ``pmask`` or does not gain more than ``noise`` over the best so
    far) as (θ, ``loglik_of``'s state), or None when none gains. ``loglik_of``: (ℓ, state)
    at θ, None where θ cannot be evaluated."""
    best: tuple[np.ndarray, object] | None = None
    top = loglik
    for m in EXT_MULTS:
        th = theta + m * step
        if np.any(pmask & (th < 0.5 * theta)):
            break
        out = loglik_of(th)
        if out is None or not out[0] > top + noise:
            break
        top, best = out[0], (th, out[1])
    return best


__all__ = ["EXT_COS", "EXT_GAIN", "EXT_MULTS", "EXT_RATE", "EXT_STEPS", "straight", "walk"]
