"""translate(): realistic asreml-R scripts, one per feature; each translation is executed on
data and its results compared with a direct asr.asreml call."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import dt, run_py

import asr_py as asr
from asr_py.translate import statements, tokenize, translate

SCRIPT_ASREML4 = """
library(asreml)
# multi-environment trial, asreml 4 syntax
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
dat$Env <- as.factor(dat$Env)
dat$Block = factor(dat$Block)

m1 <- asreml(fixed = Yield ~ Env,
             random = ~ diag(Env):Name + Block,
             residual = ~ units,
             na.action = na.method(x = "omit", y = "omit"),
             data = dat,
             maxit = 40)   # heterogeneous genetic variances
vc <- summary(m1)$varcomp
print(vc)
p <- predict(m1, classify = "Env")$pvals
head(p)
w <- wald(m1)
ll <- m1$loglik
"""


def test_asreml4_script(workdir: Path) -> None:
    py = translate(SCRIPT_ASREML4)
    assert "import asr_py as asr" in py and "# TODO(asr_py):" not in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ diag(Env):Name + Block", residual="~ units",
                        data=dt(), maxit=40)
    nu = direct.result.n_minus_p      # asreml's $loglik: no 2π constant
    assert ns["ll"] == pytest.approx(direct.loglik + 0.5 * nu * np.log(2 * np.pi), rel=1e-10)
    pd.testing.assert_frame_equal(ns["vc"], direct.varcomp)
    pd.testing.assert_frame_equal(ns["p"], direct.predict("Env"))
    pd.testing.assert_frame_equal(ns["w"], direct.wald())


SCRIPT_ASREML3 = """
require(asreml)
ped <- read.csv("ped.csv", na.strings = "0")
dat <- read.csv("pheno.csv")
ainv <- asreml.Ainverse(ped)$ginv
m <- asreml(y ~ 1, random = ~ ped(id), ginverse = list(id = ainv),
            rcov = ~ units, na.method.X = "omit", data = dat)
h2 <- vpredict(m, h2 ~ V1/(V1+V2))
"""


def _animal_data(tmp: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n_base, n_off = 12, 48
    ids = [f"a{i}" for i in range(n_base + n_off)]
    sire = ["0"] * n_base + [f"a{rng.integers(0, 6)}" for _ in range(n_off)]
    dam = ["0"] * n_base + [f"a{rng.integers(6, 12)}" for _ in range(n_off)]
    ped = pd.DataFrame({"id": ids, "sire": sire, "dam": dam})
    y = rng.normal(10, 2, len(ids))
    pheno = pd.DataFrame({"id": ids, "y": y})
    ped.to_csv(tmp / "ped.csv", index=False)
    pheno.to_csv(tmp / "pheno.csv", index=False)
    return pd.read_csv(tmp / "ped.csv", na_values="0"), pheno


def test_asreml3_pedigree_script(workdir: Path) -> None:
    ped, pheno = _animal_data(workdir)
    py = translate(SCRIPT_ASREML3)
    assert "    random='~ vm(id, ainv)',\n" in py and "ainv=r_as_ginverse(ainv)" in py
    assert max(len(ln) for ln in py.splitlines()) <= 100
    assert "residual='~ units'" in py and "na_action={'x': 'omit'}" in py
    assert "r_read_csv('ped.csv', na_values='0')" in py
    ns = run_py(py)
    direct = asr.asreml("y ~ 1", random="~ vm(id, A)", residual="~ units", data=pheno,
                        A=asr.ainverse(ped))
    assert ns["m"].loglik == pytest.approx(direct.loglik, rel=1e-10)
    pd.testing.assert_frame_equal(ns["h2"], direct.vpredict("h2 ~ V1/(V1+V2)"))


SCRIPT_KNOWN_MATRIX = """
library(asreml)
dat <- read.csv("DT.csv")
K <- as.matrix(read.csv("K.csv", row.names = 1, check.names = FALSE))   # relationship matrix
m <- asreml(Yield ~ Env, random = ~ vm(Name, K), data = dat)
bv <- m$coefficients$random
"""


def test_vm_matrix_script(workdir: Path) -> None:
    df = dt()
    names = sorted(df["Name"].unique())
    rng = np.random.default_rng(3)
    M = rng.normal(size=(len(names), 60))
    K = pd.DataFrame(M @ M.T / 60 + 0.05 * np.eye(len(names)), index=names, columns=names)
    K.to_csv(workdir / "K.csv")
    py = translate(SCRIPT_KNOWN_MATRIX)
    # row.names = 1 -> index_col=0; check.names = FALSE keeps the ids as they are
    assert "K = r_as_matrix(r_read_csv('K.csv', index_col=0))" in py and \
        "# TODO(asr_py)" not in py
    assert "K=K" in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ vm(Name, K)", data=df, K=K)
    assert ns["m"].loglik == pytest.approx(direct.loglik, rel=1e-10)
    assert np.allclose(ns["bv"].to_numpy(), direct.coef_random["solution"].to_numpy())


SCRIPT_UPDATE = """
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name); dat$Env <- as.factor(dat$Env)
m0 <- asreml(Yield ~ Env, random = ~ Name, data = dat)
m1 <- update(m0, random = ~ us(Env):Name)
aic <- c(AIC(m0), AIC(m1))
"""


def test_update_script(workdir: Path) -> None:
    py = translate(SCRIPT_UPDATE)
    assert "m1 = m0.update(random='~ us(Env):Name')" in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ us(Env):Name", data=dt())
    assert ns["m1"].loglik == pytest.approx(direct.loglik, abs=1e-4)
    assert ns["aic"][1] == pytest.approx(direct.aic, abs=1e-3)


SCRIPT_BIVARIATE_INIT = """
library(asreml)
dat <- read.csv("DT.csv")
mb <- asreml(cbind(Yield, Weight) ~ trait + trait:Env,
             random = ~ us(trait, init = c(5, 1, 0.3)):Name,
             residual = ~ units:us(trait),
             data = dat)
