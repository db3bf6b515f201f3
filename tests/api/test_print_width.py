"""wald() and lrt() tables print within 80 columns with every statistic visible (nothing
elided with '...'), while their values keep full precision."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import asr_py as asr


@pytest.fixture(scope="module")
def fits(dt_example: pd.DataFrame):
    m1 = asr.asreml("Yield ~ Env", random="~ Name", data=dt_example)
    m2 = asr.asreml("Yield ~ Env", random="~ Name + Env:Name", data=dt_example)
    return m1, m2


def _check_printed(table: pd.DataFrame) -> str:
    text = repr(table)
    assert str(table) == text and "..." not in text
    assert max(len(line) for line in text.splitlines()) <= 80, text
    for col in table.columns:
        assert str(col) in text, col
    return text


@pytest.mark.parametrize("denDF,ssType", [(None, "incremental"), ("numeric", "incremental"),
                                          ("numeric", "conditional"),
                                          ("satterthwaite", "incremental")])
def test_wald_prints_within_80_columns(fits, denDF, ssType) -> None:
    w = fits[0].wald(denDF=denDF, ssType=ssType)
    _check_printed(w)
    # the values keep full precision (F = W / Df, p from the chi-square tail, not rounded)
    assert w["F.inc"].iloc[1] == pytest.approx(w["Wald statistic"].iloc[1] / 2, rel=1e-12)
    assert w["Pr(Chisq)"].iloc[1] == pytest.approx(
        stats.chi2.sf(w["Wald statistic"].iloc[1], 2), rel=1e-9)
    assert not np.isclose(w["Wald statistic"].iloc[1], round(w["Wald statistic"].iloc[1], 1))


def test_lrt_prints_within_80_columns_with_its_note(fits) -> None:
    t = asr.lrt(*fits)
    text = _check_printed(t)
    assert "p halved (boundary)" in text
    assert "Self & Liang" in t.attrs["note"]
    lr = 2 * (fits[1].loglik - fits[0].loglik)
    assert t["LR-statistic"].iloc[0] == pytest.approx(lr, rel=1e-12)
