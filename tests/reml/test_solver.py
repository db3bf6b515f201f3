"""Dense and sparse factor backends against numpy on random SPD matrices."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from asr_py.reml import DenseFactor, SparseFactor, factorize
from asr_py.reml.solver import NotPositiveDefinite, choose_backend


def _spd(n: int, seed: int) -> sp.csc_matrix:
    rng = np.random.default_rng(seed)
    a = sp.random(n, n, density=0.05, random_state=seed, format="csc")
    m = (a @ a.T + sp.diags(rng.uniform(1, 2, n))).tocsc()
    return m


@pytest.mark.parametrize("cls", [DenseFactor, SparseFactor])
def test_factor_matches_numpy(cls) -> None:
    c = _spd(120, 1)
    cd = c.toarray()
    f = cls(c) if cls is DenseFactor else cls(c, block=17)
    inv = np.linalg.inv(cd)
    b = np.random.default_rng(2).normal(size=(120, 3))
    np.testing.assert_allclose(f.solve(b), inv @ b, rtol=1e-9, atol=1e-12)
    assert f.logdet() == pytest.approx(np.linalg.slogdet(cd)[1], rel=1e-12)
    sel = f.inverse_on(c)
    mask = cd != 0
    np.testing.assert_allclose(sel.toarray()[mask], inv[mask], rtol=1e-9, atol=1e-13)
    assert np.all(sel.toarray()[~mask] == 0)
    rows = np.array([3, 50, 7, 119])
    np.testing.assert_allclose(f.inverse_block(rows), inv[np.ix_(rows, rows)], rtol=1e-9)
    g = f.refactor(c * 2.0)
    assert g.logdet() == pytest.approx(f.logdet() + 120 * np.log(2.0), rel=1e-12)


@pytest.mark.parametrize("backend", ["dense", "sparse"])
def test_not_positive_definite_is_detected(backend: str) -> None:
    c = sp.csc_matrix(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(NotPositiveDefinite):
        factorize(c, backend)


def test_choose_backend() -> None:
    assert choose_backend(sp.identity(10, format="csc"), "auto") == "dense"
    assert choose_backend(sp.identity(5000, format="csc"), "auto") == "sparse"
    assert choose_backend(sp.identity(10, format="csc"), "sparse") == "sparse"
    with pytest.raises(ValueError, match="solver"):
        choose_backend(sp.identity(3, format="csc"), "cholmod")
