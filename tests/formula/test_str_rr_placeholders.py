"""asreml 4's ``str(~ terms, vmodel = ~ rr(n, k):id(g))``: the vmodel named, and the n + k
terms whose last k are zero placeholders for the factor scores (m-hrachov's G:x0, G:x00)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError
from asr_py.formula.model import parse_model


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    g = np.repeat([f"g{i}" for i in range(6)], 4)
    x1, x2 = rng.normal(size=24), rng.normal(size=24)
    return pd.DataFrame({"G": g, "x1": x1, "x2": x2, "x3": rng.normal(size=24),
                         "x0": 0.0, "y": rng.normal(size=24)})


def test_str_vmodel_named_is_the_second_argument() -> None:
    a = parse_model("y ~ 1", "~ str(~ G:x1 + G:x2, vmodel = ~ us(2):id(G))")
    b = parse_model("y ~ 1", "~ str(~ G:x1 + G:x2, ~ us(2):id(G))")
    c = parse_model("y ~ 1", "~ str(vmodel = ~ us(2):id(G), formula = ~ G:x1 + G:x2)")
    assert str(a.random) == str(b.random) == str(c.random)
    assert "vmodel" not in str(a.random)


def test_placeholder_columns_of_fa_scores_are_dropped() -> None:
    d = _data()
    with_ph = asr.asreml("y ~ 1", random="~ str(~ G:x1 + G:x2 + G:x3 + G:x0, "
                         "vmodel = ~ fa(3, 1):id(G))", data=d, start_values=True)
    without = asr.asreml("y ~ 1", random="~ str(~ G:x1 + G:x2 + G:x3, ~ fa(3, 1):id(G))",
                         data=d, start_values=True)
    def tails(t: pd.DataFrame) -> list[str]:
        return [c.split("!", 1)[1] if "!" in c else c for c in t["Component"]]

    assert tails(with_ph) == tails(without)
    # 3 specific variances + 3 loadings, and the residual
    assert len(with_ph) == len(without) >= 7


def test_placeholder_columns_must_be_zero() -> None:
    d = _data()
    d["x0"] = 1.0
    with pytest.raises(FormulaError, match="placeholder"):
        asr.asreml("y ~ 1", random="~ str(~ G:x1 + G:x2 + G:x3 + G:x0, ~ fa(3, 1):id(G))",
                   data=d, start_values=True)
