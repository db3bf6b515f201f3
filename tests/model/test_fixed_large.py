"""Fixed designs of breeding size (thousands of genotype levels as fixed effects).

The aliasing rule (keep, in order, each column not a combination of the kept columns before
it) is checked against an independent reference: numpy's rank of X[:, kept + [j]] column by
column (an SVD; shares no code with the blocked factor or the null-space route). The large
design kept sparse gives the same columns, names and aliased list as the dense path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from asr_py.model import size
from asr_py.model.alias_sparse import aliased_by_null_space
from asr_py.model.fixed import _null_basis, independent_columns
from asr_py.model.spec import compile_model
from asr_py.reml import sparse_x
from asr_py.reml.sparse_x import null_basis_from_aliasing


def _reference_keep(X: np.ndarray) -> np.ndarray:
    """Column j kept when rank(X[:, kept + j]) > rank(X[:, kept]) (numpy SVD ranks)."""
    keep = np.zeros(X.shape[1], dtype=bool)
    kept: list[int] = []
    for j in range(X.shape[1]):
        r0 = np.linalg.matrix_rank(X[:, kept]) if kept else 0
        if np.linalg.matrix_rank(X[:, kept + [j]]) > r0:
            kept.append(j)
            keep[j] = True
    return keep


def _ind(f: np.ndarray, drop: bool) -> np.ndarray:
    m = np.zeros((f.size, f.max() + 1))
    m[np.arange(f.size), f] = 1.0
    return m[:, 1:] if drop else m


def _design(seed: int) -> np.ndarray:
    """An intercept, a factor, a factor confounded with it (nested coarser copy), a
    covariate and a multiple of it plus the intercept, an interaction with empty cells,
    and a zero column, in a random order of blocks."""
    rng = np.random.default_rng(seed)
    n = 120
    f1 = rng.integers(0, 9, n)
    f2 = f1 // 3  # confounded: f2's indicators are sums of f1's
    f3 = rng.integers(0, 4, n)
    x = rng.normal(size=n)
    cell = f3 * 10 + f2
    cell[(f3 == 1) & (f2 == 2)] = 0  # empty cells
    parts = [_ind(f1, True), _ind(f2, True), _ind(f3, False), np.c_[x, 2 * x + 1],
             _ind(cell, False)[:, np.unique(cell)], np.zeros((n, 1))]
    order = rng.permutation(len(parts))
    return np.hstack([np.ones((n, 1))] + [parts[i] for i in order])


@pytest.mark.parametrize("seed", range(6))
def test_aliasing_rule_against_numpy_ranks(seed: int) -> None:
    X = _design(seed)
    want = _reference_keep(X)
    assert (~want).sum() >= 4  # confounded, collinear, empty-cell and zero columns
    np.testing.assert_array_equal(independent_columns(X), want)
    for block in (1, 3, 17):  # the blocked factor at any block size
        np.testing.assert_array_equal(independent_columns(X, block=block), want)
    np.testing.assert_array_equal(independent_columns(sp.csc_matrix(X)), want)
    quick = aliased_by_null_space(sp.csc_matrix(X))
    assert quick is not None
    np.testing.assert_array_equal(quick, want)


def test_null_basis_from_aliasing_spans_the_null_space() -> None:
    X = _design(3)
    keep = _reference_keep(X)
    n1 = null_basis_from_aliasing(sp.csc_matrix(X), keep)
    n2 = _null_basis(X)
    assert n1.shape == n2.shape == (X.shape[1], (~keep).sum())
    np.testing.assert_allclose(n1.T @ n1, np.eye(n1.shape[1]), atol=1e-10)
    np.testing.assert_allclose(X @ n1, 0.0, atol=1e-9)
    # the same subspace: projections agree
    np.testing.assert_allclose(n1 @ n1.T, n2 @ n2.T, atol=1e-8)


def _genotypes(n_gen: int = 420, n: int = 1600, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gen = rng.integers(0, n_gen, n)
    env = rng.integers(0, 6, n)
    loc = env // 2  # confounded with env
    trt = rng.integers(0, 3, n)
    keep = ~((env == 4) & (trt == 2))  # an empty env x trt cell
    df = pd.DataFrame({"gen": [f"G{g:04d}" for g in gen], "env": [f"E{e}" for e in env],
                       "loc": [f"L{v}" for v in loc], "trt": [f"T{t}" for t in trt],
                       "x": rng.normal(size=n)})[keep].reset_index(drop=True)
    df["y"] = rng.normal(size=len(df))
    return df


FORMULA = "y ~ env + loc + x + env:trt + gen"


def test_large_design_sparse_equals_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    df = _genotypes()
    m_sparse = compile_model(FORMULA, data=df)
    assert sp.issparse(m_sparse.fixed.X) and m_sparse.fixed.X.shape[1] > 400
    monkeypatch.setattr(sparse_x, "SPARSE_X_MIN_COLUMNS", 10**9)  # the dense path
    m_dense = compile_model(FORMULA, data=df)
    assert isinstance(m_dense.fixed.X, np.ndarray)
    assert m_sparse.fixed.names == m_dense.fixed.names
    assert m_sparse.fixed.aliased == m_dense.fixed.aliased
    assert any(a.startswith("loc_") for a in m_dense.fixed.aliased)  # confounded with env
    assert any(a.startswith("env_E4:trt_T2") for a in m_dense.fixed.aliased)  # empty cell
    np.testing.assert_array_equal(m_sparse.fixed.X.toarray(), m_dense.fixed.X)
    # the kept columns are the numpy-rank reference's
    full = np.asarray(m_dense.fixed.all_X)
    keep = _reference_keep(full[:, :40])  # a prefix: its aliasing depends on it alone
    all_names = m_dense.fixed.all_names
    assert [nm for nm, k in zip(all_names[:40], keep) if not k] == \
        [a for a in m_dense.fixed.aliased if all_names.index(a) < 40]
    n_s, n_d = m_sparse.fixed.null_basis, m_dense.fixed.null_basis
    np.testing.assert_allclose(n_s @ n_s.T, n_d @ n_d.T, atol=1e-8)


def test_row_order_and_level_labels() -> None:
    df = _genotypes(seed=5)
    base = compile_model(FORMULA, data=df)
    perm = np.random.default_rng(1).permutation(len(df))
    shuffled = compile_model(FORMULA, data=df.iloc[perm].reset_index(drop=True))
    assert shuffled.fixed.names == base.fixed.names
    assert shuffled.fixed.aliased == base.fixed.aliased
    # relabelled genotypes (the same sort order): the same columns under the new names
    relab = df.assign(gen=df["gen"].str.replace("G", "geno_", regex=False))
    m2 = compile_model(FORMULA, data=relab)
    assert [nm.replace("geno_", "G") for nm in m2.fixed.names] == base.fixed.names
    assert m2.fixed.aliased == base.fixed.aliased
    np.testing.assert_array_equal(m2.fixed.X.toarray(), base.fixed.X.toarray())


def test_size_estimate_from_the_sparse_design(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASR_PY_MEMORY_LIMIT", "4G")  # the budget: max(2 GiB, half of it)
    # 6 307 factor columns: 100 000 records refused as a dense X (5 GiB), accepted sparse
    terms = [("(Intercept)", 1), ("accenumb", 6306)]
    with pytest.raises(Exception, match="6,307 columns for 100,000 records"):
        size.check_fixed_size(100_000, terms)  # no non-zero count: a dense X
    size.check_fixed_size(100_000, terms, nnz=2 * 100_000)
    with pytest.raises(Exception, match="19,684 columns"):
        size.check_fixed_size(1000, [("(Intercept)", 1), ("a:b", 19_683)], nnz=2000)
