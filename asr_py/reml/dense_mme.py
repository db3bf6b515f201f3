"""The mixed model equations assembled and traced as one dense N x N array (:mod:`.mme`).

When C is dense (a dense G⁻¹ ⊗ Σ⁻¹ of a genomic term, many crossed levels), the general
path's fixed sparse pattern of C (:class:`~asr_py.reml.cpattern._CPattern`: sorted keys, the
positions of every source entry, both triangles) costs more than C itself and its Cholesky:
measured at 2 408 equations (fa(env, 2):vm(id, G), 300 lines x 8 environments), a third of
an evaluation went to sorting and searching 5.8·10⁶ keys. Here, instead,

    C = W'R⁻¹W + blockdiag(0_p, G_1⁻¹, ..., G_m⁻¹)

is written into an N x N array (W'R⁻¹W scattered from its entries; each G_j⁻¹ block from the
term's values on its pattern, or as a Kronecker product σ⁻² ⊗_i Σ_i⁻¹ without any pattern,
:meth:`~asr_py.reml.ginverse.ProductInverse.add_dense`), factored in place by LAPACK, and the
REML score's traces read the dense C⁻¹ (potri) directly:

    tr(C⁻¹ W'R⁻¹ṘR⁻¹W) = Σ_ab (W'R⁻¹ṘR⁻¹W)_ab C⁻¹_ab,
    tr(G⁻¹Ġ_kG⁻¹C^{uu}) = ⟨G⁻¹Ġ_kG⁻¹, C^{uu}⟩ (or its Kronecker contraction).

The numbers are those of the pattern path (same C, same LAPACK factorization).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from asr_py.reml.ginverse import TermInverse, TermValues
from asr_py.reml.memory import check_dense
from asr_py.reml.stiff_rows import rotated_section_traces
from asr_py.vcov.base import CovTemplate, Matrix

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.reml.mme import MME, MMEState

#: the dense path is taken from this many equations (below it the pattern path's overhead is
#: small and its digits are kept)
DENSE_MME_MIN_EQUATIONS = 1000
#: ... when R⁻¹ is dense (ar2/ar3/sar2 residuals: W'R⁻¹W is then an N x N array and C is
#: dense): at every size. s21mv, one process, min of 2 fits, loaded machine, OMP 1 thread:
#: the pattern path took 1.08x (33 equations), 1.2x (62, 102), 1.7x (152, 302) the CPU of the
#: dense path on bench_dense_mme's ar2 x ar2 field trial, and 1.4-3.2x on the UIUC
#: single-trial fits (510 equations, ar2/ar3/sar2 x the same); ℓ and iterations the same
DENSE_MME_MIN_EQUATIONS_DENSE_R = 0
#: ... when C's estimated fill nnz/N² is at least this (solver.DENSE_MIN_DENSITY: a dense
#: factorization is chosen from there)
DENSE_MME_MIN_FILL = 0.15
#: dense N x N arrays a dense evaluation holds at its peak (C and its factor in place, C⁻¹,
#: a G⁻¹ block or a temporary)
DENSE_MME_COPIES = 3.0

_HINT = ("C is dense (a dense G-inverse over many levels): asr_py holds it as N x N arrays; "
         "use fewer levels, a machine with more memory, or asr.blup_pcg for BLUP at given "
         "variance components (docs/large.md). ASR_PY_MEMORY_LIMIT overrides the estimate "
         "of the memory available")


def estimated_fill(n: int, base_nnz: int, term_nnz: list[int]) -> float:
    """An upper bound of nnz(C)/N² from the sources' entries (overlaps counted twice)."""
    return (base_nnz + sum(term_nnz)) / float(max(n, 1)) ** 2


def check_memory(n: int) -> None:
    """Refuse (ModelError with the estimate) when the dense arrays cannot fit."""
    check_dense(n, copies=DENSE_MME_COPIES, what="the dense mixed model equations C",
                hint=_HINT)


#: term patterns whose flat keys a :class:`DenseAssembly` keeps
_BLOCK_KEYS_KEPT = 16


