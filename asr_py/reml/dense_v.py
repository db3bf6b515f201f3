"""REML on V formed densely: the fallback when the mixed model equations lose their digits.

With V = Σ_j Z_j G_j Z_j' + R (n x n, never G⁻¹), P = V⁻¹ − V⁻¹X K X'V⁻¹ and
K = (X'V⁻¹X)⁻¹, V̇_k = Z_j Ġ_k Z_j' (or Ṙ_k):

    ℓ   = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py]
    s_k = −½ tr(P V̇_k) + ½ y'P V̇_k P y          (score)
    AI_kl = ½ y'P V̇_k P V̇_l P y                    (average information)

and the mixed-model quantities without G⁻¹ (Henderson 1975):

    β̂ = K X'V⁻¹y,   û_j = G_j Z_j' P y,
    C⁻¹ = [[K, −K X'V⁻¹ZG], [−GZ'V⁻¹X K, G − GZ'PZG]]   (Z = [Z_1 ...], G = ⊕ G_j),

whose diagonal on u is the prediction error variance. Every quantity is a product of
well-conditioned matrices as long as V is (a residual variance keeps it so), whatever the
condition of G. Cost O(n³) per point: DENSE_MAX records at most.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.reml.solver import DenseFactor
from asr_py.vcov.base import to_dense

#: V is formed for at most this many records
DENSE_MAX = 2000
#: Newton (AI) iterations of :func:`maximise` at most, and step halvings per iteration
MAX_ITER, MAX_HALVINGS = 60, 30
#: a step goes at most this fraction of the way to a parameter's bound ...
TO_BOUND = 0.9
#: after this many damped steps in a row the step takes the differenced (observed)
#: information instead of AI (step FD_REL x max(|θ_k|, its conditional standard error
#: 1/√AI_kk): the same in any units)
SLOW, FD_REL = 2, 1e-5
#: ... and a parameter within HOLD conditional standard errors of a bound that the step
#: pushes on is held there
HOLD = 1e-6

LOG2PI = float(np.log(2.0 * np.pi))


@dataclass
class VPoint:
    """ℓ, score and AI at θ from V, with what the result needs (module docstring)."""

    theta: np.ndarray
    loglik: float
    score: np.ndarray
    ai: np.ndarray
    beta: np.ndarray
    py: np.ndarray
    cinv: np.ndarray


def _z(b: object) -> np.ndarray:
    z = b.Z  # type: ignore[attr-defined]
    return z.toarray() if hasattr(z, "toarray") else np.asarray(z, dtype=float)


def evaluate(problem: MixedProblem, theta: np.ndarray) -> VPoint | None:
    """:class:`VPoint` at θ; None when n > DENSE_MAX, a template is outside its bounds, or
    V or X'V⁻¹X is not positive definite."""
    y = np.asarray(problem.y, dtype=float)
    n = y.size
    if n > DENSE_MAX:
        return None
    theta = np.asarray(theta, dtype=float)
    X = np.asarray(to_dense(problem.X), dtype=float).reshape(n, -1)
    p = X.shape[1]
    tr = theta[problem.residual_offset:]
    if not problem.residual.within_bounds(tr):
        return None
    V = np.array(to_dense(problem.residual.matrix(tr)), dtype=float)
    zs, gs, vdots = [], [], []
    for b in problem.random:
        th = theta[b.offset:b.offset + b.template.n_params]
        if not b.template.within_bounds(th):
            return None
        Z, G = _z(b), np.asarray(to_dense(b.template.matrix(th)), dtype=float)
        V += Z @ G @ Z.T
        zs.append(Z)
        gs.append(G)
        vdots += [Z @ to_dense(d) @ Z.T for d in b.template.derivatives(th)]
    vdots += [np.asarray(to_dense(d), dtype=float) for d in problem.residual.derivatives(tr)]
    try:
        L = sla.cho_factor(V, lower=True)
        vx, vy = sla.cho_solve(L, X), sla.cho_solve(L, y)
        Lk = sla.cho_factor(X.T @ vx, lower=True) if p else None
    except (np.linalg.LinAlgError, ValueError):
        return None
    K = sla.cho_solve(Lk, np.eye(p)) if Lk is not None else np.zeros((0, 0))
    beta = K @ (X.T @ vy)
    py = vy - vx @ beta
    ldv = 2.0 * float(np.log(np.diag(L[0])).sum())
    ldk = 2.0 * float(np.log(np.diag(Lk[0])).sum()) if Lk is not None else 0.0
    ll = -0.5 * ((n - p) * LOG2PI + ldv + ldk + float(y @ py))
    if not np.isfinite(ll):
        return None
    P = sla.cho_solve(L, np.eye(n)) - vx @ K @ vx.T
    q = np.column_stack([vd @ py for vd in vdots]) if vdots else np.zeros((n, 0))
    score = np.array([-0.5 * float(np.sum(P * vd)) + 0.5 * float(py @ qk)
                      for vd, qk in zip(vdots, q.T)])
    ai = 0.5 * q.T @ P @ q
    # C⁻¹ in C's order [β; u_1; u_2; ...]
    Zall = np.hstack(zs) if zs else np.zeros((n, 0))
    Gall = sla.block_diag(*gs) if gs else np.zeros((0, 0))
    gz = Gall @ Zall.T  # q x n
    cub = -(gz @ vx) @ K
    cuu = Gall - gz @ P @ gz.T
    cinv = np.block([[K, cub.T], [cub, 0.5 * (cuu + cuu.T)]])
    return VPoint(theta.copy(), ll, score, 0.5 * (ai + ai.T), beta, py, cinv)


