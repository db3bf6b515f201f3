"""translate(): base R's ``as.matrix()`` (R 4.x ``as.matrix.default``,
``as.matrix.data.frame``) and ``data.frame()``'s ``check.names = TRUE``. Every expected value
is what R prints for the same code, quoted in the test (R's documented rules, not our
output)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.translate.rasmatrix import r_as_matrix, r_format_numbers
from asr_py.translate.rchecknames import make_unique, r_check_names


def test_as_matrix_of_a_vector_is_one_column() -> None:
    # R: b <- c("Adv", "20"); b <- as.matrix(b); dim(b) is 2 1; b[, 1] <- gsub("A", "a", b[, 1])
    # gives b[1, ] "adv" and b[2, ] "20" (the UIUC 2020 script's pattern)
    ns = run_r('b <- c("Adv", "20")\nb <- as.matrix(b)\nd <- dim(b)\n'
               'b[, 1] <- gsub("A", "a", b[, 1])\nx <- b[1, ]\ny <- b[2, ]\nk <- ncol(b)\n')
    assert list(ns["d"]) == [2, 1]
    assert ns["k"] == 1
    assert list(np.atleast_1d(ns["x"])) == ["adv"]
    assert list(np.atleast_1d(ns["y"])) == ["20"]


def test_as_matrix_keeps_a_matrix_and_names_rows_of_a_named_vector() -> None:
    # R: as.matrix(matrix(1:6, 2)) is the same 2 x 3 matrix
    m = np.arange(6.0).reshape(2, 3)
    assert r_as_matrix(m) is m
    # R: as.matrix(c(a = 1, b = 2)) is 2 x 1 with rownames "a" "b" and no colnames;
    # as.data.frame() of it then has one column V1
    s = pd.Series([1.0, 2.0], index=["a", "b"])
    got = r_as_matrix(s)
    assert got.shape == (2, 1) and list(got.index) == ["a", "b"]
    ns = run_r('v <- c(a = 1, b = 2)\nd <- as.data.frame(as.matrix(v))\n')
    assert list(ns["d"].columns) == ["V1"] and list(ns["d"].index) == ["a", "b"]
    # an unnamed column of a data frame: no row names, a plain n x 1 array
    col = r_as_matrix(pd.Series([3.0, 4.0, 5.0]))
    assert isinstance(col, np.ndarray) and col.shape == (3, 1)
    # R: as.matrix(factor(c("b", "a"))) is the character matrix "b" / "a"
    f = r_as_matrix(pd.Series(pd.Categorical(["b", "a"])))
    assert f.shape == (2, 1) and list(f[:, 0]) == ["b", "a"]
    # one value: 1 x 1
    assert r_as_matrix(3.5).shape == (1, 1)


def test_as_matrix_of_a_data_frame_numeric_or_character() -> None:
    # R: as.matrix(data.frame(x = c(1, 2), y = c(3.5, 4))) is numeric with colnames x y
    num = r_as_matrix(pd.DataFrame({"x": [1.0, 2.0], "y": [3.5, 4.0]}))
    assert list(num.columns) == ["x", "y"] and num.to_numpy().dtype.kind == "f"
    # R: as.matrix(data.frame(x = c(1, NA), b = c(TRUE, FALSE))) is numeric: b reads 1 0
    mix = r_as_matrix(pd.DataFrame({"x": [1.0, np.nan], "b": [True, False]}))
    assert mix["b"].tolist() == [1.0, 0.0]
    # R: as.matrix(data.frame(g = factor(c("a", "b")), y = c(1, 10.5), l = c(TRUE, FALSE)))
    # is a character matrix:  g "a" "b";  y " 1.0" "10.5";  l " TRUE" "FALSE"
    d = pd.DataFrame({"g": pd.Categorical(["a", "b"]), "y": [1.0, 10.5], "l": [True, False]})
    ch = r_as_matrix(d)
    assert ch["g"].tolist() == ["a", "b"]
    assert ch["y"].tolist() == [" 1.0", "10.5"]
    assert ch["l"].tolist() == [" TRUE", "FALSE"]
    # NA stays NA (is.na(xj) <- miss in as.matrix.data.frame), after format(c(NA, 2))
    # padded the values to the width of "NA": NA " 2"
    na = r_as_matrix(pd.DataFrame({"g": ["a", "b"], "y": [np.nan, 2.0]}))
    assert na["y"].tolist()[0] is None and na["y"].tolist()[1] == " 2"
    assert d["y"].tolist() == [1.0, 10.5]                      # the argument is not mutated


@pytest.mark.parametrize(("x", "want"), [
    ([1, 2, 3], ["1", "2", "3"]),                              # format(c(1, 2, 3))
    ([1, 10.5], [" 1.0", "10.5"]),                             # format(c(1, 10.5))
    ([0.1234567891, 100], ["  0.1234568", "100.0000000"]),     # 7 significant digits
    ([1e-10, 1], ["1e-10", "1e+00"]),                          # scientific is narrower
    ([-1.5, 2], ["-1.5", " 2.0"]),
])
def test_format_numbers_as_r(x: list[float], want: list[str]) -> None:
    assert r_format_numbers(x) == want


def test_data_frame_check_names_applies_to_spliced_frames() -> None:
    # R: w <- data.frame(`a b` = 1:2, check.names = FALSE); r <- c(2, 1);
    # names(data.frame(w, r)) is "a.b" "r"; with check.names = FALSE "a b" "r"
    ns = run_r('w <- data.frame(`a b` = 1:2, check.names = FALSE)\nr <- c(2, 1)\n'
               'd <- data.frame(w, r)\ne <- data.frame(w, r, check.names = FALSE)\n')
    assert list(ns["d"].columns) == ["a.b", "r"]
    assert list(ns["e"].columns) == ["a b", "r"]
    # R: make.names(c("x", "x", "x.1", "1y"), unique = TRUE) is "x" "x.2" "x.1" "X1y"
    # (make.unique skips the suffix already taken)
    d = pd.DataFrame([[1, 2, 3, 4]], columns=["x", "x", "x.1", "1y"])
    assert list(r_check_names(d).columns) == ["x", "x.2", "x.1", "X1y"]
    assert make_unique(["a", "a", "a"]) == ["a", "a.1", "a.2"]
