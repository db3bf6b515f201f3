"""A fit whose correlation matrix is numerically singular: ℓ and its score checked on V.

The mixed model equations hold G⁻¹ (and R⁻¹). A gaussian correlation C_ij = φ^(d_ij²)
(gau, igau, agau) over close points has eigenvalues down to ~1e-16 x its largest long
before φ reaches 1 (80 points in a 3 x 3 field: condition number 2e9 at φ = 0.35, 1e13 at
0.56, C not positive definite in double beyond 0.7). With condition number κ the equations
lose about log10 κ digits: ℓ was 1.2e-4 off at κ = 2e9 and 0.29 off at κ = 6e12, its
score's sign wrong, and points past the Cholesky failure cannot be evaluated at all, so the
AI iteration stops at a false optimum of the rounded ℓ ("neither an AI nor an EM step
increased the log-likelihood") while V = ZGZ' + R itself stays well conditioned (the
nugget R).

:func:`check` runs after the fit when a leaf template with a correlation parameter has
κ > KAPPA_CHECK at the estimates: on V formed densely (n <= DENSE_MAX records), with
P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹ and V̇_k = Z Ġ_k Z' (or Ṙ_k),

    ℓ = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py],
    s_k = −½ tr(P V̇_k) + ½ y'P V̇_k P y,   AI_kl = ½ y'P V̇_k P V̇_l P y,

and the fit is reported unconverged, with a diagnostic naming the structure and κ, when
ℓ differs from the equations' by more than the tolerance or the Newton step on V predicts
a gain ½ s'AI⁻¹s above it (over the free parameters). Nothing is changed otherwise.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.linalg as sla

from asr_py.reml.dense_v import DENSE_MAX, as_result, evaluate, maximise
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.vcov.base import CovTemplate, to_dense

#: a leaf correlation matrix with condition number above this triggers the check (the
#: equations keep fewer than ~8 of double's 16 digits of its inverse)
KAPPA_CHECK = 1e8
#: leaf matrices of at most this order are examined
LEAF_MAX = 2500
#: the equations' verdicts a continuation on V replaces
STALE = ("neither an AI nor an EM", "did not converge in", "is numerically singular at the "
         "estimates")
#: ℓ differences and predicted gains below this x the fit's ℓ tolerance are accepted
CHECK_SLACK = 10.0


def _leaves(problem: MixedProblem) -> list[tuple[str, CovTemplate, int]]:
    """(block name, leaf template, offset of its first parameter in θ) of every random
    block and of the residual."""
    out = []
    for b in problem.random:
        out += [(b.name, lf, b.offset + off) for lf, off in b.template.leaves()]
    out += [("residual", lf, problem.residual_offset + off)
            for lf, off in problem.residual.leaves()]
    return out


def ill_conditioned(problem: MixedProblem, theta: np.ndarray) -> list[tuple[str, float]]:
    """(name, condition number) of the metric leaf templates (those over level coordinates,
    ``coords``: exp, gau, iexp, igau, agau, sph, mtrn, ... and their v/h variants) whose
    correlation matrix D^-½ Σ D^-½ at ``theta`` (D = diag Σ, over the levels with a
    positive variance) has κ > KAPPA_CHECK (inf: not positive definite in double)."""
    out = []
    for block, leaf, off in _leaves(problem):
        if getattr(leaf, "coords", None) is None or not 1 < leaf.n <= LEAF_MAX:
            continue
        th = np.asarray(theta[off:off + leaf.n_params], dtype=float)
        try:
            m = np.asarray(to_dense(leaf.matrix(th)), dtype=float)
        except (np.linalg.LinAlgError, ValueError):
            continue
        d = np.diag(m).copy()
        keep = d > 0
        if keep.sum() < 2:
            continue
        r = 1.0 / np.sqrt(d[keep])
        kappa = _condition(m[np.ix_(keep, keep)] * r[:, None] * r[None, :])
        if kappa > KAPPA_CHECK:
            out.append((leaf.name or block, kappa))
    return out


def _condition(c: np.ndarray) -> float:
    """κ₁(c) of a symmetric matrix from its Cholesky factor (LAPACK potrf + pocon, a
    third of an eigendecomposition's cost); inf when the factorization fails."""
    factor, info = sla.lapack.dpotrf(c, lower=1)
    if info != 0:
        return np.inf
    rcond, info = sla.lapack.dpocon(factor, float(np.abs(c).sum(axis=0).max()), uplo="L")
    return float(1.0 / rcond) if info == 0 and rcond > 0 else np.inf


def _free(problem: MixedProblem, res: RemlResult) -> np.ndarray:
    """The parameters V's iteration moves: all but the fixed ('F') ones and the variances
    held on their boundary (a correlation held 'B' inside its bounds, where the equations
    could not evaluate the way on, is freed)."""
    cons = np.array([str(c).upper() for c in res.constraints])
    held = (cons == "B") | np.asarray(res.boundary, dtype=bool)
    kinds = problem.param_map.kinds if problem.param_map is not None else []
    corr = np.array([k == "correlation" for k in kinds], dtype=bool)
    if corr.size != cons.size:
        corr = np.zeros(cons.size, dtype=bool)
    return (cons != "F") & (~held | corr)


def check(problem: MixedProblem, res: RemlResult, tol: float) -> RemlResult:
    """``res`` as it is when no leaf correlation matrix is numerically singular at the
    estimates or V confirms ℓ and the optimum there; else the fit continued on V
    (:func:`asr_py.reml.dense_v.maximise`) with its estimates, ℓ, BLUPs and C⁻¹ from V and a
    diagnostic saying so; a diagnostic only when V is too large to form (``tol``: the
    fit's absolute ℓ tolerance; ``res`` is changed in place)."""
    bad = ill_conditioned(problem, np.asarray(res.theta, dtype=float))
    if not bad:
        return res
    what = ", ".join(f"{nm!r} (condition number {k:.1g})" if np.isfinite(k) else
                     f"{nm!r} (not positive definite in double)" for nm, k in bad)
    kmin = min(k for _, k in bad)
    lost = min(16, int(np.log10(kmin))) if np.isfinite(kmin) else 16
    head = (f"the correlation matrix of {what} is numerically singular at the estimates "
            f"(the mixed model equations lose about {lost} digits of its inverse)")
    hint = ("close points correlated near 1 do this: a gaussian correlation (gau, igau, "
            "agau) or a φ at its upper end")
    start = evaluate(problem, np.asarray(res.theta, dtype=float))
    if start is None:
        res.diagnostics.append(f"{head}; ℓ and the estimates were not checked on V (more than "
                               f"{DENSE_MAX} records, or V not positive definite): {hint}")
        return res
    free = _free(problem, res)
    gain = 0.0
    if free.any():
        s = start.score[free]
        try:
            gain = 0.5 * float(s @ np.linalg.solve(start.ai[np.ix_(free, free)], s))
        except np.linalg.LinAlgError:
            gain = np.inf
    if abs(start.loglik - res.loglik) <= CHECK_SLACK * tol and gain <= CHECK_SLACK * tol:
        return res
    pt, conv, rows, held = maximise(problem, start, free, tol)
    p = start.beta.size
    offsets = list(np.cumsum([p] + [b.template.n for b in problem.random])[:-1])
    if res.u_offsets and list(res.u_offsets) != offsets:  # C laid out otherwise: only say
        res.converged = False
        res.diagnostics.append(
            f"{head}: on V ℓ is {start.loglik:.6f} at the estimates (the equations' "
            f"{res.loglik:.6f}) and a Newton step predicts a gain of {gain:.3g}; not "
            f"converged ({hint})")
        return res
    freed = [k for k in np.flatnonzero(free)
             if str(res.constraints[k]).upper() == "B" or bool(res.boundary[k])]
    for k in freed:
        res.constraints[k] = str(problem.constraints[k])
        res.boundary[k] = False
        res.diagnostics[:] = [m for m in res.diagnostics
                              if f"{problem.names[k]!r} is held" not in m]
    res.diagnostics[:] = [m for m in res.diagnostics if not any(w in m for w in STALE)]
    note = (f"{head}: ℓ there was {res.loglik:.6f} by the equations, {start.loglik:.6f} on V "
            "formed directly (V = ZGZ' + R, no G⁻¹); the fit continued on V for "
            f"{len(rows)} AI steps to ℓ {pt.loglik:.6f}, and the estimates, BLUPs, their "
            "error variances and Var(β̂) are V's"
            + ("" if conv else " (not converged: ℓ still rises, e.g. along φ → 1 with the "
               "variance growing; the optimum may be at the limit)")
            + f"; {hint}")
    return as_result(problem, res, pt, free, conv, rows, note, held)


def fit_on_v(problem: MixedProblem, res: RemlResult, theta0: np.ndarray, tol: float,
             where: str = "the second fit's start") -> RemlResult | None:
    """A second fit from ``theta0`` on V (:func:`asr_py.reml.dense_v.maximise`, every
    parameter but the fixed ones free) when a metric correlation matrix is numerically
    singular there, so the equations cannot start from it; a new result built on ``res``'s
    layout (``res`` is not changed), or None when the correlations are well conditioned
    at ``theta0`` or V cannot be formed there."""
    theta0 = np.asarray(theta0, dtype=float)
    bad = ill_conditioned(problem, theta0)
    if not bad:
        return None
    start = evaluate(problem, theta0)
    if start is None:
        return None
    p = start.beta.size
    offsets = list(np.cumsum([p] + [b.template.n for b in problem.random])[:-1])
    if res.u_offsets and list(res.u_offsets) != offsets:
        return None
    cons = [str(c).upper() for c in problem.constraints]
    free = np.array([c != "F" for c in cons], dtype=bool)
    pt, conv, rows, held = maximise(problem, start, free, tol)
    out = replace(res, history=list(res.history), diagnostics=[],
                  constraints=[str(c) for c in problem.constraints],
                  boundary=np.zeros(len(cons), dtype=bool), n_iter=0)
    names = ", ".join(repr(nm) for nm, _ in bad)
    note = (f"the correlation matrix of {names} is numerically singular at {where}, "
            "where the mixed model equations cannot be formed: the fit was "
            f"made on V formed directly (V = ZGZ' + R, no G⁻¹), {len(rows)} AI steps to ℓ "
            f"{pt.loglik:.6f}" + ("" if conv else " (not converged)"))
    return as_result(problem, out, pt, free, conv, rows, note, held)


def start_on_v(problem: MixedProblem, tol: float) -> RemlResult | None:
    """The whole fit on V from ``problem.theta0`` when a metric correlation matrix is
    numerically singular there (the equations cannot start: a gaussian φ₀ over points
    0.01 apart); None otherwise or when V cannot be formed there."""
    from asr_py.reml.dense_v import blank_result

    theta0 = np.asarray(problem.theta0, dtype=float)
    if not ill_conditioned(problem, theta0):
        return None
    return fit_on_v(problem, blank_result(problem), theta0, tol, "the start values")


__all__ = ["KAPPA_CHECK", "check", "fit_on_v", "ill_conditioned", "start_on_v"]
