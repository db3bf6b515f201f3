"""``init = rep(...)`` in a formula is read as R's ``rep()`` (``?rep``: each element ``each``
times, then the whole ``times`` times or element i ``times[i]`` times, then recycled or cut
to ``length.out``), and corb's order as asreml 3's ``k =`` (kwstat/covardat's r-side.Rmd
writes ``corb(month, k = 4, init = rep(.5, 4))``); before, both were formula errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError


@pytest.fixture(scope="module")
def rep_data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"s": np.repeat([f"s{i}" for i in range(30)], 4),
                      "t": np.tile(["a", "b", "c", "d"], 30)})
    d["y"] = rng.normal(size=len(d)) + np.repeat(rng.normal(size=30), 4)
    return d


def starts(d: pd.DataFrame, structure: str) -> np.ndarray:
    sv = asr.asreml("y ~ t", residual=f"~ s:{structure}", data=d, start_values=True)
    return sv["Value"].to_numpy(dtype=float)


@pytest.mark.parametrize(("expr", "want"), [
    ("rep(.5, 3)", [0.5, 0.5, 0.5]),
    ("rep(c(.1, .2, .3), times = 1)", [0.1, 0.2, 0.3]),
    ("rep(c(.1, .2), times = c(2, 1))", [0.1, 0.1, 0.2]),
    ("rep(c(.1, .2), each = 2, length.out = 3)", [0.1, 0.1, 0.2]),
    ("rep(.3, length.out = 3)", [0.3, 0.3, 0.3]),
    ("c(rep(.1, 2), .2)", [0.1, 0.1, 0.2]),
    ("rep(x = .4, 3)", [0.4, 0.4, 0.4]),
])
def test_rep_in_init_follows_r(rep_data, expr, want) -> None:
    got = starts(rep_data, f"corb(t, k = 3, init = {expr})")
    np.testing.assert_allclose(got[-3:], want)


def test_corb_k_is_the_order(rep_data) -> None:
    k2 = starts(rep_data, "corb(t, k = 2)")
    b2 = starts(rep_data, "corb(t, b = 2)")
    assert k2.size == b2.size == 3  # the residual variance and two lag correlations


@pytest.mark.parametrize(("expr", "msg"), [
    ("rep(.5, times = c(1, 2))", "times has 2 values for 1 elements"),
    ("rep(.5, -1)", "whole number"),
    ("rep(.5, 3, foo = 1)", "cannot read"),
])
def test_rep_errors_say_what_is_wrong(rep_data, expr, msg) -> None:
    with pytest.raises(FormulaError, match=msg):
        starts(rep_data, f"corb(t, k = 3, init = {expr})")
