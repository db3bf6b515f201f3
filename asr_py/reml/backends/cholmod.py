"""Sparse supernodal Cholesky (CHOLMOD through cvxopt) with a Takahashi selected inverse.

P C P' = L L' with CHOLMOD's fill-reducing ordering (AMD) and supernodal BLAS kernels.

* ``solve`` and ``logdet`` (= 2 Σ log L_jj) come from the supernodal numeric factor;
* ``inverse_on`` reads L's supernodal values from the factor itself in place
  (:mod:`asr_py.reml.backends.supernodal`: no ``getfactor``, whose simplicial copy and
  spmatrix made it the peak of large crossed fits), copies them into the work array of
  :class:`asr_py.reml.selinv.SelInvPlan` (built on CHOLMOD's own supernodes), drops them
  from the factor (its symbolic analysis stays: a later solve costs one numeric
  factorization) and runs the plan (Z = C⁻¹ on the filled pattern of L, then picks the
  requested entries), O(factorization) instead of one solve per column. Where the factor
  cannot be read so, ``cholmod.getfactor`` (which consumes the CHOLMOD object: the next
  numeric factorization re-runs the symbolic analysis) gives L;
* the symbolic part is kept in a :class:`CholmodAnalysis` shared by every factor of the same
  pattern (``refactor``): the CHOLMOD symbolic factor used for solves (numeric values are
  recomputed only when a different factor used it last), the ordering and the selected
  inverse plan;
* the ordering is computed once per pattern (AMD by CHOLMOD's first analysis, or METIS:
  :mod:`asr_py.reml.backends.ordering`); every later symbolic analysis (after ``getfactor``
  consumed the previous one) is handed that permutation (CHOLMOD_GIVEN, no postorder), which
  costs a tenth of re-running AMD (100 000 animals: 0.08 s against 0.65 s) and gives the
  same L.

cvxopt's CHOLMOD overwrites a factor's values in place, so a factor records whether it is the
current owner of the shared numeric object and refactors itself when it is not.
"""

from __future__ import annotations

import threading

import numpy as np
import scipy.sparse as sp
from cvxopt import cholmod, matrix, spmatrix
from scipy.sparse.csgraph import connected_components

from asr_py.reml import counters
from asr_py.reml.backends import ordering as _ordering
from asr_py.reml.backends import supernodal as _supernodal
from asr_py.reml.memory import release_free_memory
from asr_py.reml.selinv import SelInvPlan
from asr_py.reml.solver import Factor, NotPositiveDefinite
from asr_py.vcov.base import Matrix

cholmod.options["supernodal"] = 2  # supernodal LL' (the default; positive definite only)

#: ``inverse_block`` reads a block of at most this many entries from the selected inverse
BLOCK_FROM_SELINV_MAX = 4_000_000


def _lower(c: Matrix) -> sp.csc_matrix:
    cs = sp.csc_matrix(c, dtype=float) if sp.issparse(c) else sp.csc_matrix(
        np.asarray(c, dtype=float))
    if cs.shape[0] != cs.shape[1]:
        raise ValueError(f"C must be square, got shape {cs.shape}")
    low = sp.tril(cs, format="csc")
    low.sum_duplicates()
    low.sort_indices()
    return low


