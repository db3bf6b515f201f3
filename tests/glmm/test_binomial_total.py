"""``asr_binomial(total=)``: the response is a proportion or a count of successes.

ASReml's rule (its !TOTAL qualifier, which asreml-R's ``asr_binomial(total = n)`` sets):
"proportions or counts are indicated if !TOTAL specifies the variate containing the binomial
totals. Proportions are assumed if no response value exceeds 1." asremlPlus's REMLRTIC tests
fit ``p ~ ldose`` with ``p = numdead / N`` and ``total = N``. Checked against R's glm()
(tests/data/budworm_glm.R, its recorded output budworm_glm.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import asr_py as asr
from asr_py.errors import DataError

REF = json.loads((Path(__file__).parents[1] / "data" / "budworm_glm.json").read_text())


def budworm() -> pd.DataFrame:
    """The MASS budworm data, grouped (as in budworm_glm.R)."""
    df = pd.DataFrame({"ldose": list(range(6)) * 2,
                       "numdead": [1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16],
                       "sex": ["M"] * 6 + ["F"] * 6, "N": [20] * 12})
    df["p"] = df["numdead"] / df["N"]
    return df


def test_proportions_with_total_agree_with_r_glm() -> None:
    df = budworm()
    before = df.copy()
    m0 = asr.asreml("p ~ ldose", data=df, family=asr.asr_binomial(total="N"))
    m1 = asr.asreml("p ~ ldose + sex", data=df, family=asr.asr_binomial(total="N"))
    pd.testing.assert_frame_equal(df, before)                 # the data are not mutated
    assert [m0.deviance, m1.deviance] == pytest.approx(REF["deviance"], rel=1e-8)
    # R's sexM is asr_py's sex_M (treatment contrasts, F the baseline)
    np.testing.assert_allclose(m1.coef_fixed["solution"], REF["coef1"], rtol=1e-6)
    np.testing.assert_allclose(m1.coef_fixed["std.error"], REF["se1"], rtol=1e-5)
    assert m0.result.n_minus_p == REF["df_residual"][0]


def test_counts_and_proportions_with_total_are_the_same_data() -> None:
    """Counts (some value > 1) are read as successes out of the total, proportions as they
    are: the same fit, also with a random effect; row order does not matter."""
    df = budworm()
    df["g"] = ["a", "b", "c"] * 4
    fam = asr.asr_binomial(total="N")
    mp = asr.asreml("p ~ ldose + sex", random="~ g", data=df, family=fam)
    mc = asr.asreml("numdead ~ ldose + sex", random="~ g", data=df, family=fam)
    np.testing.assert_allclose(mp.coef_fixed["solution"], mc.coef_fixed["solution"],
                               atol=1e-8)
    assert mp.deviance == pytest.approx(mc.deviance, rel=1e-9)
    rev = df.iloc[::-1].reset_index(drop=True)
    mr = asr.asreml("p ~ ldose + sex", random="~ g", data=rev, family=fam)
    np.testing.assert_allclose(mr.coef_fixed["solution"], mp.coef_fixed["solution"],
                               atol=1e-7)


def test_bad_binomial_data_with_total_are_clear_errors() -> None:
    df = budworm()
    with pytest.raises(DataError, match="between 0 and 'N'"):
        asr.asreml("y ~ ldose", data=df.assign(y=df["numdead"] + 5),
                   family=asr.asr_binomial(total="N"))
    # a value above 1 makes the column counts: 1.5 successes is not a count
    with pytest.raises(DataError, match="whole numbers"):
        asr.asreml("y ~ ldose", data=df.assign(y=np.r_[1.5, df["p"].to_numpy()[1:]]),
                   family=asr.asr_binomial(total="N"))
    with pytest.raises(DataError, match=r"\[0, 1\]|between 0"):
        asr.asreml("y ~ ldose", data=df.assign(y=-df["p"]),
                   family=asr.asr_binomial(total="N"))