def _bounds(problem: MixedProblem) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of every parameter, from the templates."""
    lo = [b.template.lower() for b in problem.random] + [problem.residual.lower()]
    hi = [b.template.upper() for b in problem.random] + [problem.residual.upper()]
    return (np.concatenate(lo).astype(float), np.concatenate(hi).astype(float))


def _to_boundary(theta: np.ndarray, delta: np.ndarray, lo: np.ndarray, hi: np.ndarray
                 ) -> float:
    """The largest α <= 1 moving no parameter more than TO_BOUND of its way to a bound."""
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(delta > 0, (hi - theta) / delta,
                        np.where(delta < 0, (lo - theta) / delta, np.inf))
    room = room[np.isfinite(room)]
    return float(min(1.0, TO_BOUND * room.min())) if room.size else 1.0


def maximise(problem: MixedProblem, start: VPoint, free: np.ndarray, tol: float
             ) -> tuple[VPoint, bool, list[dict], np.ndarray]:
    """AI (Newton) steps over the ``free`` parameters from ``start``, first shortened so no
    parameter goes more than TO_BOUND of its way to a bound (a φ → 1 approaches it
    geometrically), then halved until ℓ rises with V positive definite; a parameter within
    HOLD standard errors of a bound that the step pushes on is held there (active set);
    converged when the
    next step predicts a gain ½ s'AI⁻¹s <= ``tol``. (last point, converged, history rows
    with method 'V', the parameters held on a bound)."""
    pt, rows = start, []
    lo, hi = _bounds(problem)
    held = np.zeros_like(free)
    t0 = time.perf_counter()
    damped = 0
    for it in range(1, MAX_ITER + 1):
        while True:
            act = free & ~held
            s, a = pt.score[act], pt.ai[np.ix_(act, act)]
            if damped >= SLOW:  # the AI matrix is a poor curvature here: −∂s/∂θ
                h = observed_information(problem, pt, act, lo, hi)
                a = a if h is None else h
            try:
                delta = np.linalg.solve(a, s)
            except np.linalg.LinAlgError:
                return pt, False, rows, held
            th = pt.theta[act]
            se = 1.0 / np.sqrt(np.maximum(np.diag(pt.ai)[act], 1e-300))  # conditional SE
            at_hi = (delta > 0) & (hi[act] - th <= HOLD * se)
            at_lo = (delta < 0) & (th - lo[act] <= HOLD * se)
            push = at_hi | at_lo
            if not push.any():
                break
            idx = np.flatnonzero(act)[push]
            held[idx] = True
        gain = 0.5 * float(s @ delta)
        if not np.isfinite(gain) or gain < 0:
            return pt, False, rows, held
        if gain <= tol:
            return pt, True, rows, held
        alpha, new = _to_boundary(pt.theta[act], delta, lo[act], hi[act]), None
        for _ in range(MAX_HALVINGS):
            th = pt.theta.copy()
            th[act] += alpha * delta
            new = evaluate(problem, th)
            if new is not None and new.loglik > pt.loglik:
                break
            new, alpha = None, alpha / 2
        if new is None:
            return pt, False, rows, held
        damped = damped + 1 if alpha < 1.0 else 0
        pt = new
        now = time.perf_counter()
        rows.append({"iteration": it, "loglik": pt.loglik, "theta": pt.theta.copy(),
                     "step": alpha, "seconds": now - t0, "method": "V"})
        t0 = now
    return pt, False, rows, held


def observed_information(problem: MixedProblem, pt: VPoint, act: np.ndarray,
                         lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """−∂s/∂θ over the ``act`` parameters by central differences of V's score (one-sided
    next to a bound), symmetrised; None unless positive definite or where V fails."""
    idx = np.flatnonzero(act)
    cols = []
    for k in idx:
        h = FD_REL * max(abs(pt.theta[k]), 1.0 / np.sqrt(max(pt.ai[k, k], 1e-300)))
        up, dn = pt.theta.copy(), pt.theta.copy()
        up[k] = min(up[k] + h, pt.theta[k] + 0.5 * (hi[k] - pt.theta[k]))
        dn[k] = max(dn[k] - h, pt.theta[k] - 0.5 * (pt.theta[k] - lo[k]))
        a, b = evaluate(problem, up), evaluate(problem, dn)
        if a is None or b is None or up[k] == dn[k]:
            return None
        cols.append(-(a.score[idx] - b.score[idx]) / (up[k] - dn[k]))
    m = np.array(cols)
    m = 0.5 * (m + m.T)
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return None
    return m


class InverseFactor(DenseFactor):
    """A 'factor' of C that holds C⁻¹ itself (formed from V, :func:`evaluate`): solves and
    selected inverses read it; log|C| is not available (NaN)."""

    def __init__(self, cinv: np.ndarray) -> None:  # noqa: D107 - no factorization
        self.n = cinv.shape[0]
        self._inv = np.array(cinv, dtype=float)
        self._logdet = float("nan")
        self._cf = None  # type: ignore[assignment]

    def solve(self, b: np.ndarray) -> np.ndarray:
        return self._inv @ np.asarray(b, dtype=float)

    def root_solve(self, z: np.ndarray) -> None:  # type: ignore[override]
        return None

    def refactor(self, c_new: object) -> DenseFactor:
        return DenseFactor(c_new)  # type: ignore[arg-type]


def as_result(problem: MixedProblem, res: RemlResult, pt: VPoint, free: np.ndarray,
              converged: bool, rows: list[dict], note: str,
              held: np.ndarray | None = None) -> RemlResult:
    """``res`` with the estimates, ℓ, score, AI, β̂, û, PEV and C⁻¹ of ``pt`` (``free``: the
    parameters :func:`maximise` moved, ``held``: those it held on a bound, 'B'), its
    history extended by ``rows`` and ``note`` first among its diagnostics."""
    nt = problem.n_theta
    if held is not None and held.any():
        free = free & ~held
        for k in np.flatnonzero(held):
            res.constraints[k] = "B"
            res.boundary[k] = True
            res.diagnostics.append(
                f"parameter {problem.names[k]!r} is held at its bound "
                f"({pt.theta[k]:.10g}) on V: the likelihood increases towards it")
    ai = pt.ai.copy()
    ai[~free, :] = np.nan
    ai[:, ~free] = np.nan
    vc = np.full((nt, nt), np.nan)
    fi = np.flatnonzero(free)
    if fi.size:
        try:
            vc[np.ix_(fi, fi)] = np.linalg.inv(pt.ai[np.ix_(fi, fi)])
        except np.linalg.LinAlgError:
            pass
    p = pt.beta.size
    us, pevs, off = [], [], p
    d = np.diag(pt.cinv)
    for b in problem.random:
        qj = b.template.n
        th = pt.theta[b.offset:b.offset + b.template.n_params]
        G = np.asarray(to_dense(b.template.matrix(th)), dtype=float)
        us.append(G @ (_z(b).T @ pt.py))
        pevs.append(d[off:off + qj].copy())
        off += qj
    X = np.asarray(to_dense(problem.X), dtype=float).reshape(problem.y.size, -1)
    fitted = X @ pt.beta + sum((_z(b) @ u for b, u in zip(problem.random, us)),
                               np.zeros(problem.y.size))
    res.theta, res.loglik, res.converged = pt.theta.copy(), pt.loglik, converged
    res.score, res.ai, res.vcov_theta = pt.score.copy(), ai, vc
    res.beta, res.u, res.pev = pt.beta.copy(), us, pevs
    res.fitted, res.residuals = fitted, np.asarray(problem.y, dtype=float) - fitted
    res.vcov_beta = pt.cinv[:p, :p].copy()
    res.factor = InverseFactor(pt.cinv)
    res.solver = "dense"
    res.u_offsets = list(np.cumsum([p] + [b.template.n for b in problem.random])[:-1])
    last = res.n_iter
    for r in rows:
        res.history.append({**r, "iteration": last + r["iteration"]})
    res.n_iter = last + len(rows)
    res.diagnostics.insert(0, note)
    return res


def blank_result(problem: MixedProblem) -> RemlResult:
    """A result with no iterations yet, laid out for ``problem`` (for :func:`as_result`)."""
    nt, n = problem.n_theta, problem.y.size
    p = np.asarray(to_dense(problem.X)).reshape(n, -1).shape[1]
    return RemlResult(
        theta=np.asarray(problem.theta0, dtype=float).copy(), names=list(problem.names),
        constraints=[str(c) for c in problem.constraints], loglik=float("nan"),
        converged=False, n_iter=0, history=[], score=np.full(nt, np.nan),
        ai=np.full((nt, nt), np.nan), vcov_theta=np.full((nt, nt), np.nan),
        boundary=np.zeros(nt, dtype=bool), beta=np.zeros(p), u=[], fitted=np.zeros(n),
        residuals=np.zeros(n), n_minus_p=n - p, vcov_beta=np.zeros((p, p)), pev=[])


__all__ = ["DENSE_MAX", "InverseFactor", "VPoint", "as_result", "blank_result", "evaluate",
           "maximise"]
