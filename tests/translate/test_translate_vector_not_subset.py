"""R's elementwise ``!`` on logical vectors and base R's ``subset(x, subset =, select =)``
(seen in asremlPlus's test41/42alldiffs: ``!kLSD`` of a logical vector; test3alldiffs:
``subset(x, subset = cond)`` whose condition was dropped). Expected values are R's
documented semantics (``?Logic``, ``?subset``), written out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.translate import translate
from asr_py.translate.rvector import r_not


def _run(src: str) -> dict:
    return run_r(src)


def test_not_of_a_logical_vector_is_elementwise() -> None:
    ns = _run("k <- c(TRUE, FALSE, TRUE)\nnk <- !k\nn <- sum(!k)\n")
    assert list(np.asarray(ns["nk"], dtype=bool)) == [False, True, False]
    assert ns["n"] == 1


def test_not_of_a_single_value_in_if_and_in_and() -> None:
    ns = _run("flag <- FALSE\nif (!flag) x <- 1 else x <- 2\ngo <- !flag && 2 < 3\n"
              "one <- c(TRUE)\nif (!one) y <- 1 else y <- 2\n")
    assert ns["x"] == 1 and ns["go"] is True and ns["y"] == 2


def test_r_not_keeps_na_and_shape() -> None:
    s = pd.Series([True, None, False], dtype="boolean")
    out = r_not(s)
    assert out.tolist()[0] is False and pd.isna(out.tolist()[1]) and out.tolist()[2] is True
    arr = r_not([True, np.nan, False])
    assert arr[0] is False and pd.isna(arr[1]) and arr[2] is True
    assert r_not(0) is True and r_not(2.5) is False
    with pytest.raises(ValueError):
        bool(r_not(np.array([True, False])))  # R's if() on two values errors too


SRC = ('d <- data.frame(a = c(1, 2, 3, NA), b = c("x", "y", "z", "w"))\n'
       's1 <- subset(d, subset = a > 1)\n'
       's2 <- subset(d, a > 1, select = b)\n'
       's3 <- subset(x = d, subset = a < 3, select = c(a, b))\n'
       's4 <- subset(d, a > 1, b)\n')


def test_subset_by_name_keeps_its_condition_and_drops_na_rows() -> None:
    ns = _run(SRC)
    assert ns["s1"]["b"].tolist() == ["y", "z"]          # NA in the condition: row dropped
    assert list(ns["s2"].columns) == ["b"] and ns["s2"]["b"].tolist() == ["y", "z"]
    assert ns["s3"]["b"].tolist() == ["x", "y"] and list(ns["s3"].columns) == ["a", "b"]
    assert list(ns["s4"].columns) == ["b"] and ns["s4"]["b"].tolist() == ["y", "z"]


def test_subset_argument_it_does_not_know_is_refused_not_dropped() -> None:
    from asr_py.errors import AsrError

    with pytest.raises(AsrError, match="rmClassifyVars"):
        _run("d <- data.frame(a = 1:3)\ns <- subset(d, a > 1, rmClassifyVars = 'a')\n")
    ns = _run("d <- data.frame(a = 1:3, b = 4:6)\ns <- subset(d, a > 1, select = b, drop = TRUE)\n")
    assert isinstance(ns["s"], pd.Series) and ns["s"].tolist() == [5, 6]


def test_subset_of_an_alldiffs_object_is_asremlplus_subset_alldiffs() -> None:
    """subset(diffs, subset = A == "a1") keeps those predictions and the matching rows and
    columns of sed (asremlPlus's subset.alldiffs); rmClassifyVars drops A and relabels.
    Expected values: the predictions and SEDs of the full object, picked by hand."""
    import asr_py as asr

    pred = pd.DataFrame({"A": ["a1", "a1", "a2", "a2"], "B": ["b1", "b2", "b1", "b2"],
                         "predicted.value": [1.0, 2.0, 3.5, 5.0],
                         "standard.error": [0.5, 0.6, 0.7, 0.8]})
    vc = np.diag([0.25, 0.36, 0.49, 0.64]) + 0.01
    full = asr.plus.allDifferences(pred, classify="A:B", vcov=vc, tdf=10)
    code = translate('s <- subset(full, subset = A == "a1")\n'
                     'r <- subset(full, subset = A == "a2", rmClassifyVars = "A")\n')
    ns = {"full": full}
    exec(code, ns)
    s, r = ns["s"], ns["r"]
    assert s["predictions"]["predicted.value"].tolist() == [1.0, 2.0]
    np.testing.assert_allclose(np.asarray(s["sed"], dtype=float)[0, 1],
                               np.sqrt(0.26 + 0.37 - 0.02))
    assert list(r["predictions"].columns[:1]) == ["B"] and r.attrs["classify"] == "B"
    assert list(r["sed"].index) == ["b1", "b2"]
    np.testing.assert_allclose(np.asarray(r["sed"], dtype=float)[0, 1],
                               np.sqrt(0.50 + 0.65 - 0.02))
    assert full["predictions"].shape[0] == 4      # the object passed is not changed


def test_column_element_assignment_by_positions_hits_r_rows() -> None:
    """``d$y[c(2, 4)] <- NA`` sets the 2nd and 4th rows (R positions), not the rows whose
    pandas labels are 2 and 4 (which were R's 3rd and 5th): a silently different data set
    before. Positions held in a variable, negative positions and a condition too."""
    ns = _run('d <- data.frame(y = c(1, 2, 3, 4, 5, 6))\nd$y[c(2, 4)] <- NA\n'
              'k <- c(1, 6)\nd$y[k] <- 0\n'
              'e <- data.frame(y = c(1, 2, 3))\ne$y[-1] <- 9\n'
              'f <- data.frame(y = c(1, 2, 3))\nf$y[f$y > 1] <- 7\n')
    assert [None if pd.isna(v) else v for v in ns["d"]["y"]] == [0, None, 3, None, 5, 0]
    assert ns["e"]["y"].tolist() == [1, 9, 9]
    assert ns["f"]["y"].tolist() == [1, 7, 7]


def test_cell_assignment_uses_r_positions_for_rows_and_columns() -> None:
    """``d[2, 2] <- v`` sets the 2nd column (it made a new column labelled 2 before) and
    ``g[1, 2] <- g[2, 1] <- v`` of a matrix works (``.loc`` on a numpy array before, as in
    asremlPlus's test42EstimateV). Expected values: R's ``[<-`` by hand."""
    ns = _run('d <- data.frame(a = c(1, 2, 3), b = c(4, 5, 6))\nd[2, 2] <- 50\n'
              'd[1, "a"] <- 10\nd[d$a > 2, "b"] <- 0\nd[3, "new"] <- 7\n'
              'm <- matrix(1:6, nrow = 2)\nm[2, c(1, 3)] <- c(0.5, 0.25)\n'
              'g <- matrix(0, 2, 2)\ng[1, 2] <- g[2, 1] <- 0.5\n')
    d = ns["d"]
    assert list(d.columns) == ["a", "b", "new"]
    assert d["a"].tolist() == [10, 2, 3] and d["b"].tolist() == [0, 50, 0]
    assert pd.isna(d["new"].iloc[0]) and d["new"].iloc[2] == 7
    np.testing.assert_array_equal(ns["m"], [[1, 3, 5], [0.5, 4, 0.25]])
    np.testing.assert_array_equal(ns["g"], [[0, 0.5], [0.5, 0]])
