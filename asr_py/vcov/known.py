"""Known matrices: ``vm(id, K)``, ``giv(id, Ginv)``, ``ped(id)`` (A⁻¹), ``ide(id)``.

:class:`KnownMatrix` holds a fixed symmetric matrix K (or, given as an inverse, K⁻¹) with no
parameters and no scale of its own (the compiler adds the term's variance: σ² K).

* Given as an inverse (A⁻¹ from a pedigree, a G-inverse): ``inverse()`` returns it, sparse,
  and the engine uses it directly; ``matrix()`` inverts it lazily (once, cached) and refuses
  above :data:`DENSE_LIMIT` rows rather than densify a huge matrix.
* Given as K: ``inverse()`` inverts once (cached).
* ``logdet()`` is taken from the ``logdet=`` argument (or a RelMatrix's) when given, else
  computed once: sparse LU (scipy ``splu``, symmetric mode) for sparse input,
  dense Cholesky otherwise; log|K| = -log|K⁻¹|.

Positive semi-definite K (given as K, at most :data:`DENSE_LIMIT` rows): :meth:`KnownMatrix.rank`
decides the numerical rank r from the eigenvalues λ of K,

    λ_j counts as 0  when  λ_j <= tol = RANK_RTOL_FACTOR · n · ε · max λ,

(a centred VanRaden G has rank n − 1 at most; its "zero" eigenvalue comes out as ±1e-15 from
round-off). A K with r < n has no inverse and no log-determinant: ``inverse()`` and
``logdet()`` refuse it, and the engine fits it through K = L L' with L = U_r D_r^½ (n x r)
instead (:mod:`asr_py.reml.psd`, and the eigen path). An eigenvalue below −tol means K is
indefinite, which no covariance matrix can be: a :class:`MatrixError`. The
eigendecomposition is skipped when a Cholesky factor exists and LAPACK's 1-norm reciprocal
condition estimate exceeds RCOND_MARGIN · RANK_RTOL_FACTOR · n · ε: since
rcond_1 <= λ_min / λ_max and the estimate is at most a small factor above the true value,
a K with an eigenvalue at or below tol cannot pass (the margin is 1000). A given inverse,
and a sparse K above :data:`SPARSE_RANK_LIMIT` rows, are taken as full rank (their
factorisation still refuses a singular one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from asr_py.errors import MatrixError, ModelError
from asr_py.vcov.base import (  # noqa: F401  (rank_tolerance: re-exported)
    RANK_RTOL_FACTOR,
    CovTemplate,
    Matrix,
    StructureSyntax,
    rank_tolerance,
    register_factory,
)
from asr_py.vcov.identity import Identity

#: above this many rows a known matrix is never turned into a dense inverse / matrix
DENSE_LIMIT = 12000
#: full rank without eigenvalues when the Cholesky rcond estimate exceeds RCOND_MARGIN x the
#: relative tolerance (the estimate is rarely more than 10x the true rcond_1 <= λ_min/λ_max)
RCOND_MARGIN = 1e3
#: a sparse K (given as K) above this many rows is not densified for the rank check
SPARSE_RANK_LIMIT = 2000
#: the values of vm(..., singG=) that are accepted
SING_G_VALUES = ("PSD",)


@dataclass(frozen=True)
class KnownRank:
    """The numerical rank of a known matrix K (n x n): ``rank`` eigenvalues above ``tol``;
    ``min_eig``/``max_eig`` (NaN when full rank was proven by a Cholesky factor)."""

    n: int
    rank: int
    tol: float
    min_eig: float
    max_eig: float

    @property
    def singular(self) -> bool:
        return self.rank < self.n

    def describe(self, name: str = "K") -> str:
        """'K: 300 x 300, rank 299 (eigenvalues <= 1.2e-13 taken as 0)'."""
        out = f"{name}: {self.n} x {self.n}, rank {self.rank}"
        if self.singular:
            out += f" (eigenvalues <= {self.tol:.2g} taken as 0)"
        return out


def _as_matrix(m: Any, what: str) -> tuple[Matrix, list[str] | None]:
    """Copy the user's matrix into float CSC or ndarray; levels from a DataFrame index."""
    labels = None
    if hasattr(m, "to_numpy") and hasattr(m, "index"):  # pandas DataFrame
        labels = [str(x) for x in m.index]
        m = m.to_numpy(dtype=float)
    if sp.issparse(m):
        out: Matrix = sp.csc_matrix(m, dtype=float, copy=True)
    else:
        try:
            out = np.array(m, dtype=float, copy=True)
        except (TypeError, ValueError) as e:
            raise MatrixError(f"{what}: cannot read the matrix as numbers ({e})") from None
        if out.ndim != 2:
            raise MatrixError(f"{what}: expected a 2-d matrix, got {out.ndim} dimension(s)",
                              hint="pass a square numpy array, scipy.sparse matrix or DataFrame")
    return out, labels


