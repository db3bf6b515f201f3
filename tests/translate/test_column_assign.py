"""R's ``x[, j] <- v`` with j positions (``2:3``, ``match(..)``) of a matrix as well as a data
frame (R Language Definition 3.4.1: the j-th columns by position, v recycled down them). UIUC
"analysis 2018-2020 .R": ``b <- t(matrix(unlist(a), nrow = 3))[, c(1, 3)]; b[, 1] <- gsub(..)``
on a character matrix (was ``b.iloc[...]``: an AttributeError on a numpy matrix)."""

import numpy as np
from _translate_fixtures import run_r


def _run(code: str) -> dict:
    return run_r(code)


def test_matrix_and_frame_columns_by_position() -> None:
    ns = _run('a <- c("HY1_x_2020", "HY2_y_2019")\n'
              'b <- t(matrix(unlist(strsplit(a, split = "_")), nrow = 3))[, c(1, 3)]\n'
              'b[, 1] <- gsub("HY", "", b[, 1])\n'
              'd <- data.frame(u = 1:3, v = 4:6, w = 7:9)\n'
              'd[, 2:3] <- 0\n'
              'd[, match("u", names(d))] <- c(10, 20, 30)\n')
    np.testing.assert_array_equal(np.asarray(ns["b"]), [["1", "2020"], ["2", "2019"]])
    assert ns["d"].to_numpy().tolist() == [[10, 0, 0], [20, 0, 0], [30, 0, 0]]


def test_a_zero_dimensional_subscript_is_one_position() -> None:
    # for (i in 1:nrow(w)) w[i, 1] is translated r_ij(w, np.asarray(i), 1): one row
    import pandas as pd

    from asr_py.translate.runtime import r_ij
    w = pd.DataFrame({"name": ["a", "b", "c"], "y": [1.0, 2.0, 3.0]})
    assert r_ij(w, np.asarray(2), 1) == "b"


def test_unique_of_one_value_is_that_value() -> None:
    # R: unique("a") is "a" (a length-1 vector); a one-row frame's cell came as a str
    from asr_py.translate.runique import r_unique
    assert list(r_unique("HY2020")) == ["HY2020"]
    assert list(r_unique(3.5)) == [3.5]
