"""Factorizations of the mixed-model coefficient matrix C behind one small interface.

A backend factors a symmetric positive definite C (N x N) and offers

* ``solve(B)``             C⁻¹B for a vector or an N x k block,
* ``logdet()``             log|C|,
* ``inverse_on(pattern)``  the entries of C⁻¹ on the sparsity pattern of ``pattern``
                            (a "selected inverse"; the REML score traces need no more),
* ``inverse_block(rows)``  the dense block C⁻¹[rows, rows],
* ``refactor(C_new)``      a new numeric factorization of a matrix with the same pattern.

Backends are registered by name (:func:`register_backend`): 'dense' :class:`DenseFactor`
(LAPACK Cholesky; fastest for a few hundred equations or a dense C), 'sparse'
(:class:`asr_py.reml.backends.cholmod.CholmodFactor`: CHOLMOD supernodal Cholesky through
cvxopt with a supernodal Takahashi selected inverse, symbolic analysis kept across
``refactor``; AMD ordering), 'sparse-nd' (the same with METIS nested dissection, when
``pymetis`` is installed), 'blocked'
(:class:`asr_py.reml.backends.blocked.BlockedFactor`: a diagonal block and its dense Schur
complement, for crossed random factors) and 'superlu' :class:`SparseFactor`
(``scipy.sparse.linalg.splu``, selected inverse by solving for the needed columns; a
fallback). :func:`choose_backend`
picks one for 'auto', :func:`factorize` builds it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from asr_py.reml.memory import check_dense
from asr_py.vcov.base import Matrix

#: 'auto' uses the dense backend up to this many equations (measured crossover, 1 BLAS
#: thread, factor + solve + selected inverse on C's pattern, animal-model MMEs: 202 eq dense
#: 1.6 ms / sparse 2.1 ms; 402 eq 18 ms / 8.6 ms; 1 502 eq 225 ms / 26 ms; gryphon 1 705 eq
#: 0.51 s / 0.05 s; see benchmarks/bench_solver.py)
DENSE_MAX_EQUATIONS = 300
#: ... or when C is denser than this fraction (2 000 eq with a dense G⁻¹ block: density 0.05
#: dense 343 ms / sparse 44 ms; 0.20: 431 / 479 ms; 0.49: 430 / 1 120 ms)
DENSE_MIN_DENSITY = 0.15


class NotPositiveDefinite(np.linalg.LinAlgError):
    """C is not (numerically) positive definite."""


class Factor(ABC):
    """A Cholesky-type factorization of an SPD matrix C."""

    n: int

    @abstractmethod
    def solve(self, b: np.ndarray) -> np.ndarray:
        """C⁻¹ b (b a vector or an N x k array)."""

    @abstractmethod
    def logdet(self) -> float:
        """log|C|."""

    @abstractmethod
    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        """C⁻¹ restricted to the nonzero pattern of ``pattern`` (N x N), as CSC."""

    @abstractmethod
    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        """Dense C⁻¹[rows][:, rows]."""

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """C⁻¹[rows[k], cols[k]] for each k (a selected inverse on a list of entries).
        Backends may cache work keyed on the identity of the ``rows`` array, so callers
        pass the same (unmodified) arrays at every θ."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        pat = sp.csc_matrix((np.ones(rows.size), (rows, cols)), shape=(self.n, self.n))
        sel = sp.csc_matrix(self.inverse_on(pat))
        return np.asarray(sel[rows, cols]).ravel()

    @abstractmethod
    def refactor(self, c_new: Matrix) -> Factor:
        """Factor a new matrix with the same pattern (reusing what the backend can)."""

    def root_solve(self, z: np.ndarray) -> np.ndarray | None:
        """B⁻ᵀz for a square root C = BB' (one triangular solve: E[ww'] = C⁻¹ for probes
        with E[zz'] = I; :mod:`asr_py.reml.stochastic`), or None when the backend has none."""
        return None

    #: the registry name of the backend that made this factor
    name: str = ""

    @property
    def kind(self) -> str:
        """'dense' for a dense (LAPACK) factor, else 'sparse'."""
        return "dense" if isinstance(self, DenseFactor) else "sparse"


