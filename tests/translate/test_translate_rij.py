"""``x[i, j]`` by position, one selector (rbase.r_ij) for every numeric subscript pair,
``x[, 3:12]`` and ``x[, -1]`` included: values and R's drop rule (a data frame's single
column is a vector, a single row stays a data frame; a matrix loses every extent-1
dimension) as R 4.2 gives them (data/rij_reference.R -> rij_reference.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_py

from asr_py import translate

REF = json.loads((Path(__file__).parent / "data" / "rij_reference.json").read_text())
SETUP = ("d <- data.frame(a = c(1, 2, 3), b = c(4, 5, 6), c = c(7, 8, 9), e = c(10, 11, 12))\n"
         "m <- matrix(1:12, nrow = 3)\nm1 <- matrix(1:4, nrow = 1)\n")
CASES = {"d_col": "d[, 2]", "d_cols": "d[, 2:3]", "d_neg": "d[, -1]", "d_row": "d[1, ]",
         "d_cell": "d[2, 3]", "d_zero": "d[, 0]", "d_negs": "d[, -c(1, 2)]",
         "d_rows_col": "d[2:3, 4]", "m_col": "m[, 1]", "m_row": "m[1, ]",
         "m_cols": "m[, 3:4]", "m_neg": "m[, -1]", "m1_cols": "m1[, 2:3]", "m_cell": "m[3, 4]"}


def _describe(v) -> tuple[bool, list[int], list[float]]:
    """(is a data frame or matrix, its dimensions, its values column by column)."""
    if isinstance(v, pd.DataFrame):
        return True, list(v.shape), list(v.to_numpy().ravel(order="F").astype(float))
    a = np.asarray(v)
    if a.ndim == 2:
        return True, list(a.shape), list(a.ravel(order="F").astype(float))
    return False, [a.size], list(np.atleast_1d(a).astype(float))


@pytest.mark.parametrize("key", list(CASES))
def test_positional_subscripts_follow_r(key: str) -> None:
    code = translate(SETUP + f"v <- {CASES[key]}\n")
    assert "r_ij(" in code                        # one selector serves every position pair
    two_d, dim, values = _describe(run_py(code)["v"])
    ref = REF[key]
    ref_dim = ref["dim"] if isinstance(ref["dim"], list) else [ref["dim"]]
    assert two_d == (len(ref_dim) == 2)           # R's drop rule
    assert dim == ref_dim
    ref_values = ref["values"] if isinstance(ref["values"], list) else (
        [] if ref["values"] == {} else [ref["values"]])
    assert values == [float(x) for x in ref_values]
