"""A second fit when a variance of a template with correlations ends on its boundary.

In corgh/corh/ar1 x idv... a variance at zero leaves its correlations without information,
and the AI iteration cannot leave that face even when the optimum is inside: at zero the
variance's score is taken at the correlations the path happened to have, and ℓ can only
grow along a joint move of the variance and its correlations. Simulated corgh(env):gen and
corh(env):gen trials (tests/reml/test_sweep_dense.py) ended there 0.12 and 0.075 below the
optimum of an independent dense-V REML, one of them with ``converged=True``.

:func:`escape_start` builds the start of a second fit: the estimates, every such variance
raised to half the geometric mean of its template's other variances, and correlations held
at ±1 brought to ±0.9 (at cor's limit −1/(n − 1): 5 % of the range inside it). The better
fit is kept (:func:`better`), so a variance whose optimum is truly zero ends there again at
the cost of one more fit. In the second fit such a variance approaches its bound by at most
a factor SHRINK per step unless the jump is better (``soft_corr_bounds``,
:func:`asr_py.reml.ai_step.line_search`): from the raised start a single AI step otherwise
put it back on the bound it came from.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.param_codes import param_codes
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: the boundary variance's restart value, relative to the geometric mean of its template's
#: other variances
RAISE_REL = 0.5
#: a variance below this fraction of its template's largest counts as on its boundary (an
#: unconverged fit leaves it held at its lifted floor, not coded 'B')
LOW_REL = 1e-5
#: an unconverged second fit's variance below this x its template's largest restarts there
#: (:func:`crept_start`)
CREPT_REL = 1e-6
#: a correlation on its ±1 bound restarts at this value (its sign)
CORR_RESTART = 0.9
#: the second fit replaces the first when its ℓ is higher by this much x max(1, n − p)
#: (an absolute, unit-free margin: :mod:`asr_py.reml.tolerance`)
GAIN_REL = 1e-9


def escape_start(problem: MixedProblem, res: RemlResult) -> np.ndarray | None:
    """The start of a second fit (see the module docstring), or None when no variance of a
    template with free correlations ended on (or held at) its boundary."""
    codes = param_codes(problem, res)
    if codes is None:
        return None
    kinds, cons, start_cons = codes.kinds, codes.fit, codes.start
    theta = np.asarray(res.theta, dtype=float).copy()
    lo_b, hi_b = problem.param_map.lower, problem.param_map.upper  # type: ignore[union-attr]
    changed = False
    for s in problem.slices():
        k = list(range(s.start, s.stop))
        if not any(kinds[j] == "correlation" and start_cons[j] != "F" for j in k):
            continue
        var = [j for j in k if kinds[j] == "variance" and start_cons[j] == "P"]
        bnd = np.asarray(res.boundary, dtype=bool)  # held there, converged or not
        top = max((theta[j] for j in var), default=0.0)
        low = [j for j in var if cons[j] == "B" or bnd[j] or theta[j] < LOW_REL * top]
        inside = [j for j in var if j not in low and theta[j] > 0]
        if not low or not inside:
            continue
        level = RAISE_REL * float(np.exp(np.mean(np.log(theta[inside]))))
        for j in low:
            theta[j] = max(theta[j], level)
        for j in k:
            if kinds[j] == "correlation" and start_cons[j] != "F":
                theta[j] = _inward(theta[j], lo_b[j], hi_b[j])
        changed = True
    return theta if changed else None


def crept_start(problem: MixedProblem, res: RemlResult) -> np.ndarray:
    """The estimates of an unconverged second fit with every 'P' variance of a template
    with correlations that crept below CREPT_REL x the template's largest (the soft bounds
    never hold it) raised to that value: a start from which the fit holds it as usual."""
    theta = np.asarray(res.theta, dtype=float).copy()
    codes = param_codes(problem, res)
    if codes is None:
        return theta
    for s in problem.slices():
        k = list(range(s.start, s.stop))
        if not any(codes.kinds[j] == "correlation" for j in k):
            continue
        var = [j for j in k if codes.kinds[j] == "variance" and codes.start[j] == "P"]
        top = max((theta[j] for j in var), default=0.0)
        for j in var:
            theta[j] = max(theta[j], CREPT_REL * top)
    return theta


def _inward(r: float, lo: float, hi: float) -> float:
    """A correlation near a bound brought inside: ±1 to ±CORR_RESTART; a limit inside
    (cor's −1/(n − 1)) to (1 − CORR_RESTART)/2 of the range from it (corh over 3 levels:
    −½ to −0.425), where C is not singular."""
    a, b = (lo, hi) if np.isfinite(lo) and np.isfinite(hi) else (-1.0, 1.0)
    inset = 0.5 * (1.0 - CORR_RESTART) * (b - a)
    return float(np.clip(r, max(-CORR_RESTART, a + inset), min(CORR_RESTART, b - inset)))


def better(first: RemlResult, second: RemlResult, scale: float = 1.0) -> RemlResult:
    """``second`` if its ℓ is higher than ``first``'s by more than GAIN_REL x ``scale``
    (:func:`asr_py.reml.tolerance.dof_scale`), or if it
    converged where ``first`` did not and its ℓ is not lower by more than that; else
    ``first``. The chosen one's diagnostics say a second fit was made."""
    gain = second.loglik - first.loglik
    tol = GAIN_REL * scale
    if second.converged and not first.converged and gain >= -tol:
        second.diagnostics.insert(0, (
            "a variance of a template with correlations ended on its boundary in an "
            f"unconverged fit; a second fit with it raised converged (log-likelihood "
            f"{gain:+.3g}; kept)"))
        return second
    if np.isfinite(second.loglik) and gain > tol:
        second.diagnostics.insert(0, (
            f"a variance of a template with correlations ended on its boundary; a second fit "
            f"with it raised reached a log-likelihood {gain:.3g} higher (kept)"))
        return second
    return first
