"""The blocked backend (reml/backends/blocked.py): C = [[D, B], [B', E]] with D diagonal and
a dense Schur complement, checked against a dense inverse (numpy) and whole crossed fits
against solver='sparse' (CHOLMOD), which shares no code with it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import asr_py as asr
from asr_py.errors import ModelError
from asr_py.reml import counters
from asr_py.reml.backends import blocked as blk
from asr_py.reml.backends.blocked import BlockedFactor, independent_set, prefer_blocked
from asr_py.reml.solver import NotPositiveDefinite, choose_backend, factorize


def _crossed_c(n: int = 600, la: int = 25, lb: int = 90, lc: int = 0, seed: int = 1,
               ) -> sp.csc_matrix:
    """C = W'W + blockdiag(0, G⁻¹) of y ~ 1 + x with crossed a, b (and c)."""
    rng = np.random.default_rng(seed)
    cols = [sp.csr_matrix(np.c_[np.ones(n), rng.normal(size=n)])]
    lam = [0.0, 0.0]
    for k, ratio in ((la, 2.0), (lb, 3.0), (lc, 5.0)):
        if k:
            g = rng.integers(0, k, n)
            cols.append(sp.csr_matrix((np.ones(n), (np.arange(n), g)), shape=(n, k)))
            lam += [ratio] * k
    w = sp.hstack(cols).tocsc()
    return (w.T @ w + sp.diags(lam)).tocsc()


def _pedigree_c(n: int = 2000, seed: int = 2) -> sp.csc_matrix:
    """An animal model's C: y ~ 1, one record per animal, A⁻¹ of a random pedigree
    (Henderson's rules with both parents known for the later animals)."""
    rng = np.random.default_rng(seed)
    rows, cols, vals = [], [], []
    for i in range(n):
        if i < n // 10:
            rows.append(i), cols.append(i), vals.append(1.0)
            continue
        s, d = rng.integers(0, i, 2)
        for a, b, v in ((i, i, 2.0), (s, s, 0.5), (d, d, 0.5), (i, s, -1.0), (s, i, -1.0),
                        (i, d, -1.0), (d, i, -1.0), (s, d, 0.5), (d, s, 0.5)):
            rows.append(a), cols.append(b), vals.append(v)
    ainv = sp.csc_matrix((vals, (rows, cols)), shape=(n, n))
    x = np.ones((n, 1))
    w = sp.hstack([sp.csr_matrix(x), sp.identity(n, format="csr")]).tocsc()
    return (w.T @ w + sp.block_diag([sp.csc_matrix((1, 1)), 2.0 * ainv])).tocsc()


def test_partition_is_the_largest_crossed_factor() -> None:
    c = _crossed_c()
    f = BlockedFactor(c)
    # the 90 levels of b (the thin factor) are D; a, the intercept and x are E
    assert f._an.d_idx.size == 90 and f._an.r == 2 + 25
    np.testing.assert_array_equal(f._an.d_idx, np.arange(27, 117))


def test_independent_set_is_maximal_and_greedy() -> None:
    rng = np.random.default_rng(3)
    n = 300
    m = sp.random(n, n, density=0.02, random_state=rng, format="coo")
    m = sp.tril(m + m.T + sp.identity(n), format="csc")
    m.sum_duplicates()
    m.sort_indices()
    mask = independent_set(m.indptr, m.indices, n)
    g = (m + m.T).tocsr()
    g.setdiag(0)
    g.eliminate_zeros()
    adj = [set(g.indices[g.indptr[i]:g.indptr[i + 1]]) for i in range(n)]
    chosen = set(np.flatnonzero(mask))
    assert all(not (adj[i] & chosen) for i in chosen)  # independent
    assert all(adj[i] & chosen for i in range(n) if i not in chosen)  # maximal
    # the sequential greedy by (degree, index) gives the same set
    deg = np.array([len(a) for a in adj])
    seq: set[int] = set()
    out: set[int] = set()
    for i in np.lexsort((np.arange(n), deg)):
        if i not in out:
            seq.add(int(i))
            out |= adj[i]
    assert seq == chosen


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("lc", [0, 12])
def test_every_method_against_a_dense_inverse(lc: int, packed: bool) -> None:
    # with an isolated equation (a D equation without entries in B)
    c = sp.block_diag([_crossed_c(lc=lc), sp.csc_matrix([[2.5]])], format="csc")
    cd = c.toarray()
    inv = np.linalg.inv(cd)
    n = cd.shape[0]
    f = BlockedFactor(c, packed=packed)
    assert f.name == ("blocked-packed" if packed else "blocked") and f.kind == "sparse"
    np.testing.assert_allclose(f.logdet(), np.linalg.slogdet(cd)[1], rtol=1e-13)
    rng = np.random.default_rng(4)
    b = rng.normal(size=n)
    np.testing.assert_allclose(f.solve(b), np.linalg.solve(cd, b), rtol=1e-10, atol=1e-12)
    bm = rng.normal(size=(n, 3))
    np.testing.assert_allclose(f.solve(bm), np.linalg.solve(cd, bm), rtol=1e-10, atol=1e-12)
    # every kind of entry: E-E, D-E on and off B's pattern, D-D diagonal and off-diagonal
    r, cc = rng.integers(0, n, 4000), rng.integers(0, n, 4000)
    r = np.r_[r, np.arange(n)]
    cc = np.r_[cc, np.arange(n)]
    np.testing.assert_allclose(f.inverse_entries(r, cc), inv[r, cc], rtol=1e-10, atol=1e-13)
    # solves after the selected inverse (S⁻¹ then in the buffer) are unchanged
    np.testing.assert_allclose(f.solve(bm), np.linalg.solve(cd, bm), rtol=1e-10, atol=1e-12)
    on = f.inverse_on(c).toarray()
    mask = cd != 0
    np.testing.assert_allclose(on[mask], inv[mask], rtol=1e-10, atol=1e-13)
    assert np.all(on[~mask] == 0)
    rows = np.array([0, 1, 5, 40, 100, n - 1])  # fixed effects, an a level, b levels
    np.testing.assert_allclose(f.inverse_block(rows), inv[np.ix_(rows, rows)], rtol=1e-10,
                               atol=1e-13)


