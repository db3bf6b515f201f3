"""R's ``shapiro.test()`` (rshapiro.py, rhtest.py) against recorded R output and the closed
form:

* ``shapiro.test(ToothGrowth$len)`` prints ``W = 0.96743, p-value = 0.1091`` (R's
  datasets::ToothGrowth, the 60 tooth lengths; the output quoted by STHDA's "Normality
  test in R" and many R tutorials);
* ``shapiro.test(mtcars$mpg)`` prints ``W = 0.94756, p-value = 0.1229``;
* n = 3: W = (a . x_sorted)^2 / SS with a = (-1, 0, 1)/sqrt(2), and the exact p-value
  6/pi (asin(sqrt(W)) - asin(sqrt(3/4))) (Royston 1995, used by R's swilk.c);
* R's errors: "sample size must be between 3 and 5000", "all 'x' values are identical",
  ``is.numeric(x)`` not TRUE; missing values are dropped.
"""
from __future__ import annotations

import numpy as np
import pytest
from _translate_fixtures import run_py

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.runtime import r_shapiro_test

TOOTH_LEN = [4.2, 11.5, 7.3, 5.8, 6.4, 10.0, 11.2, 11.2, 5.2, 7.0, 16.5, 16.5, 15.2, 17.3, 22.5,
             17.3, 13.6, 14.5, 18.8, 15.5, 23.6, 18.5, 33.9, 25.5, 26.4, 32.5, 26.7, 21.5, 23.3,
             29.5, 15.2, 21.5, 17.6, 9.7, 14.5, 10.0, 8.2, 9.4, 16.5, 9.7, 19.7, 23.3, 23.6,
             26.4, 20.0, 25.2, 25.8, 21.2, 14.5, 27.3, 25.5, 26.4, 22.4, 24.5, 24.8, 30.9, 26.4,
             27.3, 29.4, 23.0]
MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4,
       10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7,
       15.0, 21.4]


def test_recorded_r_output_toothgrowth_and_mtcars() -> None:
    assert np.mean(TOOTH_LEN) == pytest.approx(18.81333, abs=1e-5)   # R: mean 18.81
    t = r_shapiro_test(TOOTH_LEN, "ToothGrowth$len")
    assert repr(t).splitlines()[1:] == ["\tShapiro-Wilk normality test", "",
                                        "data:  ToothGrowth$len",
                                        "W = 0.96743, p-value = 0.1091"]
    m = r_shapiro_test(MPG, "mtcars$mpg")
    assert "W = 0.94756, p-value = 0.1229" in repr(m)


def test_three_values_closed_form() -> None:
    x = np.array([1.0, 2.0, 4.0])
    w = ((x[2] - x[0]) / np.sqrt(2)) ** 2 / np.sum((x - x.mean()) ** 2)
    p = 6 / np.pi * (np.arcsin(np.sqrt(w)) - np.arcsin(np.sqrt(0.75)))
    t = r_shapiro_test([4.0, np.nan, 1.0, 2.0])          # NA dropped, order irrelevant
    assert t["statistic"]["W"] == pytest.approx(w, rel=1e-6)
    assert t["p.value"] == pytest.approx(p, rel=1e-5)


def test_translated_call_and_components() -> None:
    py = translate("d <- data.frame(r = c(1, 2, 4))\n"
                   "p <- shapiro.test(d$r)$p.value\ns <- shapiro.test(d$r)\n")
    assert "untranslated(" not in py
    ns = run_py(py)
    assert ns["p"] == pytest.approx(ns["s"]["p.value"]) and ns["s"]["data.name"] == "d$r"
    assert ns["s"]["method"] == "Shapiro-Wilk normality test"


@pytest.mark.parametrize(("x", "msg"), [([1.0, 2.0], "between 3 and 5000"),
                                        ([2.0, 2.0, 2.0, 2.0], "identical"),
                                        (["a", "b", "c"], "not numeric"),
                                        ([True, False, True], "not numeric")])
def test_r_errors(x: list, msg: str) -> None:
    with pytest.raises(AsrError, match=msg):
        r_shapiro_test(x)
