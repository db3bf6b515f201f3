"""LMMsolver's matrix helpers that its example scripts call beside ``LMMsolve()``
(``calcUsc()``, ``ndxMatrix()``, and the internals ``linearSum()``, ``constructRinv()``,
``ADchol()``, ``dlogdet()``), each a documented closed form, computed densely here:

* ``calcUsc(q, ord)``: the scaled eigenvectors of the difference penalty: with D the
  order-``ord`` difference matrix of ``q`` coefficients and ``D'D = U diag(λ) U'``, the
  ``q - ord`` eigenvectors of the positive eigenvalues (decreasing) times ``λ^-1/2``:
  ``q x (q - ord)``; ``Z = B calcUsc(q, ord)`` is a P-spline's random part with iid effects
  (each column sums to zero against the polynomials of degree < ord). The vectors' signs are
  LAPACK's (a column and its negative give the same model).
* ``ndxMatrix(df, lZ, names)``: the column numbers (1-based) that the matrices of ``lZ``
  take in ``cbind(df, lZ)``, one vector per matrix, named ``names``.
* ``linearSum(theta, matrixList)``: ``Σ θ_i M_i``.
* ``constructRinv(df, residual, weights)``: the residual precision pattern: for ``residual =
  ~ g`` one diagonal matrix ``diag(weights * [g == level])`` per level of g (in order of
  appearance), named ``g_<level>!R``, else ``list(residual = diag(weights))``.
* ``ADchol(lP)`` holds the matrices P_i; ``dlogdet(obj, theta)`` is the gradient of
  ``log|C(θ)|`` with ``C = Σ θ_i P_i``: ``∂ log|C| / ∂θ_i = tr(C⁻¹ P_i)`` (LMMsolver gets it by
  differentiating the sparse Cholesky factorisation, Smith 1995; the value is the same).
  ``θ * dlogdet(obj, θ)`` are the effective dimensions.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["CALLS", "UNAVAILABLE", "ADchol", "r_ADchol", "r_as_spam", "r_calcUsc",
           "r_constructRinv", "r_diag_spam", "r_dlogdet", "r_linearSum", "r_ndxMatrix"]

_PKG = ("LMMsolver",)
_SPAM = ("spam",)
#: R function -> (runtime helper, formals in R's order, packages): rpkgcalls.py
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "calcUsc": ("r_calcUsc", ("q", "ord"), _PKG),
    "ndxMatrix": ("r_ndxMatrix", ("df", "lZ", "names"), _PKG),
    "linearSum": ("r_linearSum", ("theta", "matrixList"), _PKG),
    "constructRinv": ("r_constructRinv", ("df", "residual", "weights"), _PKG),
    "ADchol": ("r_ADchol", ("lP",), _PKG),
    "dlogdet": ("r_dlogdet", ("obj", "theta", "b_"), _PKG),
    # spam's sparse matrices, held dense here (the example scripts build C with them)
    "as.spam": ("r_as_spam", ("x",), _SPAM),
    "diag.spam": ("r_diag_spam", ("x", "nrow", "ncol"), _SPAM),
}
#: LMMsolver functions with no equivalent: the TODO says why (rpkgcalls.UNAVAILABLE)
UNAVAILABLE: dict[str, tuple[str, str]] = {
    "DerivCholesky": ("LMMsolver", "LMMsolver:::DerivCholesky() (the elements of C^-1 on "
                      "the Cholesky factor's pattern) was removed from LMMsolver in May 2022, "
                      "so R stops here too; solve(C) holds C^-1 (its diagonal: the "
                      "prediction error variances)"),
}


def _dense(m: Any, what: str) -> np.ndarray:
    """A numeric 2-d array from a matrix, data frame or sparse matrix."""
    if isinstance(m, Untranslated):
        return m._use()  # type: ignore[return-value]
    if hasattr(m, "toarray"):
        m = m.toarray()
    a = np.asarray(m, dtype=float)
    if a.ndim != 2:
        raise AsrError(f"{what}: a matrix is needed, got an array of shape {a.shape}")
    return a


def _seq(x: Any) -> list[Any]:
    """An R list (a Python list, or a dict's values in order)."""
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def r_calcUsc(q: Any, ord: Any) -> np.ndarray:  # noqa: N802 - LMMsolver's name
    """LMMsolver's ``calcUsc(q, ord)`` (see the module)."""
    q, d = int(np.asarray(q).ravel()[0]), int(np.asarray(ord).ravel()[0])
    if not 0 < d < q:
        raise AsrError(f"calcUsc(q = {q}, ord = {d}): needs 0 < ord < q",
                       hint="q is the number of coefficients, ord the difference order")
    D = np.diff(np.eye(q), n=d, axis=0)
    lam, vec = np.linalg.eigh(D.T @ D)
    keep = np.argsort(-lam)[: q - d]
    return np.asarray(vec[:, keep] / np.sqrt(lam[keep]))


def r_ndxMatrix(df: Any, lZ: Any, names: Any) -> dict[str, list[int]]:  # noqa: N802, N803
    """LMMsolver's ``ndxMatrix(df, lZ, names)`` (see the module)."""
    mats = _seq(lZ)
    labels = [str(n) for n in np.atleast_1d(np.asarray(names, dtype=object)).ravel()]
    if len(labels) != len(mats):
        raise AsrError(f"ndxMatrix(): {len(mats)} matrices in lZ but {len(labels)} names",
                       hint="give one name per matrix of lZ")
    start = df.shape[1]
    out: dict[str, list[int]] = {}
    for lab, m in zip(labels, mats, strict=True):
        k = _dense(m, "ndxMatrix(lZ = )").shape[1]
        out[lab] = list(range(start + 1, start + k + 1))
        start += k
    return out


def r_as_spam(x: Any) -> np.ndarray:
    """spam's ``as.spam(x)``: the matrix (dense here; a vector is a column, as spam's)."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value, no-any-return]
    a = np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def r_diag_spam(x: Any = 1.0, nrow: Any = None, ncol: Any = None) -> np.ndarray:
    """spam's ``diag.spam(x, nrow, ncol)``: as base R's ``diag()``: a vector on the diagonal,
    one number n the n x n identity (or x times the ``nrow x ncol`` identity)."""
    v = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
    if nrow is None and ncol is None and len(v) == 1:
        n = int(v[0])
        return np.eye(n)
    n = int(nrow) if nrow is not None else len(v)
    m = int(ncol) if ncol is not None else n
    out = np.zeros((n, m))
    k = min(n, m)
    out[np.arange(k), np.arange(k)] = np.resize(v, k)
    return out


def r_linearSum(theta: Any, matrixList: Any) -> np.ndarray:  # noqa: N802, N803
    """LMMsolver's ``linearSum(theta, matrixList)``: Σ θ_i M_i."""
    th = np.asarray(theta, dtype=float).ravel()
    mats = [_dense(m, "linearSum()") for m in _seq(matrixList)]
    if len(th) != len(mats):
        raise AsrError(f"linearSum(): {len(th)} values of theta for {len(mats)} matrices")
    return np.asarray(sum(t * m for t, m in zip(th, mats, strict=True)))


def r_constructRinv(df: pd.DataFrame, residual: Any = None,  # noqa: N802
                    weights: Any = 1.0) -> dict[str, np.ndarray]:
    """LMMsolver's ``constructRinv(df, residual, weights)`` (see the module)."""
    n = len(df)
    w = np.broadcast_to(np.asarray(1.0 if weights is None else weights, dtype=float), (n,))
    if residual is None:
        return {"residual": np.diag(w)}
    text = residual.strip() if isinstance(residual, str) else str(residual)
    col = text.lstrip("~").strip()
    if col not in df.columns:
        raise AsrError(f"constructRinv(): residual = {text}: no column {col!r} in df",
                       hint="residual = ~ <a column of df>")
    g = df[col].astype(str).to_numpy()
    return {f"{col}_{lv}!R": np.diag(w * (g == lv)) for lv in pd.unique(g)}


class ADchol:
    """LMMsolver's ``ADchol`` object: the matrices P_i of ``C(θ) = Σ θ_i P_i``."""

    def __init__(self, matrices: list[np.ndarray]) -> None:
        self.P = matrices

    def __repr__(self) -> str:
        return f"<ADchol: {len(self.P)} matrices {self.P[0].shape[0]} x {self.P[0].shape[1]}>"


def r_ADchol(lP: Any) -> ADchol:  # noqa: N802, N803
    """LMMsolver's ``ADchol(lP)`` (see the module)."""
    for m in _seq(lP):
        if isinstance(m, Untranslated):
            return m._use()  # type: ignore[return-value, no-any-return]
    mats = [_dense(m, "ADchol()") for m in _seq(lP)]
    if not mats or any(m.shape != mats[0].shape or m.shape[0] != m.shape[1] for m in mats):
        raise AsrError("ADchol(): a list of square matrices of one size is needed")
    return ADchol(mats)


def r_dlogdet(obj: ADchol, theta: Any, b_: Any = None) -> np.ndarray:
    """LMMsolver's ``dlogdet(obj, theta)``: ∂ log|C| / ∂θ_i = tr(C⁻¹ P_i), C = Σ θ_i P_i."""
    if not isinstance(obj, ADchol):
        raise AsrError(f"dlogdet(): obj must be an ADchol object, got {type(obj).__name__}",
                       hint="obj <- ADchol(list(P1, P2, ...))")
    if b_ is not None:
        raise AsrError("dlogdet(b_ = ): the supernode-block argument is not emulated")
    th = np.asarray(theta, dtype=float).ravel()
    if len(th) != len(obj.P):
        raise AsrError(f"dlogdet(): {len(th)} values of theta for {len(obj.P)} matrices")
    C = sum(t * p for t, p in zip(th, obj.P, strict=True))
    try:
        L = np.linalg.cholesky(C)
    except np.linalg.LinAlgError:
        raise AsrError("dlogdet(): C = sum(theta * P) is not positive definite",
                       hint="LMMsolver's Cholesky fails there too") from None
    Ci = np.linalg.solve(L.T, np.linalg.solve(L, np.eye(len(C))))
    return np.array([float(np.sum(Ci * p.T)) for p in obj.P])
