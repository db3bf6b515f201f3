"""An asreml fit's ``$formulae`` and R's ``attr(terms, "factors")`` of its formulas.

asremlPlus's tests/testthat/test41Selection.r:966 reads
``rownames(attr(m1.asr$formulae$random, which = "factors"))`` of a fit returned by
``newfit()``: the translation indexed the fit like a list (``m1_asr['formulae']``,
TypeError). R's ``?terms.object``: "factors: A matrix of variables by terms showing which
variables appear in which terms. The entries are 0 if the variable does not occur in the
term, 1 if it does occur and should be coded by contrasts, and 2 if it occurs and should be
coded via dummy variables for all levels"; the response is the first variable, a call
(``spl(x, k = 10)``) one variable; ``term.labels`` lists the terms, main effects first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import asr_py as asr
from asr_py.compat.rterms import formula_terms
from asr_py.translate.runtime import r_dollar, r_rownames


def test_terms_factors_of_r_formulas() -> None:
    # R: attr(terms(y ~ a + a:b), "factors") is rows y, a, b; a = (1, 2), b = (0, 1):
    # model.matrix codes a:b by all levels of a (its margin b is absent) and contrasts of b
    # (its margin a is present): columns a2, a1:b2, a2:b2
    t = formula_terms("y ~ a + a:b", "fixed")
    f = t["factors"]
    assert list(f.index) == ["y", "a", "b"] and list(f.columns) == ["a", "a:b"]
    assert f.loc["y"].tolist() == [0, 0] and f.loc["a"].tolist() == [1, 2]
    assert f.loc["b"].tolist() == [0, 1]
    assert t["response"] == 1 and t["intercept"] == 1 and t["order"] == [1, 2]
    # a call is one variable; variables in the order they first appear
    r = formula_terms("~ Block:Cart + at(Treatments):spl(xDAP, k = 10) + units")
    assert list(r["factors"].index) == ["Block", "Cart", "at(Treatments)",
                                        "spl(xDAP, k = 10)", "units"]
    assert r["term.labels"][0] == "units"        # R: main effects before interactions
    assert r["response"] == 0


def test_formulae_of_a_newfit_refit_translates_and_reads_its_variables() -> None:
    code = asr.translate(
        'm <- asreml(y ~ x, random = ~ b + units, data = d)\n'
        'm1 <- newfit(m, random. = ~ . - units)\n'
        'v <- rownames(attr(m1$formulae$random, which = "factors"))\n')
    assert "m1['formulae']" not in code and "getFormulae(m1, 'all')" in code
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"y": rng.normal(size=40), "x": np.arange(40.0),
                      "b": pd.Categorical(np.repeat(list("abcd"), 10))})
    m = asr.asreml(fixed="y ~ x", random="~ b + b:x", data=d)
    f = r_dollar(asr.plus.getFormulae(m, "all"), "random")
    assert r_rownames(asr.plus.attr(f, which="factors")) == ["b", "x"]
    assert asr.plus.attr(r_dollar(asr.plus.getFormulae(m, "all"), "fixed"),
                         which="term.labels") == ["x"]
