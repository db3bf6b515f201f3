"""A variance with no information in the data (its BLUPs exactly zero: Z'Py = 0, so the
AI entry y'PZZ'PZZ'Py/2 is round-off) goes to its bound, not stuck at its start value.

Independent check: with every group mean equal, the REML optimum has σ²_g = 0 and is the
fit of y ~ 1 with iid errors, whose REML estimate and log-likelihood are closed forms:
σ̂² = SS/(n − 1) and ℓ = −½[(n − 1) log 2π + n log σ̂² + log(n/σ̂²) + (n − 1)].
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _equal_group_means(scale: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(6), 5)
    y = rng.normal(size=g.size)
    y = y - pd.Series(y).groupby(g).transform("mean").to_numpy() + 10.0
    return pd.DataFrame({"y": y * scale, "g": pd.Categorical([f"G{i}" for i in g])})


def _closed_form(y: np.ndarray) -> tuple[float, float]:
    n = y.size
    s2 = float(np.sum((y - y.mean()) ** 2) / (n - 1))
    ll = -0.5 * ((n - 1) * np.log(2 * np.pi) + n * np.log(s2) + np.log(n / s2) + (n - 1))
    return s2, ll


@pytest.mark.parametrize("scale", [1.0, 1e-3, 1e4])
@pytest.mark.parametrize("seed", [1, 7])
def test_uninformative_variance_goes_to_its_bound(scale: float, seed: int) -> None:
    d = _equal_group_means(scale, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(fixed="y ~ 1", random="~ g", data=d)
    s2, ll = _closed_form(d["y"].to_numpy())
    vc = m.varcomp
    assert vc.loc["g", "bound"] == "B"
    assert vc.loc["g", "component"] < 1e-9 * s2
    assert vc.loc["units!R", "component"] == pytest.approx(s2, rel=1e-6)
    assert m.loglik == pytest.approx(ll, abs=1e-6)
