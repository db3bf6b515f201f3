"""CovTemplate.inverse_pattern: where Σ⁻¹ may be nonzero. It must hold the nonzeros of Σ⁻¹ and
of Σ⁻¹Σ̇_kΣ⁻¹ = −∂Σ⁻¹/∂θ_k — checked with numpy (dense inverse and central differences of
Σ⁻¹) at other θ than the one the pattern was taken at, for a Kronecker product (its parts'
patterns multiplied) and for leaves at their default (the nonzeros at θ)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from asr_py.vcov import AR1, Diagonal, Identity, Kronecker, Unstructured
from asr_py.vcov.known import KnownMatrix


def _ids(n: int) -> list[str]:
    return [str(i) for i in range(n)]


def _dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)


def _needed(t, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """|Σ⁻¹| + Σ_k |∂Σ⁻¹/∂θ_k| (numpy: dense inverse, central differences) > 0."""
    inv = lambda th: np.linalg.inv(_dense(t.matrix(th)))  # noqa: E731
    out = np.abs(inv(theta))
    for k in range(theta.size):
        e = np.zeros(theta.size)
        e[k] = h
        out += np.abs((inv(theta + e) - inv(theta - e)) / (2 * h))
    return out > 1e-8 * out.max()


KINV = sp.diags([np.full(5, -0.4), np.full(6, 1.5), np.full(5, -0.4)], [-1, 0, 1], format="csc")
CASES = [
    ("ar1 x us, scale", lambda: Kronecker([AR1(_ids(5)), Unstructured(["a", "b"])], scale=True),
     [1.2, 0.4, 1.0, 0.0, 1.5], [0.8, -0.6, 2.0, 0.7, 0.9]),
    ("us x K^-1", lambda: Kronecker([Unstructured(["a", "b"]),
                                     KnownMatrix(KINV, inverse=True, levels=_ids(6))]),
     [1.0, 0.3, 1.2], [2.0, -0.9, 1.1]),
    ("diag x ar1 x id", lambda: Kronecker([Diagonal(_ids(3)), AR1(_ids(4)), Identity(_ids(2))]),
     [1.0, 2.0, 0.5, 0.3], [0.4, 1.3, 2.2, -0.7]),
    ("ar1 alone", lambda: AR1(_ids(6)), [0.5], [0.5]),
    ("us alone", lambda: Unstructured(_ids(3)), [1.0, 0.2, 1.1, 0.1, 0.3, 1.4],
     [1.0, 0.2, 1.1, 0.1, 0.3, 1.4]),
]


@pytest.mark.parametrize("name,make,th0,th1", CASES, ids=[c[0] for c in CASES])
def test_pattern_holds_the_inverse_and_its_derivatives(name, make, th0, th1) -> None:
    t = make()
    pat = t.inverse_pattern(np.array(th0, dtype=float))
    assert pat.shape == (t.n, t.n)
    inside = _dense(pat) != 0
    for th in (th0, th1):
        need = _needed(t, np.array(th, dtype=float))
        assert not np.any(need & ~inside), f"{name}: entries outside the pattern at θ = {th}"
    if name.startswith(("ar1 x", "us x", "diag x")):  # a product: exactly its parts' patterns
        _, ths = t.split(np.array(th0, dtype=float))
        ref = _dense(t.parts[0].inverse_pattern(ths[0]))
        for p, tp in zip(t.parts[1:], ths[1:]):
            ref = np.kron(ref, _dense(p.inverse_pattern(tp)))
        np.testing.assert_array_equal(inside, ref != 0)
        assert inside.sum() < t.n * t.n  # sparser than dense: the point of the override


def test_subset_complement_and_direct_sum_patterns() -> None:
    """ar1 x ar1 with missing plots (Schur-complement path) inside a dsum: the pattern taken
    at the start values holds R⁻¹ and its derivatives at other θ (c16speed: C's pattern must
    not grow because an entry cancelled at the start)."""
    from asr_py.vcov import DirectSum, Subset

    rng = np.random.default_rng(7)
    full = Kronecker([AR1(_ids(20)), AR1(_ids(25))], scale=True)
    drop = np.r_[rng.choice(full.n, 24, replace=False), [0, 1, 25, 26]]  # a 2 x 2 corner
    keep = np.setdiff1d(np.arange(full.n), drop)
    sub = Subset(full, keep)
    th0 = np.array([5.0, 0.1, 0.1])
    pat = sub.inverse_pattern(th0)
    assert sub.mode == "complement"
    inside = _dense(pat) != 0
    for th in (th0, np.array([2.0, 0.7, -0.4]), np.array([1.0, -0.2, 0.85])):
        need = _needed(sub, th)
        assert not np.any(need & ~inside), f"entries outside the pattern at θ = {th}"
    assert inside.sum() < 0.1 * sub.n ** 2
    other = Kronecker([AR1(_ids(3)), AR1(_ids(4))], scale=True)
    n = sub.n + other.n
    order = rng.permutation(n)
    ds = DirectSum([sub, other], [np.sort(order[:sub.n]), np.sort(order[sub.n:])], n)
    dpat = _dense(ds.inverse_pattern(np.r_[th0, 1.0, 0.1, 0.1])) != 0
    for th in (np.r_[th0, 1.0, 0.1, 0.1], np.r_[2.0, 0.7, -0.4, 3.0, -0.5, 0.6]):
        need = _needed(ds, th)
        assert not np.any(need & ~dpat), f"dsum: entries outside the pattern at θ = {th}"
