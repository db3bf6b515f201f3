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

Batching: R ⊆ ancestors of J in the supernodal elimination tree, so the supernodes at one
depth of that tree are independent given the levels above. ``run`` visits depth 0, 1, ...
and, within a depth, handles all supernodes of the same shape (s, r) at once with stacked
arrays (``numpy.linalg.inv`` / ``matmul`` over a batch axis): a pedigree MME of 100 004
equations has 17 992 supernodes but 430 such groups, so the Python loop runs per group, not
per supernode. Wide supernodes (s > :data:`BATCH_MAX_S`) keep the one-at-a-time LAPACK
(``dtrtri``) path.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

#: precompute the Z_RR gather positions when they need at most this many entries (int32)
GATHER_CACHE_MAX = 64_000_000
#: supernodes with at most this many columns are inverted in batches of equal shape
BATCH_MAX_S = 48
#: ... when at least this many share a depth and shape (fewer: one at a time, less overhead)
BATCH_MIN = 4
#: a supernode wider than this has (L_JJ L_JJ')⁻¹ from dpotri, narrower ones from dtrtri + gemm
POTRI_MIN_S = 200


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
        self._rows_all = np.concatenate(rows_first) if n else np.zeros(0, dtype=np.int64)
        self._cache = total <= GATHER_CACHE_MAX
        self._work: tuple[np.ndarray, np.ndarray] | None = None
        self._build_groups()

    def _build_groups(self) -> None:
        """Order of work: (depth, s, r) groups of supernodes. Parent of J = the supernode of
        the first row of R (every row of R is an ancestor, so depth(parent) < depth(J))."""
        nsn = self.nsn
        par = np.full(nsn, -1, dtype=np.int64)
        has_r = self.r > 0
        first_r = self.rowoff[:-1] + self.s  # position of R's first row in the row lists
        par[has_r] = self.sn_of[self._rows_all[first_r[has_r]]]
        pl = par.tolist()
        dl = [0] * nsn
        for j in range(nsn - 1, -1, -1):  # parents come after their children
            if pl[j] >= 0:
                dl[j] = dl[pl[j]] + 1
        depth = np.asarray(dl, dtype=np.int64)
        self.depth = depth
        order = np.lexsort((self.r, self.s, depth))
        key = np.stack([depth[order], self.s[order], self.r[order]], axis=1)
        cut = np.flatnonzero(np.any(key[1:] != key[:-1], axis=1)) + 1 if nsn > 1 else \
            np.zeros(0, dtype=np.int64)
        #: (batched, s, r, supernodes, stacked Z_RR gather positions or None)
        self.groups: list[tuple[bool, int, int, np.ndarray, np.ndarray | None]] = []
        for sel in np.split(order, cut) if nsn else []:
            s, r = int(self.s[sel[0]]), int(self.r[sel[0]])
            batched = s <= BATCH_MAX_S and sel.size >= BATCH_MIN
            for grp in ([sel] if batched else np.split(sel, sel.size)):
                g = self._gather_index(grp, s, r) if (r and self._cache) else None
                self.groups.append((batched, s, r, grp, g))

    def _gather_index(self, sel: np.ndarray, s: int, r: int) -> np.ndarray:
        """Flat block positions of Z_RR for the supernodes ``sel`` (all with s columns and r
        rows below): b x r x r, both triangles read from the lower one."""
        R = self._rows_all[self.rowoff[sel][:, None] + s + np.arange(r)[None, :]]  # b x r
        own = self.sn_of[R]
        lo, hi = np.triu_indices(r)  # lo <= hi: computed once per pair, then mirrored
        ko = own[:, lo]  # supernode holding column R[lo] (rows R[hi] lie in its row list)
        rhi, rlo = R[:, hi], R[:, lo]
        pos = np.searchsorted(self.keys, ko * self.n + rhi) - self.rowoff[ko]
        tri = self.blockoff[ko] + (rlo - self.starts[ko]) * self.ld[ko] + pos
        full = np.empty((r, r), dtype=np.int64)
        full[lo, hi] = full[hi, lo] = np.arange(lo.size)
        flat = tri[:, full]
        return flat.astype(np.int32 if self.size < 2**31 else np.int64)

    def run(self, ldata: np.ndarray) -> np.ndarray:
        """Z = (LL')⁻¹ on L's CSC pattern, given L's CSC values ``ldata``."""
        # work arrays kept across runs (no page faults): positions of lf outside L's pattern
        # (above the diagonal of L_JJ) stay 0; every position of zf is written before it is read
        if self._work is None:
            self._work = (np.zeros(self.size), np.empty(self.size))
        lf, zf = self._work
        lf[self.scatter] = ldata
        for batched, s, r, sel, g in self.groups:
            if batched:
                self._batch(s, r, sel, g, lf, zf)
            else:
                self._one(int(sel[0]), g, lf, zf)
        return zf[self.scatter]

    def _batch(self, s: int, r: int, sel: np.ndarray, g: np.ndarray | None,
               lf: np.ndarray, zf: np.ndarray) -> None:
        """Supernodes ``sel``, all with s columns and r rows below: stacked Takahashi step."""
        ld = s + r
        nb = sel.size
        idx = self.blockoff[sel][:, None] + np.arange(ld * s)[None, :]  # contiguous blocks
        if s == 1:  # scalar L_JJ: Ĺ = L_RJ / L_JJ, Z_JJ = 1/L_JJ² − Ĺ'Z_RJ
            blk = lf[idx]  # b x ld
            d = blk[:, 0]
            if not np.all(d > 0):
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            out = np.empty((nb, ld))
            zjj = 1.0 / (d * d)
            if r:
                b = blk[:, 1:] / d[:, None]
                if g is None:
                    g = self._gather_index(sel, s, r)
                zrj = -np.einsum("kab,kb->ka", zf[g], b)
                zjj -= np.einsum("ka,ka->k", b, zrj)
                out[:, 1:] = zrj
            out[:, 0] = zjj
            zf[idx] = out
            return
        blk = lf[idx].reshape(nb, s, ld).transpose(0, 2, 1)  # b x ld x s
        ljj = blk[:, :s]
        d = np.diagonal(ljj, axis1=1, axis2=2)
        if not np.all(d > 0):
            raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
        linv = np.tril(np.linalg.inv(ljj))  # lower triangular; tril drops rounding above
        zjj = np.matmul(linv.transpose(0, 2, 1), linv)
        out = np.empty((nb, ld, s))
        if r:
            b = np.matmul(blk[:, s:], linv)  # Ĺ = L_RJ L_JJ⁻¹
            if g is None:
                g = self._gather_index(sel, s, r)
            zrj = -np.matmul(zf[g], b)
            zjj -= np.matmul(b.transpose(0, 2, 1), zrj)
            out[:, s:] = zrj
        out[:, :s] = zjj
        zf[idx] = out.transpose(0, 2, 1).reshape(nb, ld * s)

    def _one(self, j: int, g: np.ndarray | None, lf: np.ndarray, zf: np.ndarray) -> None:
        """One supernode through LAPACK (dtrtri on L_JJ)."""
        s, ld, o = int(self.s[j]), int(self.ld[j]), int(self.blockoff[j])
        if s == 1:  # one column: scalar L_JJ, vector Ĺ (no LAPACK call)
            d = lf[o]
            if not d > 0:
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            if ld == 1:
                zf[o] = 1.0 / (d * d)
                return
            b = lf[o + 1:o + ld] / d
            g = g if g is not None else self._gather_index(np.array([j]), s, ld - s)
            zrj = -(zf[g[0]] @ b)
            zf[o + 1:o + ld] = zrj
            zf[o] = 1.0 / (d * d) - b @ zrj
            return
        blk = lf[o:o + ld * s].reshape(s, ld).T  # ld x s view, column-major storage
        zblk = zf[o:o + ld * s].reshape(s, ld).T
        r = ld - s
        if s <= POTRI_MIN_S:  # few calls' overhead matters more than flops
            ljj_inv, info = sla.lapack.dtrtri(blk[:s], lower=1)
            if info != 0:
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            zjj = ljj_inv.T @ ljj_inv
            b = blk[s:] @ ljj_inv if r else None  # Ĺ = L_RJ L_JJ⁻¹
        else:
            # (L_JJ L_JJ')⁻¹ by dpotri (trtri + lauum: 2s³/3 flops, not s³/3 + 2s³ with a gemm)
            zjj, info = sla.lapack.dpotri(blk[:s], lower=1)
            if info != 0 or not np.all(np.diagonal(blk[:s]) > 0):
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            zjj = np.tril(zjj)
            zjj += np.tril(zjj, -1).T
            # Ĺ = L_RJ L_JJ⁻¹, i.e. L_JJ' Ĺ' = L_RJ'
            b = sla.solve_triangular(blk[:s], blk[s:].T, lower=True, trans="T",
                                     check_finite=False).T if r else None
        if r:
            g = g if g is not None else self._gather_index(np.array([j]), s, r)
            zrj = -(zf[g[0]] @ b)
            zjj -= b.T @ zrj
            zblk[s:] = zrj
        zblk[:s] = zjj
