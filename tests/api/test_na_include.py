"""asreml's na.method.Y = 'include' is accepted (same REML fit as omitting the records with a
missing response); 'include' for explanatory variables (asreml sets them to 0) is refused."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"


def test_include_for_the_response_is_the_omit_fit() -> None:
    df = pd.read_csv(DATA / "DT_example.csv")
    df.loc[::7, "Yield"] = np.nan
    a = asr.asreml("Yield ~ Env", random="~ Name", data=df, na_action={"y": "include"})
    b = asr.asreml("Yield ~ Env", random="~ Name", data=df, na_action={"y": "omit"})
    assert a.loglik == b.loglik
    np.testing.assert_array_equal(a.varcomp["component"], b.varcomp["component"])
    with pytest.raises(AsrError, match="'x' is 'include'"):
        asr.asreml("Yield ~ Env", random="~ Name", data=df, na_action={"x": "include"})
