"""A datetime column used as a factor (a sowing or scoring date): its records were coded
with pandas' labels ('2020-01-02 00:00:00') but its levels with numpy's
('2020-01-02T00:00:00.000000'), so no record had a level: as a fixed factor every column
was dropped as aliased (silently a different model), as a random term Z was empty. Now the
date is a factor like its text version; checked against the dense-V REML."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, indicator

import asr_py as asr


def _trial() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    n = 90
    day = rng.integers(0, 4, n)
    g = rng.integers(0, 15, n)
    y = 5 + np.array([0.0, 1.0, -0.5, 2.0])[day] + rng.normal(0, 1, 15)[g] \
        + rng.normal(0, 1, n)
    return pd.DataFrame({"date": pd.Timestamp("2021-05-03") + pd.to_timedelta(day, unit="D"),
                         "Name": [f"G{i}" for i in g], "y": y})


def test_datetime_fixed_factor_is_the_text_factor() -> None:
    d = _trial()
    m = asr.asreml(fixed="y ~ date", random="~ Name", data=d)
    m_txt = asr.asreml(fixed="y ~ date", random="~ Name", data=d.assign(date=d.date.astype(str)))
    assert m.model.fixed.X.shape[1] == 4 and not m.model.fixed.aliased
    assert m.loglik == pytest.approx(m_txt.loglik, abs=1e-8)
    X = indicator(d.date.astype(str))
    X = np.column_stack([np.ones(len(d)), X[:, 1:]])
    Z = indicator(d.Name)
    th, ll = fit_dense(d.y.to_numpy(), X, lambda t: t[0] * Z @ Z.T + t[1] * np.eye(len(d)),
                       [np.array([1.0, 1.0])], bounds=[(1e-8, None), (1e-8, None)])
    assert m.loglik == pytest.approx(ll, abs=1e-5)
    np.testing.assert_allclose(m.varcomp.component.to_numpy(), th, rtol=1e-3)


def test_datetime_random_factor_has_its_levels() -> None:
    d = _trial()
    m = asr.asreml(fixed="y ~ 1", random="~ date + Name", data=d)
    m_txt = asr.asreml(fixed="y ~ 1", random="~ date + Name",
                       data=d.assign(date=d.date.astype(str)))
    assert m.loglik == pytest.approx(m_txt.loglik, abs=1e-8)
    assert len(m.coef_random.loc[lambda c: c.index.str.startswith("date")]) == 4
