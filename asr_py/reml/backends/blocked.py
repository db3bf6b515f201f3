"""Blocked factor of C for crossed designs: a diagonal block D and a dense Schur complement.

Order C's equations as an independent set first (no off-diagonal entries among them):

    C = [[D, B], [B', E]],   D diagonal (|D| x |D|),   S = E − B'D⁻¹B   (r x r, r = N − |D|).

For crossed random factors (MixedModels.jl's blocked Cholesky) D is the levels of the
largest factor (its block Z_b'R⁻¹Z_b + G_b⁻¹ is diagonal for an id/idv term) and S, the Schur
complement on the other factors and the fixed effects, is nearly dense; so S is formed DENSE
in one preallocated Fortran-ordered r x r array, chunked by column panels (sparse products
of B's columns, no r x r sparse temporary) and factored in place (LAPACK ``dpotrf``,
``overwrite_a``): the only r x r array there is. Then

* ``logdet``: log|C| = Σ log D_ii + log|S| = Σ log D_ii + 2 Σ log L_ii (S = L L');
* ``solve``: x_E = S⁻¹(b_E − B'D⁻¹b_D), x_D = D⁻¹(b_D − B x_E);
* selected inverse, when first asked (``dpotri`` turns L into S⁻¹ in the same array; later
  solves multiply by S⁻¹ with ``dsymm``): (C⁻¹)_EE = S⁻¹,
  (C⁻¹)_de = −D_d⁻¹ Σ_k B_dk (S⁻¹)_ke and
  (C⁻¹)_de' (d, e' in D) = δ_de'/D_d + D_d⁻¹D_e'⁻¹ Σ_kl B_dk (S⁻¹)_kl B_e'l,
  gathered entry by entry over B's rows (O(Σ deg(d)²) for the diagonal, no |D| x r array).

The partition (a lexicographically-first maximal independent set of C's graph by ascending
degree), B's and E's gather positions and the r x r buffer are kept in a
:class:`BlockedAnalysis` shared by every factor of one pattern (``refactor``); the factor that
last wrote the buffer owns it, and another factor re-forms its S from its own values when
used again (as CHOLMOD's shared numeric object in :mod:`.cholmod`).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg.blas as blas
import scipy.linalg.lapack as lapack
import scipy.sparse as sp

from asr_py.reml import counters
from asr_py.reml.backends.rfp import RFPMatrix
from asr_py.reml.memory import check_dense, release_free_memory
from asr_py.reml.solver import Factor, NotPositiveDefinite, on_pattern
from asr_py.vcov.base import Matrix

#: columns of S formed per sparse product (a dense r x PANEL temporary)
PANEL = 128
#: S formed from B'D⁻¹B's terms at once (no panels, no sparse products: their per-call
#: overhead dominates small fits refactored many times) up to this r ...
TERMS_MAX_R = 2048
#: ... and this many terms Σ_d deg(d)² (each ~40 bytes of temporaries)
TERMS_MAX = 1 << 21
#: entries of the selected inverse's gathers per chunk (each ~50 bytes of temporaries)
GATHER_CHUNK = 1 << 18
#: entries of C⁻¹ looked up per chunk by ``inverse_entries`` (~70 bytes of temporaries each;
#: 2^16: ~5 MiB at once, issue 16 goal 4)
ENTRY_CHUNK = 1 << 16
#: rounds of the parallel greedy independent set before the undecided equations go to E
MIS_ROUNDS = 40

_HINT = ("the blocked backend forms the Schur complement of C on the equations outside its "
         "diagonal block densely (crossed random factors); use solver='sparse', fewer levels "
         "in the smaller factors, or a machine with more memory. ASR_PY_MEMORY_LIMIT "
         "overrides the estimate of the memory available")


def lower_csc(c: Matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """tril(C) as sorted CSC arrays (indptr, indices, data), by a mask on C's columns (no
    coordinate copy of C)."""
    cs = sp.csc_matrix(c, dtype=float) if sp.issparse(c) else sp.csc_matrix(
        np.asarray(c, dtype=float))
    if cs.shape[0] != cs.shape[1]:
        raise ValueError(f"C must be square, got shape {cs.shape}")
    if not cs.has_canonical_format:
        cs = cs.copy()
        cs.sum_duplicates()
    n = cs.shape[0]
    col = np.repeat(np.arange(n, dtype=cs.indices.dtype), np.diff(cs.indptr))
    keep = cs.indices >= col
    indptr = np.r_[0, np.cumsum(np.bincount(col[keep], minlength=n))].astype(np.int64)
    return indptr, cs.indices[keep], cs.data[keep]


def independent_set(indptr: np.ndarray, indices: np.ndarray, n: int,
                    max_out: int | None = None) -> np.ndarray | None:
    """Boolean mask of a maximal independent set of the graph of the lower-triangular CSC
    pattern (indptr, indices): greedy by ascending (degree, index), computed in parallel
    rounds (a node joins when it precedes all its undecided neighbours; its neighbours
    leave), which gives the sequential greedy's set. After :data:`MIS_ROUNDS` rounds the
    undecided nodes are left out (still independent). With ``max_out``: None as soon as
    more than ``max_out`` nodes are out (the Schur complement would be too large)."""
    col = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    row = np.asarray(indices, dtype=np.int64)
    off = row != col
    a, b = row[off], col[off]
    del row, col, off
    deg = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    prio = np.empty(n, dtype=np.int64)
    prio[np.lexsort((np.arange(n), deg))] = np.arange(n)
    # the symmetric adjacency sorted by source: src's neighbours dst[ptr[src]:ptr[src+1]]
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    del a, b
    o = np.argsort(src, kind="stable")
    src, dst = src[o], dst[o]
    del o
    ptr = np.r_[0, np.cumsum(np.bincount(src, minlength=n))]
    has = ptr[1:] > ptr[:-1]
    big = np.iinfo(np.int64).max
    state = np.zeros(n, dtype=np.int8)  # 0 undecided, 1 in the set, -1 out
    for _ in range(MIS_ROUNDS):
        und = state == 0
        if not und.any():
            break
        best = np.full(n, big)
        if dst.size:
            vals = np.where(und[dst], prio[dst], big)
            best[has] = np.minimum.reduceat(vals, ptr[:-1][has])
            del vals
        join = und & (prio < best)
        state[join] = 1
        out = dst[join[src]]
        state[out[state[out] == 0]] = -1
        if max_out is not None and np.count_nonzero(state == -1) > max_out:
            return None
    return state == 1


class BlockedAnalysis:
    """The partition of one lower pattern and the positions that split C into D, B and E."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, n: int,
                 mask: np.ndarray | None = None, packed: bool = False) -> None:
        self.n = n
        self.packed = packed
        self.indptr, self.indices = indptr, indices
        if mask is None:
            mask = independent_set(indptr, indices, n)
        self.d_idx = np.flatnonzero(mask)
        self.e_idx = np.flatnonzero(~mask)
        nd, r = self.d_idx.size, self.e_idx.size
        self.r = r
        nnz = int(indptr[-1])
        it = np.int32 if max(n, nnz) < 2**31 else np.int64  # local indices and positions
        loc = np.empty(n, dtype=it)
        loc[self.d_idx] = np.arange(nd, dtype=it)
        loc[self.e_idx] = np.arange(r, dtype=it)
        row = np.asarray(indices)
        col = np.repeat(np.arange(n, dtype=it), np.diff(indptr))
        rin, cin = mask[row], mask[col]
        dd = np.flatnonzero(rin & cin)  # only diagonal entries (independent set)
        self.d_pos = np.full(nd, -1, dtype=np.int64)
        self.d_pos[loc[row[dd]]] = dd  # a D equation without a diagonal entry: -1
        del dd
        # B (|D| x r) as CSR: entries with one end in D and the other in E
        bp = np.flatnonzero(rin != cin).astype(it)
        rb = rin[bp]
        bd = np.where(rb, loc[row[bp]], loc[col[bp]])
        be = np.where(rb, loc[col[bp]], loc[row[bp]])
        del rb
        o = np.lexsort((be, bd))
        self.b_pos = bp[o]
        bd, be = bd[o], be[o]
        del bp, o
        self.b_indices = be
        self.b_indptr = np.r_[0, np.cumsum(np.bincount(bd, minlength=nd))].astype(np.int64)
        # B as CSC (r columns), as a permutation of the CSR entries
        oc = np.lexsort((bd, be)).astype(it)
        self.bc_perm = oc
        self.bc_indices = bd[oc]
        self.bc_indptr = np.r_[0, np.cumsum(np.bincount(be, minlength=r))].astype(np.int64)
        del bd, be, oc
        # E (r x r), both triangles, as CSC with positions in the lower data
        ep = np.flatnonzero(~rin & ~cin).astype(it)
        del rin, cin
        er, ec = loc[row[ep]], loc[col[ep]]
        del col
        offd = er != ec
        er2 = np.concatenate([er, ec[offd]])
        ec2 = np.concatenate([ec, er[offd]])
        ep2 = np.concatenate([ep, ep[offd]])
        del er, ec, ep, offd
        o = np.lexsort((er2, ec2))
        self.e_pos = ep2[o]
        self.e_indices = er2[o]
        self.e_indptr = np.r_[0, np.cumsum(np.bincount(ec2, minlength=r))].astype(np.int64)
        del er2, ec2, ep2, o
        self.loc = loc
        self.mask = mask
        self.buf: np.ndarray | None = None  # the r x r array (Fortran order)
        self.rfp: RFPMatrix | None = None  # or S in packed storage (``packed``)
        self.owner: BlockedFactor | None = None
        self._terms: tuple[np.ndarray, ...] | None = None  # see schur_terms
        release_free_memory()  # the partition's temporaries (heap pages of a few MB)

    def buffer(self) -> np.ndarray:
        if self.buf is None:
            check_dense(self.r, copies=1.1, what="the dense Schur complement of C's blocked "
                        "factorization", hint=_HINT)
            self.buf = np.empty((self.r, self.r), order="F")
        return self.buf

    def schur_terms(self) -> tuple[np.ndarray, ...] | None:
        """The terms of B'D⁻¹B for a small Schur complement (r <= :data:`TERMS_MAX_R`,
        Σ_d deg(d)² <= :data:`TERMS_MAX`), else None: for every row d of B and every pair
        (a, b) of its entries, (a, b, d, flat F-order position of S[k_a, k_b]), rows d
        ascending — the order in which the panels' sparse product sums them, so
        S = E − bincount(...) has the same digits. With E's flat positions. Built once."""
        if self._terms is None:
            deg = np.diff(self.b_indptr)
            cnt = deg * deg
            total = int(cnt.sum())
            if self.packed or self.r > TERMS_MAX_R or total > TERMS_MAX:
                self._terms = ()
            else:
                rowp = np.repeat(np.arange(deg.size), cnt)
                within = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
                dg = deg[rowp]
                a = self.b_indptr[rowp] + within // dg
                b = self.b_indptr[rowp] + within % dg
                keys = self.b_indices[b].astype(np.int64) * self.r + self.b_indices[a]
                ecol = np.repeat(np.arange(self.r, dtype=np.int64), np.diff(self.e_indptr))
                self._terms = (a, b, rowp, keys, ecol * self.r + self.e_indices)
        return self._terms or None

    def packed_buffer(self) -> RFPMatrix:
        if self.rfp is None:
            check_dense(self.r, copies=0.6, what="the packed Schur complement of C's blocked "
                        "factorization", hint=_HINT)
            self.rfp = RFPMatrix(self.r)
        return self.rfp


