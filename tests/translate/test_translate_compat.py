"""translate(): asremlPlus/dae calls become asr.plus/asr.dae calls (asr_py.compat), asreml's
``$vparameters``/``$sigma2`` keep asreml's meaning, ``$`` matches partial names, and
``na.method(x = "include")`` is kept. The translated script's expectations carry numbers from
outside asr_py: lme4's REML fit of Dyestuff (``logLik(lmer(Yield ~ 1 + (1|Batch)))`` =
-159.8271384 by lme4 1.1-31 here; variances 1764.05 and 2451.25, Bates' lme4 book ch. 1) and
the closed-form REML likelihood of y = μ + e (R's ``logLik(lm(Yield ~ 1), REML = TRUE)`` =
-163.0116161 agrees with it)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.translate import translate

DATA = Path(__file__).resolve().parents[1] / "data"
LME4_REML_LOGLIK = -159.8271384
LME4_BATCH, LME4_RESID = 1764.05, 2451.25


def _null_reml_loglik(y: np.ndarray) -> float:
    """REML log-likelihood of y = μ + e at its maximum, −½[(n−1) log(2π s²) + (n−1) + log n]
    (log|X'V⁻¹X| = log(n/s²); R's logLik(lm(y ~ 1), REML = TRUE))."""
    n, s2 = len(y), float(np.var(y, ddof=1))
    return -0.5 * ((n - 1) * math.log(2 * math.pi * s2) + (n - 1) + math.log(n))


def test_asremlplus_workflow_translates_and_runs(tmp_path: Path) -> None:
    (tmp_path / "Dyestuff.csv").write_bytes((DATA / "Dyestuff.csv").read_bytes())
    y = pd.read_csv(DATA / "Dyestuff.csv")["Yield"].to_numpy(float)
    d = 2 * (LME4_REML_LOGLIK - _null_reml_loglik(y))
    p_half = float(0.5 * stats.chi2.sf(d, 1))
    # asreml's (and so asremlPlus's) log-likelihood leaves out ½(n − p) log 2π
    aic = -2 * (LME4_REML_LOGLIK + 0.5 * (len(y) - 1) * math.log(2 * math.pi)) + 4
    script = f"""
