"""``rr(f, k)`` on its own under ``family = asr_gaussian(dispersion = d)`` (the PQL route):
fitted in its latent-factor form as on the Gaussian route (m-hrachov's two-stage model with
stage-one weights and the residual held at 1). With the identity link the PQL fit is one
REML fit, so it must equal the Gaussian route's fit with the residual variance held at d
(params constraint 'F')."""

from __future__ import annotations

import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    path = resources.files("asr_py.data").joinpath("DT_example.csv")
    return pd.read_csv(path, dtype={"Env": str, "Name": str})


def test_rr_alone_with_a_held_dispersion_equals_the_gaussian_route(dt) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pql = asr.asreml("Yield ~ Env", random="~ rr(Env, 1):Name", data=dt,
                         family=asr.asr_gaussian(dispersion=4.0))
        sv = asr.asreml("Yield ~ Env", random="~ rr(Env, 1):Name", data=dt,
                        start_values=True)
        sv.loc[sv["Component"] == "units!R", ["Value", "Constraint"]] = [4.0, "F"]
        ref = asr.asreml("Yield ~ Env", random="~ rr(Env, 1):Name", data=dt, params=sv)
    a = pql.varcomp["component"]
    b = ref.varcomp["component"]
    assert list(a.index) == list(b.index)
    assert a["units!R"] == pytest.approx(4.0)
    # the loadings are determined up to their common sign
    lam_a = a[[i for i in a.index if i.endswith("!fa1")]].to_numpy()
    lam_b = b[[i for i in b.index if i.endswith("!fa1")]].to_numpy()
    np.testing.assert_allclose(np.abs(lam_a), np.abs(lam_b), rtol=1e-3)
    assert float(pql.loglik) == pytest.approx(float(ref.loglik), abs=1e-4)
