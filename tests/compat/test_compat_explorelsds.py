"""asr.plus.exploreLSDs against the asreml 4.2 numbers asremlPlus's testthat file records for
the Oats data (fetched asremlplus_oats.csv; Yield ~ Nitrogen*Variety, random
~ Blocks/Wplots, allDifferences of the Nitrogen:Variety predictions with Variety's denDF):
briencj/asremlPlus tests/testthat/test42alldiffsasr.r at commit b936278, test
"exploreLSDOatsr4" (lines 1390-1424) and test "LSD asreml42" (lines 341-347: the
intercept-only projection). R's ``pretty`` against values R documents/prints.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import asr_py as asr
from asr_py.compat.lsdexplore import r_hist, r_pretty
from asr_py.errors import AsrError

LABS = ["min", "quant10", "quant25", "mean", "median", "quant75", "quant90", "max"]


def test_r_pretty() -> None:
    # R: pretty(c(0, 1)) 0 .2 .4 .6 .8 1; pretty(c(1, 10)) 0 2 4 6 8 10;
    # pretty(c(-3.7, 12.1)) -5 0 5 10 15; pretty(c(17.1, 21.6), 8, min.n = 1) 17 17.5 ... 22
    np.testing.assert_allclose(r_pretty(0, 1), np.linspace(0, 1, 6))
    np.testing.assert_allclose(r_pretty(1, 10), [0, 2, 4, 6, 8, 10])
    np.testing.assert_allclose(r_pretty(-3.7, 12.1), [-5, 0, 5, 10, 15])
    np.testing.assert_allclose(r_pretty(17.1, 21.6, 8, min_n=1), np.arange(17, 22.01, 0.5))


def test_r_hist_right_closed() -> None:
    b, counts, mids = r_hist(np.array([0.0, 1.0, 1.0, 2.0, 2.5]), np.array([0.0, 1, 2, 3]))
    np.testing.assert_array_equal(counts, [3, 1, 1])     # (0,1] with 0 included, (1,2], (2,3]
    np.testing.assert_allclose(mids, [0.5, 1.5, 2.5])


@pytest.fixture(scope="module")
def var_diffs(plus_oats_fit):
    fit = plus_oats_fit
    w = asr.plus.as_asrtests(fit)["wald.tab"]
    p = fit.predict(classify="Nitrogen:Variety", vcov=True)
    return asr.plus.allDifferences(p, "Nitrogen:Variety", vcov=p.attrs["vcov"],
                                   tdf=w.loc["Variety", "denDF"])


def test_overall_as_recorded(var_diffs) -> None:
    lsd = asr.plus.exploreLSDs(var_diffs)
    assert list(lsd) == ["frequencies", "distinct.vals", "statistics", "accuracy",
                         "false.pos", "false.neg", "per.pred.accuracy", "LSD"]
    assert list(lsd["frequencies"].index) == [f"{v:g}" for v in np.arange(17.25, 21.76, 0.5)]
    np.testing.assert_allclose(lsd["distinct.vals"], [17.1, 21.6])
    np.testing.assert_allclose(lsd["statistics"].iloc[0], [66, 17.11869, 17.11869, 17.11869,
                                                           20.51095, 21.64642, 21.64642,
                                                           21.64642, 21.64642], atol=1e-5)
    np.testing.assert_allclose(lsd["accuracy"].iloc[0], [66, 0.2644909, 0.2644909, 0.2644909,
                                                         0.1653879, 0.2091679, 0.2091679,
                                                         0.2091679, 0.2091679], atol=1e-5)
    np.testing.assert_array_equal(lsd["false.pos"].iloc[0], [66, 3, 3, 3, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(lsd["false.neg"].iloc[0], [66, 0, 0, 0, 3, 4, 4, 4, 4])
    assert lsd["false.pos"]["mean"].iloc[0] == var_diffs["LSD"]["falsePos"].iloc[0]
    assert lsd["per.pred.accuracy"].shape == (12, 8) and lsd["LSD"].shape == (12, 12)
    np.testing.assert_allclose(lsd["per.pred.accuracy"].iloc[0],
                               [0.2644909] * 3 + [0.1653879] + [0.2091679] * 4, atol=1e-5)


def test_factor_combinations_as_recorded(var_diffs) -> None:
    lsd = asr.plus.exploreLSDs(var_diffs, LSDtype="fact", LSDby="Nitrogen")
    for k in ("frequencies", "statistics", "accuracy"):
        assert len(lsd[k]) == 4
    assert list(lsd["frequencies"].columns) == [f"{v:g}" for v in np.arange(17.25, 21.76, 0.5)]
    assert all(np.all(v == 21.6) for v in lsd["distinct.vals"].values())
    np.testing.assert_allclose(lsd["statistics"].iloc[0, 1:], 21.64642, atol=1e-5)
    assert (lsd["accuracy"].iloc[0, 1:] < 1e-8).all()
    assert len(lsd["per.pred.accuracy"]) == 12


def test_equal_predictions_as_recorded(var_diffs) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        i = asr.plus.linTransform(var_diffs, linear_transformation="~ 1",
                                  error_intervals="half", LSDtype="overall", tables="none")
    lsd = asr.plus.exploreLSDs(i)
    np.testing.assert_allclose(lsd["statistics"].iloc[0], [0] + [20.92506] * 8, atol=1e-5)
    for k in ("accuracy", "false.pos", "false.neg"):
        assert lsd[k]["c"].iloc[0] == 0 and lsd[k][LABS].isna().all(axis=None)
    assert lsd["per.pred.accuracy"].isna().all(axis=None)
    L = lsd["LSD"].to_numpy()
    np.testing.assert_allclose(L[np.triu_indices(12, 1)], 20.92506, atol=1e-5)


def test_needs_lsdby(var_diffs) -> None:
    with pytest.raises(AsrError, match="LSDby"):
        asr.plus.exploreLSDs(var_diffs, LSDtype="factor.combinations")
    with pytest.raises(AsrError, match="not columns"):
        asr.plus.exploreLSDs(var_diffs, LSDtype="factor.combinations", LSDby="Block")


def test_absent_element_is_null(var_diffs) -> None:
    # R's $ on the list exploreLSDs returns: an exact or unique-prefix name gives the
    # element, "falsepos" (the element is "false.pos") and the ambiguous "false" NULL
    lsd = asr.plus.exploreLSDs(var_diffs)
    assert lsd["falsepos"] is None and lsd["false"] is None
    assert lsd["false.p"] is lsd["false.pos"] and lsd["LSD"] is not None
