"""A response with a large mean (10⁶ ± a few units) fits exactly as the centred response:
the REML likelihood is invariant to y -> y + Xc, and the engine centres y on its
least-squares fit so that no digits are lost (before, such fits stopped unconverged up to 2.6
log-likelihood units short). Checked against lme4's recorded fits (tests/data/
lme4_shift_reference.R) and by the invariance itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"
REF = json.loads((DATA / "lme4_shift_reference.json").read_text())

CASES = {
    "DT_example.csv": ("Yield ~ Env", "~ Name + Env:Name", ["Env:Name", "Name"]),
    "Penicillin.csv": ("diameter ~ 1", "~ plate + sample", ["plate", "sample"]),
    "Dyestuff.csv": ("Yield ~ 1", "~ Batch", ["Batch"]),
}


@pytest.mark.parametrize("csv", sorted(CASES))
@pytest.mark.parametrize("shift", [1e6, -3e7])
def test_a_shifted_response_fits_as_the_original(csv: str, shift: float) -> None:
    fixed, random, terms = CASES[csv]
    df = pd.read_csv(DATA / csv, dtype=str)
    resp = fixed.split("~")[0].strip()
    df[resp] = pd.to_numeric(df[resp])
    base = asr.asreml(fixed, random=random, data=df)
    moved = asr.asreml(fixed, random=random, data=df.assign(**{resp: df[resp] + shift}))
    assert moved.converged
    assert moved.loglik == pytest.approx(base.loglik, abs=1e-7)
    np.testing.assert_allclose(moved.varcomp["component"], base.varcomp["component"],
                               rtol=1e-7)
    b0, b1 = base.coef_fixed["solution"], moved.coef_fixed["solution"]
    assert b1.iloc[0] - b0.iloc[0] == pytest.approx(shift, rel=1e-12)
    np.testing.assert_allclose(b1.iloc[1:], b0.iloc[1:], atol=1e-6)
    np.testing.assert_allclose(moved.fitted - shift, base.fitted, atol=1e-6)
    np.testing.assert_allclose(moved.coef_random["solution"], base.coef_random["solution"],
                               atol=1e-7)
    # lme4 on the original response (its own shifted fit drifts by ~1e-6 in the variances)
    ref = next(r for r in REF if r["data"] == csv and r["shift"] == 0)
    ref_shift = next(r for r in REF if r["data"] == csv and r["shift"] == 1e6)
    assert moved.loglik == pytest.approx(ref_shift["loglik"], abs=1e-6)
    vc = dict(zip(ref["grp"], ref["vcov"]))
    for t in terms:
        assert moved.varcomp.loc[t, "component"] == pytest.approx(vc[t], rel=1e-5)
    assert moved.varcomp.loc["units!R", "component"] == pytest.approx(vc["Residual"], rel=1e-5)
