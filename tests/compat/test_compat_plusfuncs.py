"""More of asremlPlus's function family (issue 14, branch c14pb), each checked against an
independent computation in numpy or an equivalent call: plotPvalues of a data frame, a
classify in parentheses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def fit(oats_fit):
    return oats_fit  # tests/compat/conftest.py


@pytest.fixture(scope="module")
def diffs(fit):
    return asr.plus.predictPlus(fit, "N:V", wald_tab=fit.wald(denDF="numeric"), Vmatrix=True)


def test_classify_in_parentheses_is_the_classify(fit, diffs) -> None:
    """asreml and asremlPlus accept classify = "(Variety:Nitrogen)"."""
    a, b = fit.predict("(N:V)"), fit.predict("N:V")
    pd.testing.assert_frame_equal(a, b)
    d2 = asr.plus.predictPlus(fit, "(N:V)", wald_tab=fit.wald(denDF="numeric"))
    pd.testing.assert_frame_equal(d2["predictions"], diffs["predictions"])
    assert fit.predict("(Intercept)")["predicted.value"].iloc[0] == pytest.approx(
        b["predicted.value"].mean())


def test_plotPvalues_of_a_data_frame_is_that_table(diffs) -> None:
    """plotPvalues.data.frame: the melted p.differences (as reshape2::melt makes them)
    give the same table as plotPvalues of the alldiffs object."""
    P = diffs["p.differences"]
    n = P.shape[0]
    long = pd.DataFrame({"Var1": np.tile(P.index, n), "Var2": np.repeat(P.columns, n),
                         "value": P.to_numpy().ravel(order="F")})
    tab = asr.plus.plotPvalues(long, x="Var1", y="Var2", p="value", show=False)
    assert list(tab.columns) == ["Rows", "Columns", "p"] and len(tab) == n * n
    ref = asr.plus.plotPvalues(diffs, show=False)["pvalues"]
    np.testing.assert_array_equal(tab["Rows"].astype(str), ref["Rows"].astype(str))
    np.testing.assert_array_equal(tab["Columns"].astype(str), ref["Columns"].astype(str))
    np.testing.assert_allclose(tab["p"], ref["p"], rtol=1e-12)
    with pytest.raises(AsrError, match="no column"):
        asr.plus.plotPvalues(long, x="Rows", show=False)


def test_components_by_partial_name_as_R(diffs) -> None:
    """R's ``$`` partial matching on lists: ``pdata$pvalue`` is ``pdata$pvalues``,
    ``diffs$pred`` the predictions; an ambiguous prefix is an error."""
    pdata = asr.plus.plotPvalues(diffs, show=False)
    assert pdata["pvalue"] is pdata["pvalues"]
    assert diffs["pred"] is diffs["predictions"]
    with pytest.raises(KeyError):
        diffs["p"]            # predictions or p.differences


def test_half_lsd_predictions_carry_asremlPlus_lsd_attributes(fit) -> None:
    """asremlPlus (test41alldiffs.asr.r): predictions with halfLeastSignificant intervals
    carry LSDtype, LSDby, LSDstatistic and LSDvalues (the assigned LSD of each LSDby
    combination); with confidence intervals none of them; the backtransforms the settings
    but not LSDvalues. Each interval is the prediction ± LSDvalue/2 of its combination."""
    w = fit.wald(denDF="numeric")
    d = asr.plus.predictPlus(fit, "N:V", wald_tab=w, error_intervals="halfLeast",
                             LSDtype="factor.combinations", LSDby="V", avsed_tolerance=None,
                             transform_power=0.5)
    a = d["predictions"].attrs
    assert a["LSDtype"] == "factor.combinations" and a["LSDstatistic"] == "mean"
    vals = asr.plus.attr(d["predictions"], "LSDvalues")     # a named vector (a Series)
    assert list(vals.index) == list(d["LSD"].index) and len(vals) == 3
    pred = d["predictions"]
    half = pred["V"].astype(str).map(vals).to_numpy()
    np.testing.assert_allclose(pred["upper.halfLeastSignificant.limit"] -
                               pred["predicted.value"], half / 2, rtol=1e-12)
    assert "LSDvalues" not in d["backtransforms"].attrs
    assert d["backtransforms"].attrs["LSDtype"] == "factor.combinations"
    ci = asr.plus.predictPlus(fit, "N:V", wald_tab=w)
    assert "LSDtype" not in ci["predictions"].attrs
