"""R idioms of the asremlPlus test scripts (issue 14, branch c14pb): each a minimal R snippet
translated, run, and its value checked against what R/asreml give (stated per test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py
from scipy import stats

import asr_py as asr
from asr_py import translate

DATA = Path(__file__).resolve().parents[1] / "data"


def test_asreml3_pvals_have_asreml3_column_names(workdir: Path) -> None:
    """asreml 3's ``predict(...)$predictions$pvals`` names its columns standard.error and
    est.status (asreml 4: std.error, status); scripts filter on ``$est.status``."""
    r = ('d <- read.csv("oats.csv")\nd$V <- factor(d$V)\nd$N <- factor(d$N)\n'
         'm <- asreml(Y ~ N + V, random = ~ B, data = d)\n'
         'p <- predict(m, classify = "V")$predictions$pvals\n'
         'p <- p[p$est.status == "Estimable", ]\nse <- p$standard.error\n')
    ns = run_py(translate(r))
    p = ns["p"]
    assert list(p.columns) == ["V", "predicted.value", "standard.error", "est.status"]
    assert len(p) == 3
    # the means of V (balanced: the predictions are the raw means)
    d = pd.read_csv("oats.csv")
    np.testing.assert_allclose(p["predicted.value"].to_numpy(),
                               d.groupby("V")["Y"].mean().to_numpy(), rtol=1e-8)


def test_melt_of_a_matrix_is_by_cells() -> None:
    """reshape2's melt of a matrix (asremlPlus's p.differences): Var1, Var2, value with the
    first index fastest. R 4.2 + reshape2 on matrix(1:6, 2, dimnames = list(c("a", "b"),
    c("x", "y", "z"))) prints Var1 a b a b a b, Var2 x x y y z z, value 1..6."""
    m = pd.DataFrame(np.arange(1, 7).reshape(2, 3, order="F"), index=["a", "b"],
                     columns=["x", "y", "z"])
    ns = run_py(translate("p <- reshape2::melt(m)\nnames(p) <- c('Rows', 'Columns', 'p')\n"),
                m=m)
    p = ns["p"]
    assert list(p.columns) == ["Rows", "Columns", "p"]
    assert list(p["Rows"]) == ["a", "b"] * 3
    assert list(p["Columns"]) == ["x", "x", "y", "y", "z", "z"]
    assert list(p["p"]) == [1, 2, 3, 4, 5, 6]
    # a data frame with R's default row names still melts by columns (variable, value)
    d = pd.DataFrame({"u": [1.0, 2.0], "v": [3.0, 4.0]})
    q = run_py(translate("q <- reshape2::melt(d)\n"), d=d)["q"]
    assert list(q.columns) == ["variable", "value"] and list(q["value"]) == [1, 2, 3, 4]


def test_readRDS_of_an_alldiffs_object(tmp_path: Path, monkeypatch) -> None:
    """An alldiffs object saved by R (tests/data/alldiffs_rds_reference.R: readRDS of a list
    pyreadr skips, read with the rdata package) is an asr.plus alldiffs object with R's
    attributes and labelled matrices; load() of an .rda gives its list as a dict. The p-value
    R prints for the first pair is 0.1767523856."""
    pytest.importorskip("rdata")
    for f in ("alldiffs_small.rds", "alldiffs_small.rda"):
        (tmp_path / f).write_bytes((DATA / f).read_bytes())
    monkeypatch.chdir(tmp_path)
    ns = run_py(translate('x <- readRDS("alldiffs_small.rds")\nlsd <- recalcLSD(x)\n'
                          'load("alldiffs_small.rda")\n'))
    x = ns["x"]
    assert asr.plus.is_alldiffs(x) and x.attrs["tdf"] == 20 and x.attrs["classify"] == "A:B"
    assert x["p.differences"].loc["a1,b1", "a1,b2"] == pytest.approx(0.1767523856, abs=1e-9)
    assert list(x["predictions"]["B"].astype(str)) == ["b1", "b2", "b1", "b2"]
    sed = x["sed"].to_numpy()
    t = stats.t.ppf(0.975, 20)   # mean LSD: t times the root mean square SED of the 6 pairs
    assert float(ns["lsd"]["LSD"]["meanLSD"].iloc[0]) == pytest.approx(
        t * np.sqrt(np.nanmean(sed[np.triu_indices(4, 1)] ** 2)), rel=1e-10)
    assert ns["obj"]["fit"]["b"] == "x" and list(ns["obj"]["fit"]["a"]) == [1, 2, 3]


def test_list_position_in_values_and_na_omit() -> None:
    """R: ``l[[1]]`` of a named list is its first element; ``c("a", "z") %in% names(d)`` is
    elementwise (TRUE FALSE); ``na.omit(d)`` drops the rows with a missing value."""
    r = ('a <- l[[1]]\nb <- d[[2]]\nk <- c("u", "z") %in% names(d)\n'
         'ok <- all(c("u", "v") %in% names(d))\ne <- na.omit(d)\n')
    ns = run_py(translate(r), l={"first": 10, "second": 20},
                d=pd.DataFrame({"u": [1.0, np.nan, 3.0], "v": [4.0, 5.0, 6.0]}))
    assert ns["a"] == 10
    assert list(ns["b"]) == [4.0, 5.0, 6.0]
    assert list(ns["k"]) == [True, False] and bool(ns["ok"])
    assert list(ns["e"]["u"]) == [1.0, 3.0]


def test_factor_exclude_null_makes_na_a_level(workdir: Path) -> None:
    """R: ``factor(c("0.2", NA, "0"), exclude = NULL)`` has levels "0" "0.2" NA. Fitted with
    Nitrogen's missing value as a level of its own, Yates' oats gives 13 estimable
    Variety:Nitrogen predictions (asremlPlus's test42PredictionsPresentation.r records 13
    for asreml 4.2) and the other cells as when the record is omitted."""
    ns = run_py(translate('f <- factor(x, exclude = NULL)\n'),
                x=pd.Series(["0.2", None, "0"]))
    assert list(ns["f"].cat.categories) == ["0", "0.2", "NA"]
    assert list(ns["f"].astype(str)) == ["0.2", "NA", "0"]
    r = ('d <- read.csv("oats.csv")\nd$N[8] <- NA\nd$N <- factor(d$N, exclude = NULL)\n'
         'm <- asreml(Y ~ N*V, random = ~ B/MP, data = d)\n'
         'p <- predict(m, classify = "V:N")$pvals\n'
         'o <- asreml(Y ~ N*V, random = ~ B/MP, data = d[!is.na(d$Y) & d$N != "NA", ])\n'
         'q <- predict(o, classify = "V:N")$pvals\n')
    ns = run_py(translate(r))
    p, q = ns["p"], ns["q"]
    p = p[p["status"] == "Estimable"]    # predictPlus drops the others
    assert len(p) == 13 and len(q) == 12
    both = q.merge(p, on=["V", "N"], suffixes=("", "_na"))
    np.testing.assert_allclose(both["predicted.value_na"], both["predicted.value"], rtol=1e-6)


def test_factor_of_a_factor_drops_its_na_level(workdir: Path) -> None:
    """R: ``f <- factor(c("0.2", NA, "0"), exclude = NULL)`` has an NA level; ``factor(f)``
    drops it (exclude = NA) so that value is NA again (``is.na(factor(f))`` is FALSE TRUE
    FALSE), ``as.character(f)`` gives NA there, while ``as.factor(f)`` returns f unchanged
    (its NA level kept). asremlPlus's test42PredictionsPresentation.r:102-113 re-factors so;
    with the NA level kept, asreml's predictPlus SE 9.106977 is not reproduced."""
    r = ('f <- factor(x, exclude = NULL)\ng <- factor(f)\nh <- as.character(f)\n'
         'k <- as.factor(f)\n')
    ns = run_py(translate(r), x=pd.Series(["0.2", None, "0"]))
    assert list(pd.isna(ns["g"])) == [False, True, False]
    assert list(pd.isna(ns["h"])) == [False, True, False]
    assert list(pd.isna(ns["k"])) == [False, False, False]
    assert list(ns["k"].astype(str)) == ["0.2", "NA", "0"]
    assert list(ns["g"][[0, 2]]) == ["0.2", "0"]


