"""dae's fac.nested and fac.gen (asr.dae.fac_nested / fac_gen) against dae's own testthat
expectations (briencj/dae tests/testthat/testNestedFacs.r, lines 9-17) and closed forms
(itertools.product is standard order), plus the translation of the R calls."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate import translate


def test_fac_nested_counts_within_levels_as_dae_testthat():
    # testNestedFacs.r: A <- factor(rep(1:3, c(3,6,4)), labels = letters[1:3]);
    # length(levels(fac.nested(A))) == 6
    A = pd.Series(np.repeat(list("abc"), [3, 6, 4]))
    B = asr.dae.fac_nested(A)
    assert len(B.cat.categories) == 6
    assert B.astype(str).tolist() == ["1", "2", "3", "1", "2", "3", "4", "5", "6",
                                      "1", "2", "3", "4"]


def test_fac_nested_missing_values_as_dae_testthat():
    # testNestedFacs.r: A[c(4,9)] <- NA; A <- c(A, NA): 4 levels, NA at 4, 9, 14
    A = pd.Series(list(np.repeat(list("abc"), [3, 6, 4])) + [None], dtype=object)
    A[[3, 8]] = None
    B = asr.dae.fac_nested(A)
    assert len(B.cat.categories) == 4
    assert B.isna().to_numpy().nonzero()[0].tolist() == [3, 8, 13]


def test_fac_nested_order_of_occurrence_labels_and_index():
    A = pd.Series(["x", "y", "x", "y", "y"], index=[10, 11, 12, 13, 14])
    B = asr.dae.fac_nested(A, nested_labs=["first", "second", "third"])
    assert B.index.tolist() == [10, 11, 12, 13, 14]
    assert B.astype(str).tolist() == ["first", "first", "second", "second", "third"]
    assert A.tolist() == ["x", "y", "x", "y", "y"]          # not mutated
    with pytest.raises(AsrError, match="nested.labs"):
        asr.dae.fac_nested(A, nested_labs=["a"])
    with pytest.raises(AsrError, match="nested.levs"):
        asr.dae.fac_nested(A, levels=[1, 2])


def test_fac_gen_is_standard_order_with_each_and_times():
    gen = {"Nozzle": ["A", "B", "C"], "Pressure": [20, 10, 15], "Speed": 2}
    d = asr.dae.fac_gen(gen, each=2, times=3)
    # standard order: the first factor slowest; numeric levels sorted as R's factor()
    prod = [(n, str(p), str(s)) for n, p, s in itertools.product(
        ["A", "B", "C"], ["20", "10", "15"], ["1", "2"]) for _ in range(2)] * 3
    assert list(zip(*(d[c].astype(str) for c in d.columns))) == prod
    assert d.shape == (3 * 3 * 2 * 2 * 3, 3)
    assert d["Pressure"].cat.categories.tolist() == ["10", "15", "20"]
    assert d["Nozzle"].cat.categories.tolist() == ["A", "B", "C"]


def test_fac_gen_yates_order_and_unnamed_repeat():
    y = asr.dae.fac_gen({"A": 2, "B": 3}, order="yates")
    assert list(zip(y["A"].astype(str), y["B"].astype(str))) == [
        (a, b) for b, a in itertools.product("123", "12")]
    # list(A = 2, 3, B = 2): each level of A repeated 3 times around B's cycle
    r = asr.dae.fac_gen([("A", 2), ("", 3), ("B", 2)])
    assert list(zip(r["A"].astype(str), r["B"].astype(str))) == [
        (a, b) for a in "12" for _ in range(3) for b in "12"]
    with pytest.raises(AsrError, match="start with a factor name"):
        asr.dae.fac_gen([("", 3), ("B", 2)])


def test_translated_fac_gen_within_fac_nested_runs():
    py = translate('d <- fac.gen(generate = list(A = c("p", "q"), B = 3), each = 2)\n'
                   'd <- within(d, { AB <- fac.combine(list(A, B), combine.levels = TRUE)\n'
                   '                 W <- fac.nested(AB) })\n'
                   'n <- nlevels(d$W)\n')
    assert "asr.dae.fac_gen(" in py and "asr.dae.fac_nested(" in py
    ns: dict = {}
    exec(py, ns)
    d = ns["d"]
    assert d.shape[0] == 12
    assert d["W"].astype(str).tolist() == ["1", "2"] * 6
    assert d["AB"].astype(str).tolist()[:4] == ["p,1", "p,1", "p,2", "p,2"]


def test_fac_multinested_as_dae_testthat():
    # testNestedFacs.r lines 33-45 (dae): lay$A as above; fac.multinested(lay$A) gives
    # factors a, b, c; b has 7 levels, "rest" first; a[1:4] == c("1","2","3","rest");
    # with nested.levs = seq(10, 60, 10), outlabel = "other": a[1:4] == c("10",...,"other")
    A = pd.Series(pd.Categorical(np.repeat(list("abc"), [3, 6, 4])))
    lay2 = asr.dae.fac_multinested(A)
    assert list(lay2.columns) == ["a", "b", "c"]
    assert len(lay2["b"].cat.categories) == 7 and lay2["b"].cat.categories[0] == "rest"
    assert lay2["a"].astype(str).tolist()[:4] == ["1", "2", "3", "rest"]
    lay3 = asr.dae.fac_multinested(A, nested_levs=np.arange(10, 70, 10), outlabel="other")
    assert len(lay3["b"].cat.categories) == 7
    assert lay3["a"].astype(str).tolist()[:4] == ["10", "20", "30", "other"]


def test_fac_multinested_with_a_nested_factor():
    V = pd.Series(["v1", "v1", "v2", "v2", None])
    N = pd.Series(pd.Categorical(["0.2", "0", "0", "0.4", "0"], categories=["0", "0.2",
                                                                           "0.4"]))
    d = asr.dae.fac_multinested(V, N, fac_prefix="N")
    assert list(d.columns) == ["Nv1", "Nv2"]
    assert d["Nv1"].astype(object).tolist()[:4] == ["0.2", "0", "rest", "rest"]
    assert d["Nv2"].astype(object).tolist()[:4] == ["rest", "rest", "0", "0.4"]
    assert d["Nv1"].cat.categories.tolist() == ["rest", "0", "0.2"]
    assert d.isna().to_numpy()[4].all()


def test_fac_recast_as_r():
    # R 4.2 (dae's body, base R only): f <- factor(c("b","a","c","a"));
    # x <- factor(c("z","y","z")[f]) -> "y" "z" "z" "z", levels "y" "z";
    # factor(x, levels = c("z","y"), labels = c("Z","Y")) -> "Y" "Z" "Z" "Z", levels "Z" "Y"
    f = pd.Series(["b", "a", "c", "a"])
    x = asr.dae.fac_recast(f, newlevels=["z", "y", "z"])
    assert x.astype(str).tolist() == ["y", "z", "z", "z"]
    assert x.cat.categories.tolist() == ["y", "z"]
    g = asr.dae.fac_recast(f, newlevels=["z", "y", "z"], levels_order=["z", "y"],
                           newlabels=["Z", "Y"])
    assert g.astype(str).tolist() == ["Y", "Z", "Z", "Z"]
    assert g.cat.categories.tolist() == ["Z", "Y"]
    o = asr.dae.fac_recast(f, levels_order=["c", "b", "a"])
    assert o.astype(str).tolist() == f.tolist() and o.cat.categories.tolist() == ["c", "b", "a"]
    assert f.tolist() == ["b", "a", "c", "a"]
    with pytest.raises(AsrError, match="every level"):
        asr.dae.fac_recast(f, newlevels=["z"])
    with pytest.raises(AsrError, match="levels.order"):
        asr.dae.fac_recast(f, levels_order=["a", "b"])
