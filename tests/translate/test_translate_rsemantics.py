"""translate(): general R semantics the corpus scripts rely on (issue 14, fourth pass). Each
test translates a minimal R snippet, executes it, and checks the value R gives (stated in
the test; R 4.2 semantics)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import dt, run_py

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate import translate


def run_r(code: str, **env) -> tuple[dict, str]:
    """Translate ``code``, run it; the namespace and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns = run_py(translate(code), **env)
    return ns, out.getvalue()


def one_row(aic: float, label: str) -> pd.DataFrame:
    return pd.DataFrame({"AIC": [aic], "BIC": [aic + 1]}, index=[label])


@pytest.mark.parametrize(("a", "b", "want"), [(10.0, 12.0, "ar1"), (12.0, 10.0, "ts")])
def test_if_on_one_row_data_frames_compares_their_values(a: float, b: float,
                                                         want: str) -> None:
    """``if (ar1.ic$AIC < ts.ic$AIC)``: R's if takes the single values, whatever the
    row names (pandas alone refuses to compare differently-labelled Series)."""
    code = 'if (ar1.ic$AIC < ts.ic$AIC) best <- "ar1" else best <- "ts"\n'
    ns, _ = run_r(code, ar1_ic=one_row(a, "ar1"), ts_ic=one_row(b, "ts"))
    assert ns["best"] == want


def test_if_and_while_take_one_element() -> None:
    code = ("n <- 0\nif (d$x[2] > 1 && !is.na(d$x[1])) n <- 1\n"
            "while (d$x[1] < 3) d$x[1] <- d$x[1] + 1\n")
    ns, _ = run_r(code, d=pd.DataFrame({"x": [1.0, 2.0, 0.0]}))
    assert ns["n"] == 1
    assert ns["d"]["x"].tolist() == [3.0, 2.0, 0.0]


def test_if_on_a_longer_vector_is_an_error_as_in_r() -> None:
    with pytest.raises(AsrError, match="length 3"):
        run_r("if (d$x > 1) y <- 1\n", d=pd.DataFrame({"x": [1.0, 2.0, 3.0]}))


def test_plain_scalar_conditions_are_left_as_they_are() -> None:
    py = translate("if (n > 2 && k == 1) print(n)\n")
    assert "if n > 2 and k == 1:" in py and "r_scalar" not in py


def test_parenthesised_assignment_assigns_and_prints() -> None:
    """``(p <- f(x))`` binds p and prints it at the top level; inside a function it only
    binds."""
    code = "(p <- 0.25 * 2)\nf <- function() {\n  (q <- 3)\n  q + 1\n}\nr <- f()\n"
    ns, out = run_r(code)
    assert ns["p"] == 0.5 and ns["r"] == 4
    assert out.split() == ["0.5"]


def test_row_numbers_in_assignments_are_positions() -> None:
    """``d$x[1] <- v`` and ``d[2, "x"] <- v`` set the first and second rows (R's row numbers
    are positions), also when the data frame's index does not start at 0."""
    code = 'd$x[1] <- 10\nd[2, "x"] <- 20\nd$x[3:4] <- 0\nd$x[d$x > 15] <- -1\n'
    d = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0]}, index=[7, 3, 1, 0, 9])
    ns, _ = run_r(code, d=d)
    assert ns["d"]["x"].tolist() == [10.0, -1.0, 0.0, 0.0, 5.0]


