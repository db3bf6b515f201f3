"""Rectangular full packed storage (reml/backends/rfp.py) against LAPACK's own conversion
(dtrttf) and numpy's Cholesky, solve and inverse, for even and odd orders."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg.lapack as lapack

from asr_py.reml.backends.rfp import RFPMatrix


@pytest.mark.parametrize("n", [1, 2, 3, 6, 7, 64, 65])
def test_layout_factor_solve_inverse(n: int) -> None:
    rng = np.random.default_rng(n)
    a = rng.normal(size=(n, n))
    a = a @ a.T + n * np.eye(n)
    m = RFPMatrix(n)
    for c in range(n):
        m.set_column(c, a[:, c])
    ref, info = lapack.dtrttf(np.asfortranarray(a), transr="N", uplo="L")
    assert info == 0
    np.testing.assert_array_equal(m.a, ref)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    np.testing.assert_array_equal(m.a[m.pos(i, j)], a)  # both triangles
    x = rng.normal(size=(n, 3))
    np.testing.assert_allclose(m.matmul(x, panel=5), a @ x, rtol=1e-12)
    assert m.cholesky() == 0
    np.testing.assert_allclose(m.diagonal(), np.diag(np.linalg.cholesky(a)), rtol=1e-12)
    np.testing.assert_allclose(m.solve(x), np.linalg.solve(a, x), rtol=1e-10)
    assert m.invert() == 0
    np.testing.assert_allclose(m.a[m.pos(i, j)], np.linalg.inv(a), rtol=1e-10, atol=1e-14)


def test_not_positive_definite_is_reported() -> None:
    m = RFPMatrix(4)
    a = np.diag([1.0, 2.0, -1.0, 3.0])
    for c in range(4):
        m.set_column(c, a[:, c])
    assert m.cholesky() == 3
