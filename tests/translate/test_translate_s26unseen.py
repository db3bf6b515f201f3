"""Session 26, scripts nobody here had seen (Pan-African soybean trial network FA/LRT
scripts, a GIS-FA MET pipeline, a multivariate GS script). What they broke, each checked
against R's documentation, the expected values written out by hand:

- readr ``?read_delim``: ``escape_double`` "Does the file escape quotes by doubling them?
  i.e. If this option is TRUE, the value [four double quotes] represents a single quote"
  (default TRUE); ``trim_ws`` "Should leading and trailing whitespace (ASCII spaces and
  tabs) be trimmed from each field before parsing it?" (``read_delim``: FALSE,
  ``read_csv``/``read_tsv``: TRUE); ``na = c("", "NA")`` "Character vector of strings to
  interpret as missing values"; ``locale``: "The locale controls defaults that vary from
  place to place" (``?locale``: ``decimal_mark``, ``grouping_mark``, ``encoding``).
  RStudio's *Import Dataset* writes ``read_delim(f, delim = ";", escape_double = FALSE,
  trim_ws = TRUE)``.
- ``?formula``: "formula(x, ...)" extracts a formula; ``formula.formula`` returns its
  argument, ``formula.character`` parses a string ("as.formula is almost identical").
- ``?rm``: "remove(..., list = character(), ...)"; "rm and remove are identical".
- ``?as.vector``: coercion to an atomic mode removes all attributes, names included; a
  list coerces to numeric only when every element has length one. ``x <- c(); x[i] <- v``
  names the elements (``?Extract``: "x[i] <- value" with character ``i`` adds elements of
  those names); with ``v`` a one-column data frame (``lrt(m0, m1)[3]``) ``x`` is a list.
- dplyr ``?dplyr_by``: ".by: Summaries use existing order of group keys | group_by():
  Summaries sort group keys in ascending order"; ``?reframe``: "reframe() ... can return
  an arbitrary number of rows per group", sizes recycled (vctrs: only size 1 recycles).
- tidyselect (``?dplyr::select``): a call that is no selection helper is evaluated and
  "character vectors" of names select those columns; ``-`` drops them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError

_CSV = 'gen;rep; GY ;note\nG1 ; 1 ; 2.5 ; a b \nG2;1; NA ;"say ""hi"""\nG1;2;3.0 ;x\n'


@pytest.fixture()
def soy(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "soy.csv").write_text(_CSV)
    (tmp_path / "eu.csv").write_text("gen,GY\nG1,\"2,5\"\nG2,\"1.234,5\"\n")


def test_rstudio_read_delim_boilerplate_trims_and_reads_numbers(soy) -> None:
    r = ('d <- read_delim("soy.csv", delim = ";", escape_double = FALSE, trim_ws = TRUE)\n'
         'm <- mean(d$GY, na.rm = TRUE)\n')
    assert "untranslated(" not in translate(r)
    ns = run_r(r, complete=True)
    d = ns["d"]
    assert list(d.columns) == ["gen", "rep", "GY", "note"]       # header trimmed
    assert d["gen"].tolist() == ["G1", "G2", "G1"]                # "G1 " -> "G1"
    assert d["GY"].dtype.kind == "f"                               # " 2.5 ", " NA " -> numbers
    assert d["GY"].isna().tolist() == [False, True, False]
    assert ns["m"] == pytest.approx((2.5 + 3.0) / 2)
    assert d["note"].iloc[0] == "a b"                              # inner space kept


def test_escape_double_true_reads_a_doubled_quote_as_one(soy) -> None:
    ns = run_r('d <- read_delim("soy.csv", delim = ";", trim_ws = TRUE)\n', complete=True)
    assert ns["d"]["note"].iloc[1] == 'say "hi"'
    py = translate('d <- read_delim("soy.csv", delim = ";", escape_double = FALSE)\n')
    assert "doublequote=False" in py


def test_read_delim_keeps_spaces_unless_trim_ws_and_read_csv_trims_by_default(soy) -> None:
    ns = run_r('d <- read_delim("soy.csv", delim = ";")\n', complete=True)
    assert ns["d"]["gen"].tolist() == ["G1 ", "G2", "G1"]         # read_delim: trim_ws FALSE
    ns = run_r('d <- read_csv("soy.csv", trim_ws = FALSE)\n', complete=True)
    assert "trim_ws" not in translate('d <- read_csv("soy.csv", trim_ws = FALSE)\n')
    py = translate('d <- read_csv("soy.csv")\n')
    assert "trim_ws=True" in py                                   # read_csv: trim_ws TRUE


