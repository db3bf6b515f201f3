"""R's QR decomposition (``qr()``, ``qr.Q()``, ``qr.R()``, ``qr.coef()``, ``qr.qty()``,
``qr.qy()``, ``qr.solve()``) and random numbers (``rnorm()``, ``runif()``, ``sample()``'s
relatives) for translated scripts.

R's ``qr()`` (LINPACK dqrdc2, tol 1e-7) is a Householder QR that moves a column whose
remaining norm falls below tol x its original norm to the end; ``rank`` counts the others.
Here the same limited pivoting is done on the Householder factors of numpy/LAPACK, so Q, R,
rank and pivot follow R's for full-rank and rank-deficient matrices alike (signs: both take
R_kk = -sign(x_kk) ||x||, the Householder convention).

Random numbers cannot reproduce R's Mersenne-Twister/inversion stream: ``set.seed(k)`` seeds
numpy, so a script runs and its simulated values have the right distribution, but they are
not R's numbers (the translation says so in a comment).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["RQR", "r_bdiag", "r_qr", "r_qr_coef", "r_qr_q", "r_qr_qty", "r_qr_qy", "r_qr_r",
           "r_rnorm", "r_runif"]


class RQR(dict):
    """The value of R's ``qr(x)``: a list with ``qr``, ``rank``, ``qraux``, ``pivot`` (as R's,
    read by ``$``), plus the full Q and R kept for ``qr.Q()``/``qr.R()``."""

    Q: np.ndarray
    R: np.ndarray
    colnames: list[str] | None


def _matrix(x: Any, what: str) -> tuple[np.ndarray, list[str] | None]:
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    names = [str(c) for c in x.columns] if isinstance(x, pd.DataFrame) else None
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise AsrError(f"{what}: needs a matrix, got an array of shape {a.shape}",
                       hint="give a numeric matrix or data frame")
    if not np.isfinite(a).all():
        raise AsrError(f"{what}: NA/NaN/Inf in the matrix", hint="R's qr() refuses them too")
    return a, names


def r_qr(x: Any, tol: float = 1e-07) -> RQR:
    """R's ``qr(x, tol = 1e-07)`` (LINPACK's limited column pivoting, see the module)."""
    a, names = _matrix(x, "qr()")
    n, p = a.shape
    norms0 = np.linalg.norm(a, axis=0)
    basis = np.zeros((n, 0))
    # dqrdc2: a column whose norm left after projecting out the kept columns is below
    # tol x its original norm moves to the end (and does not count in the rank)
    order: list[int] = []
    moved: list[int] = []
    for j in range(p):
        r = a[:, j] - basis @ (basis.T @ a[:, j])
        r = r - basis @ (basis.T @ r)              # re-orthogonalise (Gram-Schmidt twice)
        rn = float(np.linalg.norm(r))
        if len(order) >= n or norms0[j] == 0 or rn < tol * norms0[j]:
            moved.append(j)
        else:
            order.append(j)
            basis = np.column_stack([basis, r / rn])
    piv = order + moved
    Q, R = np.linalg.qr(a[:, piv], mode="complete")
    out = RQR(qr=R[: min(n, p)] if n >= p else R, rank=len(order), qraux=None,
              pivot=np.asarray(piv) + 1)
    out.Q, out.R, out.colnames = Q, R, None if names is None else [names[i] for i in piv]
    return out


def _as_qr(q: Any, what: str) -> RQR:
    if isinstance(q, Untranslated):
        return q._use()  # type: ignore[return-value]
    if not isinstance(q, RQR):
        raise AsrError(f"{what}: needs the value of qr(x), got {type(q).__name__}",
                       hint=f"write {what.split('(')[0]}(qr(x))")
    return q


def r_qr_q(qr: Any, complete: bool = False) -> np.ndarray:
    """R's ``qr.Q(qr, complete = FALSE)``: the n x min(n, p) (or n x n) orthogonal factor."""
    qo = _as_qr(qr, "qr.Q()")
    n, p = qo.Q.shape[0], qo.R.shape[1]
    return qo.Q.copy() if complete else qo.Q[:, : min(n, p)].copy()


