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

__all__ = ["PcgInfo", "pcg", "pcg_block"]


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


def pcg_block(matvec: Callable[[np.ndarray], np.ndarray], b: np.ndarray,
              precond: Callable[[np.ndarray], np.ndarray], *, x0: np.ndarray | None = None,
              tol: float = 1e-8, maxit: int = 5000) -> tuple[np.ndarray, PcgInfo, np.ndarray]:
    """PCG on the m right-hand sides of ``b`` (N, m) at once: column j is its own CG (its own
    alpha_j, beta_j), but each iteration makes *one* call ``matvec(P)`` on the block of the
    columns still iterating (one pass over the records for all of them). A column stops when
    its ||r_j|| / ||b_j|| <= tol, confirmed on its true residual as in :func:`pcg` (restart
    from it otherwise). Returns (x, info, relative residual per column); ``info.history`` is
    the largest relative residual of the still active columns per iteration."""
    bnorm = np.linalg.norm(b, axis=0)
    bnorm = np.where(bnorm > 0, bnorm, 1.0)
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=float)
    r = b - matvec(x) if x0 is not None else b.copy()
    rel = np.linalg.norm(r, axis=0) / bnorm
    act = np.flatnonzero(rel > tol)
    # the active columns are kept compact (contiguous copies); a column leaving is written back
    xa, ra, ba, bn = x[:, act], r[:, act], b[:, act], bnorm[act]
    z = precond(ra)
    p = z.copy()
    rz = np.einsum("ij,ij->j", ra, z)
    tmp = z                                         # scratch block, reused
    hist: list[float] = []
    for k in range(1, maxit + 1):
        if act.size == 0:
            return x, PcgInfo(k - 1, True, hist), rel
        q = matvec(p)
        alpha = rz / np.einsum("ij,ij->j", p, q)
        xa += np.multiply(p, alpha, out=tmp if tmp.shape == p.shape else None)
        ra -= np.multiply(q, alpha, out=q)          # in place: large blocks, few temporaries
        rel_a = np.linalg.norm(ra, axis=0) / bn
        fresh = rel_a <= tol
        if fresh.any():  # confirm on the true residual
            ra[:, fresh] = ba[:, fresh] - matvec(xa[:, fresh])
            rel_a[fresh] = np.linalg.norm(ra[:, fresh], axis=0) / bn[fresh]
        rel[act] = rel_a
        hist.append(float(rel_a.max()))
        keep = rel_a > tol
        if not keep.all():
            x[:, act[~keep]] = xa[:, ~keep]
            act, xa, ra, ba, bn = act[keep], xa[:, keep], ra[:, keep], ba[:, keep], bn[keep]
            p, rz, fresh = p[:, keep], rz[keep], fresh[keep]
            if act.size == 0:
                return x, PcgInfo(k, True, hist), rel
        z = precond(ra)
        rz_new = np.einsum("ij,ij->j", ra, z)
        p *= np.where(fresh, 0.0, rz_new / rz)
        p += z
        rz = rz_new
        tmp = z
    x[:, act] = xa
    return x, PcgInfo(maxit, False, hist), rel
