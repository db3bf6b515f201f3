"""Eight designs fitted with the response in other units (x 1e-4, x 1e4) and shifted by 1e6
agree with lme4 (recorded: tests/data/lme4_scales_reference.R) and with the unscaled fit:
a fit must not depend on the units a user measured in."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"
REF = json.loads((DATA / "lme4_scales_reference.json").read_text())

MODELS = {
    "dyestuff": ("Dyestuff.csv", "Yield", "1", "~ Batch"),
    "penicillin": ("Penicillin.csv", "diameter", "1", "~ plate + sample"),
    "pastes": ("Pastes.csv", "strength", "1", "~ batch + batch:cask"),
    "cake": ("cake.csv", "angle", "recipe*temperature", "~ recipe:replicate"),
    "sleep_us": ("sleepstudy.csv", "Reaction", "Days",
                 "~ str(~ Subject + Subject:Days, ~ us(2):id(Subject))"),
    "dt_example": ("DT_example.csv", "Yield", "Env", "~ Name + Env:Name"),
    "gryphon": ("DT_gryphon.csv", "BWT", "SEX", "~ MOTHER + BYEAR"),
    "oats": ("DT_yatesoats.csv", "Y", "N*V", "~ B + B:MP"),
}


def _ref(model: str, scale: float, shift: float) -> dict:
    return next(r for r in REF if r["model"] == model and r["scale"] == scale
                and r["shift"] == shift)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_units_and_shifts_do_not_change_the_fit(model: str) -> None:
    csv, resp, fixed, random = MODELS[model]
    df = pd.read_csv(DATA / csv, dtype=str)
    df[resp] = pd.to_numeric(df[resp])
    if "Days" in df:
        df["Days"] = pd.to_numeric(df["Days"])
    base_ref = np.sort(_ref(model, 1, 0)["vcov"])
    fits = {}
    for scale, shift in ((1, 0), (1e-4, 0), (1e4, 0), (1, 1e6)):
        d = df.assign(**{resp: df[resp] * scale + shift})
        m = asr.asreml(f"{resp} ~ {fixed}", random=random, data=d)
        assert m.converged, (model, scale, shift)
        ref = _ref(model, scale, shift)
        # lme4's own log-likelihood at this scale (n log|scale| apart from the unscaled one)
        assert m.loglik == pytest.approx(ref["loglik"], abs=2e-6 * max(1.0, abs(ref["loglik"])))
        comp = np.sort(m.varcomp["component"].to_numpy())
        # lme4's optimum (unscaled, then put in these units: its shifted fit drifts ~1e-6)
        np.testing.assert_allclose(comp / scale ** 2, base_ref, rtol=2e-5,
                                   atol=1e-8 * np.max(base_ref))
        fits[(scale, shift)] = (m.loglik, comp)
    ll1, c1 = fits[(1, 0)]
    n_minus_p = m.result.n_minus_p
    for (scale, _shift), (ll, comp) in fits.items():
        # the Jacobian: ℓ(c y) = ℓ(y) − (n − p) log c
        assert ll == pytest.approx(ll1 - n_minus_p * np.log(scale), abs=1e-6)
        np.testing.assert_allclose(comp, c1 * scale ** 2, rtol=1e-7,
                                   atol=1e-10 * np.max(c1) * scale ** 2)