def _check_square_symmetric(m: Matrix, what: str, levels: Sequence[str] | None) -> None:
    r, c = m.shape
    if r != c:
        raise MatrixError(f"{what}: the matrix is not square ({r} x {c})",
                          hint="a known covariance matrix needs one row and column per level")
    data = m.data if sp.issparse(m) else m
    if not np.all(np.isfinite(data)):
        raise MatrixError(f"{what}: the matrix has missing or infinite values")
    if sp.issparse(m):
        diff = abs(m - m.T).tocoo()
        scale = abs(m).max() if m.nnz else 0.0
        if diff.nnz and diff.data.max() > 1e-8 * max(scale, 1e-300):
            k = int(np.argmax(diff.data))
            i, j = int(diff.row[k]), int(diff.col[k])
        else:
            return
    else:
        diff = np.abs(m - m.T)
        scale = np.abs(m).max() if m.size else 0.0
        if diff.size == 0 or diff.max() <= 1e-8 * max(scale, 1e-300):
            return
        i, j = np.unravel_index(int(np.argmax(diff)), diff.shape)
    li = levels[i] if levels is not None else str(i)
    lj = levels[j] if levels is not None else str(j)
    raise MatrixError(
        f"{what}: the matrix is not symmetric (element [{li}, {lj}] = {m[i, j]:.6g} but "
        f"[{lj}, {li}] = {m[j, i]:.6g})",
        hint="a covariance matrix must equal its transpose; use (K + K.T) / 2 if it is "
        "a rounding issue",
    )


#: hint for a known matrix that is singular or indefinite
_PD_HINT = ("a relationship matrix must be positive definite; a genomic G is singular when "
            "centred or built from fewer markers than ids: use asr.gmatrix(..., ridge=0.01) "
            "or blend= with A; otherwise add a small value to its diagonal (K + 0.01 I)")


def _sparse_diagonal(m: Matrix) -> np.ndarray | None:
    """diag(M) when M is a sparse diagonal matrix (ide(id)'s identity, a diagonal K), else
    None: such an M is inverted, ranked and log-determined elementwise, at any size."""
    if not sp.issparse(m):
        return None
    c = sp.coo_matrix(m)
    if np.any(c.row[c.data != 0] != c.col[c.data != 0]):
        return None
    return np.asarray(c.diagonal(), dtype=float)


def _logdet_pd(m: Matrix, what: str) -> float:
    """log|M| for a symmetric positive definite M; MatrixError if it is not PD."""
    n = m.shape[0]
    if n == 0:
        return 0.0
    d = _sparse_diagonal(m)
    if d is not None:
        if np.any(d <= 0):
            raise MatrixError(f"{what}: the matrix is not positive definite (a diagonal "
                              f"element is {float(d.min()):.4g})", hint=_PD_HINT)
        return float(np.log(d).sum())
    if sp.issparse(m):
        try:
            lu = spla.splu(sp.csc_matrix(m), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                           options={"SymmetricMode": True})
        except RuntimeError as e:  # exactly singular
            raise MatrixError(f"{what}: the matrix is singular ({e})",
                              hint="a relationship matrix needs full rank; add a small value "
                              "to its diagonal (K + 0.01 I) or blend it with I") from None
        d = lu.U.diagonal()
        same = np.array_equal(lu.perm_r, lu.perm_c)
        if not same or np.any(d <= 0):
            raise MatrixError(f"{what}: the matrix is not positive definite",
                              hint=_PD_HINT)
        return float(np.log(d).sum())
    try:
        c = np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        raise MatrixError(f"{what}: the matrix is not positive definite",
                          hint=_PD_HINT) from None
    return float(2.0 * np.log(np.diag(c)).sum())


