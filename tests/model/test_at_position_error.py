"""at(f, k) with a number that is neither a level label nor a 1-based position: the error
points at the number and says which positions and levels there are."""

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import FormulaError


def test_at_position_out_of_range_names_positions_and_levels() -> None:
    d = pd.DataFrame({"E": np.repeat(["a", "b", "c"], 4), "B": np.tile(["x", "y"], 6),
                      "y": np.arange(12.0)})
    with pytest.raises(FormulaError) as e:
        asr.asreml("y ~ E + at(E, 7):B", data=d)
    msg = str(e.value)
    assert "E has no level 7" in msg and "(1 to 3)" in msg and "a, b, c" in msg
    assert "^" in msg  # the caret under the number
