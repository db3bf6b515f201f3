"""wheat94 (fetched asremlplus_wheat94.csv) with spl(Col): the full-likelihood AIC change for
dropping spl(Col) that asreml records in briencj/asremlPlus tests/testthat (commit b936278):
test42Selection.r:775 (asreml 4.2, 6.986221, tolerance 1e-2) and test41Selection.r:727
(asreml 4.1, 6.981351, tolerance 0.1), with denDF in c(-2, -3).

* The spline fit is checked against an independent dense-V likelihood: the spline's random
  part built from scipy's natural cubic spline basis B (value 1 at one knot) and its roughness
  matrix Ω_jk = ∫B_j''B_k'' by Gauss-Legendre quadrature, Var(g) = σ²_s Ω⁺ (the smoothing
  spline's prior: Ω's null space, the linear functions, is the fixed lin(Col)), and the
  full likelihood ℓ_R + ½(n−p) log 2π − ½ log|(X'V⁻¹X)⁻¹| of asremlPlus's infoCriteria.
* asreml's record is reproduced when the reduced model (spl(Col) dropped) has its row
  correlation held at 0.98 and coded 'F' (Col's variance 'B'): infoCriteria then counts two
  variance parameters fewer (denDF -3) and the AIC change is asreml's. With the correlation
  free the REML optimum is interior (0.985) and higher in ℓ than the held fit, so asreml's
  reduced fit is not at the REML optimum; ours is (denDF -2, a larger AIC change).
* The spline's REML log-likelihood against asreml 3's: the REML BIC change for dropping
  spl(Col) from Variety + spl(Col) + units that test3Selection.r:481 records (-1.764507).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import ar1, gls, indicator, reml_loglik
from _fetched import fetched
from scipy.interpolate import CubicSpline

import asr_py as asr

FIXED = "yield ~ lin(Row) + lin(Col) + Rowcode + Colcode"
RESIDUAL = "~ ar1(Col):ar1(Row)"
FULL = "~ Variety + Row + spl(Col) + Col + units"      # after rmboundary dropped Block
REDUCED = "~ Variety + Row + Col + units"


def _wheat94() -> pd.DataFrame:
    d = pd.read_csv(fetched("asremlplus_wheat94.csv"), dtype=str).astype({"yield": float})
    for c in ("Variety", "Block", "Rowcode", "Colcode", "Row", "Col"):
        d[c] = pd.Categorical(d[c], categories=sorted(d[c].unique(), key=int))
    return d


def _fit(random: str, params: pd.DataFrame | None = None) -> asr.AsremlFit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(FIXED, random=random, residual=RESIDUAL, data=_wheat94(),
                          params=params)


@pytest.fixture(scope="module")
def full() -> asr.AsremlFit:
    return _fit(FULL)


def _ic(fit: asr.AsremlFit) -> pd.Series:
    return asr.plus.infoCriteria(fit, IClikelihood="full", warn=False).iloc[0]


def _spline_cov(knots: np.ndarray, x: np.ndarray) -> np.ndarray:
    """N Ω⁺ N' of the natural cubic smoothing spline on the knots (x at knots)."""
    r = knots.size
    basis = [CubicSpline(knots, np.eye(r)[j], bc_type="natural") for j in range(r)]
    nodes, weights = np.polynomial.legendre.leggauss(3)   # exact for piecewise-linear B''
    om = np.zeros((r, r))
    for lo, hi in zip(knots[:-1], knots[1:]):
        u = (hi - lo) / 2 * nodes + (hi + lo) / 2
        d2 = np.column_stack([b(u, 2) for b in basis])
        om += (hi - lo) / 2 * (d2.T * weights) @ d2
    n = (x[:, None] == knots[None, :]).astype(float)
    return n @ np.linalg.pinv(om) @ n.T


