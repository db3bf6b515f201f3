"""The blocked factor's small-Schur path (c16speed): S = E − B'D⁻¹B from B'D⁻¹B's terms
summed in the panel product's order gives the same digits as the panels (bit for bit), and
the factor agrees with numpy's dense inverse and log-determinant."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from test_blocked_factor import _crossed_c

from asr_py.reml.backends import blocked as blk
from asr_py.reml.backends.blocked import BlockedFactor


def _panels(monkeypatch: pytest.MonkeyPatch, c: sp.csc_matrix) -> BlockedFactor:
    with monkeypatch.context() as mp:
        mp.setattr(blk, "TERMS_MAX_R", -1)  # every S by column panels (the path before)
        f = BlockedFactor(c)
        assert f._an.schur_terms() is None
        return f


@pytest.mark.parametrize("lc", [0, 40])
@pytest.mark.parametrize("panel", [128, 7])
def test_terms_equal_panels_bit_for_bit(lc: int, panel: int,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blk, "PANEL", panel)
    c = _crossed_c(lc=lc)
    ref = _panels(monkeypatch, c)
    s_ref = ref._an.buf.copy()
    f = BlockedFactor(c)
    assert f._an.schur_terms() is not None
    np.testing.assert_array_equal(np.tril(f._an.buf), np.tril(s_ref))
    assert f.logdet() == ref.logdet()
    b = np.random.default_rng(0).normal(size=c.shape[0])
    np.testing.assert_array_equal(f.solve(b), ref.solve(b))
    # and against numpy
    dense = c.toarray()
    assert f.logdet() == pytest.approx(np.linalg.slogdet(dense)[1], rel=1e-12)
    np.testing.assert_allclose(f.solve(b), np.linalg.solve(dense, b), rtol=1e-9, atol=1e-12)


def test_refactor_reuses_the_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    """New values on the same pattern (refactor_lower): the kept terms give the panels' S."""
    c = _crossed_c(lc=30, seed=4)
    f = BlockedFactor(c)
    terms = f._an.schur_terms()
    c2 = c.copy()
    c2.data = c2.data * (1.0 + 0.1 * np.abs(np.sin(np.arange(c2.nnz))))
    c2 = ((c2 + c2.T) * 0.5 + sp.identity(c.shape[0]) * 5.0).tocsc()
    lo = sp.tril(c2, format="csc")
    lo.sort_indices()
    assert np.array_equal(lo.indptr, f._an.indptr) and np.array_equal(lo.indices, f._an.indices)
    g = f.refactor_lower(lo.indptr, lo.indices, lo.data)
    assert g._an is f._an and g._an.schur_terms() is terms
    ref = _panels(monkeypatch, c2)
    np.testing.assert_array_equal(np.tril(g._an.buf), np.tril(ref._an.buf))
    assert g.logdet() == ref.logdet()
