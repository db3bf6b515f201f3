"""asreml's default ``na.action = na.method(y = "include", x = "fail")`` in what a fit returns.

* y 'include' (asr_py's default too): the fit uses the observed records, and ``fitted`` /
  ``residuals`` / ``resid(type=)`` have one entry per data row, NaN where the response is
  missing, so ``df$res <- resid(m)`` and ``cbind(df, resid(m))`` line up with the data
  (asreml-R's reference manual, ``na.method``; asremlPlus's Wheat vignette binds
  ``residuals(current.asr, type = "stdCond")`` and ``fitted(current.asr)`` to its data frame).
  The values are checked against least squares in numpy.
* y 'omit': one entry per record fitted (the previous behaviour).
* x: asreml stops on a missing explanatory value; asr_py omits those rows and says so with an
  AsrWarning unless ``na_action`` names 'x' ('fail' stops as asreml).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError
from asr_py.translate.rbase import r_cbind

MISSING = [3, 17, 40]


def _data(n: int = 50, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"g": [f"G{i % 10}" for i in range(n)], "x": rng.normal(size=n)})
    df["y"] = 1 + 2 * df["x"] + rng.normal(size=n)
    df.loc[MISSING, "y"] = np.nan
    return df


def _ols(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(fitted, residuals) of y ~ x on the observed rows, by least squares in numpy."""
    obs = df["y"].notna().to_numpy()
    X = np.column_stack([np.ones(obs.sum()), df["x"].to_numpy()[obs]])
    y = df["y"].to_numpy()[obs]
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    return X @ b, y - X @ b


def test_residuals_and_fitted_have_one_entry_per_data_row() -> None:
    df = _data()
    m = asr.asreml("y ~ x", data=df)
    fit, res = _ols(df)
    for s in (m.residuals, m.fitted):
        assert len(s) == len(df)
        assert list(s.index) == list(df.index)
    assert sorted(np.flatnonzero(m.residuals.isna().to_numpy())) == MISSING
    obs = df["y"].notna().to_numpy()
    np.testing.assert_allclose(m.residuals.to_numpy()[obs], res, atol=1e-9)
    np.testing.assert_allclose(m.fitted.to_numpy()[obs], fit, atol=1e-9)
    # a missing response's fitted value is its linear predictor (least squares by hand)
    b = np.linalg.lstsq(np.column_stack([np.ones(obs.sum()), df["x"][obs]]),
                        df["y"][obs], rcond=None)[0]
    np.testing.assert_allclose(m.fitted.to_numpy()[MISSING],
                               b[0] + b[1] * df["x"].to_numpy()[MISSING], atol=1e-9)


def test_fitted_of_missing_responses_include_the_random_effects() -> None:
    df = _data()
    m = asr.asreml("y ~ x", random="~ g", data=df)
    b, u = m.coef_fixed["solution"], m.coef_random["solution"]
    by_hand = [b["(Intercept)"] + b["x"] * df.loc[i, "x"] + u[f"g_{df.loc[i, 'g']}"]
               for i in MISSING]
    np.testing.assert_allclose(m.fitted[MISSING].to_numpy(), by_hand, atol=1e-9)
    assert m.residuals[MISSING].isna().all()


def test_fitted_stay_missing_where_the_design_would_change() -> None:
    """A level seen only on rows with a missing response is not in the fit: NaN there (not
    a guess); the other missing rows get their linear predictor."""
    df = _data()
    df.loc[40, "g"] = "Gnew"
    m = asr.asreml("y ~ x", random="~ g", data=df)
    assert m.fitted[[3, 17, 40]].isna().all()     # the random term's levels differ
    df = _data()
    mm = asr.asreml("cbind(y, x) ~ trait", residual="~ units:us(trait)", data=df)
    assert mm.fitted.isna().sum() == len(MISSING)   # multivariate: not formed
    std = m.resid("stdCond")
    assert len(std) == len(df) and sorted(np.flatnonzero(std.isna().to_numpy())) == MISSING


def test_omit_reports_the_records_fitted_only() -> None:
    df = _data()
    inc = asr.asreml("y ~ x", random="~ g", data=df)
    om = asr.asreml("y ~ x", random="~ g", data=df, na_action={"y": "omit"})
    assert len(om.residuals) == len(df) - len(MISSING)
    assert inc.loglik == pytest.approx(om.loglik, abs=1e-10)
    np.testing.assert_allclose(inc.residuals.dropna().to_numpy(), om.residuals.to_numpy())
    assert list(inc.residuals.dropna().index) == list(om.residuals.index)


def test_binding_residuals_to_the_data_lines_up_by_row() -> None:
    """R's ``cbind(df, resid(m))`` binds by position: a record-length vector would be recycled
    onto the wrong rows; the data-row-length one lines up (checked on a shuffled index)."""
    df = _data().sample(frac=1.0, random_state=2)
    df.index = [f"r{i}" for i in range(len(df))]
    m = asr.asreml("y ~ x", data=df)
    out = r_cbind(df, m.residuals)
    assert len(out) == len(df)
    np.testing.assert_array_equal(out["residuals"].isna().to_numpy(), df["y"].isna().to_numpy())
    obs = df["y"].notna().to_numpy()
    np.testing.assert_allclose((out["y"] - out["residuals"]).to_numpy()[obs],
                               m.fitted.to_numpy()[obs], atol=1e-9)
    df["res"] = m.residuals                                    # df$res <- resid(m)
    np.testing.assert_array_equal(df["res"].isna().to_numpy(), df["y"].isna().to_numpy())


def test_multivariate_has_every_trait_of_every_row() -> None:
    df = _data()
    rng = np.random.default_rng(5)
    df["y2"] = df["x"] + rng.normal(size=len(df))
    df.loc[[0, 3], "y2"] = np.nan               # row 3: both traits missing
    m = asr.asreml("cbind(y, y2) ~ trait", residual="~ units:us(trait)", data=df)
    om = asr.asreml("cbind(y, y2) ~ trait", residual="~ units:us(trait)", data=df,
                    na_action={"y": "omit"})
    r = m.residuals
    assert len(r) == 2 * len(df)
    assert list(r.index[:4]) == [(0, "y"), (0, "y2"), (1, "y"), (1, "y2")]
    missing = {(i, "y") for i in MISSING} | {(0, "y2"), (3, "y2")}
    assert {k for k, v in r.items() if np.isnan(v)} == missing
    np.testing.assert_allclose(r.dropna().to_numpy(), om.residuals.to_numpy())


def test_missing_explanatory_values_warn_or_fail() -> None:
    df = _data()
    df.loc[[5, 6], "x"] = np.nan
    with pytest.warns(asr.AsrWarning, match=r"2 data rows dropped.*x \(2\).*asreml"):
        m = asr.asreml("y ~ x", data=df)
    assert len(m.residuals) == len(df) - 2 and 5 not in m.residuals.index
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asr.asreml("y ~ x", data=df, na_action={"x": "omit"})   # asked for: no warning
    with pytest.raises(DataError, match=r"missing values in model variables: x \(2\)"):
        asr.asreml("y ~ x", data=df, na_action={"x": "fail"})
