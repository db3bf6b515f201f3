"""Pedigree ids in a float column (R's read.table of a numeric parent column): each value is
written as R writes it (203, 206.1), so parents match animals even when one id is not a whole
number (LIZARD data of the VSNi course, tests/translate/test_translate_c14newc.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import asr_py as asr


def test_float_parent_column_with_a_non_integral_id_matches_animals() -> None:
    ped = pd.DataFrame({"id": ["1", "2", "2.5", "3", "4"],
                        "sire": [0.0, 0.0, 0.0, 1.0, 1.0],
                        "dam": [0.0, 0.0, 0.0, 2.0, 2.5]})
    a = asr.amatrix(ped)
    assert sorted(a.ids) == ["1", "2", "2.5", "3", "4"]
    k = pd.DataFrame(a.toarray(), index=a.ids, columns=a.ids)
    # 3 = 1 x 2 and 4 = 1 x 2.5: paternal half sibs (A = 1/4), each 1/2 related to sire 1
    assert k.loc["3", "4"] == 0.25
    assert k.loc["1", "3"] == k.loc["1", "4"] == 0.5
    np.testing.assert_allclose(np.diag(a.toarray()), 1.0)
