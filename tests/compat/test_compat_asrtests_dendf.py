"""asremlPlus's tables built on asreml's ``wald()`` carry asreml's reported denDF (one decimal).

asreml reports the denominator df to one decimal place and asremlPlus's ``as.asrtests``,
``testranfix`` and ``recalcWaldTab`` keep that table (evidence in asr_py/results/wald.py's
docstring). Checked here: the yates oats split plot (classical df 10 and 45, closed form:
(blocks - 1)(varieties - 1) whole-plot and 3 x 3 x 5 + ... sub-plot error df) keeps its
integer df; an unbalanced copy (records dropped) has non-integer Kenward-Roger df, which the
asremlPlus tables give rounded to one decimal while ``fit.wald`` keeps full precision.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.compat.asremlplus import as_asrtests, recalcWaldTab

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def oats() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})


def test_balanced_split_plot_keeps_the_classical_integer_df(oats) -> None:
    m = asr.asreml("Y ~ N*V", random="~ B + B:MP", data=oats)
    tab = as_asrtests(m)["wald.tab"]
    den = tab["denDF"].iloc[1:].to_numpy(dtype=float)
    # 6 blocks x 3 varieties: whole-plot error (6-1)(3-1) = 10; sub-plots 72 - 18 - 6 - 3 = 45
    assert sorted(set(den.tolist())) == [10.0, 45.0]


def test_unbalanced_df_are_reported_to_one_decimal(oats) -> None:
    d = oats.drop(index=[0, 7, 20, 33, 50]).reset_index(drop=True)
    m = asr.asreml("Y ~ N*V", random="~ B + B:MP", data=d)
    full = m.wald(denDF="numeric")["denDF"].iloc[1:].to_numpy(dtype=float)
    assert np.any(np.abs(full - np.round(full, 1)) > 1e-3)    # KR df not on one decimal
    for tab in (as_asrtests(m)["wald.tab"], recalcWaldTab(as_asrtests(m))):
        den = tab["denDF"].iloc[1:].to_numpy(dtype=float)
        np.testing.assert_allclose(den, np.round(full, 1), rtol=0, atol=1e-12)
