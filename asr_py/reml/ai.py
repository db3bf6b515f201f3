"""AI-REML iterations (Gilmour, Thompson & Cullis 1995): scale-invariant Newton steps on an
active set (variances held at their boundary, covariance matrices held on the boundary of the
positive-definite cone), step halving, EM fallback and a Newton-decrement convergence rule.
See docs/method.md for the method and the convergence rule.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from asr_py.errors import ModelError
from asr_py.reml.mme import MME, MMEState
from asr_py.reml.pd_face import (
    FACE_RIDGE,
    FINAL_RIDGE,
    FaceStep,
    face_indices,
    face_step,
    face_vcov,
    near_face,
)
from asr_py.reml.pd_face import describe as face_describe
from asr_py.reml.pd_face import reridge as face_reridge
from asr_py.reml.pd_face import search as face_search
from asr_py.reml.problem import MixedProblem
from asr_py.reml.progress import phase
from asr_py.reml.result import RemlResult

#: relative size (to the parameter's own scale, see :meth:`_Ctx.update_scales`) of the value a
#: 'P' parameter is held at
BOUNDARY_REL = 1e-12
#: relative size (to the parameter's own scale) below which a variance/covariance's change
#: is measured absolutely in the relative parameter change
CHANGE_FLOOR = 1e-4
#: maximum number of step halvings per iteration
MAX_HALVINGS = 8
#: a step may lower ℓ by this much (relative) and still count as not decreasing (round-off)
LL_SLACK = 1e-10
#: an EM step may take a 'P' parameter down to this fraction of its value at most; a
#: covariance matrix's smallest (correlation-scale) eigenvalue shrinks at most by this factor
SHRINK = 1e-3
#: a (diagonally scaled) information matrix is singular below this eigenvalue ratio
EIG_TOL = 1e-10
#: smallest eigenvalue of a covariance matrix's correlation matrix at the PD boundary
PD_EPS = 1e-6
#: convergence on the PD boundary: this many iterations in a row with |Δℓ| <= tol_loglik x
#: max(1, |ℓ|) and every |Δθ_k| <= STALL_Z / sqrt(AI_kk) (a small fraction of its
#: conditional standard error)
STALL_ITERS = 3
STALL_Z = 0.02
#: a PD block whose floor would exceed this (variances 10⁵ x more disparate) is not handled
PD_MAX_FLOOR = 1e-2
#: largest covariance matrix checked for the positive-definite boundary
PD_MAX_N = 50
#: round-off level of ℓ relative to |ℓ| x sqrt(number of equations): a predicted gain below
#: it cannot be told from rounding noise in the evaluation of ℓ
ROUNDOFF = 1e-12
#: ... and a step that moves every parameter by at most this fraction of its standard error
ROUNDOFF_Z = 1e-3
#: convergence on a PD face (issue 11): the face's Newton step predicts a gain <= FACE_DEC x
#: tol_loglik x max(1, |ℓ|) (its steps converge fast but not quadratically, and ℓ is
#: evaluated to ~1e-10 relative on the boundary, so DEC_TOL is below what they can confirm)
FACE_DEC = 1e-1
#: Newton-decrement convergence: predicted gain ½ δ'AIδ <= DEC_TOL x tol_loglik x max(1, |ℓ|)
DEC_TOL = 1e-2
#: ... and the predicted relative parameter change <= PRED_PARAM x tol_param
PRED_PARAM = 1e-2


@dataclass
class _PDBlock:
    """A covariance matrix linear in its parameters, M(θ) = Σ_k θ_k E_k (us, and us parts of
    Kronecker products), or a general correlation matrix C(ρ) = I + Σ_k ρ_k E_k (corg, corgv,
    corgh; ``corr`` True, ``idx`` its correlations only), whose positive-definite boundary
    the iteration handles."""

    name: str
    idx: np.ndarray  # global indices of its parameters
    E: np.ndarray  # (k, n, n) constant derivatives
    basis: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    corr: bool = False  # a correlation matrix, I + Σ_k ρ_k E_k

    def matrix(self, theta: np.ndarray) -> np.ndarray:
        m = np.tensordot(theta[self.idx], self.E, axes=1)
        return m + np.eye(m.shape[0]) if self.corr else m

    def params_of(self, m: np.ndarray) -> np.ndarray:
        """θ_b with M(θ_b) = m (least squares over the symmetric entries)."""
        if self.corr:
            m = m - np.eye(m.shape[0])
        return np.linalg.lstsq(self.basis, m.ravel(), rcond=None)[0]

    def scaled_eig(self, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(μ, W, d): eigen-decomposition S = W diag(μ) W' of S = D^{-1/2} M D^{-1/2},
        D = diag(M) (the correlation matrix), or None if a diagonal element is not > 0."""
        d = np.diag(m).copy()
        if not np.all(np.isfinite(m)) or np.any(d <= 0):
            return None
        r = 1.0 / np.sqrt(d)
        mu, w = np.linalg.eigh(m * r[:, None] * r[None, :])
        return mu, w, d

    def floor(self, d: np.ndarray) -> float:
        """The held smallest eigenvalue of the correlation matrix, PD_EPS: the templates judge
        positive definiteness on the correlation scale, so it does not depend on how far apart
        the variances (the units of the traits) are."""
        return PD_EPS

    def project(self, theta: np.ndarray, floor: float) -> np.ndarray | None:
        """θ with the eigenvalues of the correlation matrix lifted to at least ``floor``
        (None if nothing changes or M has a non-positive variance)."""
        m = self.matrix(theta)
        se = self.scaled_eig(m)
        if se is None:
            return None
        mu, w, d = se
        if mu[0] >= floor:
            return None
        if self.corr:  # shrink towards I, (1 − t)C + tI: unit diagonal, μ_min = floor
            t = (floor - mu[0]) / (1.0 - mu[0])
            out = theta.copy()
            out[self.idx] = (1.0 - t) * theta[self.idx]
            return out
        s = (w * np.maximum(mu, floor)) @ w.T
        sd = np.sqrt(d)
        out = theta.copy()
        out[self.idx] = self.params_of(s * sd[:, None] * sd[None, :])
        return out


