"""Session 27 (s27trfix), translate leftovers seen on real scripts, each checked against
R's documentation (the expected values written out by hand from it):

- ``?cbind`` (base R): "The data frame method will be used if at least one argument is a
  data frame ... and the rest are vectors or matrices"; it calls ``data.frame(...)``, whose
  columns come in argument order ("data.frame(..., row.names, ...)": "these arguments are
  of either the form value or tag = value"). So ``cbind(response = n, d)`` puts
  ``response`` first (AaronRendahl/Jane-asreml-modeling's asreml_msi_modeling2.R, cc()).
- ``?cbind``: "For cbind (rbind) the column (row) names are taken from the colnames
  (rownames) of the arguments if these are matrix-like. Otherwise from the names of the
  arguments"; for rbind the column names "are taken from the first argument with
  appropriate names: ... names for a vector of length the number of columns of the
  result". aod's ``?wald.test``: ``result$chi2`` is "a vector with the chi2 statistic,
  degrees of freedom and p-value" named chi2, df, P (the script's results-wald.csv
  header: response, var, chi2, df, P).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _translate_fixtures import run_r


def test_cbind_named_before_data_frame_keeps_argument_order() -> None:
    r = ('d <- data.frame(a = 1:2, b = c("x", "y"))\n'
         'n <- "glucose"\n'
         'out <- cbind(response = n, d, stringsAsFactors = FALSE)\n'
         'out2 <- cbind(var = n, term = c("t1", "t2"), as.data.frame(d))\n'
         'out3 <- cbind(d, response = n)\n')
    ns = run_r(r, complete=True)
    assert list(ns["out"].columns) == ["response", "a", "b"]
    assert list(ns["out"]["response"]) == ["glucose", "glucose"]
    assert list(ns["out"]["a"]) == [1, 2]
    assert list(ns["out2"].columns) == ["var", "term", "a", "b"]
    assert list(ns["out2"]["term"]) == ["t1", "t2"]
    assert list(ns["out3"].columns) == ["a", "b", "response"]


def test_cbind_named_before_positional_in_lapply() -> None:
    # the script's cc(): do.call(rbind, lapply(names(x), function(n) cbind(response = n,
    # x[[n]], stringsAsFactors = FALSE)))
    r = ('cc <- function(x) {\n'
         '  out <- do.call(rbind, lapply(names(x), function(n) {\n'
         '    cbind(response = n, x[[n]], stringsAsFactors = FALSE)\n'
         '  }))\n'
         '  rownames(out) <- NULL\n'
         '  out\n'
         '}\n'
         'g <- data.frame(var = c("SEX", "AGE"), chi2 = c(2.8, 7.4))\n'
         'i <- data.frame(var = "SEX", chi2 = 1.5)\n'
         'all <- cc(list(glucose = g, insulin = i))\n')
    ns = run_r(r, complete=True)
    out = ns["all"]
    assert list(out.columns) == ["response", "var", "chi2"]
    assert list(out["response"]) == ["glucose", "glucose", "insulin"]
    np.testing.assert_allclose(out["chi2"], [2.8, 7.4, 1.5])


def test_rbind_of_a_named_vector_names_the_columns() -> None:
    # WaldChi2(): out <- rbind(wald.test(...)$result$chi2); rownames(out) <- var;
    # data.frame(var = rownames(out), out)
    r = ('b <- c(a = 1, b = 2)\n'
         'S <- diag(2)\n'
         'out <- wald.test(b = b, Sigma = S, Terms = 1:2)$result$chi2\n'
         'out <- rbind(out)\n'
         'rownames(out) <- "SEX"\n'
         'w <- data.frame(var = rownames(out), out, stringsAsFactors = FALSE)\n'
         'm <- rbind(c(x = 1, y = 2), c(3, 4))\n'
         'u <- rbind(c(1, 2), c(x = 3, y = 4))\n'
         'v <- rbind(c(1, 2), c(3, 4))\n')
    ns = run_r(r, complete=True)
    w = ns["w"]
    assert list(w.columns) == ["var", "chi2", "df", "P"]
    # chi2 = b' S^-1 b = 1 + 4 = 5 on 2 df; P = exp(-5/2) (chi-square with 2 df)
    np.testing.assert_allclose(w[["chi2", "df", "P"]].to_numpy()[0],
                               [5.0, 2.0, np.exp(-2.5)], rtol=1e-12)
    assert list(w["var"]) == ["SEX"]
    assert isinstance(ns["m"], pd.DataFrame) and list(ns["m"].columns) == ["x", "y"]
    np.testing.assert_array_equal(np.asarray(ns["m"], dtype=float), [[1, 2], [3, 4]])
    # the first argument with names of that length gives them, wherever it stands
    assert list(ns["u"].columns) == ["x", "y"]
    # no names: a plain matrix as before
    assert isinstance(ns["v"], np.ndarray)


# --- AAfun / AAFMM pin() (their R/pin.R source: signif adds sig.level, Rdf gives c(t, se))

def _family_data(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fam = np.repeat([f"F{k}" for k in range(12)], 6)
    u = rng.normal(0, 2.0, 12).repeat(6)
    return pd.DataFrame({"Fam": fam, "h5": 10 + u + rng.normal(0, 3.0, fam.size)})


_PIN = ('fm <- asreml(h5 ~ 1, random = ~ Fam, data = df)\n'
        'p0 <- pin(fm, h2 ~ 4*V1/(V1+V2))\n'
        'p1 <- pin(fm, h2 ~ 4*V1/(V1+V2), signif = TRUE)\n'
        'p2 <- pin(fm, h2 ~ 4*V1/(V1+V2), Rdf = TRUE)\n'
        'p3 <- pin(fm, corN = 2)\n')


def _rule(z: float, lowest: float) -> str:
    a = abs(z)
    return "***" if a > 3.090 else "**" if a > 2.326 else "*" if a > lowest else "Not signif"


def test_pin_signif_rdf_corn_aafun() -> None:
    from asr_py import translate

    py = translate('library(AAfun)\n' + _PIN)
    assert "fm.vpredict('h2 ~ 4*V1/(V1+V2)')" in py     # the plain call is unchanged
    ns = run_r('library(AAfun)\n' + _PIN, df=_family_data(), quiet=True)
    fm, p0 = ns["fm"], ns["p0"]
    # h2 = 4 V1/(V1 + V2) from the fit's components (V1 Fam, V2 units)
    vc = fm.varcomp
    v1, v2 = float(vc["component"].iloc[0]), float(vc["component"].iloc[1])
    np.testing.assert_allclose(p0["Estimate"].iloc[0], 4 * v1 / (v1 + v2), rtol=1e-10)
    p1 = ns["p1"]
    assert list(p1.columns) == ["Estimate", "SE", "sig.level"]
    assert list(p1.index) == ["h2"]
    np.testing.assert_allclose(p1[["Estimate", "SE"]].to_numpy(), p0.to_numpy())
    assert p1["sig.level"].iloc[0] == _rule(p0["Estimate"].iloc[0] / p0["SE"].iloc[0], 1.450)
    np.testing.assert_allclose(ns["p2"], p0.to_numpy()[0])          # vv = c(t, se)
    p3 = ns["p3"]
    assert list(p3.index) == list(vc.index[:2])
    np.testing.assert_allclose(p3["Estimate"], vc["component"].iloc[:2])
    np.testing.assert_allclose(p3["SE"], vc["std.error"].iloc[:2])
    assert list(p3["sig.level"]) == [_rule(c / s, 1.450) for c, s in zip(
        vc["component"].iloc[:2], vc["std.error"].iloc[:2], strict=True)]


def test_pin_aafmm_vres_and_positional_order() -> None:
    r = ('library(AAFMM)\n'
         'fm <- asreml(h5 ~ 1, random = ~ Fam, data = df)\n'
         'v <- pin(fm, h2 ~ 4*V1/(V1+V2), vres = TRUE, digit = 4)\n'
         'p <- pin(fm, h2 ~ 4*V1/(V1+V2), 3, TRUE)\n'       # AAFMM: asrV, then signif
         'q <- pin(fm, h2 ~ 4*V1/(V1+V2))\n')
    ns = run_r(r, df=_family_data(), quiet=True)
    q = ns["q"]
    est, se = float(q["Estimate"].iloc[0]), float(q["SE"].iloc[0])
    v = ns["v"]
    assert list(v.index) == ["h2", "h2.se"]
    np.testing.assert_array_equal(v.to_numpy(), [round(est, 4), round(se, 4)])
    assert list(ns["p"].columns) == ["Estimate", "SE", "sig.level"]
    assert ns["p"]["sig.level"].iloc[0] == _rule(est / se, 1.645)


def test_sig_level_thresholds() -> None:
    from asr_py.translate.rpin import sig_level

    z = [1.4, 1.5, 1.7, -2.4, 3.1, 3.09]
    assert sig_level(z, [1.0] * 6) == ["Not signif", "*", "*", "**", "***", "**"]
    assert sig_level(z, [1.0] * 6, 1.645) == ["Not signif", "Not signif", "*", "**", "***",
                                               "**"]
    # units-free: t and se scaled together
    assert sig_level([150.0], [100.0]) == sig_level([1.5], [1.0])


# --- asreml.options() (asreml-R 4 reference manual, asreml.options: "ai.sing=FALSE Force
# continuation if a singularity is detected in the average information matrix"; "aom",
# "design", "Cfixed" ask for parts of the returned object; "workspace", "pworkspace",
# "threads", "trace", "colourise" memory/cores/printing; "extra", "step.size",
# "ai.loadings", "ai.penalty", "pxem" control the iterations)

def test_asreml_options_every_corpus_form_maps_or_says_why() -> None:
    from asr_py import translate

    py = translate('asreml.options(ai.sing = TRUE)\n'
                   'asreml.options(extra = 5, ai.sing = TRUE, fail = "soft")\n'
                   'asreml.options(ai.sing=TRUE, aom=TRUE)\n'
                   'asreml.options(design = TRUE, keep.order = TRUE)\n'
                   'asreml.options(Cfixed = TRUE, maxit = 50, trace = 0)\n'
                   'asreml.options(workspace="1024mb", pworkspace = "2gb", threads = 1)\n'
                   'asreml.options(step.size = 0.0001, ai.loadings = 2, pxem = TRUE)\n'
                   'm <- asreml(y ~ 1, random = ~ g, data = d)\n')
    assert "TODO(asr_py):" not in py, py
    assert "MAXIT = 50" in py and "maxit=MAXIT" in py
    assert "singular AI matrix" in py             # the comment says what asr_py does
    py = translate('asreml.options(aodev = TRUE, grid = FALSE)\n')
    todo = [ln for ln in py.splitlines() if "TODO(asr_py):" in ln]
    assert len(todo) == 2
    assert "analysis of deviance" in todo[0] and "aodev" in todo[0]
    assert "grid = FALSE" in todo[1] and "not an option" in todo[1]


def test_asreml_options_ai_sing_fit_continues_and_reports() -> None:
    # g and h label the same groups: only var(g) + var(h) is identifiable; asreml stops on
    # the singular AI matrix unless ai.sing = TRUE, asr_py continues and says so.
    rng = np.random.default_rng(1)
    n, k = 10, 5
    g = np.repeat([f"G{j}" for j in range(n)], k)
    y = 3 + rng.normal(0, 2, n).repeat(k) + rng.normal(0, 1, n * k)
    d = pd.DataFrame({"g": g, "h": ["H" + x[1:] for x in g], "y": y})
    r = ('asreml.options(ai.sing = TRUE)\n'
         'm <- asreml(y ~ 1, random = ~ g + h, data = d)\n')
    ns = run_r(r, complete=True, quiet=True, d=d)
    m = ns["m"]
    assert any("Singularity in Average Information" in s for s in m.diagnostics)
    # balanced one-way ANOVA (closed form): σ²_e = MSW, σ²_g + σ²_h = (MSB − MSW)/k
    means = y.reshape(n, k).mean(axis=1)
    msw = float(((y.reshape(n, k) - means[:, None]) ** 2).sum() / (n * (k - 1)))
    msb = float(k * ((means - y.mean()) ** 2).sum() / (n - 1))
    vc = m.varcomp["component"]
    np.testing.assert_allclose(vc.iloc[-1], msw, rtol=1e-5)
    np.testing.assert_allclose(vc.iloc[0] + vc.iloc[1], (msb - msw) / k, rtol=1e-5)
