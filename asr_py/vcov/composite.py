"""Templates built from other templates: :class:`Subset` (observed records) and
:class:`DirectSum` (``dsum(~ units | site)`` sections).

Subset: R_s(θ) = S Σ(θ) S' where S picks the rows ``index`` of Σ (e.g. the residual
I_m ⊗ Σ_trait with the records of missing traits removed). Its inverse and log-determinant
are computed in one of four ways:

* permutation (every row kept):  R_s⁻¹ = S Σ⁻¹ S',  log|R_s| = log|Σ|;
* block diagonal Σ (``template.block_size`` = b): each unit's observed b_u x b_u sub-block is
  inverted on its own, units with the same missing pattern together (batched), giving a
  sparse block-diagonal R_s⁻¹;
* complement, when Σ⁻¹ = Q is sparse (``ar1(Row):ar1(Col)`` with missing plots) and the
  dropped rows m are few: with o the kept rows, the inverse of a principal submatrix is a
  Schur complement of Q, and stays sparse (each dropped row touches only its neighbours)::

      R_s⁻¹ = Q_oo − Q_om Q_mm⁻¹ Q_mo = Q_oo − Q_om K,    K = Q_mm⁻¹ Q_mo
      log|R_s| = log|Σ| + log|Q_mm|
      R_s⁻¹ Ṙ_s R_s⁻¹ = D_oo − D_om K − K'D_mo + K'D_mm K = T'DT,   D = Q Σ̇ Q

  (the last from differentiating the first, Q̇ = −D; T is I on the kept rows, −K on the
  dropped ones);
* scaled identity Σ = σ²I (``dsum(~ units | site)``: each section is σ_k²I on its own
  records): R_s = σ²I_m, R_s⁻¹ = I/σ², Ṙ_s = I, R_s⁻¹Ṙ_sR_s⁻¹ = I/σ⁴, formed on the m kept
  rows only (the same values and log-determinant as the block path, without the n x n Σ);
* otherwise: a dense Cholesky of R_s.

``inv_deriv_inv`` is R_s⁻¹ (S Σ̇ S') R_s⁻¹, consistent with that inverse.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from asr_py.errors import ModelError
from asr_py.vcov.base import Congruence, CovTemplate, FoldFace, Matrix, materialise, take
from asr_py.vcov.complement_plan import (
    SchurPattern,
    Structures,
    TPattern,
    dense_columns,
    pair_rounds,
    recent_structures,
    remember,
    schur_pairs,
    schur_update,
    stored_rounds,
)
from asr_py.vcov.wrapper import Wrapper

#: block diagonal path used when block_size <= this (patterns are stored as bit masks)
MAX_BLOCK = 62
#: complement path: at most this many dropped rows, and Σ⁻¹ at most this dense
MAX_DROPPED = 20000
MAX_INV_DENSITY = 0.05
#: columns of K = Q_mm⁻¹ Q_mo solved per dense block (memory: dropped rows x this)
_K_CHUNK = 512
#: S Σ̇_k S' are kept for the last θ for subsets of at most this many rows
DERIV_CACHE_MAX = 1000


def _check_index(index: Sequence[int], n: int, what: str) -> np.ndarray:
    idx = np.asarray(index)
    if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
        raise ModelError(f"{what}: the index must be a 1-d array of integer row numbers")
    idx = idx.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ModelError(f"{what}: row numbers must lie in 0..{n - 1}, got "
                         f"{int(idx.min())}..{int(idx.max())}")
    if np.unique(idx).size != idx.size:
        raise ModelError(f"{what}: the index repeats a row")
    return idx


class Subset(Wrapper):
    """``template`` restricted to the rows/columns ``index`` (in that order).

    A Kronecker product whose parts have levels no row of ``index`` reaches (an
    ``ar1(row):ar1(col)`` trial whose factors keep a whole field's levels) is first
    restricted to the levels reached (:func:`_restrict_levels`): the wrapped template is
    then ⊗_i Σ_i[u_i][:, u_i] over the grid Π |u_i|, each restricted part a ``levels``
    Subset of its own (the same Σ[index][:, index], without a grid of mostly dropped cells,
    so a nearly complete trial keeps the sparse complement or permutation path). ``levels``:
    this Subset is such a part (few rows: the complement path whenever Σ⁻¹ has a zero)."""

    def __init__(self, template: CovTemplate, index: Sequence[int],
                 levels: bool = False) -> None:
        idx = _check_index(index, template.n, "Subset")
        restricted = None if levels else _restrict_levels(template, idx)
        if restricted is not None:
            template, idx = restricted
        super().__init__(template)
        self.index = idx
        self.levels = bool(levels)
        self.n = int(self.index.size)
        b = template.block_size
        if self.n == template.n:
            self.mode = "permutation"
        elif _scaled_identity(template):
            self.mode = "scaled_identity"
        elif b is not None and b <= MAX_BLOCK and b < template.n:
            self.mode = "block"
        else:  # "complement" or "dense": decided at the first θ (is Σ⁻¹ sparse?)
            self.mode = "undecided"
        self._cache: tuple[bytes, Matrix, float] | None = None
        #: complement path: (θ key, T = [I; −K] with K = Q_mm⁻¹ Q_mo) at the last θ
        self._k: tuple[bytes, sp.csc_matrix] | None = None
        if self.mode == "block":
            self._prepare_blocks(int(b))  # type: ignore[arg-type]

    def rewrap(self, template: CovTemplate) -> CovTemplate:
        """The same rows of another ``template`` (a face of the wrapped one)."""
        return Subset(template, self.index, self.levels)

    # ----- values --------------------------------------------------------------------------
    def matrix(self, theta: np.ndarray) -> Matrix:
        if self.mode == "scaled_identity":
            return self._diag(np.full(self.n, float(self._scale(theta))))
        return self.template.matrix_at(theta, self.index)

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        """S Σ̇_k S'; kept for the last θ when the subset has at most
        :data:`DERIV_CACHE_MAX` rows (the score asks twice per point: R_s⁻¹Ṙ_kR_s⁻¹ and
        tr(R_s⁻¹Ṙ_k) on the dense path, e.g. ``ar2(Col):ar2(Row)`` with missing plots)."""
        if self.mode == "scaled_identity":
            return [self._diag(np.ones(self.n))]
        key = np.asarray(theta, dtype=float).tobytes()
        hit = getattr(self, "_ders", None)
        if hit is not None and hit[0] == key:  # copies: a caller may work in place
            return [d.copy() for d in hit[1]]
        out = self.template.derivatives_at(theta, self.index)
        if self.n <= DERIV_CACHE_MAX:
            self._ders = (key, [d.copy() for d in out])
        return out

    def _scale(self, theta: np.ndarray) -> float:
        """σ² of a scaled identity Σ = σ²I (checked as the template checks it)."""
        return float(self.template.split(np.asarray(theta, dtype=float))[0])

    def _diag(self, v: np.ndarray) -> sp.csc_matrix:
        """diag(v) (m x m, CSC) from its index arrays."""
        ar = np.arange(self.n + 1, dtype=np.int32)
        return sp.csc_matrix((v, ar[:-1], ar), shape=(self.n, self.n))

    def _scaled_identity_factor(self, theta: np.ndarray) -> tuple[Matrix, float]:
        """R_s⁻¹ = I/σ², log|R_s| = Σ 2 log √σ² (the block path's 1 x 1 Cholesky factors,
        summed in the same way: the same digits)."""
        s = self._scale(theta)
        if not s > 0:
            raise np.linalg.LinAlgError("Subset: the scale variance is not positive")
        ld = float(2.0 * np.log(np.full(self.n, np.sqrt(s))).sum())
        return self._diag(np.full(self.n, 1.0 / s)), ld

    def _prepare_blocks(self, b: int) -> None:
        """Group the observed records by unit (row // b) and missing pattern."""
        idx = self.index
        unit, off = idx // b, idx % b
        units, upos = np.unique(unit, return_inverse=True)
        rec_pos = np.full((units.size, b), -1, dtype=np.int64)
        rec_pos[upos, off] = np.arange(idx.size)
        mask = np.zeros(units.size, dtype=np.int64)
        np.bitwise_or.at(mask, upos, np.left_shift(np.int64(1), off))
        groups = []
        for m in np.unique(mask):
            g = np.flatnonzero(mask == m)
            offs = np.array([k for k in range(b) if (int(m) >> k) & 1], dtype=np.int64)
            groups.append((g, offs, rec_pos[np.ix_(g, offs)]))
        self._b = b
        self._units = units
        self._groups = groups

    def _factor(self, theta: np.ndarray) -> tuple[Matrix, float]:
        """(R_s⁻¹, log|R_s|), cached for the last θ."""
        theta = np.asarray(theta, dtype=float)
        key = theta.tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        if self.mode == "undecided":
            self.mode = self._choose_mode(theta)
        if self.mode == "permutation":
            inv = take(self.template.inverse(theta), self.index)
            ld = self.template.logdet(theta)
        elif self.mode == "complement":
            inv, ld = self._complement_factor(theta, key)
        elif self.mode == "scaled_identity":
            inv, ld = self._scaled_identity_factor(theta)
        elif self.mode == "block":
            inv, ld = self._block_factor(theta)
        else:
            m = self.matrix(theta)
            m = m.toarray() if sp.issparse(m) else np.asarray(m)
            c = sla.cho_factor(m, lower=True)
            inv = sla.cho_solve(c, np.eye(self.n))
            inv = (inv + inv.T) / 2
            ld = float(2.0 * np.log(np.diag(c[0])).sum())
        self._cache = (key, inv, ld)
        return inv, ld

    def _choose_mode(self, theta: np.ndarray) -> str:
        """'complement' when Σ⁻¹ is sparse (few nonzeros, even if stored dense) and at most
        :data:`MAX_DROPPED` rows (and no more than are kept) are dropped, else 'dense'."""
        n_all = self.template.n
        dropped = n_all - self.n
        if dropped > MAX_DROPPED or (dropped > self.n and not self.levels):
            return "dense"
        q = self.template.inverse(theta)
        nnz = q.nnz if sp.issparse(q) else int(np.count_nonzero(q))
        if nnz > (1.0 - 1e-12 if self.levels else MAX_INV_DENSITY) * float(n_all) ** 2:
            return "dense"
        keep = np.zeros(n_all, dtype=bool)
        keep[self.index] = True
        self._dropped = np.flatnonzero(~keep)
        return "complement"

    def _complement_factor(self, theta: np.ndarray, key: bytes) -> tuple[Matrix, float]:
        """R_s⁻¹ = Q_oo − Q_om K and log|R_s| = log|Σ| + log|Q_mm| (module docstring)."""
        q = self.template.inverse(theta)
        if not (type(q) in (sp.csc_matrix, sp.csr_matrix) and q.has_canonical_format):
            q = sp.csr_matrix(q)
        q_mm, q_mo, q_oo = self._blocks(q)
        lu = spla.splu(sp.csc_matrix(q_mm))
        u = lu.U.diagonal()
        # Q_mm is a principal submatrix of the positive definite Q: det > 0
        ld_mm = float(np.log(np.abs(u)).sum())
        ld = float(self.template.logdet(theta)) + ld_mm
        cols = np.flatnonzero(np.diff(q_mo.indptr))
        st = getattr(self, "_structures", None)
        if (q.has_canonical_format and 0 < cols.size <= _K_CHUNK and st is not None
                and st.plan is getattr(self, "_plan", None)):
            return self._complement_planned(lu, q_mm, q_mo, q_oo, cols, key), ld
        k = self._solve_k(lu, q_mo)
        self._k = (key, self._t_matrix(k))
        inv = q_oo - sp.csc_matrix(q_mo.T @ k)
        inv = sp.csc_matrix((inv + inv.T) * 0.5)
        return inv, ld

    def _complement_planned(self, lu: spla.SuperLU, q_mm: sp.csc_matrix,
                            q_mo: sp.csc_matrix, q_oo: sp.csc_matrix, cols: np.ndarray,
                            key: bytes) -> sp.csc_matrix:
        """R_s⁻¹ and T on structures built once (:mod:`asr_py.vcov.complement_plan`): K_c =
        Q_mm⁻¹Q_mo[:, c] dense (the digits of :meth:`_solve_k`), R_s⁻¹ = ½(A + A'), A =
        Q_oo − X with X = Q_mo[:, c]'K_c on c x c (the digits of the sparse path). Both
        structures are kept while Q's structure (the :meth:`_blocks` plan) and the touched
        columns are the same."""
        b = dense_columns(q_mo, cols)
        kd = lu.solve(b)
        st = self._structures  # of Q's structure (set with the _blocks plan)
        if st.tpat is None:  # T's structure: once per Q structure and kept rows
            st.tpat = TPattern(self.index, self._dropped, cols, q_mm, q_mo, self.template.n)
        self._k = (key, st.tpat.matrix(kd))
        if st.spat is None or not st.spat.serves(q_oo, cols):
            same = np.array_equal(st.tpat.cols, cols)
            st.spat = SchurPattern(q_oo, cols, st.tpat.x_pairs if same else None)
        if st.rounds is None or not np.array_equal(st.rounds[0], cols):
            st.rounds = (cols.copy(), stored_rounds(q_mo, cols))
        if st.spat.x_pairs is None or not np.all(np.isfinite(kd)):  # 0 x inf is no zero
            x = schur_update(b, kd, st.rounds[1])
            spat = st.spat if st.spat.x_pairs is None else SchurPattern(q_oo, cols)
            return spat.inverse(q_oo.data, x)
        if st.pair_rounds is None or st.pair_rounds[0] is not st.spat:
            st.pair_rounds = (st.spat, pair_rounds(st.rounds[1], st.spat.x_pairs, cols.size))
        x = schur_pairs(b, kd, st.pair_rounds[1], st.spat.x_pairs[0].size)
        return st.spat.inverse(q_oo.data, x)

    def _blocks(self, q: sp.csr_matrix | sp.csc_matrix
                ) -> tuple[sp.csc_matrix, sp.csc_matrix, sp.csc_matrix]:
        """Q_mm, Q_mo and Q_oo (CSC) as ``take`` and the slicing give them. Indexing keeps
        every stored entry, so their structures and the position in Q of each entry depend
        on Q's structure only: found once (slicing a copy of Q whose values are the entries'
        positions) and reused while Q's structure is the same (every θ of ar1 x ar1)."""
        if not q.has_canonical_format:  # repeated entries: slice it as it is
            o, m = self.index, self._dropped
            return take(q, m), sp.csc_matrix(q[m, :])[:, o], take(q, o)
        plan = getattr(self, "_plan", None)
        if plan is None or not (plan[3] is type(q) and np.array_equal(plan[0], q.indptr)
                                and np.array_equal(plan[1], q.indices)):
            st = recent_structures(q, self.index)  # an earlier fit's, same layout
            if st is None:
                o, m = self.index, self._dropped
                pos = type(q)((np.arange(1, q.nnz + 1, dtype=float), q.indices, q.indptr),
                              shape=q.shape)  # Q's own format (CSR or CSC): no conversion
                subs = (take(pos, m), sp.csc_matrix(sp.csr_matrix(pos)[m, :])[:, o],
                        take(pos, o))
                plan = (q.indptr.copy(), q.indices.copy(),
                        [(b.data.astype(np.int64) - 1, b.indices, b.indptr, b.shape)
                         for b in subs], type(q))
                st = Structures(q, self.index, plan)
                remember(st)
            self._plan, self._structures = st.plan, st
            plan = st.plan
        return tuple(sp.csc_matrix((q.data[at], ind.copy(), ptr.copy()), shape=shape)
                     for at, ind, ptr, shape in plan[2])  # type: ignore[return-value]

    def _solve_k(self, lu: spla.SuperLU, q_mo: sp.csc_matrix) -> sp.csr_matrix:
        """K = Q_mm⁻¹ Q_mo, solved only for the columns Q_mo touches (the neighbours of the
        dropped rows), in dense blocks of :data:`_K_CHUNK` columns; exact zeros (rows
        not connected to a column through Q_mm) are dropped."""
        q_mo = sp.csc_matrix(q_mo)
        cols = np.flatnonzero(np.diff(q_mo.indptr))
        m, n_o = q_mo.shape
        if 0 < cols.size <= _K_CHUNK:  # one block: its nonzeros row by row, as CSR
            kd = lu.solve(q_mo[:, cols].toarray())
            r, c = np.nonzero(kd)
            return sp.csr_matrix((kd[r, c], cols[c], np.searchsorted(r, np.arange(m + 1))),
                                 shape=(m, n_o))
        parts = []
        for start in range(0, cols.size, _K_CHUNK):
            c = cols[start:start + _K_CHUNK]
            parts.append(sp.csc_matrix(lu.solve(q_mo[:, c].toarray())))
        if not parts:
            return sp.csr_matrix((m, n_o))
        kb = sp.coo_matrix(sp.hstack(parts))
        return sp.csr_matrix((kb.data, (kb.row, cols[kb.col])), shape=(m, n_o))

    def _block_factor(self, theta: np.ndarray) -> tuple[Matrix, float]:
        b = self._b
        full = sp.coo_matrix(self.template.matrix(theta))
        upos_of = np.full(self.template.n // b, -1, dtype=np.int64)
        upos_of[self._units] = np.arange(self._units.size)
        ru, cu = full.row // b, full.col // b
        keep = (ru == cu) & (upos_of[ru] >= 0)
        blocks = np.zeros((self._units.size, b, b))
        blocks[upos_of[ru[keep]], full.row[keep] % b, full.col[keep] % b] = full.data[keep]
        rows, cols, vals = [], [], []
        ld = 0.0
        for g, offs, pos in self._groups:
            sub = blocks[np.ix_(g, offs, offs)]
            chol = np.linalg.cholesky(sub)  # LinAlgError if a block is not PD
            ld += float(2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
            inv = np.linalg.inv(sub)
            inv = (inv + np.swapaxes(inv, 1, 2)) / 2
            k = offs.size
            rows.append(np.broadcast_to(pos[:, :, None], (g.size, k, k)).ravel())
            cols.append(np.broadcast_to(pos[:, None, :], (g.size, k, k)).ravel())
            vals.append(inv.ravel())
        inv_m = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                              shape=(self.n, self.n))
        return inv_m, ld

    def inverse(self, theta: np.ndarray) -> Matrix:
        return self._factor(theta)[0]

    def logdet(self, theta: np.ndarray) -> float:
        return self._factor(theta)[1]

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        if self.mode == "permutation":
            return [take(d, self.index) for d in self.template.inv_deriv_inv(theta)]
        inv = self._factor(theta)[0]
        if self.mode == "complement":
            return self._complement_idi(theta)
        if self.mode == "scaled_identity":  # (I/σ²) I (I/σ²), as the product gives it
            return [self._diag(inv.data * inv.data)]
        return [inv @ d @ inv for d in self.derivatives(theta)]

    def inverse_pattern(self, theta: np.ndarray) -> sp.csc_matrix:
        """Permutation: the template's pattern, permuted. Complement: the entries R_s⁻¹ and
        R_s⁻¹Ṙ_kR_s⁻¹ = T'DT can reach at any θ, from the template's pattern P alone:
        T = [I; −K] with K = Q_mm⁻¹Q_mo nonzero where a dropped row's connected component
        (through P_mm) touches a kept row, so the pattern is T̃'PT̃ with T̃ that structure
        (no entry is lost to a cancellation at this θ). Otherwise the default."""
        self._factor(theta)  # decides the mode
        if self.mode == "permutation":
            return _ones(take(self.template.inverse_pattern(theta), self.index))
        if self.mode != "complement":
            return super().inverse_pattern(theta)
        pat = _ones(self.template.inverse_pattern(theta)).tocsr()
        st = getattr(self, "_structures", None)  # this layout's, kept across refits
        hit = None if st is None else st.ipat
        if (hit is not None and hit[0] == pat.shape and np.array_equal(hit[1], pat.indptr)
                and np.array_equal(hit[2], pat.indices)):
            return hit[3].copy()
        out = self._complement_pattern(pat)
        if st is not None:
            st.ipat = (pat.shape, pat.indptr.copy(), pat.indices.copy(), out.copy())
        return out

    def _complement_pattern(self, pat: sp.csr_matrix) -> sp.csc_matrix:
        """T̃'PT̃ of :meth:`inverse_pattern` from the template's pattern P (CSR of ones)."""
        from scipy.sparse.csgraph import connected_components

        o, m = self.index, self._dropped
        ncomp, comp = connected_components(take(pat, m), directed=False)
        member = sp.csr_matrix((np.ones(m.size), (np.arange(m.size), comp)),
                               shape=(m.size, ncomp))
        k_struct = member @ (member.T @ sp.csc_matrix(pat[m, :])[:, o])
        kc = sp.coo_matrix(k_struct)
        t = sp.csc_matrix((np.ones(o.size + kc.nnz),
                           (np.concatenate([o, m[kc.row]]),
                            np.concatenate([np.arange(o.size), kc.col]))),
                          shape=(self.template.n, o.size))
        return _ones(t.T @ (pat @ t))

    def deriv_times(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """S Σ̇_k S' v: v scattered to the full rows, the template's product, the rows kept
        (a scaled identity: Ṙ = I, so v itself)."""
        if self.mode == "scaled_identity":
            return np.asarray(v, dtype=float).reshape(self.n, 1).copy()
        w = np.zeros(self.template.n)
        w[self.index] = np.asarray(v, dtype=float).ravel()
        return self.template.deriv_times(theta, w)[self.index]

    def deriv_entries(self, theta: np.ndarray, rows: np.ndarray,
                      cols: np.ndarray) -> np.ndarray:
        """The template's entries at the kept rows/columns (a scaled identity: Ṙ = I)."""
        if self.mode == "scaled_identity":
            return (np.asarray(rows) == np.asarray(cols)).astype(float).reshape(1, -1)
        return self.template.deriv_entries(theta, self.index[np.asarray(rows, dtype=np.int64)],
                                           self.index[np.asarray(cols, dtype=np.int64)])

    def inv_deriv_trace(self, theta: np.ndarray) -> np.ndarray:
        """tr(R_s⁻¹ S Σ̇_k S'): the template's own trace for a permutation; on a sparse R_s⁻¹
        (complement path) the sum over its nonzeros of R_s⁻¹ times Σ̇_k's entries there."""
        inv = self._factor(theta)[0]
        if self.mode == "permutation":
            return self.template.inv_deriv_trace(theta)
        if self.mode == "scaled_identity":  # Ṙ = I: the entries' sum, as the product below
            return np.ones((1, self.n)) @ inv.data
        if sp.issparse(inv):
            c = sp.coo_matrix(inv)
            return self.deriv_entries(theta, c.row, c.col) @ c.data
        return super().inv_deriv_trace(theta)

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        """Complement path: ½ Σ (R_s⁻¹Ṙ_aR_s⁻¹)_ij (Ṙ_b)_ij over the sparse R_s⁻¹Ṙ_aR_s⁻¹'s
        nonzeros, Ṙ_b's entries there from the template; otherwise the default."""
        self._factor(theta)
        if self.mode != "complement":
            return super().em_block(theta)
        idis = self.inv_deriv_inv(theta)
        k = len(idis)
        blk = np.empty((k, k))
        for a, m in enumerate(idis):
            c = sp.coo_matrix(m)
            ent = self.deriv_entries(theta, c.row, c.col)
            for b in range(a, k):
                blk[a, b] = blk[b, a] = 0.5 * float(ent[b] @ c.data)
        return blk

    def _complement_idi(self, theta: np.ndarray) -> list[Matrix]:
        """R_s⁻¹ Ṙ_s R_s⁻¹ = D_oo − D_om K − K'D_mo + K'D_mm K with D = Q Σ̇ Q."""
        return [c.matrix() for c in self._complement_parts(theta)]

    def _complement_parts(self, theta: np.ndarray) -> list[Congruence]:
        """R_s⁻¹ Ṙ_s R_s⁻¹ = T'DT (:meth:`_t_matrix`) with D = Q Σ̇ Q, kept factored."""
        key = np.asarray(theta, dtype=float).tobytes()
        if self._k is None or self._k[0] != key:
            self._complement_factor(np.asarray(theta, dtype=float), key)
        assert self._k is not None
        t = self._k[1]
        return [Congruence(t, sp.csr_matrix(d)) for d in self.template.inv_deriv_inv(theta)]

    def inv_deriv_inv_parts(self, theta: np.ndarray) -> list[Matrix | Congruence]:
        """Complement path: each R_s⁻¹Ṙ_sR_s⁻¹ as T'DT (:meth:`_complement_parts`)."""
        self._factor(theta)  # decides the mode
        if self.mode == "complement":
            return list(self._complement_parts(theta))
        return list(self.inv_deriv_inv(theta))

    def _t_matrix(self, k: sp.csr_matrix) -> sp.csc_matrix:
        """T (all rows x kept rows): the identity on the kept rows o, −K on the dropped rows
        m, so that T'MT = M_oo − M_om K − K'M_mo + K'M_mm K for any M (one product pair)."""
        o, m = self.index, self._dropped
        kc = sp.coo_matrix(k)
        rows = np.concatenate([o, m[kc.row]])
        cols = np.concatenate([np.arange(o.size), kc.col])
        vals = np.concatenate([np.ones(o.size), -kc.data])
        return sp.csc_matrix((vals, (rows, cols)), shape=(self.template.n, o.size))

    def __repr__(self) -> str:
        return f"Subset({self.template!r}, {self.n} of {self.template.n} rows, {self.mode})"


def _restrict_levels(template: CovTemplate, index: np.ndarray
                     ) -> tuple[CovTemplate, np.ndarray] | None:
    """(⊗_i Σ_i[u_i][:, u_i], ``index`` on the grid Π |u_i|) when ``template`` is a
    Kronecker product Σ_1 ⊗ ... ⊗ Σ_p and some part has levels u_i ⊊ 0..n_i−1 that
    ``index`` reaches; None otherwise. Exact: (⊗_i Σ_i)[(a_i), (b_i)] = Π_i Σ_i[a_i, b_i], so
    the rows ``index`` of the two products are the same matrix (an unused level keeps its
    place: ar1's ρ^|a−b| counts it). Block-diagonal parts (id, units: the block path needs
    their ``block_size``) are kept whole."""
    factors = template.kronecker_factors()
    if factors is None or index.size == 0:
        return None
    _, parts = factors
    codes = np.unravel_index(index, tuple(int(p.n) for p in parts))
    used = [np.unique(c) for c in codes]
    whole = [u.size == p.n or p.block_size is not None for u, p in zip(used, parts)]
    if all(whole):
        return None
    used = [np.arange(p.n) if w else u for u, p, w in zip(used, parts, whole)]
    new = [p if w else Subset(p, u, levels=True) for p, u, w in zip(parts, used, whole)]
    local = np.ravel_multi_index([np.searchsorted(u, c) for u, c in zip(used, codes)],
                                 tuple(u.size for u in used)).astype(np.int64)
    return template.with_factors(new), local


def _scaled_identity(t: CovTemplate) -> bool:
    """True if Σ = σ²I: a Kronecker product of a scale and parameter-free identities."""
    f = t.kronecker_factors()
    return (f is not None and f[0] and t.n_params == 1
            and all(p.n_params == 0 and getattr(p, "diagonal", None) == "identity"
                    for p in f[1]))


def _ones(m: Matrix) -> sp.csc_matrix:
    """The nonzero pattern of ``m`` as a CSC matrix of ones."""
    c = sp.csc_matrix(m, dtype=float, copy=True)
    c.data = np.abs(c.data)
    c.eliminate_zeros()
    c.data[:] = 1.0
    return c


def _csc(m: Matrix) -> sp.csc_matrix:
    """``m`` as CSC (itself when it is one: no new object, no format check)."""
    return m if type(m) is sp.csc_matrix else sp.csc_matrix(m)


def _increasing(idx: np.ndarray) -> bool:
    return bool(idx.size > 1 and np.all(idx[1:] > idx[:-1]))


def _scatter_triplets(m: Matrix, idx: np.ndarray, n: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, values) of :func:`_scatter`'s matrix in its stored (column) order,
    without building it when ``idx`` is increasing (a CSC's entries relabelled)."""
    if _increasing(idx):
        c = _csc(m)
        cols = np.repeat(idx, np.diff(c.indptr))
        return idx[c.indices], cols, c.data
    c = sp.coo_matrix(_scatter(m, idx, n))
    return c.row, c.col, c.data


def _scatter(m: Matrix, idx: np.ndarray, n: int) -> sp.csc_matrix:
    """The n x n matrix with m at rows/columns ``idx`` (zero elsewhere)."""
    if _increasing(idx):  # increasing: relabel a CSC in place
        c = _csc(m)
        indptr = np.zeros(n + 1, dtype=np.int64)
        indptr[idx + 1] = np.diff(c.indptr)
        return sp.csc_matrix((c.data, idx[c.indices], np.cumsum(indptr)), shape=(n, n))
    c = sp.coo_matrix(m)
    return sp.csc_matrix((c.data, (idx[c.row], idx[c.col])), shape=(n, n))


class DirectSum(CovTemplate):
    """Block-diagonal sections: Σ[idx_k, idx_k] = Σ_k(θ_k), zero between sections.

    ``dsum(~ units | site)``: one template per site, ``indices[k]`` the rows (records) of
    site k; the indices must partition 0..n-1. θ = θ_1 + θ_2 + ... (concatenated).
    Every result is sparse CSC; log|Σ| = Σ_k log|Σ_k|.
    """

    def __init__(self, templates: Sequence[CovTemplate], indices: Sequence[Sequence[int]],
                 n: int) -> None:
        if len(templates) != len(indices):
            raise ModelError(f"DirectSum: {len(templates)} templates but {len(indices)} "
                             "index sets")
        self.templates = list(templates)
        self.indices = [_check_index(ix, n, f"DirectSum section {k}")
                        for k, ix in enumerate(indices)]
        for k, (t, ix) in enumerate(zip(self.templates, self.indices)):
            if ix.size != t.n:
                raise ModelError(f"DirectSum section {k}: {ix.size} rows for a "
                                 f"{t.n} x {t.n} template")
        allix = np.concatenate(self.indices) if self.indices else np.zeros(0, dtype=np.int64)
        if allix.size != n or np.unique(allix).size != n:
            raise ModelError("DirectSum: the sections must cover every row exactly once",
                             hint="each record must belong to exactly one section")
        self.n = int(n)
        self.has_variance = all(t.has_variance for t in self.templates)
        off = 0
        self._slices = []
        for t in self.templates:
            self._slices.append(slice(off, off + t.n_params))
            off += t.n_params
        self._n_params = off

    @property
    def param_names(self) -> list[str]:
        return [nm for t in self.templates for nm in t.param_names]

    @property
    def param_kinds(self) -> list[str]:
        return [k for t in self.templates for k in t.param_kinds]

    @property
    def n_params(self) -> int:
        return self._n_params

    def leaves(self, offset: int = 0) -> list[tuple[CovTemplate, int]]:
        out, o = [], offset
        for t in self.templates:
            out += t.leaves(o)
            o += t.n_params
        return out

    def fold_faces(self) -> list[FoldFace]:
        """Each section's folds, the face a direct sum with that section on its face."""
        out = []
        for k, (t, sl) in enumerate(zip(self.templates, self._slices)):
            for f in t.fold_faces():
                normal = np.zeros(self._n_params)
                normal[sl] = f.normal
                parts = [*self.templates[:k], f.template, *self.templates[k + 1:]]
                out.append(FoldFace(sl.start + f.i, sl.start + f.j,
                                    type(self)(parts, self.indices, self.n), normal, f.why))
        return out

    def _split(self, theta: np.ndarray) -> list[np.ndarray]:
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self._n_params,):
            raise ModelError(f"DirectSum: θ has {theta.size} values, expected {self._n_params}")
        return [theta[sl] for sl in self._slices]

    def _sum(self, mats: Sequence[Matrix]) -> sp.csc_matrix:
        """The sections' matrices at their rows and columns, as the running sum of their
        scatters gave it (sections are disjoint: each entry is one section's value)."""
        parts = [_scatter_triplets(m, ix, self.n) for m, ix in zip(mats, self.indices)]
        rows = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        cols = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        vals = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
        out = sp.csc_matrix((vals.astype(float), (rows, cols)), shape=(self.n, self.n))
        out.eliminate_zeros()  # the sparse sum dropped entries that are exactly zero
        return out

    def matrix(self, theta: np.ndarray) -> Matrix:
        th = self._split(theta)
        return self._sum([t.matrix(x) for t, x in zip(self.templates, th)])

    def inverse(self, theta: np.ndarray) -> Matrix:
        th = self._split(theta)
        return self._sum([t.inverse(x) for t, x in zip(self.templates, th)])

    def logdet(self, theta: np.ndarray) -> float:
        th = self._split(theta)
        return float(sum(t.logdet(x) for t, x in zip(self.templates, th)))

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        th = self._split(theta)
        return [_scatter(d, ix, self.n) for t, x, ix in zip(self.templates, th, self.indices)
                for d in t.derivatives(x)]

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        th = self._split(theta)
        return [_scatter(d, ix, self.n) for t, x, ix in zip(self.templates, th, self.indices)
                for d in t.inv_deriv_inv(x)]

    def inv_deriv_inv_sections(self, theta: np.ndarray
                               ) -> list[tuple[np.ndarray | None, Matrix]]:
        """Each section's Σ_k⁻¹Σ̇Σ_k⁻¹ with its rows (increasing rows; otherwise scattered
        to n x n), not n x n matrices."""
        th = self._split(theta)
        return [(ix, d) if ix.size == 1 or _increasing(ix)
                else (None, _scatter(materialise(d), ix, self.n))
                for t, x, ix in zip(self.templates, th, self.indices)
                for d in t.inv_deriv_inv_parts(x)]

    def inverse_pattern(self, theta: np.ndarray) -> sp.csc_matrix:
        """Each section's pattern at its rows (Σ⁻¹ is block diagonal)."""
        return _ones(self._sum([t.inverse_pattern(x)
                                for t, x in zip(self.templates, self._split(theta))]))

    def deriv_times(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Section by section: Σ̇_k v is section k's product on its rows, zero elsewhere."""
        v = np.asarray(v, dtype=float).ravel()
        out = np.zeros((self.n, self._n_params))
        for t, x, ix, sl in zip(self.templates, self._split(theta), self.indices, self._slices):
            out[ix, sl] = t.deriv_times(x, v[ix])
        return out

    def inv_deriv_trace(self, theta: np.ndarray) -> np.ndarray:
        """Σ⁻¹ is block diagonal: each section's own traces."""
        th = self._split(theta)
        parts = [np.asarray(t.inv_deriv_trace(x), dtype=float)
                 for t, x in zip(self.templates, th)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        """Block diagonal by section (Σ⁻¹ and every Σ̇_k are)."""
        out = np.zeros((self._n_params, self._n_params))
        for t, x, sl in zip(self.templates, self._split(theta), self._slices):
            out[sl, sl] = t.em_block(x)
        return out

    def lower(self) -> np.ndarray:
        return np.concatenate([t.lower() for t in self.templates])

    def upper(self) -> np.ndarray:
        return np.concatenate([t.upper() for t in self.templates])

    def is_valid(self, theta: np.ndarray) -> bool:
        """Every section valid."""
        return all(t.is_valid(x) for t, x in zip(self.templates, self._split(theta)))

    def initial(self, scale: float) -> np.ndarray:
        """Each section's starting values, concatenated."""
        return np.concatenate([t.initial(scale) for t in self.templates])

    def __repr__(self) -> str:
        return f"DirectSum({', '.join(repr(t) for t in self.templates)})"
