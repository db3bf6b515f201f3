"""Fixed structures of the complement path of :class:`asr_py.vcov.composite.Subset`.

With Q = Σ⁻¹ sparse, o the kept rows and m the dropped ones (few), the subset's inverse is
the Schur complement

    R_s⁻¹ = ½(A + A'),   A = Q_oo − Q_om K,   K = Q_mm⁻¹ Q_mo,

and T = [I on o; −K on m] (all rows x kept rows). Q_mo touches only c columns (the kept
neighbours of the dropped rows), so with B = Q_mo[:, c] (m x c, dense) and K_c = Q_mm⁻¹B the
update is the dense c x c block U = B'K_c at (c, c):

    R_s⁻¹ = ½(Q_oo + Q_oo') − ½(U + U') on (c, c).

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
_recent = threading.local()


class SchurPattern:
    """The CSC pattern of ½(Q_oo + Q_oo') − ½(U + U') and where each source lands.

    ``q_oo``: Q_oo (CSC, canonical); ``cols``: the c kept rows Q_mo touches (increasing).
    The pattern is the union of Q_oo's entries, their mirrors and c x c."""

    def __init__(self, q_oo: sp.csc_matrix, cols: np.ndarray) -> None:
        n = q_oo.shape[0]
        self.n = n
        self.indptr_src = q_oo.indptr.copy()
        self.indices_src = q_oo.indices.copy()
        self.cols = cols.copy()
        qc = np.repeat(np.arange(n, dtype=np.int64), np.diff(q_oo.indptr))
        qr = q_oo.indices.astype(np.int64)
        c = cols.astype(np.int64)
        key_q = qc * n + qr  # entry (r, c) at its own place
        key_t = qr * n + qc  # and at its mirror (c, r)
        key_b = (c[None, :] * n + c[:, None]).ravel()  # block entry (i, j): (c_i, c_j)
        ukeys = np.unique(np.concatenate([key_q, key_t, key_b]))
        self.nnz = int(ukeys.size)
        self.pos_q = np.searchsorted(ukeys, key_q)
        self.pos_t = np.searchsorted(ukeys, key_t)
        self.pos_b = np.searchsorted(ukeys, key_b)
        self.indices = (ukeys % n).astype(np.int32)
        self.indptr = np.r_[0, np.cumsum(np.bincount(ukeys // n, minlength=n))].astype(np.int32)

    def serves(self, q_oo: sp.csc_matrix, cols: np.ndarray) -> bool:
        """True if built for Q_oo's structure and these columns."""
        return (np.array_equal(self.cols, cols) and np.array_equal(self.indptr_src, q_oo.indptr)
                and np.array_equal(self.indices_src, q_oo.indices))

    def inverse(self, q_oo_data: np.ndarray, upd: np.ndarray) -> sp.csc_matrix:
        """½(Q_oo + Q_oo') − ½(U + U') as CSC, exact zeros dropped (as scipy's sums drop
        them)."""
        vals = np.bincount(self.pos_q, weights=q_oo_data, minlength=self.nnz)
        vals += np.bincount(self.pos_t, weights=q_oo_data, minlength=self.nnz)
        vals -= np.bincount(self.pos_b, weights=(upd + upd.T).ravel(), minlength=self.nnz)
        vals *= 0.5
        out = sp.csc_matrix((vals, self.indices.copy(), self.indptr.copy()),
                            shape=(self.n, self.n))
        out.eliminate_zeros()
        return out


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
    _recent.items = [*getattr(_recent, "items", [])[1 - RECENT:], st]
