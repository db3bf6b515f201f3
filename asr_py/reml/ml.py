"""Maximum-likelihood (ML) fits by alternating GLS and AI steps (lme4's ``REML = FALSE``).

The ML log-likelihood of ``y ~ N(Xβ, V(θ))``

    ℓ_ML(β, θ) = −½[n log 2π + log|V| + (y − Xβ)'V⁻¹(y − Xβ)]

is, for a fixed β, the REML log-likelihood of ``y − Xβ`` with *no* fixed effects (p = 0:
log|X'V⁻¹X| and the (n − p) correction vanish). So ML is maximised by block coordinate ascent:

1. θ-step: AI-REML (:func:`asr_py.reml.fit_reml`, with all its boundary handling) on
   ``y − Xβ`` with X empty, from the current θ — the exact maximiser of ℓ_ML(β, ·);
2. β-step: β = β̂(θ) = (X'V⁻¹X)⁻¹X'V⁻¹y (GLS through the mixed model equations), the exact
   maximiser of ℓ_ML(·, θ).

ℓ_ML increases at every step; at a fixed point both blocks of the score are zero, i.e. the
ML estimates. β̂ and θ̂ are asymptotically orthogonal (the expected information has no β-θ
block), so the outer loop converges in a few rounds. While β moves by more than ``EARLY_TOL`` of
its SE, each round is one AI step (the θ-score at β̂(θ) is the profile likelihood's score), so ML
takes about as many AI iterations as REML; it stops when β moves by at most
``BETA_TOL`` of its standard error (ℓ_ML then changes by about ½ BETA_TOL², far below
round-off) after a converged θ-step.
Standard errors of θ come from the AI matrix of the last θ-step (the ML information with
β known, the same as with β estimated asymptotically); Var(β̂) = (X'V⁻¹X)⁻¹ at θ̂ (lme4's
``vcov``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: the outer loop stops when β moves by at most this fraction of its standard error
BETA_TOL = 1e-6
#: β moves (in SEs) below which the one-step rounds end and θ is converged
EARLY_TOL = 1e-3
#: most outer (β, θ) rounds
MAX_ROUNDS = 50


def _gls(problem: MixedProblem, theta: np.ndarray, solver: str) -> RemlResult:
    """Everything at θ with the fixed effects estimated by GLS: β̂(θ), Var(β̂) = (X'V⁻¹X)⁻¹,
    BLUPs, PEVs, C's factor (one evaluation of the full mixed model equations)."""
    from asr_py.reml.ai import fit_reml

    fixed = replace(problem, theta0=np.asarray(theta, dtype=float).copy(),
                    constraints=["F"] * problem.n_theta, random=list(problem.random))
    return fit_reml(fixed, maxit=1, solver=solver)


def fit_ml(problem: MixedProblem, *, maxit: int = 30, solver: str = "auto",
           callback: Callable[[dict], None] | None = None) -> RemlResult:
    """Maximum-likelihood fit of ``problem`` (see the module docstring). ``maxit`` bounds
    the AI iterations of all θ-steps together; the result's ``loglik`` is ℓ_ML (lme4's
    ``logLik(REML = FALSE)``), ``method`` is 'ML'. Non-convergence of the last θ-step or of
    the outer loop is reported in ``diagnostics`` with ``converged=False``."""
    from asr_py.reml.ai import fit_reml
    from asr_py.reml.centering import _ols

    y = np.asarray(problem.y, dtype=float).ravel()
    x = problem.X
    n, p = y.size, x.shape[1]
    beta = _ols(sp.csc_matrix(x), y) if p else np.zeros(0)
    theta = np.asarray(problem.theta0, dtype=float).copy()
    empty = sp.csc_matrix((n, 0))
    history: list[dict] = []
    n_iter, rounds = 0, 0
    sub: RemlResult | None = None
    gls: RemlResult | None = None
    converged_outer = False
    early = p > 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        ystar = y - np.asarray(x @ beta).ravel() if p else y
        part = replace(problem, y=ystar, X=empty, x_names=[], theta0=theta,
                       random=list(problem.random))
        # while β still moves, one AI step per round: the θ-score of the p = 0 problem at
        # β̂(θ) is the score of the profile likelihood ℓ_ML(β̂(θ), θ) (envelope theorem), so
        # these rounds are AI steps on the profile (β-θ information is zero in expectation)
        # and converge as AI-REML does; the last θ-step runs to convergence
        steps = 1 if early else max(maxit - n_iter, 0)
        sub = fit_reml(part, maxit=min(steps, max(maxit - n_iter, 0)), solver=solver,
                       callback=callback)
        for h in sub.history:
            history.append({**h, "iteration": len(history), "round": rounds})
        n_iter += sub.n_iter
        theta = np.asarray(sub.theta, dtype=float).copy()
        if p == 0:
            converged_outer = True
            break
        gls = _gls(problem, theta, solver)
        se = np.sqrt(np.clip(np.diag(gls.vcov_beta), 1e-300, None))
        moved = float(np.max(np.abs(gls.beta - beta) / se))
        beta = np.asarray(gls.beta, dtype=float).copy()
        if early and moved <= EARLY_TOL:
            early = False
            continue
        if moved <= BETA_TOL and sub.converged:
            converged_outer = True
            break
        if n_iter >= maxit:
            break
    assert sub is not None
    # ℓ_ML at (β̂(θ̂), θ̂)
    loglik = ml_loglik(problem, theta, beta, solver=solver)
    full = gls if gls is not None else sub
    diagnostics = list(sub.diagnostics)
    if not converged_outer:
        diagnostics.append(
            f"did not converge in {n_iter} AI iterations (maxit={maxit}) over {rounds} "
            "rounds of (GLS beta, AI theta) steps; returned the last estimates (increase "
            "maxit)")
    return RemlResult(
        theta=theta, names=list(sub.names), constraints=list(sub.constraints),
        loglik=loglik, converged=bool(sub.converged and converged_outer),
        n_iter=n_iter, history=history, score=sub.score, ai=sub.ai,
        vcov_theta=sub.vcov_theta, boundary=sub.boundary, beta=full.beta if p else beta,
        u=full.u, fitted=full.fitted, residuals=full.residuals, n_minus_p=n - p,
        vcov_beta=full.vcov_beta if p else np.zeros((0, 0)), pev=full.pev,
        diagnostics=diagnostics, solver=full.solver, factor=full.factor,
        u_offsets=list(full.u_offsets), method="ML",
    )


def ml_loglik(problem: MixedProblem, theta: Any, beta: Any, *, solver: str = "auto") -> float:
    """ℓ_ML(β, θ) (for checks): the p = 0 REML log-likelihood of y − Xβ at θ."""
    from asr_py.reml.ai import loglik_at

    y = np.asarray(problem.y, dtype=float).ravel()
    ystar = y - np.asarray(problem.X @ np.asarray(beta, dtype=float)).ravel()
    part = replace(problem, y=ystar, X=sp.csc_matrix((y.size, 0)), x_names=[],
                   random=list(problem.random))
    return float(loglik_at(part, np.asarray(theta, dtype=float), solver=solver))


__all__ = ["fit_ml", "ml_loglik"]
