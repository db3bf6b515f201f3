"""translate(): today's mappings - weights, predict(sed = TRUE) with $sed/$avsed, wald(denDF,
ssType), varioGram/plot(varioGram), asreml.options(maxit), G.param from a fit, summary(coef =
TRUE), coef(m)$fixed/$random, fitted/resid/residuals. Each script is translated, EXECUTED on
test data, and its results compared with direct asr.asreml calls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import dt, run_py

import asr_py as asr
from asr_py.translate import spatial_coords, translate

OATS_FACTORS = ("row", "col", "N", "V", "B", "MP")


def oats() -> pd.DataFrame:
    return pd.read_csv("oats.csv", dtype={c: str for c in OATS_FACTORS})


def body(py: str) -> list[str]:
    return py.split("import asr_py as asr\n", 1)[1].strip().splitlines()


SCRIPT_WEIGHTS = """
library(asreml)
dat <- read.csv("DT.csv")
dat$Name <- as.factor(dat$Name)
dat$Env <- as.factor(dat$Env)
dat$w <- 1/(1 + abs(dat$Weight))     # prior weights
mw <- asreml(fixed = Yield ~ Env, random = ~ Name, weights = w, data = dat)
vc <- summary(mw)$varcomp
"""


def test_weights_script(workdir: Path) -> None:
    py = translate(SCRIPT_WEIGHTS)
    assert "weights='w'" in py and "# TODO(asr_py)" not in py
    ns = run_py(py)
    df = dt()
    df["w"] = 1 / (1 + np.abs(df["Weight"]))
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=df, weights="w")
    unweighted = asr.asreml("Yield ~ Env", random="~ Name", data=df)
    assert ns["mw"].loglik == pytest.approx(direct.loglik, rel=1e-10)
    assert abs(ns["mw"].loglik - unweighted.loglik) > 1.0
    pd.testing.assert_frame_equal(ns["vc"], direct.varcomp)


SCRIPT_SED = """
library(asreml)
dat <- read.csv("DT.csv")
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
pr <- predict(m, classify = "Env", sed = TRUE)
pv <- pr$pvals
sedm <- pr$sed
avsed <- pr$avsed
av_direct <- predict(m, classify = "Env")$avsed   # asreml 4 always reports avsed
pn <- predict(m, classify = "Name")
pn$avsed
"""


def test_predict_sed_script(workdir: Path) -> None:
    py = translate(SCRIPT_SED)
    lines = body(py)
    assert "pr = m.predict(classify='Env', sed=True)" in lines
    assert "pv = r_copy(pr)" in lines and "sedm = r_pred_sed(pr)" in lines   # R copies
    assert "avsed = pr.attrs['avsed']['mean']" in lines
    assert "av_direct = m.predict(classify='Env', sed=True).attrs['avsed']['mean']" in py
    # pn was predicted without sed = TRUE: its $avsed is a TODO saying what to add
    assert "add sed = TRUE to the predict() call that made pn" in py
    ns = run_py(py)
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=dt())
    want = direct.predict("Env", sed=True)
    pd.testing.assert_frame_equal(ns["pv"], want)
    pd.testing.assert_frame_equal(ns["sedm"], want.attrs["sed"])
    assert ns["avsed"] == pytest.approx(want.attrs["avsed"]["mean"], rel=1e-12)
    assert ns["av_direct"] == pytest.approx(want.attrs["avsed"]["mean"], rel=1e-12)
    # SED_ij = sqrt(v_ii + v_jj - 2 v_ij) of the predictions' V; avsed = mean over pairs
    v = direct.predict("Env", vcov=True).attrs["vcov"].to_numpy()
    i, j = np.triu_indices(len(v), 1)
    pairs = np.sqrt(v[i, i] + v[j, j] - 2 * v[i, j])
    np.testing.assert_allclose(ns["sedm"].to_numpy()[i, j], pairs, rtol=1e-10)
    assert ns["avsed"] == pytest.approx(pairs.mean(), rel=1e-10)


SCRIPT_WALD = """
library(asreml)
oats <- read.csv("oats.csv")
oats$N <- as.factor(oats$N); oats$V <- as.factor(oats$V)
oats$B <- as.factor(oats$B); oats$MP <- as.factor(oats$MP)
sp <- asreml(Y ~ N*V, random = ~ B + B:MP, data = oats)
wc <- wald(sp, denDF = "numeric", ssType = "conditional")$Wald
wd <- wald(sp, denDF = "default")
wn <- wald(sp, denDF = "none")
wi <- wald(sp, ssType = "incremental")
tab <- wd$Wald
sel <- wc[, c("F.con", "Pr")]
pv <- tab$Pr
"""


def test_wald_ddf_script(workdir: Path) -> None:
    py = translate(SCRIPT_WALD)
    lines = body(py)
    # with a denominator df: asreml's table, the df to one decimal (results/wald.py)
    assert "wc = r_wald(sp, denDF='numeric', ssType='conditional')" in lines
    assert "wd = r_wald(sp, denDF='default')" in lines and "tab = r_copy(wd)" in lines
    assert "# TODO(asr_py)" not in py
    ns = run_py(py)
    direct = asr.asreml("Y ~ N*V", random="~ B + B:MP", data=oats())
    want = direct.wald(denDF="numeric", ssType="conditional")
    got = ns["wc"]
    # asreml 4's wald(ssType = "conditional")$Wald: Df, denDF, F.inc, F.con, Margin, Pr
    # (denDF and Pr of the conditional F; asreml's F is the λ-scaled F.adj / F.con.adj)
    assert list(got.index) == list(want.index)
    assert list(got.columns) == ["Df", "denDF", "F.inc", "F.con", "Margin", "Pr"]
    for ours, theirs in (("denDF", "denDF.con"), ("F.inc", "F.adj"), ("F.con", "F.con.adj"),
                         ("Pr", "Pr(F.con)")):
        np.testing.assert_allclose(got[ours].to_numpy(float), want[theirs].to_numpy(float),
                                   rtol=1e-7)
    # the split plot: whole-plot variety V tested on 10 df, N and N:V on 45 (Kenward-Roger)
    assert got.loc["V", "denDF"] == pytest.approx(10, abs=1e-6)
    assert got.loc["N", "denDF"] == pytest.approx(45, abs=1e-6)
    np.testing.assert_allclose(ns["tab"]["denDF"], direct.wald(denDF="default")["denDF"],
                               rtol=1e-8)
    # a script reading asreml's columns by name (agriutilities' select(F.con, Pr)): R's $
    # matches Pr exactly, not the API's Pr(F) / Pr(Chisq) (ambiguous: NULL)
    assert list(ns["sel"].columns) == ["F.con", "Pr"]
    np.testing.assert_allclose(ns["sel"]["Pr"].to_numpy(float),
                               want["Pr(F.con)"].to_numpy(float), rtol=1e-7)
    np.testing.assert_allclose(np.asarray(ns["pv"], dtype=float),
                               direct.wald(denDF="default")["Pr(F)"].to_numpy(float), rtol=1e-7)
    pd.testing.assert_frame_equal(ns["wn"], direct.wald())
    pd.testing.assert_frame_equal(ns["wi"], direct.wald())


def test_wald_untranslatable_options() -> None:
    py = translate('m <- asreml(y ~ x, data = d)\nw <- wald(m, denDF = "algebraic")\n'
                   'wald(m, Ftest = ~ x)\nw$stratumVariances\n')
    assert "w = r_wald(m, denDF='numeric')" in py
    assert "TODO(asr_py): wald(denDF = \"algebraic\"): asr_py computes" in py
    assert "#   wald(m, Ftest = ~ x)" in py and "#   w$stratumVariances" in py


SCRIPT_VARIOGRAM = """
library(asreml)
oats <- read.csv("oats.csv")
oats$row <- as.factor(oats$row)
oats$col <- as.factor(oats$col)
oats$N <- as.factor(oats$N); oats$V <- as.factor(oats$V); oats$B <- as.factor(oats$B)
sp <- asreml(Y ~ N + V, random = ~ B, residual = ~ ar1(row):ar1(col), data = oats)
vg <- varioGram(sp)
plot(vg)
plot(varioGram(sp))
sp2 <- update(sp, random = ~ B + B:V)   # keeps the spatial residual
vg2 <- varioGram(sp2)
m0 <- asreml(Y ~ N + V, random = ~ B, data = oats)
vg0 <- varioGram(m0)
"""


def test_variogram_script(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    py = translate(SCRIPT_VARIOGRAM)
    lines = body(py)
    assert "vg = sp.variogram('row', 'col')" in lines
    # drawn through R's graphics emulation (rgraphics): pages of Rplots.pdf, as Rscript
    assert "r_plot(x=vg, r_src=['vg'])" in lines
    assert "r_plot(sp.variogram('row', 'col'))" in lines
    assert "vg2 = sp2.variogram('row', 'col')" in lines
    # m0 has no spatial residual: a TODO naming what to write
    assert "#   vg0 <- varioGram(m0)" in py and "m0.variogram(row='Row', col='Col')" in py
    from asr_py.translate import rgraphdevice

    rgraphdevice.graphics_off()
    ns = run_py(py)
    rgraphdevice.graphics_off()                  # what the script's exit does
    pdf = (workdir / "Rplots.pdf").read_bytes()  # the two plots were drawn, a page each
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") == 2
    plt.close("all")
    df = oats()
    direct = asr.asreml("Y ~ N + V", random="~ B", residual="~ ar1(row):ar1(col)", data=df)
    want = direct.variogram("row", "col")
    pd.testing.assert_frame_equal(ns["vg"], want)
    assert ns["vg"]["gamma"].iloc[1:].max() > 0
    d2 = asr.asreml("Y ~ N + V", random="~ B + B:V", residual="~ ar1(row):ar1(col)", data=df)
    assert ns["sp2"].loglik == pytest.approx(d2.loglik, abs=1e-5)
    np.testing.assert_allclose(ns["vg2"]["gamma"], d2.variogram("row", "col")["gamma"],
                               rtol=1e-5, atol=1e-8)


def test_variogram_coordinates_from_other_residuals() -> None:
    py = translate("m <- asreml(y ~ 1, rcov = ~ id(Range):ar1v(Pass), data = d)\n"
                   "v <- varioGram(m)\n"
                   "m2 <- asreml(y ~ 1, residual = ~ units:us(trait), data = d)\n"
                   "varioGram(m2)\nplot(m2)\n")
    assert "v = m.variogram('Range', 'Pass')" in py
    assert "#   varioGram(m2)" in py and "r_plot_fit(m2)" in py     # its residual panels
    cases = {"~ ar1(Row):ar1(Col)": ("Row", "Col"), "~ Row:ar1(Col)": ("Row", "Col"),
             "~ ar1(Row, init = 0.3):exp(x)": ("Row", "x"),
             "~ idv(units) + ar1(Row):ar1(Col)": ("Row", "Col"),
             "~ units:us(trait)": None, "~ units": None, "~ id(Row):id(Col)": None,
             "~ ar1(units):ar1(Col)": None, "~ dsum(~ ar1(Row):ar1(Col) | Site)": None}
    for residual, want in cases.items():
        assert spatial_coords(residual) == want, residual


SCRIPT_OPTIONS = """
library(asreml)
asreml.options(maxit = 3, workspace = "1gb")
dat <- read.csv("DT.csv")
m3 <- asreml(Yield ~ Env, random = ~ diag(Env):Name, data = dat)
m50 <- asreml(Yield ~ Env, random = ~ diag(Env):Name, data = dat, maxit = 50)
"""


def test_asreml_options_maxit(workdir: Path) -> None:
    py = translate(SCRIPT_OPTIONS)
    lines = body(py)
    assert "MAXIT = 3" in lines
    i = lines.index("m3 = asr.asreml(")
    assert lines[i + 1:i + 6] == ["    fixed='Yield ~ Env',", "    random='~ diag(Env):Name',",
                                  "    data=dat,", "    na_action={'x': 'fail'},",
                                  "    maxit=MAXIT,"]
    assert "maxit=50" in py and py.count("maxit=MAXIT") == 1
    # workspace: memory only, nothing to do and no TODO (asreml.options help)
    assert not [ln for ln in py.splitlines() if "TODO(asr_py):" in ln and "workspace" in ln]
    ns = run_py(py)
    df = dt()
    short = asr.asreml("Yield ~ Env", random="~ diag(Env):Name", data=df, maxit=3)
    assert ns["MAXIT"] == 3
    assert not ns["m3"].converged and ns["m3"].result.n_iter == 3
    assert ns["m3"].loglik == pytest.approx(short.loglik, rel=1e-12)
    assert ns["m50"].converged
    # without maxit, an option asr_py does not do stays a TODO and asreml() calls keep
    # their default
    py = translate('asreml.options(aodev = TRUE)\nm <- asreml(y ~ 1, data = d)\n')
    assert "#   asreml.options(aodev = TRUE)" in py and "MAXIT" not in py


SCRIPT_GPARAM_CHAIN = """
library(asreml)
asreml.options(maxit = 2)
dat <- read.csv("DT.csv")
m0 <- asreml(fixed = Yield ~ Env, random = ~ us(Env):Name, data = dat)
m1 <- asreml(fixed = Yield ~ Env, random = ~ us(Env):Name, data = dat, maxit = 30,
             G.param = m0$G.param, R.param = m0$R.param)
