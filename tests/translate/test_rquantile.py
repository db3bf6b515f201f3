"""R's ``quantile()`` (rquantile.py) against the definitions ``?quantile`` states:

* type 7 (default): h = (n - 1) p + 1 (1-based), Q = x[floor(h)] + (h - floor(h))
  (x[floor(h) + 1] - x[floor(h)]); for x = (1, 2, 4, 5, 8): Q(0.7) = 4.8, Q(0.1) = 1.4,
  Q(0.9) = 6.8 and the default probs 0, .25, .5, .75, 1 give 1 2 4 5 8 (the five-number
  summary R prints as ``0%  25%  50%  75% 100%``);
* type 1: the inverse of the empirical CDF, x[ceiling(n p)]: Q(0.7) = 5;
* type 6: h = (n + 1) p = 4.2: Q(0.7) = x[4] + 0.2 (x[5] - x[4]) = 5 + 0.2 * 3 = 5.6;
* names ``paste0(formatC(100 * probs, format = "fg", digits = 7), "%")``: "2.5%",
  "33.33333%"; errors for NA without na.rm and for probs outside [0, 1].
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.runtime import r_quantile

X = [8.0, 1.0, 5.0, 2.0, 4.0]


def test_type7_definition_and_default_probs() -> None:
    assert r_quantile(X, 0.7) == pytest.approx(4.8)
    q = r_quantile(X, [0.1, 0.9])
    assert list(q.index) == ["10%", "90%"] and list(q) == pytest.approx([1.4, 6.8])
    five = r_quantile(X)
    assert list(five.index) == ["0%", "25%", "50%", "75%", "100%"]
    assert list(five) == [1.0, 2.0, 4.0, 5.0, 8.0]


def test_other_types() -> None:
    assert r_quantile(X, 0.7, type=1) == 5.0
    assert r_quantile(X, 0.7, type=6) == pytest.approx(5.6)


def test_names_and_na() -> None:
    q = r_quantile([1.0, 2.0, np.nan, 3.0], [0.025, 1 / 3], na_rm=True)
    assert list(q.index) == ["2.5%", "33.33333%"]
    assert q.iloc[0] == pytest.approx(1 + 0.05)        # h = 2 * 0.025
    with pytest.raises(AsrError, match="na.rm"):
        r_quantile([1.0, np.nan], 0.5)
    with pytest.raises(AsrError, match="outside"):
        r_quantile(X, 1.5)
    assert list(r_quantile(X, [0.5, 1], names=False).index) == [0, 1]


def test_a_matrix_is_its_values() -> None:
    # R: quantile(m, 0.7) of a numeric matrix (a data frame here) reads all its values
    m = pd.DataFrame({"a": [8.0, 1.0], "b": [5.0, 2.0], "c": [4.0, 4.0]})
    assert r_quantile(m, 0.5) == pytest.approx(4.0)
    with pytest.raises(AsrError, match="non-numeric"):
        r_quantile(pd.DataFrame({"g": ["a", "b"]}), 0.5)


def test_translated_in_mutate_and_alone() -> None:
    py = translate("d <- data.frame(v = c(8, 1, 5, 2, 4))\n"
                   "d2 <- d %>% mutate(s = ifelse(v > quantile(v, 0.70), 'yes', 'no'))\n"
                   "q <- quantile(d$v, probs = c(0.1, 0.9), na.rm = TRUE)\n")
    assert "untranslated(" not in py
    ns = run_py(py)
    assert list(ns["d2"]["s"]) == ["yes", "no", "yes", "no", "no"]   # v > 4.8
    assert isinstance(ns["q"], pd.Series) and list(ns["q"]) == pytest.approx([1.4, 6.8])
