"""tapply() with two grouping factors (rtapply.py) and with named arguments. R's rule:
T[i, j] = FUN(X[f1 == level_i & f2 == level_j]), rows/columns in the factors' level order,
NA where no row has the combination (R documentation of tapply; the cells are computed here
by explicit loops)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _translate_fixtures import run_r

from asr_py.errors import AsrError


def _data() -> pd.DataFrame:
    return pd.DataFrame({"gen": ["g2", "g1", "g2", "g10", "g1", "g2"],
                         "env": ["E1", "E1", "E2", "E2", "E1", "E2"],
                         "y": [1.0, 2.0, 3.0, 4.0, 6.0, 5.0]})


def test_two_factor_table_of_means_with_missing_cell() -> None:
    d = _data()
    ns = run_r("T <- tapply(d$y, list(d$gen, d$env), mean)\n"
               "U <- tapply(X = d$y, INDEX = d[, c('gen', 'env')], FUN = sum)\n",
               complete=True, d=d)
    T = ns["T"]
    # factor() levels of text: g1, g10, g2 (R's sort); E1, E2
    assert list(T.index) == ["g1", "g10", "g2"] and list(T.columns) == ["E1", "E2"]
    for g in T.index:
        for e in T.columns:
            cell = d.y[(d.gen == g) & (d.env == e)]
            if cell.empty:
                assert np.isnan(T.loc[g, e])
            else:
                assert T.loc[g, e] == pytest.approx(cell.mean())
    assert np.isnan(T.loc["g10", "E1"])
    assert ns["U"].loc["g2", "E2"] == pytest.approx(8.0)


def test_named_arguments_and_identity_fun() -> None:
    d = _data().drop_duplicates(["gen", "env"])
    ns = run_r("V <- tapply(X = d$y, INDEX = list(d$gen, d$env), FUN = I)\n"
               "s <- tapply(X = d$y, INDEX = d$env, FUN = max)\n", complete=True, d=d)
    assert ns["V"].loc["g2", "E2"] == pytest.approx(3.0)
    assert list(ns["s"]) == [2.0, 4.0]


def test_cell_of_several_values_is_an_error() -> None:
    d = _data()
    with pytest.raises(AsrError, match="one value per"):
        run_r("V <- tapply(d$y, list(d$gen, d$env), range)\n", d=d)
