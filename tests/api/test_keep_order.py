"""``asr.asreml(..., keep_order=True)``: asreml's ``keep.order``. The fixed terms are fitted
in the order written; a factor is coded by contrasts only when the term without it came
earlier (R's model.matrix rule), so in ``y ~ at(E):r + E + x`` E's columns are all spanned by
the at() terms before it: aliased, no Wald row (as asreml 4.2's 23-row Wald table of the MET
model in asremlPlus's test42Selection.r:449, whose at(expt, ...):rep terms come before expt).

Independent check: with no random terms, a term's incremental Wald statistic is its
sequential sum of squares (R's anova() of lm with the same term order) over σ̂² = RSS/(n − p),
both from numpy least squares on indicator columns built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 72
    d = pd.DataFrame({"E": np.repeat(["a", "b", "c"], n // 3),
                      "r": np.tile(["1", "2", "3"], n // 3), "x": rng.normal(size=n)})
    d["y"] = (d["E"] == "b") * 1.0 + (d["r"] == "2") * 0.7 + 0.5 * d["x"] + rng.normal(size=n)
    return d


def _seq_ss(y: np.ndarray, blocks: list[np.ndarray]) -> tuple[list[float], float, int]:
    """Sequential sums of squares of the column blocks, in order; RSS and rank of all."""
    out, prev, X = [], 0.0, np.zeros((len(y), 0))
    for B in blocks:
        X = np.hstack([X, B])
        fitted = X @ np.linalg.lstsq(X, y, rcond=None)[0]
        ss = float(fitted @ fitted)
        out.append(ss - prev)
        prev = ss
    rss = float(y @ y) - prev
    return out, rss, int(np.linalg.matrix_rank(X))


def test_terms_in_written_order_and_spanned_term_has_no_row(data) -> None:
    m = asr.asreml("y ~ at(E):r + E + x", data=data, keep_order=True)
    w = m.wald()
    assert list(w.index) == ["(Intercept)", "at(E, 'a'):r", "at(E, 'b'):r", "at(E, 'c'):r", "x"]
    y = data["y"].to_numpy()
    one = np.ones((len(y), 1))
    blocks = [one]
    for e in "abc":
        blocks.append(np.column_stack([(data["E"] == e) & (data["r"] == lv)
                                       for lv in "123"]).astype(float))
    blocks.append(data[["x"]].to_numpy())
    ss, rss, p = _seq_ss(y, blocks)
    s2 = rss / (len(y) - p)
    np.testing.assert_allclose(w["Wald statistic"].to_numpy(), np.array(ss) / s2, rtol=1e-6)
    assert list(w["Df"]) == [1, 3, 3, 2, 1]        # at(E, 'c'):r loses one to the intercept


def test_default_orders_by_degree(data) -> None:
    m = asr.asreml("y ~ at(E):r + E + x", data=data)
    assert list(m.wald().index) == ["(Intercept)", "E", "x", "at(E, 'a'):r", "at(E, 'b'):r",
                                    "at(E, 'c'):r"]
    m2 = m.update(fixed=". ~ . - x")
    assert "x" not in m2.wald().index


def test_keep_order_is_kept_by_update_and_checked(data) -> None:
    m = asr.asreml("y ~ at(E):r + E + x", data=data, keep_order=True)
    m2 = m.update(fixed=". ~ . - x")
    assert m2.call.get("keep_order") is True
    with pytest.raises(asr.AsrError, match="keep_order"):
        asr.asreml("y ~ E", data=data, keep_order="yes")
