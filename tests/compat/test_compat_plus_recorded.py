"""asr.plus's predictPlus/LSD statistics against the asreml 4.1 numbers asremlPlus's own
test files record (briencj/asremlPlus at commit b936278, MIT licence):

* tests/testthat/test41alldiffs.asr.r, test "LSDWater4": pH of WaterRunoff.dat
  (data/WaterRunoff.dat.rda -> fetched asremlplus_waterrunoff.csv, written with pyreadr),
  ``pH ~ Benches + Sources*(Type + Species)``, random ``Benches:MainPlots`` removed by
  rmboundary, predictions of Sources:Type:Species over the combinations present; the LSD
  accuracies, false positives/negatives and the per-Type:Species LSDs the file expects.
* tests/testthat/test41PredictionsPresentation.r, test "LSDby4": Montgomery's syrup loss
  factorial (example 9-1, the data built in the test file itself) with one residual variance
  per Speed x Pressure cell (``idh(SpeedPress):WSpeedPress``).

Agree/differ: every number below agrees within the file's own tolerance. The syrup LSDs use
asreml's denominator df as asreml prints it (one decimal: 8.7); asr_py's Kenward-Roger
denDF is 8.747, which moves the LSDs by 0.09 % (11.9153 against 11.9255).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched
from scipy import stats

import asr_py as asr

LEVELS = {
    "Sources": ["Rainwater", "Recycled water", "Tap water", "Rain+Basalt", "Rain+Dolomite",
                "Rain+Quartzite"],
    "Species": ["S. iqscjbogxah", "S. oymwjrcnepv", "S. ocphawvtlgi", "S. hbpgtylxqku",
                "S. orcxszbujml", "S. xeqackngdrt", "S. tkujbvipoyr", "Non-planted"],
    "Type": ["Landscape", "Medicinal", "Culinary", "Control"],
}


def _water_data() -> pd.DataFrame:
    """WaterRunoff with pH numeric and the factors in asremlPlus's level order."""
    d = pd.read_csv(fetched("asremlplus_waterrunoff.csv"), dtype=str).astype({"pH": float})
    for c, levs in LEVELS.items():
        d[c] = pd.Categorical(d[c], categories=levs)
    return d


def _water_tests(d: pd.DataFrame) -> dict:
    """The test files' split-plot fit, as an asrtests object with bound terms removed."""
    m = asr.asreml("pH ~ Benches + Sources*(Type + Species)", random="~ Benches:MainPlots",
                   data=d)
    return asr.plus.rmboundary(asr.plus.as_asrtests(m))


@pytest.fixture(scope="module")
def water():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _water_tests(_water_data())
    assert len(t["asreml.obj"].varcomp) == 1        # the file: length(vparameters) == 1
    return t


