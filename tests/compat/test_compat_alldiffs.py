"""asr.plus's alldiffs family (predictPlus, allDifferences, redoErrorIntervals, recalcLSD,
backtransforms, sort, renewClassify, linTransform, plotPvalues) against independent
computations from the prediction variance matrix in numpy: SEDs, t-quantiles and p-values
from scipy, LSD statistics by explicit loops over the pairs, GLS means, the delta method by
finite differences; and invariances (row order, units of the response, factor labels)."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def oats() -> pd.DataFrame:
    """Yates' oats split plot: Nitrogen (4) x Variety (3) in Blocks/whole plots."""
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d["WP"] = d["B"] + "_" + d["V"]
    return d


@pytest.fixture(scope="module")
def fit(oats: pd.DataFrame):
    return asr.asreml("Y ~ N*V", random="~ B + B:WP", data=oats)


@pytest.fixture(scope="module")
def diffs(fit):
    w = fit.wald(denDF="numeric")
    return asr.plus.predictPlus(fit, "N:V", wald_tab=w, Vmatrix=True)


def _lsd_by_loops(sed: np.ndarray, dif: np.ndarray, t: float) -> dict[str, float]:
    s, d = [], []
    for i, j in itertools.combinations(range(sed.shape[0]), 2):
        s.append(sed[i, j])
        d.append(dif[i, j])
    s, d = np.array(s), np.array(d)
    mean = t * np.sqrt(np.sum(s ** 2) / len(s))
    fp = sum(1 for a, b in zip(s, d) if abs(b) < t * a and abs(b) >= mean)
    fn = sum(1 for a, b in zip(s, d) if abs(b) >= t * a and abs(b) < mean)
    return {"c": len(s), "minLSD": t * min(s), "meanLSD": mean, "maxLSD": t * max(s),
            "accuracyLSD": max(abs(t * a - mean) for a in s) / mean, "falsePos": fp,
            "falseNeg": fn}


def test_predictPlus_matches_predict_and_vcov(fit, diffs) -> None:
    p = fit.predict("N:V", sed=True, vcov=True)
    pred = diffs["predictions"]
    assert list(pred.columns[:2]) == ["N", "V"]
    np.testing.assert_allclose(pred["predicted.value"], p["predicted.value"], rtol=1e-12)
    np.testing.assert_allclose(pred["standard.error"], p["std.error"], rtol=1e-12)
    W = p.attrs["vcov"].to_numpy()
    d = np.diag(W)
    sed = np.sqrt(d[:, None] + d[None, :] - 2 * W)
    np.fill_diagonal(sed, np.nan)
    np.testing.assert_allclose(diffs["sed"].to_numpy(), sed, rtol=1e-10)
    labs = [f"{a},{b}" for a, b in zip(p["N"], p["V"])]
    assert list(diffs["sed"].index) == labs
    assert asr.plus.validAlldiffs(diffs) is True and asr.plus.is_alldiffs(diffs)


def test_tdf_is_wald_denDF_of_the_term(fit, diffs) -> None:
    w = fit.wald(denDF="numeric")
    assert diffs.attrs["tdf"] == pytest.approx(float(w.loc["N:V", "denDF"]))
    # term given in another factor order is the same term
    d2 = asr.plus.predictPlus(fit, "V:N", wald_tab=w)
    assert d2.attrs["tdf"] == pytest.approx(diffs.attrs["tdf"])
    # no Wald table: residual df n - rank(X) = 72 - 12, with asremlPlus's warning
    with pytest.warns(Warning, match="dDF.fault method residual"):
        d3 = asr.plus.predictPlus(fit, "N")
    assert d3.attrs["tdf"] == 60


def test_p_differences_and_overall_lsd(diffs) -> None:
    tdf = diffs.attrs["tdf"]
    sed, dif = diffs["sed"].to_numpy(), diffs["differences"].to_numpy()
    pv = diffs["predictions"]["predicted.value"].to_numpy()
    np.testing.assert_allclose(dif, pv[:, None] - pv[None, :], atol=1e-12)
    i, j = 0, 5
    p_ij = 2 * (1 - stats.t.cdf(abs(pv[i] - pv[j]) / sed[i, j], tdf))
    assert diffs["p.differences"].iloc[i, j] == pytest.approx(p_ij, rel=1e-10)
    t = stats.t.ppf(0.975, tdf)
    ref = _lsd_by_loops(sed, dif, t)
    got = diffs["LSD"].loc["overall"]
    for k, v in ref.items():
        assert got[k] == pytest.approx(v, rel=1e-10), k
    assert got["assignedLSD"] == pytest.approx(ref["meanLSD"], rel=1e-12)


