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

from asr_py.reml.x_origin import FAR, centring_map, far_columns, has_intercept

#: r_j < ORIGIN_FLOOR x d_j (uncentred) is aliased however the column is centred
ORIGIN_FLOOR = 1e-14


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


__all__ = ["FAR", "ORIGIN_FLOOR", "centring_map", "far_columns", "has_intercept",
           "origin_free"]  # (the first four re-exported from asr_py.reml.x_origin)