def _water_diffs(t, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # term not in the Wald table: residual df
        return asr.plus.predictPlus(t["asreml.obj"], "Sources:Type:Species",
                                    wald_tab=t["wald.tab"],
                                    present=["Type", "Species", "Sources"],
                                    error_intervals="halfLeast", Vmatrix=True, **kw)


def test_water_factor_combination_lsds(water) -> None:
    d = _water_diffs(water, LSDtype="factor", LSDby=["Type", "Species"])
    want = [0.3052944, 0.3052944, 0.3099100, 0.3076127, 0.3076127, 0.3739078, 0.3739078,
            0.3783488]
    np.testing.assert_allclose(d["LSD"]["assignedLSD"], want, atol=1e-5)
    assert list(d["LSD"]["falsePos"]) == [0] * 7 + [1]
    assert list(d["LSD"]["falseNeg"]) == [0] * 7 + [1]
    assert "upper.halfLeastSignificant.limit" in d["predictions"].columns


@pytest.mark.parametrize("accuracy, value", [("maxAbs", 0.1860607), ("maxDev", 0.1860607),
                                             ("q90Dev", 0.06892194), ("Root", 0.06833254)])
def test_water_overall_lsd_accuracy(water, accuracy: str, value: float) -> None:
    d = _water_diffs(water, LSDaccuracy=accuracy, avsed_tolerance=np.nan)
    lsd = d["LSD"].iloc[0]
    assert abs(lsd["accuracyLSD"] - value) < 1e-5
    assert (lsd["falsePos"], lsd["falseNeg"]) == (15, 10)


@pytest.fixture(scope="module")
def syrup():
    loss = np.array([-35, -25, -45, -60, -40, 15, 110, 75, -10, 30, 80, 54,
                     4, 5, -40, -30, 31, 36, 17, 24, -65, -58, 20, 4,
                     55, 120, -55, -44, 110, 44, -23, -5, -64, -62, -20, -31,
                     -39, -35, -55, -67, 15, -30, 90, 113, -28, -26, 110, 135,
                     -30, -55, -61, -52, 54, 4]) + 70.0
    rows = [(n, p, s) for n in "ABC" for p in ("10", "15", "20")
            for s in ("100", "120", "140") for _ in range(2)]
    d = pd.DataFrame(rows, columns=["Nozzle", "Pressure", "Speed"]).assign(Loss=loss)
    d["SpeedPress"] = d["Speed"] + "," + d["Pressure"]
    d["WSpeedPress"] = (d.groupby("SpeedPress").cumcount() + 1).astype(str)
    m = asr.asreml("Loss ~ Nozzle*Pressure*Speed",
                   residual="~ idh(SpeedPress):WSpeedPress", data=d)
    return d, m


def test_syrup_lsds(syrup) -> None:
    d, m = syrup
    # closed form: a saturated cell-means model, so each cell's variance is the pooled
    # within-cell variance of its 3 nozzles x 2 replicates; the file expects 27.5 for 100,10
    g = d[d["SpeedPress"] == "100,10"]
    s2 = g.groupby("Nozzle")["Loss"].var(ddof=1).mean()
    assert s2 == pytest.approx(27.5)
    assert m.varcomp["component"].iloc[0] == pytest.approx(27.5, rel=1e-6)
    w = m.wald(denDF="numeric")
    w["denDF"] = w["denDF"].round(1)                     # as asreml reports it
    diffs = asr.plus.predictPlus(m, "Nozzle:Pressure:Speed", wald_tab=w)
    assert diffs.attrs["tdf"] == pytest.approx(8.7)
    by2 = asr.plus.recalcLSD(diffs, LSDtype="factor", LSDby=["Speed", "Pressure"])
    assert len(by2["LSD"]) == 9
    assert abs(by2["LSD"]["minLSD"].iloc[0] - 11.92550) < 1e-5
    assert np.all(np.abs(by2["LSD"]["minLSD"] - by2["LSD"]["maxLSD"]) < 1e-5)
    with pytest.warns(Warning, match="avsed.tolerance"):   # the file: expect_warning
        press = asr.plus.redoErrorIntervals(by2, "half", LSDtype="factor", LSDby="Pressure")
    assert len(press["LSD"]) == 3
    lsd = press["LSD"].iloc[0]
    assert abs(lsd["minLSD"] - 11.92550) < 1e-5
    assert abs(lsd["meanLSD"] - 41.13342) < 1e-5
    assert abs(lsd["maxLSD"] - 67.62672) < 1e-5


@pytest.mark.parametrize("kw, warnings_expected", [
    ({"LSDtype": "overall", "avsed_tolerance": np.nan}, 14),
    ({"LSDtype": "factor", "LSDby": ["Type", "Species"]}, 0),
    ({"LSDtype": "per.pred"}, 39),
])
def test_water_lsd_warnings(water, kw: dict, warnings_expected: int) -> None:
    """test41alldiffs.asr.r: sum(LSDwarning) with accuracy.threshold = 0.10 is 14 (overall),
    0 (per Type:Species) and 39 (per prediction)."""
    d = _water_diffs(water, accuracy_threshold=0.10, **kw)
    assert int(d["predictions"]["LSDwarning"].sum()) == warnings_expected
    assert d["predictions"].columns[-1] == "est.status"
    if kw["LSDtype"] == "overall":     # the file's own check: row-wise max deviation / LSD
        t = stats.t.ppf(0.975, d.attrs["tdf"])
        sed = d["sed"].to_numpy()
        a = d["LSD"]["assignedLSD"].iloc[0]
        want = np.nanmax(np.abs(t * sed - a), axis=1) / a > 0.10
        np.testing.assert_array_equal(d["predictions"]["LSDwarning"].to_numpy(), want)


def test_water_sorts_as_asremls(water) -> None:
    """test41Sortalldiffs.r (pH on 05-18): the order of Sources at Type Control, and the
    order of Species sorted within Type (sortNestingFactor) at Sources Rain+Dolomite. These
    orders depend only on the predicted values, which asr_py computes from its own fit."""
    d = _water_data()
    d = d[d["Date"] == "05-18"].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _water_tests(d)
        ts = asr.plus.predictPlus(t["asreml.obj"], "Sources:Type", wald_tab=t["wald.tab"],
                                  present=["Type", "Species", "Sources"])
        full = asr.plus.predictPlus(t["asreml.obj"], "Sources:Type:Species",
                                    wald_tab=t["wald.tab"],
                                    present=["Type", "Species", "Sources"], Vmatrix=True)
    s = asr.plus.sort(ts["predictions"], classify="Sources:Type", sortFactor="Sources",
                      sortParallelToCombo={"Type": "Control"})
    assert s.attrs["sortOrder"] == ["Rain+Basalt", "Rain+Dolomite", "Tap water",
                                    "Recycled water", "Rainwater", "Rain+Quartzite"]
    n = asr.plus.sort(full, sortFactor="Species", sortNestingFactor="Type",
                      sortParallelToCombo={"Sources": "Rain+Dolomite"})
    p = n["predictions"]
    at = p[p["Sources"] == "Rain+Dolomite"]
    got = list(at["Species"].astype(str))
    want = ["S. oymwjrcnepv", "S. iqscjbogxah", "S. ocphawvtlgi", "S. orcxszbujml",
            "S. hbpgtylxqku", "S. tkujbvipoyr", "S. xeqackngdrt", "Non-planted"]
    # the first two are tied (both cell means 7.55 exactly: 3 plots each); asreml's
    # rounding ordered them one way, R's order() on exact ties keeps the level order
    v = dict(zip(got, at["predicted.value"]))
    assert v["S. oymwjrcnepv"] == pytest.approx(v["S. iqscjbogxah"], abs=1e-9)
    assert got[2:] == want[2:] and set(got[:2]) == set(want[:2])
    assert list(n["predictions"]["predicted.value"].sort_values().to_numpy()) == \
        sorted(full["predictions"]["predicted.value"])          # a permutation only