def test_confidence_and_standard_error_intervals(diffs) -> None:
    pred = diffs["predictions"]
    t = stats.t.ppf(0.975, diffs.attrs["tdf"])
    np.testing.assert_allclose(pred["upper.Confidence.limit"],
                               pred["predicted.value"] + t * pred["standard.error"])
    np.testing.assert_allclose(pred["lower.Confidence.limit"],
                               pred["predicted.value"] - t * pred["standard.error"])
    assert pred.columns[-1] == "est.status"
    se = asr.plus.redoErrorIntervals(diffs, "Stand")      # R's partial option name
    np.testing.assert_allclose(se["predictions"]["upper.StandardError.limit"]
                               - se["predictions"]["predicted.value"], pred["standard.error"])
    assert not any(c.endswith("Confidence.limit") for c in se["predictions"].columns)
    # the object passed is unchanged
    assert "upper.Confidence.limit" in diffs["predictions"].columns


def test_half_lsd_intervals_and_avsed_tolerance(diffs) -> None:
    # split plot: SEDs within and between whole plots differ: (max - min)/mean LSD = 0.22
    lsd = diffs["LSD"].loc["overall"]
    rng = (lsd["maxLSD"] - lsd["minLSD"]) / lsd["meanLSD"]
    assert 0.2 < rng < 0.25
    with pytest.warns(Warning, match="avsed.tolerance is exceeded"):
        r = asr.plus.redoErrorIntervals(diffs, "halfLeast", avsed_tolerance=0.2)
    assert "upper.Confidence.limit" in r["predictions"].columns
    h = asr.plus.redoErrorIntervals(diffs, "halfLeast")
    width = h["predictions"]["upper.halfLeastSignificant.limit"] - \
        h["predictions"]["lower.halfLeastSignificant.limit"]
    np.testing.assert_allclose(width, lsd["meanLSD"])


def test_factor_combination_and_per_prediction_lsds(diffs) -> None:
    t = stats.t.ppf(0.975, diffs.attrs["tdf"])
    f = asr.plus.recalcLSD(diffs, LSDtype="factor", LSDby="V")
    pred = diffs["predictions"]
    assert list(f["LSD"].index) == list(dict.fromkeys(pred["V"].astype(str)))
    sed, dif = diffs["sed"].to_numpy(), diffs["differences"].to_numpy()
    for v in f["LSD"].index:
        idx = np.flatnonzero(pred["V"].astype(str).to_numpy() == v)
        ref = _lsd_by_loops(sed[np.ix_(idx, idx)], dif[np.ix_(idx, idx)], t)
        for k in ("c", "minLSD", "meanLSD", "maxLSD", "falsePos", "falseNeg"):
            assert f["LSD"].loc[v, k] == pytest.approx(ref[k], rel=1e-10)
    # within a variety every pair is a sub-plot comparison: one SED, so intervals are exact
    h = asr.plus.redoErrorIntervals(f, "halfLeast")
    half = (h["predictions"]["upper.halfLeastSignificant.limit"]
            - h["predictions"]["predicted.value"]).to_numpy()
    want = f["LSD"].loc[pred["V"].astype(str), "assignedLSD"].to_numpy() / 2
    np.testing.assert_allclose(half, want)
    pp = asr.plus.recalcLSD(diffs, LSDtype="per.prediction", LSDstatistic="max")
    o = np.arange(len(pred)) != 3
    assert pp["LSD"].iloc[3]["maxLSD"] == pytest.approx(t * np.max(sed[3, o]))
    assert pp["LSD"].iloc[3]["assignedLSD"] == pytest.approx(t * np.max(sed[3, o]))
    q = asr.plus.recalcLSD(diffs, LSDstatistic="q10")
    iu = np.triu_indices(len(pred), 1)
    assert q["LSD"]["assignedLSD"].iloc[0] == pytest.approx(t * np.quantile(sed[iu], 0.1))


