"""translate(): lme4's lmer(), lme4breeding's lmebreed() and emmeans calls (issue 14,
session 13): teaching and comparison scripts fit the same model with lme4 and asreml side by
side; before, lmer() became a placeholder and the script stopped at its first use. The
numbers are checked against the emulations' own tests (tests/compat/test_compat_lme4.py,
test_compat_emmeans.py) and, here, against asreml fits of the same model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.translate import translate


@pytest.mark.usefixtures("workdir")
def test_lmer_and_asreml_side_by_side() -> None:
    ns = run_r("""
library(lme4)
library(asreml)
dat <- read.csv("DT.csv")
mm <- lmer(formula = Yield ~ Env + (1 | Name) + (1 | Env:Name), data = dat)
vc <- as.data.frame(VarCorr(mm))
fe <- fixef(mm)
re <- ranef(mm)$Name
long <- as.data.frame(ranef(mm, condVar = TRUE))
co <- summary(mm)$coefficients
m0 <- lme4::lmer(Yield ~ 1 + (1 | Name) + (1 | Env:Name), data = dat, REML = FALSE,
                 control = lmerControl(optimizer = "bobyqa"))
lrt <- anova(m0, mm)
fit <- asreml(fixed = Yield ~ Env, random = ~ Name + Env:Name, data = dat)
pr <- predict(mm, re.form = NA)
ll <- logLik(mm)
vname <- VarCorr(mm)$Name[1]
ve <- attr(VarCorr(mm), "sc")^2
""", complete=True)
    vc, fit = ns["vc"], ns["fit"]
    assert ns["vname"] == pytest.approx(fit.varcomp.loc["Name", "component"], rel=1e-5)
    assert ns["ve"] == pytest.approx(fit.varcomp.loc["units!R", "component"], rel=1e-5)
    assert list(vc["grp"]) == ["Env:Name", "Name", "Residual"]
    np.testing.assert_allclose(
        vc["vcov"], fit.varcomp.loc[["Env:Name", "Name", "units!R"], "component"], rtol=1e-5)
    assert ns["ll"] == pytest.approx(fit.loglik, abs=1e-6)
    np.testing.assert_allclose(ns["fe"], fit.coef_fixed["solution"], rtol=1e-6)
    assert list(ns["fe"].index) == ["(Intercept)", "EnvCA.2012", "EnvCA.2013"]
    np.testing.assert_allclose(ns["co"]["Std. Error"], fit.coef_fixed["std.error"], rtol=1e-5)
    blup = fit.coef_random["solution"]
    np.testing.assert_allclose(
        ns["re"]["(Intercept)"], blup[[f"Name_{n}" for n in ns["re"].index]], atol=1e-5)
    assert set(ns["long"]["grpvar"]) == {"Name", "Env:Name"}
    # the REML fit is refitted by ML: lme4's LRT of Env (tests/data/lme4_ml_reference.json)
    assert ns["lrt"]["Chisq"].iloc[1] == pytest.approx(54.189356829906, rel=1e-7)
    np.testing.assert_allclose(ns["pr"], ns["mm"].X.to_numpy() @ ns["fe"].to_numpy())


@pytest.mark.usefixtures("workdir")
def test_emmeans_slots_and_contrasts_of_lm_and_lmer() -> None:
    """trainingMM 02.1_covariates.R / 06_LMM_H2.R: emmeans' slots @linfct, @bhat, @V, and
    emmeans(fit, pairwise ~ f)$contrasts |> as.data.frame() |> pull(SE)."""
    ns = run_r("""
