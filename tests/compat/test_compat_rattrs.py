"""R attributes of asremlPlus objects (asr_py.compat.rattrs): what asremlPlus's source
sets on an alldiffs object, its predictions and its backtransforms, in which cases,
with which values. Sources cited are briencj/asremlPlus R/alldiffs.v5.r (commit b936278);
the LSD values are recomputed here from fit.predict's SED matrix: the mean LSD is
t·sqrt(mean(SED²)) (R/LSDutilities.R line 263)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr
from asr_py.compat.rattrs import PREDICT_HEADING, Boxed, attributes, box, set_attr

DATA = Path(__file__).resolve().parents[1] / "data"
LSD_ATTRS = {"LSDtype", "LSDby", "LSDstatistic", "LSDaccuracy", "avsed.tolerance",
             "accuracy.threshold", "LSDvalues"}


@pytest.fixture(scope="module")
def fit(oats_fit):
    return oats_fit  # tests/compat/conftest.py


@pytest.fixture(scope="module")
def wald(fit):
    return fit.wald(denDF="numeric")


@pytest.fixture(scope="module")
def sed(fit) -> np.ndarray:
    return np.asarray(fit.predict("N:V", sed=True).attrs["sed"], dtype=float)


def _t(obj) -> float:
    return float(stats.t.ppf(0.975, obj.attrs["tdf"]))


def test_predict_heading_is_one_text(fit) -> None:
    # asreml 4.2's pvals carry a one-element "heading" (test42alldiffsasr.r line 57 says 1)
    p = fit.predict("N:V")
    assert p.attrs["heading"] == [PREDICT_HEADING]
    att = attributes(p)
    assert list(att)[:3] == ["names", "class", "row.names"] and "heading" in att
    assert "vcov" not in att and "sed" not in att     # asr's bookkeeping is no attribute


def test_half_lsd_overall_attributes_and_values(fit, wald, sed) -> None:
    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald, error_intervals="half")
    pa = attributes(x["predictions"])
    # alldiffs.v5.r 2056-2063: the LSD attributes; LSDby NULL is no attribute
    assert LSD_ATTRS - {"LSDby"} <= set(pa) and "LSDby" not in pa
    assert pa["LSDtype"] == "overall" and pa["LSDstatistic"] == "mean"
    assert pa["LSDaccuracy"] == "maxAbsDeviation" and pa["avsed.tolerance"] == 0.25
    assert np.isnan(pa["accuracy.threshold"])           # R's NA default
    iu = np.triu_indices(len(sed), 1)
    assert pa["LSDvalues"] == pytest.approx(_t(x) * np.sqrt(np.mean(sed[iu] ** 2)), rel=1e-9)
    assert len(pa["heading"]) == 1                       # kept (2100)
    # 2095-2099: the object's attributes (names(attributes(diffs)) in test42 line 1002)
    assert set(attributes(x)) == {"names", "class", "response", "response.title", "term",
                                  "classify", "tdf", "alpha", "LSDtype", "LSDstatistic",
                                  "LSDaccuracy"}
    assert asr.plus.attr(x["predictions"], "LSDvalues") == pa["LSDvalues"]
    assert asr.plus.attr(x["predictions"], "LSDval") == pa["LSDvalues"]   # partial match


def test_factor_combinations_lsdvalues_named_by_lsdby(fit, wald, sed) -> None:
    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald, error_intervals="half",
                             LSDtype="factor.combinations", LSDby="N")
    lv = asr.plus.attr(x["predictions"], "LSDvalues")
    pred = x["predictions"]
    n = pred["N"].astype(str).to_numpy()
    assert list(lv.index) == list(dict.fromkeys(n))       # named by the LSDby levels
    for lev in lv.index:
        i = np.flatnonzero(n == lev)
        s = sed[np.ix_(i, i)][np.triu_indices(len(i), 1)]
        assert lv[lev] == pytest.approx(_t(x) * np.sqrt(np.mean(s ** 2)), rel=1e-9)
    assert asr.plus.attr(x["predictions"], "LSDby") == "N"


def test_confidence_intervals_set_no_lsd_attributes(fit, wald) -> None:
    y = asr.plus.predictPlus(fit, "N:V", wald_tab=wald, error_intervals="Confidence")
    pa = attributes(y["predictions"])
    # alldiffs.v5.r 2054-2063 run only for halfLeastSignificant intervals
    assert not (LSD_ATTRS & set(pa)) and len(pa["heading"]) == 1
    assert {"LSDtype", "LSDstatistic", "LSDaccuracy"} <= set(attributes(y))
    # x[, -cols] removing the old intervals keeps only row.names and class (base R's
    # `[.data.frame` with i missing), the heading is put back (2100): a Confidence redo of
    # halfLSD predictions has no LSD attributes
    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald, error_intervals="half")
    z = asr.plus.redoErrorIntervals(x, error_intervals="Confidence")
    assert "upper.Confidence.limit" in z["predictions"].columns
    za = attributes(z["predictions"])
    assert not (LSD_ATTRS & set(za)) and len(za["heading"]) == 1


def test_backtransform_attributes(fit, wald) -> None:
    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald, error_intervals="half",
                             transform_power=0, offset=1)
    bt, pr = x["backtransforms"], x["predictions"]
    ba = attributes(bt)
    # 2533: no LSDvalues; 2720-2730: the predictions' LSD attributes and the transform
    assert "LSDvalues" not in ba and ba["LSDtype"] == "overall"
    assert (ba["transform.power"], ba["offset"], ba["scale"]) == (0, 1, 1)
    assert ba["transform.function"] == "identity"
    np.testing.assert_allclose(bt["backtransformed.predictions"],
                               np.exp(pr["predicted.value"]) - 1, rtol=1e-12)
    assert "transform.power" not in attributes(x)     # not an attribute of the object


def test_lintransform_prepends_a_heading_line(fit, wald) -> None:
    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald, linear_transformation="~ N + V")
    hd = asr.plus.attr(x["predictions"], "heading")
    assert len(hd) == 2 and hd[1] == PREDICT_HEADING
    assert hd[0].endswith("linearly transformed to form estimated marginal means.")


def test_faccombine_of_the_lsdby_factors(fit, wald, sed) -> None:
    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald, error_intervals="half",
                             LSDtype="factor.combinations", LSDby=["N", "V"],
                             avsed_tolerance=None)
    c = asr.plus.facCombine(x, factors=["N", "V"])
    assert list(c["predictions"].columns[:1]) == ["N_V"] and c.attrs["classify"] == "N_V"
    assert c.attrs["LSDby"] == "N_V"
    assert asr.plus.attr(c["predictions"], "LSDby") == "N_V"
    lv = asr.plus.attr(c["predictions"], "LSDvalues")
    labs = (x["predictions"]["N"].astype(str) + "_" + x["predictions"]["V"].astype(str))
    # named by the levels of the combined factor (dae's fac.combine: standard order)
    assert list(lv.index) == list(c["predictions"]["N_V"].cat.categories)
    assert sorted(lv.index) == sorted(labs)
    # one prediction per combination: the LSD is that of its comparisons with nothing,
    # asremlPlus's zero LSD; the matrices are relabelled
    assert list(c["sed"].index) == list(labs)
    np.testing.assert_allclose(np.nan_to_num(c["sed"].to_numpy()),
                               np.nan_to_num(x["sed"].to_numpy()))


def test_faccombine_refuses_lsd_settings(fit, wald) -> None:
    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald)
    with pytest.raises(asr.AsrError, match="redoErrorIntervals"):
        asr.plus.facCombine(x, factors=["N", "V"], avsed_tolerance=None)


def test_boxed_values_let_pandas_concatenate() -> None:
    a = pd.DataFrame({"x": [1.0]})
    b = pd.DataFrame({"x": [2.0]})
    a.attrs["v"], b.attrs["v"] = box(np.array([1.0, 2.0])), box(np.array([1.0, 2.0]))
    out = pd.concat([a, b])                # pandas compares the attrs: no ambiguous truth
    assert out.attrs["v"] == Boxed(np.array([1.0, 2.0]))
    assert box(np.nan) == box(np.nan) and box(np.array([1.0])) != box(np.array([2.0]))


def test_set_attr_null_removes_and_errors_name_the_type() -> None:
    d = set_attr(pd.DataFrame({"x": [1]}), "heading", ["h"])
    assert attributes(d)["heading"] == ["h"]
    assert "heading" not in attributes(set_attr(d, "heading", None))
    with pytest.raises(asr.AsrError, match="int"):
        set_attr(3, "a", 1)


def test_getformulae_as_character_is_r_formula_layout(fit) -> None:
    from asr_py.translate.runtime import r_labels

    f = asr.plus.getFormulae(fit)
    # R: as.character(~ B + B:WP) is c("~", "B + B:WP"); of y ~ x, c("~", "y", "x")
    assert r_labels(f["random"]) == ["~", "B + B:WP"]
    assert r_labels(f["fixed"]) == ["~", "Y", "N*V"]
    assert f["random"] == fit.call["random"]          # still the formula's text


def test_r_class_of_emulated_objects(fit, wald) -> None:
    from asr_py.translate.runtime import r_class

    x = asr.plus.predictPlus(fit, "N:V", wald_tab=wald)
    # R/alldiffs.v5.r 159 (as.predictions.frame) and 296 (as.alldiffs)
    assert r_class(x["predictions"]) == ["predictions.frame", "asreml.predict", "data.frame"]
    assert r_class(x) == ["alldiffs", "list"] and r_class(fit) == "asreml"
    assert r_class(pd.DataFrame({"a": [1]})) == "data.frame"
    assert r_class(pd.Series(["a"], dtype="category")) == "factor"
    assert r_class(np.eye(2)) == ["matrix", "array"] and r_class(None) == "NULL"
    assert r_class(asr.plus.getFormulae(fit)["fixed"]) == "formula"
