"""``predict(classify=[...])``: asreml 3 accepted a list of classify terms and returned a
list of tables; asr_py's predict returns one DataFrame per call, so a list is a clear error
whose hint is the loop that gives asreml 3's result (translate emits that loop itself)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py import translate
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def fit():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"A": np.repeat(list("pq"), 12), "B": np.tile(list("xyz"), 8),
                      "blk": np.tile(np.repeat(list("1234"), 3), 2)})
    d["y"] = rng.normal(size=len(d)) + (d["A"] == "q") * 1.5
    return asr.asreml("y ~ A + B", random="~ blk", data=d), d


def test_a_list_of_classify_terms_is_a_clear_error(fit) -> None:
    m, _ = fit
    with pytest.raises(AsrError, match="one string") as err:
        m.predict(classify=["A", "B"])
    assert "for c in ['A', 'B']" in str(err.value)          # the loop, as a hint


def test_the_hinted_loop_gives_each_table(fit) -> None:
    m, _ = fit
    tables = {c: m.predict(classify=c) for c in ["A", "B"]}
    for c, tab in tables.items():
        pd.testing.assert_frame_equal(tab, m.predict(classify=c))
    # the A means: fixed A effect + equal-weight average of the B effects (closed form)
    fe = m.predict(classify="A:B")
    np.testing.assert_allclose(tables["A"]["predicted.value"].to_numpy(),
                               fe.groupby("A")["predicted.value"].mean().to_numpy(),
                               rtol=1e-10)


def test_translate_turns_asreml3_list_into_that_loop(fit) -> None:
    m, d = fit
    code = translate('p <- predict(m, classify = list("A", "B"))\n')
    ns: dict = {"m": m, "d": d}
    exec(compile(code, "<translated>", "exec"), ns)  # noqa: S102
    assert set(ns["p"]) == {"A", "B"}
    pd.testing.assert_frame_equal(ns["p"]["B"], m.predict(classify="B"))
