"""asremlPlus's plotLSDs / plotLSDerrors data (asr_py.compat.plotlsds).

Independent references: asremlPlus's recorded Oats values (tests/testthat/
test41alldiffs.asr.r lines 1194-1234 and 1260-1266: with tdf the Variety denDF, 10, the LSDs
t·SED of the 12 Nitrogen:Variety predictions take two values, 21.64642 between and 17.11869
within whole plots; with the overall mean LSD, none of the 66 pairs is a false positive and
3 are false negatives); the t-test a pair's p-value is (|d| ≥ t·SED ⟺ p ≤ α).
"""

from __future__ import annotations

import numpy as np
import pytest
from _plus_data import OATS_SPLIT_PLOT, oats_data
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def diffs() -> asr.plus.Alldiffs:
    fit = asr.asreml(**OATS_SPLIT_PLOT, data=oats_data())
    p = fit.predict(classify="Nitrogen:Variety", vcov=True)
    return asr.plus.allDifferences(p, "Nitrogen:Variety", vcov=p.attrs["vcov"], tdf=10)


def test_lsds_are_t_times_sed_as_asremlPlus_records(diffs) -> None:
    out = asr.plus.plotLSDs(diffs, factors_per_grid=1, show=False)
    tab = out["LSDs"]
    assert len(tab) == 144 and list(tab.columns) == ["Rows", "Columns", "LSDs"]
    assert list(tab["Rows"].cat.categories) == list(diffs["sed"].index)
    vals = tab["LSDs"].dropna().to_numpy()
    assert np.all((np.abs(vals - 21.64642) < 1e-5) | (np.abs(vals - 17.11869) < 1e-5))
    t = stats.t.ppf(0.975, 10)
    np.testing.assert_allclose(tab["LSDs"].to_numpy()[1], t * diffs["sed"].to_numpy()[1, 0])
    assert len(out["plots"]) == 1


def test_lsd_errors_count_false_negatives_against_p_values(diffs) -> None:
    out = asr.plus.plotLSDerrors(diffs, show=False)
    tab = out["LSDresults"]
    assert list(tab.columns) == ["Rows", "Columns", "LSDresults"]
    assert len(tab) == 144 and tab["LSDresults"].iloc[0] == "na"       # the diagonal
    res = tab["LSDresults"].to_numpy().reshape(12, 12, order="F")
    upper = res[np.triu_indices(12, 1)]
    assert (upper == "FP").sum() == 0 and (upper == "FN").sum() == 3
    assert (upper == "Ok").sum() == 63
    # by hand: significant by the p-value but not by the assigned (overall) LSD
    d = np.abs(diffs["differences"].to_numpy())
    p = diffs["p.differences"].to_numpy()
    lsd = float(diffs["LSD"]["assignedLSD"].iloc[0])
    iu = np.triu_indices(12, 1)
    assert ((d[iu] < lsd) & (p[iu] <= 0.05)).sum() == 3


def test_sections_split_rows_columns_and_plots(diffs) -> None:
    out = asr.plus.plotLSDerrors(diffs, sections="Nitrogen", axis_labels=True, show=False)
    tab = out["LSDresults"]
    assert list(tab.columns) == ["Rows", "Columns", "LSDresults", "sections1", "sections2"]
    assert len(tab["Rows"].cat.categories) == 3
    assert len(tab["sections1"].cat.categories) == 4 and len(out["plots"]) == 4
    lsds = asr.plus.plotLSDs(diffs, sections="Variety", show=False)
    assert len(lsds["plots"]) == 3
    assert len(lsds["LSDs"]["Rows"].cat.categories) == 4


def test_missing_sed_or_unknown_argument_is_a_clear_error(diffs) -> None:
    bare = diffs.copy()
    bare["sed"] = None
    with pytest.raises(AsrError, match="sed component"):
        asr.plus.plotLSDs(bare, show=False)
    with pytest.raises(AsrError, match="unknown argument"):
        asr.plus.plotLSDerrors(diffs, LSDcolour="red", show=False)
