"""ML-based PQL (``family=..., method='ML'``) against MASS::glmmPQL, and the default (REML,
ASReml's) PQL against lme4::glmer's Laplace fit as a looser check. Peer numbers recorded by
tests/data/glmmpql_reference.R (data: glmmpql_data.csv, simulated there with seed 17)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"
REF = json.loads((DATA / "glmmpql_reference.json").read_text())

CASES = {
    "binary_logit": ("yb ~ x", dict(link="logit"), "binomial"),
    "poisson_log": ("yp ~ x", dict(), "poisson"),
    "binomial_probit_totals": ("yk ~ x", dict(link="probit", total="n"), "binomial"),
}


def _family(kind: str, **kw: object) -> object:
    return asr.asr_binomial(**kw) if kind == "binomial" else asr.asr_poisson(**kw)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(DATA / "glmmpql_data.csv")


@pytest.mark.parametrize("key", list(CASES))
def test_ml_pql_matches_glmmpql(data: pd.DataFrame, key: str) -> None:
    """glmmPQL = PQL with each working model fitted by ML and the residual (dispersion)
    variance estimated; 'tight' is glmmPQL with its stopping tolerance tightened."""
    formula, kw, kind = CASES[key]
    m = asr.asreml(formula, random="~ g", data=data, method="ML",
                   family=_family(kind, dispersion=None, **kw))
    ref = REF[key]["tight"]
    assert m.converged and m.method == "ML"
    vc = m.varcomp["component"].to_numpy()
    assert vc[0] == pytest.approx(ref["sigma2_g"], rel=1e-4)
    assert vc[1] == pytest.approx(ref["phi"], rel=1e-4)
    np.testing.assert_allclose(m.coef_fixed["solution"], ref["fixef"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(m.coef_fixed["std.error"], ref["se_fixef"], rtol=1e-4)
    np.testing.assert_allclose(m.coef_random["solution"], ref["ranef"], atol=1e-5)
    # glmmPQL as shipped stops earlier (relative change of η below 1e-3): within 1e-3
    assert vc[0] == pytest.approx(REF[key]["default"]["sigma2_g"], rel=1e-3)


@pytest.mark.parametrize("key", list(CASES))
def test_reml_pql_is_close_to_glmer_laplace(data: pd.DataFrame, key: str) -> None:
    """A different approximation: ASReml's PQL (dispersion 1) vs the Laplace fit. PQL's
    variance of binary data is biased down; agreement within 20 % and one standard error."""
    formula, kw, kind = CASES[key]
    m = asr.asreml(formula, random="~ g", data=data, family=_family(kind, **kw))
    ref = REF[key]["glmer"]
    assert m.varcomp["component"].iloc[0] == pytest.approx(ref["sigma2_g"], rel=0.2)
    diff = np.abs(m.coef_fixed["solution"].to_numpy() - ref["fixef"])
    assert np.all(diff < m.coef_fixed["std.error"].to_numpy())


def test_ml_and_reml_pql_differ_and_ml_is_not_a_data_likelihood(data: pd.DataFrame) -> None:
    fam = asr.asr_binomial(link="logit", dispersion=None)
    ml = asr.asreml("yb ~ x", random="~ g", data=data, family=fam, method="ML")
    reml = asr.asreml("yb ~ x", random="~ g", data=data, family=fam)
    assert ml.varcomp["component"].iloc[0] < reml.varcomp["component"].iloc[0]
    assert np.isnan(ml.aic) and np.isnan(ml.bic)
