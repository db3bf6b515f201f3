"""Var(β̂) = C⁻¹[β, β] is formed on first use (reml/result.py Deferred): the fit does not
form it, and when asked for it is the GLS covariance (X'V⁻¹X)⁻¹ at the fitted θ (dense V
from tests/_dense_reml.py), with the same digits whatever was asked of the fit before."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _dense_reml import gls, indicator

import asr_py as asr
from asr_py.reml.result import Deferred
from asr_py.results.fit import AsremlFit


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    d = pd.DataFrame([(f"T{t}", f"B{b}") for b in range(5) for t in range(6)],
                     columns=["Trt", "Block"])
    d["y"] = rng.normal(size=30) + rng.normal(size=5)[d.Block.str[1:].astype(int)]
    for c in ("Trt", "Block"):
        d[c] = pd.Categorical(d[c])
    return d


def _fit(d: pd.DataFrame) -> AsremlFit:
    return asr.asreml(fixed="y ~ Trt", random="~ Block", data=d)


def test_vcov_beta_is_deferred_and_equals_gls_covariance() -> None:
    d = _data()
    m = _fit(d)
    assert isinstance(m.result.__dict__["_vcov_beta"], Deferred)  # not formed by the fit
    vc = m.varcomp["component"]
    z = indicator(d["Block"])
    v = vc["Block"] * z @ z.T + vc["units!R"] * np.eye(len(d))
    x = np.column_stack([np.ones(len(d)), indicator(d["Trt"])[:, 1:]])  # T0 aliased
    beta, cov = gls(d["y"].to_numpy(), x, v)
    vb = m.result.vcov_beta
    np.testing.assert_allclose(vb, cov, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(m.result.beta, beta, rtol=1e-9, atol=1e-12)
    assert m.result.vcov_beta is vb  # kept after the first use


def test_vcov_beta_digits_do_not_depend_on_what_was_asked_first() -> None:
    d = _data()
    first = _fit(d)
    vb_first = first.result.vcov_beta.copy()
    later = _fit(d)
    later.predict(classify="Trt")
    _ = (later.varcomp, later.coef, later.result.pev)
    np.testing.assert_array_equal(later.result.vcov_beta, vb_first)


def test_a_given_vcov_beta_is_kept_as_given() -> None:
    m = _fit(_data())
    m.result.vcov_beta = np.full((6, 6), np.nan)
    assert np.isnan(m.result.vcov_beta).all()
