"""The nearest positive-definite matrix as R's ``Matrix::nearPD()`` computes it (Higham 2002,
"Computing the nearest correlation matrix", IMA J Numer Anal 22: 329-343), used by
ASRgenomics' ``G.tuneup(bend = TRUE)`` to "bend" a genomic relationship matrix.

Alternating projections with Dykstra's correction ``D``: from ``X_0 = x``, each step takes
``R = X_k - D``, its eigen-decomposition ``R = Q diag(d) Q'`` (d decreasing), keeps the
eigenpairs with ``d_i > eig.tol * d_1`` and sets ``X_{k+1} = Q_+ diag(d_+) Q_+'``,
``D = X_{k+1} - R``, symmetrised ``(X + X')/2``; with ``corr`` the diagonal is reset to 1,
with ``keepDiag`` to x's. It stops when ``||X_k - X_{k+1}|| / ||X_k|| <= conv.tol`` (norm
"I": the largest absolute row sum) or after ``maxit`` steps; an x that is not symmetric
is replaced by ``(x + x')/2`` first. With ``do2eigen`` the result's
eigenvalues below ``posd.tol * |d_1|`` are then raised to that floor and the matrix rescaled
so its diagonal is ``max(floor, old diagonal)`` (``D X D`` with ``D = sqrt(max(floor,
diag_old) / diag_new)``), which makes it positive definite, not merely semi-definite.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from asr_py.errors import AsrError

__all__ = ["NearPD", "near_pd"]


@dataclass(frozen=True)
class NearPD:
    """The result: the matrix, whether the projections converged, the steps taken and the
    last relative change."""

    mat: np.ndarray
    converged: bool
    iterations: int
    rel_tol: float


def _norm(a: np.ndarray, kind: str) -> float:
    if kind in ("I", "i"):
        return float(np.abs(a).sum(axis=1).max())
    if kind in ("O", "o", "1"):
        return float(np.abs(a).sum(axis=0).max())
    if kind in ("F", "f", "E", "e"):
        return float(np.sqrt((a * a).sum()))
    if kind in ("M", "m"):
        return float(np.abs(a).max())
    raise AsrError(f"nearPD(conv.norm.type = \"{kind}\"): not a norm type",
                   hint='use "I" (the default), "O", "F" or "M"')


def near_pd(x: np.ndarray, *, corr: bool = False, keep_diag: bool = False,
            do2eigen: bool = True, do_sym: bool = False, do_dykstra: bool = True,
            eig_tol: float = 1e-6, conv_tol: float = 1e-7, posd_tol: float = 1e-8,
            maxit: int = 100, conv_norm_type: str = "I") -> NearPD:
    """Higham's alternating projections (module docstring); ``x`` is symmetric n x n."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] != x.shape[1]:
        raise AsrError(f"nearPD(): x must be a square matrix, not shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise AsrError("nearPD(): x has missing or infinite values",
                       hint="remove or impute them before bending")
    if not np.allclose(x, x.T, rtol=100 * np.finfo(float).eps, atol=0.0):
        x = (x + x.T) / 2                              # R's symmpart(x)
    n = x.shape[0]
    diag0 = np.diag(x).copy()
    X = x.copy()
    D_S = np.zeros_like(X)
    it, conv, converged = 0, np.inf, False
    while it < maxit and not converged:
        Y = X
        R = Y - D_S if do_dykstra else Y
        d, Q = np.linalg.eigh(R)
        d, Q = d[::-1], Q[:, ::-1]                      # decreasing, as R's eigen()
        keep = d > eig_tol * d[0]
        if not keep.any():
            raise AsrError("nearPD(): the matrix seems negative semi-definite",
                           hint="check the matrix: its largest eigenvalue is not positive")
        Qp = Q[:, keep]
        X = (Qp * d[keep]) @ Qp.T
        if do_dykstra:
            D_S = X - R
        if do_sym:
            X = (X + X.T) / 2
        if corr:
            np.fill_diagonal(X, 1.0)
        elif keep_diag:
            np.fill_diagonal(X, diag0)
        conv = _norm(Y - X, conv_norm_type) / _norm(Y, conv_norm_type)
        it += 1
        converged = conv <= conv_tol
    if do2eigen:
        d, Q = np.linalg.eigh(X)
        d, Q = d[::-1], Q[:, ::-1]
        eps = posd_tol * abs(d[0])
        if d[n - 1] < eps:
            d = np.where(d < eps, eps, d)
            old = np.diag(X).copy()
            X = (Q * d) @ Q.T
            s = np.sqrt(np.maximum(eps, old) / np.diag(X))
            X = s[:, None] * X * s[None, :]
        if corr:
            np.fill_diagonal(X, 1.0)
        elif keep_diag:
            np.fill_diagonal(X, diag0)
    return NearPD(mat=X, converged=bool(converged), iterations=it, rel_tol=float(conv))
