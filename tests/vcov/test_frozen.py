"""Templates with fixed parameters held (vcov/frozen.py): Frozen (all fixed: a known
covariance) and PartlyFrozen (the free ones exposed). Checked against numpy's inverse and
log-determinant of the matrix and central differences of the matrix in the free
parameters."""

from __future__ import annotations

import numpy as np
import pytest

from asr_py.vcov import get_structure
from asr_py.vcov.base import to_dense
from asr_py.vcov.frozen import Frozen, PartlyFrozen

LEVELS = [f"s{i}" for i in range(5)]


def _us_theta(S: np.ndarray) -> np.ndarray:
    n = S.shape[0]
    return np.array([S[i, j] for i in range(n) for j in range(i + 1)])


def _spd(n: int, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).normal(size=(n, n))
    return a @ a.T / n + np.eye(n)


def test_frozen_is_the_known_matrix() -> None:
    us = get_structure("us")(LEVELS)
    S = _spd(5, 1)
    f = Frozen(us, _us_theta(S))
    assert f.n_params == 0 and f.param_names == [] and f.n == 5
    np.testing.assert_allclose(to_dense(f.matrix()), S, rtol=1e-14)
    np.testing.assert_allclose(to_dense(f.inverse()), np.linalg.inv(S), rtol=1e-10)
    assert f.logdet() == pytest.approx(np.linalg.slogdet(S)[1], rel=1e-12)
    assert f.is_valid() and f.deriv_times(np.zeros(0), np.ones(5)).shape == (5, 0)
    bad = Frozen(us, _us_theta(S - 10 * np.eye(5)))  # not positive definite
    assert not bad.is_valid()
    with pytest.raises(np.linalg.LinAlgError):
        bad.logdet()


def test_partly_frozen_derivatives_are_differences_of_the_matrix() -> None:
    us = get_structure("us")(LEVELS)
    S = _spd(5, 2)
    full = _us_theta(S)
    kinds = np.array(us.param_kinds)
    fixed = kinds == "covariance"  # the 10 covariances held, the 5 variances free
    p = PartlyFrozen(us, full, fixed)
    assert p.n_params == 5 and p.param_kinds == ["variance"] * 5
    x = full[~fixed] * 1.3
    S1 = S.copy()
    S1[np.diag_indices(5)] = x
    np.testing.assert_allclose(to_dense(p.matrix(x)), S1, rtol=1e-14)
    assert p.logdet(x) == pytest.approx(np.linalg.slogdet(S1)[1], rel=1e-12)
    ders = p.derivatives(x)
    for k in range(5):
        h = 1e-6
        xp, xm = x.copy(), x.copy()
        xp[k] += h
        xm[k] -= h
        fd = (to_dense(p.matrix(xp)) - to_dense(p.matrix(xm))) / (2 * h)
        np.testing.assert_allclose(to_dense(ders[k]), fd, atol=1e-8)
    si = np.linalg.inv(S1)
    np.testing.assert_allclose(p.inv_deriv_trace(x),
                               [np.trace(si @ to_dense(d)) for d in ders], rtol=1e-10)
    v = np.arange(1.0, 6.0)
    np.testing.assert_allclose(p.deriv_times(x, v),
                               np.column_stack([to_dense(d) @ v for d in ders]), rtol=1e-12)
    em = p.em_block(x)
    ref = np.array([[0.5 * np.trace(si @ to_dense(a) @ si @ to_dense(b)) for b in ders]
                    for a in ders])
    np.testing.assert_allclose(em, ref, rtol=1e-10)
    assert p.pd_geometry(x) is None  # Σ is affine in θ_free: no linear PD geometry


def test_partly_frozen_keeps_the_correlation_geometry_of_free_correlations() -> None:
    corgh = get_structure("corgh")(LEVELS)
    kinds = np.array(corgh.param_kinds)
    theta = np.where(kinds == "correlation", 0.2, 1.5)
    geo = corgh.pd_geometry(theta)
    assert geo is not None and geo.correlation
    p = PartlyFrozen(corgh, theta, kinds == "variance")
    g2 = p.pd_geometry(theta[kinds != "variance"])
    assert g2 is not None and g2.k == geo.k
    np.testing.assert_array_equal(g2.E, geo.E)
    one_corr = np.zeros(kinds.size, dtype=bool)
    one_corr[0] = True  # a fixed correlation: no geometry over the free ones
    assert PartlyFrozen(corgh, theta, one_corr).pd_geometry(theta[1:]) is None
