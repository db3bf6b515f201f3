"""An independent dense-V REML for the tests (numpy/scipy only: never imports asr_py).

    ℓ(θ) = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py],  P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹

(lme4's ``logLik(REML = TRUE)``). The caller builds ``V = Σ Z_k G_k Z_k' + R`` from its own
parameters (the structure builders below: ar1, corgh, fa, Kronecker products); the
optimisers work from several starts with bounds (Cholesky factors make a covariance
matrix's positive-definite boundary and a zero variance reachable). :func:`gls` gives β̂ and
Cov(β̂), :func:`blup` the BLUPs û = GZ'Py and their prediction error variances
PEV = Var(u − û) = G − GZ'PZG.

tests/ is on ``sys.path`` through tests/conftest.py: ``from _dense_reml import reml_loglik``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.linalg as sla
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

LOG2PI = float(np.log(2 * np.pi))
Bounds = Sequence[tuple[float | None, float | None]]


# --------------------------------------------------------------------------- likelihood
def reml_loglik(y: np.ndarray, X: np.ndarray, V: np.ndarray, *, ml: bool = False) -> float:
    """The full REML (``ml=True``: ML) log-likelihood at a dense V (−inf if V or X'V⁻¹X is
    not positive definite)."""
    n, p = X.shape
    try:
        L = np.linalg.cholesky(V)
    except np.linalg.LinAlgError:
        return -np.inf
    vi_x = sla.cho_solve((L, True), X)
    vi_y = sla.cho_solve((L, True), y)
    xvx = X.T @ vi_x
    try:
        Lx = np.linalg.cholesky(xvx)
    except np.linalg.LinAlgError:
        return -np.inf
    beta = sla.cho_solve((Lx, True), X.T @ vi_y)
    ypy = float(y @ vi_y - (X.T @ vi_y) @ beta)
    logdet_v = 2 * float(np.log(np.diag(L)).sum())
    if ml:
        return -0.5 * (n * LOG2PI + logdet_v + ypy)
    logdet_x = 2 * float(np.log(np.diag(Lx)).sum())
    return -0.5 * ((n - p) * LOG2PI + logdet_v + logdet_x + ypy)


def gls(y: np.ndarray, X: np.ndarray, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GLS β̂ = (X'V⁻¹X)⁻¹X'V⁻¹y and Cov(β̂) = (X'V⁻¹X)⁻¹."""
    L = np.linalg.cholesky(V)
    xs = sla.solve_triangular(L, X, lower=True)
    ys = sla.solve_triangular(L, y, lower=True)
    cov = np.linalg.inv(xs.T @ xs)
    return cov @ (xs.T @ ys), cov


def blup(y: np.ndarray, X: np.ndarray, V: np.ndarray, Z: np.ndarray, G: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """BLUP û = GZ'Py of one random term u ~ N(0, G) with design Z (V includes ZGZ'), and its
    prediction error variances diag(G − GZ'PZG)."""
    vi = np.linalg.inv(V)
    vx = vi @ X
    P = vi - vx @ np.linalg.solve(X.T @ vx, vx.T)
    gz = G @ Z.T
    return gz @ P @ y, np.diag(G - gz @ P @ gz.T).copy()


# --------------------------------------------------------------------------- designs
def indicator(codes: pd.Series | np.ndarray, levels: Sequence[object] | None = None
              ) -> np.ndarray:
    """n x q 0/1 incidence of a factor (columns in ``levels`` order, default sorted)."""
    s = pd.Series(np.asarray(codes))
    lv = list(levels) if levels is not None else sorted(s.dropna().unique())
    return (s.to_numpy()[:, None] == np.asarray(lv, dtype=object)[None, :]).astype(float)


def tabular_a(sires: Sequence[object], dams: Sequence[object]) -> np.ndarray:
    """Numerator relationship matrix A by the tabular method, animal by animal (parents
    before offspring; ``sires[i]``/``dams[i]`` are positions of earlier animals, or None):
    A_ij = ½(A_j,s + A_j,d) for j < i, A_ii = 1 + ½A_s,d."""
    n = len(sires)
    A = np.zeros((n, n))
    for i, (si, di) in enumerate(zip(sires, dams)):
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, si] if si is not None else 0.0)
                                       + (A[j, di] if di is not None else 0.0))
        A[i, i] = 1.0 + (0.5 * A[si, di] if si is not None and di is not None else 0.0)
    return A


