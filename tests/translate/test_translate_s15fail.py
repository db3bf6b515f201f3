"""s15fail: R constructs of curated corpus scripts that stopped (session 15): source() and
read.csv() of an http(s) URL (a download cache), purrr's possibly()/safely(), tidyselect's
where(), unlist() as a vector with R's names, as.numeric() of a factor (its codes), a join
whose y has a column named as x's key, data.table's split(keep.by =), and R's NULL from a
column the data lack in a summary. Expected values are R's documented semantics."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py, run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate import rsource_url
from asr_py.translate.rfactor import r_factor_codes
from asr_py.translate.rjoin import r_join
from asr_py.translate.rpossibly import r_possibly, r_possibly_call
from asr_py.translate.rsubname import r_unlist

ROOT = Path(__file__).resolve().parents[2]


# ----- source() / read.csv() of a URL ---------------------------------------------------------
def test_cache_path_is_host_and_path_under_the_cache(tmp_path: Path) -> None:
    p = rsource_url.cache_path("https://raw.githubusercontent.com/o/r/main/a%20b/u.R", tmp_path)
    assert p == tmp_path / "raw.githubusercontent.com" / "o" / "r" / "main" / "a_20b" / "u.R"
    q = rsource_url.cache_path("http://h.org/../x.csv?v=2", tmp_path)
    assert q.parent == tmp_path / "h.org" and q.name.startswith("x.csv")   # no '..' escape
    with pytest.raises(AsrError, match="not an http"):
        rsource_url.cache_path("ftp://h.org/x.R", tmp_path)


def test_source_of_a_url_runs_the_cached_file(tmp_path: Path, monkeypatch) -> None:
    # R: source(url) downloads the file and runs it; here from the cache, no network asked
    url = "https://example.org/lib/helpers.R"
    monkeypatch.setenv("ASR_PY_SOURCE_CACHE", str(tmp_path / "cache"))
    f = rsource_url.cache_path(url)
    f.parent.mkdir(parents=True)
    f.write_text("triple <- function(x) x * 3\nk <- 7\n")

    def no_network(*a, **k):
        raise AssertionError("the cache must be used")
    monkeypatch.setattr(rsource_url.urllib.request, "urlopen", no_network)
    ns = run_r(f'source("{url}")\ny <- triple(2) + k\n')
    assert ns["y"] == 13


def test_failed_download_says_which_url_and_where_to_put_it(tmp_path: Path,
                                                              monkeypatch) -> None:
    monkeypatch.setenv("ASR_PY_SOURCE_CACHE", str(tmp_path))

    def down(*a, **k):
        raise urllib.error.URLError("no route")
    monkeypatch.setattr(rsource_url.urllib.request, "urlopen", down)
    with pytest.raises(AsrError) as err:
        run_r('source("https://example.org/x/util.R")\n')
    msg = str(err.value)
    assert "https://example.org/x/util.R" in msg and "no route" in msg
    assert str(tmp_path / "example.org" / "x" / "util.R") in msg


def test_read_csv_of_a_url_reads_the_cached_download(tmp_path: Path, monkeypatch) -> None:
    url = "https://example.org/d/t.csv"
    monkeypatch.setenv("ASR_PY_SOURCE_CACHE", str(tmp_path))
    f = rsource_url.cache_path(url)
    f.parent.mkdir(parents=True)
    f.write_text("a,b\n1,2\n3,4\n")
    py = translate(f'd <- read.csv("{url}")\ns <- sum(d$b)\n')
    assert "r_url_file(" in py
    assert run_py(py)["s"] == 6


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(repo)}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


def test_corpus_runner_fills_the_cache_from_the_mirror_at_the_scripts_date(
        tmp_path: Path, monkeypatch) -> None:
    # the sourced repo changed after the script was written: the version of that time is used
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import translate_corpus as tc

    lib = tmp_path / "mirror" / "own+lib" / "repo"
    lib.mkdir(parents=True)
    _git(lib, "init", "-q")
    (lib / "u.R").write_text("v <- 1\n")
    _git(lib, "add", "u.R")
    _git(lib, "commit", "-qm", "one", date="2020-01-01T00:00:00")
    (lib / "u.R").write_text("v <- 2\n")
    _git(lib, "commit", "-qam", "two", date="2022-01-01T00:00:00")
    app = tmp_path / "mirror" / "own+app" / "repo"
    app.mkdir(parents=True)
    _git(app, "init", "-q")
    (app / "s.R").write_text('source("https://raw.githubusercontent.com/own/lib/main/u.R")\n')
    _git(app, "add", "s.R")
    _git(app, "commit", "-qm", "s", date="2021-01-01T00:00:00")
    monkeypatch.setattr(tc, "MIRROR", tmp_path / "mirror")
    cache = tmp_path / "cache"
    notes = tc.prefill_source_cache((app / "s.R").read_text(), app / ".git",
                                    _git(app, "rev-parse", "HEAD"), cache)
    got = rsource_url.cache_path("https://raw.githubusercontent.com/own/lib/main/u.R", cache)
    assert got.read_text() == "v <- 1\n", notes


# ----- purrr's possibly() / safely() ----------------------------------------------------------
def test_possibly_read_csv_gives_otherwise_on_error(workdir) -> None:
    # GGBC's utilities_tidy.R: possibly_read_csv <- purrr::possibly(read.csv, NA)
    py = translate('rd <- purrr::possibly(read.csv, NA)\nok <- rd("DT.csv")\n'
                   'bad <- rd("no_such_file.csv")\n')
    assert "untranslated(" not in py
    ns = run_py(py)
    assert isinstance(ns["ok"], pd.DataFrame) and len(ns["ok"]) > 0
    assert ns["bad"] is None or pd.isna(ns["bad"])


def test_possibly_and_safely_of_python_callables() -> None:
    assert r_possibly_call(lambda: 1 / 0, -1.0) == -1.0
    s = r_possibly_call(lambda: int("x"), None, safely=True)
    assert s["result"] is None and isinstance(s["error"], ValueError)
    assert r_possibly_call(lambda: 5, 0, safely=True) == {"result": 5, "error": None}
    g = r_possibly(float, np.nan)
    assert g("2.5") == 2.5 and np.isnan(g("x"))
    with pytest.raises(AsrError, match="no Python equivalent"):
        r_possibly(None, 0, "read.csv")("f.csv")
    ns = run_r("f <- function(x) log(x)\ng <- possibly(f, otherwise = -1)\na <- g(1)\n"
               "b <- g('z')\n", complete=True)
    assert ns["a"] == 0 and ns["b"] == -1


# ----- where() --------------------------------------------------------------------------------
def test_select_where_lambda_and_predicate() -> None:
    d = pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, np.nan], "c": ["x", "y"]})
    ns = run_r("k <- d %>% select(where(~ !all(is.na(.x))))\nn <- select(d, where(is.character))"
               "\nf <- select(d, where(function(v) is.numeric(v)))\n", complete=True, d=d)
    assert list(ns["k"].columns) == ["a", "c"]
    assert list(ns["n"].columns) == ["c"]
    assert list(ns["f"].columns) == ["a", "b"]


def test_where_predicate_must_give_one_logical() -> None:
    d = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(AsrError, match="one TRUE or FALSE"):
        run_r("k <- select(d, where(~ .x > 0))\n", d=d)


# ----- unlist() -------------------------------------------------------------------------------
def test_unlist_is_a_vector_with_r_names() -> None:
    # R: unlist(list(a = 1, b = c(2, 3))) is c(a = 1, b1 = 2, b2 = 3); > 0 element-wise
    u = r_unlist({"a": 1, "b": [2, 3]})
    assert list(u.index) == ["a", "b1", "b2"] and list(u) == [1, 2, 3]
    assert list(r_unlist({"a": {"x": 1, "y": 2}}).index) == ["a.x", "a.y"]
    d = pd.DataFrame({"a": [1, 2], "z": [3, 4]})
    assert list(r_unlist(d).index) == ["a1", "a2", "z1", "z2"]
    assert list(r_unlist({"p": 5, "q": 6}, use_names=False)) == [5, 6]
    v = r_unlist([[1, 2], 3])
    assert isinstance(v, np.ndarray) and list(v) == [1, 2, 3]
    ns = run_r("x <- list(a = 1, b = -2)\npos <- unlist(x) > 0\nn <- sum(unlist(x) > 0)\n"
               "w <- unlist(x, use.names = FALSE)\n", complete=True)
    assert list(ns["pos"]) == [True, False] and list(ns["pos"].index) == ["a", "b"]
    assert ns["n"] == 1 and list(ns["w"]) == [1, -2]


# ----- as.numeric() of a factor ---------------------------------------------------------------
def test_as_numeric_of_a_factor_is_its_codes() -> None:
    # R: d$R <- as.factor(c(3, 5, 10, 5)); as.numeric(d$R) is 1 2 3 2 (levels 3 < 5 < 10)
    d = pd.DataFrame({"r": [3, 5, 10, 5], "t": ["b", "a", "b", None]})
    ns = run_r("d$R <- as.factor(d$r)\nx <- as.numeric(d$R)\nv <- as.numeric(d$r)\n"
               "cols <- c('t')\nd[cols] <- lapply(d[cols], factor)\nt <- as.numeric(d$t)\n"
               "d$R <- d$r * 2\nw <- as.numeric(d$R)\n", complete=True, d=d)
    assert list(ns["x"]) == [1, 2, 3, 2]
    assert list(ns["v"]) == [3, 5, 10, 5]                   # not a factor: the values
    assert list(ns["t"][:3]) == [2, 1, 2] and np.isnan(ns["t"][3])
    assert list(ns["w"]) == [6, 10, 20, 10]                 # no longer a factor
    assert list(r_factor_codes(np.array(["10", "9", "10"]))) == [2, 1, 2]


# ----- joins, split() --------------------------------------------------------------------------
def test_join_suffixes_y_column_named_as_x_key() -> None:
    # dplyr: left_join(x, y, by = c("k" = "old")) where y also has a column k: x's k kept,
    # y's becomes k.y (GGBC.R renames use_accession_name.y)
    x = pd.DataFrame({"k": ["a", "b"], "v": [1, 2]})
    y = pd.DataFrame({"old": ["a", "b"], "k": ["A", "B"]})
    out = r_join(x, y, by={"k": "old"}, how="left")
    assert list(out.columns) == ["k", "v", "k.y"]
    assert list(out["k.y"]) == ["A", "B"]


def test_split_with_f_ignores_data_tables_keep_by() -> None:
    # data.table's split(x, f, keep.by = FALSE): keep.by applies to by = only; with f the
    # split is split.data.frame's
    d = pd.DataFrame({"g": ["p", "q", "p"], "y": [1, 2, 3]})
    ns = run_r("s <- split(d, d$g, keep.by = FALSE)\nn <- length(s)\n", complete=True, d=d)
    assert ns["n"] == 2 and list(ns["s"]["p"]["y"]) == [1, 3]
    assert list(ns["s"]["p"].columns) == ["g", "y"]


# ----- R's NULL from an absent column in a summary -------------------------------------------
def test_summary_of_a_column_the_data_lack_is_r_null(workdir) -> None:
    # LIZARD_ASR_FIN.R: mean(LIZARD$logitP_YELLOW) of a column the file lacks is NA in R
    # (mean(NULL)); sum(NULL) is 0; a column the data have is read as before
    py = translate('d <- read.csv("DT.csv")\nm <- mean(d$NoSuchColumn)\n'
                   's <- sum(d$NoSuchEither)\ny <- mean(d$Yield)\n')
    ns = run_py(py)
    assert np.isnan(ns["m"]) and ns["s"] == 0
    assert ns["y"] == pytest.approx(pd.read_csv("DT.csv")["Yield"].mean())
    assert "d['Yield']" not in py or "r_dollar(d, 'Yield')" in py


def test_lapply_over_split_visits_the_parts() -> None:
    # R: lapply(split(d, d$g), function(x) nrow(x)) is the sizes of the parts (a list of
    # data frames), not of their names
    d = pd.DataFrame({"g": ["pp", "q", "pp"], "y": [1, 2, 3]})
    ns = run_r("n <- unlist(lapply(split(d, d$g), function(x) nrow(x)))\n", complete=True, d=d)
    assert list(ns["n"]) == [2, 1]


def test_rstandard_and_hatvalues_of_lm_against_dense_formulas() -> None:
    # R: hatvalues(m) = diag(X (X'X)^-1 X'), rstandard(m) = e / (sigma sqrt(1 - h)),
    # sigma^2 = RSS / (n - p); computed here from the dense formulas
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"x": rng.normal(size=12), "g": list("abc") * 4})
    d["y"] = 1 + 2 * d["x"] + rng.normal(size=12)
    ns = run_r("m <- lm(y ~ x + g, data = d)\nr <- rstandard(m)\nh <- hatvalues(m)\n",
               complete=True, d=d)
    X = np.column_stack([np.ones(12), d["x"], d["g"] == "b", d["g"] == "c"]).astype(float)
    H = X @ np.linalg.inv(X.T @ X) @ X.T
    e = d["y"].to_numpy() - H @ d["y"].to_numpy()
    s = np.sqrt(e @ e / (12 - 4))
    np.testing.assert_allclose(ns["h"].to_numpy(), np.diag(H), rtol=1e-10)
    np.testing.assert_allclose(ns["r"].to_numpy(), e / (s * np.sqrt(1 - np.diag(H))),
                               rtol=1e-10)


def test_formula_levels_computed_when_the_script_runs() -> None:
    # R evaluates dsum(levels = ...) and at(f, v) when asreml() reads the formula: the fit
    # with computed selections is the fit with the same selections written out
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"env": np.repeat(["E1", "E2", "E3"], 12),
                      "blk": np.tile(np.repeat(["a", "b", "c"], 4), 3)})
    d["y"] = rng.normal(size=36) * np.repeat([1.0, 2.0, 3.0], 12) + 10
    computed = ("first <- c(1)\n"
                "m <- asreml(y ~ env, random = ~ at(env, levels(factor(d$env))[2:3]):blk,\n"
                "            residual = ~ dsum(~ units + units | env, levels = list(first,\n"
                "              which(!1:3 %in% first))), data = d)\nll <- m$loglik\n")
    literal = ("m <- asreml(y ~ env, random = ~ at(env, c('E2', 'E3')):blk,\n"
               "            residual = ~ dsum(~ units + units | env, levels = list(c(1),"
               " c(2, 3))), data = d)\nll <- m$loglik\n")
    py = translate(computed)
    assert "r_formula_levels(" in py and "untranslated(" not in py
    a, b = run_py(py, d=d), run_r(literal, d=d)
    assert a["ll"] == pytest.approx(b["ll"], abs=1e-8)
    assert list(a["m"].varcomp.index) == list(b["m"].varcomp.index)
    np.testing.assert_allclose(a["m"].varcomp["component"], b["m"].varcomp["component"])


def test_replacement_functions_called_by_name() -> None:
    # R: `dimnames<-`(v, list(r, c)) is v with those dimnames (fw_ecs_example1_Rcode.Rmd);
    # `names<-`(x, n) is x named; the original is unchanged
    v = np.arange(1.0, 5.0).reshape(2, 2, order="F")
    ns = run_r('z <- `dimnames<-`(v, list(c("a", "b"), paste0("z", 1:2)))\n'
               'n <- `names<-`(c(1, 2), c("p", "q"))\n'
               'k <- `colnames<-`(v, c("u", "w"))\n', complete=True, v=v)
    assert list(ns["z"].index) == ["a", "b"] and list(ns["z"].columns) == ["z1", "z2"]
    np.testing.assert_array_equal(np.asarray(ns["z"], dtype=float), v)
    assert list(ns["n"].index) == ["p", "q"] and list(ns["n"]) == [1, 2]
    assert list(ns["k"].columns) == ["u", "w"]
    assert isinstance(ns["v"], np.ndarray)


def test_lm_of_a_formula_held_in_a_variable() -> None:
    # HW Code_1.R: model <- lm(formula = equation) with equation <- reformulate(...): the
    # same fit as the formula written out
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"x": rng.normal(size=10), "g": list("ab") * 5})
    d["y"] = d["x"] + rng.normal(size=10)
    ns = run_r('eq <- reformulate(termlabels = c("x", "g"), response = "y")\n'
               "m <- lm(formula = eq, data = d)\nm2 <- lm(y ~ x + g, data = d)\n"
               "a <- rstandard(m)\nb <- rstandard(m2)\n", complete=True, d=d)
    np.testing.assert_allclose(ns["a"].to_numpy(), ns["b"].to_numpy())
    with pytest.raises(AsrError, match="not a model formula"):
        run_r("f <- 3\nm <- lm(formula = f, data = d)\n", d=d)
