"""testthat expectations and placeholders of untranslated code in translated scripts
(asr_py.translate.checks).

References: R's all.equal() mean relative differences recorded by
tests/translate/data/all_equal_reference.R (R 4.2, output all_equal_reference.json); the
Dyestuff variance components of lme4::lmer (REML) recorded in /work/shared/reference
(i2_dyestuff.json): Batch 1764.0500064271, residual 2451.24999860715.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from asr_py.errors import AsrError
from asr_py.translate import checks, translate

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "tests" / "data"


@pytest.fixture(autouse=True)
def fresh_tally():
    saved, used = checks.OUTCOMES.copy(), checks._USES[0]
    checks.OUTCOMES.clear()
    yield
    checks.OUTCOMES.clear()
    checks.OUTCOMES.update(saved)
    checks._USES[0] = used


@pytest.mark.parametrize("case", json.loads((HERE / "data" / "all_equal_reference.json")
                                            .read_text()))
def test_expect_equal_is_r_all_equal(case: dict) -> None:
    obj = [np.nan if v is None else v for v in np.atleast_1d(case["object"])]
    exp = [np.nan if v is None else v for v in np.atleast_1d(case["expected"])]
    d = case["mean_relative_difference"]
    assert checks.expect_equal(obj, exp, tolerance=d * 1.01)
    assert not checks.expect_equal(obj, exp, tolerance=d * 0.99)
    assert checks.OUTCOMES == {"agree": 1, "differ": 1}


def test_expect_equal_lengths_text_and_na() -> None:
    assert not checks.expect_equal([1.0, 2.0], [1.0, 2.0, 3.0])
    assert checks.expect_equal(["a", "b"], ["a", "b"])
    assert not checks.expect_equal(["a", "b"], ["a", "c"])
    assert not checks.expect_equal([1.0, np.nan], [1.0, 2.0], tolerance=1.0)
    assert checks.expect_true(lambda: np.array([True, True]))
    assert not checks.expect_false(lambda: [True, False])
    assert checks.expect_lt(lambda: 1.0, 2.0) and not checks.expect_gte(1.0, 2.0)
    assert checks.OUTCOMES == {"agree": 3, "differ": 5}


def test_placeholder_goes_on_until_a_value_is_needed() -> None:
    x = checks.untranslated("as.asrtests()", "current.asrt")
    y = x["asreml.obj"].varcomp + 1            # any use gives a placeholder
    assert isinstance(y, checks.Untranslated) and "as.asrtests()" in repr(y)
    assert not checks.expect_equal(lambda: len(x), 6)        # recorded, not raised
    assert not checks.expect_true(lambda: y)
    with pytest.raises(AsrError, match=r"current\.asrt .*not translated \(as\.asrtests\(\)\)"):
        if x:
            pass
    with pytest.raises(AsrError, match="len"):
        len(x)
    assert checks.OUTCOMES == {"unchecked": 2}
    assert checks._USES[0] >= 4


def test_expectation_that_raises_is_an_error_not_a_stop() -> None:
    assert not checks.expect_equal(lambda: 1 / 0, 1)
    assert checks.OUTCOMES == {"error": 1}


SCRIPT = """
library(asreml)
library(testthat)
Dyestuff <- read.csv("Dyestuff.csv")
test_that("dyestuff", {
  m <- asreml(Yield ~ 1, random = ~ Batch, data = Dyestuff)
  testthat::expect_equal(summary(m)$varcomp$component, c(1764.05, 2451.25), tolerance = 1e-4)
  expect_equal(summary(m)$varcomp$component[1], 1800, tolerance = 1e-4)
  V <- asremlPlus::bootREMLRT(m, m)
  expect_equal(nrow(V), 30)
  expect_true(m$converge)
})
cat("done\\n")
"""


def test_translated_testthat_script_reports_agreement(tmp_path: Path) -> None:
    (tmp_path / "Dyestuff.csv").write_bytes((DATA / "Dyestuff.csv").read_bytes())
    py = translate(SCRIPT)
    flat = "".join(py.split())       # the printer may wrap a long call over lines
    assert "expect_equal(lambda:r_dollar(r_varcomp(m),'component'),[1764.05,2451.25]," \
           "tolerance=1e-4,r_line=" in flat
    assert "V = untranslated(" in py
    (tmp_path / "t.py").write_text(py)
    p = subprocess.run([sys.executable, "t.py"], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, MPLBACKEND="Agg"), timeout=120)
    assert p.returncode == 0, p.stderr
    assert "done" in p.stdout
    # lme4's REML components agree at 1e-4; 1800 for Batch does not; nrow of the untranslated
    # bootREMLRT() value is unchecked
    assert "asr_py.translate expectations: 2 agree, 1 differ, 1 unchecked, 0 error" in p.stdout
    assert "asr_py.translate untranslated values used:" in p.stderr
    # the difference names its line in the R code (line 8: the 1800 for Batch)
    assert "expectation differs: R line 8: expect_equal: mean relative difference" in p.stdout


def test_value_computed_from_a_placeholder_is_unchecked() -> None:
    # pandas takes a placeholder for a non-missing scalar: sum(!is.na(x$p)) would be -1
    import pandas as pd

    x = checks.untranslated("plotPvalues()", "pupdata")
    assert not checks.expect_equal(lambda: np.sum(~pd.isna(x["p"])), 380)
    assert checks.OUTCOMES == {"unchecked": 1}


def test_error_in_a_test_that_block_is_reported_and_the_script_goes_on(tmp_path) -> None:
    # testthat: an error ends its block, is reported, and the next block runs; the run still
    # ends with exit status 1 and the error's line (never counted as complete)
    py = translate('library(testthat)\n'
                   'test_that("first", {\n  x <- 1\n  stop("no such level")\n'
                   '  expect_equal(x, 2)\n})\n'
                   'test_that("second", {\n  expect_equal(1 + 1, 2)\n})\n')
    f = tmp_path / "s.py"
    f.write_text(py)
    p = subprocess.run([sys.executable, str(f)], capture_output=True, text=True,
                       cwd=tmp_path, env=dict(os.environ, MPLBACKEND="Agg"))
    assert p.returncode == 1
    assert "asr_py.translate test_that error: first:" in p.stdout
    assert "asr_py.translate expectations: 1 agree, 0 differ, 0 unchecked, 0 error" in p.stdout
    assert "no such level" in p.stderr.strip().splitlines()[-1]


def test_formulae_compare_as_R_compares_them() -> None:
    # all.equal(~ Tree + Tree:x, ~Tree+Tree:x) is TRUE in R (language objects, deparsed
    # alike); ~ A differs from ~ B
    assert checks.expect_equal("~ Tree + Tree:x", "~Tree+Tree:x")
    assert checks.expect_equal("~at(expt, 'a'):x", '~ at(expt, "a"):x')
    assert not checks.expect_equal("~ A", "~ B")
    assert not checks.expect_equal("A B", "AB")       # text that is no formula: exactly
    assert checks.OUTCOMES == {"agree": 2, "differ": 2}


def test_unchecked_expectation_names_the_untranslated_code(capsys) -> None:
    x = checks.untranslated("variofaces()", "v")
    y = checks.untranslated("R2adj()", "r2")
    checks.expect_equal(lambda: x["a"] + 1, 2, r_line=7)
    checks.expect_true(lambda: y > 3, r_line=9)
    out = capsys.readouterr().out
    assert "R line 7: expect_equal uses the value of untranslated code (variofaces())" in out
    assert "R line 9: expect_true uses the value of untranslated code (R2adj())" in out


def test_as_asrtests_holds_the_fit_and_its_wald_table(tmp_path: Path) -> None:
    # asremlPlus: as.asrtests(fit, NULL, NULL)$asreml.obj is the fit; wald.tab has a row per
    # fixed term including (Intercept); the test summary starts empty
    import pandas as pd

    import asr_py as asr

    d = pd.read_csv(DATA / "Dyestuff.csv")
    py = translate("m <- asreml(Yield ~ 1, random = ~ Batch, data = d)\n"
                   "t <- as.asrtests(m, NULL, NULL)\n"
                   "vc <- summary(t$asreml.obj)$varcomp\nll <- t$asreml.obj$loglik\n"
                   "nw <- nrow(t$wald.tab)\nns <- nrow(t$test.summary)\n")
    ns: dict = {"d": d}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    direct = asr.asreml("Yield ~ 1", random="~ Batch", data=d)
    # asreml's $loglik leaves out the 2π constant: ℓ_R + ½ν log 2π, ν = 30 − 1
    assert ns["ll"] == pytest.approx(direct.loglik + 0.5 * 29 * np.log(2 * np.pi), abs=1e-9)
    np.testing.assert_allclose(ns["vc"]["component"], [1764.0500064271, 2451.24999860715],
                               rtol=1e-5)                  # lme4's REML components
    assert ns["nw"] == 1 and ns["ns"] == 0
    with pytest.raises(AsrError, match="needs an asr.asreml"):
        checks_as = __import__("asr_py.translate.asremlplus", fromlist=["as_asrtests"])
        checks_as.as_asrtests(d)


def test_asrtests_wald_table_denominator_df_of_the_split_plot() -> None:
    # asremlPlus scripts read den.df <- wald.tab[match("V", rownames(wald.tab)), "denDF"];
    # Yates' oats split plot (6 blocks, 3 varieties on whole plots, 4 N levels on subplots):
    # whole-plot error df 10 for V, subplot error df 45 for N and N:V (textbook ANOVA)
    import pandas as pd

    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    py = translate("m <- asreml(Y ~ N*V, random = ~ B/MP, data = d)\n"
                   "t <- as.asrtests(m, NULL, NULL)\nwald.tab <- t$wald.tab\n"
                   'dv <- wald.tab[match("V", rownames(wald.tab)), "denDF"]\n'
                   'dn <- wald.tab[match("N:V", rownames(wald.tab)), "denDF"]\n')
    assert "dv = wald_tab.loc['V', 'denDF']" in py
    ns: dict = {"d": d}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    assert ns["dv"] == pytest.approx(10, abs=1e-6) and ns["dn"] == pytest.approx(45, abs=1e-6)


def test_expect_output_runs_its_statement_or_binds_a_placeholder() -> None:
    py = translate("testthat::expect_output(d <- bootREMLRT(m, x))\n"
                   "expect_silent(y <- 2 * 3)\nexpect_warning(z <- y + 1)\n")
    ns: dict = {}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    assert ns["y"] == 6 and ns["z"] == 7
    assert isinstance(ns["d"], checks.Untranslated) and "bootREMLRT()" in repr(ns["d"])


def test_expect_error_records_whether_the_code_fails() -> None:
    py = translate('testthat::expect_error(x <- log("a"))\n')
    assert "expect_error(lambda: np.log('a'), r_line=1)" in py   # the assignment is not needed
    assert checks.expect_error(lambda: 1 / 0, "division")  # raised: agree
    assert not checks.expect_error(lambda: 1)               # no error: differ
    x = checks.untranslated("estimateV()", "V")
    assert not checks.expect_error(lambda: x + 1)           # a placeholder: unchecked
    assert not checks.expect_error(lambda: len(x))          # its error is not R's
    assert checks.OUTCOMES == {"agree": 1, "differ": 1, "unchecked": 2}


def test_a_difference_shows_where_and_which_elements(capsys: pytest.CaptureFixture[str]) -> None:
    assert not checks.expect_equal(lambda: np.arange(10.0), np.r_[np.arange(9.0), 3.0],
                                   r_line=12)
    assert not checks.expect_true(lambda: [True, False], r_line=3)
    out = capsys.readouterr().out
    # only the 10th element differs: 9 vs 3, shown with its (R, 1-based) position
    assert "differs: R line 12: expect_equal: mean relative difference 0.667" in out
    assert "got [9.], R says [3.] at [10] of 10" in out
    assert "differs: R line 3: expect_true: got [ True False]" in out
