"""redoErrorIntervals(LSDtype = "supplied", LSDsupplied =) against the asreml 4.1 numbers
asremlPlus's testthat file records: briencj/asremlPlus tests/testthat/test41alldiffs.asr.r,
test "sort.alldiffs4" ("LSDsupplied on Oats", lines 618-684 at commit b936278), Oats.dat
(fetched asremlplus_oats.csv), Yield ~ Nitrogen*Variety, random ~ Blocks/Wplots:

* predictPlus(classify = "Nitrogen:Variety", error.intervals = "half"): LSD row
  c(66, 15.47426, 18.54066, 19.56707, 18.54066, 0.1653879, 2, 4);
* supplied LSD t·median(sed) (= maxLSD here): c(66, 15.47426, 18.54066, 19.56707, 19.56707,
  0.2091679, 0, 4) and half-LSD limits that differ by it;
* supplied meanLSD named "overall": the first row again.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError

COLS = ["c", "minLSD", "meanLSD", "maxLSD", "assignedLSD", "accuracyLSD", "falsePos",
        "falseNeg"]


@pytest.fixture(scope="module")
def diffs(plus_oats_fit):
    fit = plus_oats_fit
    w = asr.plus.as_asrtests(fit)["wald.tab"]
    return asr.plus.predictPlus(fit, classify="Nitrogen:Variety", wald_tab=w,
                                error_intervals="half", tables="none")


def test_half_lsd_as_recorded(diffs) -> None:
    np.testing.assert_allclose(diffs["LSD"][COLS].to_numpy(float).ravel(),
                               [66, 15.47426, 18.54066, 19.56707, 18.54066, 0.1653879, 2, 4],
                               atol=1e-5)


def test_supplied_lsd_as_recorded(diffs) -> None:
    sed = diffs["sed"].to_numpy()
    t = stats.t.ppf(0.975, diffs.attrs["tdf"])
    med = t * np.nanmedian(sed[np.triu_indices(sed.shape[0], 1)])
    sup = diffs["LSD"]["assignedLSD"].copy()          # R: LSD.dat["assignedLSD"]
    sup.iloc[0] = med
    re = asr.plus.redoErrorIntervals(diffs, error_intervals="half", LSDtype="supplied",
                                     LSDsupplied=sup)
    assert asr.plus.validAlldiffs(re) is True
    assert list(re["LSD"].index) == ["overall"] and re.attrs["LSDby"] is None
    np.testing.assert_allclose(re["LSD"][COLS].to_numpy(float).ravel(),
                               [66, 15.47426, 18.54066, 19.56707, 19.56707, 0.2091679, 0, 4],
                               atol=1e-5)
    pr = re["predictions"]
    assert list(pr.columns[4:6]) == ["upper.halfLeastSignificant.limit",
                                     "lower.halfLeastSignificant.limit"]
    np.testing.assert_allclose(pr["upper.halfLeastSignificant.limit"]
                               - pr["lower.halfLeastSignificant.limit"], med, atol=1e-8)
    # a named vector: the mean LSD gives back the first table
    mean = {"overall": float(diffs["LSD"]["meanLSD"].iloc[0])}
    again = asr.plus.redoErrorIntervals(diffs, error_intervals="half", LSDtype="supplied",
                                        LSDsupplied=mean)
    np.testing.assert_allclose(again["LSD"][COLS].to_numpy(float),
                               diffs["LSD"][COLS].to_numpy(float), atol=1e-10)


def test_supplied_by_combinations_and_errors(diffs) -> None:
    by = asr.plus.recalcLSD(diffs, LSDtype="factor.combinations", LSDby="Variety")
    sup = by["LSD"]["maxLSD"]                          # named by the Variety levels
    re = asr.plus.redoErrorIntervals(diffs, error_intervals="half", LSDtype="supplied",
                                     LSDby="Variety", LSDsupplied=sup)
    np.testing.assert_allclose(re["LSD"]["assignedLSD"], sup, atol=1e-12)
    np.testing.assert_allclose(re["LSD"]["accuracyLSD"],
                               (by["LSD"]["maxLSD"] - by["LSD"]["minLSD"]) / sup, rtol=1e-8)
    width = (re["predictions"]["upper.halfLeastSignificant.limit"]
             - re["predictions"]["lower.halfLeastSignificant.limit"])
    np.testing.assert_allclose(width, re["predictions"]["Variety"].astype(str).map(sup),
                               atol=1e-8)
    with pytest.raises(AsrError, match="needs LSDsupplied"):
        asr.plus.redoErrorIntervals(diffs, error_intervals="half", LSDtype="supplied")
    with pytest.raises(AsrError, match="'overall'"):
        asr.plus.redoErrorIntervals(diffs, error_intervals="half", LSDtype="supplied",
                                    LSDsupplied=[18.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="LSDsupplied will be ignored"):
            asr.plus.redoErrorIntervals(diffs, error_intervals="half",
                                        LSDsupplied={"overall": 1.0})


def test_intercept_classify_all_differences(plus_oats_fit) -> None:
    """test42alldiffsasr.r (lines 311-323): allDifferences of predict(classify =
    "Intercept") -- asreml 4.2's name of the (Intercept) classify -- is an alldiffs object
    with LSDtype "overall" and LSDstatistic "mean"; its one prediction is the GLS mean;
    findLSDminerrors gives the LSD of two such predictions, 20.92506 (tdf = Variety's
    denDF, 10), and missing counts."""
    fit = plus_oats_fit
    cells = fit.predict("Nitrogen:Variety")["predicted.value"].to_numpy(float)
    p = fit.predict(classify="Intercept", vcov=True)
    obj = asr.plus.allDifferences(predictions=p, classify="Intercept", vcov=p.attrs["vcov"],
                                  tdf=10)
    assert obj.attrs["LSDtype"] == "overall" and obj.attrs["LSDstatistic"] == "mean"
    assert len(obj["predictions"]) == 1
    np.testing.assert_allclose(obj["predictions"]["predicted.value"], cells.mean(), rtol=1e-9)
    m = asr.plus.findLSDminerrors(obj)
    assert abs(float(m["LSD"].iloc[0]) - 20.92506) < 1e-5
    assert m.iloc[0, 1:].isna().all()
