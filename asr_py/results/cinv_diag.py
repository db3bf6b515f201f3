"""diag(L C⁻¹ L') for many rows L (predictions, records) without forming C⁻¹.

C is the mixed-model coefficient matrix over [β; u] (p fixed, then random columns), held by
the fit as a factor (``RemlResult.solve_c``) with the prediction error variances
PEV = diag(C_uu) (``RemlResult.pev``). See :func:`cinv_diag`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:  # pragma: no cover
    from asr_py.reml.result import RemlResult

#: rows solved at a time on the general path
_CHUNK = 256
#: rows whose random part has at most this many entries take C⁻¹ from a selected inverse
SELECTED_MAX_SUPPORT = 16
#: ... when there are at least this many of them (a few rows: their solves are cheaper)
SELECTED_MIN_ROWS = 64
_SELECTED_BACKENDS = ("sparse", "blocked", "eigen")


def cinv_diag(result: RemlResult, L: sp.spmatrix, p: int) -> np.ndarray:
    """diag(L C⁻¹ L') without forming C⁻¹. With L = [L_f L_u] (fixed, random columns):
    L_f C_ff L_f' + 2 L_f C_fu L_u' come from the p columns C⁻¹[:, :p]; L_u C_uu L_u' is
    w² PEV_k for a row whose random part is one entry w at k (PEVs are C_uu's diagonal);
    for a row with a few entries (vm + ide of one animal, a trait's levels)
    Σ_ab w_a w_b C⁻¹_ab from the factor's selected inverse on those pairs
    (:func:`_selected_quad`); else solved ``_CHUNK`` rows at a time (memory O(chunk x N))."""
    L = sp.csr_matrix(L)
    n_rows, N = L.shape
    Lf = L[:, :p].toarray()
    Lu = sp.csr_matrix(L[:, p:])
    Lu.sum_duplicates()
    out = np.zeros(n_rows)
    if p:
        E = np.zeros((N, p))
        E[np.arange(p), np.arange(p)] = 1.0
        Cf = result.solve_c(E)  # C⁻¹[:, :p]
        out += np.einsum("ij,ij->i", Lf, Lf @ Cf[:p] + 2.0 * (Lu @ Cf[p:]))
    pev = np.concatenate([np.asarray(v, dtype=float) for v in result.pev]) if result.pev \
        else np.zeros(0)
    nnz = np.diff(Lu.indptr)
    single = nnz <= 1
    if pev.size == N - p and single.any():
        rows = np.flatnonzero(single & (nnz == 1))
        k = Lu.indices[Lu.indptr[rows]]
        out[rows] += Lu.data[Lu.indptr[rows]] ** 2 * pev[k]
    else:
        single[:] = nnz == 0
    multi = np.flatnonzero(~single)
    few = multi[nnz[multi] <= SELECTED_MAX_SUPPORT]
    if _selected_pays(result, few.size, N):
        out[few] += _selected_quad(result, Lu, few, p)
        multi = np.setdiff1d(multi, few, assume_unique=True)
    for s in range(0, multi.size, _CHUNK):
        idx = multi[s:s + _CHUNK]
        Uc = np.zeros((idx.size, N))
        Uc[:, p:] = Lu[idx].toarray()
        out[idx] += np.einsum("ij,ji->i", Uc, result.solve_c(Uc.T))
    return out


def _selected_pays(result: RemlResult, k: int, n: int) -> bool:
    """True when k rows are cheaper through a selected inverse than by k solves: a sparse
    factor's Takahashi recursions cost about one factorization; a dense factor's C⁻¹
    (LAPACK potri, ~2N³/3 flops) beats k solves (2kN² flops) from k ≥ N/3, or at once if
    it is formed already (the REML score formed it at the last iteration)."""
    fac = result.factor
    if fac is None or k < SELECTED_MIN_ROWS:
        return False
    if fac.kind == "dense":
        return bool(getattr(fac, "inverse_formed", False)) or 3 * k >= n
    # backends with a selected inverse of their own (CHOLMOD's Takahashi recursions, the
    # blocked Schur form, the eigen paths' entry formulas); the others form C⁻¹ by solves
    return fac.name in _SELECTED_BACKENDS


def _selected_quad(result: RemlResult, Lu: sp.csr_matrix, rows: np.ndarray, p: int
                   ) -> np.ndarray:
    """Σ_ab w_a w_b C⁻¹[p + a, p + b] over each row's random entries (a, b) ∈ S_i × S_i, the
    distinct pairs (one triangle) read at once from the factor's selected inverse
    (``Factor.inverse_entries``: Takahashi on L's filled pattern, solves for the columns of
    pairs outside it)."""
    fac = result.factor
    assert fac is not None
    nnz = np.diff(Lu.indptr)[rows]
    out = np.zeros(rows.size)
    groups = []
    for m in np.unique(nnz):  # rows with m entries: their supports as a k x m array
        sel = np.flatnonzero(nnz == m)
        start = Lu.indptr[rows[sel]][:, None] + np.arange(m)
        cols, w = Lu.indices[start].astype(np.int64), Lu.data[start]
        a = np.broadcast_to(cols[:, :, None], (sel.size, m, m))
        b = np.broadcast_to(cols[:, None, :], (sel.size, m, m))
        groups.append((sel, w, np.minimum(a, b).ravel(), np.maximum(a, b).ravel()))
    lo = np.concatenate([g[2] for g in groups])
    hi = np.concatenate([g[3] for g in groups])
    n_u = Lu.shape[1]
    keys, inv = np.unique(lo * n_u + hi, return_inverse=True)
    z = fac.inverse_entries(keys // n_u + p, keys % n_u + p)[inv.ravel()]
    at = 0
    for sel, w, a, _ in groups:
        m = w.shape[1]
        zz = z[at:at + a.size].reshape(sel.size, m, m)
        at += a.size
        out[sel] = np.einsum("ka,kab,kb->k", w, zz, w)
    return out
