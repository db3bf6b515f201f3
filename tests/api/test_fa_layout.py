"""fa(f, k) parameters laid out as asreml-R lists them, and its fit checked by dense REML.

asreml-R 4 lists, for fa(site, 2) over p levels, p specific variances '!var' then the 2p
loadings '!fa1' (every level) and '!fa2' (every level), the structural zero of the first
level's fa2 included with constraint 'F' (printed by asreml 4.1.0 in
lfelipe-ferrao.github.io class/quantGenetic/week11_2022b.html: ``fa(site, 2):female!101!fa2
0.00000000 NA NA F``). asremlPlus's test41MET.r builds Λ as ``matrix(vp[grepl("!fa")],
ncol = 2)`` from that layout. The fit is checked against a REML log-likelihood formed here
with a dense V built from the varcomp table by name (not from the template) and maximised
by scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as so
from _small_met import K, P, dense_reml, dense_reml_of, small_met

import asr_py as asr


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    return small_met()


@pytest.fixture(scope="module")
def fit(met: pd.DataFrame) -> asr.AsremlFit:
    m = asr.asreml("y ~ Site", "~ fa(Site, 2):Geno", data=met)
    assert m.converged and "B" not in set(m.varcomp["bound"])  # an interior maximum
    return m


def from_varcomp(m: asr.AsremlFit) -> tuple[np.ndarray, np.ndarray, float]:
    vc = m.varcomp["component"]
    psi = np.array([vc[f"Site:Geno!Site_S{i + 1}!var"] for i in range(P)])
    lam = np.array([[vc[f"Site:Geno!Site_S{i + 1}!fa{j + 1}"] for j in range(K)]
                    for i in range(P)])
    return psi, lam, float(vc["units!R"])


def test_layout_names_and_structural_zero(fit: asr.AsremlFit) -> None:
    vc = fit.varcomp
    names = [n for n in vc.index if n.startswith("Site:Geno!")]
    assert names == [f"Site:Geno!Site_S{i + 1}!{s}" for s in ("var", "fa1", "fa2")
                     for i in range(P)]
    zero = "Site:Geno!Site_S1!fa2"
    assert vc.loc[zero, "component"] == 0.0 and vc.loc[zero, "bound"] == "F"
    assert np.isnan(vc.loc[zero, "std.error"])
    assert (vc.drop(index=zero)["bound"] != "F").all()
    assert fit.params.set_index("Component").loc[zero, "Constraint"] == "F"
    # AIC counts the estimated parameters only: 5 ψ + 9 loadings + σ²
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * (P + P * K - 1 + 1))


def test_vnumbers_and_loadings_by_position(fit: asr.AsremlFit) -> None:
    """V numbers count the structural zero, as asreml's; Λ from the '!fa' rows by position
    (test41MET.r's ``matrix(vp[grepl("!fa")], ncol = 2)``) rebuilds the fitted Σ."""
    vc = fit.varcomp["component"]
    fa_rows = vc[[n for n in vc.index if "!fa" in n]].to_numpy()
    assert fa_rows.size == P * K
    lam = fa_rows.reshape(K, P).T
    psi = vc[[n for n in vc.index if n.endswith("!var")]].to_numpy()
    np.testing.assert_allclose(lam @ lam.T + np.diag(psi),
                               fit.covariance("Site:Geno").to_numpy(), rtol=1e-12)
    # V1..V5 the ψ, V6..V10 fa1, V11 the zero, V12..V15 fa2 (random term first)
    got = fit.vpredict("c ~ V6*V7 + V11*V12")["Estimate"].iloc[0]
    assert got == pytest.approx(lam[0, 0] * lam[1, 0])           # V11 = λ_12 = 0
    g23 = fit.vpredict("g ~ V7*V8 + V12*V13")["Estimate"].iloc[0]
    assert g23 == pytest.approx(lam[1] @ lam[2])


def test_fit_is_the_dense_reml_maximum(met: pd.DataFrame, fit: asr.AsremlFit) -> None:
    psi, lam, s2 = from_varcomp(fit)
    ll = dense_reml(met, lam @ lam.T + np.diag(psi), s2)
    assert fit.loglik == pytest.approx(ll, abs=1e-6)
    free = [(i, j) for j in range(K) for i in range(P) if i >= j]

    ll_met = dense_reml_of(met)

    def neg(x: np.ndarray) -> float:
        L = np.zeros((P, K))
        for (i, j), v in zip(free, x[P:-1]):
            L[i, j] = v
        return -ll_met(L @ L.T + np.diag(x[:P] ** 2), x[-1] ** 2)

    x0 = np.concatenate([np.sqrt(psi), [lam[i, j] for i, j in free], [np.sqrt(s2)]])
    best = so.minimize(neg, x0 * 0.9 + 0.05, method="BFGS", options={"gtol": 1e-6})
    assert -best.fun == pytest.approx(ll, abs=2e-4)   # the same maximum from another start
    assert -best.fun <= ll + 2e-4                      # and none higher


def test_init_takes_asremls_layout(met: pd.DataFrame, fit: asr.AsremlFit) -> None:
    """init= lists n + n·k values (the zero included); a shorter vector is refused."""
    psi, lam, s2 = from_varcomp(fit)
    init = ", ".join(f"{v:.10g}" for v in np.concatenate([psi, lam.T.ravel()]))
    m = asr.asreml("y ~ Site", f"~ fa(Site, 2, init = c({init})):Geno", data=met)
    assert m.loglik == pytest.approx(fit.loglik, abs=1e-6)
    short = ", ".join(["1"] * (P + P * K - 1))
    with pytest.raises(asr.AsrError, match=str(P + P * K)):
        asr.asreml("y ~ Site", f"~ fa(Site, 2, init = c({short})):Geno", data=met)


def test_vparameters_are_on_asremls_ratio_scale(fit: asr.AsremlFit) -> None:
    """asreml's vparameters hold Ψ/σ² and Λ/σ: asremlPlus's test41MET.r expects
    σ² · (matrix(vp[grepl("!fa")], ncol = 2) %*% t(.) + diag(vp[grepl("!var")])) to be the
    fitted G (its estimateV multiplies G from vparameters by sigma2)."""
    from asr_py.translate.runtime import r_sigma2, r_vparameters

    vp = r_vparameters(fit)
    lam = vp[[n for n in vp.index if "!fa" in n]].to_numpy().reshape(K, P).T
    psi = vp[[n for n in vp.index if n.endswith("!var")]].to_numpy()
    np.testing.assert_allclose(r_sigma2(fit) * (lam @ lam.T + np.diag(psi)),
                               fit.covariance("Site:Geno").to_numpy(), rtol=1e-10)