def test_readr_locale_decimal_and_grouping_marks(soy) -> None:
    ns = run_r('d <- read_csv("eu.csv", locale = locale(decimal_mark = ",", '
               'grouping_mark = "."))\n', complete=True)
    assert ns["d"]["GY"].tolist() == [2.5, 1234.5]


def test_readr_options_it_does_not_know_stay_untranslated() -> None:
    py = translate('d <- read_delim("soy.csv", delim = ";", locale = locale(tz = "UTC"))\n')
    assert "untranslated(" in py and "locale" in py


def test_formula_of_a_formula_or_a_string_is_that_formula() -> None:
    r = ('f1 <- formula(y ~ 1)\nf2 <- formula(cbind(y_1, y_2) ~ trait)\n'
         's <- "y ~ x"\nf3 <- formula(s)\n')
    ns = run_r(r, complete=True)
    assert ns["f1"] == "y ~ 1"
    assert ns["f2"] == "cbind(y_1, y_2) ~ trait"
    assert ns["f3"] == "y ~ x"


def test_formula_literal_fits_the_same_model_as_written_inline() -> None:
    rng = np.random.default_rng(26)
    d = pd.DataFrame({"gen": np.repeat([f"g{i}" for i in range(8)], 3)})
    d["y"] = rng.normal(size=len(d)) + np.repeat(rng.normal(size=8), 3)
    r = ('fx <- formula(y ~ 1)\n'
         'm1 <- asreml(fixed = fx, random = ~ gen, data = d)\n'
         'm2 <- asreml(fixed = y ~ 1, random = ~ gen, data = d)\n'
         'l1 <- m1$loglik\nl2 <- m2$loglik\n')
    ns = run_r(r, complete=True, quiet=True, d=d)
    assert ns["l1"] == pytest.approx(ns["l2"], abs=1e-10)


def test_formula_of_a_fitted_object_is_refused_not_guessed() -> None:
    from asr_py.translate.rasformula import r_formula

    with pytest.raises(AsrError, match="formula"):
        r_formula(object())


def test_remove_is_rm() -> None:
    r = "a <- 1\nb <- 2\nremove(a)\nx <- exists('a')\ny <- exists('b')\n"
    py = translate(r)
    assert "not translated (remove())" not in py
    ns = run_r(r, complete=True)
    assert ns["x"] is False or ns["x"] == False  # noqa: E712 - R's FALSE
    assert ns["y"] == True  # noqa: E712


def test_select_drops_columns_named_by_colnames_grep() -> None:
    d = pd.DataFrame({"ID": [1, 2], "SRCW": [3.0, 4.0], "SE_SRCW": [0.1, 0.2],
                      "Hard": [5.0, 6.0], "SE_Hard": [0.3, 0.4]})
    r = ('k <- b %>% select(-colnames(b)[grep("SE_", colnames(b))])\n')
    ns = run_r("library(dplyr)\n" + r, complete=True, b=d)
    assert list(ns["k"].columns) == ["ID", "SRCW", "Hard"]


def test_corpus_runner_reads_raw_urls_written_with_refs_heads(tmp_path, monkeypatch) -> None:
    """GitHub serves ``raw.githubusercontent.com/<owner>/<repo>/refs/heads/<branch>/<path>``
    as ``.../<branch>/<path>`` (the form GitHub's *Raw* button now gives); the corpus runner
    must take ``<path>``, not ``heads/<branch>/<path>``, from it."""
    import subprocess
    import sys
    from pathlib import Path

    from asr_py.translate import rsource_url

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import translate_corpus as tc

    def git(repo: Path, *args: str) -> str:
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(repo),
               "GIT_AUTHOR_DATE": "2021-01-01T00:00:00",
               "GIT_COMMITTER_DATE": "2021-01-01T00:00:00"}
        return subprocess.run(["git", "-C", str(repo), *args], check=True,
                              capture_output=True, text=True, env=env).stdout.strip()

    url = "https://raw.githubusercontent.com/own/lib/refs/heads/main/fa_outs.R"
    lib = tmp_path / "mirror" / "own+lib" / "repo"
    lib.mkdir(parents=True)
    git(lib, "init", "-q")
    (lib / "fa_outs.R").write_text("v <- 1\n")
    git(lib, "add", "fa_outs.R")
    git(lib, "commit", "-qm", "one")
    app = tmp_path / "mirror" / "own+app" / "repo"
    app.mkdir(parents=True)
    git(app, "init", "-q")
    (app / "s.R").write_text(f'source("{url}")\n')
    git(app, "add", "s.R")
    git(app, "commit", "-qm", "s")
    monkeypatch.setattr(tc, "MIRROR", tmp_path / "mirror")
    cache = tmp_path / "cache"
    notes = tc.prefill_source_cache((app / "s.R").read_text(), app / ".git",
                                    git(app, "rev-parse", "HEAD"), cache)
    assert rsource_url.cache_path(url, cache).read_text() == "v <- 1\n", notes


