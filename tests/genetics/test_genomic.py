"""Genomic relationship matrices (VanRaden / scaled) and G-inverse."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from asr_py.errors import DataError, MatrixError
from asr_py.genetics import RelMatrix, amatrix, ginverse, gmatrix


def _markers(n: int = 30, m: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.1, 0.9, m)
    return rng.binomial(2, p, size=(n, m)).astype(float)


def _vanraden_by_loops(X: np.ndarray) -> np.ndarray:
    """G_ij = sum_k (x_ik - 2p_k)(x_jk - 2p_k) / (2 sum_k p_k (1 - p_k)), element by element."""
    n, m = X.shape
    p = [sum(X[:, k]) / (2 * n) for k in range(m)]
    den = 2 * sum(pk * (1 - pk) for pk in p)
    G = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            G[i, j] = sum((X[i, k] - 2 * p[k]) * (X[j, k] - 2 * p[k]) for k in range(m)) / den
    return G


def test_vanraden_against_direct_formula():
    X = _markers(12, 40)
    G = gmatrix(X)
    assert G.kind == "G" and not G.inverse and G.ids == tuple(str(i) for i in range(1, 13))
    np.testing.assert_allclose(G.toarray(), _vanraden_by_loops(X), rtol=1e-12, atol=1e-14)
    # centred columns: 1'G1 = 0 exactly (up to rounding)
    assert abs(G.toarray().sum()) < 1e-10
    p = X.mean(0) / 2
    assert G.info["denominator"] == pytest.approx(2 * np.sum(p * (1 - p)))


def test_scaled_against_direct_formula():
    X = _markers(25, 150, seed=1)
    G = gmatrix(X, method="scaled")
    Z = (X - X.mean(0)) / X.std(0)  # unit variance columns (divisor n)
    np.testing.assert_allclose(G.toarray(), Z @ Z.T / X.shape[1], rtol=1e-12, atol=1e-13)
    # mean diagonal of a standardised G is 1 (trace = sum of column variances / m * n)
    assert np.trace(G.toarray()) == pytest.approx(X.shape[0])


def test_minus_one_zero_one_coding_gives_same_g():
    X = _markers(20, 80, seed=2)
    G012 = gmatrix(X).toarray()
    np.testing.assert_allclose(gmatrix(X - 1).toarray(), G012, atol=1e-13)
    np.testing.assert_allclose(gmatrix(X - 1, coding="-101").toarray(), G012, atol=1e-13)
    assert gmatrix(X - 1).info["coding"] == "-101"
    np.testing.assert_allclose(
        gmatrix(X - 1, method="scaled").toarray(), gmatrix(X, method="scaled").toarray(),
        atol=1e-13,
    )
    with pytest.raises(DataError, match=r"allele counts in \[0, 2\]"):
        gmatrix(X - 1, coding="012")


def test_missing_values_imputed_by_mean_and_counted():
    X = _markers(20, 60, seed=3)
    Xm = X.copy()
    cells = [(0, 0), (3, 0), (5, 7), (19, 59), (10, 30)]
    for r, c in cells:
        Xm[r, c] = np.nan
    with pytest.warns(UserWarning, match=r"imputed 5 missing marker value"):
        G = gmatrix(Xm)
    assert G.info["n_imputed"] == 5 and G.n_imputed == 5
    Ximp = Xm.copy()
    means = np.nanmean(Xm, axis=0)
    for r, c in cells:
        Ximp[r, c] = means[c]
    np.testing.assert_allclose(G.toarray(), _vanraden_by_loops(Ximp), rtol=1e-12, atol=1e-14)
    assert np.isnan(Xm[0, 0])  # input untouched


def test_monomorphic_and_maf_filter():
    rng = np.random.default_rng(4)
    n = 20
    X = rng.binomial(2, 0.5, size=(n, 10)).astype(float)
    rare = np.zeros(n)
    rare[0] = 1  # p = 1/40 = 0.025
    X = np.column_stack([X, np.full(n, 2.0), np.ones(n), rare])
    G = gmatrix(X)
    assert G.info["n_monomorphic"] == 2 and G.info["n_markers_used"] == 11
    G5 = gmatrix(X, min_maf=0.05)
    assert G5.info["n_low_maf"] == 1 and G5.info["n_markers_used"] == 10
    np.testing.assert_allclose(G5.toarray(), _vanraden_by_loops(X[:, :10]), atol=1e-13)
    assert gmatrix(X, min_maf=0.02).info["n_markers_used"] == 11
    with pytest.raises(DataError, match="no markers left"):
        gmatrix(X[:, 10:12])


def test_dataframe_and_csv_inputs(tmp_path):
    X = _markers(8, 30, seed=5)
    names = [f"L{i}" for i in range(8)]
    cols = [f"m{j}" for j in range(30)]
    df = pd.DataFrame(X, index=names, columns=cols)
    G1 = gmatrix(df)
    assert G1.ids == tuple(names) and G1.info["markers_used"] == cols
    G2 = gmatrix(df.reset_index().rename(columns={"index": "id"}))
    np.testing.assert_allclose(G1.toarray(), G2.toarray())
    assert G2.ids == tuple(names)
    path = tmp_path / "m.csv"
    df.to_csv(path, index_label="line")
    G3 = gmatrix(path)
    assert G3.ids == tuple(names)
    np.testing.assert_allclose(G3.toarray(), G1.toarray())
    G4 = gmatrix(X, ids=names)
    assert G4.ids == tuple(names)
    with pytest.raises(DataError, match="must be numeric"):
        gmatrix(df.assign(bad="x"))
    with pytest.raises(DataError, match="ids has 3 entries"):
        gmatrix(X, ids=["a", "b", "c"])
    with pytest.raises(DataError, match="does not exist"):
        gmatrix(tmp_path / "nope.csv")


def test_ridge_and_blend():
    X = _markers(6, 50, seed=6)
    G = gmatrix(X).toarray()
    np.testing.assert_allclose(gmatrix(X, ridge=0.1).toarray(), G + 0.1 * np.eye(6))
    ped = pd.DataFrame({"id": ["1", "2", "3", "4", "5", "6"],
                        "sire": ["0", "0", "1", "1", "4", "5"],
                        "dam": ["0", "0", "2", "0", "3", "2"]})
    A = amatrix(ped)
    # give A in another order: blending must match by id
    Aperm = A.subset(["6", "5", "4", "3", "2", "1"])
    Gb = gmatrix(X, blend=0.2, a_matrix=Aperm)
    np.testing.assert_allclose(Gb.toarray(), 0.8 * G + 0.2 * A.toarray())
    assert Gb.kind == "Gblend"
    with pytest.raises(MatrixError, match="not in relationship matrix"):
        gmatrix(X, ids=list("abcdef"), blend=0.2, a_matrix=A)
    with pytest.raises(DataError, match="a_matrix"):
        gmatrix(X, blend=0.2)
    with pytest.raises(DataError, match="blend must be"):
        gmatrix(X, blend=1.5, a_matrix=A)


def test_ginverse_singular_then_ridge():
    X = _markers(40, 300, seed=7)
    G = gmatrix(X)  # VanRaden G is centred: G 1 = 0, so it is singular
    with pytest.raises(MatrixError, match="not positive definite|numerically singular") as e:
        ginverse(G)
    assert "ridge" in str(e.value)
    Gi = ginverse(G, ridge=0.05)
    K = G.toarray() + 0.05 * np.eye(40)
    assert Gi.inverse and Gi.kind == "Ginv" and Gi.ids == G.ids
    np.testing.assert_allclose(Gi.toarray() @ K, np.eye(40), atol=1e-10)
    assert Gi.logdet == pytest.approx(np.linalg.slogdet(K)[1], rel=1e-12)
    np.testing.assert_allclose(Gi.toarray(), Gi.toarray().T)
    # same through gmatrix(ridge=) then ginverse
    np.testing.assert_allclose(ginverse(gmatrix(X, ridge=0.05)).toarray(), Gi.toarray())


def test_ginverse_inputs_and_errors():
    rng = np.random.default_rng(8)
    B = rng.normal(size=(5, 5))
    K = B @ B.T + 5 * np.eye(5)
    np.testing.assert_allclose(ginverse(K).toarray(), np.linalg.inv(K), atol=1e-12)
    df = pd.DataFrame(K, index=list("abcde"), columns=list("abcde"))
    assert ginverse(df).ids == tuple("abcde")
    with pytest.raises(MatrixError, match="same ids"):
        ginverse(pd.DataFrame(K, index=list("abcde"), columns=list("edcba")))
    with pytest.raises(MatrixError, match="not symmetric"):
        ginverse(K + np.triu(np.ones((5, 5)), 1))
    with pytest.raises(MatrixError, match="not positive definite"):
        ginverse(-K)
    with pytest.raises(MatrixError, match="already an inverse"):
        ginverse(ginverse(K))
    dup = np.vstack([_markers(5, 100, seed=9)] * 2)  # repeated rows: singular even with m > n
    with pytest.raises(MatrixError):
        ginverse(gmatrix(dup, method="scaled"))


def test_relmatrix_frame_and_subset():
    X = _markers(5, 40, seed=10)
    G = gmatrix(X, ids=list("vwxyz"), ridge=0.1)
    fr = G.to_frame()
    assert list(fr.index) == list("vwxyz") and fr.loc["x", "z"] == G.toarray()[2, 4]
    sub = G.subset(["z", "x"])
    np.testing.assert_allclose(sub.toarray(), G.toarray()[np.ix_([4, 2], [4, 2])])
    Gi = ginverse(G)
    with pytest.raises(MatrixError, match="cannot drop rows of the inverse"):
        Gi.subset(["z", "x"])
    perm = Gi.subset(list("zyxwv"))  # a reordering of an inverse is fine
    np.testing.assert_allclose(perm.toarray() @ G.subset(list("zyxwv")).toarray(), np.eye(5),
                               atol=1e-10)
    assert perm.logdet == Gi.logdet
    with pytest.raises(MatrixError, match="rows but"):
        RelMatrix(np.eye(3), ("a", "b"))
    with pytest.raises(MatrixError, match="duplicated ids"):
        RelMatrix(np.eye(2), ("a", "a"))
    with pytest.raises(MatrixError, match="to_frame"):
        G.to_frame(max_size=3)


def test_no_warning_without_missing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gmatrix(_markers(5, 20, seed=11))


def test_missing_values_in_a_dataframe_imputed_without_touching_it():
    """A DataFrame with NaN markers: G equals G of the mean-imputed matrix, and the user's
    frame is unchanged (pandas 3 hands out read-only arrays; pandas 2 may hand out views)."""
    rng = np.random.default_rng(11)
    M = rng.integers(0, 3, size=(8, 20)).astype(float)
    M[1, 3] = np.nan
    M[5, 0] = np.nan
    df = pd.DataFrame(M, index=[f"i{k}" for k in range(8)])
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        K = gmatrix(df)
    pd.testing.assert_frame_equal(df, before)
    filled = M.copy()
    for j in range(M.shape[1]):
        col = filled[:, j]
        col[np.isnan(col)] = np.nanmean(M[:, j])
    np.testing.assert_allclose(np.asarray(K.matrix), np.asarray(gmatrix(filled).matrix),
                               rtol=1e-12)
