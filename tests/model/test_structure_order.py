"""The order argument of ante/chol/corb/fa reaches the structure (it was dropped: ante(Env, 2)
silently fitted order 1)."""

from pathlib import Path

import pandas as pd
import pytest

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def dt() -> pd.DataFrame:
    return pd.read_csv(DATA / "DT_example.csv", dtype={"Name": str, "Env": str})


@pytest.mark.parametrize("term, n_params", [
    ("ante(Env)", 3 + 2), ("ante(Env, 2)", 3 + 2 + 1), ("chol(Env, k = 2)", 6),
    ("corb(Env, 2)", 2 + 1), ("corb(Env, b = 2)", 2 + 1),
    ("fa(Env, 2)", 3 * 2 + 3),  # asreml lists the structural zero loading too
])
def test_order_argument_sets_the_parameter_count(dt, term, n_params):
    """Closed forms for 3 levels: ante/chol order k: 3 D terms and k bands (2 + 1 for k = 2);
    corb(k) has k correlations (+ the idv scale); fa(k): nk − k(k−1)/2 loadings (the upper
    triangle of the loadings fixed at 0) + n specific variances."""
    m = asr.compile_model("Yield ~ Env", random=f"~ {term}:Name", data=dt)
    assert m.n_params - 1 == n_params  # minus the residual variance


def test_full_order_ante_equals_us(dt):
    a = asr.asreml("Yield ~ Env", random="~ ante(Env, 2):Name", data=dt)
    u = asr.asreml("Yield ~ Env", random="~ us(Env):Name", data=dt)
    assert a.converged and u.converged
    assert a.loglik == pytest.approx(u.loglik, abs=1e-5)


def test_bad_order_is_refused(dt):
    with pytest.raises(asr.FormulaError, match="whole number"):
        asr.compile_model("Yield ~ Env", random="~ ante(Env, 1.5):Name", data=dt)
