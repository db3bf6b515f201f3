"""Base R's ``save()`` / ``saveRDS()`` (rsave.py), met in held-out pass R (wild-population
animal models saving fits and result tables: susjoh/2024_Sparrow_Recomb_GWAS
``save(model1, file = paste0("results/tempmodel", i, ".RData"))``; 92 corpus scripts use
save(), 25 saveRDS(); both were untranslated).

Expected values are R's documented semantics (R 4 ``?save``, ``?load``, ``?saveRDS``):
- ``save(..., list = , file = )`` writes the objects named (symbols or strings, and the
  character vector ``list``) under their names; ``load(file)`` re-creates each under its
  name with the same value. A name with no object: error "object 'x' not found"; ``file``
  must be given (it follows ``...``, so only by name).
- ``save()``'s ``envir`` is ``parent.frame()``: inside a function, its local variables.
- ``saveRDS(object, file)`` / ``readRDS(file)``: one object, read back unnamed.
- An .RData file of one data frame is R's format: librdata (pyreadr, an independent reader
  of R's serialisation) reads the object under its name.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate import rsave
from asr_py.translate.runtime import load_rdata, read_rds


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_save_then_load_restores_a_data_frame_under_its_name(here: Path) -> None:
    ns = run_r('d <- data.frame(x = c(1.5, 2, NA), g = c("a", "b", "a"))\n'
               'save(d, file = "d.RData")\n'
               'd0 <- d\nrm(d)\nd <- NULL\n'
               'load("d.RData")\n', complete=True)
    d = ns["d"]
    assert list(d.columns) == ["x", "g"]
    assert d["x"].tolist()[:2] == [1.5, 2.0] and np.isnan(d["x"].iloc[2])
    assert d["g"].tolist() == ["a", "b", "a"]
    assert list(d.index) == [0, 1, 2]          # R's automatic row names: a default index
    import pyreadr  # R's own format: librdata reads it by name

    assert list(pyreadr.read_r(str(here / "d.RData"))) == ["d"]


def test_save_names_symbols_strings_and_list(here: Path) -> None:
    r = ('a <- 3\nb <- c(1, 2)\nk <- "text"\n'
         'save(a, "b", list = c("k"), file = "all.RData")\n'
         'a <- 0\nb <- 0\nk <- 0\n'
         'load("all.RData")\n')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ns = run_r(r, complete=True)
    assert ns["a"] == 3 and list(ns["b"]) == [1, 2] and ns["k"] == "text"
    # three objects have no R form here: the warning says the file is asr_py's own
    assert any("R cannot read this file" in str(x.message) for x in w)


def test_save_of_a_missing_object_is_an_error(here: Path) -> None:
    with pytest.raises(AsrError, match="object 'nothere' not found"):
        run_r('save(nothere, file = "x.RData")\n')
    assert not (here / "x.RData").exists()


def test_save_without_file_is_a_todo_not_invalid_python() -> None:
    py = translate('a <- 1\nsave(a)\n')
    compile(py, "<t>", "exec")
    assert "TODO(asr_py)" in py and "save() without file" in py


def test_save_in_a_function_finds_its_local_variables(here: Path) -> None:
    ns = run_r('f <- function(z) {\n  w <- z * 2\n  save(w, file = "w.RData")\n}\n'
               'f(3)\nload("w.RData")\n', complete=True)
    assert ns["w"] == 6


def test_save_rds_and_read_rds_round_trip(here: Path) -> None:
    r = ('d <- data.frame(id = c("p", "q"), v = c(10, 20))\n'
         'res <- list(n = 2, what = "fit")\n'
         'saveRDS(d, "d.rds")\nsaveRDS(res, file = "res.rds")\n'
         'd2 <- readRDS("d.rds")\nr2 <- readRDS("res.rds")\n')
    ns = run_r(r, complete=True, quiet=True)
    pd.testing.assert_frame_equal(ns["d2"], ns["d"], check_dtype=False)
    assert ns["r2"] == {"n": 2, "what": "fit"}
    import pyreadr  # a data frame's .rds is R's format

    assert pyreadr.read_r(str(here / "d.rds"))[None]["v"].tolist() == [10.0, 20.0]


def test_an_asreml_fit_saved_and_loaded_is_the_same_fit(here: Path) -> None:
    rng = np.random.default_rng(7)
    g = np.repeat(np.arange(8), 4)
    y = 10 + rng.normal(0, 1.0, 8)[g] + rng.normal(0, 0.7, 32)
    dat = pd.DataFrame({"y": y, "g": pd.Categorical(g.astype(str))})
    r = ('m <- asreml(fixed = y ~ 1, random = ~ g, data = dat)\n'
         'save(m, file = "m.RData")\nll <- m$loglik\nrm(m)\n'
         'load("m.RData")\nll2 <- m$loglik\n')
    ns = run_r(r, complete=True, dat=dat, quiet=True)
    assert ns["ll2"] == ns["ll"]


def test_only_files_with_the_header_are_unpickled(here: Path) -> None:
    import pickle

    (here / "plain.pkl").write_bytes(pickle.dumps({"a": 1}))
    assert rsave.read_saved(str(here / "plain.pkl")) is None
    rsave.r_save_rds(pd.DataFrame({"v": [1.0]}), "f.rds")
    assert rsave.read_saved(str(here / "f.rds")) is None        # R's format, not ours
    assert read_rds(str(here / "f.rds"))["v"].tolist() == [1.0]
    with pytest.raises(AsrError, match="'file' must be specified"):
        rsave.r_save_rds(1.0, "")


def test_r_files_with_explicit_row_names_keep_them(here: Path) -> None:
    import pyreadr

    d = pd.DataFrame({"v": [1.0, 2.0]}, index=["plot7", "plot9"])
    pyreadr.write_rdata(str(here / "r.RData"), d, df_name="d")
    got = load_rdata(str(here / "r.RData"))["d"]
    assert list(got.index) == ["plot7", "plot9"]      # R's row names, not 1..n: kept


def test_an_object_that_cannot_be_written_loads_as_a_placeholder(here: Path) -> None:
    import threading

    from asr_py.translate.checks import Untranslated

    with pytest.warns(UserWarning, match="cannot be written"):
        rsave.r_save(["lk", "n"], file="l.RData", scope={"lk": threading.Lock(), "n": 2.0})
    got = load_rdata(str(here / "l.RData"))
    assert isinstance(got["lk"], Untranslated) and got["n"] == 2.0
