"""Fixed structures of the complement path of :class:`asr_py.vcov.composite.Subset`.

With Q = Σ⁻¹ sparse, o the kept rows and m the dropped ones (few), the subset's inverse is
the Schur complement

    R_s⁻¹ = ½(A + A'),   A = Q_oo − Q_om K,   K = Q_mm⁻¹ Q_mo,

and T = [I on o; −K on m] (all rows x kept rows). Q_mo touches only c columns (the kept
neighbours of the dropped rows), so with B = Q_mo[:, c] (m x c, dense) and K_c = Q_mm⁻¹B the
update is the dense c x c block U = B'K_c at (c, c):

    R_s⁻¹ = ½(Q_oo + Q_oo') − ½(U + U') on (c, c).

Their structures (Q_oo's pattern with its mirror and c x c; T's from the nonzeros of K_c)
do not change with θ while Q's pattern and K_c's zero pattern stay the same (every θ of
``ar1(Row):ar1(Col)`` with missing plots), so each fit builds them once and each θ only
writes values: no scipy sparse constructor, product or sum per evaluation.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


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
    """T = [I on o; −K on m] (CSC, sorted) from K's nonzeros in the columns ``cols``
    (``mask``: K_c ≠ 0), the same entries in the same order as the CSC built from K's
    triplets."""

    def __init__(self, o: np.ndarray, m: np.ndarray, cols: np.ndarray, mask: np.ndarray,
                 n_all: int) -> None:
        self.mask = mask.copy()
        self.cols = cols.copy()
        kr, kc = np.nonzero(mask)
        self.kr, self.kc = kr, kc
        n_o = o.size
        rows = np.concatenate([o, m[kr]]).astype(np.int64)
        tcols = np.concatenate([np.arange(n_o), cols[kc]]).astype(np.int64)
        self.order = np.lexsort((rows, tcols))
        self.indices = rows[self.order].astype(np.int32)
        self.indptr = np.r_[0, np.cumsum(np.bincount(tcols, minlength=n_o))].astype(np.int32)
        self.shape = (int(n_all), int(n_o))
        self.n_o = n_o

    def serves(self, cols: np.ndarray, mask: np.ndarray) -> bool:
        return np.array_equal(self.cols, cols) and np.array_equal(self.mask, mask)

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
