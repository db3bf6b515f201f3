"""asremlPlus's ratioTransform / pairdiffsTransform (asr_py.compat.pairtrans).

Independent references: the Oats data are balanced, so the Nitrogen:Variety predictions of
asremlPlus's split-plot model are the cell means (ratios and differences of cell means,
computed here from the data); asremlPlus's own recorded values (tests/testthat/
test42alldiffsasr.r lines 2424-2425, 2500-2506: ratios 0.6/0.2 1.321561, 1.267343, 1.168971
and differences 0.2-0 18.5, 21.83333 and 0.4-0 39.33333, 34.66667, 30.5); Fieller's limits
as the roots of (a - θb)² = t² Var(a - θb).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _plus_data import OATS_SPLIT_PLOT, oats_data
from scipy import stats

import asr_py as asr
from asr_py.compat.pairtrans import fieller_ratio
from asr_py.errors import AsrError

VARIETIES = ["Victory", "Golden Rain", "Marvellous"]     # the R factor's level order


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = oats_data()
    d["Variety"] = pd.Categorical(d["Variety"], categories=VARIETIES)
    d["Nitrogen"] = pd.Categorical(d["Nitrogen"], categories=["0", "0.2", "0.4", "0.6"])
    return d


@pytest.fixture(scope="module")
def diffs(data: pd.DataFrame) -> asr.plus.Alldiffs:
    fit = asr.asreml(**OATS_SPLIT_PLOT, data=data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.plus.predictPlus(fit, classify="Nitrogen:Variety", pairwise=True,
                                    Vmatrix=True, error_intervals="halfLeast",
                                    LSDtype="factor", LSDby="Variety", tables="none")


def _means(data: pd.DataFrame) -> pd.Series:
    return data.groupby(["Nitrogen", "Variety"], observed=True)["Yield"].mean()


def test_ratios_are_ratios_of_cell_means_and_asremlPlus_recorded(diffs, data) -> None:
    out = asr.plus.ratioTransform(diffs, ratio_factor="Nitrogen", numerator_levels="0.6",
                                  denominator_levels="0.2", tables="none")
    assert list(out) == ["0.6,0.2"]
    r = out["0.6,0.2"]
    m = _means(data)
    assert list(r["Variety"].astype(str)) == VARIETIES
    np.testing.assert_allclose(r["predicted.value"],
                               [m["0.6", v] / m["0.2", v] for v in VARIETIES], rtol=1e-8)
    np.testing.assert_allclose(r["predicted.value"], [1.321561, 1.267343, 1.168971],
                               atol=1e-5)
    assert list(r.columns)[3:5] == ["upper.Confidence.limit", "lower.Confidence.limit"]
    assert r["standard.error"].isna().all()
    assert out["0.2,0"] is None          # R's $ of a name the list does not hold is NULL


def test_fieller_limits_solve_the_fieller_quadratic(diffs) -> None:
    out = asr.plus.ratioTransform(diffs, ratio_factor="Nitrogen", numerator_levels="0.6",
                                  denominator_levels="0.2", tables="none")["0.6,0.2"]
    pred, W = diffs["predictions"], diffs["vcov"].to_numpy()
    t = stats.t.ppf(0.975, diffs.attrs["tdf"])
    for k, v in enumerate(VARIETIES):
        i = np.flatnonzero((pred["Nitrogen"].astype(str) == "0.6") & (pred["Variety"] == v))[0]
        j = np.flatnonzero((pred["Nitrogen"].astype(str) == "0.2") & (pred["Variety"] == v))[0]
        a, b = pred["predicted.value"].iloc[i], pred["predicted.value"].iloc[j]
        lo, up = out["lower.Confidence.limit"].iloc[k], out["upper.Confidence.limit"].iloc[k]
        assert lo < a / b < up
        for th in (lo, up):
            var = W[i, i] - 2 * th * W[i, j] + th ** 2 * W[j, j]
            assert (a - th * b) ** 2 == pytest.approx(t ** 2 * var, rel=1e-8)


def test_fieller_set_unbounded_when_denominator_not_significant() -> None:
    # b / se(b) = 1 < t: the confidence set is not an interval, asremlPlus gives NA limits
    theta, up, lo = fieller_ratio(2.0, 1.0, np.array([[1.0, 0.0], [0.0, 1.0]]), t=1.96)
    assert theta == 2.0 and np.isnan(up) and np.isnan(lo)


def test_ratio_pairs_of_same_level_are_null_and_missing_cells_na(diffs, data) -> None:
    out = asr.plus.ratioTransform(diffs, ratio_factor="Nitrogen",
                                  numerator_levels=["0.2", "0.6"],
                                  denominator_levels=["0.2", "0.6"], tables="none")
    assert list(out) == ["0.2,0.2", "0.6,0.2", "0.2,0.6", "0.6,0.6"]
    assert [v is None for v in out.values()] == [True, False, False, True]
    red = asr.plus.subset_alldiffs(
        diffs, subset=lambda p: ~((p["Variety"] == "Victory") & (p["Nitrogen"] == "0.2")))
    r = asr.plus.ratioTransform(red, ratio_factor="Nitrogen",
                                numerator_levels=["0.2", "0.4", "0.6"],
                                denominator_levels="0", tables="none")["0.2,0"]
    assert list(r["Variety"].astype(str)) == VARIETIES
    assert np.isnan(r["predicted.value"].iloc[0])
    np.testing.assert_allclose(r["predicted.value"].iloc[1:], [1.231250, 1.251923], atol=1e-5)


def test_pairdiffs_are_cell_mean_differences_with_their_sed(diffs, data) -> None:
    red = asr.plus.subset_alldiffs(
        diffs, subset=lambda p: ~((p["Variety"] == "Victory") & (p["Nitrogen"] == "0.2")))
    out = asr.plus.pairdiffsTransform(red, pairs_factor="Nitrogen",
                                      first_levels=["0.2", "0.4", "0.6"], second_levels="0",
                                      error_intervals="halfLeast", tables="none")
    assert list(out) == ["0.2,0", "0.4,0", "0.6,0"]
    d2, d4 = out["0.2,0"], out["0.4,0"]
    assert d2.attrs["classify"] == "Variety"
    assert list(d2["predictions"]["Variety"].astype(str)) == ["Golden Rain", "Marvellous"]
    np.testing.assert_allclose(d2["predictions"]["predicted.value"], [18.5, 21.83333],
                               atol=1e-5)
    m = _means(data)
    np.testing.assert_allclose(d4["predictions"]["predicted.value"],
                               [m["0.4", v] - m["0", v] for v in VARIETIES], rtol=1e-8)
    np.testing.assert_allclose(d4["predictions"]["predicted.value"],
                               [39.33333, 34.66667, 30.5], atol=1e-5)
    assert list(d4["predictions"].columns)[3:5] == ["upper.halfLeastSignificant.limit",
                                                    "lower.halfLeastSignificant.limit"]
    # se of a difference: sqrt(W_ii + W_jj - 2 W_ij) from the predictions' vcov
    pred, W = red["predictions"], red["vcov"].to_numpy()
    lab = (pred["Nitrogen"].astype(str) + "," + pred["Variety"].astype(str)).tolist()
    i, j = lab.index("0.4,Marvellous"), lab.index("0,Marvellous")
    se = np.sqrt(W[i, i] + W[j, j] - 2 * W[i, j])
    assert d4["predictions"]["standard.error"].iloc[2] == pytest.approx(se, rel=1e-10)


def test_bad_factor_or_level_is_a_clear_error(diffs) -> None:
    with pytest.raises(AsrError, match="single factor that is in the classify"):
        asr.plus.ratioTransform(diffs, ratio_factor="Blocks", numerator_levels="0.6",
                                denominator_levels="0.2", tables="none")
    with pytest.raises(AsrError, match=r"\['0.8'\] are not levels of Nitrogen"):
        asr.plus.pairdiffsTransform(diffs, pairs_factor="Nitrogen", first_levels="0.8",
                                    second_levels="0", tables="none")


def test_translate_maps_the_calls_and_their_dotted_arguments(diffs, data) -> None:
    from asr_py.translate import translate

    py = translate('r <- ratioTransform.alldiffs(alldiffs.obj = d, ratio.factor = "Nitrogen",'
                   ' numerator.levels = "0.6", denominator.levels = "0.2")\n'
                   'p <- pairdiffsTransform(d, pairs.factor = "Nitrogen", first.levels = "0.6",'
                   ' second.levels = "0.2", error.intervals = "halfLeast", tables = "none")\n')
    assert "asr.plus.ratioTransform(" in py and "asr.plus.pairdiffsTransform(" in py
    ns = {"d": diffs}
    exec(py, ns)
    m = _means(data)
    np.testing.assert_allclose(ns["p"]["0.6,0.2"]["predictions"]["predicted.value"],
                               [m["0.6", v] - m["0.2", v] for v in VARIETIES], rtol=1e-8)
    np.testing.assert_allclose(ns["r"]["0.6,0.2"]["predicted.value"],
                               [m["0.6", v] / m["0.2", v] for v in VARIETIES], rtol=1e-8)


def test_sort_predictions_frame_by_its_S3_name(diffs, data) -> None:
    """asremlPlus's sort.predictions.frame (test42Sortalldiffs.r line 209 records
    "Marvellous" first): the Variety levels by decreasing cell mean at Nitrogen 0."""
    from asr_py.translate import translate

    py = translate('s <- sort.predictions.frame(p, classify = "Nitrogen:Variety", '
                   'sortFactor = "Variety", decreasing = TRUE)\n')
    ns = {"p": diffs["predictions"]}
    exec(py, ns)
    m = _means(data)["0"].sort_values(ascending=False)
    assert list(ns["s"].attrs["sortOrder"]) == list(m.index)
    assert str(ns["s"]["Variety"].iloc[0]) == "Marvellous" == m.index[0]
