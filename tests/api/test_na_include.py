"""asreml's na.method.Y = 'include' is accepted (same REML fit as omitting the records with a
missing response); na.method.X = 'include' sets missing covariate values to 0 (asreml's rule;
checked against least squares in numpy) and refuses a missing factor level."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import AsrError

DATA = Path(__file__).resolve().parents[1] / "data"


def test_include_for_the_response_is_the_omit_fit() -> None:
    df = pd.read_csv(DATA / "DT_example.csv")
    df.loc[::7, "Yield"] = np.nan
    a = asr.asreml("Yield ~ Env", random="~ Name", data=df, na_action={"y": "include"})
    b = asr.asreml("Yield ~ Env", random="~ Name", data=df, na_action={"y": "omit"})
    assert a.loglik == b.loglik
    np.testing.assert_array_equal(a.varcomp["component"], b.varcomp["component"])


def _at_covariate_data() -> pd.DataFrame:
    """A covariate measured only in group 'b' (missing in 'a'), as at(AMF, "plus"):per.col."""
    rng = np.random.default_rng(7)
    g = np.repeat(["a", "b"], 20)
    x = np.where(g == "b", rng.normal(size=40), np.nan)
    y = 3 + (g == "b") * 1.5 + np.where(g == "b", 2 * np.nan_to_num(x), 0) + rng.normal(size=40)
    return pd.DataFrame({"g": g, "x": x, "y": y})


def test_include_for_covariates_sets_them_to_zero_as_least_squares() -> None:
    d = _at_covariate_data()
    before = d.copy()
    m = asr.asreml("y ~ g + at(g, 'b'):x", data=d, na_action={"x": "include"})
    assert m.model.records.n == 40                 # no record dropped
    pd.testing.assert_frame_equal(d, before)       # the user's data are not changed
    X = np.column_stack([np.ones(40), d["g"] == "b", np.where(d["g"] == "b",
                                                               d["x"].fillna(0), 0)])
    beta, rss, *_ = np.linalg.lstsq(X.astype(float), d["y"].to_numpy(), rcond=None)
    # columns: (Intercept), g_b, at(g, b):x
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), beta, rtol=1e-8)
    assert m.varcomp["component"].iloc[-1] == pytest.approx(rss[0] / (40 - 3), rel=1e-8)
    assert any("set to 0" in n for n in m.model.records.notes)
    omit = asr.asreml("y ~ g + at(g, 'b'):x", data=d, na_action={"x": "omit"})
    assert omit.model.records.n == 20              # 'omit' is a different fit


def test_include_refuses_a_missing_factor_level() -> None:
    d = _at_covariate_data()
    d.loc[3, "g"] = None
    with pytest.raises(AsrError, match="factor 'g' has 1 missing"):
        asr.asreml("y ~ g", data=d, na_action={"x": "include"})
