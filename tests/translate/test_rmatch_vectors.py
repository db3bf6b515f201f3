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