def test_rep_follows_r() -> None:
    """rep(): one count repeats the vector, one count per element repeats each element
    (the budworm data of asremlPlus's tests: ``sex = rep(c("M", "F"), c(6, 6))``), each=,
    length.out= (partial len=). Expected values printed by R 4.2."""
    code = ('a <- rep(0:5, 2)\nb <- rep(c("M", "F"), c(6, 6))\nd <- rep(1:2, each = 2, '
            'times = 2)\ne <- rep(1:3, length.out = 7)\nf <- rep(c(1, 2), times = c(1, 3))\n'
            'g <- rep(1:2, each = 2, len = 5)\n'
            'df <- data.frame(sex = rep(c("M", "F"), c(2, 1)), y = rep(1, 3))\n')
    ns, _ = run_r(code)
    assert ns["a"] == [0, 1, 2, 3, 4, 5] * 2
    assert ns["b"] == ["M"] * 6 + ["F"] * 6
    assert ns["d"] == [1, 1, 2, 2, 1, 1, 2, 2]
    assert ns["e"] == [1, 2, 3, 1, 2, 3, 1]
    assert ns["f"] == [1, 2, 2, 2]
    assert ns["g"] == [1, 1, 2, 2, 1]
    assert ns["df"]["sex"].tolist() == ["M", "M", "F"]


def test_rep_with_mismatched_counts_is_an_error() -> None:
    with pytest.raises(AsrError, match="3 counts for 2 values"):
        run_r("x <- rep(1:2, c(1, 2, 3))\n")


def test_position_subscripts() -> None:
    """``x[4:5]``, ``x[c(1, 3)]``, ``x[-1]``, ``x[-(1:2)]`` select by 1-based position
    (negative drops), whatever the names; ``c(x[4])`` is the single value (R has no
    scalar apart from a length-1 vector), so ``if`` and arithmetic take it."""
    code = ("r <- v[4:5]\nw <- v[c(1, 3)]\nz <- v[-1]\ny <- v[-(1:2)]\nrho <- c(v[4])\n"
            "ok <- rho < 1\nl <- lst[2:3]\ncols <- d[2:3]\nrr <- c(v[c(1, 4:5)])\n")
    v = pd.Series([0.1, 0.2, 0.3, 0.4, 0.5], index=list("abcde"))
    d = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    ns, _ = run_r(code, v=v, lst=["p", "q", "s"], d=d)
    assert ns["r"].tolist() == [0.4, 0.5] and list(ns["r"].index) == ["d", "e"]
    assert ns["w"].tolist() == [0.1, 0.3]
    assert ns["z"].tolist() == [0.2, 0.3, 0.4, 0.5]
    assert ns["y"].tolist() == [0.3, 0.4, 0.5]
    assert ns["rho"] == 0.4 and ns["ok"] is True
    assert ns["l"] == ["q", "s"]
    assert list(ns["cols"].columns) == ["b", "c"]
    assert list(ns["rr"]) == [0.1, 0.4, 0.5]


SCRIPT_PRED3 = """
dat <- read.csv("DT.csv")
dat$Env <- as.factor(dat$Env)
dat$Name <- as.factor(dat$Name)
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
pr <- predict(m, classify = "Env", sed = TRUE)
if (getASRemlVersionLoaded(nchar = 1) == "3")
  pr <- pr$predictions
pv <- pr$pvals
pr3 <- predict(m, classify = "Env", sed = TRUE)$predictions
pr3$pvals$Env <- factor(pr3$pvals$Env)
pv3 <- pr3$pvals
sed3 <- pr3$sed
"""


def test_asreml3_prediction_lists(workdir: Path) -> None:
    """asreml 3's ``predict(...)$predictions`` list, its ``$pvals`` column assignment, and
    ``x <- x$predictions`` under asremlPlus's version test all reach the predictions (the
    version test says 4: asr_py follows asreml 4.2)."""
    py = translate(SCRIPT_PRED3)
    assert "# TODO(asr_py)" not in py and "untranslated(" not in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt()).predict(
        classify="Env", sed=True)
    for got in (ns["pv"], ns["pv3"]):
        np.testing.assert_allclose(got["predicted.value"], direct["predicted.value"],
                                   rtol=1e-10)
    np.testing.assert_allclose(np.asarray(ns["sed3"]), np.asarray(direct.attrs["sed"]),
                               rtol=1e-10)


