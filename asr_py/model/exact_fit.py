"""A response the fixed effects reproduce exactly (a constant column, a trait recorded only
as a function of the fixed factors): y = Xβ leaves y'Py = 0, and the REML log-likelihood
rises without bound as the variances shrink, ℓ ≈ ½(n − p)·ln(1/σ²) → +∞. There is no
estimate; a fit would stop at the engine's floor and report it as a boundary optimum.
Refused before fitting, per trait, with the trait named.

Trait t is checked on the columns of X that are non-zero only on its records (all of X for
one trait): r_t = y_t − X_t β̂_t by least squares, and the trait is refused when
‖r_t‖ ≤ TOL·‖y_t‖. A design too large for a dense least-squares solve (n p² > MAX_DENSE) is checked for a
constant response only (when it has a column constant on the trait's records)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from asr_py.errors import ModelError

#: relative size of the least-squares residual that counts as an exact fit
TOL = 1e-10
#: largest records x columns² solved densely (the flops of the least-squares solve)
MAX_DENSE = 500_000_000


def check_not_fitted_exactly(model: Any) -> None:
    """A ModelError when some trait's response is reproduced exactly by the fixed effects
    (skipped for a saturated model, n = rank(X), which says so itself)."""
    rec = model.records
    if getattr(model, "saturated", False) or rec.n == 0:
        return
    X = model.fixed.X
    Xc = X.tocsc() if sp.issparse(X) else sp.csc_matrix(np.asarray(X))
    for t, name in enumerate(rec.traits):
        rows = np.nonzero(np.asarray(rec.trait) == t)[0]
        y = np.asarray(rec.y, dtype=float)[rows]
        if y.size < 2 or not np.all(np.isfinite(y)):
            continue
        cols = _own_columns(Xc, rows)
        if cols is None or cols.size == 0 or cols.size >= y.size:
            continue
        Xt = Xc[rows][:, cols]
        exact = _exact(y, Xt)
        if exact:
            raise ModelError(_message(name, y, len(rec.traits) > 1, model), hint=(
                "check that the response is the right column and varies within the "
                "fixed-effect classes; a variance component needs residual variation left "
                "after the fixed effects"))


def _own_columns(Xc: sp.csc_matrix, rows: np.ndarray) -> np.ndarray | None:
    """The columns non-zero on ``rows``; None when one of them is non-zero elsewhere too
    (a coefficient shared with another trait: the trait is not checked alone)."""
    mask = np.zeros(Xc.shape[0], dtype=bool)
    mask[rows] = True
    nz_in = np.asarray(abs(Xc[rows]).sum(axis=0)).ravel() > 0
    nz_out = np.asarray(abs(Xc[~mask]).sum(axis=0)).ravel() > 0 if (~mask).any() \
        else np.zeros(Xc.shape[1], dtype=bool)
    if (nz_in & nz_out).any():
        return None
    return np.nonzero(nz_in)[0]


def _exact(y: np.ndarray, Xt: sp.csc_matrix) -> bool:
    scale = float(np.linalg.norm(y))
    if scale == 0.0:
        return True
    if y.size * Xt.shape[1] ** 2 <= MAX_DENSE:
        A = Xt.toarray()
        beta = np.linalg.lstsq(A, y, rcond=None)[0]
        return bool(np.linalg.norm(y - A @ beta) <= TOL * scale)
    if np.ptp(y) > TOL * np.abs(y).max():
        return False
    dense_cols = np.diff(Xt.indptr) == Xt.shape[0]
    return any(np.ptp(Xt[:, [j]].toarray()) == 0 for j in np.nonzero(dense_cols)[0])


def _message(name: str, y: np.ndarray, multi: bool, model: Any) -> str:
    what = f"trait '{name}'" if multi else f"the response '{name}'"
    if np.ptp(y) == 0:
        how = f"is constant ({y[0]:.6g} on all {y.size} records)"
    else:
        how = (f"is reproduced exactly by the fixed effects ({y.size} records, "
               f"{model.fixed.X.shape[1]} fixed-effect columns)")
    return (f"{what} {how}: nothing is left for the variance components, and the REML "
            "log-likelihood has no maximum (it rises without bound as the variances shrink)")
