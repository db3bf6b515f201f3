"""``residual = ~ units:at(Test)`` (asreml 3's rcov with at() written last) is the same model
as ``~ at(Test):units`` and ``~ dsum(~ units | Test)``: one residual variance per level.

Reference (closed form): with the level means fixed (y ~ Test) and no random term, the REML
estimate of each section's variance is that level's sample variance with n_k - 1 divisor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


@pytest.fixture(scope="module")
def three_tests() -> pd.DataFrame:
    rng = np.random.default_rng(14)
    sizes = {"A": 12, "B": 15, "C": 9}
    sd = {"A": 0.5, "B": 1.5, "C": 3.0}
    test = np.concatenate([[k] * n for k, n in sizes.items()])
    y = np.array([10 + sd[t] * rng.normal() for t in test])
    return pd.DataFrame({"Test": test, "y": y})


def test_units_at_is_one_variance_per_level(three_tests: pd.DataFrame) -> None:
    before = three_tests.copy()
    m = asr.asreml("y ~ Test", residual="~ units:at(Test)", data=three_tests)
    pd.testing.assert_frame_equal(three_tests, before)
    want = three_tests.groupby("Test")["y"].var(ddof=1)
    vc = m.varcomp["component"]
    for level, v in want.items():
        row = [k for k in vc.index if k.startswith(f"Test_{level}!")]
        assert len(row) == 1
        assert vc[row[0]] == pytest.approx(v, rel=1e-5)


@pytest.mark.parametrize("residual", ["~ at(Test):units", "~ dsum(~ units | Test)"])
def test_units_at_matches_the_other_spellings(three_tests: pd.DataFrame, residual: str) -> None:
    a = asr.asreml("y ~ Test", residual="~ units:at(Test)", data=three_tests)
    b = asr.asreml("y ~ Test", residual=residual, data=three_tests)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-8)
    np.testing.assert_allclose(np.sort(a.varcomp["component"].to_numpy()),
                               np.sort(b.varcomp["component"].to_numpy()), rtol=1e-6)


def test_own_with_asremls_four_arguments_parses_and_asks_for_the_function(
        three_tests: pd.DataFrame) -> None:
    # asreml's own(obj, fun, init, type) calls a function of the user's: the formula parses
    # (4 arguments), the fit asks for the function by its name (asr_py.vcov.own, session 20;
    # tests/vcov/test_own.py fits it)
    from asr_py.formula import parse_formula

    assert "own(" in str(parse_formula('~ own(Test, "banded", 0.2, "R")'))
    with pytest.raises(asr.AsrError, match="the function 'banded' is not given"):
        asr.asreml("y ~ 1", random='~ own(Test, "banded", 0.2, "R")', data=three_tests)
