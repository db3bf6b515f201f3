"""vpredict's V-numbers count asreml's fixed residual scale row (``units:trait!R``) that
varcomp does not list: using that number warns and says which numbers follow it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


@pytest.fixture(scope="module")
def fit():
    rng = np.random.default_rng(3)
    ids = np.repeat([f"g{i}" for i in range(30)], 3)
    u = rng.multivariate_normal([0, 0], [[4, 1], [1, 2]], 30)[np.repeat(np.arange(30), 3)]
    e = rng.multivariate_normal([0, 0], [[6, -1], [-1, 3]], len(ids))
    d = pd.DataFrame({"id": ids, "y1": 50 + u[:, 0] + e[:, 0], "y2": 5 + u[:, 1] + e[:, 1]})
    return asr.asreml("cbind(y1, y2) ~ trait", random="~ us(trait):id",
                      residual="~ units:us(trait)", data=d)


def test_scale_row_number_warns_and_names_the_next(fit):
    vc = fit.varcomp["component"]
    with pytest.warns(asr.AsrWarning, match=r"V4 is units:trait!R.*V5 = units:trait!trait_y1:y1"):
        out = fit.vpredict("h2 ~ V1/(V1+V4)")
    # asreml's meaning of V4: the scale, fixed at 1
    assert out["Estimate"].iloc[0] == pytest.approx(vc.iloc[0] / (vc.iloc[0] + 1.0), rel=1e-12)


def test_residual_numbers_after_the_scale_row_do_not_warn(fit):
    vc = fit.varcomp["component"]
    g, r = vc["trait:id!trait_y1:y1"], vc["units:trait!trait_y1:y1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = fit.vpredict("h2 ~ V1/(V1+V5)")
        b = fit.vpredict("h2 ~ `trait:id!trait_y1:y1`/(`trait:id!trait_y1:y1` + "
                         "`units:trait!trait_y1:y1`)")
    assert a["Estimate"].iloc[0] == pytest.approx(g / (g + r), rel=1e-12)
    assert b["Estimate"].iloc[0] == pytest.approx(g / (g + r), rel=1e-12)
    assert a["SE"].iloc[0] == pytest.approx(b["SE"].iloc[0], rel=1e-9)


def test_univariate_fit_has_no_scale_row_warning():
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"g": np.repeat([f"g{i}" for i in range(20)], 4)})
    d["y"] = rng.normal(size=20)[np.repeat(np.arange(20), 4)] + rng.normal(size=80)
    m = asr.asreml("y ~ 1", random="~ g", data=d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = m.vpredict("h2 ~ V1/(V1+V2)")
    vc = m.varcomp["component"]
    assert out["Estimate"].iloc[0] == pytest.approx(vc.iloc[0] / vc.sum(), rel=1e-12)