def _pd_blocks(problem: MixedProblem, cons: list[str]) -> list[_PDBlock]:
    """The covariance matrices linear in their parameters with covariance parameters
    (2 <= n <= PD_MAX_N, no fixed parameter) and the general correlation matrices
    (corg/corgv/corgh: 3 <= n <= PD_MAX_N, no fixed correlation) whose positive-definite
    boundary is handled by the iteration; each leaf template says which it is
    (:meth:`~asr_py.vcov.base.CovTemplate.pd_geometry`)."""
    out: list[_PDBlock] = []
    assert problem.param_map is not None
    for span in problem.param_map.structures:
        leaf, off = span.template, span.start
        if leaf.n > PD_MAX_N or leaf.n_params == 0:
            continue
        geo = leaf.pd_geometry(problem.theta0[off:off + leaf.n_params])
        if geo is None or leaf.n < (3 if geo.correlation else 2):
            continue  # (corg with n = 2: |ρ| < 1 is the PD boundary, the bounds)
        idx = np.arange(off, off + geo.k)
        if any(cons[i] == "F" for i in idx):
            continue
        label = problem.names[off].split("!")[0]
        out.append(_PDBlock(label, idx, geo.E, geo.E.reshape(geo.k, -1).T,
                            corr=geo.correlation))
    return out


class _Ctx:
    """Per-parameter constants of a problem: kinds, bounds, boundary value, scales, and the
    covariance matrices whose positive-definite boundary is handled."""

    def __init__(self, problem: MixedProblem) -> None:
        pm = problem.param_map
        assert pm is not None
        kinds = pm.kinds
        self.templates = [b.template for b in problem.random] + [problem.residual]
        self.slices = problem.slices()
        self.kinds = kinds
        self.lower = pm.lower
        self.upper = pm.upper
        self.cons = [c.upper() for c in problem.constraints]
        self.pmask = np.array([c == "P" for c in self.cons], dtype=bool)
        self.vc = np.array([k in ("variance", "covariance") for k in kinds], dtype=bool)
        th0 = np.abs(np.asarray(problem.theta0, dtype=float))
        self.scale = np.where(self.vc & (th0 > 0), th0, 1.0)
        self._seen_se = False
        self._set(self.scale)
        self.pd = _pd_blocks(problem, self.cons)

    def _set(self, c: np.ndarray) -> None:
        self.scale = c
        self.bval = BOUNDARY_REL * c
        self.cfloor = np.where(self.vc, CHANGE_FLOOR * c, 1e-4)

    def update_scales(self, ai_diag: np.ndarray, theta: np.ndarray) -> None:
        """Per-parameter scale c_k of the variances and covariances: the smallest conditional
        standard error 1/sqrt(AI_kk) seen so far in the iteration (the start value until one
        is known). A standard error changes with the units of the trait(s) the parameter
        belongs to exactly as the parameter does (c²; c₁c₂ for a covariance) and, unlike the
        start value, is set by the data; so the held boundary value ``BOUNDARY_REL x c_k``
        and the change floor ``CHANGE_FLOOR x c_k`` make a fit invariant to the units of each
        trait. A parameter at its boundary value keeps its scale (it stays held)."""
        a = np.asarray(ai_diag, dtype=float)
        ok = self.vc & np.isfinite(a) & (a > 0)
        if not ok.any():
            return
        se = np.full(a.size, np.inf)
        se[ok] = 1.0 / np.sqrt(a[ok])
        c = np.minimum(self.scale, se) if self._seen_se else np.where(ok, se, self.scale)
        c = np.where(self.at_bound(theta), self.scale, c)
        self._seen_se = True
        self._set(np.where(np.isfinite(c) & (c > 0), c, self.scale))

    def valid(self, theta: np.ndarray) -> bool:
        """θ within bounds for 'P'/'B' parameters and every template valid (PD)."""
        for k, c in enumerate(self.cons):
            if c == "P" and theta[k] < 0:
                return False
            if c == "B" and not (self.lower[k] <= theta[k] <= self.upper[k]):
                return False
        for t, s in zip(self.templates, self.slices):
            if not t.is_valid(theta[s]):
                return False
        return True

    def rel_change(self, old: np.ndarray, new: np.ndarray) -> float:
        """max_k |new_k − old_k| / max(|old_k|, floor_k), floor_k = CHANGE_FLOOR x c_k."""
        if old.size == 0:
            return 0.0
        return float(np.max(np.abs(new - old) / np.maximum(np.abs(old), self.cfloor)))

    def at_bound(self, theta: np.ndarray) -> np.ndarray:
        """'P' parameters at (or below) their boundary value."""
        return self.pmask & (theta <= self.bval * (1 + 1e-9))

    def pd_floors(self, theta: np.ndarray, held: list[_PDBlock]) -> list[float]:
        """Per PD block, the smallest correlation-scale eigenvalue a step may leave: the
        block's floor if held on the boundary, else max(floor, SHRINK x current)."""
        out = []
        for b in self.pd:
            se = b.scaled_eig(b.matrix(theta))
            if se is None:
                out.append(0.0)
                continue
            f = b.floor(se[2])
            if f > PD_MAX_FLOOR:
                out.append(0.0)
                continue
            out.append(f if any(b is h for h in held) else max(f, SHRINK * float(se[0][0])))
        return out


