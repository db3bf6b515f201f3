"""subset= fits the selected rows exactly as a fit to those rows; bad subsets are clear."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError

DATA = Path(__file__).resolve().parents[1] / "data"


def test_subset_equals_a_fit_to_the_selected_rows() -> None:
    df = pd.read_csv(DATA / "DT_example.csv")
    keep = df["Env"] != df["Env"].iloc[0]
    ref = asr.asreml("Yield ~ Env", random="~ Name", data=df.loc[keep])
    orig = df.copy()
    for sub in (keep, keep.to_numpy(), f"Env != {df['Env'].iloc[0]!r}"):
        m = asr.asreml("Yield ~ Env", random="~ Name", data=df, subset=sub)
        assert m.loglik == pytest.approx(ref.loglik, abs=1e-9)
        np.testing.assert_allclose(m.varcomp["component"], ref.varcomp["component"], rtol=1e-9)
        assert m.model.records.n == int(keep.sum())
    assert df.equals(orig)
    # update() keeps the subset
    m2 = m.update(random="~ Name + Env:Name")
    assert m2.model.records.n == int(keep.sum())


def test_bad_subsets_are_clear_errors() -> None:
    df = pd.read_csv(DATA / "DT_example.csv")
    with pytest.raises(DataError, match="could not be evaluated"):
        asr.asreml("Yield ~ Env", data=df, subset="Nope == 1")
    with pytest.raises(DataError, match="one value per data row"):
        asr.asreml("Yield ~ Env", data=df, subset=[True, False])
    with pytest.raises(DataError, match="selects no rows"):
        asr.asreml("Yield ~ Env", data=df, subset=np.zeros(len(df), dtype=bool))
