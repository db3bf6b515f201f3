"""A response the model reproduces exactly has no REML estimate; it is refused before fitting,
per trait, with the trait named.

* By the fixed effects (a constant column, a value per fixed class): y = Xβ leaves
  y'Py = 0 and ℓ ≈ ½(n − p)·ln(1/σ²) → +∞ as the variances shrink. Trait t is checked on
  the columns of X non-zero only on its records (all of X for one trait): r_t = y_t − X_t β̂_t
  by least squares, refused when ‖r_t‖ ≤ TOL·‖y_t‖. A design too large for a dense solve
  (n p² > MAX_DENSE) is checked for a constant response only.
* Within the levels of a random factor g (a brood's hatch date recorded on every nestling,
  fitted with ``~ dam``): y ∈ span(X, Z_g). With g's variance held and every other variance
  shrinking, V tends to σ²_g Z_g Z_g', singular along the d within-level contrasts with y in
  its range, and ℓ ≈ ½ d·ln(1/σ²) → +∞. Checked for random terms whose Z is an indicator on
  the trait's records (one level per record) and not a known matrix (a singular K has a
  smaller range): y and X centred within the levels, the centred y fitted exactly by the
  centred X, with d = n − levels − rank > 0 contrasts.

Both need a residual variance free to shrink: with every residual variance fixed ('F', a
two-stage fit's units!R = 1 with weights) ℓ is bounded and nothing is checked.

Without the check the engine stops at its floor and reports a converged boundary fit
(ℓ = 1146.9 for a constant Yield of sommer's DT_example; ℓ = 5711.5 for DT_btdata's
hatchdate with ``~ dam + fosternest``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from asr_py.errors import ModelError

#: relative size of the least-squares residual that counts as an exact fit
TOL = 1e-10
#: largest records x columns² solved densely (the flops of the least-squares solve)
MAX_DENSE = 500_000_000

_HINT_FIXED = ("check that the response is the right column and varies within the "
               "fixed-effect classes; a variance component needs residual variation left "
               "after the fixed effects")


def check_not_fitted_exactly(model: Any) -> None:
    """A ModelError when some trait's response is reproduced exactly by the fixed effects,
    or by them and one random factor (skipped for a saturated model, n = rank(X), which
    says so itself)."""
    rec = model.records
    if getattr(model, "saturated", False) or rec.n == 0 or not _residual_free(model):
        return
    X = model.fixed.X
    Xc = X.tocsc() if sp.issparse(X) else sp.csc_matrix(np.asarray(X))
    multi = len(rec.traits) > 1
    for t, name in enumerate(rec.traits):
        rows = np.nonzero(np.asarray(rec.trait) == t)[0]
        y = np.asarray(rec.y, dtype=float)[rows]
        if y.size < 2 or not np.all(np.isfinite(y)):
            continue
        cols = _own_columns(Xc, rows)
        if cols is None or cols.size == 0 or cols.size >= y.size:
            continue
        Xt = Xc[rows][:, cols]
        what = f"trait '{name}'" if multi else f"the response '{name}'"
        if _exact(y, Xt):
            raise ModelError(_message(what, y, Xc.shape[1]), hint=_HINT_FIXED)
        if y.size * Xt.shape[1] ** 2 > MAX_DENSE:
            continue
        B = np.column_stack([Xt.toarray(), y])
        gram = B.T @ B
        for term in getattr(model, "random", []):
            d = _within_exact(B, gram, term, rows)
            if d:
                raise ModelError(
                    f"{what} does not vary within the levels of the random term "
                    f"{term.label} once the fixed effects are removed ({d} within-level "
                    "contrasts, all 0): the residual variance has nothing to estimate and "
                    "the REML log-likelihood has no maximum (it rises without bound as the "
                    "residual variance shrinks)",
                    hint=f"a trait measured once per level of {term.label} (the same value "
                         "on all its records) is analysed at that level, one record per "
                         "level; or check that the response is the right column")


def _residual_free(model: Any) -> bool:
    """Some residual variance is estimated (not fixed, 'F'): with the residual held (a
    two-stage fit's weights with units!R fixed at 1) ℓ stays bounded and a fit is valid."""
    names = set(model.residual.param_names)
    return any(n in names and k == "variance" and c != "F" for n, k, c in
               zip(model.param_names, model.param_kinds, model.constraints))


def _own_columns(Xc: sp.csc_matrix, rows: np.ndarray) -> np.ndarray | None:
    """The columns non-zero on ``rows``; None when one of them is non-zero elsewhere too
    (a coefficient shared with another trait: the trait is not checked alone)."""
    mask = np.zeros(Xc.shape[0], dtype=bool)
    mask[rows] = True
    nz_in = np.asarray(abs(Xc[rows]).sum(axis=0)).ravel() > 0
    nz_out = (np.asarray(abs(Xc[~mask]).sum(axis=0)).ravel() > 0 if (~mask).any()
              else np.zeros(Xc.shape[1], dtype=bool))
    if (nz_in & nz_out).any():
        return None
    return np.nonzero(nz_in)[0]


def _exact(y: np.ndarray, Xt: sp.csc_matrix) -> bool:
    """y = X_t β exactly (relative TOL); constant y only, for a design too large."""
    scale = float(np.linalg.norm(y))
    if scale == 0.0:
        return True
    if y.size * Xt.shape[1] ** 2 <= MAX_DENSE:
        r, _ = _ls_residual(Xt.toarray(), y)
        return bool(np.linalg.norm(r) <= TOL * scale)
    if np.ptp(y) > TOL * np.abs(y).max():
        return False
    dense_cols = np.diff(Xt.indptr) == Xt.shape[0]
    return any(np.ptp(Xt[:, [j]].toarray()) == 0 for j in np.nonzero(dense_cols)[0])


def _within_exact(B: np.ndarray, gram: np.ndarray, term: Any, rows: np.ndarray) -> int:
    """d > 0 when y (last column of B = [X_t, y]), centred within the levels of ``term``
    (an indicator Z on ``rows``), is fitted exactly by the centred fixed effects with d
    within-level contrasts; else 0. Screened first on the centred Gram matrix
    B'B − B'S'C⁻¹SB (S the level indicator, C the counts; n p² flops once per trait, n p
    per term), which tells a clearly inexact response apart without touching n x p arrays."""
    if any(getattr(b, "known", False) for b in getattr(term, "blocks", [])):
        return 0
    Z = sp.csr_matrix(term.Z)
    if rows.size != Z.shape[0]:
        Z = Z[rows]
    nnz = np.diff(Z.indptr)
    if nnz.max(initial=0) > 1 or (Z.data.size and np.ptp(Z.data) != 0):
        return 0
    has = nnz == 1
    g = np.empty(rows.size, dtype=np.int64)
    g[has] = Z.indices[Z.indptr[:-1][has]]
    g[~has] = Z.shape[1] + np.arange(int((~has).sum()))  # no level: a group of its own
    n_cols = Z.shape[1] + int((~has).sum())
    counts = np.bincount(g, minlength=n_cols).astype(float)
    n_g = int(np.count_nonzero(counts))
    if rows.size - n_g <= 0:
        return 0
    counts = np.maximum(counts, 1.0)                     # (empty levels: sums of 0)
    S = sp.csr_matrix((np.ones(g.size), (g, np.arange(g.size))), shape=(n_cols, g.size))
    M = np.asarray(S @ B)
    C = gram - M.T @ (M / counts[:, None])              # Gram of the centred [X_t, y]
    yy = float(C[-1, -1])
    total = float(gram[-1, -1] - B[:, -1].sum() ** 2 / rows.size)
    if total <= 0.0 or yy > 1e-6 * total:
        return 0                                          # varies within the levels
    if C.shape[0] > 1 and np.any(C[:-1, :-1]):
        lam, V = np.linalg.eigh(C[:-1, :-1])
        keep = lam > lam.max() * 1e-12
        w = V[:, keep].T @ C[:-1, -1]
        if yy - float(w @ (w / lam[keep])) > 1e-6 * total:
            return 0
    Bc = B - (M / counts[:, None])[g]                     # near exact: decide on the data
    r, rank = _ls_residual(Bc[:, :-1], Bc[:, -1])
    d = rows.size - n_g - rank
    return d if d > 0 and float(np.linalg.norm(r)) <= TOL * np.sqrt(total) else 0


def _ls_residual(A: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
    """(y − Aβ̂ by least squares, rank of A), from the Gram matrix A'A (n p² flops in one
    matrix product; an SVD of the tall A costs ten times more) with two refinement steps,
    so that an exact fit leaves a residual near rounding."""
    if A.shape[1] == 0 or not np.any(A):
        return y.copy(), 0
    lam, V = np.linalg.eigh(A.T @ A)
    keep = lam > lam.max() * 1e-12
    Vk = V[:, keep] / np.sqrt(lam[keep])
    r = y.copy()
    for _ in range(3):
        r = r - A @ (Vk @ (Vk.T @ (A.T @ r)))
    return r, int(keep.sum())


def _message(what: str, y: np.ndarray, p: int) -> str:
    if np.ptp(y) == 0:
        how = f"is constant ({y[0]:.6g} on all {y.size} records)"
    else:
        how = (f"is reproduced exactly by the fixed effects ({y.size} records, {p} "
               "fixed-effect columns)")
    return (f"{what} {how}: nothing is left for the variance components, and the REML "
            "log-likelihood has no maximum (it rises without bound as the variances shrink)")