@dataclass
class _Plan:
    """The step of one iteration: δ over all θ (zero for fixed and held parameters)."""

    delta: np.ndarray
    held: np.ndarray  # 'P' parameters held at the boundary value (δ_k = 0)
    clipped: np.ndarray  # 'P' parameters this step puts at the boundary value
    pd_held: list[_PDBlock]  # covariance matrices held on the PD boundary
    gain: float  # predicted increase of ℓ, s'δ − ½ δ'AIδ
    singular: bool


def _scaled(ai: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """(D^{-½} AI D^{-½}, D^{-½}, singular) over ``idx``, D = diag(AI). Singular when the
    scaled matrix has an eigenvalue <= EIG_TOL x its largest or a non-positive diagonal; it
    is then damped Levenberg-Marquardt style, + λI with the smallest λ in 10⁻⁶..10³ that
    makes it positive definite."""
    a = ai[np.ix_(idx, idx)]
    d = np.diag(a).copy()
    ok = np.isfinite(d) & (d > 0)
    d = np.where(ok, d, float(d[ok].max()) if ok.any() else 1.0)
    r = 1.0 / np.sqrt(d)
    hs = a * r[:, None] * r[None, :]
    hs = np.where(np.isfinite(hs), hs, 0.0)
    if idx.size == 0:
        return hs, r, False
    w = np.linalg.eigvalsh(hs)
    if ok.all() and w[0] > EIG_TOL * max(abs(w[-1]), 1e-300):
        return hs, r, False
    for lam in (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e2, 1e3):
        if w[0] + lam > EIG_TOL * max(abs(w[-1]) + lam, 1e-300):
            return hs + lam * np.eye(idx.size), r, True
    return hs + (abs(w[0]) + 1e3) * np.eye(idx.size), r, True


def _eqp(h: np.ndarray, g: np.ndarray, x: np.ndarray, bound: np.ndarray,
         rows: np.ndarray) -> np.ndarray:
    """Step p minimising ½(x+p)'h(x+p) − g'(x+p) with p_k = 0 on ``bound`` and rows·p = 0."""
    f = np.flatnonzero(~bound)
    p = np.zeros(x.size)
    if f.size == 0:
        return p
    rhs = (g - h @ x)[f]
    hf = h[np.ix_(f, f)]
    if rows.shape[0]:
        _, sv, vt = np.linalg.svd(rows[:, f])
        rank = int(np.sum(sv > 1e-12 * max(float(sv.max()), 1e-300)))
        nb = vt[rank:].T
    else:
        nb = np.eye(f.size)
    if nb.shape[1] == 0:
        return p
    z = np.linalg.solve(nb.T @ hf @ nb, nb.T @ rhs)
    p[f] = nb @ z
    return p


def _qp(h: np.ndarray, g: np.ndarray, lb: np.ndarray, rows: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """max g'x − ½x'hx s.t. x ≥ lb (lb_k = −inf: no bound; lb ≤ 0) and rows·x ≥ 0, by the
    primal active-set method (Nocedal & Wright, Algorithm 16.3) from x = 0 with the bounds
    and rows active at 0 in the working set. Returns (x, active bounds, active rows)."""
    n = g.size
    x = np.zeros(n)
    wb = lb >= 0  # bounds active at x = 0
    wr = np.ones(rows.shape[0], dtype=bool)
    for _ in range(4 * (n + rows.shape[0]) + 10):
        p = _eqp(h, g, x, wb, rows[wr])
        if np.max(np.abs(p)) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))):
            # multipliers: h x − g = Σ λ_i c_i over the working set, λ ≥ 0 at the optimum
            cb = np.flatnonzero(wb)
            cr = np.flatnonzero(wr)
            cm = np.vstack([np.eye(n)[cb], rows[cr]]) if cb.size + cr.size else np.zeros((0, n))
            if cm.shape[0] == 0:
                break
            lam = np.linalg.lstsq(cm.T, h @ x - g, rcond=None)[0]
            i = int(np.argmin(lam))
            if lam[i] >= -1e-12 * max(1.0, float(np.max(np.abs(g)))):
                break
            if i < cb.size:
                wb[cb[i]] = False
            else:
                wr[cr[i - cb.size]] = False
            continue
        # ratio test against the constraints not in the working set
        alpha, block = 1.0, None
        for k in np.flatnonzero(~wb & np.isfinite(lb) & (p < 0)):
            t = (lb[k] - x[k]) / p[k]
            if t < alpha:
                alpha, block = max(t, 0.0), ("b", k)
        if rows.shape[0]:
            rp = rows @ p
            rx = rows @ x
            for i in np.flatnonzero(~wr & (rp < 0)):
                t = -rx[i] / rp[i]
                if t < alpha:
                    alpha, block = max(t, 0.0), ("r", i)
        x = x + alpha * p
        if block is None:
            continue
        if block[0] == "b":
            wb[block[1]] = True
            x[block[1]] = lb[block[1]]
        else:
            wr[block[1]] = True
    return x, wb, wr


