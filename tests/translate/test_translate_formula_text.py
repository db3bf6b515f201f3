"""asreml() calls whose model is built as text (asr_py.translate.rformlevels.r_formula_text,
renv.r_eval_text, rasformula): ``eval(parse(text = trait)) ~ V + N`` (ch728/squash-gs),
``as.formula(paste(trait, "~ ..."))`` (ncsumaize/ASReml-R), ``reformulate(..., response =)``
(Cassava2050), a whole call pasted and run by ``eval(parse(text = ))`` (MullerLi/Asremlr_Shiny,
jendelman/StageWise). Every form fits the model the script names; the fits are checked against
a dense REML of that model (tests/_dense_reml.py: Yates' oats, Y ~ V + N, random B)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import drop_aliased, fit_dense, indicator
from _translate_fixtures import run_r

from asr_py.errors import AsrError
from asr_py.translate.rformlevels import r_formula_text

SCRIPT = """
oats <- read.csv("oats.csv")
oats$V <- as.factor(oats$V)
oats$N <- as.factor(oats$N)
oats$B <- as.factor(oats$B)
trait <- "Y"
m1 <- asreml(fixed = eval(parse(text = trait)) ~ V + N, random = ~ B, data = oats)
m2 <- asreml(eval(parse(text = paste(trait, "~ V + N"))), random = ~ B, data = oats)
m3 <- asreml(fixed = as.formula(paste(trait, "~ V + N")), random = ~ B, data = oats)
m4 <- asreml(fixed = reformulate(c("V", "N"), response = trait), random = ~ B, data = oats)
str.mod <- paste0("m5 <- asreml(fixed = ", trait, " ~ V + N, random = ~ B, data = oats)")
eval(parse(text = str.mod))
m6 <- eval(parse(text = paste0("asreml(", trait, " ~ V + N, random = ~B, data = oats)")))
"""


def _dense_oats() -> float:
    """REML log-likelihood maximum of Y ~ V + N + (1 | B), V = s2_B Z Z' + s2 I."""
    o = pd.read_csv("oats.csv", dtype={"N": str})
    y = o["Y"].to_numpy(float)
    X = drop_aliased(np.column_stack([np.ones(len(o)), indicator(o["V"]), indicator(o["N"])]))
    Z = indicator(o["B"])

    def build(x: np.ndarray) -> np.ndarray | None:
        return None if min(x) < 0 else x[0] * Z @ Z.T + x[1] * np.eye(len(y))
    _, best = fit_dense(y, X, build, [np.array([200.0, 200.0]), np.array([50.0, 400.0])],
                        [(0, None), (1e-6, None)], scale=[100.0, 100.0])
    return best


def test_models_built_as_text_fit_the_named_model(workdir) -> None:
    ns = run_r(SCRIPT, complete=True)
    want = _dense_oats()
    for name in ("m1", "m2", "m3", "m4", "m5", "m6"):
        assert ns[name].loglik == pytest.approx(want, abs=1e-4), name
    assert list(ns["m1"].coef_fixed.index) == list(ns["m3"].coef_fixed.index)


def test_formula_text_is_one_column_name() -> None:
    """R evaluates eval(parse(text = s)) among the data's columns: a name is a column; any
    other code would compute a new variable, which the translation refuses with a hint."""
    assert r_formula_text("yield") == "yield"
    assert r_formula_text(["Y"]) == "Y"
    with pytest.raises(AsrError, match="only a column's name"):
        r_formula_text("log(yield)")
    with pytest.raises(AsrError, match="not one string"):
        r_formula_text(["a", "b"])


QUOTED = """
oats <- read.csv("oats.csv")
oats$V <- as.factor(oats$V)
oats$N <- as.factor(oats$N)
oats$B <- as.factor(oats$B)
k <- 2
nm <- "B"
written <- asreml(fixed = Y ~ V + N, random = ~ B + at(N, 2):B, data = oats)
q1 <- asreml(fixed = Y ~ V + N, random = as.formula(bquote(~ B + at(N, .(k)):B)),
             data = oats)
q2 <- asreml(fixed = Y ~ V + N,
             random = as.formula(substitute(~ B + at(N, lev):B, list(lev = k))),
             data = oats)
q3 <- asreml(fixed = Y ~ V + N, random = bquote(~ .(as.name(nm)) + at(N, .(k)):B),
             data = oats)
"""


def test_quoted_formulas_fit_the_formula_written_out(workdir) -> None:
    """R's bquote() puts the value of .(k) into the formula (lbmunaro/earlyGS4wheat's
    rr(TraitEnv, .(k))), substitute(f, list(lev = k)) the value of k for lev, as.name(nm) a
    name: each fits the model whose formula is written out (before: the random formula
    was dropped with a TODO, a different model)."""
    ns = run_r(QUOTED, complete=True)
    want = ns["written"]
    assert set(want.varcomp.index) >= {"B", "at(N, '0.2'):B"}
    for name in ("q1", "q2", "q3"):
        m = ns[name]
        assert list(m.varcomp.index) == list(want.varcomp.index), name
        assert m.loglik == pytest.approx(want.loglik, abs=1e-8), name


def test_substituted_matrix_is_the_named_matrix() -> None:
    """substitute(~ rr(E, k_val):vm(G, M), list(k_val = k, M = Ginv)) (lbmunaro/
    mtme-gsi4wheat-htp): R puts the matrix Ginv into vm(); the translation names it, so
    vm() reads the script's Ginv, and k's value is put in when the script runs."""
    from asr_py import translate

    py = translate("fit <- asreml(y ~ E, random = as.formula(substitute(\n"
                   "  ~ rr(E, k_val):vm(G, M) + diag(E):vm(G, M), list(k_val = k, M = Ginv))),"
                   "\n  data = d)\n")
    assert "# TODO(asr_py):" not in py and "Ginv=Ginv" in py, py
    assert "r_bquote_value(k)" in py and "vm(G, Ginv)" in py, py


NAMED_LEVELS = """
oats <- read.csv("oats.csv")
oats$V <- as.factor(oats$V)
oats$N <- as.factor(oats$N)
oats$B <- as.factor(oats$B)
cb <- c("0.2", "0.4")
written <- asreml(fixed = Y ~ V + N, random = ~ B + at(N, c("0.2", "0.4")):B, data = oats)
named <- asreml(fixed = Y ~ V + N, random = ~ B + at(N, cb):B, data = oats)
"""


def test_at_levels_held_in_a_variable_beside_no_substitution(workdir) -> None:
    """at(TraitEnv, cb) with cb a vector of the script's (HighlanderLab/jbancic_mtme_fa,
    Tulhurst2022's at(Env, rc)): R reads cb's value; the translation crashed with
    KeyError: 'cb' (the selection was looked up among substitute()'s names, of which there
    were none). The fit equals the one with the levels written out."""
    ns = run_r(NAMED_LEVELS, complete=True)
    want, got = ns["written"], ns["named"]
    assert list(got.varcomp.index) == list(want.varcomp.index)
    assert got.loglik == pytest.approx(want.loglik, abs=1e-8)