"""


def test_gparam_chain(workdir: Path) -> None:
    """G.param = m0$G.param after an early stop: m1 starts at m0's estimates and reaches
    the direct fit's optimum."""
    py = translate(SCRIPT_GPARAM_CHAIN)
    assert py.count("params=m0.params") == 1 and "TODO(asr_py): not" not in py
    ns = run_py(py)
    np.testing.assert_allclose(ns["m1"].result.history[0]["theta"], ns["m0"].result.theta)
    direct = asr.asreml("Yield ~ Env", random="~ us(Env):Name", data=dt())
    assert ns["m1"].converged and ns["m1"].loglik == pytest.approx(direct.loglik, abs=1e-6)


SCRIPT_COEF = """
library(asreml)
dat <- read.csv("DT.csv")
m <- asreml(Yield ~ Env, random = ~ Name, data = dat)
summary(m, coef = TRUE)
cf <- summary(m, coef = TRUE)$coef.fixed
cr <- summary(m, coef = TRUE)$coef.random
b <- coef(m)$fixed
u <- coef(m)$random
fit_y <- fitted(m)
e1 <- resid(m)
e2 <- residuals(m)
e3 <- m$residuals
"""


def test_coef_fitted_resid_script(workdir: Path) -> None:
    py = translate(SCRIPT_COEF)
    lines = body(py)
    # asreml 4's summary(m, coef = TRUE)$coef.fixed names its SE column 'std error'
    # (coef.random: std.error) -- printed by the VSNi cookbook's ASR002 page
    assert "print(m.summary())" in lines and \
        "cf = m.coef_fixed_all().rename(columns={'std.error': 'std error'})" in lines
    assert "b = m.coef_fixed_all()['solution']" in lines
    assert "u = r_coef_random(m)['solution']" in lines      # asreml's names (rcoefrandom)
    assert "fit_y = m.fitted" in lines and "e1 = m.residuals" in lines
    assert "e2 = m.residuals" in lines and "e3 = m.residuals" in lines
    assert "# TODO(asr_py)" not in py
    ns = run_py(py)
    df = dt()
    direct = asr.asreml("Yield ~ Env", random="~ Name", data=df)
    pd.testing.assert_frame_equal(
        ns["cf"], direct.coef_fixed_all().rename(columns={"std.error": "std error"}))
    pd.testing.assert_frame_equal(ns["cr"], direct.coef_random)
    pd.testing.assert_series_equal(ns["b"], direct.coef_fixed_all()["solution"])
    pd.testing.assert_series_equal(ns["u"], direct.coef_random["solution"])
    pd.testing.assert_series_equal(ns["fit_y"], direct.fitted)
    for e in ("e1", "e2", "e3"):
        pd.testing.assert_series_equal(ns[e], direct.residuals)
    # fitted + residual = the response, record by record
    y = df.loc[ns["fit_y"].index, "Yield"].to_numpy(float)
    np.testing.assert_allclose(ns["fit_y"].to_numpy() + ns["e1"].to_numpy(), y, atol=1e-8)
    # a bare coef(m) is asreml's list of $fixed and $random (rcoeflist.py, checked in
    # test_translate_s31lang.py); resid(m, type = ...) is asreml's residual type
    # (rresidasreml.py, checked in test_translate_rresidasreml.py)
    py = translate("m <- asreml(y ~ 1, data = d)\ncoef(m)\nr <- resid(m, type = 'stdCond')\n")
    assert "print(r_coef_asreml(m, order='model'))" in py and \
        "r = r_resid_asreml(m, type='stdCond')" in py
