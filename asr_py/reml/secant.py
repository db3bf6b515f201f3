"""A secant (quasi-Newton) correction of the AI matrix for the step (issue 14, s15eng).

Full AI steps converge linearly, at the rate of the spectral radius of I − AI⁻¹H (H = −∇²ℓ;
see :mod:`asr_py.reml.slow_ai`). On asremlPlus's ChickpeaEnd model of test42Parallel.r
(Smarthouse:(Lane + Position) beside dsum(~ ar1(Lane):ar1(Position) | Smarthouse)) that rate
is 0.45: 16 iterations, the last 8 of them each shrinking the error of σ²_Lane by half. A
differenced Hessian (slow_ai.py, 2 x n_free more score evaluations) is dearer than those
iterations; but each full step already gives a pair (s, y) = (θ_k − θ_{k−1},
−(score_k − score_{k−1})) with H s ≈ y, and the slow direction is the one the last step
moved along. :func:`secant_information` returns AI updated by BFGS on that pair,

    B = AI − (AI s)(AI s)' / (s' AI s) + y y' / (y' s),

so that B s = y (B keeps AI's curvature across s and takes H's along it). The step
B⁻¹ score then removes the slow direction's error in one go; the AI matrix itself stays the
one for standard errors. The loop (reml/ai.py) uses it only after a full, unrestricted step
on an unchanged active set and falls back on the plain AI step whenever its step is damped.
"""

from __future__ import annotations

import numpy as np

#: the curvature along s, y's / s'AI s, must lie in [1/CURV_MAX, CURV_MAX] (outside it the
#: pair is not a trustworthy estimate of H: a step far from the optimum, or round-off)
CURV_MAX = 20.0
#: the last step must have moved some parameter by at least this many conditional standard
#: errors 1/sqrt(AI_kk) (smaller steps give score differences at round-off level)
MIN_Z = 1e-6


def secant_information(ai: np.ndarray, step: np.ndarray, dscore: np.ndarray,
                       free: np.ndarray, carried: np.ndarray | None = None
                       ) -> np.ndarray | None:
    """AI with its ``free`` block updated by BFGS on the pair (s = ``step``, y =
    −``dscore``) (see the module docstring); None when the pair does not qualify: no free
    parameter, a step below MIN_Z standard errors, or a curvature ratio y's / s'AI s
    outside [1/CURV_MAX, CURV_MAX] (which also keeps B positive definite)."""
    idx = np.flatnonzero(free)
    if idx.size == 0:
        return None
    a = ai[np.ix_(idx, idx)]
    d = np.diag(a)
    if np.any(~np.isfinite(a)) or np.any(d <= 0):
        return None
    if carried is not None:  # the correction of earlier pairs, kept where still PD
        c = a + carried[np.ix_(idx, idx)]
        try:
            np.linalg.cholesky(c / np.sqrt(np.outer(d, d)))
            a = c
        except np.linalg.LinAlgError:
            pass
    s = np.asarray(step, dtype=float)[idx]
    y = -np.asarray(dscore, dtype=float)[idx]
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(y))):
        return None
    if float(np.max(np.abs(s) * np.sqrt(d), initial=0.0)) < MIN_Z:
        return None
    a_s = a @ s
    sas = float(s @ a_s)
    ys = float(y @ s)
    if not (sas > 0 and ys > 0) or not (1.0 / CURV_MAX <= ys / sas <= CURV_MAX):
        return None
    b = a - np.outer(a_s, a_s) / sas + np.outer(y, y) / ys
    b = 0.5 * (b + b.T)
    out = np.array(ai, dtype=float, copy=True)
    out[np.ix_(idx, idx)] = b
    return out

#: three successive full steps are in the linear regime when each is RATE_MIN to RATE_MAX
#: times the one before (in standard-error units), the two ratios within RATE_AGREE of each
#: other ...
RATE_MIN = 0.2
RATE_MAX = 0.98
RATE_AGREE = 1.5
#: ... and their directions (in standard-error units) have cosines of at least COS_MIN in
#: absolute value, of one sign
COS_MIN = 0.9


def linear_regime(steps: list[np.ndarray], ai: np.ndarray, free: np.ndarray) -> bool:
    """Whether the last three full steps show the linear convergence of AI steps: each a
    RATE_MIN..RATE_MAX multiple of the one before, by nearly the same ratio, along nearly
    the same line (measured in conditional standard errors): in the same direction (AI
    undershoots, AI⁻¹H has an eigenvalue below 1) or alternating (it overshoots: above 1).
    Before that (far from the optimum) secant pairs describe ℓ where the iteration no longer
    is, and the secant step wanders."""
    idx = np.flatnonzero(free)
    d = np.diag(ai)[idx]
    if len(steps) < 3 or idx.size == 0 or np.any(~np.isfinite(d)) or np.any(d <= 0):
        return False
    z = [np.asarray(s, dtype=float)[idx] * np.sqrt(d) for s in steps[-3:]]
    n = [float(np.linalg.norm(v)) for v in z]
    if not all(v > 0 and np.isfinite(v) for v in n):
        return False
    r = [n[1] / n[0], n[2] / n[1]]
    cos = [float(z[0] @ z[1]) / (n[0] * n[1]), float(z[1] @ z[2]) / (n[1] * n[2])]
    return (all(RATE_MIN <= v <= RATE_MAX for v in r) and max(r) <= RATE_AGREE * min(r)
            and min(abs(c) for c in cos) >= COS_MIN and cos[0] * cos[1] > 0)
