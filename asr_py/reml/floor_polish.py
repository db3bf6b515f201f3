"""A second fit for the variances a fit left on a structural floor (s19floor).

:mod:`asr_py.reml.held_floor` holds a 'P' variance whose zero makes its matrix singular (a
specific variance ψ_e of fa once others are near zero) at b_k = HELD_REL x the part of Σ_ii
the other parameters explain: closer to zero the analytic *score* loses its digits. The
hold costs ≈ |∂ℓ/∂θ_k| b_k, and b_k is not small in the units of the data: fa(env, 1):gen
over sites at t/ha and kg/ha with dsum(~ units | env) residuals (session 18's uc17) held
ψ_E2 at b = 17.1 (λ_E2 = 1309) with ℓ 6.9e-5 below its value at ψ_E2 = 0 (dense-V REML),
more than the fit's ℓ tolerance (8e-6 there).

ℓ itself keeps its digits much closer to zero than the score (there: within 2e-8 of the
dense ℓ at b/100, 4e-7 at b/1000), and near held variances the fit stops on finite
differences of ℓ (:mod:`asr_py.reml.fd_score`) where the score has lost its digits. So
:func:`polish_start` starts a second fit from the first's estimates with those variances at
POLISH_REL x b_k, held there (HELD_REL x POLISH_REL, :func:`asr_py.reml.ai._polish_floor`)
while ℓ increases outwards; :func:`polished` keeps it when it converged with a higher ℓ.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.corr_escape import GAIN_REL
from asr_py.reml.held_floor import structural_floors
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.reml.zero_snap import AT_ZERO

#: the polish holds the variances on a structural floor at this fraction of it
POLISH_REL = 1e-2
#: ... in a second fit of at most this many iterations (it starts at the first fit's
#: optimum: uc17 and chol(Env, 2):Name on DT_example took 1-2; one that does not converge
#: is discarded, so a large fit does not pay a second full fit for nothing)
POLISH_MAXIT = 10


def floor_held(problem: MixedProblem, res: RemlResult) -> tuple[np.ndarray, np.ndarray]:
    """(θ indices, b) of the free variances ``res`` holds on a structural floor: coded 'B'
    (or on the boundary) within AT_ZERO x b_k > 0, b from :func:`structural_floors` at the
    estimates."""
    pm = problem.param_map
    if pm is None:
        return np.zeros(0, dtype=int), np.zeros(0)
    start = [str(c).upper() for c in problem.constraints]
    fit = [str(c).upper() for c in res.constraints]
    theta = np.asarray(res.theta, dtype=float)
    pmask = np.array([c in ("P", "B") for c in start], dtype=bool)
    leaves = [(sp_.template, sp_.start) for sp_ in pm.structures]
    b = structural_floors(leaves, list(pm.kinds), pmask, theta)
    bnd = np.asarray(res.boundary, dtype=bool)
    out = [k for k in range(theta.size)
           if pmask[k] and b[k] > 0 and (fit[k] == "B" or bnd[k]) and theta[k] <= AT_ZERO * b[k]]
    return np.asarray(out, dtype=int), b


def polish_start(problem: MixedProblem, res: RemlResult) -> tuple[np.ndarray, np.ndarray] | None:
    """(θ start, polished indices) of the second fit, or None when ``res`` holds no variance
    on a structural floor."""
    held, b = floor_held(problem, res)
    if held.size == 0:
        return None
    theta = np.asarray(res.theta, dtype=float).copy()
    theta[held] = np.minimum(theta[held], POLISH_REL * b[held])
    return theta, held


def polished(first: RemlResult, second: RemlResult | None, held: np.ndarray,
             scale: float) -> RemlResult:
    """``second`` when both converged and its ℓ is higher than ``first``'s by more than
    GAIN_REL x ``scale`` (:func:`asr_py.reml.tolerance.dof_scale`); else ``first`` (a fit
    stopped at ``maxit`` stays stopped there). The kept second fit continues the first: its
    ``n_iter`` is the total of both and its history the first's followed by its own
    iterations (numbered on, method 'polish-...'; its start row, the first's estimates with
    the held variances lowered, is the polish's iteration 0 and is not repeated)."""
    if (second is None or not first.converged or not second.converged
            or not np.isfinite(second.loglik)):
        return first
    gain = second.loglik - first.loglik
    if not gain > GAIN_REL * scale:
        return first
    _continue(first, second)
    names = ", ".join(f"'{second.names[k]}'" for k in held)
    # how the first fit was reached (another optimum kept: bound revisits, corners, Heywood
    # exchanges ...) still describes the polished one
    second.diagnostics[:0] = [d for d in first.diagnostics if "(kept" in d
                              and d not in second.diagnostics]
    second.diagnostics.insert(0, (
        f"{names} held at a floor that keeps the covariance matrix invertible during the "
        f"iteration; a second fit holding it {1 / POLISH_REL:.0f}x closer to zero reached "
        f"a log-likelihood {gain:.3g} higher (kept)"))
    return second


def _continue(first: RemlResult, second: RemlResult) -> None:
    """Count ``first``'s iterations in ``second`` (n_iter and history), in place."""
    n1 = int(first.n_iter)
    second.history = [*first.history, *(
        {**h, "iteration": int(h.get("iteration", 0)) + n1,
         "method": f"polish-{h.get('method', '')}"} for h in second.history[1:])]
    second.n_iter = n1 + int(second.n_iter)


__all__ = ["POLISH_MAXIT", "POLISH_REL", "floor_held", "polish_start", "polished"]