def test_backtransforms_delta_method(oats: pd.DataFrame) -> None:
    d = oats.assign(lY=np.log(oats["Y"]), sY=np.sqrt(oats["Y"] + 2.0))
    for col, kw, inv in (("lY", {"transform_power": 0}, np.exp),
                         ("sY", {"transform_power": 0.5, "offset": 2.0},
                          lambda z: z ** 2 - 2.0)):
        m = asr.asreml(f"{col} ~ N*V", random="~ B + B:WP", data=d)
        a = asr.plus.predictPlus(m, "N", wald_tab=m.wald(denDF="numeric"), **kw)
        z = a["predictions"]["predicted.value"].to_numpy()
        se = a["predictions"]["standard.error"].to_numpy()
        bt = a["backtransforms"]
        np.testing.assert_allclose(bt["backtransformed.predictions"], inv(z), rtol=1e-12)
        h = 1e-6
        deriv = (inv(z + h) - inv(z - h)) / (2 * h)
        np.testing.assert_allclose(bt["standard.error"], np.abs(deriv) * se, rtol=1e-6)
        np.testing.assert_allclose(bt["upper.Confidence.limit"],
                                   inv(a["predictions"]["upper.Confidence.limit"]), rtol=1e-12)


def test_sort_follows_predictions_at_a_combination(diffs) -> None:
    pred = diffs["predictions"]
    at = pred[pred["N"].astype(str) == "0.6"]
    want = list(at.sort_values("predicted.value", ascending=False)["V"].astype(str))
    s = asr.plus.sort(diffs, sortFactor="V", sortParallelToCombo={"N": "0.6"},
                      decreasing=True)
    assert s.attrs["sortOrder"] == want
    assert list(dict.fromkeys(s["predictions"]["V"].astype(str))) == want
    # every component follows: the same pair has the same SED and p-value
    a, b = "0.2,Victory", "0.6,Marvellous"
    assert s["sed"].loc[a, b] == diffs["sed"].loc[a, b]
    assert s["p.differences"].loc[b, a] == diffs["p.differences"].loc[b, a]
    lab = [f"{x},{y}" for x, y in zip(s["predictions"]["N"], s["predictions"]["V"])]
    assert list(s["sed"].index) == lab
    # supplied order; then renewClassify puts V first
    s2 = asr.plus.sort(diffs, sortFactor="V", sortOrder=want[::-1])
    assert s2.attrs["sortOrder"] == want[::-1]
    r = asr.plus.renewClassify(s2, "V:N")
    assert list(r["predictions"].columns[:2]) == ["V", "N"]
    assert list(dict.fromkeys(r["predictions"]["V"].astype(str))) == want[::-1]
    assert r["sed"].loc["Victory,0.2", "Marvellous,0.6"] == diffs["sed"].loc[a, b]
    # R's sort on a vector
    assert asr.plus.sort([3, 1, 2], decreasing=True) == [3, 2, 1]


def test_linTransform_matrix_and_submodel(diffs) -> None:
    W = diffs["vcov"].to_numpy()
    p = diffs["predictions"]["predicted.value"].to_numpy()
    L = np.zeros((2, len(p)))
    L[0, :3], L[1, 3:6] = 1 / 3, 1 / 3
    lt = asr.plus.linTransform(diffs, L, Vmatrix=True)
    np.testing.assert_allclose(lt["predictions"]["predicted.value"], L @ p)
    np.testing.assert_allclose(lt["vcov"].to_numpy(), L @ W @ L.T)
    one = asr.plus.linTransform(diffs, "~ 1")
    Wi = np.linalg.inv(W)
    gls = (np.ones(len(p)) @ Wi @ p) / (np.ones(len(p)) @ Wi @ np.ones(len(p)))
    np.testing.assert_allclose(one["predictions"]["predicted.value"], gls, rtol=1e-10)
    # the additive submodel N + V: the GLS projection
    X = pd.get_dummies(diffs["predictions"][["N", "V"]], drop_first=True).to_numpy(float)
    X = np.column_stack([np.ones(len(p)), X])
    fitted = X @ np.linalg.solve(X.T @ Wi @ X, X.T @ Wi @ p)
    add = asr.plus.linTransform(diffs, "~ N + V")
    np.testing.assert_allclose(add["predictions"]["predicted.value"], fitted, rtol=1e-10)


