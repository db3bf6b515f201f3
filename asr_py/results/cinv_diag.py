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


def cinv_diag(result: RemlResult, L: sp.spmatrix, p: int) -> np.ndarray:
    """diag(L C⁻¹ L') without forming C⁻¹. With L = [L_f L_u] (fixed, random columns):
    L_f C_ff L_f' + 2 L_f C_fu L_u' come from the p columns C⁻¹[:, :p]; L_u C_uu L_u' is
    w² PEV_k for a row whose random part is one entry w at k (PEVs are C_uu's diagonal),
    else solved ``_CHUNK`` rows at a time (memory O(chunk x N))."""
    L = sp.csr_matrix(L)
    n_rows, N = L.shape
    Lf = L[:, :p].toarray()
    Lu = sp.csr_matrix(L[:, p:])
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
    for s in range(0, multi.size, _CHUNK):
        idx = multi[s:s + _CHUNK]
        Uc = np.zeros((idx.size, N))
        Uc[:, p:] = Lu[idx].toarray()
        out[idx] += np.einsum("ij,ji->i", Uc, result.solve_c(Uc.T))
    return out
