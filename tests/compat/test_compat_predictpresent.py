"""asremlPlus's predictPresent (asr_py.compat.predictpresent).

Independent references: in the balanced Oats split plot with a linear trend in xNitrogen
for each Variety, the predictions are each Variety's least-squares line through its data
(numpy.polyfit here); asremlPlus's recorded outcome of the same call (tests/testthat/
test41alldiffs.asr.r lines 1445-1457: 12 predictions, 7 columns, Marvellous first after the
decreasing sort, a sortOrder of 3 levels, the list named xNitrogen.Variety).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _plus_data import oats_data

import asr_py as asr
from asr_py.compat.predictpresent import term_variables
from asr_py.errors import AsrError

X = [0.0, 0.2, 0.4, 0.6]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = oats_data()
    d["xNitrogen"] = d["Nitrogen"].astype(float)
    d["Variety"] = pd.Categorical(d["Variety"],
                                  categories=["Victory", "Golden Rain", "Marvellous"])
    return d


def test_trend_predictions_are_each_varietys_line(data) -> None:
    mx = asr.asreml("Yield ~ xNitrogen*Variety", random="~Blocks/Wplots", data=data)
    wald = asr.plus.as_asrtests(mx)["wald.tab"]
    out = asr.plus.predictPresent(mx, terms="xNitrogen:Variety", x_num="xNitrogen",
                                  x_fac="Nitrogen", x_pred_values=X, wald_tab=wald,
                                  error_intervals="Stand", tables="none", plots="none",
                                  sortFactor="Variety", decreasing=True)
    assert list(out) == ["xNitrogen.Variety"]
    d = out["xNitrogen.Variety"]
    assert asr.plus.validAlldiffs(d) is True
    p = d["predictions"]
    assert p.shape == (12, 7) and str(p["Variety"].iloc[0]) == "Marvellous"
    assert len(d.attrs["sortOrder"]) == 3
    for v in ("Victory", "Golden Rain", "Marvellous"):
        s = data[data["Variety"] == v]
        slope, icpt = np.polyfit(s["xNitrogen"], s["Yield"], 1)
        np.testing.assert_allclose(p.loc[p["Variety"] == v, "predicted.value"],
                                   icpt + slope * np.array(X), rtol=1e-8)


def test_factor_terms_without_trend_and_names(data) -> None:
    m = asr.asreml("Yield ~ Nitrogen*Variety", random="~Blocks/Wplots", data=data)
    out = asr.plus.predictPresent(m, terms=["Nitrogen", "Nitrogen:Variety"], plots="none",
                                  tables="none")
    assert list(out) == ["Nitrogen", "Nitrogen.Variety"]
    cell = data.groupby("Nitrogen")["Yield"].mean()
    np.testing.assert_allclose(out["Nitrogen"]["predictions"]["predicted.value"],
                               cell.loc[["0", "0.2", "0.4", "0.6"]], rtol=1e-8)
    assert term_variables("at(Treat, 1):spl(xDAP)") == ["Treat", "xDAP"]
    with pytest.raises(AsrError, match="equal"):
        asr.plus.predictPresent(m, terms="Nitrogen", x_pred_values=[1, 2], x_plot_values=[1])


def test_x_fac_stays_a_factor_when_x_num_is_in_the_classify(data) -> None:
    """asremlPlus's predictPlus recodes x.fac as numbers only without x.num in the
    classify (R/reml4.v13.r 3489, 3538-3562): text levels beside x.num are no error."""
    d = data.copy()
    d["Nlab"] = "N" + d["Nitrogen"].astype(str)          # levels that are not numbers
    m = asr.asreml("Yield ~ xNitrogen*Variety", random="~Blocks/Wplots", data=d)
    out = asr.plus.predictPlus(m, classify="Variety:xNitrogen", x_num="xNitrogen",
                               x_fac="Nlab", x_pred_values=X, tables="none")
    assert len(out["predictions"]) == 12
    with pytest.raises(AsrError, match="not numeric in nature"):
        m2 = asr.asreml("Yield ~ Nlab*Variety", random="~Blocks/Wplots", data=d)
        asr.plus.predictPlus(m2, classify="Nlab:Variety", x_fac="Nlab", tables="none")
