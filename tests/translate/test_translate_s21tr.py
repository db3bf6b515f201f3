"""Session 21 (s21tr): R constructs the corpus left untranslated, checked against R's
documented semantics (the R help page is quoted with each test)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from asr_py.translate.rbase import r_data_frame, r_matmul
from asr_py.translate.rmatnames import r_t


def test_vector_times_matrix_is_a_row_and_its_transpose_a_column() -> None:
    # R ?matmult: "If one argument is a vector, it will be promoted to either a row or
    # column matrix to make the two arguments conformable"; ?t: t() of a 1 x k matrix is
    # k x 1. So data.frame(z = t(l %*% t(X))) has one column z with one value per row of X.
    X = pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=["a", "b", "c"])
    lam = [1.0, 2.0, 3.0]
    z = r_t(r_matmul(lam, r_t(X)))
    expected = X.to_numpy() @ np.array(lam)                  # X %*% l, n x 1
    np.testing.assert_allclose(np.asarray(z).ravel(), expected)
    d = r_data_frame({"z": z, "id": [1, 2, 3, 4]})
    assert list(d.columns) == ["z", "id"]
    np.testing.assert_allclose(d["z"].to_numpy(), expected)
    # t() of a plain vector stays R's 1 x n row, and t(t(v %*% A)) is the 1 x k row again
    assert np.shape(r_t(lam)) == (1, 3)
    assert np.shape(r_t(z)) == (1, 4)
