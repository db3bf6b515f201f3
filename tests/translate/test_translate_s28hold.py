"""Causes found on the session-28 hold-out set (tests/translate/holdout/index.csv: public
asreml-R code not in the corpus), each checked against R's / testthat's documented
semantics:

* testthat's snapshot expectations (``expect_snapshot_output(x)``, ``expect_snapshot(x)``,
  vdiffr's ``expect_doppelganger(title, fig)``): the wrapped code runs, the stored
  snapshot is not compared (biometryassist's test-all-w2.r: 52 + 56 TODO lines);
* ``skip_on_ci()``, ``skip_on_covr()``, ``skip_on_os(os)`` end a ``test_that()`` block when
  their condition holds (testthat's ``skip`` reference; 50 TODO lines);
* ``test_path(...)``: ``file.path(...)`` from tests/testthat (the script's data file);
* ``print.data.frame(x)``: the method ``print(x)`` dispatches to (14 TODO lines).
"""

from __future__ import annotations

import pandas as pd
import pytest

from asr_py import translate
from asr_py.translate import checks
from asr_py.translate.rtestskip import r_skip_on, system_os
from tests.translate._translate_fixtures import run_r


def _outcomes() -> dict[str, int]:
    return dict(checks.OUTCOMES)


def _delta(before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in checks.OUTCOMES.items()
            if v != before.get(k, 0)}


# ----- snapshot expectations ---------------------------------------------------------------

def test_snapshot_expectations_run_the_code_they_wrap() -> None:
    """testthat evaluates x (and vdiffr draws fig) before comparing with _snaps/: the code
    runs; a value it computes is the value R computes."""
    code = ('d <- data.frame(y = c(1, 2, 4, 8))\n'
            'test_that("snap", {\n'
            '  expect_snapshot_output(s <- sum(d$y))\n'
            '  expect_snapshot(t <- s * 2)\n'
            '  vdiffr::expect_doppelganger(title = "fig", u <- t + 1)\n'
            '  vdiffr::expect_doppelganger("fig2", w <- u + 1)\n'
            '  expect_equal(c(s, t, u, w), c(15, 30, 31, 32))\n'
            '})\n')
    py = translate(code)
    assert "TODO(asr_py):" not in py, py
    assert py.count("the snapshot (tests/testthat/_snaps/) is not compared in Python") == 4
    before = _outcomes()
    run_r(code, complete=True)
    assert _delta(before) == {"agree": 1}


def test_snapshot_arguments_are_matched_as_r_matches_them() -> None:
    """expect_doppelganger(title, fig): fig by name or as the first free position;
    expect_snapshot(x, error = TRUE) expects the code to fail: not run, left as a TODO."""
    got = translate('test_that("a", {\n'
                    '  vdiffr::expect_doppelganger(fig = plot_a(m), title = "t")\n'
                    '  vdiffr::expect_doppelganger(title = "t", plot_b(m))\n'
                    '  expect_snapshot(stop("no"), error = TRUE)\n'
                    '})\n')
    assert "plot_a(m)" in got and "plot_b(m)" in got
    assert "not translated (expect_snapshot())" in got
    assert "stop(" not in got.replace("#   expect_snapshot(stop(", "")


# ----- testthat's environment skips --------------------------------------------------------

@pytest.mark.parametrize(("value", "skips"), [("true", True), ("TRUE", True), ("T", True),
                                              ("false", False), ("1", False), (None, False)])
def test_skip_on_ci_and_covr_read_their_variable_as_r_as_logical(monkeypatch, value, skips
                                                                 ) -> None:
    """testthat: isTRUE(as.logical(Sys.getenv("CI", "false"))); as.logical("1") is NA."""
    for var, kind in (("CI", "ci"), ("R_COVR", "covr")):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
        assert r_skip_on(kind) is skips


@pytest.mark.parametrize(("platform", "name"), [("linux", "linux"), ("darwin", "mac"),
                                                ("win32", "windows"), ("sunos5", "solaris")])
