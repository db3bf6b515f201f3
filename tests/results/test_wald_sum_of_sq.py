"""wald()'s ``Sum of Sq`` is asreml's: σ² × the Wald statistic, σ² the residual scale.

Independent checks:
* a fixed-effects model with one residual variance: Sum of Sq = the term's sequential
  (type I) sum of squares from a QR decomposition of X in numpy, the classical ANOVA table
  (asremlPlus's test42REMLRTIC.r R2adj test sums asreml's Sum of Sq of the treatment terms
  and divides by 71·var(Yield) to get R²: that identity);
* a mixed model with a units residual: Sum of Sq / Wald statistic = the residual variance;
* a residual with its own variances (idh): σ² = 1, Sum of Sq = Wald statistic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _fetched import fetched

import asr_py as asr


@pytest.fixture(scope="module")
def oats() -> pd.DataFrame:
    d = pd.read_csv(fetched("asremlplus_oats.csv"), dtype={"Blocks": str, "Wplots": str,
                                                           "Subplots": str, "Nitrogen": str})
    return d


def _sequential_ss(y: np.ndarray, blocks: list[np.ndarray]) -> list[float]:
    """Type I sums of squares: the drop in residual SS as each block of columns is added."""
    X = np.ones((len(y), 1))
    prev = float(np.sum((y - y.mean()) ** 2))
    out = []
    for B in blocks:
        X = np.column_stack([X, B])
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        rss = float(np.sum((y - X @ beta) ** 2))
        out.append(prev - rss)
        prev = rss
    return out


def _dummies(f: pd.Series) -> np.ndarray:
    return pd.get_dummies(f, drop_first=True).to_numpy(float)


def test_fixed_model_sum_of_sq_is_type_one_ss(oats: pd.DataFrame) -> None:
    fit = asr.asreml(fixed="Yield ~ Nitrogen*Variety", data=oats)
    w = fit.wald()
    N, V = _dummies(oats.Nitrogen), _dummies(oats.Variety)
    NV = np.column_stack([N[:, i] * V[:, j] for i in range(N.shape[1])
                          for j in range(V.shape[1])])
    ss = _sequential_ss(oats.Yield.to_numpy(float), [N, V, NV])
    got = [float(w.loc[t, "Sum of Sq"]) for t in ("Nitrogen", "Variety", "Nitrogen:Variety")]
    np.testing.assert_allclose(got, ss, rtol=1e-9)
    resid = float(np.sum((oats.Yield - oats.groupby(["Nitrogen", "Variety"]).Yield
                          .transform("mean")) ** 2)) / (72 - 12)
    assert fit.sigma2 == pytest.approx(resid, rel=1e-8)
    r2 = sum(got) / (71 * oats.Yield.var())
    assert 0 < r2 < 1


def test_mixed_model_ratio_is_the_residual_variance(oats: pd.DataFrame) -> None:
    fit = asr.asreml(fixed="Yield ~ Nitrogen*Variety", random="~ Blocks/Wplots", data=oats)
    w = fit.wald()
    s2 = float(fit.varcomp.loc[[i for i in fit.varcomp.index if i.endswith("!R")][0],
                               "component"])
    np.testing.assert_allclose(w["Sum of Sq"] / w["Wald statistic"], s2, rtol=1e-12)
    assert fit.sigma2 == pytest.approx(s2, rel=1e-12)


def test_residual_with_own_variances_has_unit_scale(oats: pd.DataFrame) -> None:
    fit = asr.asreml(fixed="Yield ~ Nitrogen + Variety", residual="~ idh(Variety):units",
                     data=oats)
    assert fit.sigma2 == 1.0
    w = fit.wald()
    np.testing.assert_allclose(w["Sum of Sq"], w["Wald statistic"], rtol=0)
