"""Profile-likelihood intervals against an independent dense REML profile (numpy/scipy), and
simulated responses against the moments of the fitted model, V = ZGZ' + R."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import asr_py as asr
from asr_py.errors import AsrError
from asr_py.results import simulate as sim_mod

DATA = Path(__file__).resolve().parents[1] / "data"


def _reml(y: np.ndarray, X: np.ndarray, ZZ: np.ndarray, s_b: float, s_e: float) -> float:
    n, p = X.shape
    V = s_b * ZZ + s_e * np.eye(n)
    Vi = np.linalg.inv(V)
    XtVX = X.T @ Vi @ X
    P = Vi - Vi @ X @ np.linalg.solve(XtVX, X.T @ Vi)
    return -0.5 * ((n - p) * np.log(2 * np.pi) + np.linalg.slogdet(V)[1]
                   + np.linalg.slogdet(XtVX)[1] + y @ P @ y)


def _dense_profile_interval(y, X, ZZ, which: int, level: float = 0.95) -> tuple[float, float]:
    """Interval of σ²_b (which=0) or σ²_e (which=1) by profiling the dense REML log-likelihood:
    the other variance maximised by a bounded scalar search on its log."""
    full = optimize.minimize(lambda t: -_reml(y, X, ZZ, *np.exp(t)), np.log([1e3, 1e3]),
                             method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-12})
    ll_hat, est = -full.fun, np.exp(full.x)

    def prof(v: float) -> float:
        def neg(t: float) -> float:
            args = (v, np.exp(t)) if which == 0 else (np.exp(t), v)
            return -_reml(y, X, ZZ, *args)
        o = optimize.minimize_scalar(neg, bounds=(-10, 20), method="bounded",
                                     options={"xatol": 1e-12})
        return ll_hat + o.fun - 0.5 * stats.chi2.ppf(level, 1)

    e = est[which]
    lo = optimize.brentq(prof, e * 1e-4, e, xtol=1e-10)
    hi = optimize.brentq(prof, e, e * 100, xtol=1e-10)
    return lo, hi


def test_dyestuff_profile_intervals_match_a_dense_reml_profile() -> None:
    df = pd.read_csv(DATA / "Dyestuff.csv")
    m = asr.asreml("Yield ~ 1", random="~ Batch", data=df)
    ci = m.confint()
    y = df["Yield"].to_numpy(float)
    X = np.ones((len(y), 1))
    Z = pd.get_dummies(df["Batch"]).to_numpy(float)
    ZZ = Z @ Z.T
    for which, name in enumerate(["Batch", "units!R"]):
        lo, hi = _dense_profile_interval(y, X, ZZ, which)
        assert ci.loc[name, "lower"] == pytest.approx(lo, rel=2e-4)
        assert ci.loc[name, "upper"] == pytest.approx(hi, rel=2e-4)
        assert ci.loc[name, "lower"] < ci.loc[name, "estimate"] < ci.loc[name, "upper"]
    # a narrower level gives a narrower interval
    ci50 = m.confint("Batch", level=0.5)
    assert ci.loc["Batch", "lower"] < ci50.loc["Batch", "lower"]
    assert ci50.loc["Batch", "upper"] < ci.loc["Batch", "upper"]


def test_profile_interval_reaching_zero_says_bound() -> None:
    """A batch variance whose likelihood is flat towards 0: the lower end is the bound 0."""
    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(8), 5)
    df = pd.DataFrame({"y": rng.normal(size=g.size) + 0.15 * rng.normal(size=8)[g],
                       "g": [f"g{i}" for i in g]})
    m = asr.asreml("y ~ 1", random="~ g", data=df)
    ci = m.confint("g")
    assert ci.loc["g", "lower"] == 0.0 and "bound" in ci.loc["g", "note"]
    assert ci.loc["g", "upper"] > ci.loc["g", "estimate"]
    with pytest.raises(AsrError, match="no variance parameter named"):
        m.confint("G")


def _moments_ok(sims: np.ndarray, mean: np.ndarray, V: np.ndarray, k: float = 5.0) -> None:
    nsim = sims.shape[1]
    emp_mean = sims.mean(axis=1)
    assert np.all(np.abs(emp_mean - mean) < k * np.sqrt(np.diag(V) / nsim))
    d = sims - sims.mean(axis=1, keepdims=True)
    emp = d @ d.T / (nsim - 1)
    sd = np.sqrt((V ** 2 + np.outer(np.diag(V), np.diag(V))) / nsim)
    assert np.all(np.abs(emp - V) < k * sd)


def test_simulated_responses_have_the_fitted_moments() -> None:
    df = pd.read_csv(DATA / "Dyestuff.csv")
    m = asr.asreml("Yield ~ 1", random="~ Batch", data=df)
    sims = m.simulate(4000, seed=11)
    assert sims.shape == (30, 4000) and list(sims.index) == list(m.fitted.index)
    s_b, s_e = m.varcomp["component"]
    Z = pd.get_dummies(df["Batch"]).to_numpy(float)
    V = s_b * Z @ Z.T + s_e * np.eye(30)
    _moments_ok(sims.to_numpy(), np.full(30, m.coef_fixed["solution"].iloc[0]), V)
    assert m.simulate(3, seed=5).equals(m.simulate(3, seed=5))


def test_sparse_draws_through_the_inverse_factor(monkeypatch) -> None:
    """The large-structure path (sparse Cholesky of the inverse) draws from the same law: a
    pedigree (A-inverse) term and the residual, forced onto that path."""
    ped = pd.DataFrame({"id": list(range(1, 13)),
                        "sire": [0, 0, 0, 0, 1, 1, 3, 3, 5, 5, 7, 7],
                        "dam": [0, 0, 0, 0, 2, 2, 4, 4, 6, 8, 6, 8]})
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"id": ped["id"], "y": rng.normal(size=12)})
    ainv = asr.ainverse(ped)
    m = asr.asreml("y ~ 1", random="~ vm(id, Ainv)", data=df, Ainv=ainv,
                   params={"vm(id, Ainv)": 1.5, "units!R": 0.7})
    monkeypatch.setattr(sim_mod, "DENSE_MAX", 0)
    orig = sim_mod.draw
    monkeypatch.setattr(sim_mod, "draw", lambda t, th, n, r, dense_max=0: orig(t, th, n, r, 0))
    sims = m.simulate(6000, seed=3).to_numpy()
    A = np.zeros((12, 12))  # the tabular method, written out here
    for i in range(12):
        s, d = ped["sire"][i] - 1, ped["dam"][i] - 1
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s >= 0 else 0) + (A[j, d] if d >= 0 else 0))
        A[i, i] = 1 + (0.5 * A[s, d] if s >= 0 and d >= 0 else 0)
    s_a, s_e = m.varcomp["component"]
    _moments_ok(sims, np.full(12, m.coef_fixed["solution"].iloc[0]), s_a * A + s_e * np.eye(12))