def test_system_file_finds_the_package_source_tree_file(tmp_path: Path, monkeypatch) -> None:
    """R: ``system.file("extdata", "x.csv", package = "p")`` is the file installed from the
    package's inst/extdata; a package's tests run in tests/testthat of its source tree."""
    (tmp_path / "inst" / "extdata").mkdir(parents=True)
    pd.DataFrame({"a": [1, 2]}).to_csv(tmp_path / "inst" / "extdata" / "x.csv", index=False)
    (tmp_path / "tests" / "testthat").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "tests" / "testthat")
    ns = run_py(translate('f <- system.file("extdata", "x.csv", package = "p")\n'
                          'd <- read.csv(f)\ng <- system.file("extdata", "no.csv", '
                          'package = "p")\n'))
    assert list(ns["d"]["a"]) == [1, 2] and ns["g"] == ""


def test_attributes_rownames_setequal_and_one_value_as_text() -> None:
    """R: ``names(attributes(diffs))`` lists "names", the attributes and "class";
    ``rownames(d)`` the row names as text; ``setequal(c(1, 2), c(2, 1, 1))`` TRUE;
    ``as.character(f[1])`` and ``as.character(f[[1]])`` one string."""
    d = pd.DataFrame({"u": [1.0, 2.0]}, index=["a", "b"])
    x = asr.plus.as_alldiffs(pd.DataFrame({"A": ["a1", "a2"], "predicted.value": [1.0, 2.0],
                                           "standard.error": [0.1, 0.1]}), classify="A",
                             tdf=10)
    r = ('n <- names(attributes(x))\nt <- attributes(x)$tdf\nr <- rownames(d)\n'
         's <- setequal(c(1, 2), c(2, 1, 1))\nc1 <- as.character(x$predictions$A[1])\n')
    ns = run_py(translate(r), x=x, d=d)
    assert ns["n"][0] == "names" and "tdf" in ns["n"] and ns["n"][-1] == "class"
    assert ns["t"] == 10 and ns["r"] == ["a", "b"] and ns["s"] is True
    assert ns["c1"] == "a1"


