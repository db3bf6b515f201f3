"""The response centred on its least-squares fit before REML: y* = y − Xβ₀.

REML depends on y only through the error contrasts K'y with K'X = 0, so y and y* = y − Xβ₀
have the same restricted likelihood, variance estimates and BLUPs, for any β₀; the BLUEs of
y* are β̂ − β₀ and its fitted values Xβ̂ + Zû − Xβ₀. With β₀ the ordinary least-squares
coefficients, y* is of the size of the residuals: quantities such as y'R⁻¹y − b'W'R⁻¹y (the
y'Py of the log-likelihood) no longer cancel digits when the mean is large compared with the
spread (yields of 10⁶ ± 1, traits whose means are 10⁴ apart), and the engine's scale
(var(y*)) no longer includes the gaps between trait means.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult
from asr_py.reml.sparse_x import gram_solver, prefer_sparse_x


def _ols(x: np.ndarray | sp.spmatrix, y: np.ndarray) -> np.ndarray:
    """β₀ with X'X β₀ = X'y (a ridge of 1e-10 x the mean diagonal keeps a near-singular X'X
    solvable; β₀ need not be exact, only make y − Xβ₀ small), refined once."""
    xtx = x.T @ x
    if sp.issparse(x) and prefer_sparse_x(x):  # thousands of factor columns: sparse X'X
        xs = sp.csc_matrix(xtx)
        d = float(np.mean(xs.diagonal())) if xs.shape[0] else 1.0
        try:
            solve = gram_solver(xs + sp.identity(xs.shape[0]) * 1e-10 * (d if d > 0 else 1.0))
        except np.linalg.LinAlgError:
            return np.zeros(xs.shape[0])
    else:
        xtx = xtx.toarray() if sp.issparse(xtx) else np.asarray(xtx, dtype=float)
        d = float(np.mean(np.diag(xtx))) if xtx.size else 1.0
        a = xtx + np.eye(xtx.shape[0]) * 1e-10 * (d if d > 0 else 1.0)
        try:
            c = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            return np.zeros(xtx.shape[0])

        def solve(b: np.ndarray) -> np.ndarray:
            return np.linalg.solve(c.T, np.linalg.solve(c, b))

    beta = solve(np.asarray(x.T @ y).ravel())
    r = y - np.asarray(x @ beta).ravel()
    return beta + solve(np.asarray(x.T @ r).ravel())


def centre_response(problem: MixedProblem) -> tuple[MixedProblem, np.ndarray]:
    """(the problem with y − Xβ₀, β₀); β₀ = 0 when X has no columns or y is already small."""
    x = problem.X
    p = x.shape[1]
    y = np.asarray(problem.y, dtype=float).ravel()
    if p == 0 or y.size == 0:
        return problem, np.zeros(p)
    beta0 = _ols(x, y)
    ystar = y - np.asarray(x @ beta0).ravel()
    if not np.all(np.isfinite(ystar)) or np.sum(ystar ** 2) >= np.sum(y ** 2):
        return problem, np.zeros(p)
    return replace(problem, y=ystar, random=list(problem.random)), beta0


def restore_response(result: RemlResult, problem: MixedProblem, beta0: np.ndarray
                     ) -> RemlResult:
    """The result for the original y: β̂ = β̂* + β₀, fitted + Xβ₀ (residuals unchanged)."""
    if not np.any(beta0):
        return result
    result.beta = np.asarray(result.beta, dtype=float) + beta0
    result.fitted = np.asarray(result.fitted, dtype=float) + np.asarray(
        problem.X @ beta0).ravel()
    return result


__all__ = ["centre_response", "restore_response"]