def _cholesky_rcond(a: np.ndarray) -> tuple[float, float] | None:
    """(LAPACK's 1-norm reciprocal condition estimate, log|a|) of a symmetric ``a`` from its
    Cholesky factor (dpotrf + dpocon), or None when the factorisation fails."""
    if a.shape[0] == 0:
        return 1.0, 0.0
    c, info = sla.lapack.dpotrf(a, lower=1, clean=0)
    if info != 0:
        return None
    anorm = float(np.abs(a).sum(axis=0).max())
    rc, info = sla.lapack.dpocon(c, anorm, uplo="L")
    d = np.diag(c)
    if info != 0 or not np.all(d > 0):
        return None
    return float(rc), float(2.0 * np.log(d).sum())


def _invert(m: Matrix, what: str) -> Matrix:
    """Inverse of a PD matrix: dense via Cholesky; sparse via splu (result kept sparse CSC);
    a sparse diagonal D elementwise, D⁻¹ = diag(1/d) (ide(id)'s identity at any size)."""
    n = m.shape[0]
    d = _sparse_diagonal(m)
    if d is not None:
        if np.any(d <= 0):
            raise MatrixError(f"{what}: the matrix is not positive definite, cannot invert it",
                              hint=_PD_HINT)
        return sp.diags(1.0 / d, 0, format="csc")
    if n > DENSE_LIMIT:
        raise MatrixError(
            f"{what}: refusing to invert a {n} x {n} known matrix densely",
            hint="give the inverse instead (inverse=True, as ped()/giv() do), so it can be "
            "used sparsely",
        )
    if sp.issparse(m):
        lu = spla.splu(sp.csc_matrix(m))
        inv = lu.solve(np.eye(n))
        inv[np.abs(inv) < 1e-14 * np.abs(inv).max()] = 0.0
        return sp.csc_matrix((inv + inv.T) / 2)
    try:
        c = sla.cho_factor(m, lower=True)
    except np.linalg.LinAlgError:
        raise MatrixError(f"{what}: the matrix is not positive definite, cannot invert it",
                          hint=_PD_HINT) from None
    inv = sla.cho_solve(c, np.eye(n))
    return (inv + inv.T) / 2


def _is_relmatrix(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("matrix", "ids", "inverse", "logdet")) and not (
        sp.issparse(obj) or isinstance(obj, np.ndarray))


class FixedMatrix(CovTemplate):
    """A template with no parameters and no scale of its own: empty names, kinds,
    derivatives and starting values, always valid; subclasses give the matrix, its inverse
    and log-determinant."""

    has_variance = False

    @property
    def param_names(self) -> list[str]:
        return []

    @property
    def param_kinds(self) -> list[str]:
        return []

    def derivatives(self, theta: np.ndarray | None = None) -> list[Matrix]:
        return []

    def inv_deriv_inv(self, theta: np.ndarray | None = None) -> list[Matrix]:
        return []

    def is_valid(self, theta: np.ndarray | None = None) -> bool:
        """No parameters: always valid (positive definiteness is checked on construction
        or by ``logdet``)."""
        return True

    def initial(self, scale: float) -> np.ndarray:
        """No parameters: an empty vector."""
        return np.zeros(0)


