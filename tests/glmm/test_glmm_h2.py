"""Liability- and observed-scale heritability of binary traits (GlmmFit.h2), with a pedigree
term: against closed forms (h²_liab by hand; Dempster & Lerner for probit) and scipy.quad
integrals of the observed-scale expectations (logit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import asr_py as asr
from asr_py.errors import AsrError


def _animal_data(seed: int = 5, link: str = "probit") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Half-sib families with a pedigree, a litter-like group effect and a covariate."""
    rng = np.random.default_rng(seed)
    n0, n1 = 30, 270
    sire = [0] * n0 + list(rng.integers(1, 11, n1))
    dam = [0] * n0 + list(rng.integers(11, n0 + 1, n1))
    ped = pd.DataFrame({"id": np.arange(1, n0 + n1 + 1), "sire": sire, "dam": dam})
    a = np.zeros(n0 + n1)
    a[:n0] = rng.normal(0, 0.8, n0)
    for i in range(n0, n0 + n1):  # breeding values down the pedigree
        a[i] = 0.5 * (a[sire[i] - 1] + a[dam[i] - 1]) + rng.normal(0, 0.8 * np.sqrt(0.5))
    grp = rng.integers(0, 15, n1)
    x = rng.normal(size=n1)
    eta = -0.2 + 0.4 * x + a[n0:] + rng.normal(0, 0.5, 15)[grp]
    p = stats.norm.cdf(eta) if link == "probit" else 1 / (1 + np.exp(-eta))
    df = pd.DataFrame({"id": ped["id"].iloc[n0:].to_numpy(), "x": x,
                       "grp": [f"L{k}" for k in grp],
                       "y": rng.binomial(1, p).astype(float)})
    return df, ped


@pytest.fixture(scope="module", params=["probit", "logit"])
def fit(request: pytest.FixtureRequest) -> asr.AsremlFit:
    df, ped = _animal_data(link=request.param)
    return asr.asreml("y ~ x", random="~ vm(id, Ainv) + grp", data=df,
                      Ainv=asr.ainverse(ped), family=asr.asr_binomial(link=request.param))


#: the genetic term (varcomp lists it after grp, the smaller term, as asreml does)
GEN = "vm(id, Ainv)"


def _parts(m: asr.AsremlFit) -> tuple[float, float, np.ndarray]:
    vc = m.varcomp["component"]
    va, vr = float(vc[GEN]), float(vc["grp"])
    beta = m.coef_fixed["solution"].to_numpy()
    return va, vr, beta[0] + beta[1] * m.model.records.frame.loc[:, "x"].to_numpy()


def test_liability_scale_is_the_ratio_by_hand(fit: asr.AsremlFit) -> None:
    assert fit.converged
    name = GEN
    tab = fit.h2(name)
    va, vr, _ = _parts(fit)
    lv = 1.0 if fit.family.link.name == "probit" else np.pi ** 2 / 3
    assert tab.loc["liability", "h2"] == pytest.approx(va / (va + vr + lv), rel=1e-12)
    assert tab.loc["liability", "link_variance"] == pytest.approx(lv)
    # delta method by hand: d/dva = (vr + L)/T², d/dvr = −va/T²
    t = va + vr + lv
    g = np.array([(vr + lv) / t**2, -va / t**2])
    v = fit.result.vcov_theta[np.ix_([0, 1], [0, 1])]
    assert tab.loc["liability", "std.error"] == pytest.approx(np.sqrt(g @ v @ g), rel=1e-5)
    # only the genetic variance in the denominator when others=[]
    only = fit.h2(name, others=[])
    assert only.loc["liability", "h2"] == pytest.approx(va / (va + lv), rel=1e-12)


def test_observed_scale_against_closed_form_and_quadrature(fit: asr.AsremlFit) -> None:
    tab = fit.h2(GEN)
    va, vr, m = _parts(fit)
    if fit.family.link.name == "probit":  # Dempster & Lerner, record by record
        s = np.sqrt(va + vr + 1.0)
        psi = np.mean(stats.norm.pdf(m / s) / s)
        p = stats.norm.cdf(m / s)
    else:  # the expectations by adaptive quadrature over η ~ N(m_i, va + vr)
        sd = np.sqrt(va + vr)

        def e(f, mi):
            return integrate.quad(lambda z: f(mi + sd * z) * stats.norm.pdf(z), -12, 12,
                                  epsabs=1e-13, epsrel=1e-12)[0]

        inv = lambda eta: 1 / (1 + np.exp(-eta))  # noqa: E731
        psi = np.mean([e(lambda eta: inv(eta) * (1 - inv(eta)), mi) for mi in m])
        p = np.array([e(inv, mi) for mi in m])
    expected = psi**2 * va / np.mean(p * (1 - p))
    assert tab.loc["observed", "h2"] == pytest.approx(expected, rel=1e-8)
    assert 0 < tab.loc["observed", "h2"] < tab.loc["liability", "h2"]
    assert np.isfinite(tab.loc["observed", "std.error"])


def test_h2_with_ml_pql_and_row_order() -> None:
    df, ped = _animal_data(seed=9)
    kw = dict(random="~ vm(id, Ainv) + grp", Ainv=asr.ainverse(ped),
              family=asr.asr_binomial(link="probit"))
    m = asr.asreml("y ~ x", data=df, **kw)
    mp = asr.asreml("y ~ x", data=df.sample(frac=1.0, random_state=2), **kw)
    name = GEN
    np.testing.assert_allclose(mp.h2(name)["h2"], m.h2(name)["h2"], rtol=1e-6)
    ml = asr.asreml("y ~ x", data=df, method="ML", **kw)
    assert ml.converged and ml.h2(name).loc["liability", "h2"] > 0


def test_h2_errors() -> None:
    df, ped = _animal_data()
    m = asr.asreml("y ~ x", random="~ vm(id, Ainv) + grp", data=df, Ainv=asr.ainverse(ped),
                   family=asr.asr_binomial(link="probit"))
    with pytest.raises(AsrError, match="no variance component named 'id'"):
        m.h2("id")
    rng = np.random.default_rng(0)
    counts = df.assign(y=rng.poisson(2.0, len(df)).astype(float))
    mp = asr.asreml("y ~ x", random="~ grp", data=counts, family=asr.asr_poisson())
    with pytest.raises(AsrError, match="needs a binomial trait"):
        mp.h2("grp")