def test_skip_on_os_names_the_system_as_testthat(monkeypatch, platform, name) -> None:
    monkeypatch.setattr("sys.platform", platform)
    assert system_os() == name
    assert r_skip_on("os", [name, "emscripten"]) and not r_skip_on("os", "emscripten")
    with pytest.raises(ValueError, match="unknown system 'macos'"):
        r_skip_on("os", "macos")


def test_a_skip_that_holds_ends_the_test_block_only(monkeypatch) -> None:
    """The expectations after a skip that holds are not run (testthat: the test is skipped,
    not failed); the script goes on with the next block; a skip that does not hold is
    nothing."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("R_COVR", raising=False)
    here = system_os()
    other = "windows" if here != "windows" else "linux"
    code = ('test_that("skipped on CI", {\n'
            '  expect_equal(1, 1)\n'
            '  skip_on_ci()\n'
            '  expect_equal(1, 2)\n'
            '})\n'
            'test_that("not skipped", {\n'
            '  skip_on_covr()\n'
            f'  skip_on_os("{other}")\n'
            '  expect_equal(2, 2)\n'
            f'  skip_on_os(c("{here}", "{other}"))\n'
            '  expect_equal(2, 3)\n'
            '})\n')
    before = _outcomes()
    run_r(code, complete=True)
    assert _delta(before) == {"agree": 2}
    monkeypatch.setenv("CI", "false")
    before = _outcomes()
    run_r(code, complete=True)
    assert _delta(before) == {"agree": 2, "differ": 1}


def test_a_skip_outside_a_test_block_or_in_a_nested_function_stays_a_todo() -> None:
    """return would leave the wrong function: only a test_that() block's own body."""
    py = translate('skip_on_ci()\n'
                   'test_that("a", {\n'
                   '  f <- function() { skip_on_covr(); 1 }\n'
                   '  skip_on_os("linux", arch = "x86_64")\n'
                   '})\n')
    assert "not translated (skip_on_ci())" in py
    assert "not translated (skip_on_covr())" in py
    assert "not translated (skip_on_os())" in py
    assert "r_skip_on(" not in py


# ----- test_path(), print.data.frame() -------------------------------------------------------

def test_test_path_is_a_path_under_the_test_folder(tmp_path, monkeypatch) -> None:
    """testthat: test_path("data", "f.csv") is file.path("data", "f.csv") where a test file
    runs (tests/testthat), as the translated script does."""
    (tmp_path / "data").mkdir()
    pd.DataFrame({"y": [3.5, 1.25]}).to_csv(tmp_path / "data" / "f.csv", index=False)
    monkeypatch.chdir(tmp_path)
    ns = run_r('d <- read.csv(test_path("data", "f.csv"))\ns <- sum(d$y)\n', complete=True)
    assert ns["s"] == 4.75


def test_print_data_frame_prints_as_print(capsys) -> None:
    """print.data.frame(x) is the method print(x) dispatches to for a data frame."""
    code = 'd <- data.frame(a = c(1, 2), b = c("x", "y"))\n'
    run_r(code + "print(d)\n")
    via_print = capsys.readouterr().out
    run_r(code + "print.data.frame(d)\n")
    assert capsys.readouterr().out == via_print != ""


# ----- levels(f) <- v, levels(f)[i] <- v (lucid's vc.asreml: 4 TODO lines) -------------------

def test_levels_assignment_renames_levels_in_their_order_as_r() -> None:
    """R's `levels<-.factor`: record of level k takes value[k]; equal names merge levels;
    extra names are unused levels; levels(f)[i] <- v is `levels<-`(f, `[<-`(levels(f), i, v))
    (R Language Definition, subset assignment)."""
    ns = run_r('d <- data.frame(f = factor(c("b", "a", "c", "a")))\n'
               'levels(d$f)[levels(d$f) == "a"] <- "A"\n'
               'g <- factor(c("x", "y", "x", "z"))\n'
               'levels(g) <- c("p", "q", "p")\n'
               'h <- factor(c("u", "v"))\n'
               'levels(h) <- c("V2", "V1", "V0")\n'
               'lv <- levels(d$f)\n'
               'n <- nlevels(g)\n', complete=True)
    f = ns["d"]["f"]
    assert f.tolist() == ["b", "A", "c", "A"] and list(f.cat.categories) == ["A", "b", "c"]
    assert ns["lv"] == ["A", "b", "c"]
    assert ns["g"].tolist() == ["p", "q", "p", "p"] and list(ns["g"].cat.categories) == \
        ["p", "q"]
    assert ns["n"] == 2
    assert ns["h"].tolist() == ["V2", "V1"] and list(ns["h"].cat.categories) == \
        ["V2", "V1", "V0"]


