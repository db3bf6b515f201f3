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


# ----- grouped mutate() / filter() ---------------------------------------------------------------
def _env_data() -> pd.DataFrame:
    # two environments (rows interleaved), yields chosen so the group means are 2 and 10
    return pd.DataFrame({"env": ["A", "B", "A", "B", "A"], "gen": ["g1", "g1", "g2", "g2", "g3"],
                         "y": [1.0, 8.0, 2.0, 12.0, 3.0]})


def test_grouped_mutate_computes_per_group_and_keeps_the_row_order() -> None:
    # dplyr: mean(y) in a grouped mutate is the group's mean, recycled to its rows; a later
    # argument sees the earlier one (d = y - m); n() is the group's size; rows keep order
    ns = run_r("d2 <- d %>% group_by(env) %>% mutate(m = mean(y), dev = y - m, k = n()) %>%"
               " ungroup()\n", complete=True, d=_env_data())
    d2 = ns["d2"]
    assert list(d2["env"]) == ["A", "B", "A", "B", "A"]
    assert list(d2["m"]) == [2.0, 10.0, 2.0, 10.0, 2.0]
    assert list(d2["dev"]) == [-1.0, -2.0, 0.0, 2.0, 1.0]
    assert list(d2["k"]) == [3, 2, 3, 2, 3]


def test_grouped_mutate_by_argument_and_the_users_frame_is_kept() -> None:
    # mutate(.by = env) is the same as group_by(env) %>% mutate(); d itself is unchanged
    d = _env_data()
    ns = run_r("d2 <- mutate(d, top = max(y), .by = env)\n", complete=True, d=d)
    assert list(ns["d2"]["top"]) == [3.0, 12.0, 3.0, 12.0, 3.0]
    assert "top" not in d.columns


def test_grouped_filter_keeps_each_groups_rows() -> None:
    # filter(y == max(y)) per environment: the best row of each, in the data's order
    ns = run_r("b <- d %>% group_by(env) %>% filter(y == max(y))\n", complete=True,
               d=_env_data())
    assert list(ns["b"]["gen"]) == ["g2", "g3"]


def test_summarise_after_a_grouped_mutate_is_grouped() -> None:
    # the frame stays grouped through mutate(): summarise() gives one row per env
    ns = run_r("s <- d %>% group_by(env) %>% mutate(m = mean(y)) %>% "
               "summarise(dev = sum(abs(y - m)))\n", complete=True, d=_env_data())
    assert list(ns["s"]["env"]) == ["A", "B"] and list(ns["s"]["dev"]) == [2.0, 4.0]


def test_mutate_after_summarise_is_grouped_by_the_remaining_keys() -> None:
    # summarise(group_by(env, gen)) drops the last key: the mutate() after it is per env
    ns = run_r("s <- d %>% group_by(env, gen) %>% summarise(t = sum(y)) %>% "
               "mutate(share = t / sum(t))\n", complete=True, d=_env_data())
    assert list(ns["s"]["share"]) == pytest.approx([1 / 6, 2 / 6, 3 / 6, 8 / 20, 12 / 20])


def test_grouped_mutate_of_a_wrong_length_is_an_error() -> None:
    # dplyr: "must be size 3 or 1, not 2"
    with pytest.raises(AsrError, match="gives 2 values for a group of 3"):
        run_r("d2 <- d %>% group_by(env) %>% mutate(z = c(1, 2))\n", d=_env_data())


def test_group_sensitive_verb_of_a_grouped_chain_stays_untranslated() -> None:
    # slice(1) of a grouped frame is each group's first row: not the frame's first row
    py = translate("d2 <- d %>% group_by(env) %>% mutate(m = mean(y)) %>% slice(1)\n")
    assert "untranslated('slice() of grouped data'" in py


# ----- as.numeric(factor(x)): the level codes -------------------------------------------------
def test_as_numeric_of_a_factor_call_is_its_level_codes() -> None:
    # R: as.numeric(as.factor(c(10, 5, 10, 2))) is c(3, 2, 3, 1) (levels 2, 5, 10 sorted
    # numerically), not the numbers; text levels sort alphabetically: b a c a -> 2 1 3 1
    ns = run_r('k <- as.numeric(as.factor(c(10, 5, 10, 2)))\n'
               'j <- as.integer(factor(c("b", "a", "c", "a")))\n', complete=True)
    assert list(ns["k"]) == [3, 2, 3, 1] and list(ns["j"]) == [2, 1, 3, 1]


def test_vector_indexed_by_factor_codes_in_mutate() -> None:
    # v[as.integer(factor(paste(G, Y)))]: levels "x 1" < "x 2" < "y 1" give codes 1 3 2
    d = pd.DataFrame({"G": ["x", "y", "x"], "Y": [1, 1, 2]})
    ns = run_r("v <- c(10, 20, 30)\nd2 <- d %>% mutate(w = v[as.integer(factor(paste(G, Y)))])\n"
               "z <- v[as.integer(factor(c('b', 'a', 'c', 'a')))]\n", complete=True, d=d)
    assert list(ns["d2"]["w"]) == [10, 30, 20] and list(ns["z"]) == [20, 10, 30, 10]


