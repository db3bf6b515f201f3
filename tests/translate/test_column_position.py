"""R puts a new column's values by position, whatever their names (rcolpos.py): a named
vector (``diag`` of a matrix with dimnames, ``sapply`` over a named list) or another frame's
column put into a subset frame. Buntaran's Two_Stage_Smith_Weighting.R
(``blue[, ':='(smith.w = diag(solve(V)))]``) had all-NaN weights (pandas aligned the names on
the row index): "no records left after removing missing values". The expected values are
R 4.2's (data.table 1.14), printed by the same snippets run with Rscript."""

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.rcolpos import r_col_value

_M = 'm <- matrix(c(4,0,0,0,2,0,0,0,1), 3, 3, dimnames = list(c("x","y","z"), c("x","y","z")))\n'


def _run(code: str) -> dict:
    return run_r(code)


def test_named_vectors_and_other_frames_go_in_by_position() -> None:
    ns = _run('d <- data.frame(a = 1:6, b = c(2, 4, 8, 16, 32, 64))\n'
              'd <- d[d$a > 3, ]\n' + _M +
              'd$w <- diag(solve(m))\n'
              'd[["w2"]] <- diag(m)\n'
              'd[, "w3"] <- sapply(list(p = 1, q = 2, r = 3), function(v) v * 10)\n'
              'e <- data.frame(z = c(7, 8, 9))\n'
              'd$z <- e$z\n'
              'd$one <- c(k = 5)\n')
    d = ns["d"]
    # R:   a  b    w w2 w3 z one  (rows 4, 5, 6)
    assert d["a"].tolist() == [4, 5, 6]
    assert d["w"].tolist() == [0.25, 0.5, 1.0]
    assert d["w2"].tolist() == [4.0, 2.0, 1.0]
    assert d["w3"].tolist() == [10.0, 20.0, 30.0]
    assert d["z"].tolist() == [7.0, 8.0, 9.0]
    assert d["one"].tolist() == [5.0, 5.0, 5.0]


def test_data_table_assign_by_position() -> None:
    ns = _run('library(data.table)\n' + _M +
              'p <- data.table(g = c("u", "v", "w"), se = c(0.5, 1, 2))\n'
              "p[, ':='(var = se^2, w = diag(solve(m)))]\n"
              'p[, w2 := diag(m)]\n')
    p = ns["p"]
    assert p["var"].tolist() == [0.25, 1.0, 4.0]
    assert p["w"].tolist() == [0.25, 0.5, 1.0]
    assert p["w2"].tolist() == [4.0, 2.0, 1.0]
    assert not p.isna().any().any()


def test_sapply_over_a_column_of_a_row_subset() -> None:
    # sapply over a character vector names its result by the strings (USE.NAMES): R still
    # puts it by position; so does another frame's column (R: b "3" "1", y 1 2)
    ns = _run('d <- data.frame(a = c("p_1", "q_2", "r_3"))\n'
              'd <- d[c(3, 1), , drop = FALSE]\n'
              'd$b <- sapply(d$a, function(x) strsplit(x, "_")[[1]][2])\n'
              'd$c <- d[, "a"]\n'
              'e <- data.frame(z = 1:2)\n'
              'd[, "y"] <- e$z\n')
    d = ns["d"]
    assert d["b"].tolist() == ["3", "1"]
    assert d["c"].tolist() == ["r_3", "p_1"]
    assert d["y"].tolist() == [1, 2]


def test_a_shorter_vector_is_recycled_and_a_misfit_is_an_error() -> None:
    ns = _run('d <- data.frame(a = 1:4)\nd$h <- c(k = 1, l = 2)\n')
    assert ns["d"]["h"].tolist() == [1.0, 2.0, 1.0, 2.0]          # R: 1 2 1 2
    d = pd.DataFrame({"a": [1, 2, 3]})
    with pytest.raises(AsrError, match="3 rows"):
        r_col_value(d, pd.Series([1.0, 2.0], index=["k", "l"]))


def test_a_factor_keeps_its_levels_and_own_columns_stay_as_they_are() -> None:
    d = pd.DataFrame({"a": [1, 2]}, index=[5, 9])
    f = pd.Series(pd.Categorical(["y", "x"], categories=["y", "x"]), index=["p", "q"])
    got = r_col_value(d, f)
    assert list(got.index) == [5, 9] and list(got.cat.categories) == ["y", "x"]
    assert r_col_value([1, 2], f) is f                                # no data frame
    # a value built of the frame's own columns keeps its index: printed as it was
    py = translate("d$y2 <- d$y^2\nd$g <- as.factor(paste(d$a, d$b))\nd$w <- diag(m)\n"
                   'd[, "k"] <- d[, "a"]\nd$i <- 1:nrow(d)\n')
    assert "d['y2'] = d['y'] ** 2" in py
    assert "d['g'] = r_as_factor(" in py and "r_col_value(d, r_as_factor" not in py
    assert "d['w'] = r_col_value(d, r_diag(" in py
    assert "d['k'] = d['a']" in py and "d['i'] = r_colon(1, r_nrow(d))" in py
    np.testing.assert_array_equal(r_col_value(d, np.array([3, 4])), [3, 4])


def test_transform_and_mutate_by_position() -> None:
    # R (dplyr 1.1): w 1 2 3, v 2 4 6, u 8 16 32 on rows 4, 5, 6
    ns = _run('library(dplyr)\nd <- data.frame(a = 1:6, b = c(2, 4, 8, 16, 32, 64))\n'
              'd <- d[d$a > 3, ]\n'
              'm <- diag(c(1, 2, 3))\ndimnames(m) <- list(c("x","y","z"), c("x","y","z"))\n'
              'd <- transform(d, w = diag(m))\n'
              'd <- d %>% mutate(v = diag(m) * 2, u = b / 2)\n')
    d = ns["d"]
    assert d["w"].tolist() == [1.0, 2.0, 3.0]
    assert d["v"].tolist() == [2.0, 4.0, 6.0]
    assert d["u"].tolist() == [8.0, 16.0, 32.0]
