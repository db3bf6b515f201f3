"""Eleventh pass G (held-out scripts): arguments lapply()/sapply()/vapply() pass on through
``...`` to FUN (asr_py/translate/rdots.py), ``sapply(x, "[", i)``, sum/max/min/prod/any/all
of several arguments (rreduce.py), lmmtools' ``icREML()`` (ricreml.py), ``data()`` reading a
data/ directory first.

Expected values: R's documented semantics written out by hand; icREML's full log-likelihood
from a dense numpy computation (-½(log|V| + y'Py) at the fitted variances, V built here) and
the values lmmtools' own example script records for the Gilmour et al. (1997) wheat trial
(mpeddu/lmmtools inst/extdata/wheat.R, asreml-R output in its comments; the data,
fetched lmmtools_WheatData.csv, is lmmtools' inst/extdata/WheatData.csv, GPL-3).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched
from _translate_fixtures import run_r

import asr_py as asr
from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.rreduce import r_reduce


# ----- lapply/sapply/vapply: extra arguments go on to FUN ----------------------------------
def test_lapply_passes_positional_extras_to_fun() -> None:
    ns = run_r("C <- list(2, 3, 5)\n"
               "f <- function(el, C, s) C[[el]] * s\n"
               "a <- lapply(1:3, f, C, 10)\n"
               "b <- sapply(1:3, function(el, C, s) C[[el]] + s, C, 1)\n"
               "d <- lapply(X = 1:2, FUN = f, C, s = 2)\n"
               "v <- vapply(1:3, function(el, k) el * k, numeric(1), 4)\n", complete=True)
    assert list(ns["a"]) == [20, 30, 50]
    assert list(ns["b"]) == [3, 4, 6]
    assert list(ns["d"]) == [4, 6]
    assert list(ns["v"]) == [4, 8, 12]          # FUN.VALUE is not passed to FUN


def test_extras_to_a_function_mapped_by_name_are_a_todo_not_dropped() -> None:
    py = translate("q <- sapply(x, quantile, 0.9)\n")
    assert "untranslated(" in py and "quantile" in py


def test_sapply_bracket_picks_each_element() -> None:
    ns = run_r('p <- strsplit(c("a_1", "b_2", "c_3"), "_")\n'
               'first <- sapply(p, "[", 1)\n'
               "second <- sapply(p, `[`, 2)\n"
               'l <- list(list(4, 5), list(6, 7))\n'
               'g <- sapply(l, "[[", 2)\n', complete=True)
    assert list(ns["first"]) == ["a", "b", "c"]
    assert list(ns["second"]) == ["1", "2", "3"]
    assert list(ns["g"]) == [5, 7]


# ----- several arguments: R combines them first --------------------------------------------
def test_reductions_of_several_arguments_translate() -> None:
    ns = run_r("x <- c(-3, -1)\n"
               "a <- max(0, x)\n"
               "b <- sum(1:3, 4)\n"
               "c <- min(x, 5)\n"
               "p <- prod(c(2, 3, 4))\n"
               "q <- prod(1:5, 2)\n", complete=True)
    assert ns["a"] == 0 and ns["b"] == 10 and ns["c"] == -3
    assert ns["p"] == 24 and ns["q"] == 240


def test_r_reduce_missing_values_as_r() -> None:
    assert np.isnan(r_reduce("min", [3.0, np.nan], 1))
    assert r_reduce("min", [3.0, np.nan], 1, na_rm=True) == 1
    assert r_reduce("sum", pd.Series([1.0, np.nan]), 2, na_rm=True) == 3
    assert r_reduce("any", [np.nan], True) is True        # any(NA, TRUE) is TRUE
    assert r_reduce("all", [np.nan], False) is False      # all(NA, FALSE) is FALSE
    assert np.isnan(r_reduce("all", [np.nan], True))      # all(NA, TRUE) is NA
    assert r_reduce("max", [np.nan], na_rm=True) == -np.inf   # R: -Inf with a warning
    assert r_reduce("prod", []) == 1
    with pytest.raises(AsrError, match="mean"):
        r_reduce("mean", [1, 2])


# ----- icREML --------------------------------------------------------------------------------
def _one_way(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat([f"g{i}" for i in range(8)], 5)
    u = rng.normal(0, 1.5, 8)
    x = rng.normal(0, 1, 40)
    y = 2 + 0.7 * x + np.repeat(u, 5) + rng.normal(0, 1, 40)
    return pd.DataFrame({"y": y, "x": x, "g": pd.Categorical(g)})


def test_icreml_full_loglik_against_dense_numpy() -> None:
    d = _one_way()
    m0 = asr.asreml(fixed="y ~ x", random="~ g", data=d)
    m1 = asr.asreml(fixed="y ~ 1", random="~ g", data=d)
    ns = run_r("tab <- icREML(list(a = m0, b = m1), logdet = TRUE)\n", complete=True,
               m0=m0, m1=m1)
    tab = ns["tab"]
    assert list(tab.columns) == ["model", "res.loglik", "full.loglik", "p", "q", "b", "AIC",
                                 "BIC", "logdet"]
    assert list(tab["model"]) == ["a", "b"] and list(tab.index) == [1, 2]
    for row, m, cols in ((1, m0, ["1", "x"]), (2, m1, ["1"])):
        vc = m.varcomp
        sg, se = float(vc.loc["g", "component"]), float(vc.iloc[-1]["component"])
        z = pd.get_dummies(d["g"]).to_numpy(dtype=float)
        v = sg * z @ z.T + se * np.eye(len(d))
        x = np.column_stack([np.ones(len(d))] + ([d["x"].to_numpy()] if "x" in cols else []))
        vi = np.linalg.inv(v)
        xvx = x.T @ vi @ x
        pm = vi - vi @ x @ np.linalg.solve(xvx, x.T @ vi)
        y = d["y"].to_numpy()
        full = -0.5 * (np.linalg.slogdet(v)[1] + y @ pm @ y)     # 2π constant left out
        res = full - 0.5 * np.linalg.slogdet(xvx)[1]
        p, q = x.shape[1], 2
        r = tab.loc[row]
        assert r["p"] == p and r["q"] == q and r["b"] == 0
        assert r["full.loglik"] == pytest.approx(full, abs=1e-6)
        assert r["res.loglik"] == pytest.approx(res, abs=1e-6)
        assert r["logdet"] == pytest.approx(-np.linalg.slogdet(xvx)[1], abs=1e-8)
        assert r["AIC"] == pytest.approx(-2 * full + 2 * (p + q), abs=1e-6)
        assert r["BIC"] == pytest.approx(-2 * full + np.log(len(d)) * (p + q), abs=1e-6)


def test_icreml_wheat_recorded_by_lmmtools() -> None:
    """lmmtools' wheat.R records (asreml-R, icREML of lmmtools 2019) loglik (the full one),
    p, q, AIC, BIC and logdet for fm0 (no spatial term) and fm1 (ar1 x ar1 residual)."""
    d = pd.read_csv(fetched("lmmtools_WheatData.csv"))
    for c in ("Variety", "Block", "Row", "Col"):
        d[c] = pd.Categorical(d[c])
    fm0 = asr.asreml(fixed="yield ~ 1", random="~ Variety + Block", data=d)
    fm1 = asr.asreml(fixed="yield ~ 1", random="~ Variety + Block",
                     residual="~ ar1(Col):ar1(Row)", data=d)
    ns = run_r("sel <- icREML(list(fm0 = fm0, fm1 = fm1), logdet = TRUE)\n", complete=True,
               fm0=fm0, fm1=fm1)
    t = ns["sel"]
    recorded = {"fm0": (-1758.165, 1, 3, 3524.331, 3539.527, 8.367356),
                "fm1": (-1600.114, 1, 5, 3212.229, 3235.023, 8.268164)}
    for i, (name, (ll, p, q, aic, bic, ld)) in enumerate(recorded.items(), start=1):
        r = t.loc[i]
        assert r["model"] == name and r["p"] == p and r["q"] == q
        assert r["full.loglik"] == pytest.approx(ll, abs=0.01)
        assert r["AIC"] == pytest.approx(aic, abs=0.02)
        assert r["BIC"] == pytest.approx(bic, abs=0.02)
        assert r["logdet"] == pytest.approx(ld, abs=0.01)


def test_icreml_bad_input_is_a_clear_error() -> None:
    from asr_py.translate.ricreml import r_icreml

    with pytest.raises(AsrError, match="in a list"):
        r_icreml(3)
    with pytest.raises(AsrError, match="empty"):
        r_icreml([])
    with pytest.raises(AsrError, match="'m2' is not an asreml fit"):
        r_icreml({"m2": pd.DataFrame()})


def test_script_defined_icreml_is_kept() -> None:
    py = translate("icREML <- function(fm, scale = 1) { length(fm) }\n"
                   "s <- icREML(list(1, 2))\n")
    assert "r_icreml" not in py and "icREML(" in py


# ----- data(): a data/ directory first ------------------------------------------------------
def test_data_reads_data_directory_before_the_script_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    pd.DataFrame({"v": [1, 2]}).to_csv(tmp_path / "W.csv", index=False)
    pd.DataFrame({"v": [7, 8, 9]}).to_csv(tmp_path / "data" / "W.csv", index=False)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        ns = run_r("data(W)\nn <- nrow(W)\n")
    finally:
        os.chdir(old)
    assert ns["n"] == 3


# ----- x[[i]]$name: the element's own $ (a fit, a frame, a list) ----------------------------
def test_dollar_of_a_list_element_dispatches_when_run() -> None:
    d = _one_way()
    m = asr.asreml(fixed="y ~ x", random="~ g", data=d)
    ns = run_r("f <- function(fm) lapply(1:length(fm), function(el, fm)\n"
               "  c(fm[[el]]$nedf, fm[[el]]$loglik, nrow(fm[[el]]$Cfixed)), fm)\n"
               "v <- f(list(m))\n"
               "l <- list(d = data.frame(a = 1:2))\n"
               'w <- l[["d"]]$a\n'
               "z <- l[[1]]$absent\n", complete=True, m=m)
    nedf, loglik, p = ns["v"][0]
    # nedf = n - rank(X) = 40 - 2; asreml's loglik is the full REML one plus ½ nedf log 2π
    assert nedf == 38 and p == 2
    assert loglik == pytest.approx(m.loglik + 0.5 * 38 * np.log(2 * np.pi), abs=1e-9)
    assert list(ns["w"]) == [1, 2] and ns["z"] is None       # R's NULL


# ----- genherit1 -----------------------------------------------------------------------------
def test_genherit1_against_dense_mixed_model_equations() -> None:
    d = _one_way(seed=11).iloc[:-3]                      # unbalanced: 37 records
    m = asr.asreml(fixed="y ~ 1", random="~ g", data=d)
    ns = run_r('h <- genherit1(m, id = "g")\n'
               'G <- diag(8)\nattr(G, "INVERSE") <- FALSE\n'
               'hg <- genherit1(m, id = "g", only = "g", Gmat = G)\n', complete=True, m=m)
    vc = m.varcomp
    sg, se = float(vc.loc["g", "component"]), float(vc.iloc[-1]["component"])
    z = pd.get_dummies(d["g"]).to_numpy(dtype=float)
    x = np.ones((len(d), 1))
    c = np.block([[x.T @ x, x.T @ z], [z.T @ x, z.T @ z + se / sg * np.eye(8)]])
    pev = se * np.linalg.inv(c)[1:, 1:]                 # prediction error variances of u
    h2 = 1 - np.trace(pev) / (8 * sg)
    assert ns["h"] == pytest.approx(h2, abs=1e-6)
    # with a relationship matrix G (here I, given not inverted): 1 - tr(G^-1 P) / n, no σ²_g
    assert ns["hg"] == pytest.approx(1 - np.trace(pev) / 8, abs=1e-6)


def test_genherit1_needs_a_fit_and_an_inverse_flag() -> None:
    from asr_py.translate.rgenherit import r_genherit1

    with pytest.raises(AsrError, match="not an asreml fit"):
        r_genherit1(pd.DataFrame())
    m = asr.asreml(fixed="y ~ 1", random="~ g", data=_one_way())
    with pytest.raises(AsrError, match="only is NULL"):
        r_genherit1(m, id="g", Gmat=np.eye(8))
    with pytest.raises(AsrError, match="INVERSE"):
        r_genherit1(m, id="g", only="g", Gmat=np.eye(8))
