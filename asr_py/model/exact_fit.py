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

Both are screened first without a dense solve: records with identical rows of X_t (and,
for a random factor, the same level) have identical fitted values, so the within-group sum
of squares of y is a lower bound on every least-squares residual; when it exceeds
SCREEN² times the scale (100 TOL: far above rounding) the response is not fitted exactly and
the n p² Gram matrix and its p x p eigendecomposition are skipped (most replicated designs).

Both need a residual variance free to shrink: with every residual variance fixed ('F', a
two-stage fit's units!R = 1 with weights) ℓ is bounded and nothing is checked.

Without the check the engine stops at its floor and reports a converged boundary fit
(ℓ = 1146.9 for a constant Yield of sommer's DT_example; ℓ = 5711.5 for DT_btdata's
hatchdate with ``~ dam + fosternest``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack, solve_triangular

from asr_py.errors import ModelError

#: relative size of the least-squares residual that counts as an exact fit
TOL = 1e-10
#: largest records x columns² solved densely (the flops of the least-squares solve)
MAX_DENSE = 500_000_000
#: a within-group residual above SCREEN x scale proves the fit inexact (100 x TOL)
SCREEN = 1e-8
#: a pivoted-Cholesky residual above CLEAR x ‖y‖ is taken as inexact (10⁴ x TOL)
CLEAR = 1e-6
#: relative pivot below which a column of the scaled Gram matrix is dropped (as the
#: eigendecomposition's 1e-12)
PIVOT_TOL = 1e-12
#: fewer fixed-effect columns: dense arrays and no screens (the p x p eigendecomposition
#: costs less than the screens' sparse bookkeeping)
SCREEN_COLS = 100
#: widest row of X_t (non-zeros) keyed exactly for the screen; wider designs are not screened
MAX_KEY_NNZ = 64

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
        dense = y.size * Xt.shape[1] ** 2 <= MAX_DENSE
        if Xt.shape[1] < SCREEN_COLS:      # small: dense arrays, no screens (as cheap)
            Xt = Xt.toarray()
        xg = _row_groups(Xt) if dense and Xt.shape[1] >= SCREEN_COLS else None
        parts = _GramParts(Xt, y)
        if not _inexact_within(y, xg, float(y @ y)) and _exact(y, parts):
            raise ModelError(_message(what, y, Xc.shape[1]), hint=_HINT_FIXED)
        if not dense:
            continue
        for term in getattr(model, "random", []):
            d = _within_exact(parts, term, rows, xg)
            if d:
                raise ModelError(
                    f"{what} does not vary within the levels of the random term "
                    f"{term.label} once the fixed effects are removed ({d} within-level "
                    "contrasts, all 0): the residual variance has nothing to estimate and "
                    "the REML log-likelihood has no maximum (it rises without bound as the "
                    "residual variance shrinks)",
                    hint=f"a trait measured once per level of {term.label} (the same value "
                         "on all its records) is analysed at that level, one record per "
                         "level; a response that is exactly fixed effects plus a value per "
                         f"level of {term.label} (simulated without error, or already "
                         "adjusted values) leaves no residual; or check that the response "
                         "is the right column")


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


def _exact(y: np.ndarray, parts: _GramParts) -> bool:
    """y = X_t β exactly (relative TOL); constant y only, for a design too large."""
    scale = float(np.linalg.norm(y))
    if scale == 0.0:
        return True
    Xt = parts._Xt
    if y.size * Xt.shape[1] ** 2 <= MAX_DENSE:
        if Xt.shape[1] >= SCREEN_COLS and _clearly_inexact(parts.factor(), y, scale):
            return False
        r, _ = _ls_residual(Xt, y)
        return bool(np.linalg.norm(r) <= TOL * scale)
    if np.ptp(y) > TOL * np.abs(y).max():
        return False
    dense_cols = np.diff(Xt.indptr) == Xt.shape[0]
    return any(np.ptp(Xt[:, [j]].toarray()) == 0 for j in np.nonzero(dense_cols)[0])


class _GramParts:
    """B = [X_t, y] and its dense Gram matrix B'B, made on first use; for a sparse X_t
    (SCREEN_COLS columns or more) a sparse product: nnz(B) times its non-zeros per row."""

    def __init__(self, Xt: sp.csc_matrix | np.ndarray, y: np.ndarray) -> None:
        self._Xt, self._y = Xt, y
        self._made: tuple[sp.csr_matrix | np.ndarray, np.ndarray] | None = None
        self._factor: _XFactor | None = None

    def factor(self) -> _XFactor:
        """The pivoted Cholesky factor of X_t's scaled Gram matrix, made on first use."""
        if self._factor is None:
            self._factor = _XFactor(self._Xt)
        return self._factor

    def get(self) -> tuple[sp.csr_matrix | np.ndarray, np.ndarray]:
        if self._made is None:
            if sp.issparse(self._Xt):
                B = sp.hstack([self._Xt, sp.csc_matrix(self._y[:, None])], format="csr")
                self._made = (B, (B.T @ B).toarray())
            else:
                Bd = np.column_stack([self._Xt, self._y])
                self._made = (Bd, Bd.T @ Bd)
        return self._made


def _row_groups(Xt: sp.spmatrix) -> np.ndarray | None:
    """Group ids of the records by their row of X_t (equal rows, compared exactly, share
    an id); None for a row of more than MAX_KEY_NNZ non-zeros."""
    A = sp.csr_matrix(Xt, copy=True)
    A.eliminate_zeros()
    A.sort_indices()
    k = np.diff(A.indptr)
    w = int(k.max(initial=0))
    if w > MAX_KEY_NNZ:
        return None
    keys = np.zeros((A.shape[0], 1 + 2 * w))
    keys[:, 0] = k
    pos = np.arange(A.indptr[-1]) - np.repeat(A.indptr[:-1], k)
    row = np.repeat(np.arange(A.shape[0]), k)
    keys[row, 1 + pos] = A.indices
    keys[row, 1 + w + pos] = A.data
    return np.unique(keys, axis=0, return_inverse=True)[1].ravel()


def _inexact_within(y: np.ndarray, groups: np.ndarray | None, scale2: float) -> bool:
    """True when y varies within ``groups`` (records any fit of the model gives equal
    fitted values): Σ (y − ȳ_group)², a lower bound on the least-squares residual's square,
    exceeds (SCREEN)² ``scale2``. False (decide on the data) for no groups."""
    if groups is None or scale2 <= 0.0:
        return False
    ids = np.unique(groups, return_inverse=True)[1].ravel()
    counts = np.bincount(ids).astype(float)
    r = y - (np.bincount(ids, weights=y) / counts)[ids]
    return bool(r @ r > SCREEN ** 2 * scale2)


def _within_exact(parts: _GramParts, term: Any, rows: np.ndarray,
                  xg: np.ndarray | None = None) -> int:
    """d > 0 when y (last column of B = [X_t, y]), centred within the levels of ``term``
    (an indicator Z on ``rows``), is fitted exactly by the centred fixed effects with d
    within-level contrasts; else 0. Screened first by y's variation within the records of
    equal X_t rows (``xg``) and level, then on the centred Gram matrix
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
    if xg is not None:
        y = parts._y
        yc = y - y.mean()
        if _inexact_within(y, xg.astype(np.int64) * n_cols + g, float(yc @ yc)):
            return 0
    S = sp.csr_matrix((np.ones(g.size), (g, np.arange(g.size))), shape=(n_cols, g.size))
    if sp.issparse(parts._Xt) and n_g < parts._Xt.shape[1] and parts.factor().ok:
        # fewer levels than fixed-effect columns: y and the level indicators with X_t
        # projected out, y's residual on them (n_g³ flops, not the p³ of the centred X_t)
        W = parts.factor().residual(np.column_stack(
            [S[np.nonzero(counts)[0]].T.toarray(), parts._y]))
        Wg = W.T @ W
        yc = parts._y - parts._y.mean()
        if Wg[-1, -1] - _explained(Wg[:-1, :-1], Wg[:-1, -1]) > 1e-6 * float(yc @ yc):
            return 0
    B, gram = parts.get()
    counts = np.maximum(counts, 1.0)                     # (empty levels: sums of 0)
    M = S @ B
    M = M.toarray() if sp.issparse(M) else np.asarray(M)
    C = gram - M.T @ (M / counts[:, None])              # Gram of the centred [X_t, y]
    yy = float(C[-1, -1])
    total = float(gram[-1, -1] - parts._y.sum() ** 2 / rows.size)
    if total <= 0.0:
        return 0
    # y's within-level variation left by the centred fixed effects (they may explain it:
    # y = environment + genotype exactly, fitted y ~ Env, random = ~ Geno)
    if yy - _explained(C[:-1, :-1], C[:-1, -1]) > 1e-6 * total:
        return 0
    Bd = B.toarray() if sp.issparse(B) else B
    Bc = Bd - (M / counts[:, None])[g]                    # near exact: decide on the data
    r, rank = _ls_residual(Bc[:, :-1], Bc[:, -1])
    d = rows.size - n_g - rank
    return d if d > 0 and float(np.linalg.norm(r)) <= TOL * np.sqrt(total) else 0


def _explained(G: np.ndarray, b: np.ndarray) -> float:
    """b'G⁺b, the sum of squares a least-squares fit explains from the Gram matrix G = A'A
    and b = A'y, by a pivoted Cholesky factor of the column-scaled G (pivots below
    PIVOT_TOL dropped; p³/3 flops, a tenth of an eigendecomposition)."""
    d = np.diag(G)
    on = np.nonzero(d > 0)[0]
    if on.size == 0:
        return 0.0
    s = 1.0 / np.sqrt(d[on])
    c, piv, rank, info = lapack.dpstrf(G[np.ix_(on, on)] * s[:, None] * s[None, :],
                                       tol=PIVOT_TOL, lower=0)
    if info < 0 or rank < 1:
        return 0.0
    cols = piv[:rank] - 1
    w = solve_triangular(np.triu(c[:rank, :rank]), (b[on] * s)[cols], trans="T",
                         check_finite=False)
    return float(w @ w)


class _XFactor:
    """Least squares on the columns of a sparse X_t without an eigendecomposition: a
    pivoted Cholesky factor P'ĜP = U'U of the column-scaled Gram matrix
    Ĝ = D^-½ X_t'X_t D^-½ (pivots below PIVOT_TOL dropped; p³/3 flops against the
    eigendecomposition's ~9 p³). ``ok`` is False when nothing is left of X_t."""

    def __init__(self, A: sp.spmatrix) -> None:
        A = sp.csr_matrix(A)
        G = (A.T @ A).toarray()
        d = np.diag(G).copy()
        on = np.nonzero(d > 0)[0]
        self.ok = on.size > 0
        if not self.ok:
            return
        s = 1.0 / np.sqrt(d[on])
        Gs = G[np.ix_(on, on)] * s[:, None] * s[None, :]
        c, piv, rank, info = lapack.dpstrf(Gs, tol=PIVOT_TOL, lower=0)
        self.ok = info >= 0 and rank >= 1
        if self.ok:
            cols = piv[:rank] - 1
            self.U = np.triu(c[:rank, :rank])
            self.As = A[:, on[cols]] @ sp.diags(s[cols])

    def residual(self, Y: np.ndarray) -> np.ndarray:
        """Y − X_t(X_t'X_t)⁺X_t'Y by the normal equations and three refinement steps."""
        R = Y.copy()
        for _ in range(3):
            z = solve_triangular(self.U, solve_triangular(self.U, self.As.T @ R, trans="T",
                                                          check_finite=False),
                                 check_finite=False)
            R = R - self.As @ z
        return R


def _clearly_inexact(fac: _XFactor, y: np.ndarray, scale: float) -> bool:
    """True when y's least-squares residual on X_t (``fac``) is clearly not 0 (above
    CLEAR x ``scale``). False: decide with the eigendecomposition (:func:`_ls_residual`)."""
    return fac.ok and bool(np.linalg.norm(fac.residual(y)) > CLEAR * scale)


def _ls_residual(A: np.ndarray | sp.spmatrix, y: np.ndarray) -> tuple[np.ndarray, int]:
    """(y − Aβ̂ by least squares, rank of A), from the Gram matrix A'A (n p² flops in one
    dense matrix product, far fewer for a sparse A; an SVD of the tall A costs ten times
    more) with two refinement steps, so that an exact fit leaves a residual near rounding.
    The columns are scaled to unit length first (the span is unchanged): a covariate in
    large units would otherwise push the other columns under the rank cutoff."""
    if sp.issparse(A):
        A = sp.csr_matrix(A)
        if A.shape[1] == 0 or not np.any(A.data):
            return y.copy(), 0
        G = (A.T @ A).toarray()
    else:
        if A.shape[1] == 0 or not np.any(A):
            return y.copy(), 0
        G = A.T @ A
    d = np.diag(G)
    s = np.where(d > 0, 1.0 / np.sqrt(np.where(d > 0, d, 1.0)), 0.0)
    A = A @ sp.diags(s) if sp.issparse(A) else A * s
    lam, V = np.linalg.eigh(G * s[:, None] * s[None, :])
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