rg <- vpredict(mb, rg ~ V2/sqrt(V1*V3))
pv <- predict(mb, classify = "trait:Env")$pvals
"""


def test_bivariate_with_init(workdir: Path) -> None:
    py = translate(SCRIPT_BIVARIATE_INIT)
    assert "random='~ us(trait, init = c(5, 1, 0.3)):Name'" in py
    ns = run_py(py)
    direct = asr.asreml("cbind(Yield, Weight) ~ trait + trait:Env",
                        random="~ us(trait):Name", residual="~ units:us(trait)", data=dt())
    assert ns["mb"].loglik == pytest.approx(direct.loglik, abs=1e-4)
    assert ns["rg"].iloc[0, 0] == pytest.approx(direct.vpredict("rg ~ V2/sqrt(V1*V3)").iloc[0, 0],
                                                abs=1e-3)
    assert len(ns["pv"]) == 6


SCRIPT_UNTRANSLATABLE = """
library(asreml)
library(ggplot2)
asreml.options(aodev = TRUE, grid = FALSE)
dat <- read.csv("DT.csv")
gp <- asreml(Yield ~ Env, random = ~ Name, data = dat, start.values = TRUE)$vparameters.table
m <- asreml(Yield ~ Env, random = ~ Name, G.param = gp, data = dat)
for (e in unique(dat$Env)) {
  print(e)
}
ggplot(dat, aes(Env, Yield)) + geom_boxplot()
"""


def test_untranslatable_kept_as_todo(workdir: Path) -> None:
    """Other packages and options stay TODOs; the loop, now translated, and the start-values
    table as G.param (params=) no longer are; the ggplot2 plot is a note (rggplot.py)."""
    py = translate(SCRIPT_UNTRANSLATABLE)
    for original in ('library(ggplot2)', 'asreml.options(aodev = TRUE, grid = FALSE)',
                     "ggplot(dat, aes(Env, Yield)) + geom_boxplot()"):
        assert original in py, original
    assert py.count("# TODO(asr_py)") >= 2
    assert "print(r_ggplot('ggplot(dat, aes(Env, Yield)) + geom_boxplot()'))" in py
    assert "for e in pd.unique(dat['Env']):\n    print(e)" in py
    assert "params=gp" in py and "start_values=True" in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt())
    assert ns["m"].loglik == pytest.approx(direct.loglik, rel=1e-8)


def test_tokenizer_strings_comments_nesting() -> None:
    code = 'x <- "a # not a comment \\" still"  # real comment\ny = f(g(1, h(2)),\n  3)\n'
    toks = tokenize(code)
    assert [t.kind for t in toks[:3]] == ["name", "op", "str"]
    assert toks[3].kind == "comment" and toks[3].text == "# real comment"
    sts = [s for s in statements(code) if not isinstance(s, str)]
    assert len(sts) == 2  # the call spans two lines
    py = translate('d <- read.csv("a#b.csv")\nd$y2 <- d$y ^ 2\nprint(nrow(d))\n')
    assert "d = r_read_csv('a#b.csv')" in py
    assert "d['y2'] = d['y'] ** 2" in py and "print(r_nrow(d))" in py


def test_comments_and_blank_lines_kept() -> None:
    py = translate("# header\n\nlibrary(asreml)\n\n# fit\nm <- asreml(y ~ 1, data = d)\n")
    body = py.split("import asr_py as asr\n", 1)[1]
    assert body.strip().splitlines() == [
        "# header", "", "# library(asreml): asr_py and pandas are imported at the top", "",
        "# fit", "m = asr.asreml(fixed='y ~ 1', data=d, na_action={'x': 'fail'})"]


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        translate(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="line 2"):
        translate("x <- 1\ny <- \x01\n")


SCRIPT_GPARAM = """
library(asreml)
dat <- read.csv("DT.csv")
m0 <- asreml(fixed = Yield ~ Env, random = ~ diag(Env):Name, data = dat, maxit = 3)
m1 <- asreml(fixed = Yield ~ Env, random = ~ diag(Env):Name, data = dat,
             G.param = m0$G.param, R.param = m0$R.param)
"""


def test_gparam_from_a_previous_fit(workdir: Path) -> None:
    """G.param/R.param = m0$... (a previous fit's estimates as start values) becomes
    params=m0.params; the second fit reaches the direct fit's optimum."""
    py = translate(SCRIPT_GPARAM)
    assert py.count("params=m0.params") == 1 and "TODO(asr_py):" not in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ diag(Env):Name", data=dt())
    assert ns["m1"].converged
    assert ns["m1"].loglik == pytest.approx(direct.loglik, abs=1e-6)
    start = ns["m1"].result.history[0]["theta"]
    np.testing.assert_allclose(start, ns["m0"].result.theta)