def _plan(ctx: _Ctx, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
          fixed: np.ndarray) -> _Plan:
    """The active-set AI step at θ: the maximiser of the quadratic model
    s'δ − ½δ'AIδ over the free parameters subject to θ_k + δ_k ≥ b for 'P' parameters
    (b = the boundary value) and, for each near-singular direction v of a PD block's
    correlation matrix, v'(Σ_k δ_k E_k)v ≥ 0 (its smallest eigenvalue may not decrease, to
    first order). Solved in the scaled coordinates x = D^{½}δ, D = diag(AI), so the step does
    not depend on the units of the parameters. 'P' parameters at b with an active bound are
    held there; the others with an active bound are put at b (clipped) by this step.
    """
    nt = theta.size
    idx = np.flatnonzero(~fixed)
    if idx.size == 0:
        z = np.zeros(nt, dtype=bool)
        return _Plan(np.zeros(nt), z, z.copy(), [], 0.0, False)
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
    hs, r, singular = _scaled(ai_m, idx)
    gs = score[idx] * r
    lb = np.full(idx.size, -np.inf)
    pk = ctx.pmask[idx]
    lb[pk] = (np.minimum(ctx.bval[idx][pk], theta[idx][pk]) - theta[idx][pk]) / r[pk]
    rm = np.array([a[idx] * r for a in rows]) if rows else np.zeros((0, idx.size))
    x, wb, wr = _qp(hs, gs, lb, rm)
    delta = np.zeros(nt)
    delta[idx] = x * r
    held = np.zeros(nt, dtype=bool)
    clipped = np.zeros(nt, dtype=bool)
    at = ctx.at_bound(theta)
    for j, k in enumerate(idx):
        if wb[j] and pk[j]:
            if at[k]:
                held[k] = True
                delta[k] = 0.0
            else:
                clipped[k] = True
    gain = float(score @ delta - 0.5 * delta @ ai_m @ delta)
    pd_held: list[_PDBlock] = []
    for b, on in zip(owners, wr):
        if on and not any(b is h for h in pd_held):
            pd_held.append(b)
    return _Plan(delta, held, clipped, pd_held, gain, singular)


