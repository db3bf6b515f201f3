"""tidyr's ``nest()``/``unnest()`` (translate/rnest.py) against tidyr 1.3's ``?nest`` and
``?unnest`` examples and stated rules:

* ``df <- tibble(x = c(1, 1, 1, 2, 2, 3), y = 1:6, z = 6:1)``: ``nest(.by = x)`` and
  ``group_by(x) |> nest()`` give x 1, 2, 3 with a 3-, 2- and 1-row ``data`` of y and z;
  groups come in the order they first appear (``mtcars |> group_by(cyl) |> nest()``: 6, 4, 8);
* ``df <- tibble(x = 1:3, y = list(NULL, tibble(a = 1, b = 2), tibble(a = 1:3, b = 3:1, c =
  4)))``: ``unnest(y)`` "recycles input rows for each row of the list-column and adds a
  column for each column": x 2 3 3 3, a 1 1 2 3, b 2 3 2 1, c NA 4 4 4; the NULL row
  disappears unless ``keep_empty = TRUE``;
* two list-columns "unnest simultaneously" (x 1 2 2 / a 1 3 4 / c 1 3 4), one at a time
  they give the Cartesian product (1 + 4 rows).
"""

import numpy as np
import pandas as pd
import pytest

from asr_py.errors import AsrError
from asr_py.translate import translate
from asr_py.translate.runtime import r_nest, r_unnest


def _df() -> pd.DataFrame:
    return pd.DataFrame({"x": [1.0, 1, 1, 2, 2, 3], "y": range(1, 7), "z": range(6, 0, -1)})


def test_nest_by_groups_in_first_appearance_order() -> None:
    n = r_nest(_df(), ["x"])
    assert list(n.columns) == ["x", "data"] and n["x"].tolist() == [1.0, 2.0, 3.0]
    assert [len(d) for d in n["data"]] == [3, 2, 1]
    assert n["data"][1]["y"].tolist() == [4, 5] and list(n["data"][0].columns) == ["y", "z"]
    d = pd.DataFrame({"cyl": [6, 6, 4, 6, 8, 4], "mpg": [21, 21, 22.8, 21.4, 18.7, 24.4]})
    assert r_nest(d, ["cyl"])["cyl"].tolist() == [6, 4, 8]
    whole = r_nest(_df(), [])
    assert len(whole) == 1 and whole["data"][0].shape == (6, 3)
    with pytest.raises(AsrError, match="'w' is not in the data"):
        r_nest(_df(), ["w"])


def test_unnest_documented_example_and_keep_empty() -> None:
    df = pd.DataFrame({"x": [1, 2, 3]})
    df["y"] = pd.Series([None, pd.DataFrame({"a": [1], "b": [2]}),
                         pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1], "c": [4, 4, 4]})],
                        dtype=object)
    u = r_unnest(df, ["y"])
    assert list(u.columns) == ["x", "a", "b", "c"]
    assert u["x"].tolist() == [2, 3, 3, 3] and u["a"].tolist() == [1, 1, 2, 3]
    assert u["b"].tolist() == [2, 3, 2, 1]
    assert np.isnan(u["c"][0]) and u["c"].tolist()[1:] == [4, 4, 4]
    k = r_unnest(df, ["y"], keep_empty=True)
    assert k["x"].tolist() == [1, 2, 3, 3, 3] and np.isnan(k["a"][0])


def test_unnest_parallel_versus_one_at_a_time_and_errors() -> None:
    df = pd.DataFrame({"x": [1, 2]})
    df["y"] = pd.Series([pd.DataFrame({"a": [1], "b": [2]}),
                         pd.DataFrame({"a": [3, 4], "b": [5, 6]})], dtype=object)
    df["z"] = pd.Series([pd.DataFrame({"c": [1], "d": [2]}),
                         pd.DataFrame({"c": [3, 4], "d": [5, 6]})], dtype=object)
    both = r_unnest(df, ["y", "z"])
    assert both["x"].tolist() == [1, 2, 2] and both["a"].tolist() == [1, 3, 4]
    assert both["c"].tolist() == [1, 3, 4] and list(both.columns) == ["x", "a", "b", "c", "d"]
    seq = r_unnest(r_unnest(df, ["y"]), ["z"])
    assert len(seq) == 1 + 4                                  # the Cartesian product
    clash = pd.DataFrame({"a": [1]})
    clash["y"] = pd.Series([pd.DataFrame({"a": [5]})], dtype=object)
    with pytest.raises(AsrError, match="names must be unique"):
        r_unnest(clash, ["y"])
    assert r_unnest(clash, ["y"], names_sep="_").columns.tolist() == ["a", "y_a"]
    vec = pd.DataFrame({"g": ["p", "q"]})
    vec["v"] = pd.Series([np.array([1.0, 2.0]), np.array([3.0])], dtype=object)
    assert r_unnest(vec, ["v"])["v"].tolist() == [1.0, 2.0, 3.0]


def test_per_group_model_workflow_translates_and_runs() -> None:
    """group_by |> nest() |> mutate(map()) |> select(-data) |> unnest(): each group's own
    summary, the groups in first-appearance order (as R's result)."""
    code = ('library(tidyverse)\n'
            'dd <- data.frame(trial = c("b", "a", "b", "a", "c"), trait = "y", '
            'y = c(1, 2, 3, 4, 5))\n'
            'f <- function(d) data.frame(m = mean(d$y), n = nrow(d))\n'
            'out <- dd |>\n  group_by(trial, trait) |>\n  nest() |>\n'
            '  mutate(r2 = map(data, ~f(.x))) |>\n  dplyr::select(-c(data)) |>\n'
            '  unnest(r2)\n')
    py = translate(code)
    assert "# TODO(asr_py)" not in py and "untranslated(" not in py
    env: dict = {}
    exec(compile(py, "<nest>", "exec"), env)
    out = env["out"]
    assert out["trial"].tolist() == ["b", "a", "c"]
    assert out["m"].tolist() == [2.0, 3.0, 5.0] and out["n"].tolist() == [2, 2, 1]
    assert list(out.columns) == ["trial", "trait", "m", "n"]
