"""A fixed covariate far from 0 (s34user audit): UTM northings 5·10⁶ ± 100 of the plots of one
field, dates in seconds, latitudes in degrees.

Before: x = 5·10⁶ + 50·z (z ~ N(0, 2²)) was dropped as aliased with the intercept (its squared
residual after the intercept, 4·10⁻¹⁰ of its squared norm, was under the 10⁻⁹ rule) with only
a line in ``m.diagnostics``: the fit was that of the model without x (ℓ 11.5 lower), silently;
shifted by 10⁵ on its own scale the engine refused X as rank-deficient, and Kenward-Roger's
F of x moved from 45.3 to 50.0. Reference: an independent dense-V REML (tests/_dense_reml.py)
of the model with x kept, maximised by scipy; invariance of ℓ, variances, β̂ and the KR tests
to the covariate's origin (the model's column space does not change).
"""

import numpy as np
import pandas as pd
import pytest
from _dense_reml import gls, indicator, maximise, reml_loglik

import asr_py as asr

RANDOM = "~ Block + Block:A"


def _split_plot(seed: int = 11) -> pd.DataFrame:
    """4 blocks x 3 whole plots (A) x 4 subplots (B), a few plots missing, a covariate x."""
    rng = np.random.default_rng(seed)
    rows = [(f"B{k}", a, b) for k in range(4) for a in ("a1", "a2", "a3")
            for b in ("b1", "b2", "b3", "b4") if rng.random() > 0.15 and (a, b) != ("a3", "b4")]
    df = pd.DataFrame(rows, columns=["Block", "A", "B"])
    df["x"] = rng.normal(5.0, 2.0, len(df))
    blk = dict(zip(sorted(df.Block.unique()), rng.normal(0, 1, 4)))
    wp = {k: rng.normal(0, 0.7) for k in set(zip(df.Block, df.A))}
    eff = {"a1": 0.0, "a2": 1.0, "a3": 2.0, "b1": 0.0, "b2": 0.5, "b3": -0.5, "b4": 1.0}
    df["y"] = [eff[a] + eff[b] + blk[k] + wp[(k, a)] + 0.3 * x + rng.normal(0, 0.5)
               for k, a, b, x in zip(df.Block, df.A, df.B, df.x)]
    return df


def _dense_fit(df: pd.DataFrame) -> tuple[float, np.ndarray, float]:
    """(ℓ, [σ²_Block, σ²_Block:A, σ²_e], β̂_x) by dense-V REML with x centred (the same ℓ)."""
    n = len(df)
    y = df.y.to_numpy()
    xc = df.x.to_numpy() - df.x.mean()
    X = np.column_stack([np.ones(n), indicator(df.A)[:, 1:], indicator(df.B)[:, 1:], xc])
    zb = indicator(df.Block)
    zw = indicator(df.Block + ":" + df.A)
    mats = [zb @ zb.T, zw @ zw.T, np.eye(n)]

    def v(t: np.ndarray) -> np.ndarray:
        return sum(np.exp(ti) * m for ti, m in zip(t, mats))

    t, ll = maximise(lambda t: reml_loglik(y, X, v(t)), [np.zeros(3), np.array([-1., -2., -1.])])
    beta, _ = gls(y, X, v(t))
    return ll, np.exp(t), float(beta[-1])


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _split_plot()


@pytest.mark.parametrize("scale, shift", [(50.0, 5e6), (1.0, 1e5)])
def test_covariate_far_from_zero_is_fitted(data, scale, shift):
    df = data.assign(x=data.x * scale + shift)
    ll, var, bx = _dense_fit(df)
    m = asr.asreml("y ~ A + B + x", random=RANDOM, data=df)
    assert not any("aliased" in d for d in m.diagnostics)
    assert m.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(m.varcomp["component"].to_numpy(), var, rtol=1e-4)
    assert m.coef_fixed.loc["x", "solution"] == pytest.approx(bx, rel=1e-6)


def test_kenward_roger_does_not_depend_on_the_origin(data):
    """x = 5·10⁶ + z (sd/mean 4·10⁻⁷): the KR and asreml tests of x and of A equal those of
    the fit with z itself (the tests are invariant to X → XM, L → M'L)."""
    m0 = asr.asreml("y ~ A + B + x", random=RANDOM, data=data)
    m1 = asr.asreml("y ~ A + B + x", random=RANDOM, data=data.assign(x=data.x + 5e6))
    for dd in ("kr", "numeric", "satterthwaite"):
        w0 = m0.wald(denDF=dd, ssType="conditional").loc[["A", "B", "x"]]
        w1 = m1.wald(denDF=dd, ssType="conditional").loc[["A", "B", "x"]]
        for col in ("denDF", "F.adj", "denDF.con", "F.con.adj"):
            np.testing.assert_allclose(w1[col].astype(float), w0[col].astype(float),
                                       rtol=1e-5, err_msg=f"{dd} {col}")


@pytest.mark.parametrize("kind", ["constant", "round-off"])
def test_a_constant_covariate_is_still_aliased(data, kind):
    """A constant written with round-off (0.1 · 3 beside 0.3) is the intercept: aliased."""
    n = len(data)
    x = np.full(n, 1e5) if kind == "constant" else np.where(np.arange(n) % 2, 0.1 * 3, 0.3)
    assert np.unique(x).size == (1 if kind == "constant" else 2)
    df = data.assign(x=x)
    m = asr.asreml("y ~ A + B + x", random=RANDOM, data=df)
    assert any("aliased fixed effects dropped: x" in d for d in m.diagnostics)
    ref = asr.asreml("y ~ A + B", random=RANDOM, data=df)
    assert m.loglik == pytest.approx(ref.loglik, abs=1e-9)
