"""The two-stage MET workflow at a reduced size (benchmarks/user_sim.met_trials: trials in
different units, one p-rep trial, AR1 x AR1 plot errors), against independent computations:

* stage 1 as one model with ``dsum(~ ar1(Row):ar1(Col) | trial)`` and trial-specific fixed
  effects is the per-trial fits side by side: ℓ = Σ_j ℓ_j and the same spatial parameters;
* stage 2 (``fa(trial, 2):geno``, weights 1/se², dispersion fixed at 1: one working
  model, not a PQL loop) against the dense REML (tests/_dense_reml.py) with
  V = Z(ΛΛ' + Ψ ⊗ I)Z' + diag(1/w): equal ℓ at the estimates, and the estimates a
  maximum (finite-difference gradient);
* stage-2 rows without a weight (a stage-1 mean with a NaN SE) are dropped with a warning."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import reml_loglik

import asr_py as asr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from user_sim import met_trials  # noqa: E402

N_TRIALS = 5


@pytest.fixture(scope="module")
def trials() -> pd.DataFrame:
    return met_trials(N_TRIALS, 60, per_trial=30)


def _stage1(dt: pd.DataFrame):
    fixed = "y ~ geno + rep" if dt["rep"].nunique() > 1 else "y ~ geno"
    return asr.asreml(fixed=fixed, residual="~ ar1(Row):ar1(Col)", data=dt)


@pytest.fixture(scope="module")
def stage1(trials: pd.DataFrame) -> dict:
    fits = {t: _stage1(dt) for t, dt in trials.groupby("trial", sort=True)}
    blues = []
    for t, m in fits.items():
        pv = m.predict(classify="geno")
        blues.append(pd.DataFrame({"trial": t, "geno": pv["geno"],
                                   "blue": pv["predicted.value"],
                                   "w": 1.0 / pv["std.error"] ** 2}))
    return {"fits": fits, "blues": pd.concat(blues, ignore_index=True)}


def test_stage1_dsum_is_the_trials_side_by_side(trials: pd.DataFrame, stage1: dict) -> None:
    fits = stage1["fits"]
    assert all(m.converged for m in fits.values())
    joint = asr.asreml(fixed="y ~ trial + trial:rep + trial:geno",
                       residual="~ dsum(~ ar1(Row):ar1(Col) | trial)", data=trials)
    assert joint.converged
    assert joint.loglik == pytest.approx(sum(m.loglik for m in fits.values()), abs=1e-4)
    vc = joint.varcomp["component"]
    for t, m in fits.items():
        mine = m.varcomp["component"]
        for part in ("Row!cor", "Col!cor"):
            got = vc[[k for k in vc.index if k.startswith(f"trial_{t}!") and part in k]]
            assert got.iloc[0] == pytest.approx(
                mine[[k for k in mine.index if part in k]].iloc[0], abs=2e-3)


def test_stage2_fa2_against_dense_reml(stage1: dict) -> None:
    st2 = stage1["blues"]
    assert st2["w"].notna().all() and st2["trial"].nunique() == N_TRIALS
    m = asr.asreml(fixed="blue ~ trial", random="~ fa(trial, 2):geno", weights="w",
                   family=asr.asr_gaussian(dispersion=1.0), data=st2, maxit=80)
    assert m.converged
    # Gaussian identity: the working model is the model, one fit (it ran up to 50 while
    # boundary ψ's relative change stayed above the PQL tolerance)
    assert m.pql.outer_iterations == 1
    trials = sorted(st2["trial"].unique())
    genos = sorted(st2["geno"].unique())
    t_of = st2["trial"].map({t: i for i, t in enumerate(trials)}).to_numpy()
    g_of = st2["geno"].map({g: i for i, g in enumerate(genos)}).to_numpy()
    X = np.column_stack([np.ones(len(st2))] + [t_of == i for i in range(1, len(trials))])
    X = X.astype(float)
    y = st2["blue"].to_numpy()
    same_g = (g_of[:, None] == g_of[None, :]).astype(float)
    Rinv = np.diag(1.0 / st2["w"].to_numpy())
    vc = m.varcomp["component"]
    k = len(trials)

    def pick(tag: str) -> np.ndarray:
        return np.array([vc[f"trial:geno!trial_{t}!{tag}"] for t in trials])

    psi, lam = pick("var"), np.column_stack([pick("fa1"), pick("fa2")])
    assert lam[0, 1] == 0.0  # asreml's constraint: the first trial's second loading is 0

    def V(th: np.ndarray) -> np.ndarray:
        p, L = th[:k], th[k:].reshape(2, k).T
        Sg = L @ L.T + np.diag(p)
        return Sg[np.ix_(t_of, t_of)] * same_g + Rinv

    th = np.concatenate([psi, lam[:, 0], lam[:, 1]])
    assert m.loglik == pytest.approx(reml_loglik(y, X, V(th)), abs=1e-6)
    for i in range(th.size):
        if i == 2 * k or th[i] == 0:  # the fixed loading; a ψ held at 0
            continue
        h = 1e-4 * abs(th[i])
        up, dn = th.copy(), th.copy()
        up[i] += h
        dn[i] -= h
        g = (reml_loglik(y, X, V(up)) - reml_loglik(y, X, V(dn))) / (2 * h)
        assert abs(g * th[i]) < 1e-2, (i, g)  # ∂ℓ/∂log θ_i: ~0 at the maximum


def test_stage2_missing_weights_warned(stage1: dict) -> None:
    st2 = stage1["blues"].copy()
    st2.loc[st2["trial"] == "T04", "w"] = np.nan  # as a stage-1 fit without an error d.f.
    with warnings.catch_warnings(record=True) as wl:
        warnings.simplefilter("always")
        m = asr.asreml(fixed="blue ~ trial", random="~ geno", weights="w",
                       family=asr.asr_gaussian(dispersion=1.0), data=st2)
    msg = [str(w.message) for w in wl if isinstance(w.message, asr.AsrWarning)]
    n = int((st2["trial"] == "T04").sum())
    assert any(f"{n} data rows dropped for missing weights in 'w'" in s for s in msg)
    assert m.model.records.n == len(st2) - n