def test_large_inverse_block_by_the_block_formulas() -> None:
    """inverse_block of thousands of rows (a fixed factor of breeding size in D) by
    M S⁻¹ M' + D⁻¹, −M S⁻¹, S⁻¹: the dense inverse's entries, rows in any order."""
    c = sp.block_diag([_crossed_c(n=2500, la=20, lb=2100), sp.csc_matrix([[2.5]])],
                      format="csc")
    inv = np.linalg.inv(c.toarray())
    f = BlockedFactor(c)
    rows = np.random.default_rng(5).permutation(c.shape[0])[:2050]  # > 2 000: the formulas
    assert np.any(f._an.d_idx[:, None] == rows) and np.any(f._an.e_idx[:, None] == rows)
    np.testing.assert_allclose(f.inverse_block(rows), inv[np.ix_(rows, rows)], rtol=1e-9,
                               atol=1e-13)


@pytest.mark.parametrize("packed", [False, True])
def test_refactor_shares_the_buffer_and_the_old_factor_stays_right(packed: bool) -> None:
    c = _crossed_c()
    c2 = (c + sp.diags(np.linspace(0.5, 1.5, c.shape[0]))).tocsc()
    f = BlockedFactor(c, packed=packed)
    g = f.refactor(c2)
    assert g._an is f._an and g._an.buf is f._an.buf  # one r x r array for both
    assert g._an.rfp is f._an.rfp and (g._an.rfp is not None) == packed
    low = sp.tril(c2, format="csc")
    h = f.refactor_lower(low.indptr, low.indices, low.data)
    assert h._an is f._an
    inv, inv2 = np.linalg.inv(c.toarray()), np.linalg.inv(c2.toarray())
    b = np.arange(c.shape[0], dtype=float)
    # f's values were overwritten by g and h: it re-forms its own S when used again
    np.testing.assert_allclose(f.solve(b), inv @ b, rtol=1e-10)
    np.testing.assert_allclose(g.inverse_block(np.arange(3)), inv2[:3, :3], rtol=1e-10)
    np.testing.assert_allclose(f.inverse_block(np.arange(3)), inv[:3, :3], rtol=1e-10)
    np.testing.assert_allclose(h.solve(b), inv2 @ b, rtol=1e-10)
    np.testing.assert_allclose(f.solve(b), inv @ b, rtol=1e-10)
    np.testing.assert_allclose(h.logdet(), np.linalg.slogdet(c2.toarray())[1], rtol=1e-13)


@pytest.mark.parametrize("packed", [False, True])
def test_not_positive_definite(packed: bool) -> None:
    c = _crossed_c()
    # D positive, the Schur complement indefinite
    bad = c.tolil()
    bad[1, 1] = -5.0
    with pytest.raises(NotPositiveDefinite, match="Schur"):
        BlockedFactor(bad.tocsc(), packed=packed)
    # a non-positive entry of the diagonal block
    bad = c.tolil()
    bad[50, 50] = 0.0
    with pytest.raises(NotPositiveDefinite, match="diagonal block"):
        BlockedFactor(bad.tocsc())


def test_memory_refusal(monkeypatch) -> None:
    c = _crossed_c()
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", "1K")
    with pytest.raises(ModelError, match=r"Schur complement.*27 x 27"):
        BlockedFactor(c)
    assert not prefer_blocked(c)  # 'auto' then keeps CHOLMOD


