"""A trait of cbind() with no record on the rows the model uses is refused, named (s34user
audit: it was fitted, with numpy's 'invalid value' RuntimeWarnings and six 'not identifiable'
variance parameters, beside the other traits' numbers)."""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError


@pytest.fixture(scope="module")
def trials() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    fam = np.repeat(np.arange(12), 4)
    return pd.DataFrame({"fam": [f"F{i}" for i in fam], "x": rng.normal(size=fam.size),
                         "y1": rng.normal(size=fam.size), "y2": rng.normal(size=fam.size),
                         "y3": rng.normal(size=fam.size)})


def _fit(df: pd.DataFrame) -> object:
    return asr.asreml("cbind(y1, y2, y3) ~ trait + trait:x", random="~ us(trait):fam",
                      residual="~ units:us(trait)", data=df)


def test_a_trait_with_every_value_missing(trials):
    with pytest.raises(DataError, match="trait 'y3' of cbind\\(\\) has no records"):
        _fit(trials.assign(y3=np.nan))


def test_a_trait_recorded_only_on_rows_dropped_for_a_missing_covariate(trials):
    df = trials.assign(y3=np.where(np.arange(len(trials)) < 5, 1.0, np.nan),
                       x=np.where(np.arange(len(trials)) < 5, np.nan, trials.x))
    with pytest.warns(UserWarning), pytest.raises(DataError, match="'y3'"):
        _fit(df)


def test_every_trait_recorded_somewhere_fits(trials):
    df = trials.assign(y3=np.where(np.arange(len(trials)) % 3 == 0, trials.y3, np.nan))
    assert np.isfinite(_fit(df).loglik)
