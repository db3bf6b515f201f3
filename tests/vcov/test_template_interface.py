"""The structural questions the REML engine asks a template (asr_py.vcov.base.CovTemplate):
leaves and offsets, Kronecker factors, linearity, positive-definite geometry, the scaled
diagonal form, diagonal variances and a singular known matrix's rank reduction. Each answer
is checked against the template's own matrix (an independent dense computation), not
against a stored value."""

from __future__ import annotations

import numpy as np
import pytest

from asr_py.vcov import DirectSum, KnownMatrix, Kronecker, Subset, get_structure, to_dense
from asr_py.vcov.weighted import Weighted

RNG = np.random.default_rng(12)


def _s(name: str, n: int, **opt):
    return get_structure(name)([f"l{i}" for i in range(n)], name=name.upper(), **opt)


def test_leaves_and_offsets_follow_the_parameter_vector() -> None:
    us, ar = _s("us", 2), _s("ar1v", 3)
    kr = Kronecker([us, ar], scale=True)
    assert [(type(t).__name__, o) for t, o in kr.leaves(5)] == [
        (type(us).__name__, 6), (type(ar).__name__, 9)]
    # offsets index the leaf's own slice of θ: the leaf's matrix from that slice
    theta = np.array([2.0, 1.0, 0.3, 2.0, 0.4, 1.5])
    for leaf, off in kr.leaves(0):
        th = theta[off:off + leaf.n_params]
        assert leaf.is_valid(th)
    ds = DirectSum([kr, _s("idv", 4)], [np.arange(6), np.arange(6, 10)], 10)
    assert [o for _, o in ds.leaves(0)] == [1, 4, 6]
    sub = Subset(kr, [0, 2, 4])
    assert [o for _, o in sub.leaves(3)] == [4, 7]  # a wrapper is its template
    assert [o for _, o in Weighted(_s("idv", 3), np.ones(3)).leaves(0)] == [0]


def test_kronecker_factors_and_with_factors_rebuild_the_product() -> None:
    us, ar = _s("us", 2), _s("ar1", 3)
    kr = Kronecker([us, ar], scale=True, scale_name="sc")
    scale, parts = kr.kronecker_factors()
    assert scale and parts == [us, ar]
    assert us.kronecker_factors() is None
    swapped = kr.with_factors([ar, us])
    th_us, th_ar, s = np.array([1.0, 0.3, 2.0]), np.array([0.4]), 1.7
    want = s * np.kron(to_dense(ar.matrix(th_ar)), to_dense(us.matrix(th_us)))
    np.testing.assert_allclose(to_dense(swapped.matrix(np.r_[s, th_ar, th_us])), want)
    assert swapped.param_names[0] == "sc"
    assert us.with_factors([ar]) is ar
    with pytest.raises(ValueError):
        us.with_factors([ar, us])


@pytest.mark.parametrize("name,n", [("us", 3), ("diag", 3), ("idv", 2), ("ar1v", 3),
                                    ("corgh", 3), ("fa", 3)])
def test_linear_basis_reproduces_the_matrix_exactly_when_linear(name: str, n: int) -> None:
    t = _s(name, n) if name != "fa" else _s(name, n, order=1)
    th = t.initial(1.5)
    th = th + 0.05 * RNG.random(th.size) * (np.array(t.param_kinds) == "variance")
    E = t.linear_basis(th)
    linear = name in ("us", "diag", "idv")
    assert (E is not None) == linear
    if linear:  # Σ(θ') = Σ θ'_k E_k at a new point
        th2 = th * 1.7 + 0.2
        np.testing.assert_allclose(np.tensordot(th2, E, axes=1), to_dense(t.matrix(th2)),
                                   atol=1e-12)