#: equations above which a dense factorization first checks the memory it needs
DENSE_CHECK_FROM = 3000
_DENSE_HINT = ("C is factorized densely when solver='dense' is asked for or C is dense (a dense "
               "G-inverse, many crossed levels); use solver='sparse' when C is sparse, fewer "
               "levels, a machine with more memory, or asr.blup_pcg for BLUP at given variance "
               "components (docs/large.md). ASR_PY_MEMORY_LIMIT overrides the estimate of the "
               "memory available")


class DenseFactor(Factor):
    """Dense Cholesky C = LL' (scipy.linalg.cho_factor). C⁻¹ is formed once, on demand."""

    name = "dense"

    def __init__(self, c: Matrix, *, overwrite: bool = False) -> None:
        """``overwrite``: factor the float64 array ``c`` in place (the caller's copy)."""
        if c.shape[0] > DENSE_CHECK_FROM:  # C as an array, its factor, C⁻¹ on demand
            check_dense(c.shape[0], copies=3, what="the dense Cholesky factorization of C",
                        hint=_DENSE_HINT)
        own = overwrite and isinstance(c, np.ndarray) and c.dtype == np.float64
        a = c if own else c.toarray() if sp.issparse(c) else np.array(c, dtype=float)
        self.n = a.shape[0]
        try:
            self._cf = sla.cho_factor(a, lower=True, check_finite=True, overwrite_a=own)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise NotPositiveDefinite(str(exc)) from None
        d = np.diag(self._cf[0])
        if not np.all(d > 0) or not np.all(np.isfinite(d)):
            raise NotPositiveDefinite("non-positive pivot")
        self._logdet = float(2.0 * np.log(d).sum())
        self._inv: np.ndarray | None = None

    def solve(self, b: np.ndarray) -> np.ndarray:
        return sla.cho_solve(self._cf, np.asarray(b, dtype=float))

    def logdet(self) -> float:
        return self._logdet

    def root_solve(self, z: np.ndarray) -> np.ndarray:
        """L⁻ᵀz (C = LL')."""
        return sla.solve_triangular(self._cf[0], np.asarray(z, dtype=float), lower=True,
                                    trans="T", check_finite=False)

    @property
    def inverse_formed(self) -> bool:
        """True once :meth:`inverse` has formed C⁻¹ (further entries cost nothing)."""
        return self._inv is not None

    def inverse(self) -> np.ndarray:
        """The full C⁻¹ (cached)."""
        if self._inv is None and self.n == 0:  # no equations (ML θ-step of a model without
            self._inv = np.zeros((0, 0))  # random terms): LAPACK rejects n = 0
        if self._inv is None:
            # LAPACK potri: C⁻¹ from the Cholesky factor (about 3x faster than solving C X = I)
            inv, info = sla.lapack.dpotri(self._cf[0], lower=1)
            if info != 0:
                inv = sla.cho_solve(self._cf, np.eye(self.n))
            else:
                _mirror_lower(inv)
            self._inv = inv
        return self._inv

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        pat = sp.csc_matrix(pattern)
        pat.sum_duplicates()
        rows, cols = _rows_cols(pat)
        inv = self.inverse()
        return sp.csc_matrix((inv[rows, cols], (rows, cols)), shape=(self.n, self.n))

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows)
        return self.inverse()[np.ix_(rows, rows)]

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.inverse()[rows, cols]

    def refactor(self, c_new: Matrix) -> DenseFactor:
        return DenseFactor(c_new)


#: rows mirrored at a time by :func:`_mirror_lower`
_MIRROR_BLOCK = 256


def _mirror_lower(a: np.ndarray) -> None:
    """Copy the lower triangle of the square ``a`` onto its upper one, in place, a block of
    rows at a time (no n x n temporaries: np.tril(a) + np.tril(a, -1).T made three)."""
    n = a.shape[0]
    for s in range(0, n, _MIRROR_BLOCK):
        e = min(n, s + _MIRROR_BLOCK)
        a[s:e, e:] = a[e:, s:e].T
        d = a[s:e, s:e]
        d[...] = np.tril(d) + np.tril(d, -1).T


