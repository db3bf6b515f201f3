"""predictPlus of a binomial fit with asreml's transformed.value/approx.se columns, against
the asreml values asremlPlus records (briencj/asremlPlus at b936278,
tests/testthat/test42glm.r = test41alldiffs.asr.r:2297-2320): with transform.function =
"logit" the backtransforms' standard.error is approx.se and the two columns leave the
predictions (R/alldiffs.v5.r:2645-2668); without it the predictions keep them."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

import asr_py as asr


def _fit() -> Any:
    df = pd.DataFrame({"ldose": [float(v) for v in range(6)] * 2,
                       "numdead": [1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16],
                       "sex": ["M"] * 6 + ["F"] * 6, "N": [20] * 12})
    df["p"] = df["numdead"] / df["N"]
    return asr.asreml("p ~ ldose + sex", data=df, family=asr.asr_binomial(total="N"))


def test_logit_backtransforms_take_asremls_approx_se() -> None:
    m = _fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # the dDF.fault warning asremlPlus also gives
        d = asr.plus.predictPlus(m, classify="sex:ldose", levels={"ldose": list(range(6))},
                                 transform_function="logit", tables="none")
        plain = asr.plus.predictPlus(m, classify="sex:ldose",
                                     levels={"ldose": list(range(6))}, tables="none")
    assert not {"transformed.value", "approx.se"} & set(d["predictions"].columns)
    assert not {"transformed.value", "approx.se"} & set(d["backtransforms"].columns)
    assert len(d["backtransforms"]) == 12
    bt = d["backtransforms"].iloc[0]
    assert bt["backtransformed.predictions"] == pytest.approx(0.03008577, abs=1e-5)
    assert bt["standard.error"] == pytest.approx(0.01103991, abs=1e-5)
    assert plain["backtransforms"] is None
    assert {"transformed.value", "approx.se"} <= set(plain["predictions"].columns)
    first = plain["predictions"].iloc[0]
    assert first["transformed.value"] == pytest.approx(0.03008577, abs=1e-5)
    assert first["approx.se"] == pytest.approx(0.01103991, abs=1e-5)


def test_recalculated_backtransforms_keep_the_saved_approx_se() -> None:
    """Once approx.se has left the predictions, a recalculation (redoErrorIntervals calls
    addBacktransforms) takes the saved backtransforms' standard errors of the same
    transform.function, as asremlPlus does (R/alldiffs.v5.r:2513-2523)."""
    m = _fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = asr.plus.predictPlus(m, classify="sex:ldose", levels={"ldose": list(range(6))},
                                 transform_function="logit", tables="none")
        r = asr.plus.redoErrorIntervals(d, error_intervals="StandardError")
    assert "approx.se" not in r["predictions"].columns
    assert "upper.StandardError.limit" in r["backtransforms"].columns
    assert r["backtransforms"]["standard.error"].iloc[0] == pytest.approx(0.01103991, abs=1e-5)
    pd.testing.assert_series_equal(r["backtransforms"]["standard.error"],
                                   d["backtransforms"]["standard.error"])
