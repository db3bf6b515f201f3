"""base R's ``match(x, table)`` (runtime.r_match) of a vector held as a pandas extension array
(setdiff()/unique() of a string column give pandas' string arrays): ``?match``: "a vector of
the positions of (first) matches of its first argument in its second", NA where none.
(UIUC "stage 2 analysis of advanced 2020.R": wide2[match(lines, wide2[, 1]), ] stopped with
"unhashable type: 'ArrowStringArray'".)"""

import pandas as pd

from asr_py.translate.runtime import r_match


def test_match_of_an_extension_array_is_elementwise() -> None:
    table = ["a", "b", "c", "b"]
    for dtype in ("string", "category"):
        x = pd.array(["b", "z", "a"], dtype=dtype)
        assert r_match(x, table) == [2, None, 1]
    assert r_match("c", table) == 3


def test_match_against_null_is_na_and_match_of_null_is_empty() -> None:
    """R: ``match("a", NULL)`` is NA, ``match(c("a", "b"), NULL)`` is ``c(NA, NA)`` (no
    position matches in an empty table) and ``match(NULL, "a")`` is ``integer(0)``;
    ``names(NULL)`` (translate's RNull) is NULL too."""
    from asr_py.translate.rnull import RNull

    assert r_match("a", None) is None
    assert r_match(["a", "b"], None) == [None, None]
    assert r_match("a", RNull()) is None
    assert r_match(None, ["a"]) == []
    assert r_match(RNull(), ["a"]) == []