def test_auto_picks_blocked_for_crossed_only() -> None:
    crossed = _crossed_c(n=3000, la=60, lb=800)
    assert prefer_blocked(crossed)
    assert choose_backend(crossed, "auto") == "blocked"
    # an animal model (pedigree): its independent set leaves a sparse Schur complement
    ped = _pedigree_c()
    assert not prefer_blocked(ped)
    assert choose_backend(ped, "auto") == "sparse"
    # a banded matrix (splines, ar1): sparse
    n = 2000
    band = sp.diags([np.full(n - 1, -1.0), np.full(n, 4.0), np.full(n - 1, -1.0)],
                    [-1, 0, 1], format="csc")
    assert choose_backend(band, "auto") == "sparse"
    # the Schur complement's size limit
    assert blk.BLOCKED_MAX_SCHUR >= 1000
    f = factorize(crossed, "blocked")
    np.testing.assert_allclose(f.logdet(), factorize(crossed, "sparse").logdet(), rtol=1e-12)


# ------------------------------------------------------------------------------------------
# whole fits against CHOLMOD
# ------------------------------------------------------------------------------------------
def _data(n: int = 1500, la: int = 30, lb: int = 400, lc: int = 0, seed: int = 7
          ) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # unbalanced: level frequencies from a skewed distribution
    pa = rng.dirichlet(np.full(la, 0.7))
    a = rng.choice(la, n, p=pa)
    b = rng.integers(0, lb, n)
    x = rng.normal(size=n)
    y = 3.0 + 0.5 * x + rng.normal(0, 1.0, la)[a] + rng.normal(0, 0.7, lb)[b] \
        + rng.normal(0, 1.2, n)
    df = pd.DataFrame({"a": [f"a{i}" for i in a], "b": [f"b{i}" for i in b], "x": x})
    if lc:
        c = rng.integers(0, lc, n)
        y = y + rng.normal(0, 0.5, lc)[c]
        df["c"] = [f"c{i}" for i in c]
    df["y"] = y
    df["w"] = rng.uniform(0.5, 2.0, n)
    return df


def _same(f1, f2) -> None:
    r1, r2 = f1.result, f2.result
    assert abs(r1.loglik - r2.loglik) <= 1e-10 * abs(r2.loglik)
    np.testing.assert_allclose(r1.theta, r2.theta, rtol=1e-10, atol=0)


CASES = {
    "two factors": dict(fixed="y ~ 1", random="~ a + b"),
    "three factors": dict(fixed="y ~ 1", random="~ a + b + c"),
    "fixed covariate": dict(fixed="y ~ 1 + x", random="~ a + b"),
    "weights": dict(fixed="y ~ 1 + x", random="~ a + b", weights="w"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_fit_equals_sparse(case: str) -> None:
    df = _data(lc=15 if "c" in CASES[case]["random"] else 0)
    kw = dict(CASES[case], data=df)
    fb = asr.asreml(**kw, solver="blocked")
    fs = asr.asreml(**kw, solver="sparse")
    assert fb.result.solver == "blocked" and fs.result.solver == "sparse"
    _same(fb, fs)
    _same(asr.asreml(**kw, solver="blocked-packed"), fs)
    # 'auto' takes the blocked backend on this crossed design
    assert asr.asreml(**kw).result.solver == "blocked"


def test_fit_with_empty_cells_and_row_order() -> None:
    df = _data()
    # empty a x b cells: one frequent a level loses all its records with half of the b levels
    top = df["a"].value_counts().index[0]
    bl = sorted(set(df["b"]))
    df = df[~((df["a"] == top) & df["b"].isin(bl[::2]))].reset_index(drop=True)
    assert (df["a"] == top).any()
    # an unused category of b (dropped from the model, as by the sparse backend)
    df["b"] = pd.Categorical(df["b"], categories=sorted(set(df["b"])) + ["b_empty"])
    kw = dict(fixed="y ~ 1 + x", random="~ a + b")
    fb = asr.asreml(**kw, data=df, solver="blocked")
    _same(fb, asr.asreml(**kw, data=df, solver="sparse"))
    shuffled = df.sample(frac=1.0, random_state=11).reset_index(drop=True)
    fr = asr.asreml(**kw, data=shuffled, solver="blocked")
    assert abs(fr.result.loglik - fb.result.loglik) <= 1e-10 * abs(fb.result.loglik)
    np.testing.assert_allclose(fr.result.theta, fb.result.theta, rtol=1e-8)


def test_blocked_steps_are_counted() -> None:
    """bench_goals' per-fit counts include the blocked backend: one factorization per
    Schur complement formed, one selected inverse per S⁻¹ formed."""
    rng = np.random.default_rng(5)
    n, r = 40, 6
    b = sp.random(n, r, density=0.4, random_state=rng, format="csr")
    d = sp.diags(rng.uniform(2.0, 3.0, n) + np.asarray(abs(b).sum(axis=1)).ravel())
    e = sp.csr_matrix(np.eye(r) * (n + 5.0))
    c = sp.bmat([[d, b], [b.T, e]], format="csc")
    before = counters.snapshot()
    f = BlockedFactor(c)
    f.inverse_block(np.arange(n, n + r))
    after = counters.snapshot()
    assert after["factorizations"] - before["factorizations"] == 1
    assert after["selected_inverses"] - before["selected_inverses"] == 1
    np.testing.assert_allclose(f.inverse_block(np.arange(n, n + r)),
                               np.linalg.inv(c.toarray())[n:, n:], rtol=1e-10, atol=1e-12)
