"""na.omit() of an R list returns it unchanged (R: na.omit.default leaves a non-atomic
object alone; checked with R 4.2: identical(na.omit(x), x) is TRUE for
x <- list(a = data.frame(p = c(1, NA)), b = 2)); translate writes na.omit(x) as
x.dropna(), so asremlPlus's list results (RList, alldiffs) answer it the same way."""

from __future__ import annotations

import numpy as np
import pandas as pd

import asr_py as asr
from asr_py.compat.rlist import RList
from asr_py.translate import translate


def test_na_omit_of_a_list_is_the_list() -> None:
    x = RList({"pvalues": pd.DataFrame({"p": [1.0, np.nan]}), "plots": {}})
    y = x.dropna()
    assert type(y) is RList and y is not x
    assert list(y) == ["pvalues", "plots"]
    assert y["pvalues"] is x["pvalues"] and len(y["pvalues"]) == 2   # rows not dropped
    assert y["pval"] is x["pvalues"]                                  # R's partial $ kept


def test_translated_na_omit_of_an_alldiffs_keeps_its_attributes() -> None:
    d = asr.plus.as_alldiffs(pd.DataFrame({"A": ["a", "b"], "predicted.value": [1.0, 2.0],
                                           "standard.error": [0.1, 0.1],
                                           "est.status": "Estimable"}), classify="A")
    py = translate("e <- na.omit(d)\n")
    ns = {"d": d}
    exec(py, ns)
    e = ns["e"]
    assert type(e) is type(d) and e.attrs == d.attrs
    assert e["predictions"] is d["predictions"]
