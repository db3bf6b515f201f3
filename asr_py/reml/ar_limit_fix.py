"""ASReml's handling of an ar1 correlation the likelihood pushes onto its limit: it is fixed
at ±0.98 (constraint 'F') and the other parameters are estimated given it.

ASReml keeps |ρ| of an autoregressive correlation at most 0.99 (``!ARLIMIT``,
vcov/autoregressive.py); the AI iteration holds ρ there while the likelihood increases
outwards ('B', reml/bounds.py). ASReml-R then reports the correlation fixed at
sign(ρ) x :data:`FIX_VALUE`, code 'F':

* asremlPlus's ``getTermsDeliberateBound`` (R/asremlPlusUtilities.r) excludes correlations
  'F' at 0.98 from the bounds a user set, "because I conjecture that these are system set";
* asremlPlus tests/testthat/test41Selection.r:859-883 (test42Selection.r:941-964): PSA.27
  with ``random = ~ units``, ``residual = ~ ar1(Lane):Position``; asreml codes the Lane
  correlation 'F', and its recorded AIC/BIC (2352.823/2361.365) are those of ρ fixed at
  −0.98 with the rest at their REML optimum: a dense-V REML gives ℓ(ρ = −0.99) − ℓ(ρ =
  −0.98) = 0.1747 (AIC 0.349), the gap between ours held at −0.99 and asreml's.

Only a parameter of kind 'correlation' on a limit inside its valid range
(``closed_bound``: ar1's ρ and its v/h variants) is fixed; ar2/ar3's φ, sar's γ and ma2's θ
stay held at ±0.99 ('B'), for want of a recorded asreml value.

Before that, :func:`mirror_start`: a fit whose ar1 correlation went to its limit on the way
and came back to end inside may have stopped on the lesser of two optima (a nugget beside an
ar1 residual trades the nugget against σ² differently for ρ > 0 and ρ < 0). PSA.27 with
``random = ~ Lane + Position + units``, ``residual = ~ ar1(Lane):Position``
(test41Selection.r:954): from ρ = 0.1 the first AI steps took ρ to +0.99, then it settled at
0.767 with ℓ −1746.776, a local optimum; a dense-V REML has the optimum at ρ = −0.99 with
ℓ −1744.572. A second fit from the mirrored start finds it; the better of the two is kept.
The same fit can also end held on +0.99 (ℓ −1746.803 once fixed at +0.98; seen with numpy
2.4 / scipy 1.17, where the first steps' round-off differs): a correlation held on its limit
is mirrored too, since ℓ increasing towards one limit says nothing of the other side.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.param_codes import limit_correlations, param_codes
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: the magnitude at which ASReml fixes an ar1 correlation that reached its limit
FIX_VALUE = 0.98


def limit_fix(problem: MixedProblem, res: RemlResult) -> tuple[np.ndarray, list[str]] | None:
    """(θ start, constraints) of the refit with every ar1 correlation that ``res`` holds on
    its limit ('B') fixed at ±FIX_VALUE ('F'), or None when there is none."""
    codes = param_codes(problem, res)
    if codes is None:
        return None
    theta = np.asarray(res.theta, dtype=float).copy()
    new_cons = list(codes.start)
    hit = False
    for k in limit_correlations(problem):
        if codes.fit[k] != "B" or abs(theta[k]) <= FIX_VALUE:
            continue
        theta[k] = FIX_VALUE * np.sign(theta[k])
        new_cons[k] = "F"
        hit = True
    return (theta, new_cons) if hit else None


def mirror_start(problem: MixedProblem, res: RemlResult) -> np.ndarray | None:
    """The start of a second fit, or None: the problem's start with each ar1 correlation that
    reached its limit during the iteration (whether it came back inside or ended held on the
    limit) started at the opposite sign (|ρ₀| at least 0.1)."""
    pm = problem.param_map
    codes = param_codes(problem, res)
    if pm is None or codes is None or not res.history:
        return None
    path = np.array([h["theta"] for h in res.history], dtype=float)
    theta = np.asarray(problem.theta0, dtype=float).copy()
    hit = False
    for k in limit_correlations(problem):
        lim = min(abs(float(pm.lower[k])), abs(float(pm.upper[k])))
        at = path[np.abs(path[:, k]) >= lim * (1 - 1e-9), k]
        if at.size == 0 and codes.fit[k] != "B":
            continue
        if at.size == 0:
            at = np.asarray(res.theta, dtype=float)[k:k + 1]
        theta[k] = -np.sign(at[-1]) * max(abs(theta[k]), 0.1)
        hit = True
    return theta if hit else None


def note(names: list[str], theta: np.ndarray, fixed: list[int]) -> str:
    """The diagnostic of a refit with correlations fixed at ±FIX_VALUE."""
    what = ", ".join(f"{names[k]!r} at {theta[k]:+.2f}" for k in fixed)
    return (f"an ar1 correlation reached its limit |ρ| = 0.99 with the likelihood increasing "
            f"towards ±1; fixed as ASReml does (constraint 'F'): {what}; the other parameters "
            "are estimated given it")


__all__ = ["FIX_VALUE", "limit_fix", "mirror_start", "note"]
