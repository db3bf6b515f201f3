"""The selected inverse from CHOLMOD's supernodal factor read in place
(asr_py/reml/backends/supernodal.py) against a dense inverse and against the getfactor path;
the factor's values dropped and its analysis kept; Z compacted in the work array."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from cvxopt import cholmod

from asr_py.reml import selinv
from asr_py.reml.backends import supernodal
from asr_py.reml.backends.cholmod import CholmodFactor


def _crossed_mme(seed: int, n: int = 3_000, la: int = 60, lb: int = 400,
                 lc: int = 30) -> sp.csc_matrix:
    """C = W'W + blockdiag(0, I/0.5, I/0.8, I/2) of y ~ 1 + a + b + c (crossed, unbalanced):
    a dense Schur complement on a and c, the shape of the large crossed goal problems."""
    rng = np.random.default_rng(seed)
    rec = np.arange(n)
    parts = [sp.csc_matrix(np.ones((n, 1)))]
    for lev in (la, lb, lc):
        parts.append(sp.csc_matrix((np.ones(n), (rec, rng.integers(0, lev, n))), (n, lev)))
    w = sp.hstack(parts, format="csc")
    g = sp.block_diag([sp.csc_matrix((1, 1)), sp.identity(la) / 0.5, sp.identity(lb) / 0.8,
                       sp.identity(lc) / 2.0], format="csc")
    return sp.csc_matrix(w.T @ w + g)


def test_selected_inverse_matches_dense_inverse_on_the_pattern() -> None:
    c = _crossed_mme(1)
    f = CholmodFactor(c)
    z = f.inverse_on(c)
    dense = np.linalg.inv(c.toarray())
    cc = c.tocoo()
    assert np.allclose(np.asarray(z[cc.row, cc.col]).ravel(), dense[cc.row, cc.col],
                       rtol=1e-10, atol=1e-13)
    # the factor's own supernodes: CHOLMOD's relaxed ones (columns per block)
    assert f._an.plan.s.max() > 1


def test_supernodal_path_equals_getfactor_path(monkeypatch: pytest.MonkeyPatch) -> None:
    c = _crossed_mme(2)
    z_sn = CholmodFactor(c).inverse_on(c).toarray()
    monkeypatch.setattr(supernodal, "view", lambda f, n: None)
    z_gf = CholmodFactor(c).inverse_on(c).toarray()
    assert np.max(np.abs(z_sn - z_gf)) <= 1e-12 * np.max(np.abs(z_gf))


def test_values_dropped_analysis_kept_and_solves_still_right() -> None:
    c = _crossed_mme(3)
    f = CholmodFactor(c)
    ld = f.logdet()
    f.inverse_on(sp.identity(c.shape[0], format="csc"))
    an = f._an
    assert an.symbolic is not None  # not consumed (getfactor would have)
    assert supernodal.view(an.symbolic, f.n) is None  # its values were dropped
    calls = []
    real = cholmod.symbolic

    def spy(*a, **k):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        return real(*a, **k)

    cholmod.symbolic = spy
    try:
        b = np.arange(c.shape[0], dtype=float)
        x = f.solve(b)  # one numeric factorization on the kept analysis, no new analysis
        f2 = f.refactor(c * 2.0)
        assert abs(f2.logdet() - (ld + c.shape[0] * np.log(2.0))) < 1e-8 * abs(ld)
    finally:
        cholmod.symbolic = real
    assert not calls
    assert np.allclose(c @ x, b, rtol=0, atol=1e-9 * np.abs(b).max())


def test_earlier_factor_keeps_its_selected_inverse() -> None:
    # the plan gives Z's work array away: a later run must not write into it
    c = _crossed_mme(4)
    f1 = CholmodFactor(c)
    z1 = f1._selected().copy()
    f2 = f1.refactor(c * 3.0)
    z2 = f2._selected()
    assert np.array_equal(f1._selected(), z1)
    assert np.max(np.abs(z2 - z1 / 3.0)) <= 1e-11 * np.max(np.abs(z1))  # (3C)⁻¹ = C⁻¹/3


def test_view_reads_the_supernodal_layout() -> None:
    c = _crossed_mme(5, n=400, la=10, lb=50, lc=5)
    f = CholmodFactor(c)
    sn = supernodal.view(f._own(), f.n)
    assert sn is not None
    n = f.n
    low = np.zeros((n, n))
    for k in range(sn.super.size - 1):
        c0, c1 = int(sn.super[k]), int(sn.super[k + 1])
        rows = sn.s[sn.pi[k]:sn.pi[k + 1]]
        blk = sn.x[sn.px[k]:sn.px[k + 1]].reshape(c1 - c0, rows.size).T
        for j in range(c1 - c0):
            low[rows[j:], c0 + j] = blk[j:, j]
    perm = f._an.perm
    assert np.allclose(low @ low.T, c.toarray()[np.ix_(perm, perm)], rtol=0, atol=1e-10)
    indptr, indices = supernodal.lower_pattern(sn)
    col = np.repeat(np.arange(n), np.diff(indptr))
    assert indices.size == indptr[-1] and np.all(indices >= col)
    assert np.all(low[np.abs(low) > 0] != 0) and np.all(
        np.isin(np.flatnonzero(low.T.ravel() != 0), col * n + indices))


def test_compact_equals_the_gather() -> None:
    rng = np.random.default_rng(6)
    nnz = 5_000
    scatter = np.cumsum(rng.integers(1, 4, nnz)) - 1  # increasing, scatter[p] >= p
    assert np.all(scatter >= np.arange(nnz))
    w = rng.normal(size=int(scatter[-1]) + 3)
    expect = w[scatter].copy()
    old = selinv.COMPACT_CHUNK
    try:
        selinv.COMPACT_CHUNK = 97  # several chunks
        out = selinv._compact(w, scatter.astype(np.int32))
    finally:
        selinv.COMPACT_CHUNK = old
    assert np.shares_memory(out, w) and np.array_equal(out, expect)


def test_crossed_fit_equals_the_getfactor_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # a whole REML fit (score traces from Z, Var(β̂) from its root block) through the
    # supernodal read and through getfactor: the same estimates to round-off
    import pandas as pd

    import asr_py as asr

    rng = np.random.default_rng(7)
    n, la, lb = 4_000, 60, 300
    ia, ib = rng.integers(0, la, n), rng.integers(0, lb, n)
    y = 5 + rng.normal(0, 1.0, la)[ia] + rng.normal(0, 0.7, lb)[ib] + rng.normal(0, 1.4, n)
    df = pd.DataFrame({"y": y, "a": [f"a{i}" for i in ia], "b": [f"b{i}" for i in ib]})
    kw = dict(fixed="y ~ 1", random="~ a + b", data=df, solver="sparse")
    real, read = supernodal.view, []

    def spy(f, n):  # noqa: ANN001, ANN202
        sn = real(f, n)
        read.append(sn is not None)
        return sn

    monkeypatch.setattr(supernodal, "view", spy)
    m1 = asr.asreml(**kw)
    assert read and all(read)  # every selected inverse of this fit read CHOLMOD in place
    monkeypatch.setattr(supernodal, "view", lambda f, n: None)
    m2 = asr.asreml(**kw)
    assert m1.converged and m2.converged
    assert abs(m1.loglik - m2.loglik) <= 1e-10 * abs(m2.loglik)
    v1, v2 = m1.varcomp["component"].to_numpy(), m2.varcomp["component"].to_numpy()
    assert np.allclose(v1, v2, rtol=1e-8, atol=0)
