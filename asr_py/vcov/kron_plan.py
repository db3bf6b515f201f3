"""The sparse Kronecker product A ⊗ B (CSC) with its structure planned once and reused.

    (A ⊗ B)[i_a·n_b + i_b, j_a·m_b + j_b] = A[i_a, j_a] · B[i_b, j_b]

Column j_a·m_b + j_b holds, for each stored entry of A's column j_a (in A's storage order)
and each of B's column j_b (in B's order), the product of the two values at row
i_a·n_b + i_b: the entries, their order and each value (one multiplication) are those of
``scipy.sparse.kron(A, B, format="csc")``. The row indices, column pointers and the two
gather indices depend only on the structures of A and B, so a template asked for its
Kronecker inverse or derivatives at every θ (``ar1(Row):ar1(Col)``: the same tridiagonal
patterns) computes them once and then multiplies two gathered value arrays
(:class:`KronPlan`). scipy's generic path costs ~1 ms of object overhead per product.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

#: products with more entries go to scipy: a plan keeps ~4 index arrays of nnz(A ⊗ B) (for
#: a large vm(id, A⁻¹) ⊗ us(trait) that memory would exceed what the planning saves)
PLAN_MAX_NNZ = 200_000


class KronPlan:
    """A ⊗ B for every A, B with the structures of the pair it was built from."""

    def __init__(self, a: sp.csc_matrix, b: sp.csc_matrix) -> None:
        self.a_shape, self.b_shape = a.shape, b.shape
        self.a_ptr, self.a_ind = a.indptr.copy(), a.indices.copy()
        self.b_ptr, self.b_ind = b.indptr.copy(), b.indices.copy()
        na, ma = a.shape
        nb, mb = b.shape
        ca = np.diff(a.indptr).astype(np.int64)   # entries per column of A, of B
        cb = np.diff(b.indptr).astype(np.int64)
        # output column (ja, jb) holds ca[ja]·cb[jb] entries, ja-major
        counts = (ca[:, None] * cb[None, :]).ravel()
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        nnz = int(self.indptr[-1])
        # for each output entry: its column's (ja, jb), then its rank within the column
        col = np.repeat(np.arange(ma * mb, dtype=np.int64), counts)
        ja, jb = col // mb, col % mb
        rank = np.arange(nnz, dtype=np.int64) - self.indptr[col]
        nb_col = cb[jb]
        ka = rank // np.maximum(nb_col, 1)        # which entry of A's column, of B's column
        kb = rank - ka * nb_col
        self.ia = a.indptr[ja].astype(np.int64) + ka   # positions in A.data, B.data
        self.ib = b.indptr[jb].astype(np.int64) + kb
        self.indices = (a.indices[self.ia].astype(np.int64) * nb
                        + b.indices[self.ib]).astype(_idx(max(na * nb, nnz)))
        self.indptr = self.indptr.astype(_idx(max(na * nb, nnz)))
        self.shape = (na * nb, ma * mb)

    def fits(self, a: sp.csc_matrix, b: sp.csc_matrix) -> bool:
        """True if A and B have the structures this plan was built for."""
        return (a.shape == self.a_shape and b.shape == self.b_shape
                and np.array_equal(a.indptr, self.a_ptr) and np.array_equal(a.indices, self.a_ind)
                and np.array_equal(b.indptr, self.b_ptr) and np.array_equal(b.indices, self.b_ind))

    def product(self, a: sp.csc_matrix, b: sp.csc_matrix) -> sp.csc_matrix:
        """A ⊗ B (A and B must :meth:`fit`)."""
        data = np.asarray(a.data, dtype=np.result_type(a.dtype, b.dtype))[self.ia] * b.data[self.ib]
        return sp.csc_matrix((data, self.indices.copy(), self.indptr.copy()), shape=self.shape)


def _idx(n: int) -> type:
    return np.int32 if n < 2**31 - 1 else np.int64


class KronCache:
    """Plans by structure: ``kron(a, b)`` reuses the plan of an earlier pair with the same
    structures (at most ``size`` kept, the oldest dropped first)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._plans: list[KronPlan] = []

    def kron(self, a: sp.csc_matrix, b: sp.csc_matrix) -> sp.csc_matrix:
        """A ⊗ B as ``scipy.sparse.kron(A, B, format="csc")`` (same entries and values);
        a part not in canonical form (unsorted or repeated entries), and a product of more
        than :data:`PLAN_MAX_NNZ` entries, go to scipy."""
        if (not (a.has_canonical_format and b.has_canonical_format) or not (a.nnz and b.nnz)
                or a.nnz * b.nnz > PLAN_MAX_NNZ):
            return sp.kron(a, b, format="csc")
        for p in self._plans:
            if p.fits(a, b):
                return p.product(a, b)
        plan = KronPlan(a, b)
        self._plans.append(plan)
        if len(self._plans) > self.size:
            self._plans.pop(0)
        return plan.product(a, b)
