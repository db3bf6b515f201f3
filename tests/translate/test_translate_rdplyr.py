"""dplyr verbs in translated scripts (rdplyr.py): select() with renames, negations, ranges,
helpers and a variable of column names; arrange(desc()); mutate_at(vars(-x)); mutate(across());
mutate_if(); rename_all(); distinct(); rbind.data.frame(). Expected values are written out
by hand from dplyr's documented semantics. Also: mutate() no longer drops an unnamed
argument silently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

import asr_py as asr
from asr_py.errors import AsrError


def _run(code: str, **env: object) -> dict:
    return run_r(code, complete=True, **env)

def _df() -> pd.DataFrame:
    return pd.DataFrame({"yld": [3.0, 1.0, 2.0, 1.0], "GEN": ["b", "a", "c", "a"],
                         "PLOT": [1, 2, 3, 4], "loc": ["x", "y", "x", "y"]})


def test_select_renames_drops_ranges_and_variables() -> None:
    ns = _run("""
a <- x %>% select(yld, GEN, PLT = PLOT)
b <- x %>% select(-yld, -loc)
c <- select(x, GEN:loc)
traits <- c("yld", "PLOT")
d <- x %>% select(loc, traits)
e <- x %>% select(starts_with("g"), everything())
""", x=_df())
    assert list(ns["a"].columns) == ["yld", "GEN", "PLT"]
    assert list(ns["a"]["PLT"]) == [1, 2, 3, 4]
    assert list(ns["b"].columns) == ["GEN", "PLOT"]
    assert list(ns["c"].columns) == ["GEN", "PLOT", "loc"]
    assert list(ns["d"].columns) == ["loc", "yld", "PLOT"]
    assert list(ns["e"].columns) == ["GEN", "yld", "PLOT", "loc"]


def test_select_of_a_missing_column_says_which() -> None:
    with pytest.raises(AsrError, match="no column 'nope'"):
        _run("a <- x %>% select(yld, nope)", x=_df())


def test_arrange_desc_stable() -> None:
    ns = _run("a <- x %>% arrange(GEN, desc(yld))\nb <- arrange(x, desc(PLOT))", x=_df())
    assert list(ns["a"]["PLOT"]) == [2, 4, 1, 3]
    assert list(ns["b"]["PLOT"]) == [4, 3, 2, 1]


def test_mutate_at_across_mutate_if_convert_columns() -> None:
    ns = _run("""
a <- x %>% mutate_at(vars(-yld), as.factor)
b <- x %>% mutate(across(c(PLOT, yld), as.character), z = paste0(yld, PLOT))
c <- x %>% mutate_if(is.numeric, as.character)
""", x=_df())
    a = ns["a"]
    assert a["yld"].dtype == float and list(a["PLOT"]) == ["1", "2", "3", "4"]
    b = ns["b"]
    # mutate() is sequential: z reads the text yld/PLOT across() made ("3" then "1")
    assert list(b["yld"]) == ["3", "1", "2", "1"] and list(b["z"]) == ["31", "12", "23", "14"]
    assert list(ns["c"]["PLOT"]) == ["1", "2", "3", "4"] and ns["c"]["GEN"].tolist() == \
        ["b", "a", "c", "a"]


def test_mutate_with_an_unknown_unnamed_argument_is_not_dropped() -> None:
    # (a purrr lambda ~ .x * 2 is translated since c15agent: a list of functions is not)
    py = asr.translate("d <- mutate(x, across(c(a, b), list(m = mean, s = sd)))")
    assert "untranslated(" in py and "TODO(asr_py)" in py


def test_rename_all_distinct_rbind_data_frame() -> None:
    ns = _run("""
a <- x %>% rename_all(toupper)
b <- x %>% distinct(GEN, loc)
c <- distinct(x, GEN, .keep_all = TRUE)
d <- rbind.data.frame(x, x)
""", x=_df())
    assert list(ns["a"].columns) == ["YLD", "GEN", "PLOT", "LOC"]
    assert ns["b"].to_dict("list") == {"GEN": ["b", "a", "c"], "loc": ["x", "y", "x"]}
    assert list(ns["c"].columns) == list(_df().columns) and len(ns["c"]) == 3
    assert len(ns["d"]) == 8
    assert np.isclose(ns["d"]["yld"].sum(), 14.0)
