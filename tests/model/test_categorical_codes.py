"""Factor coding of pandas categorical columns (the codes-based fast path of
asr_py.model.data) against R's factor semantics and against the same values coded as plain
text: levels are the categories in use, in category order (R's droplevels() keeps the level
order); a missing value has code −1; every record gets its own category's label."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asr_py.model.data import as_labels, level_labels, make_factor


def _per_record(values: pd.Series) -> list[str | None]:
    """Each record's label the slow way: str() of the value, None where missing."""
    return [None if pd.isna(v) else str(v) for v in values.astype(object)]


@pytest.mark.parametrize("cats,vals", [
    (["hi", "lo", "mid"], ["lo", None, "hi", "lo", "hi"]),          # text, unused 'mid'
    ([3, 1, 2, 10], [10, 1, None, 10, 3]),                            # ints, unused 2
    ([0.5, 2.0, 1.25], [2.0, 0.5, 0.5, np.nan]),                      # floats
    (["b", "A", "a"], ["a", "A", "b", "a"]),                          # case, category order
])
def test_categorical_levels_codes_and_labels(cats: list, vals: list) -> None:
    s = pd.Series(pd.Categorical(vals, categories=cats))
    used = {str(v) for v in vals if not pd.isna(v)}
    # R: droplevels(factor(vals, levels = cats)) keeps the order of cats
    want_levels = tuple(str(c) for c in cats if str(c) in used)
    assert level_labels(s) == want_levels
    f = make_factor(s)
    assert f.levels == want_levels
    want_codes = [-1 if v is None else want_levels.index(v) for v in _per_record(s)]
    assert f.codes.tolist() == want_codes
    assert list(as_labels(s)) == _per_record(s)
    # the same values as a text (object) column give the same labels and codes once the
    # levels are given: the coding does not depend on the column's dtype
    text = pd.Series(_per_record(s), dtype=object)
    assert list(as_labels(text)) == _per_record(s)
    assert make_factor(text, want_levels).codes.tolist() == want_codes


def test_categorical_with_given_levels_and_a_subset_of_records() -> None:
    """Levels passed in (a predict grid's), records a non-contiguous subset (iloc), a
    category not among the levels coded −1."""
    s = pd.Series(pd.Categorical(list("cabbca"), categories=list("abcd")),
                  index=[10, 11, 12, 13, 14, 15]).iloc[[5, 0, 3]]
    f = make_factor(s, ("b", "a"))
    assert f.codes.tolist() == [1, -1, 0]
    assert list(as_labels(s)) == ["a", "c", "b"]


def test_boolean_categories_keep_rs_true_false_labels() -> None:
    s = pd.Series(pd.Categorical([True, False, True]))
    assert list(as_labels(s)) == ["TRUE", "FALSE", "TRUE"]
    assert make_factor(s).levels == level_labels(s)


def test_datetime_categories_match_their_text() -> None:
    """Levels are str() of the categories; which are in use is decided on the values as
    text (Categorical.astype(str)), as before the fast path."""
    days = pd.to_datetime(["2020-01-02 06:00", "2020-01-01 00:00", "2020-01-03 12:30"])
    s = pd.Series(pd.Categorical([days[0], days[2], days[0]], categories=days))
    present = set(s.dropna().astype(str))
    assert level_labels(s) == tuple(str(c) for c in days if str(c) in present)
