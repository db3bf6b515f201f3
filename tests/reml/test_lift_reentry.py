"""s31lift: the interior point a fit re-enters from after a stale boundary value is
released (reml/lift_release.py): M ← (1 − w) M + w Diag(M) on a covariance matrix on its
PD face, ρ ← (1 − w) ρ on a correlation matrix; checked against the closed form of the
blend's eigenvalues on the correlation scale, (1 − w) μ + w."""

from types import SimpleNamespace

import numpy as np
import pytest

from asr_py.reml.lift_release import FACE_EIG, REENTRY_BLEND, interior_start
from asr_py.reml.pd_blocks import PDBlock


def _us_block(n: int, off: int = 0) -> PDBlock:
    """us(n) with θ = the lower triangle row by row (variances on the diagonal)."""
    mats = []
    for i in range(n):
        for j in range(i + 1):
            e = np.zeros((n, n))
            e[i, j] = e[j, i] = 1.0
            mats.append(e)
    E = np.array(mats)
    return PDBlock("us", np.arange(off, off + len(mats)), E, E.reshape(len(mats), -1).T)


def _corr_block(n: int) -> PDBlock:
    mats = []
    for i in range(n):
        for j in range(i):
            e = np.zeros((n, n))
            e[i, j] = e[j, i] = 1.0
            mats.append(e)
    E = np.array(mats)
    return PDBlock("corg", np.arange(len(mats)), E, E.reshape(len(mats), -1).T, corr=True)


def _ctx(blocks: list[PDBlock]) -> SimpleNamespace:
    return SimpleNamespace(pd=blocks, valid=lambda th: True)


def _corr_eigs(m: np.ndarray) -> np.ndarray:
    s = 1.0 / np.sqrt(np.diag(m))
    return np.linalg.eigvalsh(m * np.outer(s, s))


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e6])
def test_a_rank_one_covariance_matrix_is_blended_into_the_interior(scale: float) -> None:
    v = np.array([2.0, -3.0, 0.5])
    m = np.outer(v, v) * scale  # rank 1: its correlation matrix has eigenvalues 0, 0, 3
    b = _us_block(3)
    theta = b.params_of(m)
    out = interior_start(_ctx([b]), theta, np.zeros(theta.size, dtype=bool))
    new = b.matrix(out)
    np.testing.assert_allclose(np.diag(new), np.diag(m), rtol=1e-12)
    mu = np.sort(_corr_eigs(m))
    np.testing.assert_allclose(np.sort(_corr_eigs(new)),
                               (1 - REENTRY_BLEND) * mu + REENTRY_BLEND, atol=1e-12)


def test_an_interior_matrix_is_left_alone_unless_it_holds_a_released_variance() -> None:
    m = np.array([[2.0, 0.5], [0.5, 1.0]])
    b = _us_block(2)
    theta = b.params_of(m)
    assert _corr_eigs(m)[0] > FACE_EIG
    none = np.zeros(3, dtype=bool)
    np.testing.assert_array_equal(interior_start(_ctx([b]), theta, none), theta)
    released = none.copy()
    released[2] = True  # its second variance
    out = interior_start(_ctx([b]), theta, released)
    np.testing.assert_allclose(b.matrix(out)[0, 1], (1 - REENTRY_BLEND) * 0.5)


def test_a_correlation_matrix_at_one_shrinks_towards_the_identity() -> None:
    b = _corr_block(3)
    rho = np.array([1.0, 1.0, 1.0]) - 1e-9  # all correlations ~1: rank 1
    out = interior_start(_ctx([b]), rho, np.zeros(3, dtype=bool))
    np.testing.assert_allclose(out, (1 - REENTRY_BLEND) * rho)
    assert np.linalg.eigvalsh(b.matrix(out))[0] == pytest.approx(REENTRY_BLEND, abs=1e-8)


def test_an_invalid_blend_keeps_the_point() -> None:
    b = _us_block(2)
    theta = b.params_of(np.array([[1.0, 1.0], [1.0, 1.0]]))
    ctx = SimpleNamespace(pd=[b], valid=lambda th: False)
    np.testing.assert_array_equal(interior_start(ctx, theta, np.zeros(3, dtype=bool)), theta)
