"""translate(): base R's ``ncol(x)``, defined in R as ``dim(x)[2L]`` (R's ?nrow): a list or
a vector has no ``dim``, so it gives NULL. Each expected value is what R gives for the same
code, quoted in the test."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _translate_fixtures import run_r

from asr_py.compat.rlist import RNullList
from asr_py.translate.rncol import r_ncol


def test_ncol_of_a_list_is_null() -> None:
    # R: x <- list(a = 1, b = "z"); is.null(ncol(x)) is TRUE
    ns = run_r('x <- list(a = 1, b = "z")\nk <- ncol(x)\nkn <- is.null(ncol(x))\n')
    assert ns["k"] is None and ns["kn"] is True
    # asremlPlus's lists (plotPvalues' list(pvalues, plots)) read the same way
    pl = RNullList(pvalues=pd.DataFrame({"p": [0.1]}), plots=[])
    assert r_ncol(pl) is None


def test_ncol_nrow_of_a_data_frame_and_a_matrix() -> None:
    # R: d <- data.frame(a = 1:3, b = 4:6, c = 7:9); ncol(d) 3, nrow(d) 3;
    # m <- matrix(1:6, nrow = 2); ncol(m) 3, nrow(m) 2
    ns = run_r('d <- data.frame(a = 1:3, b = 4:6, c = 7:9)\nk <- ncol(d)\nn <- nrow(d[1:2, ])\n'
               'm <- matrix(1:6, nrow = 2)\nkm <- ncol(m)\nnm <- nrow(m)\n')
    assert (ns["k"], ns["n"], ns["km"], ns["nm"]) == (3, 2, 3, 2)


def test_ncol_of_a_vector_is_null_and_compares_as_r_does() -> None:
    # R: ncol(c(1, 2, 3)) is NULL; NCOL() (not ncol) would give 1
    assert r_ncol(np.array([1.0, 2.0, 3.0])) is None
    assert r_ncol(pd.Series([1.0, 2.0])) is None
    assert r_ncol([1, 2]) is None
    # R: testthat::expect_equal(ncol(list(a = 1)), 2) fails (NULL is not 2): a differ,
    # not an error of the translated script
    ns = run_r('x <- list(a = 1)\nok <- identical(ncol(x), NULL)\n')
    assert ns["ok"] is True
