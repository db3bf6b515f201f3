"""Constructs session 23 translates so scripts no longer run on placeholders, checked
against R's documented semantics and closed forms:

* ``?do.call``: ``do.call(what, args)`` "constructs and executes a function call from a
  name or a function and a list of arguments"; the list's names are the argument names,
  and a ``quote(x)`` element puts the symbol ``x`` itself in the call, so the call reads
  ``x`` (asremlPlus's tests use ``do.call("predict", list(object = m, classify = "A:B",
  data = quote(d)))``); ``predict(object = fit, ...)`` names the fit, as any R argument.
* the saturated two-way model ``y ~ A*B`` predicts each A:B cell by its mean, with
  standard error sigma / sqrt(n_cell) (sigma^2 the residual mean square), and an empty cell
  is not estimable (asremlPlus's test3alldiffs.r: "will not make predictions for missing
  cells because NA in two-way table").
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py.translate import translate

_TWOWAY = ("twoway <- data.frame(A = factor(rep(1:2, c(4, 5))),\n"
           "  B = factor(rep(c(1:3, 1:3), c(2, 1, 1, 2, 1, 2))),\n"
           "  y = c(6, 4, 3, 3, 3, 5, 5, 5, 7))\n"
           "twoway <- twoway[-4, ]\n"
           "mod <- asreml(y ~ A*B, data = twoway)\n")


def test_do_call_with_a_quoted_symbol_and_object_named() -> None:
    code = _TWOWAY + ('pred.full <- do.call("predict", args = list(object = mod, '
                      'classify = "A:B", data = quote(twoway)))\n')
    py = translate(code)
    assert "untranslated(" not in py and "quote" not in py.split("\n", 5)[-1]
    pv = run_py(py)["pred_full"]
    pv = pv["pvals"] if isinstance(pv, dict) else getattr(pv, "pvals", pv)
    pv = pd.DataFrame(pv)
    y = {("1", "1"): [6, 4], ("1", "2"): [3], ("2", "1"): [3, 5], ("2", "2"): [5],
         ("2", "3"): [5, 7]}
    rss = sum(float(np.sum((np.array(v) - np.mean(v)) ** 2)) for v in y.values())
    sigma2 = rss / (8 - 5)                      # 8 records, 5 estimable cells
    for (a, b), v in y.items():
        row = pv[(pv["A"].astype(str) == a) & (pv["B"].astype(str) == b)].iloc[0]
        assert row["predicted.value"] == pytest.approx(np.mean(v), abs=1e-6)
        assert row["std.error"] == pytest.approx(np.sqrt(sigma2 / len(v)), rel=1e-4)
    empty = pv[(pv["A"].astype(str) == "1") & (pv["B"].astype(str) == "3")].iloc[0]
    assert np.isnan(empty["predicted.value"])


def test_do_call_predictplus_drops_data_the_fit_keeps() -> None:
    code = _TWOWAY + ('d2 <- do.call("predictPlus", args = list(asreml.obj = mod, '
                      'classify = "A:B", tables = "none", data = quote(twoway)))\n')
    py = translate(code)
    assert "untranslated(" not in py and "data=" not in py.split("d2 = ")[-1]


def test_quote_outside_do_call_is_not_unwrapped() -> None:
    # quote(x) as a value is the symbol, not x's value: not translated as x
    py = translate("x <- 1\ns <- quote(x)\n")
    assert "s = x" not in py


def test_cbind_names_an_unnamed_matrix_by_its_argument() -> None:
    # R: cbind(d, m) of a data frame and a matrix without colnames is data.frame(d, m):
    # one column is named m, several m.1, m.2
    from asr_py.translate.runtime import r_cbind

    d = pd.DataFrame({"a": [1.0, 2.0]})
    m1 = pd.DataFrame(np.array([[3.0], [4.0]]))
    m2 = pd.DataFrame(np.array([[3.0, 5.0], [4.0, 6.0]]))
    assert list(r_cbind(d, m=m1).columns) == ["a", "m"]
    assert list(r_cbind(d, m=m2).columns) == ["a", "m.1", "m.2"]
    assert list(r_cbind(d, m=m1.to_numpy()).columns) == ["a", "m"]
    assert list(r_cbind(d, m=m2.to_numpy()).columns) == ["a", "m.1", "m.2"]


def test_one_column_matrix_in_a_data_mask_is_read_row_by_row() -> None:
    # R: d %>% mutate(s = ifelse(m > quantile(m, 0.5), "yes", "no")) with m a global
    # n x 1 matrix: m's n values, one per row
    py = translate("d <- data.frame(a = c(1, 2, 3, 4))\n"
                   "m <- as.matrix(c(4, 3, 2, 1)) %*% matrix(1, 1, 1)\n"
                   "d2 <- d %>% mutate(s = ifelse(m > quantile(m, 0.5), 'yes', 'no'))\n")
    ns = run_py(py)
    assert list(ns["d2"]["s"]) == ["yes", "yes", "no", "no"]
