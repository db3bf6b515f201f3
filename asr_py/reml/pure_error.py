"""An unbounded ℓ the iteration never walked towards: the pure-error contrasts (s32unb).

:mod:`asr_py.reml.unbounded` reads an unbounded ℓ where the fit ended with a singular
matrix. A fit can also stop at a local maximum elsewhere (a genetic matrix on its face, the
residual interior) while ℓ rises without bound along a singular residual. The cause is in
the design and the data, so it is read from them:

* the pure-error contrasts B (n x m, orthonormal): B'X = 0 and B'Z_j = 0 on the range of
  every random term's G_j (at the start values, where the templates are positive definite):
  records' contrasts that only the residual reaches (repeated records of an id, ids whose
  rows of a relationship matrix coincide);
* their REML log-likelihood ℓ_pe(R) = −½[log|B'RB| + b'(B'RB)⁻¹b], b = B'y, is maximised
  over the residual's linear PD block M = LL' (the other parameters at the estimates). For
  a ``units:us(trait)`` residual on complete records it is unbounded exactly when the m x t
  matrix of pure-error contrasts has rank < t (m < t: fewer replicate contrasts than
  traits); missing records are covered as they are (no formula needed);
* where that maximum is a singular M, ℓ itself (V formed directly) is probed there with the
  estimates of every other parameter (:func:`asr_py.reml.unbounded.probe`): the verdict
  rests on ℓ, not on ℓ_pe. (ℓ = ℓ_pe + ℓ of the other contrasts given B'y, whose
  conditional variance stays ≥ the random part's on its range: bounded as M turns
  singular.)

Dense: at most PE_MAX records and PE_M pure-error contrasts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.linalg as sla

from asr_py.reml.dense_v import evaluate as v_evaluate
from asr_py.reml.dense_v import maximise as v_maximise
from asr_py.reml.problem import MixedProblem
from asr_py.reml.unbounded import SMALL, Unbounded, probe
from asr_py.reml.v_loglik import VParts, v_parts

#: records at most (dense SVD of the design)
PE_MAX = 500
#: pure-error contrasts at most (ℓ_pe is maximised on m x m matrices)
PE_M = 400
#: the probe starts with ℓ_pe's null directions this far inside the cone (corr. scale)
START_RIDGE = 1e-4
#: other PD blocks' correlation-scale eigenvalues lifted to at least this at the probe
LIFT = 0.05
#: a singular value of W below this x the largest counts as 0
RANK_RTOL = 1e-10
#: ℓ_pe's BFGS restarted from where it stopped at most this many times (s33unb)
RESTARTS = 8


def pure_error_basis(parts: VParts, problem: MixedProblem) -> np.ndarray | None:
    """B (n x m) spanning the contrasts free of X and of every random term's range at the
    start values; None when there are none (or too many)."""
    cols = [parts.X]
    for b, Z in zip(problem.random, parts.Z):
        th0 = problem.theta0[b.offset:b.offset + b.template.n_params]
        try:  # range(G) = D^½ range(D^-½ G D^-½): judged on the correlation scale
            G = np.asarray(_dense(b.template.matrix(th0)), dtype=float)
            if _pd(G):  # range(Z G Z') = range(Z)
                cols.append(Z)
                continue
            d = np.diag(G).copy()
            sd = np.sqrt(np.where(d > 0, d, 1.0))
            w, U = np.linalg.eigh(0.5 * (G + G.T) / np.outer(sd, sd))
        except (np.linalg.LinAlgError, ValueError):
            return None
        keep = w > RANK_RTOL * max(float(np.abs(w).max()), 1e-300)
        cols.append(Z @ (sd[:, None] * U[:, keep]))
    W = np.hstack(cols)
    norm = np.linalg.norm(W, axis=0)
    W = W[:, norm > 0] / norm[norm > 0]  # (the rank does not depend on column scales)
    U, s, _ = np.linalg.svd(W, full_matrices=True)
    r = int(np.sum(s > RANK_RTOL * (s[0] if s.size else 1.0)))
    m = W.shape[0] - r
    if m <= 0 or m > PE_M:
        return None
    return U[:, r:]


def _pd(G: np.ndarray) -> bool:
    """G positive definite, judged on its correlation scale (Cholesky)."""
    d = np.diag(G)
    if not np.all(d > 0):
        return False
    try:
        np.linalg.cholesky(G / np.sqrt(np.outer(d, d)) - RANK_RTOL * np.eye(len(d)))
    except np.linalg.LinAlgError:
        return False
    return True


def _with(theta: np.ndarray, blk: Any, th_b: np.ndarray) -> np.ndarray:
    out = theta.copy()
    out[blk.idx] = th_b
    return out


def _dense(a: Any) -> np.ndarray:
    return a.toarray() if hasattr(a, "toarray") else np.asarray(a)


def _refit_loglik(problem: MixedProblem, free: np.ndarray, tol: float) -> Any:
    """ℓ at θ maximised on V over the ``free`` parameters (the residual block held):
    :func:`asr_py.reml.dense_v.maximise` from θ; None where V is not PD there."""
    def ll(theta: np.ndarray) -> float | None:
        start = v_evaluate(problem, theta)
        if start is None:
            return None
        try:
            pt = v_maximise(problem, start, free, tol)[0]
        except (np.linalg.LinAlgError, ValueError, ArithmeticError):
            return float(start.loglik)
        return float(max(pt.loglik, start.loglik))
    return ll


def _pe_null(blk: Any, theta: np.ndarray, B: np.ndarray, b: np.ndarray,
             A: list[np.ndarray], S0: np.ndarray | None) -> np.ndarray | None:
    """The null directions (data scale, columns) of the block's matrix M at the maximum of
    ℓ_pe(M) = −½[log|S| + b'S⁻¹b], S = Σ_k θ_k(M) A_k (+ the other residual parameters'
    part, S0 − Σ θ̂_k A_k, when the residual has more than the block), over M = D½ LL' D½
    (D: the estimate's variances, L's diagonal as logarithms: ℓ_pe ~ linear along an
    unbounded ray); None when M is not singular there."""
    from scipy.optimize import minimize  # (only here: a fit never pays its import)

    M = blk.matrix(theta)
    n = M.shape[0]
    tril = np.tril_indices(n)
    sd0 = np.sqrt(np.abs(np.diag(M)))
    if not np.all(sd0 > 0):
        return None
    rest = (np.zeros_like(A[0]) if S0 is None
            else S0 - sum(t0 * a for t0, a in zip(theta[blk.idx], A)))

    def theta_of(x: np.ndarray) -> np.ndarray:
        L = np.zeros((n, n))
        L[tril] = x
        L[np.diag_indices(n)] = np.exp(np.clip(np.diag(L), -300.0, 300.0))
        return np.asarray(blk.params_of(np.outer(sd0, sd0) * (L @ L.T)), dtype=float)

    def neg(x: np.ndarray) -> float:
        S = rest + sum(t * a for t, a in zip(theta_of(x), A))
        try:
            c = sla.cho_factor(0.5 * (S + S.T), lower=True)
        except (np.linalg.LinAlgError, ValueError):
            return 1e300
        return 0.5 * (2.0 * float(np.log(np.diag(c[0])).sum())
                      + float(b @ sla.cho_solve(c, b)))

    try:
        L0 = np.linalg.cholesky(M / np.outer(sd0, sd0) + 1e-9 * np.eye(n))
    except np.linalg.LinAlgError:
        return None
    L0[np.diag_indices(n)] = np.log(np.diag(L0))
    x, f = L0[tril], neg(L0[tril])
    for _ in range(RESTARTS):  # BFGS stops on "precision loss" along an unbounded ray
        opt = minimize(neg, x, method="BFGS", options={"maxiter": 400, "gtol": 1e-8})
        if not opt.fun < f - 1e-6:
            break
        x, f = opt.x, float(opt.fun)
    se = blk.scaled_eig(blk.matrix(_with(theta, blk, theta_of(x))))
    if se is None or not (se[0] < SMALL).any():
        return None
    mu, w, d = se
    return w[:, mu < SMALL] / np.sqrt(d)[:, None]


def _escape_along(problem: MixedProblem, blk: Any, theta: np.ndarray, lifted: np.ndarray,
                  M: np.ndarray, N: np.ndarray, tol: float
                  ) -> tuple[Unbounded, Any, list[float]] | None:
    """The probe of ℓ (every other parameter maximised again on V) with M singular along
    the columns of N (data scale)."""
    # M with the estimates' variances and null directions N: the Schur complement
    # M − MN(N'MN)⁻¹N'M (M N = 0 there), a ridge below SMALL inside
    Mn = M - M @ N @ np.linalg.solve(N.T @ M @ N, N.T @ M)
    Mn = 0.5 * (Mn + Mn.T)
    Mn = Mn + START_RIDGE * np.diag(np.diag(Mn))
    star = _with(lifted, blk, np.asarray(blk.params_of(Mn), dtype=float))
    free = np.ones(theta.size, dtype=bool)
    free[blk.idx] = False
    free &= np.array([str(c).upper() != "F" for c in problem.constraints], dtype=bool)
    seen: list[float] = []
    refit = _refit_loglik(problem, free, tol)

    def ll(th: np.ndarray) -> float | None:
        v = refit(th)
        if v is not None:
            seen.append(v)
        return v

    u = probe(blk, star, ll)
    if u is None:
        return None
    lam = blk.scaled_eig(blk.matrix(star))[0][0]
    return replace(u, lam=float(lam)), blk, seen


def residual_escape(problem: MixedProblem, theta: np.ndarray, loglik: float,
                    blocks: Sequence[Any], tol: float = 1e-6, few_only: bool = False
                    ) -> tuple[Unbounded, Any, list[float]] | None:
    """(finding on ℓ, block, ℓ at the probe's points) when ℓ is unbounded along a singular
    residual block that the fit left interior; None otherwise (module docstring).
    ``few_only``: looked for only when the pure-error contrasts are fewer than q² (q: the
    largest residual block's size; c complete replicate pairs give c·q contrasts and leave
    ℓ unbounded only for c < q): a cheap ℓ_pe at an interior optimum."""
    y = np.asarray(problem.y, dtype=float)
    off = problem.residual_offset
    res = [b for b in blocks if not b.corr and int(np.min(b.idx)) >= off]
    if not res or y.size > PE_MAX or not np.isfinite(loglik):
        return None
    B = pure_error_basis(v_parts(problem), problem)
    if B is None:
        return None
    if few_only and B.shape[1] >= max(b.matrix(theta).shape[0] for b in res) ** 2:
        return None
    tr = theta[off:]
    R0 = np.asarray(_dense(problem.residual.matrix(tr)), dtype=float)
    # contrasts whitened by the estimate's R (B'RB = I there): S = Σ θ_k B'R_kB then adds
    # terms of one scale whatever the traits' units (else trait 2's 1e-4 drowns in trait
    # 1's 3e5 roundoff)
    S = B.T @ R0 @ B
    ev, Ev = np.linalg.eigh(0.5 * (S + S.T))
    if not ev[0] > 0:
        return None
    B = B @ (Ev / np.sqrt(ev)) @ Ev.T
    derivs = [np.asarray(_dense(d), dtype=float) for d in problem.residual.derivatives(tr)]
    lifted = theta.copy()  # the other singular matrices lifted inside (ℓ_rest stays finite
    for b in blocks:       # along the probe only where G is PD on its range)
        if all(b is not r for r in res):
            up = b.project(lifted, LIFT)
            lifted = lifted if up is None else up
    for blk in res:
        local = np.asarray(blk.idx) - off
        whole = len(local) == problem.residual.n_params
        N = _pe_null(blk, theta, B, B.T @ y, [B.T @ derivs[k] @ B for k in local],
                     None if whole else B.T @ R0 @ B)
        if N is None:
            continue
        # ℓ_pe's null may be wider than ℓ's (the rest of the records pay for each null
        # direction): its sub-spaces of least variance under the estimate M, widest first
        M = blk.matrix(theta)
        Nq = np.linalg.qr(N)[0]
        _, Ev = np.linalg.eigh(Nq.T @ M @ Nq)
        for j in range(N.shape[1], 0, -1):
            got = _escape_along(problem, blk, theta, lifted, M, Nq @ Ev[:, :j], tol)
            if got is not None:
                return got
    return None


__all__ = ["PE_M", "PE_MAX", "pure_error_basis", "residual_escape"]
