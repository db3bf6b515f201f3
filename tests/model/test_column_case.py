"""A column named in another letter case is suggested (s34user audit: 'Y' for the column 'y'
got only the list of columns; difflib finds no match for one letter)."""

import pandas as pd
import pytest

import asr_py as asr


def test_a_column_named_in_another_case_is_suggested():
    df = pd.DataFrame({"y": [1.0, 2.5, 2.0, 4.0, 3.5, 5.0], "Block": list("aabbcc")})
    with pytest.raises(asr.FormulaError, match="did you mean 'y'"):
        asr.asreml("Y ~ 1", random="~ Block", data=df)
