"""The products the residual's score, AI and EM information use without forming n x n
derivatives (``deriv_times``, ``inv_deriv_trace``, ``deriv_entries``, ``em_block``; issue 14,
c16speed) against dense
numpy algebra on the templates' own dense matrices, for Kronecker products, direct sums and
every Subset path (permutation, block, complement, dense)."""

from __future__ import annotations

import numpy as np
import pytest
from test_derivatives import build, random_theta

import asr_py.vcov.composite as composite
from asr_py.vcov import CovTemplate, DirectSum, Kronecker, Subset, get_structure, to_dense


def _dense_checks(t: CovTemplate, th: np.ndarray, rng: np.random.Generator) -> None:
    """deriv_times, inv_deriv_trace and deriv_entries of ``t`` against dense algebra, and
    inv_deriv_inv against Σ⁻¹Σ̇Σ⁻¹ from numpy's inverse."""
    m = to_dense(t.matrix(th))
    ders = [to_dense(d) for d in t.derivatives(th)]
    mi = np.linalg.inv(m)
    v = rng.normal(size=t.n)
    got = t.deriv_times(th, v)
    assert got.shape == (t.n, t.n_params)
    ref = np.column_stack([d @ v for d in ders])
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    tr = np.array([np.trace(mi @ d) for d in ders])
    np.testing.assert_allclose(t.inv_deriv_trace(th), tr, rtol=1e-9, atol=1e-9)
    r = rng.integers(0, t.n, 40)
    c = rng.integers(0, t.n, 40)
    ent = t.deriv_entries(th, r, c)
    np.testing.assert_allclose(ent, np.array([d[r, c] for d in ders]), rtol=1e-12,
                               atol=1e-14)
    em = np.array([[0.5 * np.trace(mi @ da @ mi @ db) for db in ders] for da in ders])
    np.testing.assert_allclose(t.em_block(th), em.reshape(t.n_params, t.n_params),
                               rtol=1e-8, atol=1e-10 * max(1.0, np.abs(em).max()))
    for k, (x, d) in enumerate(zip(t.inv_deriv_inv(th), ders)):
        want = mi @ d @ mi
        np.testing.assert_allclose(to_dense(x), want, rtol=1e-8,
                                   atol=1e-9 * np.abs(want).max(), err_msg=f"idi {k}")


def _ar1_grid(rows: int, cols: int) -> Kronecker:
    ar = get_structure("ar1")
    return Kronecker([ar([str(i) for i in range(rows)], name="Row"),
                      ar([str(i) for i in range(cols)], name="Col")], scale=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("combo", [("ar1", "ar1"), ("us", "ar1"), ("diag", "fa", "exp"),
                                   ("corgh", "vm")])
@pytest.mark.parametrize("scale", [False, True])
def test_kronecker_products(combo: tuple[str, ...], seed: int, scale: bool) -> None:
    rng = np.random.default_rng(seed)
    parts = [build(nm, 3 if i else 2, rng, label=f"p{i}") for i, nm in enumerate(combo)]
    k = Kronecker(parts, scale=scale)
    th = np.concatenate(([np.array([rng.uniform(0.5, 2.0)])] if scale else [])
                        + [random_theta(p, rng) for p in parts])
    _dense_checks(k, th, rng)


def test_large_sparse_kronecker() -> None:
    """Above SPARSE_ABOVE the parts' product is sparse: the products still match."""
    rng = np.random.default_rng(5)
    k = _ar1_grid(40, 30)
    _dense_checks(k, np.array([2.0, 0.6, -0.3]), rng)


@pytest.mark.parametrize("seed", [0, 1])
def test_subset_complement_and_dense(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """ar1 x ar1 with missing plots: the Schur-complement path (sparse R_s⁻¹) and, with it
    disabled, the dense path."""
    rng = np.random.default_rng(seed)
    full = _ar1_grid(20, 25)
    keep = np.sort(rng.choice(full.n, full.n - 30, replace=False))
    th = np.array([1.7, 0.55, 0.35])
    sub = Subset(full, keep)
    sub.inverse(th)
    assert sub.mode == "complement"
    _dense_checks(sub, th, rng)
    monkeypatch.setattr(composite, "MAX_DROPPED", -1)
    dense = Subset(full, keep)
    dense.inverse(th)
    assert dense.mode == "dense"
    _dense_checks(dense, th, rng)


def test_subset_permutation_and_block() -> None:
    rng = np.random.default_rng(3)
    full = _ar1_grid(5, 4)
    perm = Subset(full, rng.permutation(full.n))
    assert perm.mode == "permutation"
    _dense_checks(perm, np.array([1.3, -0.4, 0.6]), rng)
    tr = build("us", 3, rng, label="trait")
    blk_full = Kronecker([get_structure("id")([str(i) for i in range(6)]), tr])
    th = random_theta(blk_full, rng)
    blk = Subset(blk_full, np.flatnonzero(rng.random(blk_full.n) > 0.3))
    assert blk.mode == "block"
    _dense_checks(blk, th, rng)


def test_direct_sum_of_subsets() -> None:
    """dsum(~ ar1(Row):ar1(Col) | site) with missing plots in one section, sections
    interleaved in the record order."""
    rng = np.random.default_rng(11)
    a, b = _ar1_grid(6, 5), _ar1_grid(4, 7)
    keep_a = np.sort(rng.choice(a.n, a.n - 4, replace=False))
    sa = Subset(a, keep_a)
    n = sa.n + b.n
    order = rng.permutation(n)
    ds = DirectSum([sa, b], [np.sort(order[:sa.n]), np.sort(order[sa.n:])], n)
    th = np.array([1.5, 0.4, 0.2, 3.0, -0.3, 0.5])
    _dense_checks(ds, th, rng)
