"""The final pass of an AI-REML fit: standard errors, boundary reports, BLUPs, PEVs and
Var(β̂) gathered into a :class:`RemlResult`."""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

from asr_py.reml.indefinite import negative_levels  # issue 11 'U'
from asr_py.reml.iter_context import IterContext
from asr_py.reml.mme import MME, MMEState
from asr_py.reml.pd_face import (
    FaceStep,
    face_indices,
    face_vcov,
)
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import Deferred, RemlResult
from asr_py.reml.tuning import EIG_TOL

#: the iteration-time singularity message, up to its (then false) verdict on the model
SING_EARLY = re.compile(r"^(Singularity in Average Information matrix at iteration \d+): "
                         r"some parameters are not identifiable.*$")


def build_result(problem: MixedProblem, mme: MME, st: MMEState, score: np.ndarray,
                  ai: np.ndarray, fixed: np.ndarray, boundary: np.ndarray, converged: bool,
                  it: int, history: list[dict], diagnostics: list[str], cons: list[str],
                  ctx: IterContext, face: FaceStep | None = None) -> RemlResult:
    nt = problem.n_theta
    free = ~fixed & ~boundary
    ai_out = ai.copy()
    ai_out[~free, :] = np.nan
    ai_out[:, ~free] = np.nan
    vc = np.full((nt, nt), np.nan)
    fi = np.flatnonzero(free)
    face_idx = face_indices(face) if face is not None else np.zeros(0, dtype=int)
    fvc = face_vcov(face, EIG_TOL) if face is not None else None  # issue 11: J H⁻¹ J'
    if fvc is not None:
        vc[np.ix_(fi, fi)] = fvc[np.ix_(fi, fi)]
    elif face is not None:
        diagnostics.append(
            "Singularity in the information matrix on the positive-definite boundary: "
            "standard errors of the variance parameters are not available")
    if fi.size and face is None:
        sub = ai[np.ix_(fi, fi)]
        d = np.diag(sub)
        w = None
        if np.all(np.isfinite(sub)) and np.all(d > 0):
            r = 1.0 / np.sqrt(d)
            w = np.linalg.eigvalsh(sub * r[:, None] * r[None, :])
        if w is not None and w[0] > EIG_TOL * max(abs(w[-1]), 1e-300):
            vc[np.ix_(fi, fi)] = np.linalg.inv(sub)
        else:
            msg = ("Singularity in Average Information matrix at the final estimates: "
                   "standard errors of the variance parameters are not available")
            if msg not in diagnostics:
                diagnostics.append(msg)
    final_ok = (fvc is not None) if face is not None else bool(np.all(np.isfinite(
        vc[np.ix_(fi, fi)])))
    if converged and final_ok:  # an early singular AI matrix is no verdict on the model
        diagnostics[:] = [SING_EARLY.sub(r"\1 (a damped AI / EM step was taken); it is "
                                          "not singular at the final estimates", m)
                          for m in diagnostics]
    out_cons = list(cons)
    for k in np.flatnonzero(boundary):
        out_cons[k] = "B"
        where, value = _bound_of(ctx, k, st.theta[k])
        if converged:  # held with a non-negative multiplier at the optimum: it is at zero
            advice = ("consider removing the term or fixing it" if where == "boundary" else
                      "the likelihood increases towards the bound")
            diagnostics.append(
                f"parameter {problem.names[k]!r} is held at its {where} ({st.theta[k]:.3g}); "
                f"the data support a value of {value} ({advice})")
        else:
            diagnostics.append(
                f"parameter {problem.names[k]!r} is held at its {where} ({st.theta[k]:.3g}) "
                f"at the last iterate; the fit did not converge, so an optimum at {value} is "
                "not established")
    p = mme.p
    beta = st.sol[:p].copy()
    us, pevs = [], []
    pat_diag = sp.identity(mme.N, format="csc")
    diag_inv = st.factor.inverse_on(pat_diag).diagonal() if mme.N > p else np.zeros(mme.N)
    for j, b in enumerate(problem.random):
        o = mme.u_offsets[j]
        us.append(st.sol[o:o + b.template.n].copy())
        pevs.append(np.asarray(diag_inv[o:o + b.template.n]).copy())
    for j, neg in negative_levels(problem, st.theta).items():  # issue 11 'U': G_j not PD
        pevs[j] = np.where(neg, np.nan, pevs[j])
        which = ("its BLUPs are given without prediction error variances" if neg.all() else
                 f"the BLUPs of its {int(neg.sum())} levels with a negative variance are given "
                 "without prediction error variances")
        diagnostics.append(
            f"the covariance matrix of {problem.random[j].name} is not positive definite (a "
            f"variance with constraint 'U' is below zero; V is positive definite): {which}")
    fitted = mme.w_times(st.sol)
    # Var(β̂) when first asked for (the factor, kept in the result, reads it from its
    # selected inverse then, with the same digits)
    fac = st.factor
    vbeta = Deferred(lambda: fac.inverse_block(np.arange(p))) if p else np.zeros((0, 0))
    return RemlResult(
        theta=st.theta.copy(), names=list(problem.names), constraints=out_cons,
        loglik=st.loglik, converged=converged, n_iter=it, history=history,
        score=score.copy(), ai=ai_out, vcov_theta=vc, boundary=boundary.copy(), beta=beta,
        u=us, fitted=fitted, residuals=mme.y - fitted, n_minus_p=mme.n - p,
        vcov_beta=vbeta, pev=pevs, diagnostics=diagnostics, solver=mme.backend or "dense",
        factor=st.factor, u_offsets=list(mme.u_offsets),
        face_idx=face_idx if fvc is not None else np.zeros(0, dtype=int),
        face_dims=[(f.block.name, int(np.size(f.block.idx)), f.n_free)
                   for f in (face.faces if face is not None else [])],
    )


def _bound_of(ctx: IterContext, k: int, value: float) -> tuple[str, str]:
    """(which bound, its value in words) of parameter k held on a bound at ``value``: a
    variance's boundary is zero; another parameter is on its nearer template bound."""
    if ctx.kinds[k] == "variance":
        return "boundary", "zero"
    lo, hi = float(ctx.lower[k]), float(ctx.upper[k])
    if ctx.cons[k] == "P":
        lo = max(lo, 0.0)
    if np.isfinite(lo) and (not np.isfinite(hi) or abs(value - lo) <= abs(hi - value)):
        return "lower bound", "zero" if lo == 0 else f"{lo:g}"
    return "upper bound", f"{hi:g}"
