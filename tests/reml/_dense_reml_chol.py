"""An independent dense-V REML for the engine tests (numpy/scipy only, no asr_py).

    ℓ(θ) = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py],  P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹

(lme4's ``logLik(REML = TRUE)``). ``V`` is built by the caller from its own parameters; the
optimiser works on Cholesky factors so a covariance matrix's positive-definite boundary
(a zero diagonal of its factor) and a variance at zero are reachable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.linalg as sla
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

LOG2PI = float(np.log(2 * np.pi))


def reml_loglik(y: np.ndarray, X: np.ndarray, V: np.ndarray) -> float:
    """The full REML log-likelihood at a dense V (−inf if V is not positive definite)."""
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
    logdet_x = 2 * float(np.log(np.diag(Lx)).sum())
    return -0.5 * ((n - p) * LOG2PI + logdet_v + logdet_x + ypy)


def chol_from(x: np.ndarray, k: int) -> np.ndarray:
    """Lower-triangular k x k factor from its k(k+1)/2 entries (row by row)."""
    L = np.zeros((k, k))
    L[np.tril_indices(k)] = x
    return L


def chol_entries(S: np.ndarray) -> np.ndarray:
    """Entries of a Cholesky factor of a PSD S (a tiny ridge for a singular one)."""
    k = S.shape[0]
    L = np.linalg.cholesky(S + 1e-12 * np.trace(S) * np.eye(k))
    return L[np.tril_indices(k)]


def maximise(fun: Callable[[np.ndarray], float], starts: Sequence[np.ndarray],
             bounds: Sequence[tuple[float | None, float | None]] | None = None
             ) -> tuple[np.ndarray, float]:
    """max fun(x) from several starts: BFGS/L-BFGS-B, then Nelder-Mead polish; best wins."""
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: threads only cost
        return _maximise(fun, starts, bounds)


def _maximise(fun: Callable[[np.ndarray], float], starts: Sequence[np.ndarray],
              bounds: Sequence[tuple[float | None, float | None]] | None
              ) -> tuple[np.ndarray, float]:
    best_x, best_f = None, -np.inf

    def neg(x: np.ndarray) -> float:
        f = fun(x)
        return 1e300 if not np.isfinite(f) else -f

    for x0 in starts:
        r = minimize(neg, np.asarray(x0, float), method="L-BFGS-B" if bounds else "BFGS",
                     bounds=bounds, options={"maxiter": 300, "gtol": 1e-8})
        x = r.x
        for _ in range(1):
            r2 = minimize(neg, x, method="Nelder-Mead", bounds=bounds,
                          options={"maxiter": 200 * x.size, "xatol": 1e-9, "fatol": 1e-12,
                                   "adaptive": True})
            x = r2.x
            r3 = minimize(neg, x, method="L-BFGS-B" if bounds else "BFGS", bounds=bounds,
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
    def neg(x: np.ndarray) -> float:
        f = fun(x)
        return 1e300 if not np.isfinite(f) else -f

    with threadpool_limits(limits=1, user_api="blas"):
        r = minimize(neg, np.asarray(x0, float), method="BFGS",
                     options={"gtol": 1e-7, "maxiter": 500})
    return -float(r.fun)


def lbfgsb_max(fun: Callable[[np.ndarray], float], x0: np.ndarray, scale: Sequence[float],
               bounds: Sequence[tuple[float | None, float | None]]) -> tuple[np.ndarray, float]:
    """max fun by one L-BFGS-B run (numerical gradient) in the scaled variables x / scale:
    cheaper than :func:`maximise` for a smooth ℓ with a few parameters."""
    sc = np.asarray(scale, dtype=float)
    bs = [(None if a is None else a / c, None if b is None else b / c)
          for (a, b), c in zip(bounds, sc)]

    def neg(z: np.ndarray) -> float:
        f = fun(z * sc)
        return 1e300 if not np.isfinite(f) else -f

    with threadpool_limits(limits=1, user_api="blas"):
        r = minimize(neg, np.asarray(x0, float) / sc, method="L-BFGS-B", bounds=bs,
                     options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-9})
    return r.x * sc, -float(r.fun)