class BlockedFactor(Factor):
    """C = [[D, B], [B', E]] with D diagonal and S = E − B'D⁻¹B dense (module docstring)."""

    name = "blocked"

    def __init__(self, c: Matrix | None, *, analysis: BlockedAnalysis | None = None,
                 lower: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                 packed: bool = False) -> None:
        if lower is None:
            lower = lower_csc(c)
        indptr, indices, data = lower
        n = indptr.size - 1
        if analysis is None or not (analysis.n == n and (
                analysis.indptr is indptr or np.array_equal(analysis.indptr, indptr)) and (
                analysis.indices is indices or np.array_equal(analysis.indices, indices))):
            analysis = BlockedAnalysis(np.asarray(indptr), np.asarray(indices), n,
                                       packed=packed)
        self.n = n
        self._an = analysis
        an = analysis
        if an.packed:
            self.name = "blocked-packed"
        data = np.asarray(data, dtype=float)
        d = np.where(an.d_pos >= 0, data[np.maximum(an.d_pos, 0)], 0.0)
        if d.size and not (np.all(d > 0) and np.all(np.isfinite(d))):
            raise NotPositiveDefinite("a non-positive diagonal entry of C's diagonal block")
        self._d = d
        self._bdata = data[an.b_pos]
        self._edata = data[an.e_pos]
        self._inverted = False
        self._v: np.ndarray | None = None  # (B S⁻¹) on B's pattern
        self._bsb: np.ndarray | None = None  # diag(B S⁻¹ B')
        self._bkeys: np.ndarray | None = None  # B's entries as row·r + column, per lookup
        self._factor_schur()
        self._logdet = float(np.log(d).sum()) + self._ldS

    # ----------------------------------------------------------------------------------
    def _b(self) -> sp.csr_matrix:
        an = self._an
        return sp.csr_matrix((self._bdata, an.b_indices, an.b_indptr),
                             shape=(an.d_idx.size, an.r))

    def _factor_schur(self) -> None:
        """Form S = E − B'D⁻¹B into the shared buffer by column panels; dpotrf in place."""
        counters.bump("factorizations")
        an = self._an
        r = an.r
        self._ldS = 0.0
        an.owner = self
        self._inverted = False
        if r == 0:
            return
        terms = an.schur_terms()
        if terms is not None:  # small S: all of B'D⁻¹B's terms at once (same sums, in order)
            self._schur_from_terms(terms)
            return
        rfp = an.packed_buffer() if an.packed else None
        s = an.buffer() if rfp is None else np.empty((r, min(r, PANEL)), order="F")
        e = sp.csc_matrix((self._edata, an.e_indices, an.e_indptr), shape=(r, r))
        bval = self._bdata[an.bc_perm]  # B in CSC order
        bsc = sp.csc_matrix((bval, an.bc_indices, an.bc_indptr), shape=(an.d_idx.size, r))
        # (D⁻¹B)' as r x |D| CSR: the CSC arrays of D⁻¹B read as rows
        bdt = sp.csr_matrix((bval / self._d[an.bc_indices], an.bc_indices, an.bc_indptr),
                            shape=(r, an.d_idx.size))
        del bval
        for j0 in range(0, r, PANEL):
            j1 = min(r, j0 + PANEL)
            panel = s[:, j0:j1] if rfp is None else s[:, :j1 - j0]
            panel[...] = e[:, j0:j1].toarray()
            if bsc.nnz:
                panel -= (bdt @ bsc[:, j0:j1]).toarray()
            if rfp is not None:
                for c in range(j0, j1):
                    rfp.set_column(c, panel[:, c - j0])
        del bdt, bsc, e
        an.owner = None
        if rfp is not None:
            del s, panel
            info = rfp.cholesky()
            if info != 0:
                raise NotPositiveDefinite(f"C is not positive definite (the Schur complement's "
                                          f"pivot {info} of {r})")
            diag = rfp.diagonal()
            if not np.all(np.isfinite(diag)) or not np.all(diag > 0):
                raise NotPositiveDefinite("non-positive pivot in the Schur complement")
            an.owner = self
            self._ldS = float(2.0 * np.log(diag).sum())
            return
        self._potrf(s)

    def _schur_from_terms(self, terms: tuple[np.ndarray, ...]) -> None:
        """S = E − Σ_d (B_dk / D_d) B_dl summed term by term in :meth:`BlockedAnalysis.
        schur_terms`' order (the digits of the panel product), then factored in place."""
        an = self._an
        a, b, rowp, keys, ekeys = terms
        bdata = self._bdata
        vals = (bdata[a] / self._d[rowp]) * bdata[b]
        acc = np.bincount(keys, weights=vals, minlength=an.r * an.r)
        s = an.buffer()
        flat = s.reshape(-1, order="F")
        assert np.shares_memory(flat, s)
        flat[:] = 0.0
        flat[ekeys] = self._edata
        flat -= acc
        del acc, vals
        self._potrf(s)

    def _potrf(self, s: np.ndarray) -> None:
        """Cholesky of the r x r buffer in place; its log-determinant."""
        an = self._an
        r = an.r
        an.owner = None
        out, info = lapack.dpotrf(s, lower=1, clean=0, overwrite_a=1)
        if info != 0 or not np.shares_memory(out, s):
            if info > 0:
                raise NotPositiveDefinite(f"C is not positive definite (the Schur complement's "
                                          f"pivot {info} of {r})")
            raise NotPositiveDefinite(f"LAPACK dpotrf failed (info {info})")
        diag = np.diagonal(s)
        if not np.all(np.isfinite(diag)) or not np.all(diag > 0):
            raise NotPositiveDefinite("non-positive pivot in the Schur complement")
        an.owner = self
        self._ldS = float(2.0 * np.log(diag).sum())

    def _own(self) -> np.ndarray:
        """The buffer holding this factor's L (or S⁻¹ once inverted): re-formed when another
        factor wrote it since."""
        an = self._an
        if an.owner is not self:
            inv = self._inverted
            self._factor_schur()
            if inv:
                self._invert()
        return an.buf if an.buf is not None else np.zeros((0, 0))

    def _pos(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Flat positions of S⁻¹[i, j] in :meth:`_sinv`'s array."""
        an = self._an
        if an.packed:
            return an.rfp.pos(i, j)
        return np.minimum(i, j) * an.r + np.maximum(i, j)

    def _invert(self) -> None:
        an = self._an
        if self._inverted or an.r == 0:
            return
        counters.bump("selected_inverses")
        if an.packed:
            info = an.rfp.invert()
            if info != 0:
                raise NotPositiveDefinite(f"LAPACK dpftri failed (info {info})")
            self._inverted = True
            return
        s = an.buf
        out, info = lapack.dpotri(s, lower=1, overwrite_c=1)
        if info != 0 or not np.shares_memory(out, s):
            raise NotPositiveDefinite(f"LAPACK dpotri failed (info {info})")
        r = s.shape[0]
        for j0 in range(0, r, PANEL):  # mirror the lower triangle, panel by panel
            j1 = min(r, j0 + PANEL)
            blk = s[j0:j1, j0:j1]
            blk[...] = np.tril(blk) + np.tril(blk, -1).T
            s[j0:j1, j1:] = s[j1:, j0:j1].T
        self._inverted = True

    def _sinv(self) -> np.ndarray:
        """S⁻¹ as a flat array (the shared buffer, both triangles, or its packed storage),
        read at :meth:`_pos`."""
        s = self._own()
        if not self._inverted:
            self._invert()
        if self._an.packed:
            return self._an.rfp.a
        return s.ravel(order="F")

    def _schur_solve(self, rhs: np.ndarray) -> np.ndarray:
        """S⁻¹ rhs (rhs r x k, F-ordered)."""
        s = self._own()
        if rhs.shape[0] == 0:
            return rhs
        if self._an.packed:
            rfp = self._an.rfp
            return rfp.matmul(rhs) if self._inverted else rfp.solve(rhs)
        if self._inverted:
            return blas.dsymm(1.0, s, rhs, side=0, lower=1)
        x, info = lapack.dpotrs(s, rhs, lower=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"LAPACK dpotrs failed (info {info})")
        return x

    # ----------------------------------------------------------------------------------
    def solve(self, b: np.ndarray) -> np.ndarray:
        an = self._an
        b = np.asarray(b, dtype=float)
        bb = b.reshape(self.n, -1)
        bmat = self._b()
        bd = bb[an.d_idx] / self._d[:, None]
        rhs = np.asfortranarray(bb[an.e_idx] - bmat.T @ bd)
        xe = self._schur_solve(rhs)
        xd = bd - (bmat @ xe) / self._d[:, None]
        out = np.empty_like(bb)
        out[an.d_idx] = xd
        out[an.e_idx] = xe
        return out.ravel() if b.ndim == 1 else out.reshape(b.shape)

    def logdet(self) -> float:
        return self._logdet

    def inverse_entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """C⁻¹[rows[k], cols[k]] by the block formulas (module docstring), in chunks of
        :data:`ENTRY_CHUNK` entries (C's lower pattern at 10⁶ records: ~3·10⁶)."""
        rows, cols = np.asarray(rows), np.asarray(cols)
        out = np.empty(rows.size)
        if rows.size == 0:
            return out
        sinv = self._sinv() if self._an.r else np.zeros(0)
        try:
            for k0 in range(0, rows.size, ENTRY_CHUNK):
                k1 = min(rows.size, k0 + ENTRY_CHUNK)
                out[k0:k1] = self._entries(rows[k0:k1].astype(np.int64),
                                           cols[k0:k1].astype(np.int64), sinv)
        finally:
            self._bkeys = None
        return out

    def _entries(self, rows: np.ndarray, cols: np.ndarray, sinv: np.ndarray) -> np.ndarray:
        an = self._an
        out = np.zeros(rows.size)
        rd, cd = an.mask[rows], an.mask[cols]
        lr, lc = an.loc[rows].astype(np.int64), an.loc[cols].astype(np.int64)
        ee = ~rd & ~cd
        if ee.any():
            out[ee] = sinv[self._pos(lr[ee], lc[ee])]
        de = rd != cd
        if de.any():
            dl = np.where(rd[de], lr[de], lc[de])
            el = np.where(rd[de], lc[de], lr[de])
            q = self._b_position(dl, el)
            v = self._row_products()
            val = np.where(q >= 0, v[np.maximum(q, 0)], 0.0)
            miss = q < 0  # outside B's pattern
            if miss.any():
                val[miss] = self._row_times_col(dl[miss], el[miss], sinv)
            out[de] = -val / self._d[dl]
        dd = rd & cd
        if dd.any():
            a, b = lr[dd], lc[dd]
            same = a == b
            v = np.empty(a.size)
            if same.any():  # the diagonal: 1/D_d + b_d'S⁻¹b_d / D_d²
                if self._bsb is None:
                    self._bsb = np.bincount(self._b_rows(), minlength=self._d.size,
                                            weights=self._bdata * self._row_products())
                d = self._d[a[same]]
                v[same] = (1.0 + self._bsb[a[same]] / d) / d
            if not same.all():
                o = ~same
                v[o] = self._quad(a[o], b[o], sinv) / (self._d[a[o]] * self._d[b[o]])
            out[dd] = v
        return out

    def _b_rows(self) -> np.ndarray:
        an = self._an
        return np.repeat(np.arange(an.d_idx.size), np.diff(an.b_indptr))

    def _b_position(self, dl: np.ndarray, el: np.ndarray) -> np.ndarray:
        """Position of B[dl, el] in B's CSR entries, -1 where B has no such entry."""
        an = self._an
        ix = an.b_indices
        if ix.size == 0:
            return np.full(dl.size, -1, dtype=np.int64)
        if self._bkeys is None:
            self._bkeys = self._b_rows().astype(np.int64) * an.r + ix
        keys = self._bkeys
        want = dl * an.r + el
        pos = np.minimum(np.searchsorted(keys, want), keys.size - 1)
        return np.where(keys[pos] == want, pos, -1)

    def _row_products(self) -> np.ndarray:
        """v_q = Σ_q' S⁻¹[k_q, k_q'] B_q' over B's row of each entry q = (d, k_q): the row
        (B S⁻¹)_d on B's own pattern, cached. D rows are grouped by their number of entries
        g, so each group is one m x g x g gather of S⁻¹ and an einsum."""
        if self._v is not None:
            return self._v
        sinv = self._sinv()
        an = self._an
        ip, ix, bv = an.b_indptr, an.b_indices, self._bdata
        deg = np.diff(ip)
        v = np.empty(ix.size)
        for g in np.unique(deg):
            if g == 0:
                continue
            rows = np.flatnonzero(deg == g)
            step = max(1, GATHER_CHUNK // int(g * g))
            ar = np.arange(g)
            for k0 in range(0, rows.size, step):
                q = ip[rows[k0:k0 + step]][:, None] + ar  # m x g positions in B
                kk = ix[q].astype(np.intp)
                sub = sinv[self._pos(kk[:, :, None], kk[:, None, :])]
                v[q] = np.einsum("mab,mb->ma", sub, bv[q])
        self._v = v
        return v

    def _row_times_col(self, dl: np.ndarray, el: np.ndarray, sinv: np.ndarray) -> np.ndarray:
        """Σ_k B[dl, k] S⁻¹[k, el] for each pair."""
        an = self._an
        ip, ix, bv = an.b_indptr, an.b_indices, self._bdata
        cnt = ip[dl + 1] - ip[dl]
        out = np.zeros(dl.size)
        for lo, hi in _chunks(cnt):
            c = cnt[lo:hi]
            pid = np.repeat(np.arange(hi - lo), c)
            t = np.arange(pid.size) - np.repeat(np.cumsum(c) - c, c)
            p = ip[dl[lo:hi]][pid] + t
            vals = bv[p] * sinv[self._pos(ix[p].astype(np.int64), el[lo:hi][pid])]
            out[lo:hi] = np.bincount(pid, weights=vals, minlength=hi - lo)
        return out

    def _quad(self, a: np.ndarray, b: np.ndarray, sinv: np.ndarray) -> np.ndarray:
        """Σ_kl B[a, k] S⁻¹[k, l] B[b, l] for each pair (a, b) of D rows."""
        an = self._an
        ip, ix, bv = an.b_indptr, an.b_indices, self._bdata
        la, lb = ip[a + 1] - ip[a], ip[b + 1] - ip[b]
        cnt = la * lb
        out = np.zeros(a.size)
        for lo, hi in _chunks(cnt):
            c = cnt[lo:hi]
            pid = np.repeat(np.arange(hi - lo), c)
            t = np.arange(pid.size) - np.repeat(np.cumsum(c) - c, c)
            w = lb[lo:hi][pid]
            pa = ip[a[lo:hi]][pid] + t // np.maximum(w, 1)
            pb = ip[b[lo:hi]][pid] + t % np.maximum(w, 1)
            vals = bv[pa] * bv[pb] * sinv[self._pos(ix[pa].astype(np.int64),
                                                    ix[pb].astype(np.int64))]
            out[lo:hi] = np.bincount(pid, weights=vals, minlength=hi - lo)
        return out

    def inverse_on(self, pattern: Matrix) -> sp.csc_matrix:
        return on_pattern(pattern, self.inverse_entries, drop_zeros=True)

    def inverse_block(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        k = rows.size
        if k * k <= 4_000_000:
            out = self.inverse_entries(np.repeat(rows, k), np.tile(rows, k)).reshape(k, k)
        elif not self._an.packed:
            out = self._inverse_block_formula(rows)
        else:
            e = np.zeros((self.n, k))
            e[rows, np.arange(k)] = 1.0
            out = self.solve(e)[rows]
        return 0.5 * (out + out.T)

    def _inverse_block_formula(self, rows: np.ndarray) -> np.ndarray:
        """C⁻¹[rows, rows] by the block formulas (module docstring) with M = D⁻¹B on the
        rows in D: M S⁻¹ M' + D⁻¹, −M S⁻¹, S⁻¹ (thousands of fixed effects in D: O(k² r)
        instead of k solves with C)."""
        an = self._an
        r = an.r
        pos_d = np.full(self.n, -1, dtype=np.int64)
        pos_d[an.d_idx] = np.arange(an.d_idx.size)
        pos_e = np.full(self.n, -1, dtype=np.int64)
        pos_e[an.e_idx] = np.arange(r)
        in_d = np.flatnonzero(pos_d[rows] >= 0)
        in_e = np.flatnonzero(pos_e[rows] >= 0)
        di, ei = pos_d[rows[in_d]], pos_e[rows[in_e]]
        out = np.zeros((rows.size, rows.size))
        sinv = self._sinv().reshape(r, r, order="F") if r else np.zeros((0, 0))
        m = sp.csr_matrix(sp.diags(1.0 / self._d[di]) @ self._b()[di])
        ms = np.asarray(m @ sinv) if r else np.zeros((di.size, 0))  # M S⁻¹ (|d| x r)
        dd = np.asarray((m @ ms.T).T)
        dd[np.arange(di.size), np.arange(di.size)] += 1.0 / self._d[di]
        out[np.ix_(in_d, in_d)] = dd
        de = -ms[:, ei]
        out[np.ix_(in_d, in_e)] = de
        out[np.ix_(in_e, in_d)] = de.T
        out[np.ix_(in_e, in_e)] = sinv[np.ix_(ei, ei)]
        return out

    def refactor_lower(self, indptr: np.ndarray, indices: np.ndarray,
                       data: np.ndarray) -> BlockedFactor:
        """Factor the matrix whose lower triangle is the sorted CSC (indptr, indices, data),
        reusing the partition and the buffer when the pattern is the same."""
        return BlockedFactor(None, analysis=self._an, lower=(indptr, indices, data),
                             packed=self._an.packed)

    def refactor(self, c_new: Matrix) -> BlockedFactor:
        return BlockedFactor(c_new, analysis=self._an, packed=self._an.packed)


def _chunks(cnt: np.ndarray):
    """(lo, hi) ranges of items whose expansion sizes ``cnt`` sum to about GATHER_CHUNK."""
    csum = np.cumsum(cnt)
    lo, n = 0, cnt.size
    while lo < n:
        base = csum[lo - 1] if lo else 0
        hi = int(np.searchsorted(csum, base + GATHER_CHUNK, side="right"))
        hi = max(hi, lo + 1)
        yield lo, min(hi, n)
        lo = hi


#: 'auto' (:func:`asr_py.reml.solver.choose_backend`) picks the blocked backend only when its
#: Schur complement has at most this many equations (8 r² bytes: 2 GB) ...
BLOCKED_MAX_SCHUR = 16_000
#: ... and B'D⁻¹B fills it: Σ_d deg(d)² >= this x r² (crossed factors: 1.7-5 on the goal
#: problems; an animal model's or a spline's independent set: < 0.01)
BLOCKED_MIN_FILL = 0.5


def prefer_blocked(c: Matrix) -> bool:
    """True when the blocked factor suits C: a diagonal block whose Schur complement is
    small enough to hold densely (:data:`BLOCKED_MAX_SCHUR`, and the memory available) and
    about dense anyway (:data:`BLOCKED_MIN_FILL`), as for crossed random factors."""
    from asr_py.reml.memory import available_bytes

    indptr, indices, _ = lower_csc(c)
    n = indptr.size - 1
    mask = independent_set(indptr, indices, n, max_out=BLOCKED_MAX_SCHUR)
    if mask is None:
        return False
    r = n - int(np.count_nonzero(mask))
    if r > BLOCKED_MAX_SCHUR:
        return False
    col = np.repeat(np.arange(n, dtype=indices.dtype), np.diff(indptr))
    off = indices != col
    deg = np.bincount(indices[off], minlength=n) + np.bincount(col[off], minlength=n)
    del col, off, indices
    dd = deg[mask].astype(float)
    if r == 0 or float(dd @ dd) < BLOCKED_MIN_FILL * float(r) ** 2:
        return False
    have = available_bytes()
    return have is None or 8.0 * r * r * 1.1 < have
