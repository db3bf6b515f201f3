"""A second fit when the parameter φ of a distance correlation (exp, gau and their 'v'/'h'
variants: C_ij = φ^e_ij, e_ij = d_ij or d_ij²) ends at either end of (0, 1).

Both ends are stationary or nearly flat for ℓ, so the AI iteration can settle at the wrong
one:

* φ → 0: C → I, and ∂C_ij/∂φ = e_ij φ^(e_ij − 1) vanishes for every e_ij > 1. When the
  nearest coordinates are more than one unit apart (or the heterogeneous variances of the
  nearest ones went to zero), the score of φ is zero at φ = 0 whatever the data say: a
  start at φ₀ = 0.1 has correlations 0.1^e_ij ≈ 0 and the iteration stops there, reporting
  convergence, while a dense-V REML finds a higher ℓ with φ near 1 (exph over ages 1, 2, 4,
  7 with the variances of ages 1 and 7 at zero: ℓ 1.2 below the optimum).
* φ → 1: C → 11' (rank one), the other optimum on the other side.
* the structure's variance at zero (its term scale included): φ is then without information
  wherever it is (agau over 80 close points stopped there, ℓ 1.8 below the optimum); φ
  restarts with the median pair at correlation MID_RHO and the variance raised.

aexp/agau give one exponent matrix per axis (a (2, n, n) stack), each φ its own range. A
second start where the correlation matrix is numerically singular (the equations cannot
take it) is fitted on V instead (reml/singular_corr.py).

:func:`far_start` builds the start of a second fit from the first's estimates: φ moved to
the other end (the farthest pair's correlation FAR_RHO from φ → 0, the nearest pair's
NEAR_RHO from φ → 1) and the template's variances that went to zero raised as
:mod:`asr_py.reml.corr_escape` does. :func:`better_of` keeps the better fit, so a φ whose
optimum is truly at an end ends there again, at the cost of one more fit.

Only templates that expose ``distance_exponents()`` take part (the engine never imports a
concrete structure class).
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.corr_escape import GAIN_REL, LOW_REL, RAISE_REL
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: φ counts as at its lower end when the nearest pair's correlation φ^e_min is below this
LOW_END = 1e-2
#: ... and at its upper end when the farthest pair's correlation φ^e_max is above this
HIGH_END = 0.99
#: the restart from the lower end: the farthest pair's correlation (φ = FAR_RHO^(1/e_max))
FAR_RHO = 0.5
#: the restart from the upper end: the nearest pair's correlation (φ = NEAR_RHO^(1/e_min))
NEAR_RHO = 0.3
#: the restart of a φ whose structure's variance vanished (φ anywhere inside, without
#: information): the median pair's correlation (φ = MID_RHO^(1/e_median))
MID_RHO = 0.5


def _exponent_ranges(template: object) -> list[tuple[float, float, float]] | None:
    """Per φ of a distance template, the (smallest, median, largest) positive exponent
    e_ij; one
    range serves every φ when the template gives one n x n exponent matrix, one per φ
    when it gives a (k, n, n) stack (aexp/agau: an axis each); None for other templates or
    when no exponent is positive."""
    get = getattr(template, "distance_exponents", None)
    if get is None:
        return None
    e = np.asarray(get(), dtype=float)
    out = []
    for ek in (e if e.ndim == 3 else [e]):
        ek = ek[np.isfinite(ek) & (ek > 0)]
        if not ek.size:
            return None
        out.append((float(ek.min()), float(np.median(ek)), float(ek.max())))
    return out


def end_of(phi: float, e_min: float, e_max: float) -> str | None:
    """'low' when the nearest pair's correlation φ^e_min is below LOW_END, 'high' when the
    farthest pair's φ^e_max is above HIGH_END, else None."""
    if phi ** e_min < LOW_END:
        return "low"
    if phi ** e_max > HIGH_END:
        return "high"
    return None


