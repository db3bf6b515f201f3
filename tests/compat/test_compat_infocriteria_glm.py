"""asremlPlus's ``infoCriteria`` of binomial/Poisson fits, and ``getFormulae``/``printFormulae``.

For a binomial or Poisson family with dispersion 1 asremlPlus (REMLRTIC.v4.r, after asreml
4.2) reports fixedDF = the estimable fixed effects, varDF = NBound = 0, AIC = D + 2 fixedDF,
BIC = D + fixedDF log(ν + fixedDF) and loglik = −D/2, D the deviance. The numbers checked are
those asremlPlus's tests/testthat/test41REMLRTIC.r records from asreml 4.1 for the budworm
fits (AIC 20.98403 and 12.75706; first row 2, 0, 0, 20.98403, 21.95385, −8.492016), which are
also R glm()'s deviances (tests/data/budworm_glm.json) plus 2 × 2 and 2 × 3.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

REF = json.loads((Path(__file__).parents[1] / "data" / "budworm_glm.json").read_text())


@pytest.fixture(scope="module")
def budworm_fits() -> tuple[object, object]:
    df = pd.DataFrame({"ldose": list(range(6)) * 2,
                       "numdead": [1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16],
                       "sex": ["M"] * 6 + ["F"] * 6, "N": [20] * 12})
    df["p"] = df["numdead"] / df["N"]
    fam = asr.asr_binomial(total="N")
    return (asr.asreml("p ~ ldose", data=df, family=fam),
            asr.asreml("p ~ ldose + sex", data=df, family=fam))


def test_info_criteria_of_binomial_fits_are_asremlplus_recorded_numbers(budworm_fits) -> None:
    info = asr.plus.infoCriteria(list(budworm_fits))
    np.testing.assert_allclose(info["AIC"], [20.98403, 12.75706], atol=1e-5)
    np.testing.assert_allclose(info.iloc[0].to_numpy(dtype=float),
                               [2, 0, 0, 20.98403, 21.95385, -8.492016], atol=1e-5)
    # the same from R's glm deviances: D + 2k, D + k log(ν + k), ν = n − k = 12 − k
    for (_, row), dev, k in zip(info.iterrows(), REF["deviance"], (2, 3)):
        assert row["AIC"] == pytest.approx(dev + 2 * k, rel=1e-8)
        assert row["BIC"] == pytest.approx(dev + k * math.log(12), rel=1e-8)
        assert row["loglik"] == pytest.approx(-dev / 2, rel=1e-8)


def test_info_criteria_of_other_glms_are_na_with_a_warning(budworm_fits) -> None:
    df = pd.DataFrame({"x": np.arange(12.0), "y": [1.0, 2, 2, 3, 5, 4, 6, 8, 7, 9, 12, 10]})
    m = asr.asreml("y ~ x", data=df, family=asr.asr_Gamma(link="log", dispersion=None))
    with pytest.warns(asr.AsrWarning, match="not available for Gamma"):
        info = asr.plus.infoCriteria(m)
    assert info.shape == (1, 6) and info.isna().all(axis=None)


def _wheat_like() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"a": list("xyz") * 8, "b": list("pq") * 12, "g": list("abcdef") * 4,
                         "y": rng.normal(size=24)})


def test_get_and_print_formulae_follow_asremlplus() -> None:
    m = asr.asreml("y ~ a*b", random="~ g", data=_wheat_like())
    got = asr.plus.getFormulae(m, "all")
    assert list(got) == ["fixed", "random", "residual", "sparse"]
    assert got["fixed"] == "y ~ a*b" and got["residual"] is None and got["sparse"] is None
    assert got["rcov"] is None          # asreml 3's name of the residual formula
    # expanded: R's update.formula(f, ~ .) writes out the crossed terms
    assert asr.plus.getFormulae(m, "fixed", expanded=True) == {"fixed": "y ~ a + b + a:b"}
    p = asr.plus.printFormulae(m, which="all")
    assert p == ["fixed: y ~ a*b", "random: ~ g", "residual: NULL", "sparse: NULL"]
    assert len(asr.plus.printFormulae(m, expanded=True)) == 3
    assert asr.plus.printFormulae(m, which=["fixed", "random"]) == ["fixed: y ~ a*b",
                                                                      "random: ~ g"]
    with pytest.raises(AsrError, match="which must be among"):
        asr.plus.getFormulae(m, "fixd")
