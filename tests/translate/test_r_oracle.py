"""The R-oracle harness: each R snippet of roracle/snippets.R is translated, run, and its
``out`` compared with the value R 4.2.2 gave (roracle/oracle.json, recorded by
``Rscript scripts/record_r_oracle.R``; _r_oracle.py compares values, names, types, factor
levels, dimensions). Snippets follow idioms of the corpus scripts (paste, c, seq/rep,
factor/levels, table, tapply/aggregate, the apply family, merge, subset and indexing,
strings, rounding, NA handling, matrices, dplyr, tidyr, reshape2, data.table, R's data
sets).

:data:`KNOWN` lists the snippets translate still gets wrong, with the reason; their test
asserts the difference is still there, so a fix shows up as a failure to update here."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from _r_oracle import check, differ, oracle

ORACLE = oracle()

#: snippet -> (reason, a regex of the difference _r_oracle.check reports)
KNOWN: dict[str, tuple[str, str]] = {
    "class_of": ("a whole-number double column (c(10, 20)) is held as int64: class() "
                 "'integer'", "'integer', R 'numeric'"),
    "as_character_num": ("a computed whole double is written as an integer (1e6 -> "
                         "'1000000'): pandas holds R's integer columns with NA as floats",
                         "'1000000', R '1e\\+06'"),
    "sapply_class_vector": ("a whole-number double column (c(10, 20)) is held as int64: class() "
                 "'integer'", "'integer', R 'numeric'"),
}


def test_the_oracle_says_where_it_comes_from() -> None:
    assert ORACLE["r_version"].startswith("R version 4.")
    assert ORACLE["command"] == "Rscript scripts/record_r_oracle.R"
    assert len(ORACLE["snippets"]) >= 150
    assert set(KNOWN) <= set(ORACLE["snippets"])
    assert all("value" in s or "error" in s for s in ORACLE["snippets"].values())


@pytest.mark.parametrize("name", [n for n in ORACLE["snippets"] if n not in KNOWN])
def test_translation_gives_r_value(name: str) -> None:
    got = check(name, ORACLE)
    assert got is None, f"{name}: {got}\n{ORACLE['snippets'][name]['code']}"


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_difference_is_still_there(name: str) -> None:
    reason, pattern = KNOWN[name]
    got = check(name, ORACLE)
    assert got is not None, f"{name} agrees with R now ({reason}): move it out of KNOWN"
    assert re.search(pattern, got), got


def test_comparison_catches_each_kind_of_difference() -> None:
    """The comparator itself: values, names, types, levels, dims each make a difference."""
    vec = {"kind": "vector", "type": "double", "names": ["a", "b"], "values": ["1", "2.5"]}
    assert differ(vec, pd.Series([1.0, 2.5], index=["a", "b"])) is None
    assert "out[2]: 2.6, R 2.5" in differ(vec, pd.Series([1.0, 2.6], index=["a", "b"]))
    assert "names" in differ(vec, [1.0, 2.5])
    assert "number" in differ(vec, pd.Series(["1", "2.5"], index=["a", "b"]))
    fac = {"kind": "factor", "ordered": False, "levels": ["b", "a"], "values": ["a", "b"],
           "names": None}
    assert differ(fac, pd.Series(pd.Categorical(["a", "b"], categories=["b", "a"]))) is None
    assert "levels" in differ(fac, ["a", "b"])          # text labels: sorted levels a, b
    mat = {"kind": "matrix", "type": "integer", "dim": [2, 1], "rownames": None,
           "colnames": None, "values": [1, 2]}
    assert differ(mat, np.array([[1], [2]])) is None
    assert "shape" in differ(mat, np.array([[1, 2]]))