class CholmodAnalysis:
    """Symbolic data shared by the factors of matrices with one lower-triangular pattern."""

    def __init__(self, low: sp.csc_matrix, ordering: str = "auto") -> None:
        self.n = low.shape[0]
        self.ordering = _ordering.resolve(ordering, self.n)
        self.indptr = low.indptr.copy()
        self.indices = low.indices.copy()
        col = np.repeat(np.arange(self.n), np.diff(self.indptr))
        # cvxopt builds a triplet matrix column by column, quadratic in a column's length:
        # the lower triangle's dense fixed-effect columns took 7 s at 100 000 equations. Its
        # transpose (rows <-> columns: short columns) takes milliseconds; .T gives the lower
        # triangle in sorted CCS, whose values are then replaced in place (``V``).
        ones = matrix(np.ones(self.indices.size))
        self._A = spmatrix(ones, matrix(col.astype(int)), matrix(self.indices.astype(int)),
                           (self.n, self.n)).T
        self.symbolic = None  # CHOLMOD factor object used for solves
        self.owner: CholmodFactor | None = None
        self.perm: np.ndarray | None = None  # P C P' = L L': (P C P')[a, b] = C[perm[a], perm[b]]
        self._given: matrix | None = None  # perm as a cvxopt 'i' matrix, for cholmod.symbolic
        self._seed: matrix | None = None  # METIS's permutation for the first analysis
        if self.ordering == "metis":
            seed = _ordering.metis_permutation(low)
            self._seed = matrix(seed.tolist(), tc="i")
        self.plan: SelInvPlan | None = None
        self.l_indptr: np.ndarray | None = None
        self.l_indices: np.ndarray | None = None
        self.entry_cache: dict[int, tuple] = {}

    def l_keys(self) -> np.ndarray:
        """col * n + row of L's entries in CSC order (sorted): where an entry of Z = C⁻¹
        (permuted) sits in the selected inverse. Formed when a new set of entries is looked
        up, not kept (nnz(L) int64s: 120 MB at 100 000 animals x 2 traits)."""
        keys = np.repeat(np.arange(self.n, dtype=np.int64) * self.n, np.diff(self.l_indptr))
        keys += self.l_indices
        return keys

    def components(self) -> np.ndarray:
        """The connected component of each equation in C's graph (cached). C is block
        diagonal over its components, so C⁻¹[i, j] = 0 exactly when i and j lie in
        different ones (an animal's permanent-environment effect without records and its
        breeding value): no solve is needed for such an entry outside L's pattern."""
        comp = self.__dict__.get("_components")
        if comp is None:
            g = sp.csc_matrix((np.ones(self.indices.size), self.indices, self.indptr),
                              shape=(self.n, self.n))
            comp = self.__dict__["_components"] = connected_components(g, directed=False)[1]
        return comp

    def same_pattern(self, low: sp.csc_matrix) -> bool:
        return (low.shape[0] == self.n and np.array_equal(low.indptr, self.indptr)
                and np.array_equal(low.indices, self.indices))

    def spmatrix(self, data: np.ndarray) -> spmatrix:
        """The shared cvxopt matrix (lower triangle) holding ``data`` (CSC order)."""
        self._A.V = matrix(np.ascontiguousarray(data, dtype=float))
        return self._A

    def numeric(self, data: np.ndarray, owner: CholmodFactor) -> None:
        """(Re)compute the supernodal numeric factor of C (lower values ``data``) into the
        shared object."""
        a = self.spmatrix(data)
        if self.symbolic is None:
            self.symbolic = self._analyse(a)
        counters.bump("factorizations")
        try:
            cholmod.numeric(a, self.symbolic)
        except ArithmeticError:
            self.owner = None
            raise NotPositiveDefinite("C is not positive definite (CHOLMOD)") from None
        self.owner = owner
        if self._given is None:
            self._set_perm(self.permutation(self.symbolic))

    def _set_perm(self, perm: np.ndarray) -> None:
        self.perm = np.asarray(perm, dtype=np.int64)
        self._given = matrix(self.perm.tolist(), tc="i")

    def _analyse(self, a: spmatrix) -> object:
        """CHOLMOD symbolic factor of ``a``: the first one orders (AMD, or METIS's
        permutation postordered; the result is read after the numeric factorization), later
        ones take that permutation as given, without postordering."""
        if self._given is None and self._seed is None:
            return cholmod.symbolic(a)
        saved = dict(cholmod.options)
        # the first METIS analysis postorders METIS's permutation (supernodes), the later
        # ones take the postordered result as it is
        cholmod.options.update(nmethods=1, postorder=self._given is None)
        try:
            return cholmod.symbolic(a, p=self._seed if self._given is None else self._given)
        finally:
            cholmod.options.clear()
            cholmod.options.update(saved)

    def permutation(self, f: object) -> np.ndarray:
        """CHOLMOD's ordering, read from a numeric factor by applying P to 0..n-1."""
        x = matrix(np.arange(self.n, dtype=float))
        cholmod.solve(f, x, sys=8)
        return np.argsort(np.asarray(x).ravel().astype(np.int64))


#: columns per CHOLMOD triangular solve in :meth:`CholmodFactor.root_solve` (bivariate
#: 50k animals, 96 columns: blocks of 4 0.90-1.04 s, 8 0.62-0.67, 16 0.47, 32 0.71-0.85,
#: 96 1.45-1.49; cvxopt's column-by-column solve 6.5 s)
ROOT_BLOCK = 16


