"""A variance whose REML estimate would be negative is held at its boundary and coded 'B'
(ASReml's rule, user guide "!GP": an update that would make a variance negative is replaced
by a small positive value; repeated attempts fix it there, coded B rather than P), checked
against the closed form of the balanced one-way model and in two units of the response.

Balanced one-way model y_ij = μ + u_i + e_ij, a groups of n, N = an, fixed = intercept. With
SSB/SSW the between/within sums of squares, MSB = SSB/(a − 1), MSW = SSW/(a(n − 1)):

* unconstrained REML = ANOVA: σ̂²_e = MSW, σ̂²_u = (MSB − MSW)/n (negative when MSB < MSW);
* with σ²_u >= 0 and MSB < MSW the optimum is on the boundary σ²_u = 0, where
  σ̂²_e = (SSB + SSW)/(N − 1) and the full REML log-likelihood (V = σ²I, X = 1) is
  ℓ = −½[(N − 1)(log 2π + log σ̂²_e + 1) + log N].

Rescaling y by c (kg -> g: c = 1000) multiplies every variance by c² and shifts ℓ by
−(N − 1) log c; the codes stay the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr

A, N_PER = 12, 5


def _one_way(seed: int, scale: float = 1.0) -> pd.DataFrame:
    """Balanced one-way data whose group means are shrunk to 0.3 of their spread, so MSB is
    well below MSW (the between-group variance's REML estimate is negative)."""
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, 1.0, size=(A, N_PER))
    gm = e.mean(axis=1, keepdims=True)
    y = 20.0 + (e - gm) + 0.3 * (gm - gm.mean())
    return pd.DataFrame({"g": pd.Categorical([f"g{i}" for i in range(A) for _ in range(N_PER)]),
                         "y": scale * y.ravel()})


def _anova(df: pd.DataFrame) -> tuple[float, float, float]:
    """(SSB, SSW, SST) of the balanced one-way layout."""
    y = df["y"].to_numpy(float).reshape(A, N_PER)
    gm = y.mean(axis=1)
    ssb = N_PER * float(((gm - y.mean()) ** 2).sum())
    ssw = float(((y - gm[:, None]) ** 2).sum())
    return ssb, ssw, ssb + ssw


def _bound_loglik(sst: float) -> float:
    n = A * N_PER
    s2 = sst / (n - 1)
    return -0.5 * ((n - 1) * (np.log(2 * np.pi) + np.log(s2) + 1.0) + np.log(n))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_negative_anova_estimate_is_held_at_zero_and_coded_b(seed: int) -> None:
    df = _one_way(seed)
    ssb, ssw, sst = _anova(df)
    msb, msw = ssb / (A - 1), ssw / (A * (N_PER - 1))
    assert msb < 0.5 * msw  # the construction: the unconstrained optimum is negative
    m = asr.asreml("y ~ 1", random="~ g", data=df)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    assert list(vc["bound"]) == ["B", "P"]
    s2 = sst / (A * N_PER - 1)
    assert vc.loc["units!R", "component"] == pytest.approx(s2, rel=1e-6)
    # held at a small positive value, without a standard error (asreml: NA)
    assert 0.0 < vc.loc["g", "component"] < 1e-6 * s2
    assert np.isnan(vc.loc["g", "std.error"])
    assert m.loglik == pytest.approx(_bound_loglik(sst), abs=1e-6)
    # the same number from the dense-V REML helper at σ²_u = 0
    y = df["y"].to_numpy(float)
    assert reml_loglik(y, np.ones((y.size, 1)), s2 * np.eye(y.size)) == pytest.approx(
        m.loglik, abs=1e-6)
    assert any("'g' is held at its boundary" in d for d in m.diagnostics)


def test_unconstrained_fit_reaches_the_negative_anova_estimate() -> None:
    """The same data with the variance 'U': REML = ANOVA, σ̂²_u = (MSB − MSW)/n < 0, so the
    'B' of the constrained fit is the boundary of a likelihood increasing outwards."""
    df = _one_way(0)
    ssb, ssw, _ = _anova(df)
    msb, msw = ssb / (A - 1), ssw / (A * (N_PER - 1))
    sv = asr.asreml("y ~ 1", random="~ g", data=df, start_values=True)
    sv.loc[sv["Component"] == "g", "Constraint"] = "U"
    m = asr.asreml("y ~ 1", random="~ g", data=df, params=sv)
    assert m.converged, m.diagnostics
    vc = m.varcomp
    assert vc.loc["g", "component"] == pytest.approx((msb - msw) / N_PER, rel=1e-5)
    assert vc.loc["units!R", "component"] == pytest.approx(msw, rel=1e-6)
    assert vc.loc["g", "bound"] == "U"
    bound = asr.asreml("y ~ 1", random="~ g", data=df)
    assert m.loglik > bound.loglik


@pytest.mark.parametrize("seed", [0, 3])
def test_boundary_codes_do_not_depend_on_the_units(seed: int) -> None:
    """The same trial in kg and in g: the same codes, variances x 10^6, ℓ shifted by
    −(N − 1) log 1000, and the held value the same fraction of the residual variance."""
    kg = asr.asreml("y ~ 1", random="~ g", data=_one_way(seed))
    g = asr.asreml("y ~ 1", random="~ g", data=_one_way(seed, 1000.0))
    assert kg.converged and g.converged
    vk, vg = kg.varcomp, g.varcomp
    assert list(vk["bound"]) == list(vg["bound"]) == ["B", "P"]
    assert vg.loc["units!R", "component"] == pytest.approx(
        1e6 * vk.loc["units!R", "component"], rel=1e-8)
    assert g.loglik - kg.loglik == pytest.approx(-(A * N_PER - 1) * np.log(1000.0), abs=1e-6)
    rel_kg = vk.loc["g", "component"] / vk.loc["units!R", "component"]
    rel_g = vg.loc["g", "component"] / vg.loc["units!R", "component"]
    assert rel_g == pytest.approx(rel_kg, rel=1e-3)
