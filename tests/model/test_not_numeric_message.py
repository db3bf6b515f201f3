"""A response read as text says which entries are not numbers, where, and how to read them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"g": [f"g{i % 6}" for i in range(48)],
                         "y": rng.normal(10, 2, 48).round(2)})


def test_missing_code_read_as_text_names_rows_and_na_values() -> None:
    d = _data()
    y = d["y"].astype(str).astype(object)
    y.iloc[[4, 17]] = "."
    with pytest.raises(asr.AsrError) as e:
        asr.asreml(fixed="y ~ 1", random="~ g", data=d.assign(y=y))
    text = str(e.value)
    assert "2 of 48 entries are not numbers" in text
    assert "'.' (row 4)" in text and "'.' (row 17)" in text
    assert "na_values=['.']" in text


def test_a_word_in_a_numeric_column_is_not_called_a_missing_code() -> None:
    d = _data()
    y = d["y"].astype(str).astype(object)
    y.iloc[9] = "broken"
    with pytest.raises(asr.AsrError) as e:
        asr.asreml(fixed="y ~ 1", random="~ g", data=d.assign(y=y))
    text = str(e.value)
    assert "'broken' (row 9)" in text and "na_values" not in text
    assert "pd.to_numeric" in text


def test_numbers_held_as_text_fit_as_the_numbers() -> None:
    d = _data()
    as_text = asr.asreml(fixed="y ~ 1", random="~ g", data=d.assign(y=d["y"].astype(str)))
    as_num = asr.asreml(fixed="y ~ 1", random="~ g", data=d)
    assert abs(as_text.loglik - as_num.loglik) < 1e-10