class DiagonalKnown(FixedMatrix):
    """D = diag(d) as a known matrix (no parameters, no own scale); sparse results. The
    eigen path's rotated K (:meth:`KnownMatrix.eigen_diagonal`)."""

    block_size = 1

    def __init__(self, d: np.ndarray, name: str = "") -> None:
        self.d = np.array(d, dtype=float, copy=True).ravel()
        if not np.all(np.isfinite(self.d)) or np.any(self.d <= 0):
            raise ModelError("DiagonalKnown: the eigenvalues must be positive and finite")
        self.n = self.d.size
        self.name = name
        self._logdet = float(np.log(self.d).sum())

    def matrix(self, theta: np.ndarray | None = None) -> Matrix:
        return sp.diags(self.d, 0, format="csc")

    def inverse(self, theta: np.ndarray | None = None) -> Matrix:
        return sp.diags(1.0 / self.d, 0, format="csc")

    def logdet(self, theta: np.ndarray | None = None) -> float:
        """log|D| = Σ log d_j."""
        return self._logdet


class KnownMatrix(FixedMatrix):
    """A fixed known matrix K (``vm``/``giv``/``ped``): no parameters, no own scale.

    Parameters
    ----------
    matrix : ndarray, scipy.sparse matrix or DataFrame (square, symmetric)
    inverse : True if ``matrix`` is K⁻¹ (A-inverse, G-inverse) rather than K
    levels : level labels, one per row (default: the DataFrame index, else 0..n-1)
    name : the factor/matrix name, used in messages
    logdet : log|K| (of K, not K⁻¹) when it is known cheaply, e.g. Σ log D_ii from a
        pedigree; skips the sparse factorisation, which can take minutes for a large
        A-inverse with heavy fill-in (50 000 animals, random mating: ~160 s with SuperLU)

    sing_g : ``vm(id, K, singG = "PSD")``: K is declared positive semi-definite (singular
        allowed). Without it a singular K is fitted all the same (see the module docstring),
        with a warning that says so; the declaration only silences that warning.

    ``matrix`` may also be an ``asr_py.genetics.RelMatrix``: its ``matrix``, ``ids``
    (as levels), ``inverse`` flag and ``logdet`` are used.
    """

    def __init__(self, matrix: Any, *, inverse: bool = False,
                 levels: Sequence[str] | None = None, name: str = "",
                 logdet: float | None = None, sing_g: str | None = None) -> None:
        self.name = name
        what = f"known matrix {name!r}" if name else "known matrix"
        self._what = what
        if _is_relmatrix(matrix):  # asr_py.genetics.RelMatrix (duck-typed: no import upward)
            inverse = bool(inverse or matrix.inverse)
            if levels is None:
                levels = list(matrix.ids)
            if logdet is None:
                logdet = matrix.logdet
            matrix = matrix.matrix
        m, labels = _as_matrix(matrix, what)
        self.n = m.shape[0]
        if levels is not None:
            levels = [str(x) for x in levels]
        else:
            levels = labels if labels is not None else [str(i) for i in range(self.n)]
        _check_square_symmetric(m, what, levels)
        if len(levels) != self.n:
            raise MatrixError(f"{what}: {len(levels)} level labels for a {self.n} x {self.n} "
                              "matrix", hint="give one label per row")
        self.levels = tuple(levels)
        self.given_inverse = bool(inverse)
        self._given = m
        self._other: Matrix | None = None  # the lazily computed inverse of _given
        if logdet is not None and not np.isfinite(logdet):
            raise MatrixError(f"{what}: the given log-determinant {logdet!r} is not finite")
        self._logdet: float | None = None if logdet is None else float(logdet)
        if sing_g is not None and sing_g not in SING_G_VALUES:
            raise MatrixError(
                f"{what}: singG = {sing_g!r} is not supported",
                hint="singG = 'PSD' declares a positive semi-definite (singular) K, which is "
                "fitted exactly; an indefinite ('NSD') K is no covariance matrix: make it "
                "positive semi-definite, or add a ridge explicitly (asr.gmatrix(..., ridge=))")
        if sing_g is not None and inverse:
            raise MatrixError(f"{what}: singG = {sing_g!r} applies to a matrix K, not to an "
                              "inverse", hint="give K itself (inverse=False) to declare it PSD")
        self.sing_g = sing_g
        self._rank: KnownRank | None = None
        self._spectrum: tuple[np.ndarray, np.ndarray] | None = None

    is_known = True

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self._given)

    def rank_reduction(self) -> tuple[np.ndarray, CovTemplate] | None:
        """(L, I_r) for a singular K given as K (K = L L', :meth:`root`), else None."""
        if self.given_inverse or not self.rank().singular:
            return None
        lr = self.root()
        return lr, Identity([str(i) for i in range(lr.shape[1])], name=f"L'({self.name})")

    def eigen_diagonal(self, d: np.ndarray) -> DiagonalKnown:
        """K in its eigenbasis: the known D = diag(d) (kept eigenvalues), same name."""
        return DiagonalKnown(d, name=self.name)

    def _inverse_of_given(self) -> Matrix:
        if self._other is None:
            self._other = _invert(self._given, self._what)
        return self._other

    def matrix(self, theta: np.ndarray | None = None) -> Matrix:
        """K (inverted lazily when K⁻¹ was given)."""
        return self._inverse_of_given() if self.given_inverse else self._given

    def inverse(self, theta: np.ndarray | None = None) -> Matrix:
        """K⁻¹ (sparse CSC when given as an inverse); MatrixError for a singular K."""
        if self.given_inverse:
            return sp.csc_matrix(self._given)
        self._refuse_singular("has no inverse")
        return self._inverse_of_given()

    def logdet(self, theta: np.ndarray | None = None) -> float:
        """log|K|, computed once; MatrixError for a singular K."""
        if self._logdet is None:
            if not self.given_inverse:
                self._refuse_singular("has no log-determinant")
            ld = _logdet_pd(self._given, self._what)
            self._logdet = -ld if self.given_inverse else ld
        return self._logdet

    def _refuse_singular(self, what: str) -> None:
        if self.rank().singular:
            raise MatrixError(
                f"{self._what}: K is singular ({self.rank().describe()}) and {what}",
                hint="the model fit handles it (K = L L' of rank r); only code that needs K⁻¹ "
                "directly refuses it. A ridge (asr.gmatrix(..., ridge=0.01)) makes K "
                "positive definite if that is what you want")

    @property
    def has_spectrum(self) -> bool:
        """True once :meth:`spectrum` has been computed (and is cached)."""
        return self._spectrum is not None

    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """(d, U) with K = U diag(d) U', d ascending (LAPACK syevd; computed once). Given K⁻¹
        (giv, G-inverse), decomposes K⁻¹ = U Λ U' and returns d = 1/Λ (then ascending in Λ)."""
        if self._spectrum is None:
            if self.n > DENSE_LIMIT:
                raise MatrixError(f"{self._what}: refusing to eigendecompose a {self.n} x "
                                  f"{self.n} known matrix densely")
            m = self._given
            a = m.toarray() if sp.issparse(m) else np.array(m, dtype=float, copy=True)
            w, v = sla.eigh(a, driver="evd", overwrite_a=True, check_finite=False)
            if not np.all(np.isfinite(w)):
                raise MatrixError(f"{self._what}: the eigendecomposition failed")
            if self.given_inverse:
                if w[0] <= 0:
                    raise MatrixError(f"{self._what}: the given inverse is not positive "
                                      f"definite (smallest eigenvalue {w[0]:.3g})",
                                      hint=_PD_HINT)
                w = 1.0 / w
            self._spectrum = (w, v)
            if self._rank is None and not self.given_inverse:
                self._rank = self._rank_from(w)
        return self._spectrum

    def _rank_from(self, w: np.ndarray) -> KnownRank:
        """Rank from eigenvalues; MatrixError if one is below −tol (K indefinite)."""
        tol = rank_tolerance(w)
        lo, hi = float(w.min()), float(w.max())
        if hi <= 0 or lo < -tol:
            raise MatrixError(
                f"{self._what}: the matrix is not positive semi-definite (smallest eigenvalue "
                f"{lo:.4g}, largest {hi:.4g}; eigenvalues above -{tol:.2g} would count as 0)",
                hint="a relationship matrix must be positive (semi-)definite; check how it was "
                "built (a G from markers coded differently per row, a blended G with "
                "mismatched ids), or add a ridge explicitly: K + λI")
        return KnownRank(self.n, int(np.count_nonzero(w > tol)), tol, lo, hi)

    def rank(self) -> KnownRank:
        """The numerical rank of K (see the module docstring; computed once). Full rank is
        proven by a well-conditioned Cholesky factor; otherwise the eigenvalues decide. A
        given inverse, a dense matrix above DENSE_LIMIT rows or a sparse one above
        SPARSE_RANK_LIMIT is taken as full rank: its factorisation checks positive
        definiteness (and refuses a singular one)."""
        if self._rank is not None:
            return self._rank
        big = SPARSE_RANK_LIMIT if self.is_sparse else DENSE_LIMIT
        d = _sparse_diagonal(self._given)
        if d is not None and not self.given_inverse:  # rank of diag(d): its positive d_j
            self._rank = self._rank_from(d)
            return self._rank
        if self.given_inverse or self.n > big or self.n == 0:
            self._rank = KnownRank(self.n, self.n, 0.0, float("nan"), float("nan"))
            return self._rank
        m = self._given
        a = m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)
        rc = _cholesky_rcond(a)
        rel_tol = RANK_RTOL_FACTOR * self.n * np.finfo(float).eps
        if rc is not None and rc[0] > RCOND_MARGIN * rel_tol:
            self._rank = KnownRank(self.n, self.n, 0.0, float("nan"), float("nan"))
            if self._logdet is None:
                self._logdet = rc[1]  # the same factor gives log|K|
        else:
            self._rank = self._rank_from(self.spectrum()[0])
        return self._rank

    def root(self) -> np.ndarray:
        """L = U_r diag(d_r)^½ (n x r) with K = L L' over the r eigenvalues above the
        tolerance (:meth:`rank`)."""
        d, u = self.spectrum()
        keep = d > self.rank().tol
        return u[:, keep] * np.sqrt(d[keep])

    def __repr__(self) -> str:
        kind = "inverse" if self.given_inverse else "matrix"
        fmt = "sparse" if self.is_sparse else "dense"
        return f"KnownMatrix({self.n} x {self.n} {fmt} {kind}, name={self.name!r})"


