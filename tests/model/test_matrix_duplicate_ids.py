"""A relationship matrix (DataFrame) that lists an id twice -- rows concatenated by mistake,
or two lines given the same id -- is refused naming the id and where it repeats. Before, it
was refused as "non-numeric columns: P015, P015" (a duplicated column label selects a frame,
not a column), which sent the user to convert a numeric matrix to float."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import MatrixError


def _data_and_k(n: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    ids = [f"P{i:03d}" for i in range(n)]
    M = rng.binomial(2, 0.5, size=(n, 40)).astype(float)
    W = M - M.mean(0)
    K = pd.DataFrame(W @ W.T / 20 + 0.05 * np.eye(n), index=ids, columns=ids)
    df = pd.DataFrame({"id": np.repeat(ids, 2), "y": rng.normal(size=2 * n)})
    return df, K


def test_square_matrix_with_a_repeated_id() -> None:
    df, K = _data_and_k()
    ids = list(K.index)
    ids[4] = ids[5]
    K2 = K.set_axis(ids, axis=0).set_axis(ids, axis=1)
    with pytest.raises(MatrixError) as e:
        asr.asreml(fixed="y ~ 1", random="~ vm(id, K)", data=df, K=K2)
    msg = str(e.value)
    assert "'P005' at rows 4, 5" in msg and "non-numeric" not in msg
    assert "duplicated" in e.value.hint


def test_rows_concatenated_twice() -> None:
    df, K = _data_and_k()
    K2 = pd.concat([K.iloc[:3], K])
    with pytest.raises(MatrixError, match=r"3 row id\(s\) more than once: 'P000' at rows 0, 3"):
        asr.asreml(fixed="y ~ 1", random="~ vm(id, K)", data=df, K=K2)


def test_unique_ids_in_another_column_order_still_fit() -> None:
    df, K = _data_and_k()
    m1 = asr.asreml(fixed="y ~ 1", random="~ vm(id, K)", data=df, K=K)
    m2 = asr.asreml(fixed="y ~ 1", random="~ vm(id, K)", data=df,
                    K=K.loc[K.index[::-1], K.index])
    assert m2.loglik == pytest.approx(m1.loglik, abs=1e-9)
