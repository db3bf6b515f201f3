"""findLSDminerrors (asr.plus.findLSDminerrors) against the asreml 4.2 numbers asremlPlus's
testthat file records: briencj/asremlPlus tests/testthat/test42alldiffsasr.r, test
"exploreLSDWater4" (lines 1180-1262 at commit b936278): pH of WaterRunoff.dat
(fetched asremlplus_waterrunoff.csv), pH ~ Benches + Sources*(Type + Species), random
Benches:MainPlots removed by rmboundary, predictPlus(classify = "Sources:Type", present =
Sources, Type, Species):

* overall: LSD 0.3238331, false.pos 1, false.neg 24, criterion 34 (tolerance 1e-5);
* false.pos.wt = 30: 0.3870779, 0, 36, 36;
* by Sources: criteria 0, 0, 1, 0, 1, 1 and supplied back, assigned LSDs 0.1982634,
  0.2770138, 0.2680011, 0.2978220, 0.2949564, 0.2464056 (tolerance 1e-4);
* by Sources with false.pos.wt = c(5,5,0,5,1,1): false.pos 0,0,1,0,0,0, criteria 0,0,0,0,1,1.

The counts are also checked by a brute-force count over the pairs here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats
from test_compat_plus_recorded import LEVELS, _water_data, _water_tests

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def ts_diffs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _water_tests(_water_data())
        return asr.plus.predictPlus(t["asreml.obj"], "Sources:Type", wald_tab=t["wald.tab"],
                                    present=["Sources", "Type", "Species"], tables="none")


def test_overall_as_recorded(ts_diffs) -> None:
    al = asr.plus.findLSDminerrors(ts_diffs)
    assert list(al.index) == ["overall"]
    np.testing.assert_allclose(al.iloc[0].to_numpy(float), [0.3238331, 1, 24, 34], atol=1e-5)
    wt = asr.plus.findLSDminerrors(ts_diffs, false_pos_wt=30)
    np.testing.assert_allclose(wt.iloc[0].to_numpy(float), [0.3870779, 0, 36, 36], atol=1e-5)
    # brute force: the counts at the LSD found
    S = ts_diffs["sed"].to_numpy()
    t = stats.t.ppf(0.975, ts_diffs.attrs["tdf"])
    p = ts_diffs["predictions"]["predicted.value"].to_numpy()
    fp = fn = 0
    L = float(al["LSD"].iloc[0])
    for i in range(len(p)):
        for j in range(i + 1, len(p)):
            if np.isnan(S[i, j]):
                continue
            actual, approx = abs(p[i] - p[j]) >= t * S[i, j], abs(p[i] - p[j]) >= L
            fp += (not actual) and approx
            fn += actual and not approx
    assert (fp, fn) == (1, 24)


def test_by_sources_as_recorded(ts_diffs) -> None:
    m = asr.plus.findLSDminerrors(ts_diffs, LSDtype="factor.combinations", LSDby="Sources")
    assert list(m.index) == LEVELS["Sources"]
    assert m["false.criterion"].tolist() == [0, 0, 1, 0, 1, 1]
    back = asr.plus.redoErrorIntervals(ts_diffs, LSDtype="supplied", LSDby="Sources",
                                       LSDsupplied=m[["LSD"]])
    np.testing.assert_allclose(back["LSD"]["assignedLSD"],
                               [0.1982634, 0.2770138, 0.2680011, 0.2978220, 0.2949564,
                                0.2464056], atol=1e-4)
    w = asr.plus.findLSDminerrors(ts_diffs, LSDtype="factor.combinations", LSDby="Sources",
                                  false_pos_wt=[5, 5, 0, 5, 1, 1])
    assert w["false.pos"].tolist() == [0, 0, 1, 0, 0, 0]
    assert w["false.criterion"].tolist() == [0, 0, 0, 0, 1, 1]
    with pytest.raises(AsrError, match="false.pos.wt"):
        asr.plus.findLSDminerrors(ts_diffs, LSDtype="factor", LSDby="Sources",
                                  false_pos_wt=[1, 2])
    with pytest.raises(AsrError, match="LSDby"):
        asr.plus.findLSDminerrors(ts_diffs, LSDtype="factor", LSDby="Nope")
