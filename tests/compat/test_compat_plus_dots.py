"""predictPlus's LSDtype="supplied" with LSDsupplied (asremlPlus passes both on to
redoErrorIntervals), its asreml memory arguments, and R's ``...`` of redoErrorIntervals:
checked against the asreml 4.1 numbers asremlPlus's testthat file records for Oats
(test41alldiffs.asr.r, "sort.alldiffs4", see test_compat_lsd_supplied.py) and against the
same call without the extra argument."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.warning_classes import AsrWarning

COLS = ["c", "minLSD", "meanLSD", "maxLSD", "assignedLSD", "accuracyLSD", "falsePos",
        "falseNeg"]


@pytest.fixture(scope="module")
def oats(plus_oats_fit):
    fit = plus_oats_fit
    w = asr.plus.as_asrtests(fit)["wald.tab"]
    base = asr.plus.predictPlus(fit, classify="Nitrogen:Variety", wald_tab=w,
                                error_intervals="half", tables="none")
    return fit, w, base


def test_predictplus_supplied_lsd_as_recorded(oats) -> None:
    fit, w, base = oats
    sed = base["sed"].to_numpy()
    t = stats.t.ppf(0.975, base.attrs["tdf"])
    sup = pd.Series({"overall": t * np.nanmedian(sed[np.triu_indices(sed.shape[0], 1)])})
    got = asr.plus.predictPlus(fit, classify="Nitrogen:Variety", wald_tab=w,
                               error_intervals="half", LSDtype="supplied", LSDsupplied=sup,
                               pworkspace="1Gb", tables="none")
    assert got.attrs["LSDtype"] == "supplied"
    np.testing.assert_allclose(got["LSD"][COLS].to_numpy(float).ravel(),
                               [66, 15.47426, 18.54066, 19.56707, 19.56707, 0.2091679, 0, 4],
                               atol=1e-5)


def test_pworkspace_changes_nothing(oats) -> None:
    fit, w, base = oats
    got = asr.plus.predictPlus(fit, classify="Nitrogen:Variety", wald_tab=w,
                               error_intervals="half", pworkspace=32e6, tables="none")
    pd.testing.assert_frame_equal(got["predictions"], base["predictions"])


def test_redo_error_intervals_drops_an_argument_no_function_takes(oats) -> None:
    """R matches a misspelt LSDtstatistic to redoErrorIntervals's ... and no function down
    the line takes it: the result is the call without it (a warning says so here)."""
    _, _, base = oats
    want = asr.plus.redoErrorIntervals(base, error_intervals="half")
    with pytest.warns(AsrWarning, match="LSDtstatistic"):
        got = asr.plus.redoErrorIntervals(base, error_intervals="half", LSDtstatistic="q90")
    pd.testing.assert_frame_equal(got["LSD"], want["LSD"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(Exception, match="not supported"):
            asr.plus.redoErrorIntervals(base, sortFactor="Variety")   # asremlPlus's own


def test_lintransform_ignores_transform_power_as_asremlplus_does(oats) -> None:
    """asremlPlus's linTransform takes the transform from the backtransforms component; a
    transform.power given goes to its ... and is not used (R/alldiffs.v5.r)."""
    fit, w, _ = oats
    base = asr.plus.predictPlus(fit, classify="Nitrogen:Variety", wald_tab=w, Vmatrix=True,
                                tables="none")
    want = asr.plus.linTransform(base, linear_transformation="~ Nitrogen")
    with pytest.warns(AsrWarning, match="transform_power"):
        got = asr.plus.linTransform(base, linear_transformation="~ Nitrogen",
                                    transform_power=0)
    pd.testing.assert_frame_equal(got["predictions"], want["predictions"])
    with pytest.raises(Exception, match="not supported"):
        asr.plus.linTransform(base, linear_transformation="~ Nitrogen", x_num="Nitrogen")


def test_one_lsd_statistic_per_lsdby_combination(oats) -> None:
    """asremlPlus: LSDstatistic may give one statistic per LSDby combination (in their
    order, partially matched); each row is that combination's LSD with its own statistic."""
    _, _, base = oats
    stats_ = ["min", "q10", "med", "maximum"]
    got = asr.plus.recalcLSD(base, LSDtype="factor.combinations", LSDby="Nitrogen",
                             LSDstatistic=stats_)
    full = {"min": "minimum", "med": "median"}
    for k, s in enumerate(stats_):
        one = asr.plus.recalcLSD(base, LSDtype="factor.combinations", LSDby="Nitrogen",
                                 LSDstatistic=full.get(s, s))
        pd.testing.assert_series_equal(got["LSD"].iloc[k], one["LSD"].iloc[k])
    with pytest.raises(Exception, match="3 LSDstatistic values for 4"):
        asr.plus.recalcLSD(base, LSDtype="factor.combinations", LSDby="Nitrogen",
                           LSDstatistic=stats_[:3])


def test_choosemodel_passes_partially_named_arguments_to_testranfix() -> None:
    """chooseModel(..., pos = TRUE): R matches pos to testranfix's positive.zero (the
    arguments chooseModel passes on through ...)."""
    from asr_py.compat import choose

    got = choose._partial_names({"pos": True, "denDF": "algebraic", "d": 1},
                                asr.plus.testranfix)
    # "d" starts several parameters (drop_ran_ns, drop_fix_ns, denDF): left as it is
    assert got == {"positive_zero": True, "denDF": "algebraic", "d": 1}
