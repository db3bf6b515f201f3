"""Fixed structures of the complement path of :class:`asr_py.vcov.composite.Subset`.

With Q = Σ⁻¹ sparse, o the kept rows and m the dropped ones (few), the subset's inverse is
the Schur complement

    R_s⁻¹ = ½(A + A'),   A = Q_oo − Q_om K,   K = Q_mm⁻¹ Q_mo,

and T = [I on o; −K on m] (all rows x kept rows). Q_mo touches only c columns (the kept
neighbours of the dropped rows), so with B = Q_mo[:, c] (m x c, dense) and K_c = Q_mm⁻¹B the
update X = Q_om K is the dense c x c block B'K_c at (c, c).

Their structures (Q_oo's pattern with its mirror and c x c; T's from K's structural
pattern) do not change with θ while Q's pattern stays the same (every θ of
``ar1(Row):ar1(Col)`` with missing plots), so each fit builds them once and each θ only
writes values: no scipy sparse constructor, product or sum per evaluation.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import scipy.sparse as sp

#: structures of the last few layouts are kept per thread (they hold no values): refits of
#: one design with the same missing plots (test42Parallel's 1 000 fits, model-selection
#: chains, cross-validation folds) find them instead of building them again
RECENT = 4
#: layouts whose Q stores more entries than this are not kept across fits (memory)
RECENT_MAX_NNZ = 1_000_000
_recent = threading.local()


class SchurPattern:
    """The CSC pattern of R_s⁻¹ = ½(A + A'), A = Q_oo − X with X = Q_om K nonzero on c x c
    only, and where each source lands.

    ``q_oo``: Q_oo (CSC, canonical); ``cols``: the c kept rows Q_mo touches (increasing).
    The pattern is the union of Q_oo's entries, their mirrors and c x c; ``mirror`` is the
    position of each entry's transpose. The values are formed with the operations, in the
    order, of scipy's sparse difference and sum (``q_oo - X``, ``A + A.T``, ``* 0.5``) and
    :func:`schur_update` gives X as scipy's product does: the same digits."""

    def __init__(self, q_oo: sp.csc_matrix, cols: np.ndarray,
                 x_pairs: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        n = q_oo.shape[0]
        self.n = n
        self.indptr_src = q_oo.indptr.copy()
        self.indices_src = q_oo.indices.copy()
        self.cols = cols.copy()
        qc = np.repeat(np.arange(n, dtype=np.int64), np.diff(q_oo.indptr))
        qr = q_oo.indices.astype(np.int64)
        c = cols.astype(np.int64)
        key_q = qc * n + qr  # entry (r, c) at its own place
        #: the entries (i, j) of X that can be nonzero (None: all c x c)
        self.x_pairs = x_pairs
        if x_pairs is None:
            key_b = (c[None, :] * n + c[:, None]).ravel()  # block entry (i, j): (c_i, c_j)
        else:
            key_b = c[x_pairs[1]] * n + c[x_pairs[0]]
        both = np.concatenate([key_q, key_b])
        ukeys = np.unique(np.concatenate([both, (both % n) * n + both // n]))
        self.nnz = int(ukeys.size)
        self.pos_q = np.searchsorted(ukeys, key_q)
        self.pos_b = np.searchsorted(ukeys, key_b)
        self.mirror = np.searchsorted(ukeys, (ukeys % n) * n + ukeys // n)
        self.indices = (ukeys % n).astype(np.int32)
        self.indptr = np.r_[0, np.cumsum(np.bincount(ukeys // n, minlength=n))].astype(np.int32)

    def serves(self, q_oo: sp.csc_matrix, cols: np.ndarray) -> bool:
        """True if built for Q_oo's structure and these columns."""
        return (np.array_equal(self.cols, cols) and np.array_equal(self.indptr_src, q_oo.indptr)
                and np.array_equal(self.indices_src, q_oo.indices))

    def inverse(self, q_oo_data: np.ndarray, x: np.ndarray) -> sp.csc_matrix:
        """½(A + A'), A = Q_oo − X (X: c x c at ``cols``, or its values at ``x_pairs`` when
        built with them), as CSC, exact zeros dropped (as scipy's sums drop them)."""
        a = np.zeros(self.nnz)
        a[self.pos_q] = q_oo_data
        if self.x_pairs is None:
            a[self.pos_b] -= x.ravel()
        else:  # X on its structure only (:func:`schur_pairs`; elsewhere X is exactly zero)
            a[self.pos_b] -= x
        vals = (a + a[self.mirror]) * 0.5
        out = sp.csc_matrix((vals, self.indices.copy(), self.indptr.copy()),
                            shape=(self.n, self.n))
        out.eliminate_zeros()
        return out


def schur_update(b: np.ndarray, kd: np.ndarray,
                 rounds: list[tuple[np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
    """X = B'K_c (c x c) summed over the dropped rows r in increasing order, one product
    and one sum per term, as scipy's sparse product Q_mo' K sums each entry.

    B stores a few entries a row (a dropped plot's kept neighbours), so each row i of X
    collects its terms b_ri k_r in rounds (:func:`schur_rounds`; ``rounds`` from B's stored
    pattern, kept with Q's structure, else from B's nonzeros): round t adds every row's
    t-th term, all rows at once. A term with b_ri = 0 adds an exact zero to a sum that is
    never −0, so leaving it out (or in) keeps every digit of :func:`schur_update_dense`
    (s25speed: 1.7 -> 0.1 ms a call on test42Parallel.r's sections, 32 x 174 and 46 x 224)."""
    if not np.all(np.isfinite(kd)):  # 0 x inf is no exact zero
        return schur_update_dense(b, kd)
    if rounds is None:
        rounds = schur_rounds(*np.nonzero(b))
    x = np.zeros((b.shape[1], kd.shape[1]))
    for rt, it in rounds:  # distinct rows of X in one round
        x[it] += b[rt, it][:, None] * kd[rt]
    return x


def pair_rounds(rounds: list[tuple[np.ndarray, np.ndarray]],
                pairs: tuple[np.ndarray, np.ndarray], c: int
                ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`schur_update`'s rounds restricted to X's entries ``pairs`` (i, j): per round
    t, the pairs whose row i has a t-th term, that term's dropped row r, and i, j."""
    pi, pj = np.asarray(pairs[0]), np.asarray(pairs[1])
    out = []
    for rt, it in rounds:
        r_of = np.full(c, -1, dtype=np.int64)
        r_of[it] = rt
        sel = np.flatnonzero(r_of[pi] >= 0)
        out.append((sel, r_of[pi[sel]], pi[sel], pj[sel]))
    return out


def schur_pairs(b: np.ndarray, kd: np.ndarray,
                rounds: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], n: int
                ) -> np.ndarray:
    """X = B'K_c at the ``n`` pairs of :func:`pair_rounds` only: each entry the same terms,
    added in the same order (round by round: increasing dropped row), as
    :func:`schur_update` gives it — the same digits (s28perf: 1 592 of 174² entries on
    test42Parallel.r's section)."""
    x = np.zeros(n)
    for sel, r, i, j in rounds:
        x[sel] += b[r, i] * kd[r, j]
    return x


def schur_rounds(r: np.ndarray, i: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The terms (r, i) of B (distinct) grouped in rounds: round t holds each i's t-th term
    by increasing r."""
    order = np.lexsort((r, i))
    r, i = np.asarray(r)[order], np.asarray(i)[order]
    if i.size == 0:
        return []
    first = np.r_[0, np.flatnonzero(np.diff(i)) + 1]
    rank = np.arange(i.size) - np.repeat(first, np.diff(np.r_[first, i.size]))
    return [(r[rank == t], i[rank == t]) for t in range(int(rank.max()) + 1)]


def stored_rounds(q_mo: sp.csc_matrix, cols: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`schur_rounds` of B = Q_mo[:, cols]'s stored entries (:func:`dense_columns`'
    layout), which depend on Q's structure only."""
    counts = np.diff(q_mo.indptr)[cols]
    return schur_rounds(q_mo.indices.astype(np.int64), np.repeat(np.arange(cols.size), counts))


def schur_update_dense(b: np.ndarray, kd: np.ndarray) -> np.ndarray:
    """:func:`schur_update` term by term: X += b_r k_r' for every dropped row r (the
    reference of tests/vcov/test_schur_update.py)."""
    x = np.zeros((b.shape[1], kd.shape[1]))
    for r in range(b.shape[0]):
        x += np.multiply.outer(b[r], kd[r])
    return x


class TPattern:
    """T = [I on o; −K on m] (CSC, sorted) on K's structural pattern in the columns ``cols``:
    K_c[r, j] can be nonzero when dropped row r is connected, through Q_mm's pattern, to a
    dropped row that Q_mo stores in column j. (The solve's exact zeros vary with θ, by
    cancellation; kept as stored zeros, they add nothing to T's products, whose sparse
    results drop exact zeros as before.)"""

    def __init__(self, o: np.ndarray, m: np.ndarray, cols: np.ndarray, q_mm: sp.csc_matrix,
                 q_mo: sp.csc_matrix, n_all: int) -> None:
        from scipy.sparse.csgraph import connected_components

        self.cols = cols.copy()
        mm = sp.csc_matrix((np.ones(q_mm.indices.size), q_mm.indices, q_mm.indptr),
                           shape=q_mm.shape)
        ncomp, comp = connected_components(mm, directed=False)
        member = sp.csr_matrix((np.ones(m.size), (np.arange(m.size), comp)),
                               shape=(m.size, ncomp))
        b = sp.csc_matrix((np.ones(q_mo.indices.size), q_mo.indices, q_mo.indptr),
                          shape=q_mo.shape)[:, cols]
        struct = (member @ (member.T @ b)).toarray() > 0
        kr, kc = np.nonzero(struct)
        self.kr, self.kc = kr, kc
        #: X = B'K_c's structure (i, j) (s28perf): B's stored entries times K's structure;
        #: outside it X is exactly zero (K_c solves each connected component of Q_mm on
        #: its own, so a column is exactly zero on a component its right-hand side misses)
        xs = (b.T @ sp.csr_matrix(struct.astype(float))).toarray() != 0
        self.x_pairs = np.nonzero(xs)
        n_o = o.size
        rows = np.concatenate([o, m[kr]]).astype(np.int64)
        tcols = np.concatenate([np.arange(n_o), cols[kc]]).astype(np.int64)
        self.order = np.lexsort((rows, tcols))
        self.indices = rows[self.order].astype(np.int32)
        self.indptr = np.r_[0, np.cumsum(np.bincount(tcols, minlength=n_o))].astype(np.int32)
        self.shape = (int(n_all), int(n_o))
        self.n_o = n_o

    def matrix(self, kd: np.ndarray) -> sp.csc_matrix:
        vals = np.concatenate([np.ones(self.n_o), -kd[self.kr, self.kc]])[self.order]
        return sp.csc_matrix((vals, self.indices.copy(), self.indptr.copy()), shape=self.shape)


def dense_columns(q_mo: sp.csc_matrix, cols: np.ndarray) -> np.ndarray:
    """Q_mo[:, cols] as a dense m x c array (every stored entry of Q_mo lies in ``cols``,
    the columns that store any)."""
    out = np.zeros((q_mo.shape[0], cols.size))
    counts = np.diff(q_mo.indptr)[cols]
    out[q_mo.indices, np.repeat(np.arange(cols.size), counts)] = q_mo.data
    return out


class Structures:
    """Everything of the complement path that depends only on Q's structure and the kept
    rows: :meth:`~asr_py.vcov.composite.Subset._blocks`' position plan, T's pattern and the
    Schur complement's (the last two filled in on first use)."""

    def __init__(self, q: sp.csr_matrix | sp.csc_matrix, index: np.ndarray, plan: Any) -> None:
        self.fmt = type(q)
        self.shape = q.shape
        self.indptr = q.indptr.copy()
        self.indices = q.indices.copy()
        self.index = index.copy()
        self.plan = plan
        self.tpat: TPattern | None = None
        self.spat: SchurPattern | None = None
        self.rounds: tuple[np.ndarray, list] | None = None  # (cols, stored_rounds)
        #: (spat, pair_rounds of rounds and spat.x_pairs)
        self.pair_rounds: tuple[SchurPattern, list] | None = None
        #: Subset.inverse_pattern's answer with the template pattern it came from (shape,
        #: indptr, indices, pattern)
        self.ipat: tuple[Any, np.ndarray, np.ndarray, sp.csc_matrix] | None = None

    def matches(self, q: sp.csr_matrix | sp.csc_matrix, index: np.ndarray) -> bool:
        """True for the same format, shape and stored structure of Q and the same kept rows."""
        return (self.fmt is type(q) and self.shape == q.shape
                and np.array_equal(self.index, index) and np.array_equal(self.indptr, q.indptr)
                and np.array_equal(self.indices, q.indices))


def recent_structures(q: sp.csr_matrix | sp.csc_matrix, index: np.ndarray) -> Structures | None:
    """A recent layout's structures (this thread) for this Q structure and kept rows."""
    for hit in getattr(_recent, "items", []):
        if hit.matches(q, index):
            return hit
    return None


def remember(st: Structures) -> None:
    """Keep ``st`` for later fits of this thread (the last :data:`RECENT`; small Q only)."""
    if st.indices.size <= RECENT_MAX_NNZ:
        _recent.items = [*getattr(_recent, "items", [])[1 - RECENT:], st]
