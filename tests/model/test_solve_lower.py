"""model.fixed.solve_lower (the per-column triangular solve of independent_columns) gives the
digits of scipy.linalg.solve_triangular(lower=True), which it replaces for speed: the same
LAPACK trtrs call, on C-ordered slices, Fortran-ordered and 1 x 1 factors, and vectors or
matrices of right-hand sides; and the aliasing flags equal those of the scipy path."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import solve_triangular

from asr_py.model import fixed
from asr_py.model.fixed import independent_columns, solve_lower


def _lower(rng: np.random.Generator, n: int) -> np.ndarray:
    L = np.tril(rng.normal(size=(n, n)))
    L[np.diag_indices(n)] = rng.uniform(0.1, 3.0, n)
    return L


@pytest.mark.parametrize("n", [1, 2, 5, 17])
def test_same_digits_as_scipy(n: int) -> None:
    rng = np.random.default_rng(n)
    big = np.zeros((n + 3, n + 3))
    big[:n, :n] = _lower(rng, n)
    for L in (big[:n, :n], np.ascontiguousarray(big[:n, :n]), np.asfortranarray(big[:n, :n])):
        for b in (rng.normal(size=n), rng.normal(size=(n, 4)), big[n - 1, :n].copy()):
            want = solve_triangular(L, b, lower=True, check_finite=False)
            got = solve_lower(L, b)
            assert got.shape == want.shape
            assert np.array_equal(got, want)
            assert np.allclose(L @ got, b, rtol=1e-10, atol=1e-10)   # it solves L x = b


def test_singular_factor_is_an_error() -> None:
    L = np.array([[1.0, 0.0], [2.0, 0.0]])
    with pytest.raises(np.linalg.LinAlgError):
        solve_lower(L, np.ones(2))


def test_aliasing_flags_equal_the_scipy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A design with exact and near dependences: the flags with solve_lower and with scipy's
    solve_triangular in its place are the same."""
    rng = np.random.default_rng(3)
    n = 60
    a = rng.integers(0, 5, n)
    b = rng.integers(0, 4, n)
    A = np.eye(5)[a]
    B = np.eye(4)[b]
    x = rng.normal(size=n)
    X = np.column_stack([np.ones(n), A, B, x, 2 * x + A[:, 1], A * x[:, None],
                         x + 1e-12 * rng.normal(size=n)])
    got = independent_columns(X)
    monkeypatch.setattr(fixed, "solve_lower", lambda L, v: solve_triangular(
        L, v, lower=True, check_finite=False))
    assert np.array_equal(independent_columns(X), got)
    # without the near copy of x, the kept count is rank(X) (numpy's SVD rank, an
    # independent count); the near copy (residual² ~1e-24 of its norm², below tol) is dropped
    assert got[:-1].sum() == np.linalg.matrix_rank(X[:, :-1])
    assert not got[-1]