def _tied_to_bound(ctx: _Ctx, theta: np.ndarray, score: np.ndarray,
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


def _em_step(mme: MME, theta: np.ndarray, s: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """EM-REML step δ = I_c⁻¹ s over the parameters ``idx`` (see :meth:`MME.em_information`).

    For a covariance linear in its parameters (σ²K, us, diag, their Kronecker products with
    a known matrix) θ + δ is exactly the EM-REML update of that template; in general I_c is
    positive definite, so δ is an ascent direction.
    """
    if idx.size == 0:
        return np.zeros(0)
    ic = mme.em_information(theta)[np.ix_(idx, idx)]
    w, v = np.linalg.eigh(ic)
    w = np.maximum(w, 1e-12 * max(float(w.max()), 1e-300))
    return v @ ((v.T @ s[idx]) / w)


def loglik_at(problem: MixedProblem, theta: np.ndarray, *, solver: str = "auto") -> float:
    """The full REML log-likelihood ℓ(θ) (lme4's ``logLik(REML = TRUE)`` convention), of
    the centred response as :func:`fit_reml` evaluates it."""
    from asr_py.reml.centering import centre_response

    problem = centre_response(problem)[0]
    return MME(problem, solver=solver).evaluate(np.asarray(theta, dtype=float)).loglik


def score_ai_at(problem: MixedProblem, theta: np.ndarray, *,
                solver: str = "auto") -> tuple[float, np.ndarray, np.ndarray]:
    """(ℓ, score, AI) at θ over all parameters (centred response, as :func:`fit_reml`)."""
    from asr_py.reml.centering import centre_response

    mme = MME(centre_response(problem)[0], solver=solver)
    st = mme.evaluate(np.asarray(theta, dtype=float))
    s, a = mme.score_ai(st)
    return st.loglik, s, a


def _line_search(mme: MME, ctx: _Ctx, st: MMEState, theta: np.ndarray, delta: np.ndarray,
                 clipped: np.ndarray, floors: list[float]
                 ) -> tuple[MMEState | None, float, np.ndarray | None]:
    """Try θ + αδ for α = 1, ½, ¼, ...; accept the first valid point that does not lower ℓ.

    Projections keep the trial point inside: a 'P' parameter goes no lower than
    max(θ_k·SHRINK, boundary value) unless this step clips it to the boundary value
    (exactly at α = 1); a PD block whose correlation matrix would get an eigenvalue below its
    floor has those eigenvalues lifted to the floor (:meth:`_PDBlock.project`).
    """
    alpha = 1.0
    slack = LL_SLACK * max(1.0, abs(st.loglik))
    move = delta != 0
    pk = ctx.pmask & move & ~clipped
    for _ in range(MAX_HALVINGS + 1):
        cand = theta + alpha * delta
        low = pk & (cand < theta * SHRINK)
        cand[low] = np.maximum(theta[low] * SHRINK, ctx.bval[low])
        if alpha == 1.0:
            cand[clipped] = ctx.bval[clipped]
        for b, f in zip(ctx.pd, floors):
            if move[b.idx].any():
                pr = b.project(cand, f)
                if pr is not None:
                    cand = pr
        if ctx.valid(cand):
            try:
                new = mme.evaluate(cand)
            except (np.linalg.LinAlgError, ValueError):
                new = None
            if new is not None and new.loglik >= st.loglik - slack:
                return new, alpha, cand
        alpha *= 0.5
    return None, 0.0, None


# --- issue 11 hook: Newton steps on the PD face (asr_py/reml/pd_face.py) ---
def _face_plan(ctx: _Ctx, theta: np.ndarray, score: np.ndarray, ai: np.ndarray,
               fixed: np.ndarray, plan: _Plan, loglik: float, tol_loglik: float
               ) -> FaceStep | None:
    """The Newton step on the face of every linear PD block with a correlation-scale
    eigenvalue below pd_face.RANK_TOL for which a higher rank does not gain (None if none)."""
    blocks = near_face(ctx.pd, theta)
    if not blocks:
        return None
    gain_tol = DEC_TOL * tol_loglik * max(1.0, abs(loglik))
    step = face_step(theta, score, ai, blocks, ~fixed & ~plan.held, FACE_RIDGE, gain_tol)
    if step is None or any(step.rank_up):
        keep = [f.block for f, up in zip(step.faces, step.rank_up) if not up] if step else []
        if not keep or len(keep) == len(blocks):
            return None
        step = face_step(theta, score, ai, keep, ~fixed & ~plan.held, FACE_RIDGE, gain_tol)
        if step is None or any(step.rank_up):
            return None
    return step


def _face_search(mme: MME, ctx: _Ctx, st: MMEState, step: FaceStep
                 ) -> tuple[MMEState | None, float, np.ndarray | None]:
    return face_search(step, mme.evaluate, ctx.valid, st.loglik, FACE_RIDGE,
                       LL_SLACK * max(1.0, abs(st.loglik)), MAX_HALVINGS)


_ROUNDOFF_NOTE = (
    "converged at round-off level at iteration {it}: the next step predicts a gain below the "
    "rounding noise of the log-likelihood and moves every parameter by less than "
    f"{ROUNDOFF_Z:g} of its standard error")


def _noise(mme: MME, loglik: float) -> float:
    """Rounding noise of ℓ: ROUNDOFF x max(1, |ℓ|) x sqrt(number of mixed model equations)."""
    return ROUNDOFF * max(1.0, abs(loglik)) * float(np.sqrt(max(mme.N, 1)))


def _at_roundoff(mme: MME, loglik: float, plan: _Plan, ai: np.ndarray,
                 fixed: np.ndarray) -> bool:
    """True when the next AI step predicts a gain ½-quadratic ≤ the rounding noise of ℓ and
    moves every free parameter by ≤ ROUNDOFF_Z of its conditional standard error 1/sqrt(AI_kk):
    no evaluation of ℓ can confirm a further improvement."""
    if plan.clipped.any() or not np.isfinite(plan.gain) or plan.gain > _noise(mme, loglik):
        return False
    free = ~fixed & ~plan.held
    d = np.abs(np.diag(ai))[free]
    z = np.abs(plan.delta[free]) * np.sqrt(np.where(np.isfinite(d), d, np.inf))
    return bool(np.all(np.isfinite(z)) and z.max(initial=0.0) <= ROUNDOFF_Z)


def fit_reml(problem: MixedProblem, **kwargs: Any) -> RemlResult:
    """Fit ``problem`` by AI-REML (:func:`_fit_reml`, same keywords) on the response centred
    on its least-squares fit (:mod:`asr_py.reml.centering`: the same likelihood, no lost
    digits when the mean is large compared with the spread); β̂ and the fitted values are
    returned for the original response."""
    from asr_py.reml.centering import centre_response, restore_response

    centred, beta0 = centre_response(problem)
    return restore_response(_fit_reml(centred, **kwargs), problem, beta0)


def _fit_reml(
    problem: MixedProblem,
    *,
    maxit: int = 30,
    tol_loglik: float = 1e-8,
    tol_param: float = 1e-6,
    trace: bool = False,
    callback: Callable[[dict], None] | None = None,
    solver: str = "auto",
) -> RemlResult:
    """Fit ``problem`` by AI-REML and return a :class:`RemlResult` (never raises on
    non-convergence: the best estimates so far come back with ``converged=False``).

    Converged (see docs/method.md) when either

    * the full AI step just taken changed ℓ by ``<= tol_loglik * max(1, |ℓ|)`` and θ by
      ``max_k |Δθ_k| / max(|θ_k|, floor_k) <= tol_param`` (floor_k: CHANGE_FLOOR x the
      parameter's own scale for variances/covariances, see :meth:`_Ctx.update_scales`; 1e-4
      otherwise), or
    * at the new point the next AI step predicts a gain ``s'δ − ½δ'AIδ <=
      DEC_TOL * tol_loglik * max(1, |ℓ|)`` and a relative change ``<= PRED_PARAM * tol_param``.

    ``solver``: 'auto' (dense up to 300 equations or for a dense C, else sparse; see
    :func:`asr_py.reml.solver.choose_backend`) or a backend name registered with
    :func:`asr_py.reml.solver.register_backend` ('dense', 'sparse', ...).
    Raises :class:`asr_py.errors.ModelError` for a start θ at which the model cannot be
    evaluated (invalid parameters, C not positive definite) or a rank-deficient X.
    """
    if maxit < 0:
        raise ValueError("maxit must be >= 0")
    cons = [str(c).upper() for c in problem.constraints]
    bad = [c for c in cons if c not in ("P", "U", "F", "B")]
    if bad:
        raise ModelError(f"unknown constraint code(s) {sorted(set(bad))}",
                         hint="use 'P' (positive), 'U' (unconstrained), 'F' (fixed), 'B' (bounded)")
    t_start = time.perf_counter()  # trace: wall time of each iteration, setup in iteration 0
    mme = MME(problem, solver=solver)
    ctx = _Ctx(problem)
    theta = problem.theta0.astype(float).copy()
    nt = theta.size
    if not ctx.valid(theta):
        raise ModelError(
            "the starting values are outside the parameter space: "
            + problem.describe_invalid(theta),
            hint="variances must be positive, correlations inside (-1, 1) and every "
                 "covariance matrix positive definite")
    phase(f"C: {mme.N} equations; symbolic analysis and first factorization", mme.N)
    try:
        st = mme.evaluate(theta)
    except np.linalg.LinAlgError as exc:
        raise ModelError(f"the mixed model equations cannot be solved at the start values: {exc}",
                         hint="check for empty random-effect levels or change the start values"
                         ) from None
    fixed = np.array([c == "F" for c in cons], dtype=bool)
    diagnostics: list[str] = []
    history: list[dict] = []

    t_prev = [t_start]

    def record(it: int, method: str, step: float) -> None:
        # seconds: wall time since the previous record, i.e. the whole iteration (step, line
        # search, score and AI with their selected inverse); iteration 0: the setup
        now = time.perf_counter()
        secs, t_prev[0] = now - t_prev[0], now
        h = {"iteration": it, "loglik": st.loglik, "theta": st.theta.copy(), "step": step,
             "seconds": secs, "method": method}
        history.append(h)
        if trace:
            ps = " ".join(f"{v:.6g}" for v in st.theta)
            print(f"iter {it:3d}  loglik {st.loglik:.6f}  {method:5s} step {step:.3g}  "
                  f"[{ps}]  {secs:.3f}s", flush=True)
        if callback is not None:
            callback(h)

    converged = False
    it = 0
    score, ai = mme.score_ai(st)
    record(0, "start", 0.0)
    ctx.update_scales(np.diag(ai), theta)
    plan = _plan(ctx, theta, score, ai, fixed)
    face = _face_plan(ctx, theta, score, ai, fixed, plan, st.loglik, tol_loglik)  # issue 11
    sing_flagged = False
    final_face: FaceStep | None = None  # issue 11: the face the fit converged on
    small: list[bool] = []
    prev_noise = False
    while it < maxit:
        if not np.any(~fixed & ~plan.held):
            converged = True
            break
        it += 1
        if plan.singular and not sing_flagged:
            diagnostics.append(
                f"Singularity in Average Information matrix at iteration {it}: "
                "some parameters are not identifiable from the data; "
                "a damped AI / EM step was taken (fix or remove a component if it persists)")
            sing_flagged = True
        floors = ctx.pd_floors(theta, plan.pd_held)
        method = "AI"
        restricted = False
        new_state, alpha, theta_new = None, 0.0, None
        # --- issue 11 hook: a Newton step on the PD face (asr_py/reml/pd_face.py) ---
        if face is not None:
            new_state, alpha, theta_new = _face_search(mme, ctx, st, face)
            if new_state is not None:
                method = "face"
        if new_state is None:
            new_state, alpha, theta_new = _line_search(mme, ctx, st, theta, plan.delta,
                                                       plan.clipped, floors)
        if method == "AI" and (new_state is None or alpha < 1.0):
            # a 'P' variance at its boundary with a positive score makes the other parameters
            # of its template (correlations, ...) nearly unidentifiable: their Newton step is
            # huge and the AI step fails, and EM cannot move a variance away from zero. An AI
            # step with those parameters fixed for this iteration releases the variance.
            tied = _tied_to_bound(ctx, theta, score, fixed)
            if tied.any():
                rplan = _plan(ctx, theta, score, ai, fixed | tied)
                r_state, r_alpha, r_theta = _line_search(
                    mme, ctx, st, theta, rplan.delta, rplan.clipped,
                    ctx.pd_floors(theta, rplan.pd_held))
                if r_state is not None and (new_state is None
                                            or r_state.loglik > new_state.loglik):
                    new_state, alpha, theta_new = r_state, r_alpha, r_theta
                    restricted = True
        if method == "AI" and (new_state is None or alpha < 1.0):
            # a heavily damped (or failed) AI step: an EM step may do better
            free = np.flatnonzero(~fixed & ~plan.held)
            em = np.zeros(nt)
            em[free] = _em_step(mme, theta, score, free)
            em_state, em_alpha, em_theta = _line_search(
                mme, ctx, st, theta, em, np.zeros(nt, dtype=bool), floors)
            if em_state is not None and (new_state is None
                                         or em_state.loglik > new_state.loglik):
                new_state, alpha, theta_new, method = em_state, em_alpha, em_theta, "EM"
                restricted = False
        if new_state is None:
            if _at_roundoff(mme, st.loglik, plan, ai, fixed):
                converged = True
                diagnostics.append(_ROUNDOFF_NOTE.format(it=it - 1))
                it -= 1
                break
            diagnostics.append(
                f"iteration {it}: neither an AI nor an EM step increased the log-likelihood; "
                "stopped with the best estimates so far (try other start values)")
            break
        ll_old, theta_old = st.loglik, st.theta
        st = new_state
        theta = theta_new.copy()
        score, ai = mme.score_ai(st)
        record(it, method, alpha)
        ctx.update_scales(np.diag(ai), theta)
        plan = _plan(ctx, theta, score, ai, fixed)
        face = _face_plan(ctx, theta, score, ai, fixed, plan, st.loglik, tol_loglik)  # issue 11
        scale = max(1.0, abs(st.loglik))
        # issue 11: converged on the PD face when the face's Newton step predicts a
        # negligible gain and no rank increase gains (pd_face.py)
        on_face = (method == "face" and face is not None
                   and face.gain <= FACE_DEC * tol_loglik * scale)
        full_step = (method == "AI" and alpha == 1.0 and not restricted
                     and abs(st.loglik - ll_old) <= tol_loglik * scale
                     and ctx.rel_change(theta_old, theta) <= tol_param)
        predicted = (not plan.clipped.any() and plan.gain <= DEC_TOL * tol_loglik * scale
                     and ctx.rel_change(theta, theta + plan.delta) <= PRED_PARAM * tol_param)
        zchg = np.abs(theta - theta_old)[~fixed] * np.sqrt(np.abs(np.diag(ai)[~fixed]))
        small.append(abs(st.loglik - ll_old) <= tol_loglik * scale
                     and float(zchg.max(initial=0.0)) <= STALL_Z)
        # on the PD boundary ℓ is steep across it and the quadratic model poor: the fit has
        # converged when STALL_ITERS steps in a row change ℓ only at round-off level
        stalled = bool(plan.pd_held) and len(small) >= STALL_ITERS and all(
            small[-STALL_ITERS:])
        at_noise = (abs(st.loglik - ll_old) <= _noise(mme, st.loglik)
                    and _at_roundoff(mme, st.loglik, plan, ai, fixed))
        # two iterations in a row at round-off level (one may be a step past the optimum)
        roundoff = not (full_step or predicted or stalled) and at_noise and prev_noise
        prev_noise = at_noise
        if roundoff:
            diagnostics.append(_ROUNDOFF_NOTE.format(it=it))
        if on_face:  # issue 11
            converged = True
            final_face = face
            break
        if full_step or predicted or stalled or roundoff:
            converged = True
            if method == "face" and face is not None:  # issue 11
                final_face = face
            if stalled and not (full_step or predicted):
                diagnostics.append(
                    f"converged on the positive-definite boundary: the last {STALL_ITERS} "
                    f"iterations changed the log-likelihood by <= {tol_loglik:.0e} x |loglik| "
                    f"and every parameter by <= {STALL_Z} of its standard error")
            break
    if not converged and it >= maxit:
        diagnostics.append(
            f"did not converge in {maxit} iterations (last change in loglik "
            f"{history[-1]['loglik'] - history[-2]['loglik'] if len(history) > 1 else 0:.3g}); "
            "returned the last estimates (increase maxit or change start values)")
    if final_face is not None:  # issue 11: report L L' + FINAL_RIDGE Diag(L L')
        th_f = face_reridge(final_face, theta, FACE_RIDGE, FINAL_RIDGE)
        try:
            st_f = mme.evaluate(th_f) if ctx.valid(th_f) else None
        except (np.linalg.LinAlgError, ValueError):
            st_f = None
        if st_f is not None and st_f.loglik >= st.loglik:
            st, theta = st_f, th_f  # score and AI stay those of the FACE_RIDGE point
    on_faces = final_face.faces if final_face is not None else []
    for f in on_faces:  # issue 11: the rank and only the correlations truly at ±1
        diagnostics.append(face_describe(f.block.name, f.block.matrix(theta)))
    for b in plan.pd_held:
        if any(f.block is b for f in on_faces):
            continue
        se = b.scaled_eig(b.matrix(theta))
        lam = float(se[0][0]) if se is not None else float("nan")
        diagnostics.append(
            f"the {'correlation' if b.corr else 'covariance'} matrix of {b.name} is at the "
            "boundary of the parameter space "
            f"(singular: smallest eigenvalue of its correlation matrix {lam:.2g}, correlations "
            "at ±1); the estimates are the boundary solution and their standard errors are "
            "not reliable")
    phase("final pass: standard errors (AI inverse), prediction error variances and "
          "Var(beta) from the selected inverse of C", mme.N)
    return _build_result(problem, mme, st, score, ai, fixed, plan.held, converged, it,
                         history, diagnostics, cons, ctx, final_face)


#: the iteration-time singularity message, up to its (then false) verdict on the model
_SING_EARLY = re.compile(r"^(Singularity in Average Information matrix at iteration \d+): "
                         r"some parameters are not identifiable.*$")


def _build_result(problem: MixedProblem, mme: MME, st: MMEState, score: np.ndarray,
                  ai: np.ndarray, fixed: np.ndarray, boundary: np.ndarray, converged: bool,
                  it: int, history: list[dict], diagnostics: list[str], cons: list[str],
                  ctx: _Ctx, face: FaceStep | None = None) -> RemlResult:
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
        diagnostics[:] = [_SING_EARLY.sub(r"\1 (a damped AI / EM step was taken); it is "
                                          "not singular at the final estimates", m)
                          for m in diagnostics]
    out_cons = list(cons)
    for k in np.flatnonzero(boundary):
        out_cons[k] = "B"
        if converged:  # held with a non-negative multiplier at the optimum: it is at zero
            diagnostics.append(
                f"parameter {problem.names[k]!r} is held at its boundary ({st.theta[k]:.3g}); "
                "the data support a value of zero (consider removing the term or fixing it)")
        else:
            diagnostics.append(
                f"parameter {problem.names[k]!r} is held at its boundary ({st.theta[k]:.3g}) "
                "at the last iterate; the fit did not converge, so a zero optimum is not "
                "established")
    p = mme.p
    beta = st.sol[:p].copy()
    us, pevs = [], []
    pat_diag = sp.identity(mme.N, format="csc")
    diag_inv = st.factor.inverse_on(pat_diag).diagonal() if mme.N > p else np.zeros(mme.N)
    for j, b in enumerate(problem.random):
        o = mme.u_offsets[j]
        us.append(st.sol[o:o + b.template.n].copy())
        pevs.append(np.asarray(diag_inv[o:o + b.template.n]).copy())
    fitted = np.asarray(mme.W @ st.sol).ravel()
    vbeta = st.factor.inverse_block(np.arange(p)) if p else np.zeros((0, 0))
    return RemlResult(
        theta=st.theta.copy(), names=list(problem.names), constraints=out_cons,
        loglik=st.loglik, converged=converged, n_iter=it, history=history,
        score=score.copy(), ai=ai_out, vcov_theta=vc, boundary=boundary.copy(), beta=beta,
        u=us, fitted=fitted, residuals=mme.y - fitted, n_minus_p=mme.n - p,
        vcov_beta=vbeta, pev=pevs, diagnostics=diagnostics, solver=mme.backend or "dense",
        factor=st.factor, u_offsets=list(mme.u_offsets),
        face_idx=face_idx if fvc is not None else np.zeros(0, dtype=int),
    )
