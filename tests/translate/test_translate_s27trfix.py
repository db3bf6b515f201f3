"""Session 27 (s27trfix), translate leftovers seen on real scripts, each checked against
R's documentation (the expected values written out by hand from it):

- ``?cbind`` (base R): "The data frame method will be used if at least one argument is a
  data frame ... and the rest are vectors or matrices"; it calls ``data.frame(...)``, whose
  columns come in argument order ("data.frame(..., row.names, ...)": "these arguments are
  of either the form value or tag = value"). So ``cbind(response = n, d)`` puts
  ``response`` first (AaronRendahl/Jane-asreml-modeling's asreml_msi_modeling2.R, cc()).
- ``?cbind``: "For cbind (rbind) the column (row) names are taken from the colnames
  (rownames) of the arguments if these are matrix-like. Otherwise from the names of the
  arguments"; for rbind the column names "are taken from the first argument with
  appropriate names: ... names for a vector of length the number of columns of the
  result". aod's ``?wald.test``: ``result$chi2`` is "a vector with the chi2 statistic,
  degrees of freedom and p-value" named chi2, df, P (the script's results-wald.csv
  header: response, var, chi2, df, P).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _translate_fixtures import run_r


def test_cbind_named_before_data_frame_keeps_argument_order() -> None:
    r = ('d <- data.frame(a = 1:2, b = c("x", "y"))\n'
         'n <- "glucose"\n'
         'out <- cbind(response = n, d, stringsAsFactors = FALSE)\n'
         'out2 <- cbind(var = n, term = c("t1", "t2"), as.data.frame(d))\n'
         'out3 <- cbind(d, response = n)\n')
    ns = run_r(r, complete=True)
    assert list(ns["out"].columns) == ["response", "a", "b"]
    assert list(ns["out"]["response"]) == ["glucose", "glucose"]
    assert list(ns["out"]["a"]) == [1, 2]
    assert list(ns["out2"].columns) == ["var", "term", "a", "b"]
    assert list(ns["out2"]["term"]) == ["t1", "t2"]
    assert list(ns["out3"].columns) == ["a", "b", "response"]


def test_cbind_named_before_positional_in_lapply() -> None:
    # the script's cc(): do.call(rbind, lapply(names(x), function(n) cbind(response = n,
    # x[[n]], stringsAsFactors = FALSE)))
    r = ('cc <- function(x) {\n'
         '  out <- do.call(rbind, lapply(names(x), function(n) {\n'
         '    cbind(response = n, x[[n]], stringsAsFactors = FALSE)\n'
         '  }))\n'
         '  rownames(out) <- NULL\n'
         '  out\n'
         '}\n'
         'g <- data.frame(var = c("SEX", "AGE"), chi2 = c(2.8, 7.4))\n'
         'i <- data.frame(var = "SEX", chi2 = 1.5)\n'
         'all <- cc(list(glucose = g, insulin = i))\n')
    ns = run_r(r, complete=True)
    out = ns["all"]
    assert list(out.columns) == ["response", "var", "chi2"]
    assert list(out["response"]) == ["glucose", "glucose", "insulin"]
    np.testing.assert_allclose(out["chi2"], [2.8, 7.4, 1.5])


def test_rbind_of_a_named_vector_names_the_columns() -> None:
    # WaldChi2(): out <- rbind(wald.test(...)$result$chi2); rownames(out) <- var;
    # data.frame(var = rownames(out), out)
    r = ('b <- c(a = 1, b = 2)\n'
         'S <- diag(2)\n'
         'out <- wald.test(b = b, Sigma = S, Terms = 1:2)$result$chi2\n'
         'out <- rbind(out)\n'
         'rownames(out) <- "SEX"\n'
         'w <- data.frame(var = rownames(out), out, stringsAsFactors = FALSE)\n'
         'm <- rbind(c(x = 1, y = 2), c(3, 4))\n'
         'u <- rbind(c(1, 2), c(x = 3, y = 4))\n'
         'v <- rbind(c(1, 2), c(3, 4))\n')
    ns = run_r(r, complete=True)
    w = ns["w"]
    assert list(w.columns) == ["var", "chi2", "df", "P"]
    # chi2 = b' S^-1 b = 1 + 4 = 5 on 2 df; P = exp(-5/2) (chi-square with 2 df)
    np.testing.assert_allclose(w[["chi2", "df", "P"]].to_numpy()[0],
                               [5.0, 2.0, np.exp(-2.5)], rtol=1e-12)
    assert list(w["var"]) == ["SEX"]
    assert isinstance(ns["m"], pd.DataFrame) and list(ns["m"].columns) == ["x", "y"]
    np.testing.assert_array_equal(np.asarray(ns["m"], dtype=float), [[1, 2], [3, 4]])
    # the first argument with names of that length gives them, wherever it stands
    assert list(ns["u"].columns) == ["x", "y"]
    # no names: a plain matrix as before
    assert isinstance(ns["v"], np.ndarray)
