"""Linear constraints among variance parameters (ASReml-R 4's ``vcm``): θ = c + M φ.

The free parameters φ (one per column of M) are estimated; M maps them onto the variance
parameters θ (a row per θ: equal variances across terms share a column with coefficient 1,
a fixed ratio θ_2 = r θ_1 puts r in θ_2's row of θ_1's column); c holds the 'F' (fixed)
parameters, whose rows of M are zero. By the chain rule the AI-REML quantities of φ are

    s_φ = M' s_θ,    AI_φ = M' AI_θ M,

and the iteration is AI-REML on φ (Newton steps δ = AI_φ⁻¹ s_φ with step halving, damped
when AI_φ is singular): a φ whose θ are all 'P' variances with positive coefficients is
kept >= 0 and held at the boundary when the step pushes it out with a negative score
(an active set, reported as the engine reports boundaries). Converged when the full step
changes ℓ by <= ``TOL_LL`` x max(1, n − p) (absolute, unit-free:
:mod:`asr_py.reml.tolerance`) and φ by <= ``TOL_PARAM`` (relative, measured absolutely below
``CHANGE_FLOOR`` x its start scale), or when the next step predicts a gain
and a change 100 x below those.
Var(θ̂) = M AI_φ⁻¹ M'. The final β̂, BLUPs, PEVs and C's factor come from one evaluation of
the mixed model equations at θ̂ (:func:`asr_py.reml.fit_reml` with every θ fixed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from asr_py.errors import ModelError
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.reml.tolerance import dof_scale, loglik_size
from asr_py.reml.tuning import LL_SLACK

#: convergence: |Δℓ| and the predicted gain below this x max(1, n − p)
TOL_LL = 1e-9
#: relative change of φ below this (with the ℓ rule) also counts as converged
TOL_PARAM = 1e-7
#: step halvings per iteration
MAX_HALVINGS = 12
#: a held φ sits at this fraction of its start scale
BOUNDARY_REL = 1e-8
#: below this fraction of its start scale a φ's change is measured absolutely
CHANGE_FLOOR = 1e-4


def phi_start(M: np.ndarray, theta0: np.ndarray) -> np.ndarray:
    """φ₀ = the least-squares solution of M φ = θ₀ over the constrained rows."""
    rows = np.any(M != 0, axis=1)
    return np.linalg.lstsq(M[rows], theta0[rows], rcond=None)[0]


def _positive(M: np.ndarray, cons: list[str]) -> np.ndarray:
    """φ_j kept >= 0: every θ it enters is 'P' and enters with a positive coefficient."""
    out = np.zeros(M.shape[1], dtype=bool)
    for j in range(M.shape[1]):
        rows = np.flatnonzero(M[:, j])
        out[j] = rows.size > 0 and all(cons[k] == "P" for k in rows) and bool(
            np.all(M[rows, j] > 0))
    return out


def fit_constrained(problem: MixedProblem, M: np.ndarray, *, maxit: int = 30,
                    solver: str = "auto", callback: Callable[[dict], None] | None = None
                    ) -> RemlResult:
    """AI-REML on φ with θ = c + M φ (see the module docstring). ``M``: n_theta x n_phi,
    zero rows for 'F' parameters. The result is in θ (``free_map`` = M); dependent
    parameters (a θ that shares its φ with an earlier θ) get the constraint code 'C'."""
    from asr_py.reml.ai import fit_reml
    from asr_py.reml.centering import centre_response
    from asr_py.reml.mme import MME

    M = np.asarray(M, dtype=float)
    cons = [str(c).upper() for c in problem.constraints]
    fixed_rows = np.array([c == "F" for c in cons])
    if M.shape[0] != problem.n_theta or np.any(M[fixed_rows] != 0):
        raise ModelError("the constraint matrix needs one row per variance parameter, zero "
                         "for fixed ('F') ones")
    from asr_py.reml.fixed_hold import hold_fixed

    held = hold_fixed(problem)  # wholly fixed structures as known covariances
    if held is not None:
        reduced, back = held
        return back.result(fit_constrained(reduced, M[back.keep], maxit=maxit, solver=solver,
                                           callback=back.callback(callback)))
    c = np.where(fixed_rows, problem.theta0, 0.0)
    pos = _positive(M, cons)
    phi = phi_start(M, np.asarray(problem.theta0, dtype=float))
    scale = np.where(np.abs(phi) > 0, np.abs(phi), 1.0)
    bval = BOUNDARY_REL * scale
    phi = np.where(pos & (phi <= bval), bval, phi)
    temps = [b.template for b in problem.random] + [problem.residual]
    slices = problem.slices()
    mme = MME(centre_response(problem)[0], solver=solver)
    tol = TOL_LL * dof_scale(problem)  # absolute, unit-free

    def theta_of(ph: np.ndarray) -> np.ndarray:
        return c + M @ ph

    def valid(th: np.ndarray) -> bool:
        if any(cc == "P" and v < 0 for cc, v in zip(cons, th)):
            return False
        return all(t.is_valid(th[s]) for t, s in zip(temps, slices))

    def evaluate(ph: np.ndarray):  # noqa: ANN202 - an MMEState or None
        th = theta_of(ph)
        if not valid(th):
            return None
        try:
            return mme.evaluate(th)
        except (np.linalg.LinAlgError, ValueError):
            return None

    st = evaluate(phi)
    if st is None:
        raise ModelError("the starting values are outside the parameter space under the "
                         "constraints: " + problem.describe_invalid(theta_of(phi)),
                         hint="give start values (params=) that satisfy the constraints")
    history: list[dict] = []
    t0 = [time.perf_counter()]

    def record(it: int, method: str, step: float) -> None:
        now = time.perf_counter()
        h = {"iteration": it, "loglik": st.loglik, "theta": st.theta.copy(), "step": step,
             "seconds": now - t0[0], "method": method}
        t0[0] = now
        history.append(h)
        if callback is not None:
            callback(h)

    diagnostics: list[str] = []
    s, a = mme.score_ai(st)
    sp_, ap = M.T @ s, M.T @ a @ M
    record(0, "start", 0.0)
    floor = CHANGE_FLOOR * scale
    held = np.zeros(phi.size, dtype=bool)
    converged, it, sing_noted, last_ok = False, 0, False, False
    while True:
        held = pos & (phi <= bval * (1 + 1e-9)) & (sp_ <= 0)
        free = np.flatnonzero(~held)
        if free.size == 0:
            converged = True
            break
        af = ap[np.ix_(free, free)]
        d = np.sqrt(np.clip(np.diag(af), 1e-300, None))
        hs = af / np.outer(d, d)
        w = np.linalg.eigvalsh(hs)
        singular = w[0] <= 1e-10 * max(abs(w[-1]), 1e-300)
        if singular:
            hs = hs + (abs(w[0]) + 1e-6) * np.eye(free.size)
        delta = np.zeros(phi.size)
        delta[free] = np.linalg.solve(hs, sp_[free] / d) / d
        gain = float(sp_ @ delta - 0.5 * delta @ ap @ delta)
        rel_next = float(np.max(np.abs(delta) / np.maximum(np.abs(phi), floor)))
        if last_ok or (not singular and gain <= 1e-2 * tol and rel_next <= 1e-2 * TOL_PARAM):
            converged = True
            break
        if it >= maxit:
            break
        it += 1
        if singular and not sing_noted:
            diagnostics.append(f"Singularity in the constrained AI matrix at iteration {it}: "
                               "a damped step was taken")
            sing_noted = True
        alpha, new = 1.0, None
        for _ in range(MAX_HALVINGS):
            cand = phi + alpha * delta
            cand = np.where(pos & (cand < bval), bval, cand)  # onto the boundary
            new = evaluate(cand)
            if new is not None and new.loglik >= st.loglik - LL_SLACK * loglik_size(problem):
                break
            new = None
            alpha *= 0.5
        if new is None:
            diagnostics.append(f"iteration {it}: no step along the constrained AI direction "
                               "increased the log-likelihood; stopped with the best "
                               "estimates so far")
            break
        ll_old, phi_old = st.loglik, phi
        st, phi = new, cand
        s, a = mme.score_ai(st)
        sp_, ap = M.T @ s, M.T @ a @ M
        record(it, "AI", alpha)
        rel = float(np.max(np.abs(phi - phi_old) / np.maximum(np.abs(phi_old), floor)))
        last_ok = (alpha == 1.0 and abs(st.loglik - ll_old) <= tol and rel <= TOL_PARAM)
    held = pos & (phi <= bval * (1 + 1e-9)) & (sp_ <= 0)
    if not converged:
        diagnostics.append(f"did not converge in {maxit} iterations under the vcm "
                           "constraints; returned the last estimates (increase maxit)")
    theta = theta_of(phi)
    full = fit_reml(replace(problem, theta0=theta, constraints=["F"] * problem.n_theta,
                            random=list(problem.random)), maxit=1, solver=solver)
    free = np.flatnonzero(~held)
    vc_phi = np.full((phi.size, phi.size), np.nan)
    if free.size:
        af = ap[np.ix_(free, free)]
        try:
            vc_phi[np.ix_(free, free)] = np.linalg.inv(af)
        except np.linalg.LinAlgError:
            diagnostics.append("Singularity in the constrained AI matrix at the final "
                               "estimates: standard errors are not available")
    vc_phi = np.where(np.isfinite(vc_phi), vc_phi, 0.0)
    vcov_theta = M @ vc_phi @ M.T
    unknown = fixed_rows | np.any(M[:, held] != 0, axis=1)  # fixed, or held at a boundary
    vcov_theta[unknown, :] = np.nan
    vcov_theta[:, unknown] = np.nan
    out_cons = list(cons)
    lead: dict[int, int] = {}
    ai_theta = np.full((problem.n_theta, problem.n_theta), np.nan)
    for j in range(phi.size):
        rows = np.flatnonzero(M[:, j])
        if rows.size == 0:
            continue
        lead[j] = int(rows[0])
        for k in rows[1:]:
            out_cons[k] = "C"
        if held[j]:
            out_cons[rows[0]] = "B"
            diagnostics.append(f"parameter {problem.names[rows[0]]!r} (constrained) is held "
                               "at its boundary; the data support a value of zero")
    leads = [lead[j] for j in sorted(lead) if not held[j]]
    js = [j for j in sorted(lead) if not held[j]]
    if leads:
        ai_theta[np.ix_(leads, leads)] = ap[np.ix_(js, js)]
    score_theta = np.zeros(problem.n_theta)
    for j, k in lead.items():
        score_theta[k] = sp_[j]
    return replace(full, theta=theta, constraints=out_cons, loglik=float(st.loglik),
                   converged=converged, n_iter=it, history=history, score=score_theta,
                   ai=ai_theta, vcov_theta=vcov_theta,
                   boundary=np.array([cc == "B" for cc in out_cons]),
                   diagnostics=diagnostics, free_map=M)


__all__ = ["fit_constrained", "phi_start"]