def test_plotPvalues_table(diffs) -> None:
    """asremlPlus's $pvalues: every ordered pair (R's melt of the matrix; diagonal NA), the
    other triangle NA with triangles=; with sections the pairs are relabelled within them."""
    tab = asr.plus.plotPvalues(diffs, show=False)["pvalues"]
    n = len(diffs["predictions"])
    assert len(tab) == n * n and int(tab["p"].notna().sum()) == n * (n - 1)
    row = tab[(tab["Rows"] == "0,Victory") & (tab["Columns"] == "0.2,Victory")]
    assert float(row["p"].iloc[0]) == diffs["p.differences"].loc["0,Victory", "0.2,Victory"]
    up = asr.plus.plotPvalues(diffs, triangles="upper", show=False)["pvalues"]
    assert int(up["p"].notna().sum()) == n * (n - 1) // 2
    P = diffs["p.differences"].to_numpy()
    np.testing.assert_array_equal(up["p"].to_numpy(), np.where(
        np.triu(np.ones((n, n), bool), 1), P, np.nan).ravel(order="F"))
    sec = asr.plus.plotPvalues(diffs, sections="V", show=False)
    within = sec["pvalues"]
    assert list(within.columns) == ["Rows", "Columns", "p", "sections1", "sections2"]
    assert len(within) == n * n
    assert int((within["sections1"] == within["sections2"]).sum()) == 3 * 4 * 4
    assert set(within["Rows"].astype(str)) == {"0", "0.2", "0.4", "0.6"}
    assert sorted(sec["plots"]) == sorted(diffs["predictions"]["V"].astype(str).unique())


def test_invariances(oats: pd.DataFrame, diffs) -> None:
    rng = np.random.default_rng(1)
    shuffled = oats.iloc[rng.permutation(len(oats))].reset_index(drop=True)
    m = asr.asreml("Y ~ N*V", random="~ B + B:WP", data=shuffled)
    d2 = asr.plus.predictPlus(m, "N:V", wald_tab=m.wald(denDF="numeric"))
    np.testing.assert_allclose(d2["predictions"]["predicted.value"],
                               diffs["predictions"]["predicted.value"], rtol=1e-6)
    np.testing.assert_allclose(d2["p.differences"].to_numpy(),
                               diffs["p.differences"].to_numpy(), rtol=1e-5, atol=1e-12)
    # units: y in another unit scales predictions and LSDs, p-values do not change
    m10 = asr.asreml("Y ~ N*V", random="~ B + B:WP", data=oats.assign(Y=oats["Y"] * 10))
    d10 = asr.plus.predictPlus(m10, "N:V", wald_tab=m10.wald(denDF="numeric"))
    np.testing.assert_allclose(d10["LSD"]["meanLSD"], 10 * diffs["LSD"]["meanLSD"], rtol=1e-5)
    np.testing.assert_allclose(d10["p.differences"].to_numpy(),
                               diffs["p.differences"].to_numpy(), rtol=1e-4, atol=1e-12)
    # factor labels: renamed varieties give the same numbers under the new labels
    ren = oats.assign(V=oats["V"].map({"Victory": "v1", "GoldenRain": "v2",
                                       "Marvellous": "v3"}).fillna(oats["V"]))
    ren["WP"] = ren["B"] + "_" + ren["V"]
    mr = asr.asreml("Y ~ N*V", random="~ B + B:WP", data=ren)
    dr = asr.plus.predictPlus(mr, "N:V", wald_tab=mr.wald(denDF="numeric"))
    assert dr["LSD"]["meanLSD"].iloc[0] == pytest.approx(diffs["LSD"]["meanLSD"].iloc[0],
                                                         rel=1e-5)


def test_bad_input_errors(fit, diffs) -> None:
    with pytest.raises(AsrError, match="needs an asr.asreml"):
        asr.plus.predictPlus("not a fit", "N")
    with pytest.raises(AsrError, match="error_intervals"):
        asr.plus.redoErrorIntervals(diffs, "wide")
    with pytest.raises(AsrError, match="sortOrder"):
        asr.plus.sort(diffs, sortFactor="V", sortOrder=["Victory"])
    with pytest.raises(AsrError, match="several variables"):
        asr.plus.sort(diffs)
    with pytest.raises(AsrError, match="no vcov"):
        w = fit.wald(denDF="numeric")
        asr.plus.linTransform(asr.plus.predictPlus(fit, "N", wald_tab=w), "~ 1")
    with pytest.raises(AsrError, match="neither sed nor vcov"):
        asr.plus.allDifferences(fit.predict("N"), "N", tdf=10)
    with pytest.raises(AsrError, match="not supported"):
        asr.plus.predictPlus(fit, "N", bogus=1)
    with pytest.raises(AsrError, match="LSDby"):
        asr.plus.recalcLSD(diffs, LSDtype="factor")
    assert isinstance(asr.plus.validAlldiffs(pd.DataFrame()), str)


def test_allDifferences_drops_inestimable_and_warns_without_tdf(fit) -> None:
    p = fit.predict("N:V", sed=True)
    p.loc[0, "status"] = "Aliased"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = asr.plus.allDifferences(p, "N:V", sed=p.attrs["sed"], tdf=30)
    assert len(a["predictions"]) == 11 and a["sed"].shape == (11, 11)
    with pytest.warns(Warning, match="degrees of freedom"):
        b = asr.plus.allDifferences(p, "N:V", sed=p.attrs["sed"])
    assert b["p.differences"] is None and b["LSD"] is None
    assert p.loc[0, "status"] == "Aliased" and len(p) == 12     # not mutated