def test_levels_assignment_with_too_few_names_is_r_error() -> None:
    with pytest.raises(ValueError, match="number of levels differs"):
        run_r('g <- factor(c("x", "y", "z"))\nlevels(g) <- c("p", "q")\n')
    assert "not translated (levels(x) <- ...)" in translate(
        'levels(g) <- list(A = c("x", "y"), B = "z")\n')


# ----- mapply(..., SIMPLIFY = FALSE) (mppGxE's QTL scans: 4 TODO lines) -----------------------

def test_mapply_applies_fun_elementwise_recycling_as_r() -> None:
    """?mapply: FUN(a[i], b[i], ...) for i over the longest argument, the others recycled;
    MoreArgs passed to every call; USE.NAMES: an unnamed character first argument names the
    result; SIMPLIFY = FALSE keeps a list."""
    ns = run_r('a <- list(1, 2, 3)\n'
               'b <- list(10, 20)\n'
               's <- mapply(function(x, y) x + y, x = a, y = b, SIMPLIFY = FALSE)\n'
               'f <- function(p, q, r) p * q + r\n'
               't <- mapply(f, c(1, 2), c(3, 4), MoreArgs = list(r = 100), SIMPLIFY = FALSE)\n'
               'u <- mapply(function(x, n) nchar(x) + n, c("ab", "c"), 1:2, SIMPLIFY = FALSE)\n'
               'e <- mapply(function(x, y) x + y, list(), b, SIMPLIFY = FALSE)\n',
               complete=True)
    assert ns["s"] == [11, 22, 13]
    assert ns["t"] == [103, 108]
    assert dict(ns["u"]) == {"ab": 3, "c": 3}
    assert ns["e"] == []


def test_mapply_forms_not_read_stay_todos() -> None:
    """A positional argument after a named one cannot keep R's order in a Python call; a
    function mapped to Python by name is not known to take the arguments (R's default
    SIMPLIFY = TRUE is read since s29: test_r_oracle.py's mapply snippets)."""
    py = translate('v <- mapply(rep, 1:3, 3:1)\n'
                   'w <- mapply(function(x, y) x + y, x = a, b, SIMPLIFY = FALSE)\n'
                   'z <- mapply(rep, 1:3, 3:1, SIMPLIFY = FALSE)\n')
    assert "mapply() with a positional argument after a named one" in py
    assert "mapply() of rep" in py          # R's rep() takes (x, times): not a 1-arg map
    assert "r_mapply(" not in py


# ----- the hold-out index ------------------------------------------------------------------

def test_holdout_index_is_apart_from_the_corpus_index() -> None:
    """The hold-out measures code the translator was not tuned on: same columns as the
    corpus index, one row per script, and no repository of the corpus index (a repository
    moved into the corpus must leave the hold-out)."""
    import csv
    from pathlib import Path

    here = Path(__file__).parent
    with (here / "holdout" / "index.csv").open(newline="") as fh:
        hold = list(csv.DictReader(fh))
    with (here / "corpus" / "index.csv").open(newline="") as fh:
        corpus = list(csv.DictReader(fh))
    assert list(hold[0]) == list(corpus[0]) == ["repo", "path", "commit", "licence",
                                                  "fails_in_r"]
    assert len({(r["repo"], r["path"]) for r in hold}) == len(hold) >= 20
    assert not {r["repo"] for r in hold} & {r["repo"] for r in corpus}
    assert all(len(r["commit"]) == 40 for r in hold)
