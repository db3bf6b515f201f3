"""Held-out pass K (s17newK): R's ``tryCatch()`` (rtrycatch.py), broom.asreml's ``tidy()``
(rbroomasreml.py), file tests, path parts and ``Sys.time()`` (rsystem.py).

Expected values: R's documented semantics written out by hand (R 4 ``?tryCatch``: "the value
of expr if no condition is signalled, or the value of the handler"; ``finally`` "evaluated
before returning or exiting"; a handler is a function, so its assignments are local and its
``return()`` returns from the handler; ``?conditions``: ``conditionMessage(c)`` is the
message); for tidy(), the balanced one-way model's closed forms (REML = ANOVA estimates
sigma2_e = MSE, sigma2_u = (MSA - MSE)/n; Var(mu-hat) = MSA/(a n); BLUP_i = n s2u/(n s2u +
s2e) (ybar_i - ybar)) and broom.asreml's R/tidy.R (the columns of each type), and the
ASReml-R tidy() tables AAGI-AUS/bayesreml records (fetched bayesreml_barrero_m2_*.csv).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched
from _translate_fixtures import run_r

from asr_py import translate
from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated, UntranslatedValueError
from asr_py.translate.rbroomasreml import r_tidy_asreml
from asr_py.translate.ristrue import r_isfalse, r_istrue
from asr_py.translate.rsystem import (
    RDifftime,
    RTime,
    r_basename,
    r_dir_create,
    r_dir_exists,
    r_dirname,
    r_file_exists,
    r_nzchar,
    r_sys_time,
)
from asr_py.translate.rtrycatch import r_condition, r_condition_message
from asr_py.translate.runtime import r_paste


# ----- tryCatch() ---------------------------------------------------------------------------
def test_trycatch_value_is_the_last_expression_when_nothing_fails() -> None:
    # R: x <- tryCatch({a <- 2; a * 3}, error = function(e) -1) gives x = 6, and a = 2
    env = run_r("x <- tryCatch({\n  a <- 2\n  a * 3\n}, error = function(e) -1)\n",
                complete=True)
    assert env["x"] == 6 and env["a"] == 2


def test_trycatch_error_gives_the_handlers_value_and_message() -> None:
    # R: tryCatch(stop("boom"), error = function(e) conditionMessage(e)) is "boom"
    env = run_r('y <- tryCatch(stop("boom"), error = function(e) conditionMessage(e))\n'
                'z <- tryCatch(stop("bang"), error = function(e) e$message)\n', complete=True)
    assert env["y"] == "boom" and env["z"] == "bang"


def test_trycatch_handler_assignments_stay_in_the_handler() -> None:
    # R: the handler is a function; its z <- 99 does not touch the caller's z
    env = run_r("z <- 1\n"
                "w <- tryCatch(stop('x'), error = function(e) {\n  z <- 99\n  z + 1\n})\n",
                complete=True)
    assert env["w"] == 100 and env["z"] == 1


def test_trycatch_handler_return_ends_only_the_handler() -> None:
    # R: return(NULL) in the handler gives tryCatch's value; f goes on to its if/else
    env = run_r("f <- function() {\n"
                "  v <- tryCatch(stop('x'), error = function(e) return(NULL))\n"
                "  if (is.null(v)) 'handled' else 'not'\n}\nr <- f()\n", complete=True)
    assert env["r"] == "handled"


def test_trycatch_as_a_functions_last_expression_is_returned() -> None:
    # R: g(4) is sqrt(4) = 2; g(-1) hits stop() and the handler gives -1
    env = run_r("g <- function(x) tryCatch({\n  if (x < 0) stop('negative')\n  sqrt(x)\n},"
                " error = function(e) -1)\na <- g(4)\nb <- g(-1)\n", complete=True)
    assert env["a"] == 2 and env["b"] == -1


def test_trycatch_finally_runs_with_and_without_an_error() -> None:
    # R: finally is evaluated on exit either way; the statement's assignments are the caller's
    env = run_r("n <- 0\ntryCatch({\n  m <- 5\n}, error = function(e) NULL, finally = {\n"
                "  n <- n + 1\n})\n"
                "tryCatch(stop('x'), error = function(e) NULL, finally = {\n  n <- n + 10\n})\n",
                complete=True)
    assert env["m"] == 5 and env["n"] == 11


def test_trycatch_without_handlers_is_its_expression() -> None:
    env = run_r("k <- tryCatch(2 + 3)\n", complete=True)
    assert env["k"] == 5


def test_trycatch_warning_handler_is_left_as_a_todo() -> None:
    # R aborts expr at the first warning: not translated, so never a different value
    py = translate("v <- tryCatch(log(-1), warning = function(w) 0)\n")
    assert "TODO(asr_py)" in py and "warning = " in py and "v = untranslated(" in py


def test_condition_of_an_untranslated_value_is_not_handled() -> None:
    # needing the value of untranslated R code is never an R error a handler may swallow
    exc = None
    try:
        bool(Untranslated("f()", "x"))
    except UntranslatedValueError as e:
        exc = e
    assert exc is not None
    with pytest.raises(UntranslatedValueError):
        r_condition(exc)
    cond = r_condition(ValueError("bad value"))
    assert cond["message"] == "bad value" and r_condition_message(cond) == "bad value"


# ----- broom.asreml's tidy() ------------------------------------------------------------------
def _one_way() -> tuple[object, pd.DataFrame]:
    import asr_py as asr

    rng = np.random.default_rng(7)
    a, n = 6, 4
    g = np.repeat([f"G{i}" for i in range(1, a + 1)], n)
    y = 10 + np.repeat(rng.normal(0, 2, a), n) + rng.normal(0, 1, a * n)
    d = pd.DataFrame({"g": pd.Categorical(g), "y": y})
    return asr.asreml(fixed="y ~ 1", random="~ g", data=d), d


def test_tidy_asreml_matches_the_balanced_one_way_closed_forms() -> None:
    fit, d = _one_way()
    a, n = 6, 4
    means = d.groupby("g", observed=True)["y"].mean()
    grand = d["y"].mean()
    msa = n * ((means - grand) ** 2).sum() / (a - 1)
    mse = ((d["y"] - d["g"].map(means).astype(float)) ** 2).sum() / (a * (n - 1))
    s2u, s2e = (msa - mse) / n, mse          # REML = ANOVA estimates (msa > mse here)
    assert msa > mse
    vc = r_tidy_asreml(fit, "vcomp")
    assert list(vc.columns) == ["term", "estimate", "std.error", "statistic", "constraint"]
    assert vc["estimate"].to_numpy() == pytest.approx([s2u, s2e], rel=1e-4)
    assert vc["statistic"].to_numpy() == pytest.approx(
        (vc["estimate"] / vc["std.error"]).to_numpy())
    assert list(vc["constraint"]) == ["P", "P"]
    fx = r_tidy_asreml(fit, "fix")              # match.arg: a unique prefix
    assert list(fx.columns) == ["term", "estimate", "std.error"]
    assert fx["term"].tolist() == ["(Intercept)"]
    # balanced: mu-hat is the grand mean, Var(mu-hat) = (n s2u + s2e) / (a n) = MSA / (a n)
    assert fx["estimate"].iloc[0] == pytest.approx(grand, rel=1e-8)
    assert fx["std.error"].iloc[0] == pytest.approx(np.sqrt(msa / (a * n)), rel=1e-4)
    rd = r_tidy_asreml(fit, "random")
    # BLUP_i = n s2u / (n s2u + s2e) (ybar_i - ybar), named as asreml names them (g_G1)
    shrink = n * s2u / (n * s2u + s2e)
    assert rd["term"].tolist() == [f"g_G{i}" for i in range(1, a + 1)]
    assert rd["estimate"].to_numpy() == pytest.approx(
        (shrink * (means - grand)).to_numpy(), rel=1e-4)
    al = r_tidy_asreml(fit)                      # "all": stacked, type first
    assert list(al.columns[:2]) == ["type", "term"]
    assert al["type"].tolist() == ["fixed"] + ["random"] * a + ["vcomp"] * 2


def test_tidy_asreml_refuses_what_it_does_not_translate() -> None:
    fit, _ = _one_way()
    with pytest.raises(AsrError, match="should be one of"):
        r_tidy_asreml(fit, "v")                  # ambiguous: vcomp, varcomp
    with pytest.raises(AsrError, match="wald"):
        r_tidy_asreml(fit, "wald")
    with pytest.raises(AsrError, match="only an asreml fit"):
        r_tidy_asreml(pd.DataFrame({"a": [1]}), "fixed")


def test_tidy_is_translated_for_fits_and_broom_asreml_scripts_only() -> None:
    py = translate("library(asreml)\nm <- asreml(y ~ 1, random = ~ g, data = d)\n"
                   "v <- tidy(m, 'varcomp')\n")
    assert "r_tidy_asreml(m, 'varcomp')" in py
    py = translate("library(broom.asreml)\nfits <- list()\nv <- tidy(fits[['E1']], 'vcomp')\n")
    assert "r_tidy_asreml(" in py and "TODO(asr_py): not translated (library" not in py
    # broom's tidy() of an anova table in a script that does not use broom.asreml: untouched
    py = translate("library(broom)\nt <- broom::tidy(anova(lm(y ~ x, data = d)))\n")
    assert "r_tidy_asreml" not in py


# ----- file.exists(), dir.exists(), nzchar(), basename(), dirname(), Sys.time() -------------
def test_file_tests_and_path_parts_as_r(tmp_path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("x\n1\n")
    # R: file.exists() is TRUE for a file and for a directory, one value per path
    assert r_file_exists(str(f)) is True and r_file_exists(str(tmp_path)) is True
    assert r_file_exists(str(f), str(tmp_path / "no.csv")).tolist() == [True, False]
    assert r_dir_exists(str(tmp_path)) is True and r_dir_exists(str(f)) is False
    # R: nzchar(c("a", "", NA)) is TRUE FALSE TRUE; keepNA = NA keeps NA
    assert r_nzchar(["a", "", None]).tolist() == [True, False, True]
    assert r_nzchar(["a", None], keepNA=None).tolist() == [True, None]
    # R: basename("a/b/") "b"; dirname("a/b/") "a"; dirname("f.csv") "."; dirname("/a") "/"
    assert r_basename("a/b/") == "b" and r_basename("data/x.csv") == "x.csv"
    assert r_dirname("a/b/") == "a" and r_dirname("f.csv") == "." and r_dirname("/a") == "/"
    assert r_dirname(["x/y.R", "z.R"]).tolist() == ["x", "."]
    # R: dir.create() TRUE when made; FALSE (a warning) when it exists; parent must exist
    out = tmp_path / "out"
    assert r_dir_create(str(out)) is True and out.is_dir()
    with pytest.warns(UserWarning, match="already exists"):
        assert r_dir_create(str(out)) is False
    assert r_dir_create(str(tmp_path / "p" / "q"), showWarnings=False) is False
    assert r_dir_create(str(tmp_path / "p" / "q"), recursive=True) is True


def test_sys_time_differences_use_difftime_auto_units() -> None:
    t0 = r_sys_time()
    # R's difftime "auto": secs below a minute, mins below an hour, hours below a day
    assert float(t0) > 1.7e9 and len(str(t0)) == 19        # "YYYY-mm-dd HH:MM:SS"
    d = RTime(float(t0) + 90) - t0
    assert isinstance(d, RDifftime) and d.units == "mins" and float(d) == pytest.approx(1.5)
    assert repr(d) == "Time difference of 1.5 mins"
    assert r_paste("took", d, sep=" ") == "took 1.5"     # R: paste() of a difftime: the number
    assert (RTime(float(t0) + 3) - t0).units == "secs"
    assert (RTime(float(t0) + 7200) - t0).units == "hours"
    assert (RTime(float(t0) + 3 * 86400) - t0).units == "days"


def test_file_tests_translate_in_conditions(tmp_path) -> None:
    env = run_r(f'p <- "{tmp_path}/new"\nif (!dir.exists(p)) dir.create(p)\n'
                f'ok <- file.exists(p) && nzchar(basename(p))\nt0 <- Sys.time()\n',
                complete=True)
    assert env["ok"] is True and (tmp_path / "new").is_dir()


def test_trycatch_whose_body_is_only_untranslated_code_is_valid_python() -> None:
    # the body's statement becomes a TODO comment: the try block still needs a statement
    py = translate("tryCatch({\n  plot(fit, main = 'x')\n}, error = function(e) "
                   "message('no plot: ', e$message))\n")
    compile(py, "<translated>", "exec")
    assert "TODO(asr_py)" in py


def test_proc_time_differences_and_elapsed_by_name_and_position() -> None:
    # R: pt <- proc.time(); ...; proc.time() - pt is named user.self, sys.self, elapsed, ...;
    # proc.time()[3] is the elapsed seconds
    env = run_r("pt <- proc.time()\nx <- sum(1:1000)\nd <- proc.time() - pt\n"
                "e <- proc.time()[3]\nel <- d['elapsed']\n", complete=True)
    assert list(env["d"].index[:3]) == ["user.self", "sys.self", "elapsed"]
    assert float(env["el"]) >= 0 and float(np.ravel(env["e"])[0]) > 0


# ----- isTRUE(), isFALSE() --------------------------------------------------------------------
def test_istrue_is_true_only_for_one_logical_true() -> None:
    # R: isTRUE(TRUE) TRUE; isTRUE(1), isTRUE(c(TRUE, TRUE)), isTRUE(NA), isTRUE(NULL) FALSE;
    # a named length-1 logical is TRUE (R >= 3.5)
    assert r_istrue(True) and r_istrue(np.bool_(True))
    assert r_istrue(pd.Series([True], index=["a"]))
    assert not any(r_istrue(v) for v in (1, [True, True], None, np.nan, "TRUE", False))
    assert r_isfalse(False) and not r_isfalse(0) and not r_isfalse(None)
    with pytest.raises(UntranslatedValueError):
        r_istrue(Untranslated("f()", "x"))


def test_istrue_in_a_translated_convergence_loop() -> None:
    fit, d = _one_way()
    env = run_r("m <- asreml(y ~ 1, random = ~ g, data = d)\nn <- 0\n"
                "while (!isTRUE(m$converge) && n < 3) {\n  m <- update(m)\n  n <- n + 1\n}\n"
                "ok <- isTRUE(m$converge)\n", complete=True, d=d)
    assert env["ok"] is True and env["n"] == 0


# ----- purrr's map_dfr(), imap(), imap_dfr() --------------------------------------------------
def test_map_dfr_and_imap_as_purrr() -> None:
    # purrr: map_dfr binds the rows (bind_rows), .id a column of .x's names; imap's .y is the
    # name, or the position when .x has none: imap(c(10, 20), ~ .x + .y) is list(11, 22)
    env = run_r("x <- list(a = 1, b = 2)\n"
                "d1 <- map_dfr(x, function(v) data.frame(v = v, w = v * 2))\n"
                "d2 <- imap_dfr(x, function(v, nm) data.frame(name = nm, v = v))\n"
                "d3 <- map_dfr(x, ~ data.frame(sq = .x^2), .id = 'src')\n"
                "d4 <- imap(c(10, 20), ~ .x + .y)\n", complete=True)
    assert env["d1"]["w"].tolist() == [2, 4] and list(env["d1"].columns) == ["v", "w"]
    assert env["d2"]["name"].tolist() == ["a", "b"] and env["d2"]["v"].tolist() == [1, 2]
    assert list(env["d3"].columns) == ["src", "sq"] and env["d3"]["src"].tolist() == ["a", "b"]
    assert env["d4"] == [11, 22]


def test_tidy_asreml_agrees_with_asreml_recorded_by_bayesreml() -> None:
    """AAGI-AUS/bayesreml (821fae0) scripts/ET-01-asreml.R fits m2 <- asreml(yield ~ env,
    random = ~ gen + gen:env, residual = ~ dsum(~ units | env)) to agridat's barrero.maize
    (years 2000-2001, na.omit) and saves broom.asreml's tidy(m2, "vcomp"/"fixed") from
    ASReml-R (outputs/01-asreml-barrero-maize-m2-*.rds): the same terms, the same numbers."""
    import asr_py as asr

    d = pd.read_csv(fetched("barrero_maize_2000_2001.csv"), dtype={"gen": str})
    d["env"], d["gen"] = d["env"].astype("category"), d["gen"].astype("category")
    m2 = asr.asreml(fixed="yield ~ env", random="~ gen + gen:env",
                    residual="~ dsum(~ units | env)", data=d)
    rec = pd.read_csv(fetched("bayesreml_barrero_m2_vcomp.csv"))
    vc = r_tidy_asreml(m2, "vcomp")
    assert vc["term"].tolist() == rec["term"].tolist()       # gen, gen:env, env_2000BA!R, ...
    assert list(vc["constraint"]) == list(rec["constraint"])
    assert vc["estimate"].to_numpy() == pytest.approx(rec["estimate"].to_numpy(), rel=1e-3)
    assert vc["std.error"].to_numpy() == pytest.approx(rec["std.error"].to_numpy(), rel=2e-3)
    recf = pd.read_csv(fetched("bayesreml_barrero_m2_fixed.csv"))
    fx = r_tidy_asreml(m2, "fixed")
    assert fx["term"].tolist() == recf["term"].tolist()       # (Intercept), env_2000BA, ...
    assert fx["estimate"].to_numpy() == pytest.approx(recf["estimate"].to_numpy(), abs=1e-3)
    # the reference level env_2000BA: estimate 0, std.error 0 (asreml's vcoeff is 0)
    assert fx["std.error"].to_numpy() == pytest.approx(recf["std.error"].to_numpy(), abs=1e-3)
    # the BLUPs (every 50th of the 3 108 and the last): asreml's names gen_9211,
    # gen_WG1788:env_2001WH (a combination with no record: 0, with its prior SE)
    recr = pd.read_csv(fetched("bayesreml_barrero_m2_random_every50.csv"))
    rd = r_tidy_asreml(m2, "random").set_index("term")
    assert len(rd) == 3108 and set(recr["term"]) <= set(rd.index)
    got = rd.loc[recr["term"]]
    assert got["estimate"].to_numpy() == pytest.approx(recr["estimate"].to_numpy(), abs=2e-3)
    assert got["std.error"].to_numpy() == pytest.approx(recr["std.error"].to_numpy(), rel=2e-3)