#: plans of at most this many supernodal values are kept across fits (per thread; the
#: last :data:`RECENT_PLANS`): refits of one design (model-selection loops, asremlPlus's
#: changeTerms, test42Parallel's 1 000 fits) skip the symbolic selected-inverse analysis
RECENT_PLAN_MAX_SIZE = 2_000_000
RECENT_PLANS = 2
_recent = threading.local()


def _recent_plan(sn: _supernodal.Supernodal
                 ) -> tuple[SelInvPlan, np.ndarray, np.ndarray] | None:
    """(plan, L's indptr, L's row indices) of a recent fit in this thread whose supernodes
    (first columns, row lists, offsets) are ``sn``'s, else None. A plan holds no values
    between uses (load, run), so factors of different fits can share it."""
    for hit in getattr(_recent, "plans", []):
        if hit[0].same_blocks(sn.super, sn.pi, sn.px, sn.s):
            return hit
    return None


def _remember_plan(plan: SelInvPlan, indptr: np.ndarray, indices: np.ndarray) -> None:
    if plan.size <= RECENT_PLAN_MAX_SIZE:
        _recent.plans = [*getattr(_recent, "plans", [])[1 - RECENT_PLANS:],
                         (plan, indptr, indices)]


class CholmodFactor(Factor):
    """CHOLMOD supernodal Cholesky of a sparse SPD C (see the module docstring)."""

    name = "sparse"

    def __init__(self, c: Matrix, *, analysis: CholmodAnalysis | None = None,
                 lower: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                 ordering: str = "auto") -> None:
        if lower is not None:  # (indptr, indices, data) of tril(C), sorted CSC
            indptr, indices, data = lower
            self.n = indptr.size - 1
            if analysis is None or not (analysis.n == self.n and (
                    analysis.indptr is indptr or np.array_equal(analysis.indptr, indptr)) and (
                    analysis.indices is indices or np.array_equal(analysis.indices, indices))):
                analysis = CholmodAnalysis(sp.csc_matrix((data, indices, indptr),
                                                         shape=(self.n, self.n)), ordering)
                analysis.indptr, analysis.indices = indptr, indices
            low_data = data
        else:
            low = _lower(c)
            self.n = low.shape[0]
            if analysis is None or not analysis.same_pattern(low):
                analysis = CholmodAnalysis(low, ordering)
            low_data = low.data
        self._an = analysis
        self._a = np.array(low_data, dtype=float)
        analysis.numeric(self._a, self)
        d = np.asarray(cholmod.diag(analysis.symbolic)).ravel()
        if not np.all(d > 0) or not np.all(np.isfinite(d)):
            raise NotPositiveDefinite("non-positive pivot in the sparse Cholesky factor")
        self._logdet = float(2.0 * np.log(d).sum())
        self._z: np.ndarray | None = None

    # ----------------------------------------------------------------------------------
    def _own(self) -> object:
        if self._an.owner is not self:
            self._an.numeric(self._a, self)
        return self._an.symbolic

    def solve(self, b: np.ndarray) -> np.ndarray:
        b = np.asarray(b, dtype=float)
        b2 = b.reshape(self.n, -1)
        f = self._own()
        if b2.shape[1] > 1:  # issue 16: a block of columns in one CHOLMOD call
            out = np.empty(b2.shape)
            if all(_supernodal.solve_block(f, b2[:, a:a + ROOT_BLOCK], _supernodal.SYS_A,
                                           out=out[:, a:a + ROOT_BLOCK])
                   for a in range(0, b2.shape[1], ROOT_BLOCK)):
                return out.reshape(b.shape)
        x = matrix(np.array(b2, dtype=float, order="F"))
        cholmod.solve(f, x)
        out = np.asarray(x)
        return out.ravel() if b.ndim == 1 else out.reshape(b.shape)

    def logdet(self) -> float:
        return self._logdet

    def root_solve(self, z: np.ndarray) -> np.ndarray:
        """P'L⁻ᵀz (P C P' = LL'; CHOLMOD's L' solve, sys=5)."""
        b = np.reshape(np.asarray(z, dtype=float), (self.n, -1))
        f = self._own()
        y: np.ndarray | None = np.empty(b.shape)
        for a in range(0, b.shape[1], ROOT_BLOCK):  # blocks of columns at once
            if not _supernodal.solve_block(f, b[:, a:a + ROOT_BLOCK], _supernodal.SYS_LT,
                                           out=y[:, a:a + ROOT_BLOCK]):
                y = None
                break
        if y is None:
            x = matrix(np.array(b, order="F"))
            cholmod.solve(self._own(), x, sys=_supernodal.SYS_LT)
            y = np.asarray(x)
        out = np.empty((self.n, b.shape[1]))
        out[self._an.perm] = y
        return out.reshape(np.shape(z))

    def _selected(self) -> np.ndarray:
        """Z = C⁻¹ (permuted) on the pattern of L, cached.

        L's values come from this factor's own supernodal numeric factor: ``getfactor``
        converts the shared CHOLMOD object in place (to a simplicial pattern without values),
        so it is then dropped, and the next ``numeric`` (a solve on this factor, or the
        next θ) starts from a fresh symbolic analysis (same deterministic ordering). That
        costs one analysis per selected inverse instead of the analysis plus a second
        numeric factorization of a separate object."""
        if self._z is None:
            an = self._an
            f = self._own()
            sn = _supernodal.view(f, self.n)
            if sn is not None:
                self._z = self._selected_supernodal(f, sn)
                return self._z
            lm = cholmod.getfactor(f)
            an.symbolic, an.owner = None, None  # consumed: f is a pattern only now
            cp, ri, val = lm.CCS  # copies: drop lm and f before the selected inverse runs
            del lm, f  # (peak memory: 24 bytes per entry of L less)
            # views of cvxopt's int64 arrays where it can (no copies of nnz(L) entries)
            indptr = np.asarray(cp, dtype=np.int64).ravel()
            indices = np.asarray(ri, dtype=np.int64).ravel()
            if an.plan is None or not (np.array_equal(indptr, an.l_indptr)
                                       and np.array_equal(indices, an.l_indices)):
                an.plan = None  # the old plan's arrays go before the new one is built
                an.l_indptr = indptr
                # L's rows kept as int32 (half of nnz(L) int64s) while they fit
                an.l_indices = indices.astype(np.int32) if self.n < 2**31 else indices
                an.plan = SelInvPlan(indptr, indices)
                an.entry_cache.clear()
            del cp, ri, indices  # L's rows (nnz(L) int64s) are not needed by the run
            an.plan.load(np.asarray(val).ravel())
            del val  # nor are L's values once in the work array
            self._z = an.plan.run()
        return self._z

    def _selected_supernodal(self, f: object, sn: _supernodal.Supernodal) -> np.ndarray:
        """Z from CHOLMOD's supernodal values read in place (:mod:`.supernodal`): the plan is
        built on CHOLMOD's own supernodes, so its values are copied in one piece; then they
        are dropped from the factor (its analysis stays: a later solve refactors, without a
        new analysis) while the selected inverse runs."""
        an = self._an
        if an.plan is None or not an.plan.same_blocks(sn.super, sn.pi, sn.px, sn.s):
            an.plan = None  # the old plan's arrays go before the new one is built
            an.entry_cache.clear()
            hit = _recent_plan(sn)  # an earlier fit's, for the same supernodes
            if hit is not None:
                an.plan, an.l_indptr, an.l_indices = hit
            else:
                indptr, indices = _supernodal.lower_pattern(sn)
                an.l_indptr = indptr
                an.l_indices = indices.astype(np.int32) if self.n < 2**31 else indices
                an.plan = SelInvPlan(indptr, indices, starts=sn.super[:-1])
                del indices
                _remember_plan(an.plan, an.l_indptr, an.l_indices)
                release_free_memory()  # the plan's temporaries
        an.plan.load_blocks(sn.x)
        del sn
        if _supernodal.drop_values(f):
            an.owner = None  # values gone: the next solve or selected inverse refactors
        return an.plan.run()

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        pat = sp.csc_matrix(pattern)
        pat.sum_duplicates()
        pat.eliminate_zeros()
        if pat.nnz == 0:
            return sp.csc_matrix(pat.shape)
        z = self._selected()
        an = self._an
        iperm = np.empty(self.n, dtype=np.int64)
        iperm[an.perm] = np.arange(self.n)
        rows = pat.indices.astype(np.int64)
        cols = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(pat.indptr))
        a, b = iperm[rows], iperm[cols]
        key = np.minimum(a, b) * self.n + np.maximum(a, b)
        lkeys = an.l_keys()
        pos = np.searchsorted(lkeys, key)
        pos = np.minimum(pos, lkeys.size - 1)
        found = lkeys[pos] == key
        del lkeys
        data = np.where(found, z[pos], 0.0)
        comp = an.components() if not np.all(found) else None
        # entries outside the filled pattern: solve for those columns (0 across components)
        miss = np.flatnonzero(~found & (comp[rows] == comp[cols])) if comp is not None \
            else np.zeros(0, dtype=np.int64)
        if miss.size:
            ucols = np.unique(cols[miss])
            e = np.zeros((self.n, ucols.size))
            e[ucols, np.arange(ucols.size)] = 1.0
            x = self.solve(e)
            data[miss] = x[rows[miss], np.searchsorted(ucols, cols[miss])]
        return sp.csc_matrix((data, pat.indices.copy(), pat.indptr.copy()), shape=pat.shape)

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """C⁻¹ at (rows[k], cols[k]); the positions in L's pattern are cached per ``rows``
        array (by identity) in the shared analysis."""
        z = self._selected()
        an = self._an
        hit = an.entry_cache.get(id(rows))
        if hit is None or hit[0] is not rows or hit[1] is not an.plan:
            hit = (rows, an.plan, self._l_positions(rows, cols))
            an.entry_cache[id(rows)] = hit
        pos = hit[2]
        out = z[np.maximum(pos, 0)]
        if np.any(pos < 0):  # outside the filled pattern: solve for those columns
            rows, cols = np.asarray(rows), np.asarray(cols)
            comp = an.components()  # (0 across C's components)
            out[pos < 0] = 0.0
            miss = np.flatnonzero((pos < 0) & (comp[rows] == comp[cols]))
            r, c = rows[miss], cols[miss]
            uc = np.unique(c)
            if uc.size:
                e = np.zeros((self.n, uc.size))
                e[uc, np.arange(uc.size)] = 1.0
                out[miss] = self.solve(e)[r, np.searchsorted(uc, c)]
        return out

    def refactor_lower(self, indptr: np.ndarray, indices: np.ndarray,
                       data: np.ndarray) -> CholmodFactor:
        """Factor the matrix whose lower triangle is the sorted CSC (indptr, indices, data),
        reusing the analysis when the pattern is the same arrays (or equal)."""
        return CholmodFactor(None, analysis=self._an, lower=(indptr, indices, data),
                             ordering=self._an.ordering)

    def _l_positions(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Positions of C⁻¹[rows[k], cols[k]] in the selected inverse (L's pattern after the
        permutation), -1 for entries outside it."""
        an = self._an
        iperm = np.empty(self.n, dtype=np.int64)
        iperm[an.perm] = np.arange(self.n)
        a = iperm[np.asarray(rows, dtype=np.int64)]
        b = iperm[np.asarray(cols, dtype=np.int64)]
        key = np.minimum(a, b) * self.n + np.maximum(a, b)
        lkeys = an.l_keys()
        pos = np.minimum(np.searchsorted(lkeys, key), lkeys.size - 1)
        return np.where(lkeys[pos] == key, pos, -1)

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        """Dense C⁻¹[rows, rows]: read from the selected inverse when this factor has one
        and the block lies in L's filled pattern (the fixed effects' rows of an MME: dense
        rows, ordered last, in the root supernode), else by solves for those columns (which
        cost a numeric factorization after ``getfactor`` consumed CHOLMOD's factor)."""
        rows = np.asarray(rows)
        k = rows.size
        if self._z is not None and 0 < k and k * k <= BLOCK_FROM_SELINV_MAX:
            r = np.repeat(rows.astype(np.int64), k)
            pos = self._l_positions(r, np.tile(rows.astype(np.int64), k))
            if np.all(pos >= 0):
                out = self._z[pos].reshape(k, k)
                return 0.5 * (out + out.T)
        e = np.zeros((self.n, rows.size))
        e[rows, np.arange(rows.size)] = 1.0
        out = self.solve(e)[rows]
        return 0.5 * (out + out.T)

    def refactor(self, c_new: Matrix) -> CholmodFactor:
        return CholmodFactor(c_new, analysis=self._an, ordering=self._an.ordering)