def test_merge_suffixes_and_alldiffs_attribute_count() -> None:
    """R: ``merge(a, b, by = "k")`` names clashing columns v.x and v.y; an alldiffs object
    from predictPlus has 11 attributes (asremlPlus's test42Sortalldiffs.r:
    ``length(attributes(diffs))`` is 11; 13 once sorted: sortFactor, sortOrder)."""
    a = pd.DataFrame({"k": [1, 2], "v": [3.0, 4.0]})
    b = pd.DataFrame({"k": [2, 1], "v": [5.0, 6.0]})
    t = run_py(translate('t <- merge(a, b, by = "k")\n'), a=a, b=b)["t"]
    assert list(t.columns) == ["k", "v.x", "v.y"]
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    m = asr.asreml("Y ~ N*V", random="~ B", data=d)
    ns = run_py(translate('diffs <- predictPlus(m, classify = "N:V", wald.tab = w)\n'
                          'n1 <- length(attributes(diffs))\n'
                          's <- sort(diffs, sortFactor = "V")\n'
                          'n2 <- length(attributes(s))\n'), m=m, w=m.wald(denDF="numeric"))
    assert ns["n1"] == 11 and ns["n2"] == 13


def test_length_of_a_data_frame_is_its_columns() -> None:
    """R: ``length(d)`` of a data frame is ncol(d) (asremlPlus's LSD component: 8);
    ``length("ab")`` 1, ``length(NULL)`` 0, ``length(c(1, 2, 3))`` 3; ``nrow(d)`` rows."""
    d = pd.DataFrame({c: [1.0] for c in "abcdefgh"})
    ns = run_py(translate('a <- length(d)\nb <- length("ab")\nc0 <- length(NULL)\n'
                          'v <- length(c(1, 2, 3))\nn <- nrow(d)\n'), d=d)
    assert (ns["a"], ns["b"], ns["c0"], ns["v"], ns["n"]) == (8, 1, 0, 3, 1)


def test_negative_match_drops_that_column() -> None:
    """R: ``d[-match("b", names(d))]`` and ``d[, -match("b", names(d))]`` are d without
    column b."""
    d = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    ns = run_py(translate('e <- d[-match("b", names(d))]\nf <- d[, -match("b", names(d))]\n'),
                d=d)
    assert list(ns["e"].columns) == ["a", "c"] and list(ns["f"].columns) == ["a", "c"]