class SparseFactor(Factor):
    """Sparse LU of an SPD C with a symmetric fill-reducing ordering and no pivoting.

    With ``diag_pivot_thresh=0`` and a symmetric column ordering (``MMD_AT_PLUS_A``) SuperLU
    computes P C P' = L U with U = D L'; so log|C| = Σ log U_ii and C is positive definite
    iff every U_ii > 0. The selected inverse solves C X = E for the needed columns in blocks
    of ``block`` columns and keeps the requested entries (O(columns x nnz(L)); CHOLMOD with
    Takahashi's recursions will replace this).
    """

    name = "superlu"

    def __init__(self, c: Matrix, *, block: int = 256, permc_spec: str = "MMD_AT_PLUS_A") -> None:
        cs = sp.csc_matrix(c, dtype=float)
        cs.sum_duplicates()
        self.n = cs.shape[0]
        self._c = cs
        self._block = block
        self._permc = permc_spec
        try:
            self._lu = spla.splu(
                cs, permc_spec=permc_spec, diag_pivot_thresh=0.0,
                options={"SymmetricMode": True},
            )
        except RuntimeError as exc:  # exactly singular
            raise NotPositiveDefinite(str(exc)) from None
        d = self._lu.U.diagonal()
        if not np.all(d > 0) or not np.all(np.isfinite(d)):
            raise NotPositiveDefinite("non-positive pivot in sparse factorization")
        self._logdet = float(np.log(d).sum())

    def solve(self, b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=float)
        return self._lu.solve(b)

    def logdet(self) -> float:
        return self._logdet

    def _columns(self, cols: np.ndarray) -> np.ndarray:
        """Dense C⁻¹[:, cols] (N x len(cols))."""
        e = np.zeros((self.n, len(cols)))
        e[cols, np.arange(len(cols))] = 1.0
        return self._lu.solve(e)

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        pat = sp.csc_matrix(pattern)
        pat.sum_duplicates()
        pat.eliminate_zeros()
        needed = np.flatnonzero(np.diff(pat.indptr))
        data = np.empty(pat.nnz)
        for start in range(0, len(needed), self._block):
            cols = needed[start:start + self._block]
            x = self._columns(cols)
            for j, c in enumerate(cols):
                lo, hi = pat.indptr[c], pat.indptr[c + 1]
                data[lo:hi] = x[pat.indices[lo:hi], j]
        return sp.csc_matrix((data, pat.indices.copy(), pat.indptr.copy()), shape=pat.shape)

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows)
        out = np.empty((len(rows), len(rows)))
        for start in range(0, len(rows), self._block):
            cols = rows[start:start + self._block]
            out[:, start:start + len(cols)] = self._columns(cols)[rows]
        return 0.5 * (out + out.T)

    def refactor(self, c_new: Matrix) -> SparseFactor:
        return SparseFactor(c_new, block=self._block, permc_spec=self._permc)


def _rows_cols(pat: sp.csc_matrix) -> tuple[np.ndarray, np.ndarray]:
    cols = np.repeat(np.arange(pat.shape[1]), np.diff(pat.indptr))
    return pat.indices.astype(np.int64), cols


def on_pattern(pattern: Matrix, entries: Callable[[np.ndarray, np.ndarray], np.ndarray], *,
               drop_zeros: bool = False) -> sp.csc_matrix:
    """A matrix known entry by entry (``entries(rows, cols)``, e.g. C⁻¹[rows[k], cols[k]])
    on the nonzero pattern of ``pattern`` (duplicates summed; explicit zeros dropped with
    ``drop_zeros``), as CSC with that pattern."""
    pat = sp.csc_matrix(pattern)
    pat.sum_duplicates()
    if drop_zeros:
        pat.eliminate_zeros()
    if pat.nnz == 0:
        return sp.csc_matrix(pat.shape)
    rows, cols = _rows_cols(pat)
    return sp.csc_matrix((entries(rows, cols), pat.indices.copy(), pat.indptr.copy()),
                         shape=pat.shape)


#: name -> factory ``f(C) -> Factor``; see :func:`register_backend`
_BACKENDS: dict[str, Callable[[Matrix], Factor]] = {}