library(emmeans)
oats <- read.csv("oats.csv")
oats$N <- as.factor(oats$N)
mod <- lm(Y ~ B + V * N, data = oats)
mm <- emmeans(mod, ~ V)
L <- mm@linfct
emm <- L %*% mm@bhat
se <- sqrt(diag(L %*% mm@V %*% t(L)))
avg <- emmeans(mod, pairwise ~ V)$contrasts |> as.data.frame() |> pull(SE) |> mean()
blues <- mod %>% emmeans("V") %>% summary()
""", complete=True)
    o = pd.read_csv("oats.csv")
    means = o.groupby("V")["Y"].mean()      # a balanced split plot: the raw means
    np.testing.assert_allclose(np.ravel(ns["emm"]), means.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(ns["blues"]["emmean"], means.to_numpy(), atol=1e-9)
    n = len(o) / len(means)
    np.testing.assert_allclose(ns["se"], ns["mod"].sigma / np.sqrt(n), rtol=1e-9)
    assert ns["avg"] == pytest.approx(ns["mod"].sigma * np.sqrt(2 / n), rel=1e-9)


def test_lme4_calls_translate_to_the_emulation() -> None:
    py = translate("library(lme4)\nlibrary(lme4breeding)\nlibrary(emmeans)\n"
                   "m <- lmebreed(y ~ (1 | gen), relmat = list(gen = A), data = d)\n"
                   "v <- VarCorr(m)\ng <- glmer(y ~ (1 | g), data = d, family = binomial)\n")
    assert "asr.lme4.lmebreed('y ~ (1 | gen)', relmat={'gen': A}, data=d)" in py
    assert "asr.lme4.VarCorr(m)" in py
    assert "TODO(asr_py): not translated (library" not in py
    # glmer: a TODO and a placeholder (the script goes on), not a call that fails
    assert "TODO(asr_py): not translated (glmer() (lme4)" in py
    assert "g = untranslated(" in py


def test_untranslated_fit_passes_through() -> None:
    """An lmer() whose data are a placeholder gives a placeholder; its accessors too."""
    from asr_py.translate.checks import Untranslated

    ns = run_r("m <- lmer(y ~ (1 | g), data = d)\nv <- VarCorr(m)\ne <- emmeans(m, ~ a)\n",
               d=Untranslated("read_excel()", "d"))
    assert all(isinstance(ns[k], Untranslated) for k in ("m", "v", "e"))


@pytest.fixture
def _rng() -> np.random.Generator:
    return np.random.default_rng(3)


def test_lmebreed_runs_translated(_rng: np.random.Generator) -> None:
    ids = [f"G{i}" for i in range(8)]
    M = _rng.normal(size=(8, 20))
    K = pd.DataFrame(M @ M.T / 20 + 0.1 * np.eye(8), index=ids, columns=ids)
    d = pd.DataFrame({"gen": np.repeat(ids, 3), "block": np.tile(["1", "2", "3"], 8)})
    d["y"] = 5 + _rng.normal(size=24) + np.repeat(_rng.normal(size=8), 3)
    ns = run_r("mix <- lmebreed(y ~ block + (1 | gen), relmat = list(gen = K), data = d)\n"
               "vars <- data.frame(VarCorr(mix))[, c(1, 4)]\n"
               "cvm <- attr(ranef(mix), \"condVarMat\")\n", K=K, d=d)
    assert list(ns["vars"].columns) == ["grp", "vcov"]
    assert ns["cvm"].shape == (8, 8)


def test_dots_are_passed_on_and_backticks_read() -> None:
    """statgenGxE: lme4::lmer(formula(paste0("`", trait, "`~ ...")), data, ...) inside a
    function: valid Python, and a backticked response is the column's name."""
    py = translate('fit <- function(d, trait, ...) {\n'
                   '  lme4::lmer(formula(paste0("`", trait, "` ~ (1 | g)")), data = d, ...)\n'
                   '}\nm <- fit(dat, "y")\nv <- VarCorr(m)\n')
    compile(py, "<translated>", "exec")
    assert "asr.lme4.lmer(" in py and "*args" in py and "**kwargs" in py
    rng = np.random.default_rng(5)
    dat = pd.DataFrame({"g": np.repeat(list("abcdef"), 4)})
    dat["y"] = rng.normal(size=24) + np.repeat(rng.normal(size=6), 4)
    from _translate_fixtures import run_py

    ns = run_py(py, dat=dat)
    assert list(ns["v"]["grp"]) == ["g", "Residual"]


@pytest.mark.usefixtures("workdir")
def test_coef_of_summary_and_lm_likelihood() -> None:
    """coef(summary(m)) of lm and lmer fits; logLik/AIC/BIC/deviance of an lm (R's: the
    Gaussian likelihood at sigma^2 = RSS/n, rank + 1 parameters), checked with scipy's
    normal density."""
    from scipy import stats

    ns = run_r("""
dat <- read.csv("oats.csv")
l <- lm(Y ~ V + B, data = dat)
m <- lmer(Y ~ V + (1 | B), data = dat)
cl <- coef(summary(l))
cm <- coef(summary(m))
ll <- logLik(l)
a <- AIC(l)
b <- BIC(l)
dv <- deviance(l)
""", complete=True)
    fit = ns["l"]
    res = fit.residuals.to_numpy()
    n = res.size
    ll = float(np.sum(stats.norm.logpdf(res, scale=np.sqrt(np.sum(res ** 2) / n))))
    assert ns["ll"] == pytest.approx(ll, rel=1e-12)
    k = fit.rank + 1
    assert ns["a"] == pytest.approx(-2 * ll + 2 * k, rel=1e-12)
    assert ns["b"] == pytest.approx(-2 * ll + np.log(n) * k, rel=1e-12)
    assert ns["dv"] == pytest.approx(np.sum(res ** 2), rel=1e-12)
    assert list(ns["cl"].columns) == ["Estimate", "Std. Error", "t value", "Pr(>|t|)"]
    assert list(ns["cm"].columns) == ["Estimate", "Std. Error", "t value"]
    assert list(ns["cm"].index) == ["(Intercept)", "VMarvellous", "VVictory"]