def test_single_prediction_combinations_get_the_two_independent_predictions_lsd(diffs) -> None:
    """asremlPlus: a combination with one prediction has LSD t·√2·se (c = 0)."""
    with pytest.warns(Warning, match="single prediction"):
        f = asr.plus.recalcLSD(diffs, LSDtype="factor", LSDby=["N", "V"])
    t = stats.t.ppf(0.975, diffs.attrs["tdf"])
    se = diffs["predictions"]["standard.error"].to_numpy()
    np.testing.assert_allclose(f["LSD"]["assignedLSD"], t * np.sqrt(2) * se)
    assert (f["LSD"]["c"] == 0).all() and f["LSD"]["falsePos"].isna().all()


def test_renewClassify_needs_variables_that_identify_the_predictions(diffs) -> None:
    with pytest.raises(AsrError, match="identify each prediction"):
        asr.plus.renewClassify(diffs, "N")
    s = asr.plus.renewClassify(diffs, "V:N", sortFactor="N", decreasing=True)
    pred = diffs["predictions"]
    first_v = pred[pred["V"] == s["predictions"]["V"].iloc[0]]
    want = list(first_v.sort_values("predicted.value", ascending=False)["N"].astype(str))
    assert s.attrs["sortOrder"] == want


def test_intercept_classify_is_the_mean_of_the_cell_predictions(fit, diffs) -> None:
    """asreml 4.2's classify = "Intercept" (and "(Intercept)"): the overall mean, equal in a
    balanced design to the mean of the 12 cell predictions."""
    mean = diffs["predictions"]["predicted.value"].mean()
    for cls in ("(Intercept)", "Intercept"):
        with pytest.warns(Warning, match="dDF.fault"):
            d = asr.plus.predictPlus(fit, cls)
        assert len(d["predictions"]) == 1
        assert d["predictions"]["predicted.value"].iloc[0] == pytest.approx(mean, rel=1e-10)


def test_x_fac_becomes_numeric(fit) -> None:
    """asremlPlus's x.fac: a factor with numeric levels is given as numbers (as.numfac), or
    as x.plot.values per level; predictions and SEDs are unchanged."""
    w = fit.wald(denDF="numeric")
    base = asr.plus.predictPlus(fit, "N", wald_tab=w)
    d = asr.plus.predictPlus(fit, "N", wald_tab=w, x_fac="N")
    assert list(d["predictions"]["N"]) == [0.0, 0.2, 0.4, 0.6]
    np.testing.assert_allclose(d["predictions"]["predicted.value"],
                               base["predictions"]["predicted.value"])
    p = asr.plus.predictPlus(fit, "N", wald_tab=w, x_fac="N", x_plot_values=[0, 20, 40, 60])
    assert list(p["predictions"]["N"]) == [0.0, 20.0, 40.0, 60.0]
    with pytest.raises(AsrError, match="x_plot_values has 2 values"):
        asr.plus.predictPlus(fit, "N", wald_tab=w, x_fac="N", x_plot_values=[1, 2])
    with pytest.raises(AsrError, match="not numeric"):
        asr.plus.predictPlus(fit, "V", wald_tab=w, x_fac="V")


def test_meanlsd_type_of_older_asremlplus_is_lsdtype(fit) -> None:
    # UIUC wheat scripts (2021): predictPlus(mod, classify, meanLSD.type='factor.combination',
    # LSDby = 'trait') for asremlPlus < 4.3, whose meanLSD.type 4.3 renamed LSDtype
    w = fit.wald(denDF="numeric")
    new = asr.plus.predictPlus(fit, "N:V", wald_tab=w, LSDtype="factor.combinations",
                               LSDby="V")
    with pytest.warns(asr.AsrWarning, match="meanLSD.type"):
        old = asr.plus.predictPlus(fit, "N:V", wald_tab=w, meanLSD_type="factor.combination",
                                   LSDby="V")
    assert old.attrs["LSDtype"] == "factor.combinations"
    pd.testing.assert_frame_equal(old["LSD"], new["LSD"])
    with pytest.raises(AsrError, match="both meanLSD.type and LSDtype"):
        asr.plus.predictPlus(fit, "N:V", wald_tab=w, LSDtype="per.prediction",
                             meanLSD_type="overall")
