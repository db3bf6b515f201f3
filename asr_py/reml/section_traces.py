"""The residual score's C⁻¹ traces of a section given as a congruence (s28perf).

A section s of the residual whose R_s⁻¹Ṙ_kR_s⁻¹ comes as M_k = T'D_kT (a subset of a
template with a sparse inverse: :class:`asr_py.vcov.base.Congruence`) needs, per parameter k,

    t2_k = tr(C⁻¹ W_s'M_kW_s) = Σ_ab (U'D_kU)_ab Z_ab = Σ_(i,j)∈D D_k,ij H_ij,
    U = TW_s,   H_ij = Σ_a U_ia Y_ja,   Y_ja = Σ_b Z_ab U_jb   (Z = C⁻¹),

with H needed on D's pattern only, and Z only where U'DU can be nonzero — inside C's pattern
(C's W'R⁻¹W part is |W|'|P||W| with P the subset's structural inverse pattern T̃'|Q|T̃), so
the selected inverse covers it. U's structure (T's structural pattern times W_s's) and D's
do not change with θ, so a :class:`SectionPlan` lists once the index pairs of Y's terms
(U_jb, Z_ab; Y on the (j, a) that D's entries reach: neighbours j share most columns a) and
of H's (U_ia, Y_ja); each θ costs gathers and two ``bincount`` instead of the sparse
products U'(D_kU) (K of them) and the look-up of their entries in C's pattern.

D and H are symmetric, so H is formed on D's entries on and above the diagonal only (those
above counted twice). The sums are the terms of Σ (U'D_kU)_ab Z_ab in another order (and
D_ij for D_ji, equal but for round-off): the same numbers to round-off
(tests/reml/test_section_traces.py checks them against that path and against dense
algebra).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from asr_py.reml.cpattern import _CPattern

#: plans are not built when they would list more terms than this (memory: at most 12 bytes
#: a term, 48 MB at the limit); such sections keep the product path
MAX_TERMS = 4_000_000


def _structure_of(m: sp.spmatrix) -> tuple[tuple[int, int], np.ndarray, np.ndarray]:
    return m.shape, m.indptr, m.indices


def _same(kept: tuple[tuple[int, int], np.ndarray, np.ndarray], m: sp.spmatrix) -> bool:
    return (kept[0] == m.shape and np.array_equal(kept[1], m.indptr)
            and np.array_equal(kept[2], m.indices))


def _ranges(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position) of Σ counts items: item t of owner o is at starts[o] + t."""
    owner = np.repeat(np.arange(counts.size), counts)
    first = np.cumsum(counts) - counts
    return owner, starts[owner] + (np.arange(owner.size) - first[owner])


class SectionPlan:
    """Index lists of H = U Z U' on D's pattern for one section's structures: T (CSC,
    all rows x kept rows), W_s (kept rows x N), D (CSR, all rows x all rows) and C's
    pattern. :meth:`build` returns None when C's pattern lacks an entry the traces need
    or the plan would be too large (the caller keeps its product path)."""

    t_struct: tuple
    d_struct: tuple
    ws: sp.csc_matrix

    @classmethod
    def build(cls, t: sp.csc_matrix, ws: sp.csc_matrix, d: sp.csr_matrix,
              pat: _CPattern) -> SectionPlan | None:
        self = cls()
        self.t_struct = tuple(np.copy(a) if isinstance(a, np.ndarray) else a
                              for a in _structure_of(t))
        self.d_struct = tuple(np.copy(a) if isinstance(a, np.ndarray) else a
                              for a in _structure_of(d))
        self.ws = ws
        self.pat = pat
        n_col = ws.shape[1]
        # U = TW_s on its structural pattern: term (T entry e, W_s row entry f)
        tc = sp.csc_matrix(t)
        t_row = tc.indices.astype(np.int64)
        t_col = np.repeat(np.arange(tc.shape[1]), np.diff(tc.indptr))
        wr = sp.csr_matrix(ws)
        wlen = np.diff(wr.indptr)
        e_of, f_of = _ranges(wr.indptr[t_col].astype(np.int64), wlen[t_col])
        key = t_row[e_of] * n_col + wr.indices[f_of]
        ukey, u_of = np.unique(key, return_inverse=True)
        self.e_of, self.f_of, self.u_of = e_of, f_of, u_of.ravel()
        self.w_data = wr.data
        self.nu = ukey.size
        u_row, u_col = ukey // n_col, ukey % n_col
        u_ptr = np.searchsorted(u_row, np.arange(t.shape[0] + 1))
        u_len = np.diff(u_ptr)
        # H_ij on D's entries p = (i, j): every (a in U_i, b in U_j)
        di = np.repeat(np.arange(d.shape[0]), np.diff(d.indptr))
        dj = d.indices.astype(np.int64)
        # D is symmetric and so is H: the entries on and above the diagonal, those above
        # counted twice (half the terms)
        upper = np.flatnonzero(di <= dj)
        self.sel = upper
        di, dj = di[upper], dj[upper]
        self.twice = np.where(di == dj, 1.0, 2.0)
        # two stages: Y_ja = Σ_b Z_ab U_jb on the (j, a) the entries need (a in U_i for some
        # entry (i, j): neighbours share most of their columns), then H_ij = Σ_a U_ia Y_ja
        p_of, ia = _ranges(u_ptr[di], u_len[di])  # each entry's (a in U_i) terms
        ykey = dj[p_of] * n_col + u_col[ia]
        ys, y_of = np.unique(ykey, return_inverse=True)
        y_j, y_a = ys // n_col, ys % n_col
        s_of, ib = _ranges(u_ptr[y_j], u_len[y_j])  # Y's (b in U_j) terms
        if ia.size + ib.size > MAX_TERMS or pat.nnz >= 2**31:
            return None
        pos = pat.positions(y_a[s_of], u_col[ib])
        if np.any(pos < 0):
            return None
        # every index below MAX_TERMS (and C's nnz below 2³¹): int32
        self.s_of, self.ib = s_of.astype(np.int32), ib.astype(np.int32)
        self.z_at = pat.to_low[pos].astype(np.int32)
        self.ny = ys.size
        self.p_of, self.ia = p_of.astype(np.int32), ia.astype(np.int32)
        self.y_of = y_of.ravel().astype(np.int32)
        self.n_d = di.size
        return self

    def serves(self, t: sp.spmatrix, ws: sp.csc_matrix, d: sp.spmatrix, pat: _CPattern) -> bool:
        """True if built for these structures (T's, W_s's object, D's, C's pattern)."""
        return (ws is self.ws and pat is self.pat and _same(self.t_struct, t)
                and _same(self.d_struct, d))

    def h(self, t: sp.csc_matrix, z_low: np.ndarray) -> np.ndarray:
        """H = U Z U' at D's entries on and above the diagonal (D's stored order), those
        above doubled, from T's values ``t.data`` and C⁻¹'s lower triangle ``z_low``:
        tr(C⁻¹W_s'T'D_kTW_s) = ``trace(d, h)`` for symmetric D_k."""
        u = np.bincount(self.u_of, weights=t.data[self.e_of] * self.w_data[self.f_of],
                        minlength=self.nu)
        y = np.bincount(self.s_of, weights=u[self.ib] * z_low[self.z_at], minlength=self.ny)
        h = np.bincount(self.p_of, weights=u[self.ia] * y[self.y_of], minlength=self.n_d)
        return h * self.twice

    def trace(self, d: sp.csr_matrix, h: np.ndarray) -> float:
        """Σ_(i,j) D_ij H_ij from :meth:`h` (D symmetric, on the plan's structure)."""
        return float(d.data[self.sel] @ h)
