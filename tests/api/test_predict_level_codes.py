"""predict(levels=) of a factor: one label alone, or whole-number level codes (asreml's
1-based codes, as in ``predict(m, classify = "env", levels = list(env = i))`` inside a loop
over ``1:nlevels(env)``: saulo-chaves/MHT_MET_MM MET.R). Checked against the closed form:
with Env the only (fixed) term, the prediction of an environment is its mean yield."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError


@pytest.fixture(scope="module")
def fit() -> tuple[asr.AsremlFit, pd.DataFrame]:
    d = pd.read_csv(resources.files("asr_py.data").joinpath("DT_example.csv"))
    d["Env"] = d["Env"].astype(str)
    return asr.asreml(fixed="Yield ~ Env", data=d), d


def test_level_code_and_scalar_label(fit: tuple) -> None:
    m, d = fit
    labels = sorted(d["Env"].unique())
    means = d.groupby("Env")["Yield"].mean()
    for i, lab in enumerate(labels, start=1):
        by_code = m.predict(classify="Env", levels={"Env": i})
        by_label = m.predict(classify="Env", levels={"Env": lab})
        assert by_code["Env"].astype(str).tolist() == [lab]
        assert by_code["predicted.value"].iloc[0] == pytest.approx(means[lab], rel=1e-8)
        assert by_label["predicted.value"].iloc[0] == pytest.approx(means[lab], rel=1e-8)
    two = m.predict(classify="Env", levels={"Env": [3, 1]})
    assert two["Env"].astype(str).tolist() == [labels[2], labels[0]]


def test_a_code_out_of_range_is_a_clear_error(fit: tuple) -> None:
    m, _ = fit
    with pytest.raises(AsrError, match="not among the levels of 'Env'"):
        m.predict(classify="Env", levels={"Env": 7})
