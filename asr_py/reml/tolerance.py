"""The stopping rule's log-likelihood tolerance, the same in any units of the response.

Rescaling a trait (or one environment's records) by c multiplies V by c² on its rows and
shifts ℓ by a constant, −(n_c − p_c) log c, so a tolerance proportional to |ℓ| changes with
the units: the same design stopped converged in t/ha and unconverged in kg/ha. Differences of
ℓ, predicted gains ½ s'AI⁻¹s and relative parameter changes are unit-free, and so is the size
of the problem. Every ℓ test of the iteration compares such a difference or gain with

    tol = tol_loglik · max(1, ν),   ν = n − p (the REML degrees of freedom),

an absolute tolerance in ℓ units (ASReml's rule is absolute too: |Δℓ| < 0.002 x the
iteration number with every parameter changing by < 1 %). The factor ν keeps it in step with
ℓ's rounding noise and size, which grow with the number of records; it depends only on the
design's dimensions, never on the order of the rows, the level labels or the units. The
default tol_loglik = 3e-8 (per degree of freedom) lies between the former 1e-8 · |ℓ| at
σ² ≈ 1 (|ℓ|/ν = ½|log 2πσ² + 1| ≈ 1.4) and at kg/ha variances of 10⁵ (|ℓ|/ν ≈ 7), far
below what any inference can see (ASReml stops at 0.002 x the iteration number). The
knife-edge tests bound it: at 1e-8 the held-variance rules (held_release.py, fd_score.py)
could not confirm the optima of test_dsum_boundary and the sweep's fa(env, 2); at 5e-8 the
PD-face rule stopped test_ai_corr_boundary's us(Env) 5e-7 below chol's; at 1e-7 the
differenced-score rule stopped fa1_mixed_scales 1.6e-5 below its free part's optimum.
"""

from __future__ import annotations

from typing import Any


def dof_scale(problem: Any) -> float:
    """max(1, ν) with ν = n − p: the records less the fixed-effect columns of ``problem``."""
    n = int(problem.y.shape[0])
    p = int(problem.X.shape[1]) if problem.X is not None and problem.X.ndim == 2 else 0
    return float(max(1, n - p))


def loglik_tolerance(problem: Any, tol_loglik: float) -> float:
    """The absolute ℓ tolerance of the stopping rule: ``tol_loglik`` x max(1, n − p)."""
    if not tol_loglik >= 0:
        raise ValueError(f"tol_loglik must be >= 0 (got {tol_loglik!r})")
    return float(tol_loglik) * dof_scale(problem)


#: |ℓ| per REML degree of freedom where the variances are of the order of the data's mean
#: square, ½(log 2π + 1) ≈ 1.42 (see the module docstring): the size the round-off rules
#: scale with (:func:`loglik_size`)
LL_PER_DF = 1.5


def loglik_size(problem: Any) -> float:
    """A units-free size of |ℓ| for the rules at ℓ's round-off level (the line search's
    slack, the noise of ℓ): LL_PER_DF x max(1, ν). |ℓ| itself shifts by (n − p) log c when
    y -> c y (2⁻¹⁴ ... 2¹⁴ moved it from −263 to +164 and −690 on the same design), and a
    step accepted at one scale was rejected at another."""
    return LL_PER_DF * dof_scale(problem)