def test_as_numeric_of_a_vector_built_by_names() -> None:
    df = pd.DataFrame({"df": [1], "LR-statistic": [4.2], "Pr(Chisq)": [0.02]})
    r = ('p <- c()\nfor (e in c("E1", "E2", "E3")) p[e] <- lrt_tab[3]\n'
         'd <- data.frame(env = names(p), pv = as.numeric(p))\n'
         'v <- c()\nv["a"] <- 1.5\nv["b"] <- 2\nw <- as.numeric(v)\n')
    ns = run_r(r, complete=True, lrt_tab=df)
    assert ns["d"]["env"].tolist() == ["E1", "E2", "E3"]
    assert ns["d"]["pv"].tolist() == [0.02, 0.02, 0.02]
    assert list(ns["w"]) == [1.5, 2.0]


def test_as_numeric_of_a_list_with_a_longer_element_is_refused() -> None:
    from asr_py.translate.rbase import r_numeric_of

    with pytest.raises(AsrError, match="length 2"):
        r_numeric_of({"a": [1.0, 2.0]})


def test_call_of_a_sourced_function_with_dotted_argument_names(tmp_path, monkeypatch) -> None:
    """R matches ``name.env = "env"`` to the parameter ``name.env`` of a function a
    source()d file defines (``?source``: the file's expressions are evaluated, its
    functions defined); the translation names that parameter ``name_env``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "helper.R").write_text(
        "fa.outs <- function(model, name.env, name.gen, ...) paste(model, name.env, name.gen)\n")
    r = 'source("helper.R")\nx <- fa.outs(1, name.env = "env", name.gen = "gen")\n'
    py = translate(r)
    assert "'name.env'" in py                 # the translation cannot know the parameter
    ns = run_r(r, complete=True)
    assert ns["x"] == "1 env gen"


_B = pd.DataFrame({"gen": ["z", "a", "z", "m", "a"], "se": [1.0, 2.0, 3.0, 4.0, 5.0]})


def test_summarise_by_keeps_the_order_of_first_appearance() -> None:
    r = ("library(dplyr)\n"
         "r1 <- b |> summarise(rel = 1 - mean(se^2), .by = gen)\n"
         "r2 <- b |> group_by(gen) |> summarise(rel = 1 - mean(se^2))\n")
    ns = run_r(r, complete=True, b=_B)
    # z: 1 - (1 + 9)/2 = -4; a: 1 - (4 + 25)/2 = -13.5; m: 1 - 16 = -15
    assert ns["r1"]["gen"].tolist() == ["z", "a", "m"]
    assert ns["r1"]["rel"].tolist() == [-4.0, -13.5, -15.0]
    assert ns["r2"]["gen"].tolist() == ["a", "m", "z"]          # group_by(): sorted
    assert ns["r2"]["rel"].tolist() == [-13.5, -15.0, -4.0]


def test_reframe_gives_any_number_of_rows_a_group() -> None:
    r = ("library(dplyr)\n"
         "r1 <- b |> dplyr::reframe(rel = 1 - mean(se^2), .by = gen)\n"
         "r2 <- b |> group_by(gen) |> reframe(q = range(se), n = n())\n")
    ns = run_r(r, complete=True, b=_B)
    assert ns["r1"]["rel"].tolist() == [-4.0, -13.5, -15.0]
    assert ns["r2"]["gen"].tolist() == ["a", "a", "m", "m", "z", "z"]
    assert ns["r2"]["q"].tolist() == [2.0, 5.0, 4.0, 4.0, 1.0, 3.0]
    assert ns["r2"]["n"].tolist() == [2, 2, 1, 1, 2, 2]         # size 1 recycled


def test_reframe_refuses_sizes_that_do_not_recycle() -> None:
    from asr_py.translate.rtidy import r_summarise

    with pytest.raises(AsrError, match="only size 1 recycles"):
        r_summarise(_B, ["gen"], {"q": lambda g: [1, 2], "r": lambda g: [1, 2, 3]},
                    reframe=True)