def register_backend(name: str, cls: Callable[[Matrix], Factor]) -> None:
    """Make ``cls`` (called as ``cls(C)``, returning a :class:`Factor`) available as the
    solver ``name`` for :func:`factorize`, :func:`choose_backend` and ``fit_reml(solver=)``.
    Re-registering a name replaces it; 'auto' is reserved."""
    if not isinstance(name, str) or not name or name == "auto":
        raise ValueError(f"a backend name must be a non-empty string other than 'auto', "
                         f"not {name!r}")
    if not callable(cls):
        raise TypeError(f"backend {name!r} must be callable as cls(C) -> Factor")
    _BACKENDS[name] = cls


def available_backends() -> tuple[str, ...]:
    """Registered backend names (in registration order)."""
    return tuple(_BACKENDS)


def choose_backend(c: Matrix, solver: str = "auto") -> str:
    """The backend name for C under the ``solver`` option ('auto' or a registered name).

    'auto': 'dense' (LAPACK) for N <= :data:`DENSE_MAX_EQUATIONS`, a dense C, or nnz/N² >
    :data:`DENSE_MIN_DENSITY`; else 'blocked' when C has a diagonal block whose Schur
    complement is small and about dense (crossed random factors:
    :func:`asr_py.reml.backends.blocked.prefer_blocked`); otherwise 'sparse' (CHOLMOD +
    selected inverse)."""
    if solver in _BACKENDS:
        return solver
    if solver != "auto":
        raise ValueError(f"solver must be 'auto' or one of {sorted(_BACKENDS)}, not {solver!r}")
    n = c.shape[0]
    if n <= DENSE_MAX_EQUATIONS or not sp.issparse(c):
        return "dense"
    density = c.nnz / float(n * n)
    if density > DENSE_MIN_DENSITY:
        return "dense"
    if "blocked" in _BACKENDS:
        from asr_py.reml.backends.blocked import prefer_blocked

        if prefer_blocked(c):
            return "blocked"
    return "sparse"


def factorize(c: Matrix, name: str) -> Factor:
    """Factor C with the registered backend ``name``. Raises NotPositiveDefinite."""
    try:
        cls = _BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown solver backend {name!r}; registered: "
                         f"{sorted(_BACKENDS)}") from None
    return cls(c)


def _superlu_with_warning(reason: str) -> Callable[[Matrix], Factor]:
    """'sparse' when CHOLMOD cannot be imported: SuperLU, with a PerformanceWarning (once per
    fit) naming the cost, never silently."""

    def make(c: Matrix) -> Factor:
        import warnings

        from asr_py.warning_classes import PerformanceWarning

        warnings.warn(
            f"the CHOLMOD sparse backend is not available ({reason}); solver='sparse' uses "
            "SuperLU with a column-by-column selected inverse, 10-100x slower on large "
            "pedigree models (20 000 animals: 540 s against 8 s). Install cvxopt>=1.3 and "
            "check that asr_py.reml.backends is installed", PerformanceWarning, stacklevel=2)
        return SparseFactor(c)

    return make


register_backend("dense", DenseFactor)
register_backend("superlu", SparseFactor)
from asr_py.reml.backends.blocked import BlockedFactor as _BlockedFactor  # noqa: E402

register_backend("blocked", _BlockedFactor)
# the same with S in LAPACK's rectangular full packed storage: half the memory of S, about
# twice the time of its factorization (not picked by 'auto'; benchmarks/README.md goal 4)
register_backend("blocked-packed", lambda c: _BlockedFactor(c, packed=True))
try:  # CHOLMOD (cvxopt) supernodal Cholesky + Takahashi selected inverse; imports Factor
    from functools import partial as _partial

    from asr_py.reml.backends.cholmod import CholmodFactor
    from asr_py.reml.backends.ordering import metis_available as _metis_available
except ImportError as _exc:  # a broken install: SuperLU keeps 'sparse' working, loudly
    CholmodFactor = None  # type: ignore[assignment,misc]
    register_backend("sparse", _superlu_with_warning(str(_exc)))
else:
    register_backend("sparse", CholmodFactor)
    if _metis_available():  # the same with METIS nested dissection instead of AMD
        register_backend("sparse-nd", _partial(CholmodFactor, ordering="metis"))
