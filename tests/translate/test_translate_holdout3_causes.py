"""General causes found on the session-30 hold-out (tests/translate/holdout/third/), each
checked against R itself (R 4.2.2 with knitr 1.42, plyr 1.8.8, tidyr from Debian bookworm;
the R code and what R printed are quoted with each test):

* knitted R Markdown (knitr's .md, a package's pre-knit vignette .Rmd, a blog's keep_md):
  the code is in ``r``/``text`` blocks, knitr's output in ``##`` blocks; it was read as R
  text (wgaim's vignette, a blog post printing asreml 3 output);
* plyr's ``ddply()`` (a TODO; 8 corpus and 4 hold-out uses);
* ``a:b`` counting down in a column selection (``gather(d, k, v, c(-1:-4, -6))`` selected no
  column to exclude, so every column was gathered: a silently wrong data frame);
* ``x[, j] <- v`` with j past the last column of a data frame (R adds the columns);
* a call of the script's function with a named argument before a positional one
  (``f(data = d, Mod)``: R binds Mod to the second formal, Python raised a TypeError).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate import rknitted
from asr_py.translate.rddply import r_ddply
from tests.translate._translate_fixtures import run_py, run_r

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

# ----- knitted R Markdown --------------------------------------------------------------------

#: ``knitr::knit("a.Rmd", "a.md")`` (knitr 1.42) of the .Rmd
#: ---/title: x/--- ; ```{r} x <- c(1.5, 2); mean(x) ``` ; ```{r, highlight=FALSE} summary(x)
#: ``` ; ```{r, echo=FALSE} y <- 3 ``` ; ```{r, eval=FALSE} z <- 4 ``` ; Inline `r 1+1`.
KNIT_MD = """---
title: x
---


```r
x <- c(1.5, 2)
mean(x)
```

```
## [1] 1.75
```


```text
summary(x)
```

```
##    Min. 1st Qu.  Median    Mean 3rd Qu.    Max.
##   1.500   1.625   1.750   1.750   1.875   2.000
```




```r
z <- 4
```

Inline 2.
"""

#: the same .Rmd through ``rmarkdown::render(..., github_document())`` (pandoc's gfm)
GFM_MD = """x
================

``` r
x <- c(1.5, 2)
mean(x)
```

    ## [1] 1.75

``` text
summary(x)
```

    ##    Min. 1st Qu.  Median    Mean 3rd Qu.    Max.
    ##   1.500   1.625   1.750   1.750   1.875   2.000

``` r
z <- 4
```

