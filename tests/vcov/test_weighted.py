"""Weighted(template, w): R_w = W^{-1/2} R(θ) W^{-1/2} against finite differences and dense
numpy algebra built directly from the definition (not from the template's own methods)."""

from __future__ import annotations

import numpy as np
import pytest
from vcov_helpers import check_template, fd_derivatives

from asr_py.vcov import Kronecker, Subset, get_structure, to_dense
from asr_py.vcov.weighted import Weighted


def _weights(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.2, 5.0, n)


def _templates() -> list[tuple[str, object, np.ndarray]]:
    """(label, template over records, θ) covering diagonal, sparse Kronecker, dense, Subset."""
    units = [str(i) for i in range(6)]
    idv = get_structure("idv")(units, name="units")
    ar = get_structure("ar1v")([str(i) for i in range(5)], name="Row")
    us = get_structure("us")(["y1", "y2"], name="trait")
    kr = Kronecker([get_structure("id")(units[:4], name="units"), us])
    sub = Subset(kr, [0, 1, 2, 4, 5, 7])  # two missing trait records
    return [("idv", idv, np.array([1.7])),
            ("ar1v", ar, np.array([0.4, 2.3])),
            ("id x us", kr, np.array([1.5, 0.4, 0.9])),
            ("subset", sub, np.array([1.5, -0.3, 0.9]))]


@pytest.mark.parametrize("case", range(4))
@pytest.mark.parametrize("seed", [0, 1])
def test_against_definition(case: int, seed: int) -> None:
    name, t, th = _templates()[case]
    w = _weights(t.n, seed)
    wt = Weighted(t, w)
    d = np.diag(1.0 / np.sqrt(w))
    r = to_dense(t.matrix(th))
    rw = d @ r @ d
    np.testing.assert_allclose(to_dense(wt.matrix(th)), rw, rtol=1e-13, atol=1e-14)
    # derivatives vs finite differences of the weighted matrix
    for k, (a, f) in enumerate(zip(wt.derivatives(th), fd_derivatives(wt, th))):
        np.testing.assert_allclose(to_dense(a), f, rtol=1e-6, atol=1e-7, err_msg=f"{name} {k}")
    # inverse, log-determinant, R⁻¹ṘR⁻¹ by dense numpy on rw
    np.testing.assert_allclose(to_dense(wt.inverse(th)), np.linalg.inv(rw), rtol=1e-9,
                               atol=1e-10)
    sign, ld = np.linalg.slogdet(rw)
    assert sign > 0
    assert wt.logdet(th) == pytest.approx(ld, abs=1e-10)
    assert wt.logdet(th) == pytest.approx(t.logdet(th) - np.log(w).sum(), abs=1e-10)
    ri = np.linalg.inv(rw)
    for a, f in zip(wt.inv_deriv_inv(th), fd_derivatives(wt, th)):
        np.testing.assert_allclose(to_dense(a), ri @ f @ ri, rtol=1e-5, atol=1e-6)
    check_template(wt, th)
    # sparse stays sparse (the MME relies on a sparse diagonal R⁻¹)
    import scipy.sparse as sp

    assert sp.issparse(wt.inverse(th)) == sp.issparse(t.inverse(th))


def test_delegates_description_and_validity() -> None:
    us = get_structure("us")(["a", "b"], name="trait")
    wt = Weighted(us, [2.0, 0.5])
    assert wt.param_names == us.param_names
    assert wt.param_kinds == us.param_kinds
    assert wt.block_size == us.block_size and wt.has_variance == us.has_variance
    np.testing.assert_array_equal(wt.initial(3.0), us.initial(3.0))
    assert wt.is_valid(np.array([1.0, 0.2, 1.0]))
    assert not wt.is_valid(np.array([1.0, 2.0, 1.0]))  # |corr| > 1: not PD


def test_unit_weights_are_the_template() -> None:
    idv = get_structure("idv")([str(i) for i in range(5)], name="units")
    wt = Weighted(idv, np.ones(5))
    th = np.array([2.2])
    np.testing.assert_array_equal(to_dense(wt.matrix(th)), to_dense(idv.matrix(th)))
    assert wt.logdet(th) == idv.logdet(th)


def test_input_not_mutated_and_validated() -> None:
    idv = get_structure("idv")(["1", "2", "3"], name="units")
    w = np.array([1.0, 2.0, 3.0])
    wt = Weighted(idv, w)
    w[0] = 100.0
    assert wt.weights[0] == 1.0
    with pytest.raises(ValueError, match="positive"):
        Weighted(idv, [1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="3 x 3"):
        Weighted(idv, [1.0, 2.0])