def _vm(levels: Sequence[str], *, name: str = "", matrix: Any = None,
        inverse: bool = False, singG: str | None = None,  # noqa: N803 - ASReml's name
        **options: object) -> KnownMatrix:
    """Registry factory ``vm``: ``KnownMatrix(matrix, inverse=inverse, levels=levels)``."""
    if matrix is None:
        raise MatrixError(f"vm({name}): no matrix given", hint="pass the matrix, e.g. K=K")
    km = KnownMatrix(matrix, inverse=inverse, levels=None, name=name, sing_g=singG)
    if len(levels) != km.n:
        raise MatrixError(f"vm({name}): {len(levels)} levels but the matrix is "
                          f"{km.n} x {km.n}")
    km.levels = tuple(str(x) for x in levels)
    return km


def _giv(levels: Sequence[str], *, name: str = "", matrix: Any = None,
         **options: object) -> KnownMatrix:
    """Registry factory ``giv``: a known matrix given as its inverse."""
    return _vm(levels, name=name, matrix=matrix, inverse=True)


register_factory("vm", _vm, StructureSyntax(  # type: ignore[arg-type]
    "known relationship matrix or its inverse", words="known (relationship) matrix",
    math="K ({n}×{n} known)"), table=False)
register_factory("giv", _giv, StructureSyntax(  # type: ignore[arg-type]
    "generalized inverse (asreml 3)", words="known matrix given by its inverse",
    math="K ({n}×{n} known, inverse given)"), table=False)