def test_pd_geometry_of_us_corg_and_others() -> None:
    us = _s("us", 3)
    g = us.pd_geometry(us.initial(1.0))
    assert g is not None and g.kind == "linear" and g.k == 6
    for name in ("corg", "corgv", "corgh"):
        t = _s(name, 4)
        th = t.initial(2.0)
        g = t.pd_geometry(th)
        assert g.kind == "correlation" and g.k == 6  # the 6 correlations, first in θ
        rho = th[:6] + 0.1
        c = np.eye(4) + np.tensordot(rho, g.E, axes=1)
        # the correlation matrix of Σ at (ρ, variances)
        m = to_dense(t.matrix(np.r_[rho, th[6:]]))
        d = 1 / np.sqrt(np.diag(m))
        np.testing.assert_allclose(c, m * d[:, None] * d[None, :], atol=1e-12)
    for name in ("diag", "idv", "ar1v", "cor", "id"):
        t = _s(name, 3)
        assert t.pd_geometry(t.initial(1.0)) is None


def test_scaled_diagonal_form() -> None:
    w = np.array([1.0, 2.0, 4.0, 0.5])
    idv = _s("idv", 4)
    np.testing.assert_array_equal(idv.scaled_diagonal(np.array([3.0])), np.ones(4))
    # prior weights around σ²I: R = σ² diag(1/w)  (the default probe)
    np.testing.assert_allclose(Weighted(idv, w).scaled_diagonal(np.array([3.0])), w)
    np.testing.assert_allclose(Weighted(idv, w).scaled_diagonal(np.array([0.0])), w)
    assert _s("diag", 4).scaled_diagonal(np.ones(4)) is None  # 4 parameters
    assert _s("ar1v", 4).scaled_diagonal(np.array([0.3, 1.0])) is None
    assert Kronecker([_s("ar1", 4)], scale=True).scaled_diagonal(np.array([1.0, 0.3])) is None


@pytest.mark.parametrize("make", [
    lambda: Kronecker([_s("id", 5)], scale=True),
    lambda: Kronecker([_s("id", 2), _s("id", 3)], scale=True),
    lambda: Weighted(Kronecker([_s("id", 4)], scale=True), np.array([1.0, 2.0, 0.5, 4.0])),
    lambda: Weighted(_s("idv", 3), np.array([3.0, 2.0, 0.5])),
    lambda: Kronecker([_s("id", 3), _s("us", 2)], scale=False),
    lambda: Weighted(_s("ar1v", 3), np.array([3.0, 2.0, 0.5])),
])
def test_declared_scaled_diagonal_equals_the_probe(make) -> None:
    """Templates that declare the form agree with the base class's probe (the default)."""
    from asr_py.vcov.base import CovTemplate

    t = make()
    th = t.initial(2.0)
    got, probe = t.scaled_diagonal(th), CovTemplate.scaled_diagonal(t, th)
    assert (got is None) == (probe is None)
    if got is not None:
        np.testing.assert_allclose(got, probe, rtol=1e-14)


@pytest.mark.parametrize("name,form", [("id", "identity"), ("idv", "common"),
                                       ("diag", "each"), ("us", None), ("ar1v", None)])
def test_diagonal_form_and_variances(name: str, form: str | None) -> None:
    t = _s(name, 3)
    assert t.diagonal == form
    if form is not None:
        th = t.initial(2.0) * (1.0 + np.arange(t.n_params))
        np.testing.assert_allclose(t.diagonal_variances(th), np.diag(to_dense(t.matrix(th))))


def test_rank_reduction_of_a_singular_known_matrix() -> None:
    x = RNG.normal(size=(6, 3))
    k = x @ x.T  # rank 3
    km = KnownMatrix(k, name="K")
    assert km.is_known and not _s("us", 2).is_known
    lr, eye = km.rank_reduction()
    assert lr.shape == (6, 3) and eye.n == 3 and eye.n_params == 0
    np.testing.assert_allclose(lr @ to_dense(eye.matrix(np.zeros(0))) @ lr.T, k, atol=1e-10)
    full = KnownMatrix(k + np.eye(6))
    assert full.rank_reduction() is None
    assert KnownMatrix(np.linalg.inv(k + np.eye(6)), inverse=True).rank_reduction() is None
    d = np.array([0.5, 2.0, 3.0])
    dk = km.eigen_diagonal(d)
    np.testing.assert_allclose(to_dense(dk.matrix()), np.diag(d))
    assert dk.name == "K" and dk.logdet() == pytest.approx(np.log(d).sum())
