"""The design the aliasing rule reads, free of the covariates' origins.

The sequential rule (:func:`asr_py.model.fixed.independent_columns`) calls column j aliased
when its squared residual r_j after projection on the kept columns before it is below
tol x its squared norm d_j. With an intercept kept first, r_j does not change when x_j is
shifted by a constant, but d_j does: a covariate x = 5·10⁶ ± 100 (UTM northings of the plots
of one field) has r/d ≈ 4·10⁻¹⁰ and was dropped as aliased with the intercept, silently
changing the model. With an intercept first, the rule reads such a column centred,
x_j − x̄_j (the same residuals, computed without the cancellation of an uncentred Gram
matrix; the columns a covariate's spread is below FAR of its size), and keeps R's floor: a
column whose centred norm is below 10⁻⁷ of its uncentred one (R's ``lm`` QR tolerance) is
aliased whatever its spread — a constant written with round-off, 0.1 · 3 beside 0.3, is
still the intercept.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: a column whose standard deviation is below this fraction of its root mean square is read
#: centred (others: the uncentred Gram loses nothing that matters)
FAR = 1e-2
#: r_j < ORIGIN_FLOOR x d_j (uncentred) is aliased however the column is centred
ORIGIN_FLOOR = 1e-14


def has_intercept(X: np.ndarray | sp.spmatrix) -> bool:
    """True when the first column of X is all ones."""
    if X.shape[1] == 0 or X.shape[0] == 0:
        return False
    col = X[:, 0].toarray().ravel() if sp.issparse(X) else np.asarray(X[:, 0], dtype=float)
    return bool(np.all(col == 1.0))


def far_columns(X: np.ndarray | sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """(flags, means): the columns after the first whose standard deviation is positive and
    below FAR x their root mean square (var < FAR² x mean of squares), and every column's
    mean."""
    n = X.shape[0]
    ones = np.ones(n)
    s1 = np.asarray(X.T @ ones, dtype=float).ravel() / n
    sq = X.multiply(X) if sp.issparse(X) else np.asarray(X, dtype=float) ** 2
    s2 = np.asarray(sq.T @ ones, dtype=float).ravel() / n
    var = np.clip(s2 - s1 ** 2, 0.0, None)
    far = (var < FAR ** 2 * s2) & (s2 > 0)
    far[0] = False
    return far, s1


def origin_free(X: np.ndarray | sp.spmatrix) -> np.ndarray | sp.spmatrix:
    """X M: each far column centred on the intercept (the sequential rule keeps the same
    columns of X M as of X in exact arithmetic: column j of X M is x_j − x̄_j·x_0, x_0 kept
    first), and a far column whose centred squared norm is at most ORIGIN_FLOOR x its
    uncentred one set to 0 (a constant up to round-off: aliased); X itself when X has no
    intercept first or no far column."""
    got = centring_map(X)
    if got is None:
        return X
    m, far = got
    if sp.issparse(X):
        xs = sp.csc_matrix(X, dtype=float)
        d_raw = np.asarray(xs.multiply(xs).sum(axis=0), dtype=float).ravel()
        xc = sp.csc_matrix(xs @ m)
        d = np.asarray(xc.multiply(xc).sum(axis=0), dtype=float).ravel()
        flat = np.flatnonzero(far & (d <= ORIGIN_FLOOR * d_raw))
        if flat.size:
            xc = sp.csc_matrix(xc @ sp.diags(np.where(np.isin(np.arange(m.shape[0]), flat),
                                                      0.0, 1.0)))
            xc.eliminate_zeros()
        return xc
    Xd = np.asarray(X, dtype=float)
    xc = Xd.copy()
    xc[:, far] += m[0, far].toarray().ravel()
    d_raw = np.einsum("ij,ij->j", Xd, Xd)
    d = np.einsum("ij,ij->j", xc, xc)
    xc[:, far & (d <= ORIGIN_FLOOR * d_raw)] = 0.0
    return xc


def centring_map(X: np.ndarray | sp.spmatrix) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """(M, far) with X M = X with each far column centred (M unit upper triangular, sparse:
    M₀ⱼ = −x̄ⱼ for the far columns j, the identity elsewhere), or None when X has no
    intercept first or no far column."""
    if X.shape[1] < 2 or not has_intercept(X):
        return None
    far, mean = far_columns(X)
    if not far.any():
        return None
    p = X.shape[1]
    cols = np.flatnonzero(far)
    rows = np.concatenate([np.arange(p), np.zeros(cols.size, dtype=int)])
    idx = np.concatenate([np.arange(p), cols])
    vals = np.concatenate([np.ones(p), -mean[cols]])
    return sp.csr_matrix((vals, (rows, idx)), shape=(p, p)), far


__all__ = ["FAR", "ORIGIN_FLOOR", "centring_map", "far_columns", "has_intercept",
           "origin_free"]
