"""asremlPlus's testranfix on an ``at()`` term named as asreml labels it.

asreml 4.2 writes ``at(AMF, "AMF_plus"):per.col`` as ``at(AMF, 'AMF_plus'):per.col`` in its
Wald table (test42Selection.r:150); asreml 4.1 wrote ``at(AMF, AMF_plus):per.col`` and its
scripts (test41Selection.r) pass that unquoted form to testranfix. Either form finds the term
(not "Absent") and, when not significant, drops it from the fixed model, also when the
formula gave the level by its position, ``at(AMF, 2)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


@pytest.fixture(scope="module")
def at_data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    amf = np.repeat(["AMF_minus", "AMF_plus"], n // 2)
    x = rng.normal(size=n)
    g = np.tile([f"g{i}" for i in range(6)], n // 6)
    u = 3 * rng.normal(size=6)[np.tile(np.arange(6), n // 6)]      # the g effects
    y = 2 + (amf == "AMF_plus") * 0.8 + rng.normal(size=n) + u
    return pd.DataFrame({"AMF": amf, "x": x, "g": g, "y": y})


@pytest.mark.parametrize("written", ['at(AMF, "AMF_plus"):x', "at(AMF, 2):x"])
@pytest.mark.parametrize("term", ['at(AMF, AMF_plus):x', "x:at(AMF, 'AMF_plus')"])
def test_unquoted_at_term_is_found_and_dropped(at_data, term, written) -> None:
    fit = asr.asreml(f"y ~ AMF + {written}", random="~ g", data=at_data)
    w = fit.wald(denDF="numeric")
    label = "at(AMF, 'AMF_plus'):x"          # the Wald row as asreml 4.2 prints it
    p = float(w.loc[label, "Pr(F)"])
    assert p > 0.05            # x has no effect in the simulated data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.testranfix(asr.plus.as_asrtests(fit), term, drop_fix_ns=True)
    row = t["test.summary"].iloc[-1]
    assert row["action"] == "Dropped" and row["p"] == pytest.approx(p)
    assert label not in t["wald.tab"].index and len(t["wald.tab"]) == len(w) - 1
    direct = asr.asreml("y ~ AMF", random="~ g", data=at_data)
    assert t["asreml.obj"].loglik == pytest.approx(direct.loglik, abs=1e-6)


@pytest.mark.parametrize("term, what", [
    ("at(AMF, c(1:2)):x", "an at term involving multiple levels"),
    ("at(AMF, c('AMF_minus', 'AMF_plus')):x", "an at term involving multiple levels"),
    ("AMF*x", "multiple terms not allowed"),
    ("g/x", "multiple terms not allowed"),
])
def test_term_making_several_terms_is_refused(at_data, term, what) -> None:
    """asremlPlus's testranfix.asrtests stops on these (R/reml4.v13.r; test41Selection.r:449
    and :455 expect the error for at(expt, c(1:5)):rep and at(expt, c(3,5,7)):dev(vcol))."""
    fit = asr.asreml('y ~ AMF + at(AMF):x', random="~ g", data=at_data)
    with pytest.raises(asr.AsrError, match=what):
        asr.plus.testranfix(asr.plus.as_asrtests(fit), term, drop_fix_ns=True)


def test_one_level_at_term_is_still_tested(at_data) -> None:
    fit = asr.asreml('y ~ AMF + at(AMF, "AMF_plus"):x', random="~ g", data=at_data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.testranfix(asr.plus.as_asrtests(fit), "at(AMF, c(2)):x")
    assert len(t["test.summary"]) >= 1
