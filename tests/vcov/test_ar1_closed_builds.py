"""AR1's C⁻¹ and dC⁻¹/dρ built on a tridiagonal structure kept per size (s28perf): the same
matrices, entry for entry and in storage, as the scipy expressions they replace
(Q / (1 − ρ²) and dQ / w + Q·2ρ/w² on freshly built tridiagonals), and equal to numpy's
inverse of [ρ^|i−j|] and its central difference."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from _dense_reml import ar1

from asr_py.vcov.autoregressive import AR1


def _tridiag(diag: np.ndarray, off: float) -> sp.csc_matrix:
    """The code before s28perf: every entry of the band stored (zeros too)."""
    n = diag.size
    j = np.arange(n)
    rows = np.stack([j - 1, j, j + 1], axis=1)
    vals = np.stack([np.full(n, off), diag, np.full(n, off)], axis=1)
    keep = (rows >= 0) & (rows < n)
    indptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))])
    return sp.csc_matrix((vals[keep].astype(float), rows[keep], indptr), shape=(n, n))


def _old(n: int, r: float) -> tuple[sp.csc_matrix, sp.csc_matrix]:
    if n == 1:
        q, dq = sp.csc_matrix([[1.0 - r * r]]), sp.csc_matrix([[-2.0 * r]])
    else:
        diag, ddiag = np.full(n, 1.0 + r * r), np.full(n, 2.0 * r)
        diag[[0, -1]] = 1.0
        ddiag[[0, -1]] = 0.0
        q, dq = _tridiag(diag, -r), _tridiag(ddiag, -1.0)
    w = 1.0 - r * r
    return q / w, sp.csc_matrix(dq / w + q * (2.0 * r / w**2))


@pytest.mark.parametrize("n", [1, 2, 3, 24])
@pytest.mark.parametrize("r", [0.0, 0.3, -0.7, 0.999, 1e-9])
def test_same_matrices_as_the_scipy_expressions(n: int, r: float) -> None:
    a = AR1([str(i) for i in range(n)])
    inv = a.correlation_inverse(np.array([r]))
    dinv = a.correlation_inverse_derivatives(np.array([r]))[0]
    old_inv, old_dinv = _old(n, r)
    for got, want in ((inv, old_inv), (dinv, old_dinv)):
        got, want = sp.csc_matrix(got), sp.csc_matrix(want)
        np.testing.assert_array_equal(got.indptr, want.indptr)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.data, want.data)
    # against numpy: C⁻¹ and the central difference of C⁻¹ in ρ
    np.testing.assert_allclose(inv.toarray(), np.linalg.inv(ar1(n, r)), rtol=1e-9, atol=1e-9)
    if abs(r) < 0.99:
        h = 1e-6
        fd = (np.linalg.inv(ar1(n, r + h)) - np.linalg.inv(ar1(n, r - h))) / (2 * h)
        np.testing.assert_allclose(dinv.toarray(), fd, rtol=1e-6, atol=1e-6)


def test_kept_structure_is_not_written_through() -> None:
    """Matrices of one size share the kept index arrays read-only; a zero-dropping build
    (ρ = 0) works on its own copies; other sizes are unaffected."""
    a, b = AR1([str(i) for i in range(5)]), AR1([str(i) for i in range(5)])
    m = a.correlation_inverse(np.array([0.4]))
    with pytest.raises(ValueError):
        m.indices[0] = 3
    d0 = b.correlation_inverse_derivatives(np.array([0.0]))[0]
    assert d0.nnz == 8 and np.all(d0.data != 0)  # the ρ = 0 diagonal dropped, as the sum did
    assert a.correlation_inverse(np.array([0.0])).nnz == 13  # Q's stored −0 kept, as before
    again = a.correlation_inverse(np.array([-0.2]))
    assert again.nnz == 13
    np.testing.assert_allclose(again.toarray(), np.linalg.inv(ar1(5, -0.2)), rtol=1e-12,
                               atol=1e-12)
