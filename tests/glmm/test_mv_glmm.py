"""Multi-trait GLMMs (a Gaussian and a binary trait, family=[...]): against an independent
dense bivariate PQL (_dense_mv_pql.py), the separate univariate fits when the traits are
uncorrelated (diag structures: the working model separates), and the plain REML fit when
every trait is Gaussian (PQL with identity links is exact)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_mv_pql import dense_bivariate_pql

import asr_py as asr
from asr_py.errors import AsrError, DataError

FAMS = [asr.asr_gaussian(), asr.asr_binomial(link="probit")]
FIXED = "cbind(y1, y2) ~ trait + trait:x"


def _data(groups: int = 16, per: int = 5, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(groups), per)
    u = rng.multivariate_normal([0, 0], [[1.0, 0.4], [0.4, 0.5]], groups)
    e = rng.multivariate_normal([0, 0], [[1.0, 0.3], [0.3, 1.0]], g.size)
    x = rng.normal(size=g.size)
    return pd.DataFrame({"g": [f"G{i:02d}" for i in g], "x": x,
                         "y1": 2 + 0.5 * x + u[g, 0] + e[:, 0],
                         "y2": (-0.2 + 0.3 * x + u[g, 1] + e[:, 1] > 0).astype(float)})


def test_bivariate_gaussian_binary_matches_dense_pql() -> None:
    d = _data(seed=3)
    m = asr.asreml(FIXED, random="~ us(trait):g", residual="~ units:us(trait)", data=d,
                   family=FAMS)
    assert m.converged
    vc = m.varcomp["component"].to_numpy()
    assert m.varcomp["bound"].iloc[-1] == "F" and vc[-1] == 1.0
    n = len(d)
    y = np.column_stack([d["y1"], d["y2"]]).ravel()  # trait within row, as asr_py stacks
    trait = np.tile([0, 1], n)
    group = np.repeat(d["g"].to_numpy(), 2)
    x = np.repeat(d["x"].to_numpy(), 2)
    X = np.column_stack([trait == 0, trait == 1, (trait == 0) * x, (trait == 1) * x]
                        ).astype(float)
    ref = dense_bivariate_pql(y, trait, group, X)
    sg, R = ref["sigma_g"], ref["R"]
    np.testing.assert_allclose(vc[:3], [sg[0, 0], sg[1, 0], sg[1, 1]], rtol=2e-4, atol=1e-6)
    np.testing.assert_allclose(vc[3:5], [R[0, 0], R[1, 0]], rtol=2e-4, atol=1e-6)
    np.testing.assert_allclose(m.coef_fixed["solution"].to_numpy(), ref["beta"], atol=1e-5)
    np.testing.assert_allclose(m.linear_predictor.to_numpy(), ref["eta"], atol=1e-5)
    # data scale: the Gaussian trait's fitted values are η, the binary trait's Φ(η)
    from scipy import stats

    eta, mu = m.linear_predictor.to_numpy(), m.fitted.to_numpy()
    np.testing.assert_allclose(mu[trait == 0], eta[trait == 0])
    np.testing.assert_allclose(mu[trait == 1], stats.norm.cdf(eta[trait == 1]))
    p = m.predict(classify="trait")
    np.testing.assert_allclose(p["transformed.value"].iloc[1],
                               stats.norm.cdf(p["predicted.value"].iloc[1]))
    assert p["transformed.value"].iloc[0] == p["predicted.value"].iloc[0]
    assert p["approx.se"].iloc[0] == pytest.approx(p["std.error"].iloc[0], rel=1e-12)


def test_uncorrelated_traits_equal_the_univariate_fits() -> None:
    d = _data(seed=2)
    m = asr.asreml(FIXED, random="~ diag(trait):g", residual="~ units:diag(trait)", data=d,
                   family={"y2": FAMS[1], "y1": FAMS[0]})
    a = asr.asreml("y1 ~ x", random="~ g", data=d)
    b = asr.asreml("y2 ~ x", random="~ g", data=d, family=FAMS[1])
    vc = m.varcomp["component"].to_numpy()
    np.testing.assert_allclose(vc[[0, 2]], a.varcomp["component"].to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(vc[[1, 3]], b.varcomp["component"].to_numpy(), rtol=1e-5)
    h2 = m.h2("trait:g!trait_y2", others=[])
    assert h2.loc["liability", "h2"] == pytest.approx(
        b.h2("g", others=[]).loc["liability", "h2"], rel=1e-5)


def test_all_gaussian_traits_are_the_reml_fit() -> None:
    d = _data(seed=3)
    kw = dict(random="~ us(trait):g", residual="~ units:us(trait)", data=d)
    m = asr.asreml(FIXED, family=[asr.asr_gaussian(), asr.asr_gaussian()], **kw)
    r = asr.asreml(FIXED, **kw)
    np.testing.assert_allclose(m.varcomp["component"], r.varcomp["component"], rtol=1e-6)


def test_multi_trait_family_errors() -> None:
    d = _data(seed=3)
    kw = dict(random="~ us(trait):g", residual="~ units:us(trait)", data=d)
    with pytest.raises(DataError, match="2 families for 2 traits|1 families for 2 traits"):
        asr.asreml(FIXED, family=[FAMS[0]], **kw)
    with pytest.raises(DataError, match="unknown"):
        asr.asreml(FIXED, family={"y1": FAMS[0], "y3": FAMS[1]}, **kw)
    with pytest.raises(AsrError, match="residual model has no variance of trait"):
        asr.asreml(FIXED, random="~ us(trait):g", residual="~ units:idv(trait)", data=d,
                   family=FAMS)
    m = asr.asreml(FIXED, family=FAMS, **kw)
    with pytest.raises(AsrError, match="multi-trait"):
        m.simulate(1)
    with pytest.raises(AsrError, match="others="):
        m.h2("trait:g!trait_y2:y2")
