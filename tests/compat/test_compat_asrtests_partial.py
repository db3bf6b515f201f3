"""AsrTests (asremlPlus's asrtests list) read with R's ``$`` partial matching."""

from __future__ import annotations

import pandas as pd
import pytest

from asr_py.compat.asremlplus import AsrTests


def _asrt() -> AsrTests:
    t = AsrTests()
    dict.__setitem__(t, "asreml.obj", "fit")
    dict.__setitem__(t, "wald.tab", pd.DataFrame({"Df": [1]}))
    dict.__setitem__(t, "test.summary", pd.DataFrame({"terms": ["a"]}))
    return t


def test_unique_prefix_reads_the_element() -> None:
    # R: asrt$wald is asrt$wald.tab (the one name starting "wald"); asrt$test likewise
    t = _asrt()
    assert t["wald"] is t["wald.tab"]
    assert list(t["test"]["terms"]) == ["a"]
    assert t["asreml.obj"] == "fit"


def test_no_or_ambiguous_prefix_is_a_key_error() -> None:
    # "a" starts only asreml.obj -> that; "" starts all three -> ambiguous (R's NULL):
    # no silent choice
    t = _asrt()
    assert t["a"] == "fit"
    with pytest.raises(KeyError):
        t[""]
    with pytest.raises(KeyError):
        t["zz"]
