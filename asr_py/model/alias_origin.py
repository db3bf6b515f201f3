"""The Gram matrix the aliasing rule reads, free of the covariates' origins.

The sequential rule (:func:`asr_py.model.fixed.independent_columns`) calls column j aliased
when its squared residual r_j after projection on the kept columns before it is below
tol x its squared norm d_j. With an intercept kept first, r_j does not change when x_j is
shifted by a constant, but d_j does: a covariate x = 5·10⁶ ± 100 (UTM northings of the plots
of one field) has r/d ≈ 4·10⁻¹⁰ and was dropped as aliased with the intercept, silently
changing the model. With an intercept the rule reads the centred columns x_j − x̄_j instead
(the same residuals, computed without the cancellation of an uncentred Gram matrix) and
their centred norms, and keeps R's floor: a column whose residual is below 10⁻¹⁴ of its
uncentred squared norm (‖r‖ < 10⁻⁷‖x‖, R's ``lm`` QR tolerance) is aliased whatever its
spread — a constant written with round-off, 0.1 · 3 beside 0.3, is still the intercept.
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


def origin_free_gram(X: np.ndarray | sp.spmatrix) -> tuple[np.ndarray, np.ndarray,
                                                           np.ndarray] | None:
    """(G, d, floor) for a dense-sized X whose first column is the intercept: G = X̃'X̃ with
    X̃ = [1, X₂ − 1x̄₂'] (the same sequential residuals as X'X), d the centred squared
    norms (n for the intercept) and floor = ORIGIN_FLOOR x the uncentred ones; None when X
    has no intercept column first."""
    if not has_intercept(X) or not far_columns(X)[0].any():
        return None
    Xd = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=float)
    d_raw = np.einsum("ij,ij->j", Xd, Xd)
    Xc = Xd.copy()
    Xc[:, 1:] -= Xc[:, 1:].mean(axis=0)
    G = Xc.T @ Xc
    return G, np.diag(G).copy(), ORIGIN_FLOOR * d_raw


def centring_map(X: np.ndarray | sp.spmatrix) -> tuple[np.ndarray, np.ndarray] | None:
    """(M, far) with X M = X with each far column centred (M unit upper triangular: M₀ⱼ =
    −x̄ⱼ for the far columns j, the identity elsewhere), or None when X has no intercept
    first or no far column."""
    if X.shape[1] < 2 or not has_intercept(X):
        return None
    far, mean = far_columns(X)
    if not far.any():
        return None
    m = np.eye(X.shape[1])
    m[0, far] = -mean[far]
    return m, far


__all__ = ["FAR", "ORIGIN_FLOOR", "centring_map", "far_columns", "has_intercept",
           "origin_free_gram"]
