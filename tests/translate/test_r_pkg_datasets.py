"""lme4's and nlme's small data sets in translated scripts: ``library(lme4); data(sleepstudy)``,
``data(Orthodont, package = "nlme")`` or a bare ``Orthodont`` as data are the package's
(asr_py/data/r_pkg_datasets.json, recorded by scripts/record_r_pkg_datasets.R), unless a file
of that name is beside the script. Checked against tests/data/sleepstudy.csv (written from lme4
separately: tests/data/README.md) and Pinheiro & Bates (2000, p. 147)'s printed REML fit of
``lme(distance ~ age, Orthodont, random = ~ 1 | Subject)``."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r as _run

DATA = Path(__file__).resolve().parents[1] / "data"


def test_data_of_an_attached_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)                  # no sleepstudy file anywhere near
    ns = _run("library(lme4)\ndata(sleepstudy)\nn <- nrow(sleepstudy)\n")
    ref = pd.read_csv(DATA / "sleepstudy.csv")
    got = ns["sleepstudy"]
    assert list(got.columns) == list(ref.columns) and ns["n"] == len(ref) == 180
    np.testing.assert_allclose(got["Reaction"].to_numpy(float), ref["Reaction"], rtol=1e-12)
    assert got["Subject"].astype(str).tolist() == ref["Subject"].astype(str).tolist()
    assert isinstance(got["Subject"].dtype, pd.CategoricalDtype)     # a factor, as in R


def test_nlme_data_by_package_and_bare_name_fit_as_printed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ns = _run('data(Orthodont, package = "nlme")\nd <- Orthodont\n'
              "library(nlme)\n"
              "m <- asreml(distance ~ age, random = ~ Subject, data = Orthodont)\n"
              "b <- coef(m)$fixed\n")
    assert ns["d"].shape == (108, 4)
    assert len(ns["d"]["Subject"].cat.categories) == 27
    fit = ns["m"]
    beta = dict(zip(fit.coef_fixed.index.astype(str), fit.coef_fixed.iloc[:, 0]))
    # Pinheiro & Bates (2000) p. 147: (Intercept) 16.76111, age 0.660185;
    # sd(Intercept) 2.114724, residual sd 1.431592
    assert abs(beta["(Intercept)"] - 16.76111) < 5e-5 and abs(beta["age"] - 0.660185) < 5e-6
    vc = fit.varcomp["component"].to_numpy(float)
    np.testing.assert_allclose(np.sqrt(vc), [2.114724, 1.431592], rtol=2e-6)


def test_a_file_beside_the_script_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"Reaction": [1.0, 2.0], "Days": [0, 1], "Subject": ["a", "a"]}).to_csv(
        tmp_path / "sleepstudy.csv", index=False)
    ns = _run("library(lme4)\ndata(sleepstudy)\nn <- nrow(sleepstudy)\n")
    assert ns["n"] == 2


def test_unknown_package_data_still_says_what_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception, match="data\\(nosuchset\\)"):
        _run('data(nosuchset, package = "lme4")\n')
