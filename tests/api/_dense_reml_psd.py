"""An independent dense-V REML fit (numpy/scipy only; no asr_py) for a linear covariance model

    y ~ N(Xβ, V(θ)),   V(θ) = Σ_k θ_k V_k,

    ℓ(θ) = −½[(n − p) log 2π + log|V| + log|X'V⁻¹X| + y'Py],
    P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹,
    s_k = −½[tr(P V_k) − y'P V_k P y],   F_kl = ½ tr(P V_k P V_l),

maximised by Fisher scoring (θ ← θ + F⁻¹s) with step halving. Used by the tests of singular
relationship matrices (test_psd_known.py) and of mv_start='pairwise' (test_mv_pairwise.py):
the V_k are built there from K and the designs directly, never from asr_py's templates.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

LOG2PI = float(np.log(2 * np.pi))


def _parts(y: np.ndarray, X: np.ndarray, V: np.ndarray):
    """(ℓ, P) at V; raises LinAlgError when V is not PD."""
    n, p = X.shape
    cv = sla.cho_factor(V, lower=True)
    vi_x = sla.cho_solve(cv, X)
    xvx = X.T @ vi_x
    cx = sla.cho_factor(xvx, lower=True)
    vi = sla.cho_solve(cv, np.eye(n))
    P = vi - vi_x @ sla.cho_solve(cx, vi_x.T)
    P = 0.5 * (P + P.T)
    ld_v = 2 * np.log(np.diag(cv[0])).sum()
    ld_x = 2 * np.log(np.diag(cx[0])).sum()
    ll = -0.5 * ((n - p) * LOG2PI + ld_v + ld_x + float(y @ P @ y))
    return ll, P


def loglik(y: np.ndarray, X: np.ndarray, comps: list[np.ndarray], theta) -> float:
    """ℓ(θ) for V = Σ θ_k V_k."""
    V = sum(t * c for t, c in zip(theta, comps))
    return _parts(y, X, V)[0]


def fit(y: np.ndarray, X: np.ndarray, comps: list[np.ndarray], theta0,
        maxit: int = 200, tol: float = 1e-11) -> tuple[np.ndarray, float]:
    """(θ̂, ℓ(θ̂)) by Fisher scoring from θ0 (an interior optimum is assumed)."""
    theta = np.asarray(theta0, dtype=float).copy()
    V = sum(t * c for t, c in zip(theta, comps))
    ll, P = _parts(y, X, V)
    for _ in range(maxit):
        py = P @ y
        A = [P @ c for c in comps]
        s = np.array([-0.5 * (np.trace(a) - py @ c @ py) for a, c in zip(A, comps)])
        F = np.array([[0.5 * np.sum(a * b.T) for b in A] for a in A])
        step = np.linalg.solve(F, s)
        for _h in range(30):
            new = theta + step
            try:
                ll_new, P_new = _parts(y, X, sum(t * c for t, c in zip(new, comps)))
            except np.linalg.LinAlgError:
                step = step / 2
                continue
            if ll_new >= ll - 1e-12:
                break
            step = step / 2
        else:
            raise RuntimeError("dense REML: no step increased the log-likelihood")
        done = abs(ll_new - ll) < tol and np.max(np.abs(new - theta)) < 1e-9 * max(
            1.0, np.max(np.abs(new)))
        theta, ll, P = new, ll_new, P_new
        if done:
            return theta, ll
    raise RuntimeError("dense REML did not converge")


def sym_basis(t: int) -> list[np.ndarray]:
    """E_ab + E_ba (a >= b, lower triangle by rows: (0,0), (1,0), (1,1), ...) for a t x t
    unstructured matrix, ASReml's parameter order."""
    out = []
    for a in range(t):
        for b in range(a + 1):
            e = np.zeros((t, t))
            e[a, b] = e[b, a] = 1.0
            out.append(e)
    return out


def p_matrix(X: np.ndarray, comps: list[np.ndarray], theta) -> np.ndarray:
    """P at θ (for BLUPs û = G Z'P y and PEV = diag(G − G Z'P Z G))."""
    V = sum(t * c for t, c in zip(theta, comps))
    return _parts(np.zeros(X.shape[0]), X, V)[1]
