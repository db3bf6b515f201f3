"""Selected inverse of a sparse SPD matrix from its supernodal Cholesky factor (Takahashi).

With P C P' = L L' (L lower, sparse), Z = (L L')⁻¹ = L⁻ᵀ L⁻¹ satisfies Z L = L⁻ᵀ, an upper
triangular matrix with diagonal 1/L_jj. Reading that identity below the diagonal gives
Takahashi's recursions (Takahashi, Fagan & Chen 1973; Erisman & Tinney 1975), which need Z
only on the pattern of L. In supernodal form, for a supernode J (columns J, rows below J
in the set R, the same for every column of J) and Ĺ = L_RJ L_JJ⁻¹:

    Z_RJ = −Z_RR Ĺ
    Z_JJ = (L_JJ L_JJ')⁻¹ − Ĺ' Z_RJ

Supernodes are processed last to first; Z_RR lies on the pattern of L (R is a clique of the
filled graph) in supernodes already done. The cost is that of the factorization itself
(Σ_J r_J² s_J flops), with dense BLAS on each supernode.

:class:`SelInvPlan` holds the symbolic part (supernode partition, block layout, the
positions that gather Z_RR), computed once per pattern of L; :meth:`SelInvPlan.run` maps L's
values to Z's values on the same CSC pattern.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

#: precompute the Z_RR gather positions when they need at most this many entries (int32)
GATHER_CACHE_MAX = 64_000_000


def supernode_starts(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """First column of each supernode of a lower-triangular CSC pattern (sorted rows, diagonal
    first): column j+1 joins j's supernode when struct(L_{:,j}) = {j} ∪ struct(L_{:,j+1})."""
    n = indptr.size - 1
    cnt = np.diff(indptr)
    if np.any(cnt < 1) or np.any(indices[indptr[:-1]] != np.arange(n)):
        raise ValueError("L must have its diagonal as the first entry of every column")
    nxt = np.full(n, -1, dtype=np.int64)
    has2 = cnt > 1
    nxt[has2] = indices[indptr[:-1][has2] + 1]
    merge = (cnt[:-1] == cnt[1:] + 1) & (nxt[:-1] == np.arange(1, n))
    return np.flatnonzero(np.r_[True, ~merge])


class SelInvPlan:
    """Symbolic analysis of a lower-triangular CSC pattern for the supernodal selected inverse.

    Each supernode J (columns f..f+s−1, rows R below, r = |R|) is stored as a dense
    column-major block of ``ld = s + r`` rows and s columns; row list ``[f..f+s−1] ∪ R``.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray) -> None:
        indptr = np.asarray(indptr, dtype=np.int64)
        indices = np.asarray(indices, dtype=np.int64)
        n = indptr.size - 1
        self.n = n
        self.nnz = int(indptr[-1])
        starts = supernode_starts(indptr, indices)
        ends = np.r_[starts[1:], n]
        s = ends - starts
        ld = np.diff(indptr)[starts]
        self.starts, self.s, self.ld = starts, s, ld
        self.nsn = starts.size
        self.r = ld - s
        self.blockoff = np.r_[0, np.cumsum(ld * s)].astype(np.int64)
        self.size = int(self.blockoff[-1])
        sn_of = np.repeat(np.arange(self.nsn), s)
        self.sn_of = sn_of
        # check the supernode property and build the scatter CSC -> blocks
        col = np.repeat(np.arange(n), np.diff(indptr))
        k = np.arange(self.nnz) - indptr[col]  # position within its column
        j_sn = sn_of[col]
        i_in = col - starts[j_sn]  # column index within the supernode
        self.scatter = self.blockoff[j_sn] + i_in * ld[j_sn] + i_in + k
        rows_first = [indices[indptr[f]:indptr[f + 1]] for f in starts]
        self.rowlists = rows_first
        expect = np.concatenate([rl[i:] for rl, ss in zip(rows_first, s) for i in range(ss)]) \
            if n else np.zeros(0, dtype=np.int64)
        if not np.array_equal(expect, indices):
            raise ValueError("L's pattern is not supernodal (columns of a supernode differ)")
        # keys for locating row i in the row list of supernode K: K * n + i (sorted)
        self.rowoff = np.r_[0, np.cumsum(ld)].astype(np.int64)
        self.keys = np.concatenate(
            [np.int64(kk) * n + rl for kk, rl in enumerate(rows_first)]) if n else np.zeros(0)
        total = int(np.sum(self.r.astype(np.int64) ** 2))
        self._gather: list[np.ndarray | None] | None = None
        if total <= GATHER_CACHE_MAX:
            self._gather = [self._gather_index(j) for j in range(self.nsn)]

    def _gather_index(self, j: int) -> np.ndarray | None:
        """Flat block positions of Z_RR (r x r, both triangles read from the lower one)."""
        R = self.rowlists[j][int(self.s[j]):]
        r = R.size
        if r == 0:
            return None
        own = self.sn_of[R]
        ar = np.arange(r)
        hi = np.maximum.outer(ar, ar)
        lo = np.minimum.outer(ar, ar)
        ko = own[lo]
        pos = np.searchsorted(self.keys, ko * self.n + R[hi]) - self.rowoff[ko]
        flat = self.blockoff[ko] + (R[lo] - self.starts[ko]) * self.ld[ko] + pos
        return flat.astype(np.int32 if self.size < 2**31 else np.int64)

    def run(self, ldata: np.ndarray) -> np.ndarray:
        """Z = (LL')⁻¹ on L's CSC pattern, given L's CSC values ``ldata``."""
        lf = np.zeros(self.size)
        lf[self.scatter] = ldata
        zf = np.zeros(self.size)
        trtri = sla.lapack.dtrtri
        gather = self._gather
        s_all, ld_all, off_all = self.s.tolist(), self.ld.tolist(), self.blockoff.tolist()
        for j in range(self.nsn - 1, -1, -1):
            s, ld, o = s_all[j], ld_all[j], off_all[j]
            if s == 1:  # one column: scalar L_JJ, vector Ĺ (no LAPACK call)
                d = lf[o]
                if not d > 0:
                    raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
                if ld == 1:
                    zf[o] = 1.0 / (d * d)
                    continue
                b = lf[o + 1:o + ld] / d
                g = gather[j] if gather is not None else self._gather_index(j)
                zrj = -(zf[g] @ b)
                zf[o + 1:o + ld] = zrj
                zf[o] = 1.0 / (d * d) - b @ zrj
                continue
            blk = lf[o:o + ld * s].reshape(s, ld).T  # ld x s view, column-major storage
            ljj_inv, info = trtri(blk[:s], lower=1)
            if info != 0:
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            zblk = zf[o:o + ld * s].reshape(s, ld).T
            zjj = ljj_inv.T @ ljj_inv
            r = ld - s
            if r:
                b = blk[s:] @ ljj_inv  # Ĺ = L_RJ L_JJ⁻¹
                g = self._gather[j] if self._gather is not None else self._gather_index(j)
                zrr = zf[g]
                zrj = -(zrr @ b)
                zjj -= b.T @ zrj
                zblk[s:] = zrj
            zblk[:s] = zjj
        return zf[self.scatter]
