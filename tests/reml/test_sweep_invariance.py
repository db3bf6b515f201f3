"""Invariances of the engine's fit on the sweep's simulated data (tests/reml/_sweep_cases.py).

* trait units: y x c gives variances/covariances x c², loadings x c, correlations unchanged,
  and the full REML ℓ shifted by exactly −(n − p)·log c (REML's likelihood is that of the
  n − p error contrasts; ML's shift is −n·log c). In a bivariate fit scaling one trait by c
  scales its variances by c², its covariances by c, and shifts ℓ by −(n_t − p_t)·log c (n_t
  its records, p_t its fixed effects);
* row order: the same fit, BLUPs by level;
* level labels: relabelled genotypes (another sort order) give the same ℓ, variance
  parameters and BLUPs (by label).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _sweep_cases import cases, fit_asr

import asr_py as asr

SIZE, SEED, C = 48, 5, 1000.0
CASES = {c.name: c for c in cases(SIZE)}
UNI = ["idv kg/ha", "diag(env):gen one zero", "us(env):gen", "corgh(env):gen",
       "fa(env,1):gen", "ar1(Row):ar1(Col)", "gen + dsum(units|env)", "vm(gen, K) K singular",
       "gen weights"]


def _data(name: str) -> pd.DataFrame:
    return CASES[name].data(np.random.default_rng(SEED), SIZE)


def _kinds(name: str, d: pd.DataFrame) -> np.ndarray:
    case = CASES[name]
    sv = asr.asreml(data=d, start_values=True, **case.kwargs, **case.extra)
    return sv["Kind"].to_numpy()


def _close_params(a: np.ndarray, b: np.ndarray, kinds: np.ndarray, rtol: float) -> None:
    """Parameters agree to rtol relative to the largest of their kind (a variance at its
    boundary is compared on the scale of the other variances)."""
    for k in set(kinds):
        m = kinds == k
        ref = max(np.abs(b[m]).max(), 1e-300)
        assert np.abs(a[m] - b[m]).max() <= rtol * ref, (k, a[m], b[m])


@pytest.mark.parametrize("name", UNI)
def test_trait_units(name: str) -> None:
    d = _data(name)
    m1 = fit_asr(CASES[name], d)
    d2 = d.copy()
    d2["y"] = d2["y"] * C
    m2 = fit_asr(CASES[name], d2)
    n, p = int(d["y"].notna().sum()), len(m1.coef_fixed)
    assert m2.loglik == pytest.approx(m1.loglik - (n - p) * np.log(C),
                                      abs=1e-7 * abs(m1.loglik))
    kinds = _kinds(name, d)
    jac = np.select([np.isin(kinds, ["variance", "covariance"]), kinds == "loading"],
                    [C ** 2, C], 1.0)
    c1 = m1.varcomp["component"].to_numpy(float)
    c2 = m2.varcomp["component"].to_numpy(float)
    _close_params(c2 / jac, c1, kinds, 2e-3)


def test_trait_units_one_trait_of_two() -> None:
    name = "us(trait) kg + g, missing"
    d = _data(name)
    m1 = fit_asr(CASES[name], d)
    d2 = d.copy()
    d2["gw"] = d2["gw"] * C
    m2 = fit_asr(CASES[name], d2)
    n_gw = int(d["gw"].notna().sum())
    assert m2.loglik == pytest.approx(m1.loglik - (n_gw - 1) * np.log(C),
                                      abs=1e-7 * abs(m1.loglik))
    # us(trait) order: (yld,yld), (gw,yld), (gw,gw) for G then R
    jac = np.array([1.0, C, C ** 2, 1.0, C, C ** 2])
    c1 = m1.varcomp["component"].to_numpy(float)
    c2 = m2.varcomp["component"].to_numpy(float)
    np.testing.assert_allclose(c2 / jac, c1, rtol=2e-3)


@pytest.mark.parametrize("name", UNI + ["us(trait) kg + g, missing"])
def test_row_order(name: str) -> None:
    d = _data(name)
    m1 = fit_asr(CASES[name], d)
    perm = np.random.default_rng(7).permutation(len(d))
    m2 = fit_asr(CASES[name], d.iloc[perm].reset_index(drop=True))
    assert m2.loglik == pytest.approx(m1.loglik, abs=1e-8 * abs(m1.loglik))
    kinds = _kinds(name, d)
    _close_params(m2.varcomp["component"].to_numpy(float),
                  m1.varcomp["component"].to_numpy(float), kinds, 2e-3)
    r1, r2 = m1.coef_random["solution"], m2.coef_random["solution"]
    assert set(r1.index) == set(r2.index)
    if len(r1):  # (ar1 x ar1: no random term)
        np.testing.assert_allclose(r2.loc[r1.index].to_numpy(), r1.to_numpy(),
                                   atol=2e-3 * np.abs(r1.to_numpy()).max())


@pytest.mark.parametrize("name", ["idv kg/ha", "us(env):gen", "corgh(env):gen",
                                  "gen + dsum(units|env)", "gen weights"])
def test_level_labels(name: str) -> None:
    """Genotype labels G00.. renamed to 'z99', 'z98', ... (reverse sort order)."""
    d = _data(name)
    m1 = fit_asr(CASES[name], d)
    old = list(d["gen"].cat.categories)
    new = {g: f"z{99 - i}" for i, g in enumerate(old)}
    d2 = d.copy()
    d2["gen"] = pd.Categorical(d2["gen"].astype(str).map(new),
                               categories=sorted(new.values()))
    m2 = fit_asr(CASES[name], d2)
    assert m2.loglik == pytest.approx(m1.loglik, abs=1e-8 * abs(m1.loglik))
    kinds = _kinds(name, d)
    _close_params(m2.varcomp["component"].to_numpy(float),
                  m1.varcomp["component"].to_numpy(float), kinds, 2e-3)
    r1, r2 = m1.coef_random["solution"], m2.coef_random["solution"]
    renamed = [_rename(ix, new) for ix in r1.index]
    np.testing.assert_allclose(r2.loc[renamed].to_numpy(), r1.to_numpy(),
                               atol=2e-3 * np.abs(r1.to_numpy()).max())


def _rename(label: str, new: dict[str, str]) -> str:
    """A coef_random row label with its genotype level renamed."""
    for g, h in new.items():
        if label.endswith(g):
            return label[: -len(g)] + h
    raise AssertionError(f"no genotype level in {label!r}")
