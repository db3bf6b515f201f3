"""A column named in another letter case is suggested (s34user audit: 'Y' for the column 'y'
got only the list of columns; difflib finds no match for one letter)."""

import pandas as pd
import pytest

import asr_py as asr


def test_a_column_named_in_another_case_is_suggested():
    df = pd.DataFrame({"y": [1.0, 2.5, 2.0, 4.0, 3.5, 5.0], "Block": list("aabbcc")})
    with pytest.raises(asr.FormulaError, match="did you mean 'y'"):
        asr.asreml("Y ~ 1", random="~ Block", data=df)


def test_a_column_name_with_a_space_needs_backticks():
    """'plant height ~ 1' for the column 'plant height': the syntax error's hint says to
    write it in backticks (s34user audit), and written so it fits."""
    df = pd.DataFrame({"plant height": [1.0, 2.5, 2.0, 4.0, 3.5, 5.0], "Block": list("aabbcc")})
    with pytest.raises(asr.FormulaError, match="backticks: `plant height`"):
        asr.asreml("plant height ~ 1", random="~ Block", data=df)
    m = asr.asreml("`plant height` ~ 1", random="~ Block", data=df)
    assert m.model.records.n == 6