def test_spl_fit_and_full_likelihood_against_dense_v(full) -> None:
    d = _wheat94()
    y = d["yield"].to_numpy()
    row, col = d["Row"].astype(int).to_numpy(), d["Col"].astype(int).to_numpy()
    X = np.column_stack([np.ones(len(y)), row, col, indicator(d["Rowcode"])[:, 1:],
                         indicator(d["Colcode"])[:, 1:]])
    vc = full.varcomp["component"]
    zv, zr, zc = (indicator(d[c]) for c in ("Variety", "Row", "Col"))
    pos_c, pos_r = np.unique(col, return_inverse=True)[1], np.unique(row, return_inverse=True)[1]
    resid = (vc["Col:Row!R"] * ar1(15, vc["Col:Row!Col!cor"])[np.ix_(pos_c, pos_c)]
             * ar1(22, vc["Col:Row!Row!cor"])[np.ix_(pos_r, pos_r)])
    V = (vc["Variety"] * zv @ zv.T + vc["Row"] * zr @ zr.T + vc["Col"] * zc @ zc.T
         + vc["units"] * np.eye(len(y)) + resid
         # asreml's σ²_s is on the standardised scale (Col ÷ (15 − 1)/9): c³ × Col's own
         + vc["spl(Col)"] / (14 / 9) ** 3 * _spline_cov(np.arange(1.0, 16.0),
                                                          col.astype(float)))
    ll = reml_loglik(y, X, V)
    assert full.loglik == pytest.approx(ll, abs=1e-6)
    _, cov = gls(y, X, V)
    n, p = X.shape
    lf = ll + 0.5 * (n - p) * math.log(2 * math.pi) - 0.5 * np.linalg.slogdet(cov)[1]
    ic = _ic(full)
    assert (ic["fixedDF"], ic["varDF"]) == (7, 8)
    assert ic["loglik"] == pytest.approx(lf, abs=1e-6)
    assert ic["AIC"] == pytest.approx(-2 * lf + 2 * 15, abs=1e-5)


def test_drop_spl_aic_is_asremls_with_its_row_correlation_held(full) -> None:
    sv = asr.asreml(FIXED, random=REDUCED, residual=RESIDUAL, data=_wheat94(),
                    start_values=True)
    held = sv.copy()
    rho = held["Component"] == "Col:Row!Row!cor"
    held.loc[rho, ["Value", "Constraint"]] = [0.98, "F"]
    red_held = _fit(REDUCED, held)
    red_free = _fit(REDUCED)
    ic_full, ic_held, ic_free = _ic(full), _ic(red_held), _ic(red_free)
    d_aic = ic_held["AIC"] - ic_full["AIC"]
    assert abs(d_aic - 6.986221) < 1e-2                  # test42Selection.r:775
    assert abs(d_aic - 6.981351) < 1e-1                  # test41Selection.r:727
    assert ic_held["varDF"] - ic_full["varDF"] == -3     # Col 'B', the correlation 'F'
    assert red_held.varcomp.loc["Col", "bound"] == "B"
    # the free reduced fit: an interior optimum above the held point, so one parameter more
    # counted and a larger AIC change than asreml's
    rho_free = red_free.varcomp.loc["Col:Row!Row!cor"]
    assert rho_free["bound"] == "U" and 0.98 < rho_free["component"] < 0.99
    assert red_free.loglik > red_held.loglik + 0.1
    assert ic_free["varDF"] - ic_full["varDF"] == -2
    assert ic_free["AIC"] - ic_full["AIC"] > d_aic + 2


def test_drop_spl_reml_bic_is_asreml3s() -> None:
    """test3Selection.r:481 (asreml 3, REML likelihood): after Row and Col are dropped,
    dropping spl(Col) from Variety + spl(Col) + units changes BIC by -1.764507 (the script
    tests abs(BIC) - 1.764507 < 1e-2): the spline's REML log-likelihood against asreml's."""
    with_spl, without = _fit("~ Variety + spl(Col) + units"), _fit("~ Variety + units")
    ic = [asr.plus.infoCriteria(m, IClikelihood="REML", warn=False).iloc[0]
          for m in (with_spl, without)]
    assert ic[1]["varDF"] - ic[0]["varDF"] == -1
    assert ic[1]["BIC"] - ic[0]["BIC"] == pytest.approx(-1.764507, abs=1e-3)
