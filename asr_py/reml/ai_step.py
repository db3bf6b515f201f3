"""One AI-REML iteration's step: the active-set Newton step on the quadratic model, the
line search that keeps θ valid, and the hooks to Newton steps on a PD face (pd_face.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asr_py.reml.bounds import at_lower, at_upper, held_values
from asr_py.reml.face_fd import (
    checked,
    collapsed,
    collapsing,
    zero_confirmed,
)
from asr_py.reml.face_ridge import ridge_gap
from asr_py.reml.iter_context import IterContext
from asr_py.reml.mme import MME, MMEState
from asr_py.reml.orphan_corr import orphaned
from asr_py.reml.pd_blocks import PDBlock
from asr_py.reml.pd_face import (
    FACE_RIDGE,
    FINAL_RIDGE,
    FaceStep,
    face_step,
    near_face,
)
from asr_py.reml.pd_face import reridge as face_reridge
from asr_py.reml.pd_face import search as face_search
from asr_py.reml.qp import active_set_qp, scaled_information
from asr_py.reml.tolerance import loglik_size
from asr_py.reml.tuning import DEC_TOL, LL_SLACK, MAX_HALVINGS, PD_MAX_FLOOR, SHRINK


@dataclass
class AIStep:
    """The step of one iteration: δ over all θ (zero for fixed and held parameters)."""

    delta: np.ndarray
    held: np.ndarray  # bounded parameters held on a bound (δ_k = 0; reml/bounds.py)
    clipped: np.ndarray  # bounded parameters this step puts on a bound
    pd_held: list[PDBlock]  # covariance matrices held on the PD boundary
    gain: float  # predicted increase of ℓ, s'δ − ½ δ'AIδ
    singular: bool


def ai_step(ctx: IterContext, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
          fixed: np.ndarray) -> AIStep:
    """The active-set AI step at θ: the maximiser of the quadratic model
    s'δ − ½δ'AIδ over the free parameters subject to lo_k ≤ θ_k + δ_k ≤ hi_k for bounded
    parameters (the values held on their bounds, :func:`asr_py.reml.bounds.held_values`:
    b for 'P' variances, just inside the bound for correlations, ...) and, for each
    near-singular direction v of a PD block's correlation matrix, v'(Σ_k δ_k E_k)v ≥ 0 (its
    smallest eigenvalue may not decrease, to first order). Solved in the scaled coordinates
    x = D^{½}δ, D = diag(AI), so the step does not depend on the units of the parameters.
    Parameters on a bound whose bound is active (ℓ increases outwards) are held there; the
    others with an active bound are put on it (clipped) by this step.
    """
    nt = theta.size
    fixed = fixed | orphaned(ctx, theta, score, fixed)  # held variances' correlations
    idx = np.flatnonzero(~fixed)
    if idx.size == 0:
        z = np.zeros(nt, dtype=bool)
        return AIStep(np.zeros(nt), z, z.copy(), [], 0.0, False)
    rows, owners, curv = [], [], []
    for b in ctx.pd:
        se = b.scaled_eig(b.matrix(theta))
        if se is None:
            continue
        mu, w, d = se
        f = b.floor(d)
        if f > PD_MAX_FLOOR:
            continue  # variances too disparate to resolve the boundary: left to validity
        sd = 1.0 / np.sqrt(d)
        et = b.E * sd[None, :, None] * sd[None, None, :]  # derivatives of D^{-½}MD^{-½}
        for i in np.flatnonzero(mu <= 2.0 * f):
            a = np.zeros(nt)
            a[b.idx] = np.einsum("i,kij,j->k", w[:, i], et, w[:, i])
            # Hessian of the eigenvalue μ_i(θ): 2 Σ_{j≠i} (w_i'Ẽ_k w_j)(w_j'Ẽ_l w_i)/(μ_i − μ_j)
            c = np.einsum("i,kij,jm->km", w[:, i], et, w)
            o = mu > 2.0 * f  # (the other near-zero eigenvalues are constrained too)
            hc = np.zeros((nt, nt))
            hc[np.ix_(b.idx, b.idx)] = 2.0 * (c[:, o] / (mu[i] - mu[o])) @ c[:, o].T
            rows.append(a)
            owners.append(b)
            curv.append(hc)
    ai_m = ai
    if rows:
        # SQP: the model's Hessian is that of the Lagrangian, AI − Σ_i m_i ∇²μ_i, with the
        # multipliers m_i ≥ 0 estimated from s + Σ_i m_i ∇μ_i ≈ 0 (least squares)
        am = np.array(rows)[:, idx]
        m = np.linalg.lstsq(am.T, -score[idx], rcond=None)[0]
        ai_m = ai.copy()
        for mi, hc in zip(m, curv):
            if mi > 0:
                ai_m -= mi * hc
    # one-sided bounds (reml/bounds.py): θ_k + δ_k between the values held on its bounds
    lo, hi = held_values(ctx, theta)
    at = at_lower(theta, lo) | at_upper(theta, hi)
    hs, r, singular = scaled_information(ai_m, idx, at[idx])
    gs = score[idx] * r
    th = theta[idx]
    with np.errstate(invalid="ignore"):
        lb = np.where(np.isfinite(lo[idx]), (np.minimum(lo[idx], th) - th) / r, -np.inf)
        ub = np.where(np.isfinite(hi[idx]), (np.maximum(hi[idx], th) - th) / r, np.inf)
    rm = np.array([a[idx] * r for a in rows]) if rows else np.zeros((0, idx.size))
    x, wb, wr = active_set_qp(hs, gs, lb, rm, ub)
    delta = np.zeros(nt)
    delta[idx] = x * r
    held = np.zeros(nt, dtype=bool)
    clipped = np.zeros(nt, dtype=bool)
    for j, k in enumerate(idx):
        if wb[j]:
            if at[k]:
                held[k] = True
                delta[k] = 0.0
            else:
                clipped[k] = True
    gain = float(score @ delta - 0.5 * delta @ ai_m @ delta)
    pd_held: list[PDBlock] = []
    for b, on in zip(owners, wr):
        if on and not any(b is h for h in pd_held):
            pd_held.append(b)
    return AIStep(delta, held, clipped, pd_held, gain, singular)


def tied_to_bound(ctx: IterContext, theta: np.ndarray, score: np.ndarray,
                   fixed: np.ndarray) -> np.ndarray:
    """The free non-variance parameters (correlations, covariances, loadings, ...) of every
    template with a 'P' variance at its boundary value whose score is positive (ℓ increases
    away from the boundary): at such a variance they have (almost) no information."""
    out = np.zeros(theta.size, dtype=bool)
    at = ctx.at_bound(theta) & (score > 0) & ~fixed
    for s in ctx.slices:
        k = np.arange(theta.size)[s]
        if not any(at[j] and ctx.kinds[j] == "variance" for j in k):
            continue
        for j in k:
            if not fixed[j] and ctx.kinds[j] != "variance":
                out[j] = True
    return out



def line_search(mme: MME, ctx: IterContext, st: MMEState, theta: np.ndarray, delta: np.ndarray,
                 clipped: np.ndarray, floors: list[float], halvings: int = MAX_HALVINGS
                 ) -> tuple[MMEState | None, float, np.ndarray | None]:
    """Try θ + αδ for α = 1, ½, ¼, ... (``halvings`` times halved); accept the first valid
    point that does not lower ℓ.

    Projections keep the trial point inside: a 'P' parameter goes no lower than
    max(θ_k·SHRINK, boundary value) unless this step clips it to the boundary value
    (exactly at α = 1); a PD block whose correlation matrix would get an eigenvalue below its
    floor has those eigenvalues lifted to the floor (:meth:`PDBlock.project`). With
    ``ctx.corr_var`` set (the second fit of reml/corr_escape.py), a variance of a template
    with free correlations that α = 1 clips onto its bound is also tried at θ_k·SHRINK and
    the better point kept: on the bound its correlations lose their information, and a jump
    there from far inside can end the fit on that face (a corgh optimum with r = 1 beside a
    zero variance was left 2.19 below).
    """
    alpha = 1.0
    lo, hi = held_values(ctx, theta)
    slack = LL_SLACK * loglik_size(mme.problem)  # units-free (tolerance.py)
    move = delta != 0
    pk = ctx.pmask & move & ~clipped
    for _ in range(halvings + 1):
        cand = theta + alpha * delta
        low = pk & (cand < theta * SHRINK)
        cand[low] = np.maximum(theta[low] * SHRINK, ctx.bval[low])
        if alpha == 1.0:  # exactly onto the value held on the bound it reaches
            cand[clipped] = np.where(cand[clipped] <= theta[clipped], lo[clipped],
                                     hi[clipped])
            # a residual variance beside random terms approaches its bound in steps of at
            # most SHRINK: on the bound its correlations lose their information, and a jump
            # there from far inside can end the fit at a dead end (Fransen_2022's Mg)
            gentle = clipped & ctx.resid_var & (theta * SHRINK > lo)
            cand[gentle] = theta[gentle] * SHRINK
        for b, f in zip(ctx.pd, floors):
            if move[b.idx].any():
                pr = b.project(cand, f)
                if pr is not None:
                    cand = pr
        new = evaluate_valid(mme, ctx, cand)
        if alpha == 1.0:
            soft = clipped & ctx.corr_var & (cand < theta) & (theta * SHRINK > lo)
            if soft.any():
                alt = cand.copy()
                alt[soft] = theta[soft] * SHRINK
                other = evaluate_valid(mme, ctx, alt)
                if other is not None and (new is None or other.loglik > new.loglik):
                    new, cand = other, alt
        if new is not None and new.loglik >= st.loglik - slack:
            return new, alpha, cand
        alpha *= 0.5
    return None, 0.0, None


def evaluate_valid(mme: MME, ctx: IterContext, cand: np.ndarray) -> MMEState | None:
    """The MME state at ``cand``, or None where θ is invalid or C cannot be factorized."""
    if not ctx.valid(cand):
        return None
    try:
        return mme.evaluate(cand)
    except (np.linalg.LinAlgError, ValueError):
        return None


# --- issue 11 hook: Newton steps on the PD face (asr_py/reml/pd_face.py) ---
def next_face_step(ctx: IterContext, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
               fixed: np.ndarray, nstep: AIStep, tol: float) -> FaceStep | None:
    """The Newton step on the face of every linear PD block with a correlation-scale
    eigenvalue below pd_face.RANK_TOL for which a higher rank does not gain (None if none);
    ``tol``: the absolute ℓ tolerance (:mod:`asr_py.reml.tolerance`)."""
    blocks = near_face(ctx.pd, theta)
    if not blocks:
        return None
    gain_tol = DEC_TOL * tol
    step = face_step(theta, score, ai, blocks, ~fixed & ~nstep.held, FACE_RIDGE, gain_tol)
    if step is None or any(step.rank_up):
        keep = [f.block for f, up in zip(step.faces, step.rank_up) if not up] if step else []
        if not keep or len(keep) == len(blocks):
            return None
        step = face_step(theta, score, ai, keep, ~fixed & ~nstep.held, FACE_RIDGE, gain_tol)
        if step is None or any(step.rank_up):
            return None
    return step


def face_line_search(mme: MME, ctx: IterContext, st: MMEState, step: FaceStep
                     ) -> tuple[MMEState | None, float, np.ndarray | None]:
    """The face step's line search (pd_face.search); s30face: where it fails, the step with
    its gradient read from ℓ (face_fd.checked) searched instead when that differs (its
    δφ, H and predicted gain then replace ``step``'s); and where the step heads for L = 0
    (:func:`asr_py.reml.face_fd.collapsing`), the faces' matrices shrunk to COLLAPSE x
    themselves (:func:`asr_py.reml.face_fd.collapsed`) when ℓ is higher there."""
    slack = LL_SLACK * loglik_size(mme.problem)
    got = face_search(step, mme.evaluate, ctx.valid, st.loglik, FACE_RIDGE, slack, MAX_HALVINGS)
    if got[0] is None and ctx.loglik_of is not None and covariance_faces(step):
        fd = checked(step, ctx.loglik_of, FACE_RIDGE, ctx.loglik_noise)
        if fd is not step:
            step.dphi, step.gain, step.g, step.H = fd.dphi, fd.gain, fd.g, fd.H
            got = face_search(step, mme.evaluate, ctx.valid, st.loglik, FACE_RIDGE, slack,
                              MAX_HALVINGS)
    if collapsing(step):
        th = collapsed(step, FACE_RIDGE)
        new = evaluate_valid(mme, ctx, th)
        if new is not None and new.loglik >= (st.loglik - slack if got[0] is None
                                              else got[0].loglik):
            ix = np.concatenate([np.asarray(f.block.idx) for f in step.faces])
            ctx.collapsed = (th.copy(), (ix, step.theta0[ix].copy()))
            return new, 1.0, th
    return got




def covariance_faces(step: FaceStep) -> bool:
    """s30face: every face of ``step`` is a covariance matrix's (M = LL' + c Diag(LL')); the
    s30face rules (ℓ-read gradients, off_face, collapse, polish, ridge gap) are for those
    only: a correlation matrix's face (unit rows, pd_face_corr.py) keeps its own."""
    return all(not f.block.corr for f in step.faces)


def off_face(mme: MME, ctx: IterContext, st: MMEState, theta: np.ndarray, nstep: AIStep,
             step: FaceStep, floors: list[float], on: MMEState | None
             ) -> tuple[MMEState, float, np.ndarray] | None:
    """s30face: the AI step, as :func:`line_search` takes it, when it is not held on the
    PD boundary of the face's blocks (its quadratic model leaves the face inwards) and
    reaches a higher ℓ than the face step's point ``on`` (None: the face step failed);
    else None. The normal-cone test (:func:`asr_py.reml.pd_face._rank_up`) reads only
    first-order gains out of the face: with x far from 0 the us(2) of
    str(~ g + g:x, ~ us(2):id(g)) has an interior optimum (its correlation 0.997) while
    every face point on the way passes that test, and the face steps, Newton steps in L
    far from the face's optimum, each gained ~1 where the AI step gained ~10 (lme4 fuzz
    d101: 28 face iterations, unconverged at maxit)."""
    held = {id(b) for b in nstep.pd_held}
    if on is None or not covariance_faces(step) or any(id(f.block) in held for f in step.faces):
        return None
    got = line_search(mme, ctx, st, theta, nstep.delta, nstep.clipped, floors)
    return got if got[0] is not None and got[0].loglik > on.loglik else None

def face_finish(mme: MME, ctx: IterContext, st: MMEState, theta: np.ndarray, step: FaceStep,
                tol: float) -> tuple[MMEState, np.ndarray, float]:
    """The reported point of a fit converged on a face, and what the faces' ridge still
    costs there (:func:`asr_py.reml.face_ridge.ridge_gap`; ``tol``: the absolute ℓ
    tolerance): of θ and (s30face) θ after the face's last, predicted Newton step, each as
    it is and with its faces' ridge lowered to FINAL_RIDGE (LL' + c Diag(LL'): ℓ falls
    across the boundary by ~|∂ℓ/∂μ| c), the one of highest ℓ; the last step's points only
    when they gain more than DEC_TOL x tol. (Newton steps at FINAL_RIDGE with the gradient
    read from ℓ reached lme4 fuzz d46/d109 to 1e-8 but moved a flat us(env):gen fit along
    its ridge differently in y x 2^14 units: tests/reml/test_units_sweep.py.)"""
    cand = step.theta_at(1.0, FACE_RIDGE)
    trials = [(face_reridge(step, theta, FACE_RIDGE, FINAL_RIDGE), FINAL_RIDGE)]
    if np.all(np.isfinite(cand)) and covariance_faces(step):
        trials += [(cand, FACE_RIDGE), (face_reridge(step, cand, FACE_RIDGE, FINAL_RIDGE),
                                        FINAL_RIDGE)]
    best, ridge = (st, theta), FACE_RIDGE
    gain = DEC_TOL * tol  # s30face's points must gain more than this: below it, which one
    for k, (th, c) in enumerate(trials):  # wins is ℓ's rounding, not the same in any units
        new = evaluate_valid(mme, ctx, th)
        if new is not None and new.loglik >= best[0].loglik + (0.0 if k == 0 else gain):
            best, ridge = (new, th), c
    if not covariance_faces(step):  # (correlation faces: as before s30face)
        return best[0], best[1], 0.0
    return best[0], best[1], ridge_gap(mme, best[1], step, ridge, tol)


ZERO_NOTE = ("converged at iteration {it} with a covariance matrix at zero: its face steps "
             "collapsed it, and the log-likelihood does not rise when it grows again")


def zero_stop(ctx: IterContext, loglik: float, theta: np.ndarray, tol: float) -> bool:
    """s30face: where neither an AI nor an EM step gains with the matrix a face step
    collapsed to M ≈ 0 (:func:`face_line_search`) still there, whether ℓ confirms the
    zero matrix as the optimum (:func:`asr_py.reml.face_fd.zero_confirmed`, ``tol`` the
    absolute ℓ tolerance)."""
    c = ctx.collapsed
    if c is None or ctx.loglik_of is None:
        return False
    ix = c[1][0]
    if not np.all(np.abs(theta[ix]) <= 10.0 * np.abs(c[0][ix])):  # (EM steps since: the
        return False  # matrix still at its collapsed size)
    variance = np.array([k == "variance" for k in ctx.kinds], dtype=bool)
    return zero_confirmed(ctx.loglik_of, loglik, theta, c[1], variance, tol)
