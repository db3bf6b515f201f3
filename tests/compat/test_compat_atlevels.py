"""asremlPlus's atLevelsMatch (R/reml4.v13.r:601-725) in changeTerms: an at() term to drop
written with level names matches the model's term written with level positions, and the
reverse (test42Selection.r:356-366: dropping ``at(Smarthouse, "NW"):dev(cMainPosn)`` from a
model fitted with ``at(Smarthouse, 2):dev(cMainPosn)``)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.compat.atlevels import match_at_levels


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 96
    d = pd.DataFrame({"S": np.repeat(["NE", "NW"], n // 2),
                      "G": [f"g{i % 8}" for i in range(n)], "B": [f"b{i % 6}" for i in range(n)]})
    g = rng.normal(size=8) * 1.5
    d["y"] = g[np.arange(n) % 8] + rng.normal(size=n)
    return d


@pytest.mark.parametrize("written, drop", [
    ('at(S, 2):G', 'at(S, "NW"):G'),
    ('at(S, "NW"):G', "at(S, 2):G"),
    ("at(S, 'NW'):G", 'at(S, "NW"):G'),
    # a bare level name, as asreml 4.1 prints it (test41Selection.r:242-260 drops
    # 'at(AMF, AMF_plus):per.col' from a model with at(AMF, "AMF_plus") and with at(AMF, 2))
    ('at(S, 2):G', "at(S, NW):G"),
    ('at(S, "NW"):G', "at(S, NW):G"),
])
def test_change_terms_drops_the_at_term_given_either_way(data, written, drop) -> None:
    fit = asr.asreml("y ~ S", random=f"~ at(S, 'NE'):G + {written} + B", data=data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = asr.plus.changeTerms(asr.plus.as_asrtests(fit), dropRandom=drop,
                                 checkboundaryonly=True)
    new = t["asreml.obj"]
    assert "NW" not in str(new.call.get("random"))
    direct = asr.asreml("y ~ S", random="~ at(S, 'NE'):G + B", data=data)
    assert new.loglik == pytest.approx(direct.loglik, abs=1e-6)


def test_other_levels_and_factors_are_left_alone() -> None:
    d = pd.DataFrame({"S": ["NE", "NW"] * 3, "T": ["a", "b", "c"] * 2})
    own = ['at(S, "NE"):G', "at(T, 2):G"]
    assert match_at_levels("at(S, 2):G", own, d) == "at(S, 2):G"        # NW is not NE
    assert match_at_levels("at(S, 1):H", own, d) == "at(S, 1):H"        # other factors
    assert match_at_levels('at(T, "b"):G', own, d) == "at(T, 2):G"
    assert match_at_levels("at(S, 1):G + B", own, d) == 'at(S, "NE"):G + B'
    assert match_at_levels("at(T, b):G", own, d) == "at(T, 2):G"        # a bare level name
    assert match_at_levels("at(T, z):G", own, d) == "at(T, z):G"        # not a level of T
