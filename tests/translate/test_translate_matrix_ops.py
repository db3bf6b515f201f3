"""Matrix operations by position, as R. ``%*%``: matrices held as labelled data frames are
not aligned by their labels (pandas' ``@`` raised "matrices are not aligned" on asremlPlus Orange
scripts). Expected values: R 4.2 (``m <- matrix(1:4, 2, dimnames=list(c("a","b"),
c("x","y"))); m %*% matrix(c(1, 0, 2, 1), 2, dimnames=list(c("p","q"), c("u","v")))``
gives rows a, b, columns u, v: [[1, 5], [2, 8]]) and numpy on the bare values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asr_py.translate import translate
from asr_py.translate.rbase import r_matmul


def test_labelled_frames_multiply_by_position() -> None:
    m = pd.DataFrame([[1.0, 3.0], [2.0, 4.0]], index=["a", "b"], columns=["x", "y"])
    k = pd.DataFrame([[1.0, 2.0], [0.0, 1.0]], index=["p", "q"], columns=["u", "v"])
    with pytest.raises(ValueError):
        _ = m @ k                                  # what the old translation did
    out = r_matmul(m, k)
    assert list(out.index) == ["a", "b"] and list(out.columns) == ["u", "v"]
    np.testing.assert_array_equal(out.to_numpy(), [[1.0, 5.0], [2.0, 8.0]])


def test_vectors_and_arrays_as_numpy() -> None:
    a = np.arange(6.0).reshape(2, 3)
    v = pd.Series([1.0, 2.0, 3.0], index=["z", "y", "x"])    # labels never align
    np.testing.assert_array_equal(r_matmul(a, v), a @ np.array([1.0, 2.0, 3.0]))
    assert r_matmul(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 11.0


def test_translated_operator_uses_r_matmul() -> None:
    py = translate("z <- X %*% b\n")
    assert "r_matmul(X, b)" in py


def test_na_omit_of_a_vector_from_a_matrix() -> None:
    """``na.omit(as.vector(m))``: R gives the non-missing values (R 4.2:
    ``na.omit(as.vector(matrix(c(1, NA, 3, 4), 2)))`` is 1 3 4); an array has no dropna."""
    py = translate("m <- matrix(c(1, NA, 3, 4), 2)\nv <- na.omit(as.vector(m))\n")
    ns: dict = {}
    exec(py, ns)
    np.testing.assert_array_equal(np.asarray(ns["v"], dtype=float), [1.0, 3.0, 4.0])


def test_outer_products_and_paste0() -> None:
    """R 4.2: ``outer(1:2, 1:3)`` is matrix(c(1, 2, 2, 4, 3, 6), 2); ``outer(c("a", "b"),
    c("1", "2"), paste0)`` is matrix(c("a1", "b1", "a2", "b2"), 2); ``outer(1:2, 1:2, "+")``
    is matrix(c(2, 3, 3, 4), 2)."""
    py = translate('p <- outer(1:2, 1:3)\nq <- outer(c("a", "b"), c("1", "2"), paste0)\n'
                   'r <- outer(1:2, 1:2, "+")\n')
    ns: dict = {}
    exec(py, ns)
    np.testing.assert_array_equal(ns["p"], np.array([1, 2, 2, 4, 3, 6]).reshape(2, 3,
                                                                              order="F"))
    assert ns["q"].tolist() == [["a1", "a2"], ["b1", "b2"]]
    np.testing.assert_array_equal(ns["r"], [[2, 3], [3, 4]])


def test_dimnames_second_is_the_column_names() -> None:
    """R: ``dimnames(m)[[2]]`` of ``matrix(1:4, 2, dimnames = list(c("a", "b"), c("x",
    "y")))`` is c("x", "y"), ``[[1]]`` the row names."""
    py = translate('m <- matrix(1:4, 2, dimnames = list(c("a", "b"), c("x", "y")))\n'
                   'cn <- dimnames(m)[[2]]\nrn <- dimnames(m)[[1]]\n')
    ns: dict = {}
    exec(py, ns)
    assert list(ns["cn"]) == ["x", "y"] and list(ns["rn"]) == ["a", "b"]