def test_table_as_data_frame_order_and_as_list() -> None:
    """asremlPlus's idiom for the observed combinations of factors: table() of a data
    frame's columns named in a variable, as.data.frame (first factor fastest, zeros kept),
    do.call(order, .), rows with Freq != 0, as.list. Values printed by R 4.2."""
    code = ('cf <- c("a", "b")\nlevs <- as.data.frame(table(d[cf]))\nn0 <- nrow(levs)\n'
            'f0 <- levs$Freq\nlevs <- levs[do.call(order, levs), ]\n'
            'levs <- as.list(levs[levs$Freq != 0, cf])\nt1 <- table(c(3, 1, 3, 10))\n')
    d = pd.DataFrame({"a": ["x", "y", "x", "y", "x"], "b": [2, 1, 1, 1, None]})
    ns, _ = run_r(code, d=d)
    assert ns["n0"] == 4 and list(ns["f0"]) == [1, 2, 1, 0]
    assert list(ns["levs"]["a"]) == ["x", "x", "y"]
    assert list(ns["levs"]["b"]) == ["1", "2", "1"]
    assert list(ns["t1"].index) == [1, 3, 10] and list(ns["t1"]) == [1, 2, 1]


def test_subscript_held_in_a_variable() -> None:
    """``x[m]`` with m a logical vector (recycled), names or positions held in a variable."""
    code = "a <- x[m]\nb <- x[k]\ncols <- d[nm]\n"
    ns, _ = run_r(code, x=pd.Series([5, 6, 7]), m=[True, False], k=[3, 1],
                  d=pd.DataFrame({"p": [1], "q": [2]}), nm="q")
    assert ns["a"].tolist() == [5, 7] and ns["b"].tolist() == [7, 5]
    assert list(ns["cols"].columns) == ["q"]


def test_dollar_partial_match_on_a_frame_read_with_raw_names(tmp_path: Path,
                                                             monkeypatch) -> None:
    """A CSV header "TBFM " (trailing space) is the name "TBFM": R's read.table reads the
    header line with scan(strip.white = TRUE) and takes col.names from it (R's
    utils/R/readtable.R). ``d$TB`` reads it by partial matching (the exact name wins; no or
    an ambiguous match (``d$TG``) is NULL); ``d$TBFM <- ...`` replaces it."""
    (tmp_path / "x.csv").write_text("id,TBFM ,TG1,TG2\n1,10.5,1,2\n2,11.5,3,4\n")
    monkeypatch.chdir(tmp_path)
    code = ('d <- read.csv("x.csv", check.names=FALSE)\n'
            'd$TBFM <- as.numeric(as.character(d$TB)) * 2\n'
            'm <- mean(d$TBFM)\nn <- is.null(d$TG)\nr <- d$id\n')
    ns, _ = run_r(code)
    assert ns["m"] == pytest.approx(22.0)
    assert list(ns["d"].columns) == ["id", "TBFM", "TG1", "TG2"]
    assert ns["n"] is True and list(ns["r"]) == [1, 2]


def test_as_numeric_of_text_gives_na_for_non_numbers() -> None:
    """``as.numeric(as.character(d$x))`` with an "n" in the column: NA there (R warns), the
    numbers elsewhere."""
    ns, _ = run_r("d$y <- as.numeric(as.character(d$x))\nz <- as.numeric(d$x)\n",
                  d=pd.DataFrame({"x": ["1.5", "n", "3"]}))
    assert ns["d"]["y"].tolist()[::2] == [1.5, 3.0] and np.isnan(ns["d"]["y"].iloc[1])
    assert np.isnan(ns["z"].iloc[1]) and ns["z"].iloc[2] == 3.0


