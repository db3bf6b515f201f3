"""R's rbind of matrices with dimnames binds by position (R 4.x ``?rbind``: matrices are
combined by rows, "column names are taken from the colnames of the first argument with
appropriate names"); data frames match columns by name and stop when the names differ
("names do not match previous names"). In translated scripts both are DataFrames, so
DataFrames whose names disagree are matrices (m-hrachov's C_inv script:
``rbind(cbind(M_11, M_12), cbind(M_21, M_22))`` of X'R⁻¹X and G Z'R⁻¹Z G blocks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from asr_py.translate.rbase import r_rbind


def test_named_matrices_bind_by_position_with_the_first_names() -> None:
    a = pd.DataFrame([[1.0, 2.0, 3.0]], columns=["b0", "u1", "u2"], index=["b0"])
    b = pd.DataFrame([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], columns=["b0", "0", "1"])
    out = r_rbind(a, b)
    np.testing.assert_array_equal(out.to_numpy(), [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert list(out.columns) == ["b0", "u1", "u2"]


def test_data_frames_with_the_same_names_still_match_by_name() -> None:
    a = pd.DataFrame({"x": [1.0], "y": [2.0]})
    b = pd.DataFrame({"y": [4.0], "x": [3.0]})
    out = r_rbind(a, b)
    assert list(out.columns) == ["x", "y"]
    np.testing.assert_array_equal(out.to_numpy(), [[1, 2], [3, 4]])