def drop_aliased(X: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """X without its aliased columns (pivoted QR), the kept ones in their original order."""
    _, rf, piv = sla.qr(X, mode="economic", pivoting=True)
    keep = piv[np.abs(np.diag(rf)) > tol * abs(rf[0, 0])]
    return X[:, np.sort(keep)]


def ar1(n: int, rho: float, pos: np.ndarray | None = None) -> np.ndarray:
    """n x n AR(1) correlation ρ^|i−j| (``pos``: the positions, default 0..n−1)."""
    p = np.arange(n) if pos is None else np.asarray(pos, float)
    return rho ** np.abs(p[:, None] - p[None, :])


def corgh(corr: Sequence[float], var: Sequence[float]) -> np.ndarray:
    """k x k covariance with the given standard-order lower correlations (asreml's order:
    (2,1), (3,1), (3,2), ...) and variances."""
    k = len(var)
    C = np.eye(k)
    C[np.tril_indices(k, -1)] = corr
    C = np.tril(C) + np.tril(C, -1).T
    s = np.sqrt(np.asarray(var, float))
    return C * np.outer(s, s)


def fa_cov(loadings: np.ndarray, psi: Sequence[float]) -> np.ndarray:
    """ΛΛ' + diag(ψ) of a factor-analytic structure (Λ: k x f)."""
    lam = np.asarray(loadings, float).reshape(len(psi), -1)
    return lam @ lam.T + np.diag(np.asarray(psi, float))


def chol_from(x: np.ndarray, k: int) -> np.ndarray:
    """Lower-triangular k x k factor from its k(k+1)/2 entries (row by row)."""
    L = np.zeros((k, k))
    L[np.tril_indices(k)] = x
    return L


def chol_entries(S: np.ndarray) -> np.ndarray:
    """Entries of a Cholesky factor of a PSD S (a tiny ridge for a singular one)."""
    k = S.shape[0]
    dg = np.sqrt(np.clip(np.diag(S), 1e-300, None))  # each variance on its own scale
    C = S / np.outer(dg, dg)
    for ridge in (1e-12, 1e-10, 1e-8):
        try:
            L = np.linalg.cholesky(C + ridge * np.eye(k))
            break
        except np.linalg.LinAlgError:
            continue
    else:
        raise np.linalg.LinAlgError("chol_entries: S is not positive semi-definite")
    return (dg[:, None] * L)[np.tril_indices(k)]


# --------------------------------------------------------------------------- splines
def gs_q_r(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Green & Silverman's (1994, §2.1.2) Q (r x (r − 2)) and R ((r − 2) x (r − 2)) of the
    knots t: the cubic smoothing spline's penalty is γ'Q R⁻¹ Q'γ (written out here, not
    asr_py's)."""
    h = np.diff(t)
    r = t.size
    Q = np.zeros((r, r - 2))
    R = np.zeros((r - 2, r - 2))
    for j in range(1, r - 1):
        Q[j - 1, j - 1], Q[j + 1, j - 1] = 1 / h[j - 1], 1 / h[j]
        Q[j, j - 1] = -1 / h[j - 1] - 1 / h[j]
        R[j - 1, j - 1] = (h[j - 1] + h[j]) / 3
        if j < r - 2:
            R[j - 1, j] = R[j, j - 1] = h[j] / 6
    return Q, R


# --------------------------------------------------------------------------- optimisers
def maximise(fun: Callable[[np.ndarray], float], starts: Sequence[np.ndarray],
             bounds: Bounds | None = None, *, polish: bool = True) -> tuple[np.ndarray, float]:
    """max fun(x) from several starts: BFGS/L-BFGS-B, then (``polish``) a Nelder-Mead polish
    and BFGS/L-BFGS-B again; best wins."""
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: threads only cost
        return _maximise(fun, starts, bounds, polish)


def _neg(fun: Callable[[np.ndarray], float]) -> Callable[[np.ndarray], float]:
    def neg(x: np.ndarray) -> float:
        f = fun(x)
        return 1e300 if not np.isfinite(f) else -f
    return neg


def _maximise(fun: Callable[[np.ndarray], float], starts: Sequence[np.ndarray],
              bounds: Bounds | None, polish: bool = True) -> tuple[np.ndarray, float]:
    best_x, best_f = None, -np.inf
    neg = _neg(fun)
    method = "L-BFGS-B" if bounds else "BFGS"
    for x0 in starts:
        r = minimize(neg, np.asarray(x0, float), method=method, bounds=bounds,
                     options={"maxiter": 300, "gtol": 1e-8})
        x = r.x
        if not polish:
            f = fun(x)
            if f > best_f:
                best_x, best_f = x, f
            continue
        r2 = minimize(neg, x, method="Nelder-Mead", bounds=bounds,
                      options={"maxiter": 200 * x.size, "xatol": 1e-9, "fatol": 1e-12,
                               "adaptive": True})
        x = r2.x
        r3 = minimize(neg, x, method=method, bounds=bounds,
                      options={"maxiter": 300, "gtol": 1e-9})
        if -r3.fun >= -r2.fun:
            x = r3.x
        f = fun(x)
        if f > best_f:
            best_x, best_f = x, f
    assert best_x is not None
    return best_x, best_f


def bfgs_max(fun: Callable[[np.ndarray], float], x0: np.ndarray) -> float:
    """max fun by scipy's BFGS (numerical gradient) from x0: the dense optimum near x0
    (cheaper than :func:`maximise` when x0 is already close)."""
    with threadpool_limits(limits=1, user_api="blas"):
        r = minimize(_neg(fun), np.asarray(x0, float), method="BFGS",
                     options={"gtol": 1e-7, "maxiter": 500})
    return -float(r.fun)


def lbfgsb_max(fun: Callable[[np.ndarray], float], x0: np.ndarray, scale: Sequence[float],
               bounds: Bounds) -> tuple[np.ndarray, float]:
    """max fun by one L-BFGS-B run (numerical gradient) in the scaled variables x / scale:
    cheaper than :func:`maximise` for a smooth ℓ with a few parameters."""
    sc = np.asarray(scale, dtype=float)
    bs = [(None if a is None else a / c, None if b is None else b / c)
          for (a, b), c in zip(bounds, sc)]
    neg = _neg(lambda z: fun(z * sc))
    with threadpool_limits(limits=1, user_api="blas"):
        r = minimize(neg, np.asarray(x0, float) / sc, method="L-BFGS-B", bounds=bs,
                     options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-9})
    return r.x * sc, -float(r.fun)


def fit_dense(y: np.ndarray, X: np.ndarray, build_v: Callable[[np.ndarray], np.ndarray | None],
              starts: Sequence[np.ndarray], bounds: Bounds | None = None, *,
              scale: Sequence[float] | None = None, ml: bool = False, polish: bool = True
              ) -> tuple[np.ndarray, float]:
    """REML optimum of V = build_v(x) (None: outside the parameter space) from several starts;
    ``scale`` divides each parameter so the optimiser sees numbers of order one."""
    sc = np.ones(len(starts[0])) if scale is None else np.asarray(scale, float)

    def ll(z: np.ndarray) -> float:
        V = build_v(z * sc)
        return -np.inf if V is None else reml_loglik(y, X, V, ml=ml)

    bs = None if bounds is None else [
        (None if a is None else a / c, None if b is None else b / c)
        for (a, b), c in zip(bounds, sc)]
    z, f = maximise(ll, [np.asarray(s, float) / sc for s in starts], bs, polish=polish)
    return z * sc, f


def lag_power(rho: float, lag: np.ndarray) -> np.ndarray:
    """``rho ** lag.astype(float)`` for an integer ``lag`` array: each distinct power once
    (np.power of the same operands, so the same doubles), picked by index — an n x n
    elementwise power is most of a dense-V evaluation."""
    return np.power(rho, np.arange(int(lag.max()) + 1, dtype=float))[lag]