def test_update_asreml_method_name_and_placeholders_in_arrays(workdir: Path) -> None:
    """``update.asreml(m)`` (the S3 method called by name, WHEAT.R) refits like
    ``update(m)``; a placeholder of untranslated code reaching numpy says what it is
    (WHEAT.R's variogram got numpy's 'setting an array element with a sequence')."""
    code = ('dat <- read.csv("DT.csv")\nm <- asreml(Yield ~ Env, random = ~ Name, data = dat)\n'
            'm <- update.asreml(m)\nll <- m$loglik\n')
    py = translate(code)
    assert "m.update(" in py and "untranslated(" not in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt())
    nu = direct.result.n_minus_p      # asreml's $loglik: no 2π constant
    assert ns["ll"] == pytest.approx(direct.loglik + 0.5 * nu * np.log(2 * np.pi), abs=1e-6)
    from asr_py.translate.checks import untranslated
    with pytest.raises(AsrError, match="an array needs its real value"):
        np.asarray(untranslated("update.asreml()", "spatial1").residuals, dtype=float)


def test_rio_import_and_reshape2_melt(tmp_path: Path, monkeypatch) -> None:
    """rio's ``import("x.xlsx")`` reads by extension; reshape2's ``melt(d, id.var = ...)``
    (partial ``id.var``) stacks the other columns into variable/value, column by column.
    Expected rows printed by R 4.2 with reshape2."""
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"rot": ["a", "b"], "n": [1, 2], "1990": [5, 6], "1991": [7, 8]}).to_excel(
        "w.xlsx", index=False)
    code = ('dat <- import("w.xlsx")\ndat <- melt(dat, id.var = c("rot", "n"))\n'
            'dat <- rename(dat, yield = value, year = variable)\n'
            'dat <- transform(dat, year = as.numeric(as.character(year)))\n')
    ns, _ = run_r(code)
    d = ns["dat"]
    assert list(d.columns) == ["rot", "n", "year", "yield"]
    assert d["rot"].tolist() == ["a", "b", "a", "b"]
    assert d["year"].tolist() == [1990, 1990, 1991, 1991]
    assert d["yield"].tolist() == [5, 6, 7, 8]


def test_match_gives_the_first_position() -> None:
    """``k <- match("b", x$terms)`` then ``x$p[k]`` (asremlPlus's idiom to find a test's
    row): R gives 2, c(2, NA, 1) for a vector, and takes p[2] in the if."""
    code = ('k <- match("b", x$terms)\nks <- match(c("b", "z", "a"), x$terms)\np <- x$p\n'
            'if (p[k] <= 0.05) y <- 1 else y <- 2\n')
    ns, _ = run_r(code, x=pd.DataFrame({"terms": ["a", "b", "b"], "p": [0.5, 0.01, 0.9]}))
    assert ns["k"] == 2 and ns["ks"] == [2, None, 1] and ns["y"] == 1


def test_subscripts_by_placeholders_stay_placeholders() -> None:
    """A subscript computed by untranslated code gives a placeholder (used: counted), not
    an error, until a condition needs its value."""
    from asr_py.translate.checks import untranslated
    from asr_py.translate.runtime import r_sub

    k = untranslated("match()", "k")
    assert repr(r_sub(pd.Series([1, 2]), k)) == "<not translated: match()>"


def test_as_data_frame_of_lapply_list_gives_columns() -> None:
    """as.data.frame(lapply(names, function(r) log(d[[r]]))) then names(x) <- ...: one
    column per list element (R semantics; asremlPlus test3alldiffs' lRGR idiom), a shorter
    element recycled, a length that does not divide an error."""
    code = ('rs <- c("a", "b", "c")\nl <- as.data.frame(lapply(rs, function(r) log(d[[r]])))\n'
            'names(l) <- paste0("l", rs)\nm <- as.data.frame(list(1:4, 1:2))\n')
    d = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [3.0, 5.0, 7.0], "c": [9.0, 1.0, 2.0]})
    ns, _ = run_r(code, d=d)
    assert list(ns["l"].columns) == ["la", "lb", "lc"] and ns["l"].shape == (3, 3)
    np.testing.assert_allclose(ns["l"]["lb"], np.log(d["b"]))
    assert list(ns["m"].iloc[:, 1]) == [1, 2, 1, 2]
    with pytest.raises(ValueError, match="differing number of rows"):
        run_r('z <- as.data.frame(list(1:3, 1:2))\n')
