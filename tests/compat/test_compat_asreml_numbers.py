"""asr.plus.infoCriteria against the numbers asreml 4.1 gave asremlPlus's author, as his test
files expect them (github.com/briencj/asremlPlus, tests/testthat/test41REMLRTIC.r and
test41WheatVignette.r, with their tolerances): the wheat field trial (asremlPlus's
Wheat.dat, fetched asremlplus_wheat.csv) with Row + Column + units random and an
ar1(Row):ar1(Column) residual."""

from __future__ import annotations

import asr_py as asr


def test_reml_information_criteria_are_asremls(wheat_fit) -> None:
    ic = asr.plus.infoCriteria(wheat_fit, warn=False).iloc[0]
    assert ic["varDF"] == 5                      # Column's variance is bound (0)
    assert abs(ic["AIC"] - 1346.768) < 0.10      # test41WheatVignette.r


def test_full_likelihood_information_criteria_are_asremls(wheat_fit) -> None:
    ic = asr.plus.infoCriteria(wheat_fit, IClikelihood="full", warn=False).iloc[0]
    assert (ic["fixedDF"], ic["varDF"]) == (31, 5)   # test41REMLRTIC.r
    assert abs(ic["AIC"] - 1653.100) < 1e-01
    assert abs(ic["BIC"] - 1761.483) < 1
    assert abs(ic["loglik"] - (-790.5502)) < 1e-01
