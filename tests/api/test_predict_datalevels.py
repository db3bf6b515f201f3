"""predict lists a classify factor's levels that occur in the data only on records dropped
for a missing response, as asreml does (asremlPlus's test42Variofaces.r records 247 Lines
predicted for chkpeadat, 3 Lines of which have responses all missing): not estimable for a
fixed factor; for a random-only factor, the fixed part alone (its BLUP is 0)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def oats() -> pd.DataFrame:
    d = pd.read_csv(DATA / "DT_yatesoats.csv", dtype=str).astype({"Y": float})
    d.loc[d["V"] == "Victory", "Y"] = np.nan        # a Variety with no response at all
    return d


def test_fixed_factor_level_without_records_is_listed_as_aliased(oats: pd.DataFrame) -> None:
    before = oats.copy()
    p = asr.asreml("Y ~ N + V", random="~ B", data=oats).predict("V")
    pd.testing.assert_frame_equal(oats, before)
    assert list(p["V"]) == ["GoldenRain", "Marvellous", "Victory"]
    row = p[p["V"] == "Victory"].iloc[0]
    assert row["status"] == "Aliased" and np.isnan(row["predicted.value"])
    # the other levels as in a fit of the data without those records
    q = asr.asreml("Y ~ N + V", random="~ B", data=oats.dropna(subset=["Y"])).predict("V")
    np.testing.assert_allclose(p["predicted.value"].iloc[:2], q["predicted.value"], rtol=1e-8)
    # a cross with the level: each of its cells not estimable
    pc = asr.asreml("Y ~ N + V", random="~ B", data=oats).predict("N:V", sed=True)
    assert len(pc) == 12 and (pc["status"] == "Aliased").sum() == 4
    assert pc.attrs["sed"].shape == (12, 12)


def test_random_factor_level_without_records_is_the_fixed_part(oats: pd.DataFrame) -> None:
    m = asr.asreml("Y ~ N", random="~ B + V", data=oats)
    p = m.predict("V")
    assert len(p) == 3 and (p["status"] == "Estimable").all()
    fixed_part = m.predict("N")["predicted.value"].mean()   # N averaged, V's BLUP 0
    assert p.loc[p["V"] == "Victory", "predicted.value"].iloc[0] == pytest.approx(
        fixed_part, rel=1e-10)
    # explicit levels= are taken as given
    assert len(m.predict("V", levels={"V": ["Marvellous"]})) == 1
