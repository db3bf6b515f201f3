"""Preconditioned conjugate gradients for a symmetric positive definite system C x = b.

C is never formed: ``matvec(x)`` returns C x and ``precond(r)`` returns M^{-1} r for an SPD
preconditioner M (here block-Jacobi). With r_0 = b - C x_0, z_k = M^{-1} r_k:

    alpha_k = r_k'z_k / p_k'C p_k,  x_{k+1} = x_k + alpha_k p_k,  r_{k+1} = r_k - alpha_k C p_k,
    beta_k = r_{k+1}'z_{k+1} / r_k'z_k,  p_{k+1} = z_{k+1} + beta_k p_k.

Stops when ||r_k|| / ||b|| <= tol (the criterion BLUPF90 and MiX99 print, there squared),
checked on the true residual b - C x: the recursive r_k drifts from it in floating point, so
when r_k passes the test the true residual is computed; if that one does not pass, it
replaces r_k and the iteration restarts from it (p = z, beta = 0), which keeps the energy
norm of the error decreasing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["PcgInfo", "pcg"]


@dataclass
class PcgInfo:
    """Iterations done, convergence flag and the relative residual ||r||/||b|| per iteration."""

    iterations: int
    converged: bool
    history: list[float] = field(default_factory=list)

    @property
    def relative_residual(self) -> float:
        return self.history[-1] if self.history else float("nan")


def pcg(matvec: Callable[[np.ndarray], np.ndarray], b: np.ndarray,
        precond: Callable[[np.ndarray], np.ndarray], *, x0: np.ndarray | None = None,
        tol: float = 1e-12, maxit: int = 5000,
        callback: Callable[[int, float], None] | None = None) -> tuple[np.ndarray, PcgInfo]:
    """Solve C x = b by PCG (see the module docstring); returns (x, info)."""
    bnorm = float(np.linalg.norm(b))
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=float)
    if bnorm == 0.0:
        return np.zeros_like(b), PcgInfo(0, True, [0.0])
    r = b - matvec(x) if x0 is not None else b.copy()
    z = precond(r)
    p = z.copy()
    rz = float(r @ z)
    hist: list[float] = []
    for k in range(1, maxit + 1):
        q = matvec(p)
        alpha = rz / float(p @ q)
        x += alpha * p
        r -= alpha * q
        rel = float(np.linalg.norm(r)) / bnorm
        fresh = False
        if rel <= tol:  # confirm on the true residual
            r = b - matvec(x)
            rel, fresh = float(np.linalg.norm(r)) / bnorm, True
        hist.append(rel)
        if callback is not None:
            callback(k, rel)
        if rel <= tol:
            return x, PcgInfo(k, True, hist)
        z = precond(r)
        rz_new = float(r @ z)
        p = z if fresh else z + (rz_new / rz) * p
        rz = rz_new
    return x, PcgInfo(maxit, False, hist)
