"""The fixed pattern of C = W'R⁻¹W + blockdiag(0, G⁻¹) (:mod:`asr_py.reml.mme`): built once
from the entries of W'R⁻¹W and of every term's G⁻¹ pattern, so each θ only writes values."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from asr_py.reml.ginverse import TermValues

#: entries per chunk of :meth:`_CPattern.dot_full`
CHUNK = 1 << 20
#: :meth:`_CPattern.positions` looks entries up in an N x N table when N² is at most this
#: (16 MB of int32), else by binary search in the sorted keys
LOOKUP_MAX = 1 << 22


class _CPattern:
    """The fixed pattern of C (both triangles) with the positions of its sources.

    ``rows``/``indptr``: the pattern in CSC order (sorted: key = col·N + row); ``keys`` is
    formed from them when asked for, not kept; ``base_pos`` / ``base_vals``: where W'R⁻¹W's
    entries go (the values only for a scaled residual, where W'ΛW is fixed; they share the
    caller's array); ``g_pos[j]``: where term j's G⁻¹ entries go (``g_src[j]``: the term
    pattern's rows it was built from); ``low``: the lower-triangle entries (CSC order),
    ``low_indptr``/``low_indices`` their CSC structure, ``low_cols`` their columns,
    ``to_low`` the lower-triangle entry of each entry (its mirror above the diagonal).

    Memory (issue 16, large crossed designs: nnz(C) ~ 6·10⁶ at 10⁶ records with three
    factors): the positions and row numbers are int32 while they fit (:func:`index_dtype`),
    and no nnz(C)-long int64 array (keys, columns) is kept."""

    def __init__(self, n: int, base: sp.coo_matrix, terms: list[tuple[np.ndarray, np.ndarray]],
                 offsets: list[int]) -> None:
        self.N = n
        b = base
        src_r = [b.row.astype(np.int64)] + [r + o for (r, _), o in zip(terms, offsets)]
        src_c = [b.col.astype(np.int64)] + [c + o for (_, c), o in zip(terms, offsets)]
        keys = [c * n + r for r, c in zip(src_r, src_c)]
        del src_r, src_c
        sizes = [k.size for k in keys]
        ukeys, inv = np.unique(np.concatenate(keys), return_inverse=True)
        del keys
        self.nnz = int(ukeys.size)
        pdt = index_dtype(self.nnz)
        pos = np.split(inv.ravel().astype(pdt), np.cumsum(sizes)[:-1])
        del inv
        self.base_pos, self.g_pos = pos[0], pos[1:]
        self.base_vals = np.asarray(b.data, dtype=float)
        self.g_src = [r for r, _ in terms]
        rdt = index_dtype(n)
        self.rows = (ukeys % n).astype(rdt)
        cols = ukeys // n
        del ukeys
        self.indptr = np.r_[0, np.cumsum(np.bincount(cols, minlength=n))].astype(np.int64)
        low = np.flatnonzero(self.rows >= cols)
        lc = cols[low]
        self.low_indptr = np.r_[0, np.cumsum(np.bincount(lc, minlength=n))].astype(np.int64)
        self.low_indices = self.rows[low]
        # lower-triangle entry of each entry (its mirror when above the diagonal)
        lo_key = np.minimum(self.rows, cols).astype(np.int64) * n + np.maximum(self.rows, cols)
        del cols
        lk = lc * n + self.low_indices
        self.to_low = np.searchsorted(lk, lo_key).astype(pdt)
        del lo_key, lk
        self.low = low.astype(pdt)
        self.low_rows, self.low_cols = self.low_indices, lc.astype(rdt)
        self._pos_cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        #: position of each key col·N + row (-1: not in the pattern), for small N only
        self._lookup: np.ndarray | None = None

    @property
    def cols(self) -> np.ndarray:
        """Column of each entry (CSC order; formed on demand)."""
        return np.repeat(np.arange(self.N, dtype=np.int64), np.diff(self.indptr))

    @property
    def keys(self) -> np.ndarray:
        """col·N + row of each entry, sorted (formed on demand: nnz(C) int64s)."""
        keys = self.cols * self.N
        keys += self.rows
        return keys

    def base(self) -> sp.coo_matrix:
        """The W'R⁻¹W it was built from (its entries in their order, with ``base_vals``)."""
        pos = self.base_pos
        return sp.coo_matrix((self.base_vals, (self.rows[pos], self.cols[pos])),
                             shape=(self.N, self.N))

    def on_full(self, z_low: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Values at pattern positions ``pos`` (both triangles) of a symmetric matrix given
        on the lower triangle (``z_low``, in the order of ``low``)."""
        return z_low[self.to_low[pos]]

    def dot_full(self, vals: np.ndarray, pos: np.ndarray, z_low: np.ndarray) -> float:
        """Σ_k vals[k]·Z[pos[k]] for a symmetric Z given on the lower triangle, in chunks of
        :data:`CHUNK` entries (no len(pos)-long gather: pos may span both triangles of a
        10^6-record C, 6·10⁶ entries)."""
        total = 0.0
        for a in range(0, pos.size, CHUNK):
            total += float(vals[a:a + CHUNK] @ z_low[self.to_low[pos[a:a + CHUNK]]])
        return total

    def serves(self, tvals: list[TermValues]) -> bool:
        """True if it was built from these term patterns."""
        return all(tv.rows is r for tv, r in zip(tvals, self.g_src))

    def csc(self, data: np.ndarray) -> sp.csc_matrix:
        return sp.csc_matrix((data, self.rows, self.indptr), shape=(self.N, self.N))

    def positions(self, rows: np.ndarray, cols: np.ndarray, slot: str = "") -> np.ndarray:
        """Positions of the entries (rows, cols) in the pattern (-1 if absent). With a
        ``slot`` name the answer is kept and reused while the same (rows, cols) come back
        (a sparse product's structure does not change with θ)."""
        if slot:
            hit = self._pos_cache.get(slot)
            if hit is not None and np.array_equal(hit[0], rows) and np.array_equal(hit[1], cols):
                return hit[2]
        key = np.asarray(cols, dtype=np.int64) * self.N + np.asarray(rows, dtype=np.int64)
        if self.N * self.N <= LOOKUP_MAX:  # small C: one N x N table, O(1) per entry
            if self._lookup is None:
                table = np.full(self.N * self.N, -1, dtype=index_dtype(self.nnz))
                table[self.keys] = np.arange(self.nnz)
                self._lookup = table
            pos = self._lookup[key].astype(np.int64)
        else:
            keys = self.keys
            pos = np.minimum(np.searchsorted(keys, key), keys.size - 1)
            pos = np.where(keys[pos] == key, pos, -1)
        if slot:
            self._pos_cache[slot] = (np.array(rows), np.array(cols), pos)
        return pos


def index_dtype(n: int) -> type:
    """int32 for positions and indices below ``n`` when they fit, else int64."""
    return np.int32 if n < 2**31 - 1 else np.int64


def _pattern_of(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.coo_matrix:
    """The distinct entries (rows, cols) as a coo matrix of ones (sorted, CSC order)."""
    keys = np.unique(cols.astype(np.int64) * n + rows)
    return sp.coo_matrix((np.ones(keys.size), (keys % n, keys // n)), shape=(n, n))