def r_qr_r(qr: Any, complete: bool = False) -> Any:
    """R's ``qr.R(qr, complete = FALSE)``: the upper triangular factor (columns in pivot
    order, named as x's columns when x had names)."""
    qo = _as_qr(qr, "qr.R()")
    n, p = qo.R.shape
    r = qo.R.copy() if complete else qo.R[: min(n, p)].copy()
    return pd.DataFrame(r, columns=qo.colnames) if qo.colnames is not None else r


def r_qr_qty(qr: Any, y: Any) -> np.ndarray:
    """R's ``qr.qty(qr, y)``: Qᵀ y with the complete Q."""
    return _as_qr(qr, "qr.qty()").Q.T @ np.asarray(y, dtype=float)


def r_qr_qy(qr: Any, y: Any) -> np.ndarray:
    """R's ``qr.qy(qr, y)``: Q y with the complete Q."""
    return _as_qr(qr, "qr.qy()").Q @ np.asarray(y, dtype=float)


def r_qr_coef(qr: Any, y: Any) -> np.ndarray:
    """R's ``qr.coef(qr, y)``: least-squares coefficients, NA for the aliased columns (in
    the original column order)."""
    qo = _as_qr(qr, "qr.coef()")
    yy = np.asarray(y, dtype=float)
    k = int(qo["rank"])
    z = (qo.Q.T @ yy)[:k]
    b = np.linalg.solve(qo.R[:k, :k], z)
    p = qo.R.shape[1]
    out = np.full((p,) + yy.shape[1:], np.nan)
    out[np.asarray(qo["pivot"][:k]) - 1] = b
    if qo.colnames is not None and out.ndim == 1:
        order = np.argsort(np.asarray(qo["pivot"]) - 1)
        return pd.Series(out, index=[qo.colnames[i] for i in order])  # type: ignore[return-value]
    return out


def _n(n: Any, what: str) -> int:
    if isinstance(n, Untranslated):
        return n._use()  # type: ignore[return-value]
    if np.ndim(n) > 0 and len(n) != 1:
        return len(n)                   # R: a vector n means length(n) draws
    k = int(np.asarray(n).ravel()[0])
    if k < 0:
        raise AsrError(f"{what}: invalid n = {k}", hint="n is a count >= 0")
    return k


def r_rnorm(n: Any, mean: Any = 0.0, sd: Any = 1.0) -> np.ndarray:
    """R's ``rnorm(n, mean, sd)`` from numpy's generator (not R's stream; see the module)."""
    k = _n(n, "rnorm()")
    return np.random.normal(np.asarray(mean, dtype=float), np.asarray(sd, dtype=float),
                            size=k)


def r_runif(n: Any, min: Any = 0.0, max: Any = 1.0) -> np.ndarray:  # noqa: A002 - R's names
    """R's ``runif(n, min, max)`` from numpy's generator (not R's stream; see the module)."""
    k = _n(n, "runif()")
    return np.random.uniform(np.asarray(min, dtype=float), np.asarray(max, dtype=float),
                             size=k)


def r_bdiag(*mats: Any) -> np.ndarray:
    """Matrix's ``bdiag(A, B, ...)`` (or ``bdiag(list(A, B))``): the block-diagonal matrix,
    dense, without dimnames (as Matrix's; a number is a 1 x 1 block)."""
    import scipy.linalg as sla

    if len(mats) == 1 and isinstance(mats[0], (list, tuple)):
        mats = tuple(mats[0])
    elif len(mats) == 1 and isinstance(mats[0], dict):     # bdiag(a named list)
        mats = tuple(mats[0].values())
    blocks = []
    for m in mats:
        if isinstance(m, Untranslated):
            return m._use()  # type: ignore[return-value]
        a = np.asarray(m.toarray() if hasattr(m, "toarray") else m, dtype=float)
        if a.ndim > 2:
            raise AsrError(f"bdiag(): a block of shape {a.shape}", hint="give matrices")
        blocks.append(np.atleast_2d(a) if a.ndim < 2 else a)
    return sla.block_diag(*blocks) if blocks else np.zeros((0, 0))