library(asreml); library(asremlPlus); library(dae)
Dyestuff <- read.csv("Dyestuff.csv")
m1 <- asreml(Yield ~ 1, random = ~ Batch, data = Dyestuff)
m0 <- asreml(Yield ~ 1, data = Dyestuff)
current.asrt <- as.asrtests(m1, NULL, NULL)
current.asrt <- testranfix(current.asrt, "Batch", positive.zero = TRUE)
expect_equal(getTestPvalue(current.asrt, "Batch"), {p_half!r}, tolerance = 1e-3)
expect_equal(current.asrt$test.summary$action, "Retained")
lr <- REMLRT(h0.asreml.obj = m0, h1.asreml.obj = m1)
expect_equal(lr$REMLRT, {d!r}, tolerance = 1e-4)
ic <- infoCriteria(m1)
expect_equal(ic$AIC, {aic!r}, tolerance = 1e-5)
expect_equal(m1$vparameters[1], {LME4_BATCH / LME4_RESID!r}, tolerance = 1e-4)
expect_equal(m1$vparameters * m1$sigma2, c({LME4_BATCH}, {LME4_RESID}), tolerance = 1e-4)
expect_true(m1$conv)
V <- mat.dirprod(mat.I(2), mat.ar1(rho = 0.5, order = 3))
expect_equal(sum(V), 11)
current.asrt <- changeTerms(current.asrt, dropRandom = "Batch", label = "no Batch")
expect_equal(current.asrt$asreml.obj$loglik, m0$loglik, tolerance = 1e-6)
cat("done\\n")
"""
    py = translate(script)
    for call in ("asr.plus.as_asrtests(", "asr.plus.testranfix(", "asr.plus.getTestPvalue(",
                 "asr.plus.REMLRT(h0_asreml_obj=m0, h1_asreml_obj=m1)",
                 "asr.plus.infoCriteria(", "asr.plus.changeTerms(", "asr.dae.mat_dirprod(",
                 "asr.dae.mat_ar1(rho=0.5, order=3)", "r_vparameters(m1)", "r_sigma2(m1)",
                 "m1.converged"):
        assert call in py, call
    assert "TODO" not in py.replace("Review every 'TODO(asr_py)' line", "")
    (tmp_path / "t.py").write_text(py)
    p = subprocess.run([sys.executable, "t.py"], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, MPLBACKEND="Agg"), timeout=300)
    assert p.returncode == 0, p.stderr
    assert "done" in p.stdout
    assert "asr_py.translate expectations: 9 agree, 0 differ, 0 unchecked, 0 error" \
        in p.stdout, p.stdout
    assert "untranslated values used" not in p.stderr


def test_na_method_include_is_kept() -> None:
    py = translate('d <- read.csv("d.csv")\n'
                   'm <- asreml(y ~ x, data = d, na.action = na.method(x = "include"))\n')
    assert "na_action={'x': 'include'}" in py
    assert "DIFFERENT" not in py


def test_dollar_partial_names_on_fits() -> None:
    py = translate('d <- read.csv("d.csv")\nm <- asreml(y ~ 1, random = ~ b, data = d)\n'
                   'a <- m$logl\nb <- m$coef$fixed\nn <- m$nedf\ng <- m$gammas\n')
    assert "a = r_loglik(m)" in py      # asreml's scale (no 2π constant)
    assert "b = m.coef_fixed_all('reverse')['solution']" in py   # $gammas: asreml 3
    assert "n = m.result.n_minus_p" in py
    assert "g = r_vparameters(m)" in py


def test_unmapped_asremlplus_calls_stay_placeholders() -> None:
    py = translate('d <- read.csv("d.csv")\nm <- asreml(y ~ 1, random = ~ b, data = d)\n'
                   'V <- bootREMLRT(m, m)\n')
    assert "V = untranslated('bootREMLRT()', 'V')" in py
    assert "TODO(asr_py): not translated (bootREMLRT())" in py


def test_sapply_lapply_with_fun_and_extra_arguments_unlist_grepl() -> None:
    # asremlPlus's test files: which model parts an action changed, terms built by paste
    py = translate(
        'changes <- c("Changed fixed, random")\n'
        'hit <- unlist(lapply(c("fixed", "random", "residual"),\n'
        '                     function(x, changes){grepl(x, changes, fixed = TRUE)},\n'
        '                     changes = changes))\n'
        'terms <- sapply(c("Sources", "Type"), FUN=function(term){paste("Date:",term,sep="")},\n'
        '                simplify=TRUE)\n'
        'terms <- unname(terms)\n'
        'rx <- grepl("^Da", terms)\n')
    assert "untranslated" not in py
    ns: dict = {}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    assert list(ns["hit"]) == [True, True, False]           # R: TRUE TRUE FALSE
    assert list(ns["terms"]) == ["Date:Sources", "Date:Type"]
    assert list(ns["rx"]) == [True, True]


def test_with_data_frame_refers_to_itself_and_as_numfac(tmp_path: Path) -> None:
    py = translate('dat <- read.csv("d.csv")\n'
                   'dat <- with(dat, dat[order(B, A), ])\n'
                   'dat <- within(dat, { cRow <- dae::as.numfac(Row)\n'
                   '                     cRow <- cRow - mean(unique(cRow)) })\n')
    assert "dat = dat.sort_values(['B', 'A'], kind='stable')" in py
    (tmp_path / "d.csv").write_text("A,B,Row\n2,1,3\n1,1,5\n3,0,4\n")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        ns: dict = {}
        exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    finally:
        os.chdir(old)
    d = ns["dat"]
    assert list(d["A"]) == [3, 1, 2]                         # R: order(B, A)
    assert list(d["cRow"]) == [0.0, 1.0, -1.0]               # 4, 5, 3 centred at 4


def test_asrtests_fit_component_is_a_fit() -> None:
    py = translate('m <- current.asrt$asreml.obj\ns2 <- m$sigma2\n'
                   'm2 <- update(current.asrt$asreml.obj, maxit = 50)\ng <- m2$gammas[1]\n')
    assert "s2 = r_sigma2(m)" in py
    assert "m2 = current_asrt['asreml.obj'].update(maxit=50)" in py
    assert "g = r_vparameters(m2).iloc[0]" in py


def test_names_of_a_named_vector_and_grepl_subset(workdir) -> None:
    # Clonal.R (ConradStack course): the BLUPs of one term by their names
    py = translate('d <- read.csv("DT.csv")\n'
                   'm <- asreml(Yield ~ Env, random = ~ Name + Env:Block, data = d)\n'
                   'BLUP = m$coefficients$random\n'
                   'BLUP = BLUP[grepl("^Name", names(BLUP))]\n'
                   'cols <- names(d)\n')
    ns: dict = {}
    exec(compile(py, "<translated>", "exec"), ns)  # noqa: S102
    blup, m = ns["BLUP"], ns["m"]
    want = m.coef_random["solution"]
    want = want[[str(i).startswith("Name") for i in want.index]]
    assert len(blup) == len(want) == 41 and list(blup.index) == list(want.index)
    assert ns["cols"] == list(ns["d"].columns)
