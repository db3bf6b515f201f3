"""Selected inverse with pooled (padded) supernode groups: equal to the one-at-a-time path and
to the dense inverse, for every pooling setting and with or without cached gathers."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from asr_py.reml import selinv
from asr_py.reml.backends.cholmod import CholmodFactor
from asr_py.reml.selinv import SelInvPlan, _pool


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _ainv(n: int, seed: int) -> sp.csc_matrix:
    """Henderson's A⁻¹ of a random pedigree (founders: the first tenth)."""
    rng = np.random.default_rng(seed)
    rows, cols, vals = [], [], []
    nf = max(2, n // 10)
    for i in range(n):
        par = [] if i < nf else list({int(rng.integers(0, i)), int(rng.integers(0, i))})
        if i >= nf and rng.random() < 0.2:
            par = par[:1]  # one parent known
        d = {0: 1.0, 1: 4.0 / 3.0, 2: 2.0}[len(par)]
        idx = [i, *par]
        coef = [1.0] + [-0.5] * len(par)
        for a, ca in zip(idx, coef):
            for b, cb in zip(idx, coef):
                rows.append(a)
                cols.append(b)
                vals.append(d * ca * cb)
    return sp.csc_matrix((vals, (rows, cols)), shape=(n, n))


def _mixed_mme(seed: int) -> sp.csc_matrix:
    """An animal-model C: 3 fixed levels, a pedigree A⁻¹ and a second grouping factor, so
    the factor has supernodes of many shapes (s from 1 to the dense fixed block)."""
    rng = np.random.default_rng(seed)
    na, nm, nrec = 300, 40, 240
    x = sp.csc_matrix((np.ones(nrec), (np.arange(nrec), rng.integers(0, 3, nrec))),
                      shape=(nrec, 3))
    za = sp.csc_matrix((np.ones(nrec), (np.arange(nrec), rng.choice(na, nrec, replace=False))),
                       shape=(nrec, na))
    zm = sp.csc_matrix((np.ones(nrec), (np.arange(nrec), rng.integers(0, nm, nrec))),
                       shape=(nrec, nm))
    w = sp.hstack([x, za, zm], format="csc")
    g = sp.block_diag([sp.csc_matrix((3, 3)), _ainv(na, seed) / 0.7,
                       sp.identity(nm) / 0.3], format="csc")
    return sp.csc_matrix(w.T @ w + g)


def _lower_values(c: sp.csc_matrix, f: CholmodFactor) -> np.ndarray:
    an = f._an
    lm = np.linalg.cholesky(c.toarray()[np.ix_(an.perm, an.perm)])
    return lm[an.l_indices, np.repeat(np.arange(c.shape[0]), np.diff(an.l_indptr))]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("overhead", [0, 60_000, 10**12])
@pytest.mark.parametrize("cache", [True, False])
def test_pooled_groups_match_single_supernodes_and_dense(seed, overhead, cache,
                                                         monkeypatch) -> None:
    c = _mixed_mme(seed)
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(c.shape[0], format="csc"))  # builds the analysis (perm, L)
    an = f._an
    lvals = _lower_values(c, f)
    monkeypatch.setattr(selinv, "GROUP_OVERHEAD", overhead)
    if not cache:
        monkeypatch.setattr(selinv, "GATHER_CACHE_MAX", 0)
    plan = SelInvPlan(an.l_indptr, an.l_indices)
    if overhead == 10**12:  # everything narrow at one depth in one padded group
        assert any(g.pad is not None for g in plan.groups)
        depths = [int(plan.depth[g.sel[0]]) for g in plan.groups if g.batched]
        assert len(depths) == len(set(depths))
    if not cache:
        assert all(g.gather is None for g in plan.groups)
    covered = np.sort(np.concatenate([g.sel for g in plan.groups]))
    np.testing.assert_array_equal(covered, np.arange(plan.nsn))
    z = plan.run(lvals)
    monkeypatch.setattr(selinv, "BATCH_MAX_S", 0)  # every supernode through _one
    plan1 = SelInvPlan(an.l_indptr, an.l_indices)
    assert not any(g.batched for g in plan1.groups)
    z1 = plan1.run(lvals)
    assert _rel(z, z1) < 1e-12
    inv = np.linalg.inv(c.toarray())[np.ix_(an.perm, an.perm)]
    col = np.repeat(np.arange(c.shape[0]), np.diff(an.l_indptr))
    assert _rel(z, inv[an.l_indices, col]) < 1e-10
    assert _rel(plan.run(2.0 * lvals), z / 4.0) < 1e-12  # work arrays reused across runs


def test_padding_keeps_the_zero_and_one_slots() -> None:
    c = _mixed_mme(3)
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(c.shape[0], format="csc"))
    plan = f._an.plan
    w = f._selected().base  # L in, Z out (one array, Z compacted to its front): the slots
    assert w is not None and w.size == plan.size + 2  # survive a run
    assert w[plan.size] == 0.0 and w[plan.size + 1] == 1.0
    for g in plan.groups:
        if g.pad is not None:
            lidx, src, dst = g.pad
            assert lidx.size == g.sel.size * (g.s + g.r) * g.s
            assert np.all(dst < plan.size) and np.unique(dst).size == dst.size
            # every real position of the group's blocks is written exactly once
            ld, s = plan.ld[g.sel], plan.s[g.sel]
            assert dst.size == int(np.sum(ld * s))