# ----- across(cols, f, extra arguments) and round(x, digits = k) ---------------------------------
@pytest.mark.parametrize("r_call", ["across(where(is.numeric), round, 2)",
                                    "across(c(x, y), round, digits = 2)",
                                    "across(.fns = round, .cols = c(x, y), 2)"])
def test_across_passes_extra_arguments_to_the_function(r_call: str) -> None:
    # dplyr (its ... of across, deprecated but common): across(cols, round, 2) is
    # round(col, 2) for each selected column; the text column g is left as it is
    d = pd.DataFrame({"g": ["a", "b"], "x": [1.23456, 2.98765], "y": [10.5449, 3.14159]})
    ns = run_r(f"d2 <- d %>% mutate({r_call})\n", complete=True, d=d)
    assert list(ns["d2"]["x"]) == [1.23, 2.99] and list(ns["d2"]["y"]) == [10.54, 3.14]
    assert list(ns["d2"]["g"]) == ["a", "b"]


def test_round_with_digits_by_name() -> None:
    # round(x, digits = 1) is round(x, 1)
    ns = run_r("z <- round(c(1.26, 3.14159), digits = 1)\n", complete=True)
    assert list(ns["z"]) == [1.3, 3.1]


# ----- do.call(f, L) and dotted argument names of the script's functions -------------------------
def test_do_call_of_a_list_known_when_the_script_runs() -> None:
    # R: do.call(f, list(2, 3)) is f(2, 3); a named list passes by name; bdiag(A, B) of a
    # list is the block-diagonal matrix diag(A, B)
    ns = run_r("library(Matrix)\nL <- list(matrix(1, 2, 2), matrix(2, 1, 1))\n"
               "B <- as.matrix(do.call(bdiag, L))\n"
               "f <- function(a, min.n = 1) a * 10 + min.n\n"
               "args <- list(4, 1)\nnamed <- list(min.n = 5, a = 1)\n"
               "y <- do.call(\"f\", args)\nz <- do.call(f, named)\n"
               "w <- f(2, min.n = 7)\n", complete=True)
    assert np.array_equal(np.asarray(ns["B"], dtype=float),
                          [[1, 1, 0], [1, 1, 0], [0, 0, 2]])
    assert (ns["y"], ns["z"], ns["w"]) == (41, 15, 27)


def test_do_call_of_a_non_list_is_an_error() -> None:
    # R: do.call(f, 3) stops: "second argument must be a list"
    with pytest.raises(AsrError, match="must be a list"):
        run_r("f <- function(a) a\nv <- 3\nx <- do.call(f, v)\n")


def test_grouped_mutate_remakes_a_column_in_turn() -> None:
    # mutate(m = mean(y), m = m * 2): the second m reads the first (sequential)
    ns = run_r("d2 <- d %>% group_by(env) %>% mutate(m = mean(y), m = m * 2)\n",
               complete=True, d=_env_data())
    assert list(ns["d2"]["m"]) == [4.0, 20.0, 4.0, 20.0, 4.0]


# ----- an anonymous function called where it is written ------------------------------------------
@pytest.mark.parametrize(("r_code", "value"), [
    ("y <- (function(z, k = 2) z + k)(3)", 5),       # the default k = 2 (R: used when absent)
    ("y <- {\\(z) z * 2}(3)", 6),                     # R 4.1's \(z) in braces
    ("y <- 3 |> (\\(z) z - 1)()", 2),                 # piped into it: its first argument
    ("y <- sum(c(3, 3, 4) %>% {\\(z) z[!duplicated(z)]}())", 7)])
def test_immediately_called_function(r_code: str, value: float) -> None:
    ns = run_r(r_code + "\n", complete=True)
    assert ns["y"] == value


def test_lambda_keeps_constant_defaults_only() -> None:
    # function(i, m = -1): m is -1 when not passed; a default that reads another parameter
    # (n = length(x), evaluated lazily in R) is not made a Python default
    ns = run_r("y <- sapply(1:3, function(i, m = -1) i * m)\n", complete=True)
    assert list(ns["y"]) == [-1, -2, -3]
    assert "n=len" not in translate("f <- lapply(v, function(x, n = length(x)) x)\n")


# ----- rlang's !!sym(x) ---------------------------------------------------------------------------
def test_bang_bang_sym_reads_the_named_column() -> None:
    # !!sym(trait) with trait <- "y" is the column y (rlang: !! binds tighter than R's !, so
    # !!sym(trait) * 2 + 1 is 2 y + 1); in summarise() the group's column
    d = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, np.nan, 3.0]})
    ns = run_r('trait <- "y"\n'
               "s <- d %>% group_by(g) %>% summarise(n_miss = sum(is.na(!!sym(trait))))\n"
               "m <- d %>% mutate(z = !!sym(trait) * 2 + 1)\n"
               "f <- d %>% filter(!is.na(!!sym(trait)))\nb <- !!TRUE\n", complete=True, d=d)
    assert list(ns["s"]["n_miss"]) == [1, 0]
    assert list(ns["m"]["z"].fillna(-9)) == [3.0, -9, 7.0]
    assert list(ns["f"]["y"]) == [1.0, 3.0] and bool(ns["b"]) is True
