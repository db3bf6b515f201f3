"""Held-out pass P (s22newP): genomic-prediction scripts of a columnar-apple study
(``M[, keep, drop = FALSE]``, ``suppressPackageStartupMessages({ library(...) })``,
``closeAllConnections()``) and a cassava genetic-gain script (a dplyr ``nest_by()``
pipeline fitting asreml() per trial).

Expected values are R's documented semantics written out by hand:
- ``?Extract`` ("drop: ... If TRUE the result is coerced to the lowest possible dimension";
  ``x[i, j, drop = FALSE]`` keeps both dimensions): a one-column selection of a matrix is an
  n x 1 matrix, of a data frame a one-column data frame; a one-row one a 1 x p matrix.
- ``?suppressPackageStartupMessages``: evaluates its expression (here a ``{ }`` block of
  ``library()`` calls and assignments) with start-up messages suppressed; the block runs.
- ``?showConnections``: ``closeAllConnections()`` closes all user connections (sinks and
  files opened by the script), which a translated script does not hold: nothing to do.
- ``?nest_by`` (dplyr): "returns a rowwise data frame ... with a list-column called data";
  inside a later ``mutate()`` the name ``data`` is that column, not a variable of the script.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _translate_fixtures import run_r

from asr_py import translate


def _matrix() -> str:
    # a 3 x 4 numeric matrix with row and column names, filled by column as R's matrix()
    return ('M <- matrix(1:12, nrow = 3, dimnames = list(c("a", "b", "c"), '
            'c("w", "x", "y", "z")))\n')


def test_drop_false_keeps_a_one_column_matrix() -> None:
    ns = run_r(_matrix() + 'k <- "x"\nA <- M[, k, drop = FALSE]\nB <- M[, k]\n',
               complete=True)
    a = np.asarray(ns["A"], dtype=float)
    assert a.shape == (3, 1)                       # R: dim(A) is c(3, 1)
    assert a[:, 0].tolist() == [4.0, 5.0, 6.0]     # column "x" of matrix(1:12, nrow = 3)
    assert np.asarray(ns["B"], dtype=float).shape == (3,)    # default drop: a vector


def test_drop_false_keeps_a_one_row_matrix_and_negative_columns() -> None:
    ns = run_r(_matrix() + 'r <- c("b")\nA <- M[r, , drop = FALSE]\n'
               'C <- M[, -1, drop = F]\nD <- M[1, 2, drop = FALSE]\n', complete=True)
    a = np.asarray(ns["A"], dtype=float)
    assert a.shape == (1, 4) and a[0].tolist() == [2.0, 5.0, 8.0, 11.0]
    c = np.asarray(ns["C"], dtype=float)
    assert c.shape == (3, 3) and c[0].tolist() == [4.0, 7.0, 10.0]
    assert np.asarray(ns["D"], dtype=float).shape == (1, 1)   # R: a 1 x 1 matrix, not 4


def test_drop_false_with_a_mask_keeps_a_data_frame() -> None:
    r = ('d <- data.frame(id = c("p", "q", "r", "s"), v = c(3, 8, 1, 9))\n'
         'e <- d[d$v > 2, "v", drop = FALSE]\n'
         'f <- d[d$v > 2, "v"]\n')
    ns = run_r(r, complete=True)
    e = ns["e"]
    assert isinstance(e, pd.DataFrame)             # a data frame with the column v
    assert list(e.columns) == ["v"] and e["v"].tolist() == [3.0, 8.0, 9.0]
    assert not isinstance(ns["f"], pd.DataFrame)   # drop: a vector of 3 values
    assert list(np.asarray(ns["f"], dtype=float)) == [3.0, 8.0, 9.0]


def test_drop_false_by_a_logical_column_mask() -> None:
    r = _matrix() + ('maf <- c(0.01, 0.2, 0.3, 0.02)\n'
                     'K <- M[, maf >= 0.05, drop = FALSE]\n'
                     'L <- M[, !colnames(M) %in% c("x", "y", "z"), drop = FALSE]\n')
    ns = run_r(r, complete=True)
    k = np.asarray(ns["K"], dtype=float)
    assert k.shape == (3, 2) and k[:, 0].tolist() == [4.0, 5.0, 6.0]
    assert np.asarray(ns["L"], dtype=float).shape == (3, 1)   # only "w" is left, kept 2-d


def test_drop_true_written_out_is_still_refused() -> None:
    # a data frame's x[1, , drop = TRUE] is a list in R: not translated rather than guessed
    py = translate(_matrix() + "v <- M[1, , drop = TRUE]\n")
    assert "untranslated('indexing', 'v')" in py


def test_suppress_startup_messages_block_is_valid_python_and_runs() -> None:
    r = ("suppressPackageStartupMessages({\n"
         "  library(asreml)\n"
         "  library(dplyr)\n"
         "  n_traits <- 3\n"
         "})\n"
         "library(asreml,\n"
         "        quietly = TRUE)\n"
         "m <- n_traits * 2\n")
    py = translate(r)
    compile(py, "<translated>", "exec")            # was a SyntaxError (a stray indent)
    ns = run_r(r, complete=True)
    assert ns["m"] == 6                            # the block's assignment ran


def test_close_all_connections_is_nothing_to_do() -> None:
    r = "closeAllConnections()\nx <- 1 + 1\n"
    assert "# TODO(asr_py):" not in translate(r)    # was "not translated"
    assert run_r(r, complete=True)["x"] == 2


def test_a_fit_on_nest_by_list_column_is_not_run_on_a_script_variable() -> None:
    # the script also has a variable called data: a fit hoisted out of the untranslated
    # pipeline would silently fit the model to that frame instead of each trial's rows
    r = ("library(dplyr)\nlibrary(asreml)\n"
         'data <- read.csv("all.csv")\n'
         "fits <- data |>\n"
         "  nest_by(trial) |>\n"
         "  mutate(data = list(droplevels(data)),\n"
         "         m = list(asreml(y ~ rep, random = ~ geno, data = data)))\n"
         "whole <- asreml(y ~ rep, random = ~ geno, data = data)\n")
    py = translate(r)
    fits = [ln for ln in py.splitlines() if "asr.asreml(" in ln and not ln.startswith("#")]
    assert len(fits) == 1 and fits[0].startswith("whole = ")   # only the script's own fit
    assert "fits = untranslated(" in py


def test_a_mutate_column_read_by_a_later_fit_is_not_hoisted() -> None:
    r = ("library(dplyr)\nlibrary(asreml)\n"
         'd <- read.csv("all.csv")\n'
         "out <- d |> group_by(env) |> reframe(sub = list(pick(everything())),\n"
         "    m = list(asreml(y ~ 1, random = ~ g, data = sub[[1]])))\n")
    py = translate(r)
    assert not [ln for ln in py.splitlines() if "asr.asreml(" in ln and "sub" in ln
                and not ln.startswith("#")]
