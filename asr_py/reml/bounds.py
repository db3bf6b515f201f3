"""One-sided bounds of the active-set AI step: for each parameter the value it is held at on
its lower and on its upper bound (−inf / +inf: no such bound).

* 'P' parameters (and 'B' variances): lower bound 0, held at b_k = BOUNDARY_REL x c_k (the
  parameter's own scale, :meth:`IterContext.update_scales`; raised where a zero makes the
  structure singular, reml/held_floor.py); a 'P' correlation as below with lower bound 0;
* any other parameter with a finite template bound (correlations: (−1, 1), exp/gau (0, 1),
  ...) that is not 'F', not a 'U' variance and not a parameter of a covariance matrix whose
  positive-definite boundary is handled (reml/pd_blocks.py): held at lower + ε and
  upper − ε, ε = BOUND_EPS x (upper − lower) (x max(1, |bound|) for a half-line), strictly
  inside, since a correlation's bound is open; where the structure's matrix is singular on
  the bound (ar1, exp, gau at ρ = 1) ε grows by powers of 10 until its correlation matrix
  has every eigenvalue >= BOUND_MU (as reml/held_floor.py does for variances).

The AI step (reml/ai_step.py) keeps θ + δ between the two values and holds a parameter on
a bound while the quadratic model's multiplier says ℓ increases outwards (ASReml's 'B').
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from asr_py.reml.tuning import PD_MAX_N

if TYPE_CHECKING:
    from asr_py.reml.iter_context import IterContext

#: a bounded non-variance parameter is held this far (relative to its range) inside its bound
BOUND_EPS = 1e-8
#: ... or, where its matrix is singular on the bound, this far from singular (the smallest
#: eigenvalue of its correlation matrix): exp(t):id on 4 times with the optimum at ρ = 1,
#: at 1e-8 x the range from the bound (μ ≈ 5e-9) the fits stalled or stopped at maxit; held
#: at μ >= 1e-7 (ρ = 1 − 1e-6) every one converged, ℓ within 2e-5 of its value at ρ = 1
BOUND_MU = 1e-7


def held_values(ctx: IterContext, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi): the values each parameter is held at on its lower / upper bound, at θ
    (the other parameters of its structure decide whether the bound is singular). The last
    answer is kept per context (s21mv: an iteration asks at one θ several times, and each
    answer may form and test up to 9 correlation matrices per bound)."""
    key = (np.asarray(theta, dtype=float).tobytes(), tuple(ctx.cons), tuple(ctx.kinds),
           np.asarray(ctx.bval, dtype=float).tobytes(),
           np.asarray(ctx.lower, dtype=float).tobytes(),
           np.asarray(ctx.upper, dtype=float).tobytes())
    last = getattr(ctx, "_held_last", None)
    if last is not None and last[0] == key:
        return last[1].copy(), last[2].copy()
    lo, hi = _held_values(ctx, theta)
    ctx._held_last = (key, lo.copy(), hi.copy())  # type: ignore[attr-defined]
    return lo, hi


def _held_values(ctx: IterContext, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        a, b = lower[k], upper[k]
        if c == "P" and not (kind == "correlation" and np.isfinite(a)):
            lo[k] = ctx.bval[k]  # 'P' variances, covariances, loadings, ...: >= b_k
            continue
        if kind == "variance" and c == "B":
            lo[k] = ctx.bval[k]
            continue
        if in_pd[k] and c != "P":
            continue
        if c == "P":  # a correlation constrained positive: its lower bound is 0
            a = max(a, 0.0)
        if np.isfinite(a) and np.isfinite(b):
            w = b - a
            lo[k] = a + _inset(ctx, theta, k, a, w)
            hi[k] = b - _inset(ctx, theta, k, b, -w)
        elif np.isfinite(a):
            lo[k] = a + BOUND_EPS * max(1.0, abs(a))
        elif np.isfinite(b):
            hi[k] = b - BOUND_EPS * max(1.0, abs(b))
    return lo, hi


def _mu_min(t: object, th: np.ndarray) -> float:
    """Smallest eigenvalue of the correlation matrix of Σ(th) (0 where it cannot be formed)."""
    try:
        m = t.matrix(th)  # type: ignore[attr-defined]
        m = m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)
        d = np.diag(m)
        if not np.all(np.isfinite(m)) or np.any(d <= 0):
            return 0.0
        r = 1.0 / np.sqrt(d)
        return float(np.linalg.eigvalsh(m * np.outer(r, r))[0])
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError):
        return 0.0


def _inset(ctx: IterContext, theta: np.ndarray, k: int, bound: float, w: float) -> float:
    """How far inside ``bound`` parameter k is held (``w``: the range, signed towards the
    inside): BOUND_EPS·|w|, or where the structure's matrix is singular on the bound (ar1,
    exp, ... at ρ = 1) the smallest 10^j·BOUND_EPS·|w| at which its correlation matrix has
    every eigenvalue >= BOUND_MU (closer, Σ⁻¹ loses the digits of the score, as for the
    variances of reml/held_floor.py)."""
    eps = BOUND_EPS * abs(w)
    for t, off in ctx.leaves:
        j = k - off
        if not 0 <= j < t.n_params:
            continue
        closed = getattr(t, "closed_bound", None)
        if closed is not None and closed(j):
            return 0.0  # a limit inside the valid range (ASReml's !ARLIMIT): held on it
        if t.n > PD_MAX_N:
            return eps
        th = np.asarray(theta[off:off + t.n_params], dtype=float).copy()
        with np.errstate(all="ignore"):
            th[j] = bound
            if _mu_min(t, th) >= BOUND_MU:
                return eps
            for p in range(8):
                th[j] = bound + np.sign(w) * eps * 10.0 ** p
                mu = _mu_min(t, th)
                if mu >= BOUND_MU:
                    return eps * 10.0 ** p
                if p == 0 and mu < -BOUND_MU:
                    # not positive definite just inside the bound either: the bound is not
                    # what limits the parameter (corb's ρ_1 given the other lags: the PD edge
                    # lies well inside) and the step's validity test keeps the iterate PD.
                    # Searched further, the held value became a false bound (alzheimers'
                    # corb(month, 4): ρ_1 held at 0.8 'B', asreml's 0.81 is 0.13 better)
                    return eps
        return eps * 1e7
    return eps


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
