"""LSDs of predictions that are all equal (asremlPlus's ``rm.nazero`` and the "single
prediction" rule of ``allDifferences``/``sliceLSDs``, R/LSDutilities.R and R/alldiffs.v5.r at
briencj/asremlPlus commit b936278): every SED zero and equal standard errors give the LSD of
two independent predictions, t·√2·se, with c = 0; SEDs are zero relative to the largest.

Checked against a closed form (predictions with vcov s²·J: all SEDs zero, every SE s) and
against the asreml 4.2 numbers asremlPlus's testthat file records for the Oats data
(fetched asremlplus_oats.csv): tests/testthat/test42alldiffsasr.r, test "LSD asreml42",
lines 326-336 (linTransform(~ 1): LSD c(0, 20.92506 x 4), upper half-LSD limit 114.4348) and
lines 481-487 (linTransform(~ Nitrogen), LSDtype "factor" by Nitrogen: assignedLSD 22.60797,
upper limits 90.69288, 110.19288, 125.52621, 134.69288).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _plus_data import oats_data
from scipy import stats

import asr_py as asr
from asr_py.compat.lsd import lsd_stats, rm_nazero

STATS = ["minLSD", "meanLSD", "maxLSD", "assignedLSD"]


def _equal(n: int, s: float, value: float = 5.0) -> pd.DataFrame:
    return pd.DataFrame({"A": pd.Categorical([f"a{i}" for i in range(n)]),
                         "predicted.value": np.full(n, value),
                         "standard.error": np.full(n, s),
                         "est.status": "Estimable"})


def test_equal_predictions_closed_form() -> None:
    s, df = 0.7, 12.0
    p = _equal(4, s)
    v = pd.DataFrame(np.full((4, 4), s * s))
    with pytest.warns(Warning, match="single prediction"):
        d = asr.plus.allDifferences(p, "A", vcov=v, tdf=df)
    want = stats.t.ppf(0.975, df) * np.sqrt(2) * s
    row = d["LSD"].loc["overall"]
    assert row["c"] == 0
    np.testing.assert_allclose(row[STATS].to_numpy(float), want, rtol=1e-12)
    assert row[["accuracyLSD", "falsePos", "falseNeg"]].isna().all()


def test_equal_predictions_unequal_se_keep_a_zero_lsd() -> None:
    # zero SEDs but different SEs: asremlPlus's LSDstats of the single zero SED (c = 1)
    row = lsd_stats(np.zeros(3), np.zeros(3), 2.0, se=np.array([1.0, 1.0, 2.0]))
    assert row["c"] == 1 and row["assignedLSD"] == 0
    assert row["falsePos"] == 0 and row["falseNeg"] == 0


def test_zero_is_relative_to_the_largest_sed() -> None:
    s, d = rm_nazero(np.array([1e6, 1e-3, np.nan, 2e6]), np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(s, [1e6, 2e6])
    np.testing.assert_array_equal(d, [1.0, 4.0])
    s, d = rm_nazero(np.array([1e-12, 0.0]), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(s, [0.0])
    np.testing.assert_array_equal(d, [0.0])
    s, _ = rm_nazero(np.array([1e-12, 0.0]), None, retain_zero=True)
    assert s.size == 2


@pytest.fixture(scope="module")
def var_diffs(plus_oats_fit):
    d, fit = oats_data(), plus_oats_fit
    w = asr.plus.as_asrtests(fit)["wald.tab"]
    p = fit.predict(classify="Nitrogen:Variety", vcov=True)
    return d, asr.plus.allDifferences(p, "Nitrogen:Variety", vcov=p.attrs["vcov"],
                                      tdf=w.loc["Variety", "denDF"])


def test_intercept_projection_as_recorded(var_diffs) -> None:
    d, vd = var_diffs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        i = asr.plus.linTransform(vd, linear_transformation="~ 1", error_intervals="half",
                                  LSDtype="overall", tables="none")
    np.testing.assert_allclose(i["predictions"]["predicted.value"], d["Yield"].mean(),
                               atol=1e-4)
    np.testing.assert_allclose(i["predictions"]["upper.halfLeastSignificant.limit"],
                               114.4348, atol=1e-4)
    np.testing.assert_allclose(i["LSD"][["c"] + STATS].to_numpy(float).ravel(),
                               [0, 20.92506, 20.92506, 20.92506, 20.92506], atol=1e-5)


def test_factor_projection_as_recorded(var_diffs) -> None:
    _, vd = var_diffs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = asr.plus.linTransform(vd, linear_transformation="~Nitrogen", LSDtype="factor",
                                  LSDby="Nitrogen", error_intervals="half", tables="none")
    np.testing.assert_allclose(f["LSD"]["assignedLSD"], 22.60797, atol=1e-5)
    np.testing.assert_allclose(f["predictions"]["upper.halfLeastSignificant.limit"],
                               np.repeat([90.69288, 110.19288, 125.52621, 134.69288], 3),
                               atol=1e-5)


def test_supplied_lsd_kept_for_a_single_prediction_combination() -> None:
    # asremlPlus's addLSDsupplied sets assignedLSD of every LSDby row, also of a row
    # holding one prediction (test42alldiffsasr.r:1137 expects 0.3 throughout)
    p = pd.DataFrame({"G": pd.Categorical(["g1", "g1", "g2"]),
                      "A": pd.Categorical(["a1", "a2", "a3"]),
                      "predicted.value": [1.0, 2.0, 3.0], "standard.error": [0.5, 0.5, 0.6],
                      "est.status": "Estimable"})
    v = pd.DataFrame(np.diag([0.25, 0.25, 0.36]))
    with pytest.warns(Warning, match="single prediction"):
        d = asr.plus.allDifferences(p, "G:A", vcov=v, tdf=10)
        d = asr.plus.redoErrorIntervals(d, error_intervals="half", LSDtype="supplied",
                                        LSDby="G",
                                        LSDsupplied=pd.Series({"g1": 0.3, "g2": 0.3}))
    np.testing.assert_array_equal(d["LSD"]["assignedLSD"], [0.3, 0.3])
    t = stats.t.ppf(0.975, 10)
    np.testing.assert_allclose(d["LSD"].loc["g2", ["minLSD", "meanLSD", "maxLSD"]]
                               .to_numpy(float), t * np.sqrt(2) * 0.6)
    np.testing.assert_allclose(d["LSD"].loc["g1", "meanLSD"], t * np.sqrt(0.5))


def test_sed_at_rounding_level_is_zero() -> None:
    # in an additive model (2 x 2, A + B) the contrasts p11 - p12 and p21 - p22 are equal
    # in exact arithmetic; Var of their difference computed through L·X·Vb·X'·L' is
    # 5.6e-17, an SED of 7e-9 that R's relative zero tolerance (1.5e-8 of the largest)
    # would keep; a real, small SED stays
    from asr_py.compat.alldiffs import _sed_from_vcov

    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 3))
    Vb = 0.004 * (a @ a.T + np.eye(3))
    X = np.array([[1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1.0]]) * np.array([7.3, 0.37, 1.1])
    L = np.array([[1, -1, 0, 0], [0, 0, 1, -1.0], [1, -1, 1e-3, 0]])
    w = L @ (X @ Vb @ X.T) @ L.T
    assert w[0, 0] + w[1, 1] - 2 * w[0, 1] != 0           # the rounding residue
    s = _sed_from_vcov(pd.DataFrame(w)).to_numpy()
    assert s[0, 1] == 0.0 and s[1, 0] == 0.0
    c = (L[2] - L[0]) @ X
    np.testing.assert_allclose(s[0, 2], np.sqrt(c @ Vb @ c), rtol=1e-6)
