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

Memory: Z overwrites L in one work array (Z_J needs L_J and Z of J's ancestors only, and L_J
is read into a temporary before Z_J is written), the positions are int32 while the blocks
hold fewer than 2³¹ entries, and the cached Z_RR gathers keep one triangle (r(r+1)/2
positions per supernode, mirrored at each run). L's values come in CSC order (:meth:`load`)
or, on the factor's own supernodes, as its blocks in one piece (:meth:`load_blocks`:
CHOLMOD's supernodal values, no simplicial copy). Z leaves in the same array, compacted in
place to CSC order (:func:`_compact`), so a run holds one array of the blocks' size, not
that plus nnz(L).

Batching: R ⊆ ancestors of J in the supernodal elimination tree, so the supernodes at one
depth of that tree are independent given the levels above. ``run`` visits depth 0, 1, ...
and, within a depth, handles groups of supernodes at once with stacked arrays
(``numpy.linalg.inv`` / ``matmul`` over a batch axis), so the Python loop runs per group, not
per supernode. A group holds supernodes of one shape (s, r), or of several shapes padded to
the largest (s_p, r_p): L_JJ is extended by an identity block and L_RJ by zero rows and
columns, which leaves Z_JJ and Z_RJ of the real rows and columns unchanged (the padded
columns of Ĺ are 0, the padded rows of Z_RR read a zero slot). Shapes are pooled per depth
greedily by a cost model (flops of the padded group plus :data:`GROUP_OVERHEAD` per group):
a pedigree MME of 1 705 equations has 302 supernodes in 7 depths and about 20 groups; one of
100 004 equations 17 992 supernodes. Wide supernodes (s > :data:`BATCH_MAX_S`), and shapes
left alone in their group, keep the one-at-a-time LAPACK (``dtrtri``) path.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import scipy.linalg as sla

from asr_py.reml import counters

#: precompute the Z_RR gather positions (one triangle each) while they need at most this many
#: entries in all (int32: 4 bytes each)
GATHER_CACHE_MAX = 32_000_000
#: supernodes with at most this many columns are inverted in batches of equal shape
BATCH_MAX_S = 48
#: flop-equivalent cost of one more group (Python and numpy call overhead, ~20 calls)
GROUP_OVERHEAD = 60_000
#: batched supernodes at least this wide invert L_JJ one by one (dtrtri, a third of the flops
#: of the stacked LU inverse, which wins on call overhead for narrow ones)
TRTRI_MIN_S = 12
#: a supernode wider than this has (L_JJ L_JJ')⁻¹ from dpotri, narrower ones from dtrtri + gemm
POTRI_MIN_S = 200
#: Z_RR with at most this many rows is mirrored by a cached index map; larger ones are
#: unpacked by LAPACK (no r x r map per run)
TRIANGLE_MAP_MAX_R = 64


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


_dtrtri = sla.get_lapack_funcs("trtri", (np.zeros(1),))
_dtpttr = sla.get_lapack_funcs("tpttr", (np.zeros(1),))
_dsymm = sla.get_blas_funcs("symm", (np.zeros(1),))


@functools.cache
def _lower_mask(s: int) -> np.ndarray:  # s <= BATCH_MAX_S
    return np.tri(s)


