"""A random term written with ids read as numbers (``pd.read_csv`` reads '1306' as 1306):
``~ MOTHER`` is then a random covariate (one slope), not a variance per mother. asreml
fits it so; asr_py does too but says it with an AsrWarning that names the column and the
fix (found on the gryphon data read with pandas' defaults: the maternal variance went to
zero and the log-likelihood dropped by 13, silently). Simulated dams here; the factor fit
is checked against the dense-V REML of tests/_dense_reml.py."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, indicator

import asr_py as asr


def _dams(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dam = rng.integers(1001, 1041, size=240)            # 40 dams, ids as integers
    u = rng.normal(0, 1.5, 1041)
    yr = rng.integers(1, 6, size=240)
    return pd.DataFrame({"MOTHER": dam, "BYEAR": yr,
                         "w": 5 + u[dam] + rng.normal(0, 1, 240)})


def _fit(df: pd.DataFrame, random: str) -> tuple[asr.AsremlFit, list[str]]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        m = asr.asreml(fixed="w ~ 1", random=random, data=df)
    return m, [str(w.message) for w in rec if issubclass(w.category, asr.AsrWarning)]


def test_integer_ids_in_a_random_term_warn_with_the_fix() -> None:
    df = _dams()
    m, said = _fit(df, "~ MOTHER")
    note = next(s for s in said if "'MOTHER'" in s)
    assert "fitted as a covariate" in note and "read as numbers" in note
    assert "dtype={'MOTHER': str}" in note and "fac(MOTHER)" in note
    assert m.varcomp.shape[0] == 2 and note in m.diagnostics
    # the fix the warning gives fits a variance per dam, as the dense-V REML does
    mf, said_f = _fit(df.astype({"MOTHER": str}), "~ MOTHER")
    assert not any("covariate" in s for s in said_f)
    Z = indicator(df.MOTHER.astype(str))
    y, X = df.w.to_numpy(), np.ones((len(df), 1))
    th, ll = fit_dense(y, X, lambda t: t[0] * Z @ Z.T + t[1] * np.eye(len(y)),
                       [np.array([1.0, 1.0])], bounds=[(1e-8, None), (1e-8, None)])
    assert mf.loglik == pytest.approx(ll, abs=1e-5)
    np.testing.assert_allclose(mf.varcomp.component.to_numpy(), th, rtol=1e-3)
    assert mf.loglik > m.loglik + 5   # the covariate fit is a different (worse) model


def test_a_product_of_numeric_columns_warns_too() -> None:
    _, said = _fit(_dams(), "~ BYEAR:MOTHER")
    note = next(s for s in said if "'BYEAR:MOTHER'" in s)
    assert "product of numeric columns" in note and "fac(BYEAR):fac(MOTHER)" in note
    assert "dtype={'BYEAR': str, 'MOTHER': str}" in note


def test_a_measured_covariate_is_not_called_an_id() -> None:
    df = _dams().assign(x=lambda d: np.random.default_rng(1).normal(size=len(d)))
    _, said = _fit(df, "~ x")
    note = next(s for s in said if "'x'" in s)
    assert "fitted as a covariate" in note and "read as numbers" not in note


def test_numeric_column_with_a_factor_part_is_a_random_slope_and_silent() -> None:
    df = _dams().astype({"MOTHER": str})
    _, said = _fit(df, "~ MOTHER + BYEAR:MOTHER")
    assert not any("covariate" in s for s in said)
