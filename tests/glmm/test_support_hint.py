"""A response outside the family's support names the family's own rule (s34user audit: a
Poisson response with negative values was told about binomial totals and proportions)."""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(10), 6)
    return pd.DataFrame({"c": rng.poisson(2.0, g.size), "fam": [f"F{i}" for i in g]})


@pytest.mark.parametrize("family, shift, rule", [
    (asr.asr_poisson(), -10, "Poisson: counts >= 0"),
    (asr.asr_binomial(), 0, "binomial: 0/1 data"),
    (asr.asr_Gamma(), -10, "Gamma: positive values"),
])
def test_the_hint_is_the_family_s_own(counts, family, shift, rule):
    df = counts.assign(c=counts.c + shift)
    if family.name == "binomial":
        df = df.assign(c=df.c + 2)                    # counts > 1 without total=
        bad = int((df.c > 1).sum())
    else:
        bad = int((df.c < 0).sum()) if family.name == "poisson" else int((df.c <= 0).sum())
    with pytest.raises(DataError) as err:
        asr.asreml("c ~ 1", random="~ fam", data=df, family=family)
    text = str(err.value)
    assert rule in text
    assert f"({bad} of the fit's records" in text
    if family.name != "binomial":
        assert "total=" not in text
