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
def fit():
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d["WP"] = d["B"] + "_" + d["V"]
    return asr.asreml("Y ~ N*V", random="~ B + B:WP", data=d)


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