Inline 2.
"""


@pytest.mark.parametrize("doc", [KNIT_MD, GFM_MD], ids=["knit", "github_document"])
def test_knitted_markdown_is_translated_as_its_code_blocks(doc: str) -> None:
    """The r and text blocks are the program (knitr wrote them from the {r} chunks); prose,
    the YAML header and the printed output become comments; the run gives what knitr
    printed (mean(x) = 1.75, the summary's quartiles)."""
    assert rknitted.is_knitted(doc)
    py = translate(doc)
    assert "TODO(asr_py):" not in py, py
    assert "# ## [1] 1.75" in py or "#     ## [1] 1.75" in py      # the output, kept as text
    ns = run_py(py)
    assert ns["x"] == [1.5, 2] or list(ns["x"]) == [1.5, 2]
    assert ns["z"] == 4
    r = rknitted.to_r(doc)
    assert len(r.splitlines()) == len(doc.splitlines())             # lines keep their place
    code = [ln for ln in r.splitlines() if ln and not ln.startswith("#")]
    assert code == ["x <- c(1.5, 2)", "mean(x)", "summary(x)", "z <- 4"]


def test_text_blocks_are_code_only_in_a_knitted_document() -> None:
    """A README's ```text block is text; ```r blocks are R even without output; an R
    Markdown source ({r} chunks) is left to rmd.py."""
    assert not rknitted.is_knitted("# Title\n\n```text\nsome words here\n```\n")
    assert rknitted.is_knitted("# Title\n\n```r\nx <- 1\n```\n")
    assert not rknitted.is_knitted("```{r}\nx <- 1\n```\n\n```r\ny <- 2\n```\n")
    # a knitted document with r blocks: a text block not followed by output stays text
    doc = "```r\nx <- 1\n```\n\n```\n## [1] 1\n```\n\n```text\nnot code\n```\n"
    assert [ln for ln in rknitted.to_r(doc).splitlines() if ln and ln[0] != "#"] == ["x <- 1"]


def test_knitted_vignette_with_asreml_calls_is_translated() -> None:
    """A pre-knit vignette (knitr with highlight = FALSE: ``` text blocks; asreml's
    printed iterations as ## output) keeps its asreml() call: it was 0 calls before."""
    doc = ("Text.\n\n``` text\nm <- asreml::asreml(yld ~ Type, random = ~ Genotype,\n"
           "     data = phenoRxK)\n```\n\n```\n##           LogLik        Sigma2     DF\n"
           "##  1       128.285      0.202517    514\n```\n\n``` text\n"
           "summary(m)$varcomp\n```\n")
    py = translate(doc)
    assert py.count("asr.asreml(") == 1 and "TODO(asr_py):" not in py, py


# ----- plyr's ddply() --------------------------------------------------------------------------

def _d() -> pd.DataFrame:
    return pd.DataFrame({"g": pd.Categorical(list("babcab"), categories=["c", "b", "a"]),
                         "h": [2.0, 1, 1, 2, 1, 1], "y": [1.5, 2, 4, 8, 16, 32]})


def test_ddply_of_a_function_matches_plyr() -> None:
    """R 4.2.2, plyr 1.8.8, d as _d():
    ddply(d, .(g), function(df) data.frame(m = mean(df$y), n = nrow(df))) printed
    g c b a / m 8.0 12.5 9.0 / n 1 3 2 (the factor's level order);
    ddply(d, c("h", "g"), function(df) c(s = sum(df$y))) printed h 1 1 2 2 / g b a c b /
    s 36 18 8 1.5; ddply(d, ~ h, function(df, k) df$y[1] * k, k = 10): h 1 2 / V1 20 15;
    ddply(d, "h", function(df) df[df$y > 3, c("g", "y")]): g b a b c / y 4 16 32 8."""
    code = ('library(plyr)\n'
            'r1 <- ddply(d, .(g), function(df) data.frame(m = mean(df$y), n = nrow(df)))\n'
            'r2 <- ddply(d, c("h", "g"), function(df) c(s = sum(df$y)))\n'
            'r3 <- ddply(d, ~ h, function(df, k) df$y[1] * k, k = 10)\n'
            'r5 <- ddply(d, "h", function(df) df[df$y > 3, c("g", "y")])\n')
    py = translate(code)
    assert "TODO(asr_py):" not in py and py.count("r_ddply(") == 4, py
    ns = run_py(py, d=_d())
    r1, r2, r3, r5 = ns["r1"], ns["r2"], ns["r3"], ns["r5"]
    assert list(r1.columns) == ["g", "m", "n"] and list(r1["g"]) == ["c", "b", "a"]
    assert list(r1["m"]) == [8.0, 12.5, 9.0] and list(r1["n"]) == [1, 3, 2]
    assert list(r2.columns) == ["h", "g", "s"]
    assert list(r2["h"]) == [1, 1, 2, 2] and list(r2["g"]) == ["b", "a", "c", "b"]
    assert list(r2["s"]) == [36.0, 18.0, 8.0, 1.5]
    assert list(r3.columns) == ["h", "V1"] and list(r3["V1"]) == [20.0, 15.0]
    assert list(r5.columns) == ["h", "g", "y"] and list(r5["y"]) == [4.0, 16.0, 32.0, 8.0]
    assert list(r5["g"]) == ["b", "a", "b", "c"]


def test_ddply_summarise_is_a_grouped_summarise() -> None:
    """ddply(d, "g", summarise, tot = sum(y), mx = max(y)) printed g c b a / tot 8 37.5 18 /
    mx 8 32 16 (plyr 1.8.8)."""
    ns = run_r('library(plyr)\nr4 <- ddply(d, "g", summarise, tot = sum(y), mx = max(y))\n',
               complete=True, d=_d())
    r4 = ns["r4"]
    assert list(r4["g"].astype(str)) == ["c", "b", "a"]
    assert list(r4["tot"]) == [8.0, 37.5, 18.0] and list(r4["mx"]) == [8.0, 32.0, 16.0]


def test_ddply_refuses_what_it_cannot_do() -> None:
    with pytest.raises(AsrError, match="no column z"):
        r_ddply(_d(), ["z"], len)
    py = translate('x <- plyr::ddply(d, "g", transform, k = y * 2)\n')   # rows regrouped
    assert "TODO(asr_py):" in py


# ----- a:b counting down in a column selection -----------------------------------------------

def test_descending_colon_in_gather_columns_is_r_sequence() -> None:
    """tidyr: gather(w, key = k, v, c(-1:-4, -6)) of w = data.frame(a = 1:2, b = 3:4,
    c = 5:6, e = 7:8, f = c(1, 2), g = c(3, 4), h = c(0, 0)) gathers f and h (R printed
    a b c e g k v / 1 3 5 7 3 f 1 / 2 4 6 8 4 f 2 / 1 3 5 7 3 h 0 / 2 4 6 8 4 h 0); every
    column was gathered before (-1:-4 read as an empty range)."""
    ns = run_r('w <- data.frame(a = 1:2, b = 3:4, c = 5:6, e = 7:8, f = c(1, 2), '
               'g = c(3, 4), h = c(0, 0))\n'
               'x <- tidyr::gather(w, key = k, v, c(-1:-4, -6))\n'
               's <- subset(w, select = 3:1)\n', complete=True)
    x = ns["x"]
    assert list(x.columns) == ["a", "b", "c", "e", "g", "k", "v"]
    assert list(x["k"]) == ["f", "f", "h", "h"] and list(x["v"]) == [1, 2, 0, 0]
    assert list(ns["s"].columns) == ["c", "b", "a"]


# ----- x[, j] <- v past the last column -------------------------------------------------------

def test_assigning_past_the_last_column_adds_columns_as_r_does() -> None:
    """R 4.2.2: r <- data.frame(ls = NA); df <- data.frame(b = c(1.23456, 2), a = c(3, 4));
    r[, 1:2] <- round(df[1, ], 3) gives ls a / 1.235 3; r[, 3:4] <- round(df[2, ], 3) gives
    ls a b a.1 / 1.235 3 2 4; x <- data.frame(a = 1:2); x[, 2] <- 5:6 names it V2;
    z[1, 2] <- 7 gives V2 = 7, NA; w[2, 5] <- 9 is R's error "new columns would leave holes
    after existing columns"."""
    ns = run_r('r <- data.frame(ls = NA)\ndf <- data.frame(b = c(1.23456, 2), a = c(3, 4))\n'
               'r[, 1:2] <- round(df[1, ], 3)\nr1 <- r\nr[, 3:4] <- round(df[2, ], 3)\n'
               'x <- data.frame(a = 1:2)\nx[, 2] <- 5:6\n'
               'z <- data.frame(a = 1:2)\nz[1, 2] <- 7\n', complete=True)
    assert list(ns["r1"].columns) == ["ls", "a"]
    r = ns["r"]
    assert list(r.columns) == ["ls", "a", "b", "a.1"]
    assert r.iloc[0].tolist() == [1.235, 3.0, 2.0, 4.0]
    assert list(ns["x"].columns) == ["a", "V2"] and list(ns["x"]["V2"]) == [5, 6]
    z = ns["z"]
    assert list(z.columns) == ["a", "V2"] and z["V2"].iloc[0] == 7 and np.isnan(z["V2"].iloc[1])
    with pytest.raises(AsrError, match="holes"):
        run_r('w <- data.frame(a = 1)\nw[1, 3] <- 9\n')


# ----- the script's functions: R's argument binding ------------------------------------------

def test_named_before_positional_arguments_bind_as_in_r() -> None:
    """f <- function(data, Mod) nrow(data) * 10 + Mod; R printed 23 for f(data = w, 3) and
    for f(Mo = 3, w) (w of 2 rows): named (and partially named) arguments bind first."""
    code = ('f <- function(data, Mod) nrow(data) * 10 + Mod\nw <- data.frame(a = 1:2)\n'
            'a <- f(data = w, 3)\nb <- f(Mo = 3, w)\nc <- f(w, 3)\n')
    py = translate(code)
    assert "c = f(w, 3)" in py                       # nothing to re-bind: as written
    ns = run_py(py)
    assert ns["a"] == 23 and ns["b"] == 23 and ns["c"] == 23


# ----- update.asreml(object, fixed., random., ...) ---------------------------------------------

def test_update_with_dotted_formula_arguments_changes_the_model() -> None:
    """asreml-R 4's update.asreml(object, fixed., random., sparse., residual., ...): wgaim's
    update(baseModel, fixed. = fix.form, random. = ran.base). random. was partial-matched to
    asreml()'s random.order and dropped with a TODO saying it changes nothing: the refit was
    the old model. Now it is the model R fits: random ~ Name + Env:Name, fixed without Env
    (the same as fitting those formulas directly)."""
    d = pd.read_csv(DATA_DIR / "DT_example.csv")
    for c in ("Name", "Env"):
        d[c] = d[c].astype(str)
    code = ("m <- asreml(Yield ~ Env, random = ~ Name, data = d)\n"
            "ran <- ~ . + Env:Name\n"
            "m2 <- update(m, random. = ran)\n"
            "m3 <- update(m2, fixed. = . ~ . - Env)\n")
    py = translate(code)
    assert "random_order" not in py and "TODO(asr_py):" not in py, py

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ns = run_py(py, d=d)
        want2 = asr.asreml(fixed="Yield ~ Env", random="~ Name + Env:Name", data=d)
        want3 = asr.asreml(fixed="Yield ~ 1", random="~ Name + Env:Name", data=d)
    assert list(ns["m2"].varcomp.index) == list(want2.varcomp.index) == [
        "Name", "Env:Name", "units!R"]
    assert ns["m2"].loglik == pytest.approx(want2.loglik, abs=1e-6)
    assert ns["m3"].loglik == pytest.approx(want3.loglik, abs=1e-6)


# ----- attr(x[[i]], "a") <- v -----------------------------------------------------------------

def test_attr_assignment_into_a_list_element_is_valid_python() -> None:
    """wgaim16.R's attr(model$formulae[[i]], ".Environment") <- ..., statgenSTA's
    attr(TDOut[[trial]], "renamedCols") <- ...: R's `attr<-` on the element, written back
    into the list (R 4.2.2: attr(l[["d"]], "lab") then reads "x", l$e is untouched). It was
    printed as an assignment to a call: invalid Python, the whole file failed to compile."""
    code = ('l <- list(d = data.frame(a = 1:2), e = 3)\nk <- "d"\n'
            'attr(l[[k]], "lab") <- "x"\n'
            'm <- list(f = l)\n'
            'attr(m$f[[k]], "more") <- 2\n'
            'got <- attr(l[[k]], "lab")\n'
            'got2 <- attr(m$f[[k]], "more")\n')
    py = translate(code)
    compile(py, "<attr>", "exec")
    ns = run_py(py)
    assert ns["got"] == "x" and ns["got2"] == 2 and ns["l"]["e"] == 3
