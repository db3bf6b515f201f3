"""Aliased columns of a large sparse fixed design without a dense p x p factor.

The rule (:func:`asr_py.model.fixed.independent_columns`) keeps, in order, each column that
is not a combination of the columns before it: the first basis of X in column order. A
column j is then aliased exactly when some null vector of X has its last non-zero entry at
j; the aliased columns are the trailing pivots of X's null space brought to echelon form.
The null space does not depend on the column order, so it is found in the order that keeps
the factor of X'X sparse (SuperLU with a fill-reducing order on the unit-diagonal X'X: its
tiny pivots are the columns dependent on others; each gives a null vector e_a − K(K'K)⁻¹K'x_a
from the kept columns K); the echelon form is then taken in the model's column order. A
6 000-level factor: a fraction of a second instead of the O(p³) sequential factor.

Every step is checked (symmetric pivots, null vectors with X v ≈ 0, as many pivots as null
vectors, a full-rank kept set); when one check fails :func:`aliased_by_null_space` answers
None and the caller uses the sequential factor.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from asr_py.reml.sparse_x import gram_solver

#: at most this many aliased columns for the null-space route (its echelon form is p x d)
MAX_NULL_DIM = 2_000


def aliased_by_null_space(x: sp.spmatrix, tol: float = 1e-9) -> np.ndarray | None:
    """Flags of the columns kept by the sequential rule, from X's null space, or None when
    the route cannot vouch for its answer (the caller then runs the sequential factor)."""
    x = sp.csc_matrix(x, dtype=float)
    n, p = x.shape
    g = (x.T @ x).tocsc()
    diag = g.diagonal()
    zero = diag <= 0
    s = np.where(zero, 1.0, 1.0 / np.sqrt(np.where(zero, 1.0, diag)))
    a = (sp.diags(s) @ g @ sp.diags(s)).tocsc()
    a = a + sp.diags(np.where(zero, 1.0, 0.0))  # zero columns: aliased below, kept out of LU
    try:
        lu = spla.splu(a + sp.identity(p) * (tol * 1e-4), permc_spec="MMD_AT_PLUS_A",
                       diag_pivot_thresh=0.0, options={"SymmetricMode": True})
    except RuntimeError:
        return None
    if not np.array_equal(lu.perm_r, lu.perm_c):
        return None
    piv = np.abs(lu.U.diagonal())
    # U's row i is the matrix's row (column) perm⁻¹: the pivot of column c is piv[perm_c[c]]
    col_piv = piv[lu.perm_c]
    dep = (col_piv <= tol) & ~zero
    dependent = np.nonzero(dep | zero)[0]
    if dependent.size == 0:
        return np.ones(p, dtype=bool)
    if dependent.size > MAX_NULL_DIM:
        return None
    kept = np.nonzero(~(dep | zero))[0]
    null = np.zeros((p, dependent.size))
    null[dependent, np.arange(dependent.size)] = 1.0
    if kept.size:
        xk = x[:, kept]
        try:
            solve = gram_solver((xk.T @ xk).tocsc())
        except np.linalg.LinAlgError:
            return None
        rhs = np.asarray((xk.T @ x[:, dependent]).toarray())
        coef = np.asarray(solve(rhs)).reshape(kept.size, dependent.size)
        if not np.all(np.isfinite(coef)):
            return None
        null[kept] = -coef
    # X v ≈ 0 for each null vector, on the scale of the columns involved
    scale = np.sqrt(np.where(zero, 0.0, diag) @ null ** 2) + 1e-300
    if np.any(np.linalg.norm(np.asarray(x @ null), axis=0) > 1e-6 * scale):
        return None
    keep = np.ones(p, dtype=bool)
    pivots = _trailing_pivots(null)
    if pivots is None or len(pivots) != dependent.size:
        return None
    keep[pivots] = False
    return keep


def _trailing_pivots(null: np.ndarray) -> list[int] | None:
    """Rows j, from the last, at which the null space (columns of ``null``) has a vector whose
    last non-zero entry is j: Gaussian elimination on the rows from the bottom."""
    v = null / np.abs(null).max(axis=0, keepdims=True)
    p, d = v.shape
    free = np.ones(d, dtype=bool)
    out: list[int] = []
    for j in range(p - 1, -1, -1):
        if not free.any():
            break
        row = np.where(free, np.abs(v[j]), 0.0)
        c = int(np.argmax(row))
        if row[c] <= 1e-8:
            continue
        out.append(j)
        free[c] = False
        others = np.nonzero(free & (v[j] != 0.0))[0]
        if others.size:  # eliminate row j from the other vectors (they stay null vectors)
            v[:, others] -= np.outer(v[:, c], v[j, others] / v[j, c])
            top = np.abs(v[:, others]).max(axis=0)
            if np.any(top <= 0):
                return None
            v[:, others] /= top
    return out if not free.any() else None


__all__ = ["aliased_by_null_space"]
