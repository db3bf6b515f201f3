"""A variance of a template with correlations held at zero, probed on a ladder of its scale.

Where a template's correlation matrix C(ρ) is singular or nearly so (corh(site) with ρ at
1, corgh with a correlation at ±1), a covariance σ_iσ_jρ_ij is linear in σ_i = sqrt(σ²_i),
so near σ²_i = 0

    ℓ(σ²_i) ≈ ℓ(0) + a sqrt(σ²_i) + b σ²_i,

with an unbounded derivative at 0. The AI matrix there is ~1/σ⁴ (10²⁴ at σ² = 1e-21): its
step, the differenced score of :mod:`asr_py.reml.held_score` and the release probe of
:mod:`asr_py.reml.held_release` (all scaled by 1/sqrt(AI_kk)) look only 1e-12 off the bound,
where the gain is ~a·1e-6, below the tolerance, and the fit stops on the bound — or, from
the escape's raised start (:mod:`asr_py.reml.corr_escape`), crawls beside it. Which of the
two, and where, depended on the round-off of the row order and the level labels: in a 4-site
``corh(site):gen + idh(site):rep`` MET the dense-V REML optimum has ρ = 1 and σ²_S1 = 0.0083
(6.8e-6 of the largest site variance); σ²_S1 held at zero cost 5.7e-4 of ℓ, on the paths
(the gen levels relabelled) that put it there, reported "converged".

:func:`ladder_start` reads ℓ itself on a ladder that does not depend on the path: each such
variance (code 'B', held at its boundary, or below LOW_REL of its template's largest) alone
at σ²_max x 10^e, e = −10 ... −1 (LADDER); the best point, when it gains more than the
tolerance, starts a refit (:func:`asr_py.reml.ai._climb_ladder`), and the better fit is kept.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from asr_py.reml.corr_escape import LOW_REL
from asr_py.reml.param_codes import param_codes
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: the probed values of a held variance, as powers of ten of its template's largest variance
LADDER = tuple(range(-10, 0))
#: at most this many ladder refits after one fit
MAX_ROUNDS = 3


def held_variances(problem: MixedProblem, res: RemlResult) -> list[tuple[int, float]]:
    """(θ index, its template's largest variance) of each 'P' variance of a template with a
    free correlation that ended on (or held at, or below LOW_REL x the largest of) its
    boundary, while another of the template's variances is positive."""
    codes = param_codes(problem, res)
    if codes is None:
        return []
    theta = np.asarray(res.theta, dtype=float)
    bnd = np.asarray(res.boundary, dtype=bool)
    out: list[tuple[int, float]] = []
    for s in problem.slices():
        k = range(s.start, s.stop)
        if not any(codes.kinds[j] == "correlation" and codes.start[j] != "F" for j in k):
            continue
        var = [j for j in k if codes.kinds[j] == "variance" and codes.start[j] == "P"]
        top = max((float(theta[j]) for j in var), default=0.0)
        if not top > 0:
            continue
        out += [(j, top) for j in var
                if codes.fit[j] == "B" or bnd[j] or theta[j] < LOW_REL * top]
    return out


def ladder_start(problem: MixedProblem, res: RemlResult,
                 loglik_of: Callable[[np.ndarray], float | None], tol: float
                 ) -> np.ndarray | None:
    """The best point of the ladder (module docstring) when ℓ there exceeds the fit's by more
    than ``tol`` (absolute); else None. ``loglik_of(θ)``: ℓ(θ), None where invalid."""
    theta = np.asarray(res.theta, dtype=float)
    best, best_ll = None, float(res.loglik) + tol
    for j, top in held_variances(problem, res):
        for e in LADDER:
            v = top * 10.0 ** e
            if v <= theta[j]:
                continue
            th = theta.copy()
            th[j] = v
            ll = loglik_of(th)
            if ll is not None and np.isfinite(ll) and ll > best_ll:
                best, best_ll = th, ll
    return best


def note(gain: float) -> str:
    """The diagnostic of a kept ladder refit."""
    return ("a variance of a template with correlations held at zero gains off it "
            "(ℓ rises like its square root where the correlation matrix is singular); a "
            f"refit from the best of a ladder of its values reached a log-likelihood "
            f"{gain:.3g} higher (kept)")


__all__ = ["LADDER", "MAX_ROUNDS", "held_variances", "ladder_start", "note"]