def far_start(problem: MixedProblem, res: RemlResult) -> tuple[np.ndarray, list[str]] | None:
    """(start θ of the second fit, the names of the φ moved) or None when no free φ of a
    distance correlation ended at an end of (0, 1) (see the module docstring)."""
    pm = problem.param_map
    if pm is None:
        return None
    kinds = pm.kinds
    cons = [str(c).upper() for c in problem.constraints]
    theta = np.asarray(res.theta, dtype=float).copy()
    moved: list[str] = []
    for sp_ in pm.structures:
        rngs = _exponent_ranges(sp_.template)
        if rngs is None:
            continue
        own = list(range(sp_.start, sp_.stop))
        corr = [k for k in own if kinds[k] == "correlation"]
        if len(rngs) > 1 and len(rngs) != len(corr):
            continue
        span = [int(k) for k in sp_.positions]
        silent = _vanished(theta, [k for k in span if kinds[k] == "variance"],
                           [k for k in range(theta.size) if kinds[k] == "variance"
                            and k not in span])
        hit = False
        for j, k in enumerate(corr):
            if cons[k] == "F":
                continue
            e_min, e_med, e_max = rngs[j if len(rngs) > 1 else 0]
            end = end_of(float(theta[k]), e_min, e_max)
            if end == "low":
                theta[k] = FAR_RHO ** (1.0 / e_max)
            elif end == "high":
                theta[k] = NEAR_RHO ** (1.0 / e_min)
            elif silent:
                theta[k] = MID_RHO ** (1.0 / e_med)
            else:
                continue
            moved.append(str(problem.names[k]))
            hit = True
        if hit:
            _raise_zero_variances(theta, [k for k in span if kinds[k] == "variance"
                                          and cons[k] == "P"],
                                  [k for k in range(theta.size) if kinds[k] == "variance"
                                   and k not in span and theta[k] > 0])
    return (theta, moved) if moved else None


def _vanished(theta: np.ndarray, var: list[int], others: list[int]) -> bool:
    """Every variance of ``var`` (a structure's, its term scale included) below LOW_REL x
    the largest of the model's ``others``: φ is then without information wherever it is."""
    ref = [theta[j] for j in others if theta[j] > 0]
    return bool(var and ref) and all(theta[j] < LOW_REL * max(ref) for j in var)


def _raise_zero_variances(theta: np.ndarray, var: list[int], others: list[int]) -> None:
    """Variances of ``var`` below LOW_REL x the largest of them raised to RAISE_REL x the
    geometric mean of the others (in place): at zero, a variance leaves φ without
    information. When all of ``var`` are that low (σ²C(φ): one variance, at zero), the
    geometric mean is that of ``others``, the model's other positive variances."""
    if not var:
        return
    top = max(theta[j] for j in var)
    low = [j for j in var if theta[j] < LOW_REL * top]
    inside = [j for j in var if j not in low and theta[j] > 0]
    ref = [j for j in others if theta[j] > 0]
    if not (low and inside) and ref:  # all of them alike: compared with the others
        low = [j for j in var if theta[j] < LOW_REL * max(theta[i] for i in ref)]
        inside = ref if len(low) == len(var) else []
    if not low or not inside:
        return
    level = RAISE_REL * float(np.exp(np.mean(np.log(theta[inside]))))
    for j in low:
        theta[j] = level


def better_of(first: RemlResult, second: RemlResult, moved: list[str],
              scale: float) -> RemlResult:
    """``second`` when its ℓ is higher than ``first``'s by more than GAIN_REL x ``scale``
    (max(1, n − p), :func:`asr_py.reml.tolerance.dof_scale`), or when it converged where
    ``first`` did not with an ℓ not lower by more than that; else ``first``. The kept fit's
    diagnostics say so when it is the second.

    The threshold is absolute in ℓ units: a trait rescaled by c shifts both ℓ by the same
    −(n − p) log c, which leaves the gain unchanged but not |ℓ| (a threshold GAIN_REL x |ℓ|
    made the choice depend on the units)."""
    gain = second.loglik - first.loglik
    tol = GAIN_REL * scale
    what = ", ".join(repr(m) for m in moved)
    if np.isfinite(second.loglik) and gain > tol:
        second.diagnostics.insert(0, (
            f"the distance correlation {what} ended at an end of (0, 1), where its score "
            "vanishes; a second fit started from the other end reached a log-likelihood "
            f"{gain:.3g} higher (kept)"))
        return second
    if second.converged and not first.converged and gain >= -tol:
        second.diagnostics.insert(0, (
            f"the distance correlation {what} ended at an end of (0, 1) in an unconverged "
            f"fit; a second fit started from the other end converged (log-likelihood "
            f"{gain:+.3g}; kept)"))
        return second
    return first


__all__ = ["FAR_RHO", "HIGH_END", "LOW_END", "NEAR_RHO", "better_of", "end_of", "far_start"]
