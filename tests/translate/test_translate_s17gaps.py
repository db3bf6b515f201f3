"""s17gaps: translated R that computed something else than R (session 17). Expected values
are R's (or asreml's) documented semantics, stated at each test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py, run_r

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.translate import translate


# ----- asreml's default na.method(x = "fail") -------------------------------------------------
def _trial_with_missing_factor() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"y": rng.normal(size=24), "b": np.tile(["1", "2", "3"], 8),
                      "g": np.repeat(["a", "b", "c", "d", "e", "f"], 4)})
    d.loc[[5, 9, 14], "g"] = np.nan
    return d


def test_asreml_without_na_action_stops_on_a_missing_factor_value() -> None:
    # asreml's default na.action = na.method(y = "include", x = "fail"): a missing value of a
    # factor of the model is an error ("missing values among ...")
    py = translate("m <- asreml(y ~ b, random = ~ g, data = d)\n")
    assert "na_action={'x': 'fail'}" in py
    with pytest.raises(AsrError, match="missing values"):
        run_py(py, d=_trial_with_missing_factor())


def test_na_method_omit_drops_the_records_as_asreml() -> None:
    # na.method(x = "omit"): the records with a missing x are left out of the fit
    d = _trial_with_missing_factor()
    ns = run_py(translate('m <- asreml(y ~ b, random = ~ g, data = d, '
                          'na.action = na.method(x = "omit"))\n'), d=d.copy())
    ref = asr.asreml("y ~ b", random="~ g", data=d.drop(index=[5, 9, 14]))
    assert ns["m"].loglik == pytest.approx(ref.loglik, rel=1e-10)


@pytest.mark.parametrize(("r_arg", "py_arg"), [
    ('na.action = na.method(y = "omit")', "na_action={'y': 'omit', 'x': 'fail'}"),
    ('na.action = na.method("omit", "include")', "na_action={'y': 'omit', 'x': 'include'}"),
    ('na.method.Y = "omit"', "na_action={'y': 'omit', 'x': 'fail'}"),
    ('na.method.X = "omit"', "na_action={'x': 'omit'}")])
def test_na_method_without_x_is_fail(r_arg: str, py_arg: str) -> None:
    # na.method(y = "include", x = "fail") is the signature: an x not given is "fail", by
    # position y then x; asreml 3's na.method.Y / na.method.X likewise (X default "fail")
    py = translate(f"m <- asreml(y ~ 1, data = d, {r_arg})\n")
    assert py_arg in py and py.count("na_action=") == 1


def test_update_keeps_the_fits_na_action() -> None:
    # update() refits the call it is given: no second default is written into it
    py = translate("m <- asreml(y ~ 1, data = d)\nm2 <- update(m, random = ~ g)\n")
    assert py.count("na_action=") == 1


def test_call_passing_dots_gets_no_default() -> None:
    # f <- function(...) asreml(y ~ 1, data = d, ...): ... may hold na.action
    py = translate("f <- function(d, ...) asreml(y ~ 1, data = d, ...)\n")
    assert "na_action" not in py


def test_run_r_fails_for_missing_covariate() -> None:
    # a missing covariate value stops asreml too (the covariate is an x variable)
    d = pd.DataFrame({"y": np.arange(8.0), "x": [1.0, 2, np.nan, 4, 5, 6, 7, 8]})
    with pytest.raises(AsrError, match="missing values"):
        run_r("m <- asreml(y ~ x, data = d)\n", d=d)


# ----- exists() ---------------------------------------------------------------------------------
def test_exists_finds_the_scripts_and_the_functions_variables() -> None:
    # R: exists("x") is TRUE when x is bound in the calling frame or an enclosing one (here
    # the function's own, then the global environment); after rm(x) it is FALSE
    ns = run_r('x.1 <- 3\nif (exists("x.1")) y <- 1 else y <- 2\n'
               'f <- function() { z <- 1; exists("z") && exists("x.1") && !exists("qq") }\n'
               'w <- f()\nrm(x.1)\nv <- exists("x.1")\nu <- exists("never.assigned")\n',
               complete=True)
    assert ns["y"] == 1 and ns["w"] is True
    assert ns["v"] is False and ns["u"] is False


def test_exists_of_a_name_in_a_variable_and_bad_input() -> None:
    # exists(nm) with nm <- "fit": the variable named by the text; a non-text x is R's error
    # "invalid first argument"
    ns = run_r('fit <- 1\nnm <- "fit"\na <- exists(nm)\n', complete=True)
    assert ns["a"] is True
    with pytest.raises(AsrError, match="exists"):
        run_r("a <- exists(3)\n")
