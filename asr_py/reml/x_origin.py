"""Covariates far from their origin fitted centred on the intercept.

A fixed covariate x = 5·10⁶ ± 100 (UTM northings of the plots of one field, dates in
seconds, latitudes in degrees) beside an intercept makes the columns [1, x] nearly collinear:
X'R⁻¹X has a condition number of order (x̄/sd)², the MME lose that many digits, and the fit
stalls or is refused as rank-deficient, though the model is an ordinary one. With the unit
upper-triangular M (M₀ⱼ = −x̄ⱼ for each such column j, the identity elsewhere),

    X_w = X M   (column j: xⱼ − x̄ⱼ),   β = M β_w,   Var(β̂) = M Var(β̂_w) M',

so Xβ, V, the REML log-likelihood (|M| = 1: log|X'V⁻¹X| unchanged), the variance estimates
and BLUPs are those of the user's X; only the digits lost are not. C⁻¹ comes back as
T C_w⁻¹ T' with T = blockdiag(M, I) (:class:`asr_py.reml.psd.MappedFactor`). A column is
centred when its standard deviation is below :data:`FAR` of its
root mean square and the first column of X is the intercept; otherwise the fit is left as
written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from asr_py.reml.problem import MixedProblem
from asr_py.reml.psd import MappedFactor
from asr_py.reml.result import Deferred, RemlResult

#: a column whose standard deviation is below this fraction of its root mean square is read
#: centred (others: the uncentred Gram loses nothing that matters)
FAR = 1e-2


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


@dataclass
class XOrigin:
    """M of the module docstring (p x p, sparse) and the problem it maps back to."""

    M: sp.csr_matrix

    def result(self, r: RemlResult) -> RemlResult:
        """The working fit for the user's X: β̂ = Mβ̂_w, Var(β̂) = M Var(β̂_w) M' (formed on
        first use, as the working fit's), C⁻¹ via blockdiag(M, I); θ, ℓ, û, fitted values
        and residuals are unchanged."""
        m = self.M
        beta = np.asarray(m @ np.asarray(r.beta, dtype=float)).ravel()
        raw = r.__dict__.get("_vcov_beta")

        def vcov() -> np.ndarray:
            vb = np.asarray(raw.fn() if isinstance(raw, Deferred) else raw, dtype=float)
            # M V M' as two sparse-by-dense products (M is the identity but for row 0)
            return np.asarray(m @ np.asarray(m @ vb).T).T if vb.size else vb

        factor = r.factor
        if factor is not None:
            q = factor.n - m.shape[0]
            t = sp.block_diag([m, sp.identity(q, format="csr")], format="csr") if q else m
            factor = MappedFactor(factor, sp.csr_matrix(t))
        return dataclasses.replace(r, beta=beta, vcov_beta=Deferred(vcov), factor=factor)


def working_x(problem: MixedProblem) -> tuple[MixedProblem, XOrigin] | None:
    """The problem with its far covariates centred (module docstring) and the map back;
    None when there is none or X has no intercept first."""
    x = problem.X
    got = centring_map(x)
    if got is None:
        return None
    m, far = got
    if sp.issparse(x):  # column j: x_j·1 + 1·(−x̄_j), the same arithmetic as x_j − x̄_j
        xw = sp.csc_matrix(sp.csc_matrix(x, dtype=float) @ m)
    else:
        xw = np.array(x, dtype=float)
        xw[:, far] += m[0, far].toarray().ravel()
    work = dataclasses.replace(problem, X=xw, random=list(problem.random))
    return work, XOrigin(m)


__all__ = ["FAR", "XOrigin", "centring_map", "far_columns", "has_intercept", "working_x"]
