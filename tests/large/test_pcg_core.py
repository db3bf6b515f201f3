"""asr_py.large.pcg against numpy's dense solve on SPD systems."""

from __future__ import annotations

import numpy as np

from asr_py.large.pcg import pcg, pcg_block


def _spd(n: int, cond: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.geomspace(1.0, cond, n)) @ q.T


def test_pcg_solves_an_spd_system_to_the_tolerance() -> None:
    a = _spd(200, 1e4, 1)
    b = np.random.default_rng(2).standard_normal(200)
    d = np.diag(a)
    x, info = pcg(lambda v: a @ v, b, lambda r: r / d, tol=1e-11)
    assert info.converged and info.relative_residual <= 1e-11
    assert np.linalg.norm(b - a @ x) / np.linalg.norm(b) <= 1e-11  # the true residual
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=0, atol=1e-8 * abs(x).max())


def test_exact_preconditioner_converges_in_one_step_and_zero_rhs_is_zero() -> None:
    a = _spd(50, 100.0, 3)
    b = np.ones(50)
    ainv = np.linalg.inv(a)
    x, info = pcg(lambda v: a @ v, b, lambda r: ainv @ r, tol=1e-10)
    assert info.iterations == 1
    np.testing.assert_allclose(x, ainv @ b, atol=1e-10)
    x0, info0 = pcg(lambda v: a @ v, np.zeros(50), lambda r: r)
    assert info0.converged and not x0.any()


def test_maxit_stops_without_claiming_convergence() -> None:
    a = _spd(300, 1e6, 4)
    x, info = pcg(lambda v: a @ v, np.ones(300), lambda r: r, tol=1e-14, maxit=5)
    assert not info.converged and info.iterations == 5 and len(info.history) == 5
    assert info.relative_residual > 1e-14


def test_pcg_block_solves_every_column_with_one_matvec_per_iteration() -> None:
    a = _spd(150, 1e3, 5)
    b = np.random.default_rng(6).standard_normal((150, 7))
    b[:, 3] = 0.0                                   # a zero column is solved at once
    d = np.diag(a)
    calls: list[int] = []

    def matvec(v: np.ndarray) -> np.ndarray:
        calls.append(v.shape[1])
        return a @ v

    x, info, rel = pcg_block(matvec, b, lambda r: r / d[:, None], tol=1e-11)
    assert info.converged and (rel <= 1e-11).all()
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=0, atol=1e-8 * abs(x).max())
    # one block call per iteration (plus the confirmations of columns that pass): far fewer
    # calls than 7 separate solves would make
    single = sum(pcg(lambda v: a @ v, b[:, j], lambda r: r / d, tol=1e-11)[1].iterations
                 for j in range(7))
    assert len(calls) < single / 3 and max(calls) == 6
    # a warm start at the solution stops at once; maxit is reported
    x2, info2, _ = pcg_block(lambda v: a @ v, b, lambda r: r / d[:, None], x0=x, tol=1e-9)
    assert info2.iterations == 0 and np.array_equal(x2, x)
    _, info3, rel3 = pcg_block(lambda v: a @ v, b, lambda r: r, tol=1e-14, maxit=4)
    assert not info3.converged and info3.iterations == 4 and (rel3 > 1e-14).any()