def _triangle(r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lo, hi) of the upper triangle of an r x r matrix (lo <= hi) and the r x r map of
    every entry to its pair (kept for small r)."""
    return _triangle_small(r) if r <= 64 else _triangle_make(r)


def _triangle_make(r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = np.triu_indices(r)
    full = np.empty((r, r), dtype=np.int64)
    full[lo, hi] = full[hi, lo] = np.arange(lo.size)
    return lo, hi, full


_triangle_small = functools.cache(_triangle_make)


def _cost(s: np.ndarray | int, r: np.ndarray | int) -> np.ndarray | int:
    """Work of one supernode step with s columns and r rows below (flops, plus the Z_RR
    gather): inverse and (L_JJ L_JJ')⁻¹ s³, Ĺ and Ĺ'Z_RJ 2rs² each, Z_RR Ĺ 2r²s."""
    return s * s * s + 4 * r * s * s + 2 * r * r * s + 4 * r * r


def _pool(s: np.ndarray, r: np.ndarray, cnt: np.ndarray) -> list[tuple[int, int, list[int]]]:
    """Greedy pooling of distinct shapes (s_i, r_i) with cnt_i supernodes each into groups
    padded to their largest s and r: shapes in decreasing cost, each joins the group whose
    padded cost grows least, or opens a group if that is cheaper (GROUP_OVERHEAD + its own
    cost). Returns (s_p, r_p, shape indices) per group."""
    order = sorted(range(s.size), key=lambda i: (-_cost(int(s[i]), int(r[i])), -int(s[i])))
    groups: list[list] = []  # [s_p, r_p, count, cost per member, shapes]
    for i in order:
        si, ri, m = int(s[i]), int(r[i]), int(cnt[i])
        best, pick = GROUP_OVERHEAD + m * _cost(si, ri), None
        for g in groups:
            sp_, rp_ = max(g[0], si), max(g[1], ri)
            extra = (g[2] + m) * _cost(sp_, rp_) - g[2] * g[3]
            if extra < best:
                best, pick = extra, g
        if pick is None:
            groups.append([si, ri, m, _cost(si, ri), [i]])
        else:
            pick[0], pick[1] = max(pick[0], si), max(pick[1], ri)
            pick[2] += m
            pick[3] = _cost(pick[0], pick[1])
            pick[4].append(i)
    return [(g[0], g[1], g[4]) for g in groups]


#: entries moved per step of :func:`_compact` (its temporary: 8 MB)
COMPACT_CHUNK = 1 << 20


def _compact(w: np.ndarray, scatter: np.ndarray) -> np.ndarray:
    """w[:nnz] = w[scatter] in place, in chunks: ``scatter`` increases and scatter[p] >= p
    (a CSC entry's block position is at least its CSC position: a block holds its column's
    entries and more), so a chunk reads only positions no earlier chunk has written."""
    nnz = scatter.size
    for a in range(0, nnz, COMPACT_CHUNK):
        b = min(a + COMPACT_CHUNK, nnz)
        w[a:b] = w[scatter[a:b]]
    return w[:nnz]


class Group(NamedTuple):
    """One step of :meth:`SelInvPlan.run`.

    ``batched``: stacked arrays (else one supernode through LAPACK); ``s``, ``r``: the
    (padded) shape; ``sel``: the supernodes; ``gather``: Z_RR positions of one triangle (b x
    r(r+1)/2, the zero slot for padding; :func:`_triangle` mirrors them) or None (computed
    at each run); ``pad``: None when every supernode has
    the shape (s, r) (contiguous blocks), else (positions of the padded b x (s+r) x s blocks
    in L's work array (zero and one slots for padding), flat positions of the real entries in
    such a block array, their positions in Z's work array)."""

    batched: bool
    s: int
    r: int
    sel: np.ndarray
    gather: np.ndarray | None
    pad: tuple[np.ndarray, np.ndarray, np.ndarray] | None


class SelInvPlan:
    """Symbolic analysis of a lower-triangular CSC pattern for the supernodal selected inverse.

    Each supernode J (columns f..f+s−1, rows R below, r = |R|) is stored as a dense
    column-major block of ``ld = s + r`` rows and s columns; row list ``[f..f+s−1] ∪ R``.
    The work array (L's blocks in, Z's blocks out, in place) has two slots after the blocks:
    ``size`` holds 0 and ``size + 1`` holds 1 (padding of pooled groups).
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray,
                 starts: np.ndarray | None = None) -> None:
        """``starts``: the first column of each supernode when the factor's own partition
        is to be used (CHOLMOD's, whose blocks are then loaded as they are: :meth:`load_blocks`),
        else the fundamental supernodes of the pattern (:func:`supernode_starts`)."""
        indptr = np.asarray(indptr, dtype=np.int64)
        indices = np.asarray(indices, dtype=np.int64)
        n = indptr.size - 1
        self.n = n
        self.nnz = int(indptr[-1])
        if starts is None:
            starts = supernode_starts(indptr, indices)
        else:
            starts = np.array(starts, dtype=np.int64)
            if n and (starts.size == 0 or starts[0] != 0 or np.any(np.diff(starts) <= 0)
                      or starts[-1] >= n):
                raise ValueError("supernode starts must increase from 0 below n")
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
        # row lists of the supernodes (their first columns), concatenated
        self.rowoff = np.r_[0, np.cumsum(ld)].astype(np.int64)
        nrow = int(self.rowoff[-1])
        src = np.repeat(indptr[starts] - self.rowoff[:-1], ld) + np.arange(nrow)
        self._rows_all = indices[src]
        # check the supernode property (column f+i of J holds rows [f+i..] ∪ R) and build
        # the scatter CSC -> blocks. Entry k of column j (in J, i = j - f) sits at row-list
        # position rowoff_J + i + k and block position blockoff_J + i (ld_J + 1) + k: a
        # per-column offset plus the entry's CSC position minus the column start, so only
        # two arrays of nnz(L) are formed at a time (peak memory of large fits)
        cnt = np.diff(indptr)
        i_in = np.arange(n) - starts[sn_of]  # column index within its supernode
        if not np.array_equal(cnt, ld[sn_of] - i_in):
            raise ValueError("L's pattern is not supernodal (columns of a supernode differ)")
        pos = np.repeat(self.rowoff[sn_of] + i_in - indptr[:-1], cnt)
        pos += np.arange(self.nnz)
        same = np.array_equal(self._rows_all[pos], indices)
        del pos
        if not same:
            raise ValueError("L's pattern is not supernodal (columns of a supernode differ)")
        self._idx_dtype = np.int32 if self.size + 2 < 2**31 else np.int64
        scatter = np.repeat(self.blockoff[sn_of] + i_in * (ld[sn_of] + 1) - indptr[:-1], cnt)
        scatter += np.arange(self.nnz)
        self.scatter = scatter.astype(self._idx_dtype)  # int32: half the memory
        del scatter
        # keys for locating row i in the row list of supernode K: K * n + i (sorted)
        self.keys = np.repeat(np.arange(self.nsn, dtype=np.int64), ld) * n + self._rows_all
        # block position of (row at row-list position p of K, column c): _gbase[K] + c ld_K + p
        self._gbase = self.blockoff[:-1] - self.starts * ld - self.rowoff[:-1]
        self._diag = indptr[:-1].copy()  # positions of L's diagonal in its CSC values
        self._diag_blk = self.blockoff[sn_of] + i_in * (ld[sn_of] + 1)  # ... in the blocks
        self._work: np.ndarray | None = None
        self._loaded = False
        self._build_groups()

    @property
    def rowlists(self) -> list[np.ndarray]:
        """Row list of each supernode ([its columns] ∪ R)."""
        return np.split(self._rows_all, self.rowoff[1:-1])

    def _build_groups(self) -> None:
        """Order of work: per depth of the supernodal tree, groups of supernodes. Parent of
        J = the supernode of the first row of R (every row of R is an ancestor, so
        depth(parent) < depth(J))."""
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
        self.groups: list[Group] = []
        budget = GATHER_CACHE_MAX  # gather positions kept for the groups while it lasts
        if not nsn:
            return
        order = np.lexsort((self.r, self.s, depth))
        cut = np.flatnonzero(np.diff(depth[order])) + 1
        for sel_d in np.split(order, cut):
            wide = self.s[sel_d] > BATCH_MAX_S
            todo: list[tuple[bool, int, int, np.ndarray, bool]] = [
                (False, int(self.s[j]), int(self.r[j]), np.array([j]), False)
                for j in sel_d[wide]]
            nar = sel_d[~wide]
            if nar.size:
                shape = self.s[nar] * (int(self.r.max()) + 1) + self.r[nar]
                _, first, inv, cnt = np.unique(shape, return_index=True, return_inverse=True,
                                               return_counts=True)
                inv = inv.ravel()
                for sp_, rp_, shapes in _pool(self.s[nar[first]], self.r[nar[first]], cnt):
                    mem = nar[np.isin(inv, shapes)]
                    if mem.size == 1:
                        todo.append((False, sp_, rp_, mem, False))
                    else:
                        todo.append((True, sp_, rp_, mem, len(shapes) > 1))
            for batched, sp_, rp_, mem, padded in todo:
                g = None
                if rp_ and mem.size * rp_ * (rp_ + 1) // 2 <= budget:
                    g = self._gather(mem, rp_)
                    budget -= g.size
                pad = self._pad_index(mem, sp_, rp_) if padded else None
                self.groups.append(Group(batched, sp_, rp_, mem, g, pad))

    def _gather(self, sel: np.ndarray, rp: int) -> np.ndarray:
        """Flat positions of Z_RR in the work array for the supernodes ``sel`` (r_k <= rp rows
        below each): one triangle, b x rp(rp+1)/2 in :func:`_triangle`'s order (read from
        Z's lower triangle; ``[:, full]`` of the values gives b x rp x rp); the positions of
        padding (rows or columns >= r_k) are the zero slot ``size``."""
        r = self.r[sel]
        lo, hi, full = _triangle(rp)  # lo <= hi: computed once per pair, then mirrored
        pos_r = (self.rowoff[sel] + self.s[sel])[:, None] + np.arange(rp)
        pad = bool(np.any(r < rp))
        if pad:
            pos_r = np.minimum(pos_r, self._rows_all.size - 1)
        R = self._rows_all[pos_r]  # b x rp
        rlo = R[:, lo]
        ko = self.sn_of[rlo]  # supernode holding column R[lo] (rows R[hi] lie in its row list)
        pos = np.searchsorted(self.keys, ko * self.n + R[:, hi])
        tri = pos + self._gbase[ko] + rlo * self.ld[ko]
        if pad:  # hi >= lo: hi valid => lo valid
            tri = np.where(hi < r[:, None], tri, self.size)
        return tri.astype(self._idx_dtype)

    @staticmethod
    def _zrr_times(w: np.ndarray, g: np.ndarray, rp: int, b: np.ndarray) -> np.ndarray:
        """Z_RR Ĺ for stacked Ĺ (nb x rp x s) from the work array and one triangle's
        positions ``g`` (nb x rp(rp+1)/2). Small rp: Z_RR mirrored by :func:`_triangle`'s
        map and one stacked matmul; larger rp (no rp x rp index map formed): the triangle is
        LAPACK's packed lower storage of Z_RR, unpacked (dtpttr) and multiplied by dsymm,
        which reads that triangle only (the same 2 rp² s flops)."""
        vals = w[g]
        if rp <= TRIANGLE_MAP_MAX_R:
            return np.matmul(vals[:, _triangle(rp)[2]], b)
        out = np.empty(b.shape)
        for k in range(vals.shape[0]):
            zl, info = _dtpttr(rp, vals[k], uplo="L")
            out[k] = _dsymm(1.0, zl, b[k], side=0, lower=1)
        return out

    def _pad_index(self, sel: np.ndarray, sp_: int, rp: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions in the L work array of the padded blocks (b x (sp+rp) x sp): L_JJ
        extended by an identity (slot ``size + 1`` = 1), L_RJ by zero rows and columns (slot
        ``size`` = 0); the real entries' flat positions and their block positions."""
        so = self.s[sel][:, None, None]
        ro = self.r[sel][:, None, None]
        off = self.blockoff[sel][:, None, None]
        i = np.arange(sp_ + rp)[None, :, None]
        c = np.arange(sp_)[None, None, :]
        in_j = i < so
        in_r = (i >= sp_) & (i - sp_ < ro)
        pos = off + c * (so + ro) + np.where(in_j, i, so + i - sp_)
        lidx = np.where((c < so) & (in_j | in_r), pos, self.size)
        lidx = np.where((c >= so) & (i == c), self.size + 1, lidx).ravel()
        src = np.flatnonzero(lidx < self.size)
        dt = self._idx_dtype
        return lidx.astype(dt), src.astype(dt), lidx[src].astype(dt)

    def load(self, ldata: np.ndarray) -> None:
        """Copy L's CSC values ``ldata`` into the work array (the caller may then free them:
        peak memory of large fits)."""
        # the work array is kept across runs (no page faults). Positions above the diagonal
        # of L_JJ are outside L's pattern: 0 in the first run, Z_JJ's upper triangle after
        # it; every reader of L_JJ uses its lower triangle only (LAPACK 'L', or the masked
        # copy of the stacked inverse). The slots after the blocks: w[size] = 0 (L and Z
        # padding), w[size + 1] = 1 (identity padding of L_JJ); Z never writes them
        self._work_array()
        if not np.all(ldata[self._diag] > 0):  # L's diagonal (every L_JJ's) also catches NaN
            raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
        self._work[self.scatter] = ldata
        self._loaded = True

    def same_blocks(self, starts: np.ndarray, rowoff: np.ndarray, blockoff: np.ndarray,
                    rows: np.ndarray) -> bool:
        """True if the factor's supernodes (first columns, row-list and value offsets, row
        lists) are this plan's, so its values can be loaded as they are."""
        return (np.array_equal(self.starts, starts[:-1]) and np.array_equal(self.rowoff, rowoff)
                and np.array_equal(self.blockoff, blockoff)
                and np.array_equal(self._rows_all, rows))

    def load_blocks(self, x: np.ndarray) -> None:
        """Copy a supernodal factor's values, stored in this plan's block layout (CHOLMOD's
        ``x``: :meth:`same_blocks`), into the work array in one piece."""
        if x.size != self.size:
            raise ValueError(f"{x.size} supernodal values for a plan of {self.size}")
        if not np.all(x[self._diag_blk] > 0):
            raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
        self._work_array()[:self.size] = x
        self._loaded = True

    def _work_array(self) -> np.ndarray:
        if self._work is None:
            w = np.zeros(self.size + 2)
            w[self.size + 1] = 1.0
            self._work = w
        return self._work

    def run(self, ldata: np.ndarray | None = None) -> np.ndarray:
        """Z = (LL')⁻¹ on L's CSC pattern, given L's CSC values ``ldata`` (or those passed
        to :meth:`load` / :meth:`load_blocks` just before).

        Z is returned in the work array itself, compacted in place to CSC order (a view of
        its first nnz(L) entries; no second nnz(L) array), which the plan then gives up:
        the next load starts a new one."""
        if ldata is not None:
            self.load(ldata)
        if not self._loaded:
            raise ValueError("SelInvPlan.run needs L's values (run(ldata) or load first)")
        self._loaded = False  # the work array now turns into Z
        counters.bump("selected_inverses")
        w = self._work
        assert w is not None
        for grp in self.groups:
            if grp.batched:
                self._batch(grp, w)
            else:
                self._one(int(grp.sel[0]), grp.gather, w)
        self._work = None
        return _compact(w, self.scatter)

    def _batch(self, grp: Group, w: np.ndarray) -> None:
        """Supernodes of one (padded) shape (s, r): stacked Takahashi step (L's blocks read
        into a temporary, then Z's blocks written over them)."""
        s, r, sel, g = grp.s, grp.r, grp.sel, grp.gather
        ld = s + r
        nb = sel.size
        if grp.pad is None:  # contiguous column-major blocks
            idx = self.blockoff[sel][:, None] + np.arange(ld * s)[None, :]
            blk = w[idx].reshape(nb, s, ld).transpose(0, 2, 1)  # b x ld x s
        else:
            blk = w[grp.pad[0]].reshape(nb, ld, s)
        if r and g is None:
            g = self._gather(sel, r)
        if s == 1:  # scalar L_JJ: Ĺ = L_RJ / L_JJ, Z_JJ = 1/L_JJ² − Ĺ'Z_RJ
            d = blk[:, 0, 0]
            zjj = 1.0 / (d * d)
            if r:
                b = blk[:, 1:, 0] / d[:, None]
                zrj = -self._zrr_times(w, g, r, b[:, :, None])[:, :, 0]
                zjj -= np.einsum("ka,ka->k", b, zrj)
                out = np.concatenate((zjj[:, None], zrj), axis=1)
            else:
                out = zjj[:, None]
            if grp.pad is None:
                w[idx] = out
            else:
                w[grp.pad[2]] = out.ravel()[grp.pad[1]]
            return
        ljj = blk[:, :s]
        if s >= TRTRI_MIN_S:  # per supernode: s³/3 flops, lower triangle exact
            linv = np.empty((nb, s, s))
            for k in range(nb):
                linv[k], info = _dtrtri(ljj[k], lower=1)
                if info != 0:
                    raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            linv *= _lower_mask(s)  # dtrtri keeps the upper triangle (Z of the last run)
        else:  # stacked LU inverse of the lower triangle (above it: Z of the last run);
            linv = np.linalg.inv(ljj * _lower_mask(s))  # the mask drops rounding above
            linv *= _lower_mask(s)
        zjj = np.matmul(linv.transpose(0, 2, 1), linv)
        if r:
            b = np.matmul(blk[:, s:], linv)  # Ĺ = L_RJ L_JJ⁻¹
            zrj = -self._zrr_times(w, g, r, b)
            zjj -= np.matmul(b.transpose(0, 2, 1), zrj)
            out = np.concatenate((zjj, zrj), axis=1)
        else:
            out = zjj
        if grp.pad is None:
            w[idx] = out.transpose(0, 2, 1).reshape(nb, ld * s)
        else:
            w[grp.pad[2]] = out.ravel()[grp.pad[1]]

    def _one(self, j: int, g: np.ndarray | None, w: np.ndarray) -> None:
        """One supernode through LAPACK (dtrtri on L_JJ); Z_J overwrites L_J in ``w`` after
        L_J has been read."""
        s, ld, o = int(self.s[j]), int(self.ld[j]), int(self.blockoff[j])
        r = ld - s
        if s == 1:  # one column: scalar L_JJ, vector Ĺ (no LAPACK call)
            d = w[o]
            if not d > 0:
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            if ld == 1:
                w[o] = 1.0 / (d * d)
                return
            b = w[o + 1:o + ld] / d
            g = g if g is not None else self._gather(np.array([j]), r)
            zrj = -self._zrr_times(w, g, r, b[None, :, None])[0, :, 0]
            w[o + 1:o + ld] = zrj
            w[o] = 1.0 / (d * d) - b @ zrj
            return
        blk = w[o:o + ld * s].reshape(s, ld).T  # ld x s view, column-major storage
        if not np.all(np.diagonal(blk[:s]) > 0):
            raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
        if s <= POTRI_MIN_S:  # few calls' overhead matters more than flops
            ljj_inv, info = sla.lapack.dtrtri(blk[:s], lower=1)
            if info != 0:
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            ljj_inv = np.tril(ljj_inv)  # dtrtri keeps the upper triangle (Z of the last run)
            zjj = ljj_inv.T @ ljj_inv
            b = blk[s:] @ ljj_inv if r else None  # Ĺ = L_RJ L_JJ⁻¹
        else:
            # Ĺ = L_RJ L_JJ⁻¹, i.e. L_JJ' Ĺ' = L_RJ' (before L_JJ is overwritten)
            b = sla.solve_triangular(blk[:s], blk[s:].T, lower=True, trans="T",
                                     check_finite=False).T if r else None
            # (L_JJ L_JJ')⁻¹ by dpotri (trtri + lauum: 2s³/3 flops, not s³/3 + 2s³ with a
            # gemm); a supernode without rows below (the root: the widest) is contiguous
            # (Fortran order) and inverted in place, no s x s copy
            zjj, info = sla.lapack.dpotri(blk[:s], lower=1, overwrite_c=not r)
            if info != 0:
                raise np.linalg.LinAlgError("singular diagonal block in the Cholesky factor")
            # only Z's lower triangle is ever read (the gathers of Z_RR and the final
            # scatter), so dpotri's upper triangle is left as it is (no two s x s copies)
        if r:
            g = g if g is not None else self._gather(np.array([j]), r)
            zrj = -self._zrr_times(w, g, r, b[None])[0]
            zjj -= b.T @ zrj
            blk[s:] = zrj
        if not np.shares_memory(zjj, blk):
            blk[:s] = zjj