def test_pool_opens_groups_by_cost() -> None:
    s = np.array([1, 1, 16, 16])
    r = np.array([2, 3, 30, 2])
    cnt = np.array([50, 50, 1, 1])
    groups = _pool(s, r, cnt)
    assert sorted(i for g in groups for i in g[2]) == [0, 1, 2, 3]
    one_col = [g for g in groups if 0 in g[2]][0]
    assert 1 in one_col[2] and one_col[0] == 1 and one_col[1] == 3  # padded r 2 -> 3
    assert not any(0 in g[2] and 2 in g[2] for g in groups)  # s = 1 not padded to 16


def test_not_positive_definite_block_raises() -> None:
    c = _mixed_mme(4)
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(c.shape[0], format="csc"))
    an = f._an
    lvals = _lower_values(c, f).copy()
    plan = SelInvPlan(an.l_indptr, an.l_indices)
    g = next(g for g in plan.groups if g.batched and g.s > 1)
    j = int(g.sel[-1])
    lvals[an.l_indptr[plan.starts[j]]] = -1.0  # a diagonal entry of L
    with pytest.raises(np.linalg.LinAlgError):
        plan.run(lvals)


@pytest.mark.parametrize("potri_min", [1, 10**9])
def test_dpotri_path_matches_dense(potri_min, monkeypatch) -> None:
    """Wide supernodes through dpotri (its upper triangle left unsymmetrized: only Z's lower
    triangle is read) and through dtrtri + gemm give the dense inverse on L's pattern."""
    c = _mixed_mme(2)
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(c.shape[0], format="csc"))
    an = f._an
    monkeypatch.setattr(selinv, "BATCH_MAX_S", 0)  # every supernode through _one
    monkeypatch.setattr(selinv, "POTRI_MIN_S", potri_min)
    plan = SelInvPlan(an.l_indptr, an.l_indices)
    assert potri_min > 1 or np.any(plan.s > 1)  # some supernode takes the dpotri branch
    lvals = _lower_values(c, f)
    z = plan.run(lvals)
    inv = np.linalg.inv(c.toarray())[np.ix_(an.perm, an.perm)]
    col = np.repeat(np.arange(c.shape[0]), np.diff(an.l_indptr))
    assert _rel(z, inv[an.l_indices, col]) < 1e-10
    # Z overwrote L in the work array (the root in place): a second run, whose L_JJ blocks
    # hold the last Z above their diagonal, reads their lower triangles only
    assert _rel(plan.run(3.0 * lvals), z / 9.0) < 1e-12


def test_load_then_run_and_run_needs_values() -> None:
    """``load`` + ``run()`` (L's values freed in between) equals ``run(ldata)``; a run without
    values, or a second run of the same load (the work array then holds Z), is refused."""
    c = _mixed_mme(5)
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(c.shape[0], format="csc"))
    an = f._an
    lvals = _lower_values(c, f)
    plan = SelInvPlan(an.l_indptr, an.l_indices)
    with pytest.raises(ValueError, match="needs L's values"):
        plan.run()
    z = plan.run(lvals)
    plan.load(lvals.copy())
    np.testing.assert_array_equal(plan.run(), z)
    with pytest.raises(ValueError, match="needs L's values"):
        plan.run()
    assert plan.scatter.dtype == np.int32  # positions: half the memory of int64
    tri = [g for g in plan.groups if g.gather is not None and g.r > 1]
    assert tri and all(g.gather.shape == (g.sel.size, g.r * (g.r + 1) // 2) for g in tri)


@pytest.mark.parametrize("batch_max_s", [0, 48])
def test_packed_z_rr_path_matches_dense(batch_max_s, monkeypatch) -> None:
    """Z_RR unpacked from its stored triangle by LAPACK (dtpttr) and applied by dsymm (the
    path of supernodes with many rows below) gives the dense inverse on L's pattern, one at
    a time and stacked, over two runs of the same work array."""
    c = _mixed_mme(6)
    f = CholmodFactor(c)
    f.inverse_on(sp.identity(c.shape[0], format="csc"))
    an = f._an
    monkeypatch.setattr(selinv, "TRIANGLE_MAP_MAX_R", 0)
    monkeypatch.setattr(selinv, "BATCH_MAX_S", batch_max_s)
    plan = SelInvPlan(an.l_indptr, an.l_indices)
    assert any(g.r > 1 for g in plan.groups)
    lvals = _lower_values(c, f)
    z = plan.run(lvals)
    inv = np.linalg.inv(c.toarray())[np.ix_(an.perm, an.perm)]
    col = np.repeat(np.arange(c.shape[0]), np.diff(an.l_indptr))
    assert _rel(z, inv[an.l_indices, col]) < 1e-10
    assert _rel(plan.run(0.5 * lvals), 4.0 * z) < 1e-12