def _keys(rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    return rows.astype(np.int64) * n + cols


class DenseAssembly:
    """Scatter plan of W'R⁻¹W into the N x N array (row-major keys row·N + col, both
    triangles as the sparse product gives them), kept while the product's structure is the
    same."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._base: tuple[np.ndarray, np.ndarray, np.ndarray, bool] | None = None
        self._blocks: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def block_keys(self, rows: np.ndarray, cols: np.ndarray, off: int) -> np.ndarray:
        """Flat keys (off + row)·N + off + col of a term's G⁻¹ pattern in the N x N array,
        kept per pattern arrays (a term's pattern is the same at every θ). s25speed: a
        gather or scatter by one flat key is ~6x faster than by (row, col) pairs on a
        1 911² block (predFA.R's corh(envs):vm(geno, Ginv)); the same entries."""
        key = (id(rows), id(cols), off)
        hit = self._blocks.get(key)
        if hit is not None and hit[0] is rows and hit[1] is cols:
            return hit[2]
        if len(self._blocks) >= _BLOCK_KEYS_KEPT:
            self._blocks.clear()
        k = (rows.astype(np.int64) + off) * self.n + off + cols.astype(np.int64)
        self._blocks[key] = (rows, cols, k)
        return k

    def base_keys(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, bool]:
        """(keys row·N + col of W'R⁻¹W's entries, whether a key repeats), kept per arrays."""
        hit = self._base
        if hit is not None and hit[0] is rows and hit[1] is cols:
            return hit[2], hit[3]
        k = _keys(rows, cols, self.n)
        dups = _has_dups(k)
        self._base = (rows, cols, k, dups)
        return k, dups

    def matrix(self, mme: MME, tvals: list[TermValues], base_rows: np.ndarray | None,
               base_cols: np.ndarray | None, base_vals: Matrix) -> np.ndarray:
        """C as an N x N (C-order) array: W'R⁻¹W from its entries (duplicates summed; or
        given whole, ``base_rows`` None: an array or a sparse matrix), then each term's G⁻¹
        block."""
        n = self.n
        if base_rows is None:
            c = base_vals.toarray() if sp.issparse(base_vals) else \
                np.array(base_vals, dtype=float)
        else:
            c = np.zeros((n, n))
            flat = c.reshape(-1)
            keys, dups = self.base_keys(base_rows, base_cols)
            if dups:
                np.add.at(flat, keys, base_vals)
            else:
                flat[keys] = base_vals
        flat = c.reshape(-1) if c.flags.c_contiguous else None  # a view of c
        for term, tv, off in zip(mme.terms, tvals, mme.u_offsets):
            q = term.template.n
            if not add_block(term, tv, c[off:off + q, off:off + q], dense_only=flat is not None):
                flat[self.block_keys(tv.rows, tv.cols, off)] += tv.g  # distinct entries
        return c


def _has_dups(keys: np.ndarray) -> bool:
    """True if ``keys`` repeats a value (a COO with duplicates: summed, not assigned)."""
    if keys.size < 2:
        return False
    s = np.sort(keys)
    return bool(np.any(s[1:] == s[:-1]))


def add_block(term: TermInverse, tv: TermValues, block: np.ndarray,
              dense_only: bool = False) -> bool:
    """block += G⁻¹ (q x q view of C): by the term's own dense form when it has one, else
    (unless ``dense_only``: then False, nothing added) from its values on its pattern
    (distinct entries). True when added."""
    dense = getattr(term, "add_dense", None)
    if dense is not None and dense(tv, block):
        return True
    if dense_only:
        return False
    block[tv.rows, tv.cols] += tv.g
    return True


def term_traces(term: TermInverse, tv: TermValues, prep: object, cuu: np.ndarray,
                u: np.ndarray, z: np.ndarray | None = None) -> np.ndarray:
    """t_k of the term from its dense block C^{uu} of C⁻¹ (see TermInverse.trace_terms);
    ``z``: C^{uu} on the term's pattern when the caller gathered it."""
    dense = getattr(term, "dense_trace_terms", None)
    if dense is not None:
        out = dense(tv, prep, cuu, u)
        if out is not None:
            return out
    if z is None:
        z = cuu[tv.rows, tv.cols]
    return term.trace_terms(tv, prep, z, u, lambda r, c: cuu[r, c])


def score(mme: MME, st: MMEState, parts: tuple) -> np.ndarray:
    """The exact REML score (:meth:`MME.score_from`) with the dense C⁻¹."""
    prob = mme.problem
    nt = prob.n_theta
    ro = prob.residual_offset
    tr = st.theta[ro:]
    e, us, preps, r_t1, rcache = parts
    inv = st.factor.inverse()  # type: ignore[attr-defined]
    out = np.zeros(nt)
    flat = inv.reshape(-1)
    for j, (b, term, tv) in enumerate(zip(prob.random, mme.terms, st.terms)):
        o, q = mme.u_offsets[j], term.template.n
        z = None if getattr(term, "dense_trace_terms", None) is not None else \
            flat[mme._dense.block_keys(tv.rows, tv.cols, o)]
        t = term_traces(term, tv, preps[j], inv[o:o + q, o:o + q], us[j], z)
        out[b.offset:b.offset + t.size] = -0.5 * t
    if mme.scaled:
        s2 = st.r_scale
        base = mme._dense_base  # (rows, cols, values) of W'ΛW
        keys, _ = mme._dense.base_keys(base[0], base[1])
        t2 = float(base[2] @ flat[keys]) / s2**2  # tr(C⁻¹W'ΛW)/σ⁴
        t3 = float(e @ mme.rinv_times(st, e)) / s2
        out[ro] = -0.5 * (mme.n / s2 - t2 - t3)
        return out
    rot = rotated_section_traces(st.factor, mme.W, prob.residual, tr)  # stiff rows (else None)
    kron = kron_sections(prob.residual, tr, mme.n) if rot is None else None  # stiff rows
    if kron is not None:  # R a Kronecker product: no n x n M_k, no W'M_kW (module docstring)
        h = wcw(mme.W, inv)
        idx = permutation_of(prob.residual)
        if idx is not None:  # records in another order: H and ê in the product's order
            hp = np.empty_like(h)
            hp[np.ix_(idx, idx)] = h
            h = hp
            ep = np.empty_like(e)
            ep[idx] = e
        else:
            ep = e
        for k, (c, mats) in enumerate(kron):
            t2 = c * kron_inner(h, mats)
            t3 = c * kron_quad(mats, ep)
            out[ro + k] = -0.5 * (r_t1[k] - t2 - t3)
        return out
    if "r" not in rcache:  # what does not depend on C⁻¹: once per point
        rcache["r"] = mme._residual_sections(tr, e, r_t1, rcache)
    for k, (m, t1, t3) in enumerate(rcache["r"]):
        if rot is not None and rot[k] is not None:
            t2 = rot[k]
        elif isinstance(m, np.ndarray):  # W'MW of a dense M, whole
            t2 = float(np.vdot(m, inv))
        else:
            t2 = float(np.asarray(m.data) @ flat[_keys(np.asarray(m.row), np.asarray(m.col),
                                                       mme.N)])
        out[ro + k] = -0.5 * (t1 - t2 - t3)
    return out


def kron_sections(residual: CovTemplate, tr: np.ndarray, n: int
                  ) -> list[tuple[float, list[np.ndarray]]] | None:
    """M_k = R⁻¹Ṙ_kR⁻¹ as c_k ⊗_i A_ik when R = [s] ⊗_i Σ_i over the n records with dense
    parts: (1/s², [Σ_i⁻¹]) for s, (1/s, [.., Σ_i⁻¹Σ̇_iΣ_i⁻¹, ..]) for a part's parameter;
    None for any other residual."""
    if permutation_of(residual) is not None:
        residual = residual.template  # type: ignore[attr-defined]
    kf = residual.kronecker_factors()
    if kf is None or residual.n != n:
        return None
    has_scale, parts = kf
    if len(parts) < 2 or int(np.prod([p.n for p in parts])) != n:
        return None
    s, ths = residual.split(tr)
    invs = [residual_part(p.inverse(t)) for p, t in zip(parts, ths)]
    if s <= 0 or any(m is None for m in invs):
        return None
    out: list[tuple[float, list[np.ndarray]]] = [(1.0 / s**2, invs)] if has_scale else []
    for i, (p, t) in enumerate(zip(parts, ths)):
        for d in p.inv_deriv_inv(t):
            out.append((1.0 / s, invs[:i] + [residual_part(d)] + invs[i + 1:]))
    return out if len(out) == residual.n_params else None


def permutation_of(residual: CovTemplate) -> np.ndarray | None:
    """The records' positions in the product's order when R is a product over the records
    in another order (a Subset that permutes all rows: record i is row index[i]); None
    otherwise."""
    if getattr(residual, "mode", None) == "permutation" and hasattr(residual, "index") \
            and getattr(residual, "template", None) is not None \
            and residual.template.kronecker_factors() is not None:  # type: ignore[attr-defined]
        return np.asarray(residual.index, dtype=np.int64)  # type: ignore[attr-defined]
    return None


def residual_part(m: Matrix) -> np.ndarray:
    """A Kronecker part (small: a row or column dimension) as a dense array."""
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


def wcw(w: sp.csc_matrix, cinv: np.ndarray) -> np.ndarray:
    """H = W C⁻¹ W' (n x n): tr(C⁻¹W'MW) = Σ_ij M_ij H_ij for any symmetric M."""
    wc = np.asarray(w @ cinv)
    return np.asarray(w @ wc.T).T


def kron_inner(h: np.ndarray, mats: list[np.ndarray]) -> float:
    """Σ_ij (A_1 ⊗ ... ⊗ A_m)_ij H_ij without the product: H as an (n_1..n_m, n_1..n_m)
    array contracted one part at a time (last first), O(n²) in all."""
    k = len(mats)
    t = h.reshape([m.shape[0] for m in mats] * 2)
    for i in range(k - 1, -1, -1):
        t = np.tensordot(t, mats[i], axes=([i, t.ndim - 1], [0, 1]))
    return float(t)


def kron_quad(mats: list[np.ndarray], v: np.ndarray) -> float:
    """v'(A_1 ⊗ ... ⊗ A_m)v without the product: v as an n_1 x ... x n_m array, each A_i
    applied along its axis."""
    x = v.reshape([m.shape[0] for m in mats])
    for i, m in enumerate(mats):
        x = np.moveaxis(np.tensordot(m, x, axes=([1], [i])), 0, i)
    return float(v @ x.ravel())


def as_sparse(c: np.ndarray) -> sp.csc_matrix:
    """C as CSC (callers of :meth:`MME.assemble`)."""
    return sp.csc_matrix(c)
