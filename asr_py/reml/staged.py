"""Multivariate fits started from univariate fits.

With every between-trait covariance (and correlation) of G and R held at zero, the REML
likelihood of a multivariate model separates into one univariate likelihood per trait:

    ℓ(θ) = Σ_t ℓ_t(θ_t)   when Σ_g, Σ_e, ... are diagonal over traits,

so a fit with those parameters fixed at 0 ('F') *is* the set of univariate fits, done in one
pass through the same mixed model equations. Stage 2 starts the full model from the
univariate variances with zero covariances (the advice users get when a multivariate fit
fails from its default start). The engine receives only a boolean mask of the cross-trait
parameters; which parameters those are is decided by the model compiler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from asr_py.reml.ai import fit_reml
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult


def univariate_problem(problem: MixedProblem, cross: np.ndarray) -> MixedProblem:
    """``problem`` with the cross-trait parameters (``cross`` mask) fixed at zero."""
    cross = np.asarray(cross, dtype=bool)
    theta0 = problem.theta0.copy()
    cons = list(problem.constraints)
    for k in np.flatnonzero(cross):
        if cons[k] != "F":
            theta0[k] = 0.0
            cons[k] = "F"
    return replace(problem, theta0=theta0, constraints=cons, random=list(problem.random))


def fit_reml_staged(
    problem: MixedProblem,
    cross: np.ndarray,
    *,
    maxit: int = 30,
    callback: Callable[[dict], None] | None = None,
    **kwargs: Any,
) -> RemlResult:
    """Fit the univariate stage (cross-trait parameters at 0), then the full model from its
    estimates. Iterations of both stages count against ``maxit`` and appear in ``history``
    (stage 1's methods are prefixed ``uni-``). Falls back to the plain fit if stage 1 cannot
    be evaluated.
    """
    cross = np.asarray(cross, dtype=bool)
    free_cross = cross & np.array([c != "F" for c in problem.constraints])
    if not free_cross.any():
        return fit_reml(problem, maxit=maxit, callback=callback, **kwargs)

    def cb1(h: dict) -> None:
        if callback is not None:
            callback({**h, "method": "uni-" + h["method"]})

    try:
        first = fit_reml(univariate_problem(problem, cross), maxit=maxit, callback=cb1,
                         **kwargs)
    except (np.linalg.LinAlgError, ValueError):
        return fit_reml(problem, maxit=maxit, callback=callback, **kwargs)
    theta1 = first.theta.copy()
    n1 = first.n_iter

    def cb2(h: dict) -> None:
        if callback is not None and h["iteration"] > 0:
            callback({**h, "iteration": h["iteration"] + n1})

    second = fit_reml(replace(problem, theta0=theta1, random=list(problem.random)),
                      maxit=max(maxit - n1, 1), callback=cb2, **kwargs)
    hist = [{**h, "method": "uni-" + h["method"]} for h in first.history]
    hist += [{**h, "iteration": h["iteration"] + n1} for h in second.history[1:]]
    second.history = hist
    second.n_iter = n1 + second.n_iter
    second.diagnostics = [
        f"started from univariate fits ({n1} iterations with the between-trait covariances "
        "held at 0)", *[d for d in second.diagnostics]]
    return second


__all__ = ["fit_reml_staged", "univariate_problem"]
