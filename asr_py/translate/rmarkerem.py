"""rrBLUP's ``A.mat(X, impute.method = "EM")`` (Poland et al. 2012, Plant Genome 5:103; the
rrBLUP manual's details): missing marker scores imputed by an EM algorithm that treats the
markers as independent draws of the n-vector of lines' centred scores, W_k ~ N(μ, Σ).

With W = X + 1 − 2p (markers kept: MAF ≥ min.MAF, default 1/2n; missing ≤ max.missing,
default 1 − 1/2n) and var.A = 2 mean_k p_k(1 − p_k), start from NA = 0 (the mean), μ the row
means and Σ the covariance across markers. Each iteration, for marker k with missing lines M
and observed O:
    E[W_M] = μ_M + Σ_MO Σ_OO⁻¹ (W_O − μ_O),   C_k = Σ_MM − Σ_MO Σ_OO⁻¹ Σ_OM,
    S = Σ_k (Ŵ_k Ŵ_k' + C_k on M×M),  μ = rowmeans(Ŵ),  Σ = (S − m μμ')/(m − 1),
    A = (Σ + μμ')/var.A,
until ‖A_t − A_{t−1}‖_F / n < tol. As rrBLUP, the mean imputation is used instead when
m < n or rank(Σ) < n − 1 (lines linearly dependent), with a warning."""
from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg as sla

__all__ = ["amat_em"]


def _estep(W: np.ndarray, miss: np.ndarray, mu: np.ndarray, S: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Imputed W and the sum over markers of E[W_k W_k'] (the markers sharing a missing
    pattern share one solve)."""
    n, m = W.shape
    Wn = W.copy()
    acc = np.zeros((n, n))
    patterns: dict[bytes, list[int]] = {}
    for k in np.flatnonzero(miss.any(axis=0)):
        patterns.setdefault(miss[:, k].tobytes(), []).append(int(k))
    for cols in patterns.values():
        mk = miss[:, cols[0]]
        o, q = np.flatnonzero(~mk), np.flatnonzero(mk)
        fac = sla.cho_factor(S[np.ix_(o, o)], lower=True, check_finite=False) \
            if o.size else None
        Soq = S[np.ix_(o, q)]
        B = sla.cho_solve(fac, Soq, check_finite=False) if fac is not None else \
            np.zeros((0, q.size))
        Wo = W[np.ix_(o, cols)] - mu[o, None]
        Wn[np.ix_(q, cols)] = mu[q, None] + B.T @ Wo
        C = S[np.ix_(q, q)] - Soq.T @ B
        acc[np.ix_(q, q)] += len(cols) * C
    acc += Wn @ Wn.T
    return Wn, acc


def amat_em(X: np.ndarray, *, min_maf: float | None = None, max_missing: float | None = None,
            tol: float = 0.02, max_iter: int = 500) -> tuple[np.ndarray, int]:
    """rrBLUP's A with EM imputation (module docstring) of X (lines x markers, -1/0/1 with
    NaN for missing); returns (A, iterations), iterations 0 when the mean imputation was
    used."""
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    nan = np.isnan(X)
    frac = nan.mean(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        freq = np.nanmean(X + 1, axis=0) / 2
    maf = np.minimum(freq, 1 - freq)
    min_maf = 1 / (2 * n) if min_maf is None else float(min_maf)
    max_missing = 1 - 1 / (2 * n) if max_missing is None else float(max_missing)
    keep = (maf >= min_maf) & (frac <= max_missing)
    m = int(keep.sum())
    if m == 0:
        raise ValueError("no marker passes min.MAF and max.missing")
    p = freq[keep]
    var_a = 2 * float(np.mean(p * (1 - p)))
    W = X[:, keep] + 1 - 2 * p
    miss = np.isnan(W)
    W[miss] = 0.0
    mean_A = (W @ W.T) / var_a / m
    if m < n:
        warnings.warn("A.mat(impute.method = 'EM'): fewer markers than lines; imputing with "
                      "the mean instead (as rrBLUP)", stacklevel=2)
        return mean_A, 0
    mu = W.mean(axis=1)
    S = np.cov(W)
    if np.linalg.matrix_rank(S) < n - 1:
        warnings.warn("A.mat(impute.method = 'EM'): linear dependency among the lines; "
                      "imputing with the mean instead (as rrBLUP)", stacklevel=2)
        return mean_A, 0
    A = (S + np.outer(mu, mu)) / var_a
    for it in range(1, max_iter + 1):
        W_imp, acc = _estep(W, miss, mu, S)
        mu = W_imp.mean(axis=1)
        S = (acc - m * np.outer(mu, mu)) / (m - 1)
        A_new = (S + np.outer(mu, mu)) / var_a
        err = np.linalg.norm(A_new - A, "fro") / n
        A = A_new
        if err < tol:
            return A, it
    warnings.warn(f"A.mat(impute.method = 'EM'): not converged in {max_iter} iterations",
                  stacklevel=2)
    return A, max_iter
