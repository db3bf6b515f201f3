"""asremlPlus's ``recalcWaldTab`` dDF.fault rule and ``linTransform``'s backtransforms.

recalcWaldTab (asremlPlus R/reml4.v13.r, recalcWaldTab.asrtests): a denDF that is NA,
infinite or below 0.01 is replaced as ``dDF.fault`` says ("residual": asreml's ``nedf``, the
residual df n - rank(X)) and Pr is recomputed as 1 - pf(F.inc, Df, denDF). Checked against
n - rank(X) computed here with numpy and scipy's F distribution. asremlPlus's
test3alldiffs.r:817 (HEB25, asreml 3) records CIs -0.4131313 +- 1.97559 x 0.04177124,
i.e. t on 153 df = the residual df of that fit, taken because asreml's denDF of
Genotype.ID:Treatment.1 was not usable; asr_py's Kenward-Roger df there is negative.

linTransform (R/alldiffs.v5.r, linTransform.alldiffs) reads transform.power, offset and scale
from the backtransforms of the alldiffs object it transforms: for a log-scale analysis the
combinations are backtransformed by exp (closed form checked here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.compat.asremlplus import as_asrtests, recalcWaldTab

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def oats_fit():
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d["logY"] = np.log(d["Y"])
    return asr.asreml("logY ~ N*V", random="~ B + B:MP", data=d), d


def _faulty(t: dict, values: list[float]) -> dict:
    t = dict(t)
    w = t["wald.tab"].copy()
    w["denDF"] = values
    t["wald.tab"] = w
    return t


def test_residual_fault_replaces_na_negative_and_tiny_denDF(oats_fit) -> None:
    m, d = oats_fit
    t = as_asrtests(m)
    w0 = t["wald.tab"]
    vals = [np.nan, -1.0, 0.005, float(w0["denDF"].iloc[3])]
    X = np.column_stack([np.ones(len(d))] + [
        (d[f] == lv).to_numpy(float) for f in ("N", "V") for lv in sorted(d[f].unique())[1:]])
    XNV = np.column_stack([X] + [(d["N"] == a).to_numpy(float) * (d["V"] == b).to_numpy(float)
                                 for a in sorted(d["N"].unique())[1:]
                                 for b in sorted(d["V"].unique())[1:]])
    nedf = len(d) - np.linalg.matrix_rank(XNV)
    assert nedf == 72 - 12
    out = recalcWaldTab(_faulty(t, vals), dDF_fault="residual")
    np.testing.assert_allclose(out["denDF"].to_numpy(float), [nedf, nedf, nedf, vals[3]])
    f = out["F.inc"].to_numpy(float)
    np.testing.assert_allclose(out["Pr"].to_numpy(float),
                               stats.f.sf(f, out["Df"].to_numpy(float), [nedf] * 3 + [vals[3]]))


def test_none_and_maximum_and_supplied_faults(oats_fit) -> None:
    m, _ = oats_fit
    t = _faulty(as_asrtests(m), [np.nan, -1.0, 45.0, 10.0])
    none = recalcWaldTab(t)                                   # asremlPlus's default "none"
    assert np.isnan(none["denDF"].iloc[1]) and np.isnan(none["Pr"].iloc[1])
    mx = recalcWaldTab(t, dDF_fault="maximum")
    np.testing.assert_allclose(mx["denDF"].to_numpy(float), [45.0, 45.0, 45.0, 10.0])
    sup = recalcWaldTab(t, dDF_fault="supplied", dDF_values=[1, 2, 3, 4])
    np.testing.assert_allclose(sup["denDF"].to_numpy(float), [1.0, 2.0, 45.0, 10.0])
    with pytest.raises(asr.AsrError, match="dDF_values"):
        recalcWaldTab(t, dDF_fault="supplied", dDF_values=[1, 2])


def test_lintransform_backtransforms_with_the_objects_transform(oats_fit) -> None:
    m, _ = oats_fit
    diffs = asr.plus.predictPlus(m, classify="N", transform_power=0, Vmatrix=True,
                                 wald_tab=as_asrtests(m)["wald.tab"], tables="none")
    L = pd.DataFrame([[1, -1, 0, 0], [0, 0, 1, -1]], index=["N1-N2", "N3-N4"],
                     columns=list(diffs["predictions"]["N"].astype(str)))
    out = asr.plus.linTransform(diffs, linear_transformation=L, error_intervals="Confidence")
    p, bt = out["predictions"], out["backtransforms"]
    assert list(p["Combination"].astype(str)) == ["N1-N2", "N3-N4"]
    assert bt is not None
    pv = diffs["predictions"]["predicted.value"].to_numpy(float)
    np.testing.assert_allclose(p["predicted.value"], [pv[0] - pv[1], pv[2] - pv[3]])
    np.testing.assert_allclose(bt["backtransformed.predictions"], np.exp(p["predicted.value"]))
    for c in ("upper.Confidence.limit", "lower.Confidence.limit"):
        np.testing.assert_allclose(bt[c], np.exp(p[c]))
    # no backtransforms on the input: none on the output (identity)
    plain = asr.plus.predictPlus(m, classify="N", Vmatrix=True,
                                 wald_tab=as_asrtests(m)["wald.tab"], tables="none")
    assert asr.plus.linTransform(plain, linear_transformation=L)["backtransforms"] is None


def test_sorted_predictions_carry_their_factor_combination_lsds() -> None:
    """asremlPlus's sort.alldiffs recasts the sort factor (facRecast.alldiffs), which
    recalculates the LSD component: its rows follow the LSDby levels' new order, each keeping
    its own value (test41WheatVignette.r:117 compares halfLSD interval widths with
    ``diffs$LSD$meanLSD`` row by row after ``sortFactor = "Variety"``)."""
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d = d.drop(index=[0, 5, 11, 30, 47]).reset_index(drop=True)       # unbalanced
    m = asr.asreml("Y ~ N*V", random="~ B + B:MP", data=d)
    kw = dict(classify="N:V", wald_tab=as_asrtests(m)["wald.tab"], tables="none",
              LSDtype="factor.combinations", LSDby="N", error_intervals="halfLeast")
    plain = asr.plus.predictPlus(m, **kw)
    srt = asr.plus.predictPlus(m, sortFactor="N", decreasing=True, **kw)
    order = list(dict.fromkeys(srt["predictions"]["N"].astype(str)))
    assert order != list(plain["LSD"].index)               # the sort changed the order
    assert list(srt["LSD"].index) == order
    np.testing.assert_allclose(srt["LSD"]["meanLSD"], plain["LSD"].loc[order, "meanLSD"])
    assert plain["LSD"]["meanLSD"].nunique() > 1            # the groups' LSDs differ
    p = srt["predictions"]
    width = (p["upper.halfLeastSignificant.limit"] - p["lower.halfLeastSignificant.limit"])
    np.testing.assert_allclose(width, srt["LSD"].loc[p["N"].astype(str), "meanLSD"].to_numpy())
