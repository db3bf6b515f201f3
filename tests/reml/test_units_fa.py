"""fa(env, k) fits in any units of y (s24floor).

y -> c·y maps a model onto itself: variances x c², loadings x c, ℓ shifted by the Jacobian
−(n − p)·log c (tests/reml/test_units_sweep.py). With c a power of two every product and
quotient is exactly c times its value at c = 1, so an engine whose every decision is
relative takes the identical path. Three rules were not: the EM step's eigenvalue floor on
the unscaled I_c (reml/em.py: a kg/ha variance's information fell under a loading's), the
line search's slack and the noise of ℓ, both 1e-10 / 1e-12 x |ℓ| (|ℓ| moves by
(n − p)·log c: from −263 to +164 and −690 on the sweep's fa(env, 1)), and the polish fit
of the variances held on a structural floor lifted them back (ai._lift_held). Before,
fa(env, 1):gen at c = 2⁻¹⁴ stopped 3.7e-6 below its value at c = 1 and 4.1e-6 below the
dense-V REML optimum, fa(env, 2):gen at 2¹⁴ ended unconverged 20.7 below, and the stage-2
MET's fa(env, 1) differed by 2.7e-6 at 2⁻¹⁴.

The dense-V REML of tests/_dense_reml.py is the independent check of the optimum.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from _dense_reml import bfgs_max, fa_cov, reml_loglik
from _stage2_met import stage2_met
from _sweep_cases import cases, compare

import asr_py as asr

POW2 = [2.0 ** -14, 2.0 ** 14]
SWEEP = {c.name: c for c in cases(48)}


def _fit(d: pd.DataFrame, kwargs: dict) -> asr.AsremlModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(data=d, **kwargs)


def _sweep(name: str, c: float) -> tuple[pd.DataFrame, dict]:
    case = SWEEP[name]
    d = case.data(np.random.default_rng(5), 48)
    d["y"] = d["y"] * c
    return d, {**case.kwargs, **case.extra}


def _met(k: int, c: float) -> tuple[pd.DataFrame, dict]:
    """The stage-2 MET (eBLUEs with known weights, residual fixed at 1/w): y -> c y with
    w -> w / c² is V -> c² V."""
    d, K = stage2_met(6, 40, 3)
    d = d.assign(y=d["y"] * c, w=d["w"] / c ** 2)
    return d, dict(fixed="y ~ env", random=f"~ fa(env, {k}):vm(geno, K)",
                   family=asr.asr_gaussian(dispersion=1), weights="w", maxit=100, K=K)


CASES = {"fa(env,1):gen": lambda c: _sweep("fa(env,1):gen", c),
         "met fa(env,1)": lambda c: _met(1, c), "met fa(env,2)": lambda c: _met(2, c)}


def _summary(m: asr.AsremlModel, c: float) -> dict:
    """Estimates and ℓ mapped back to c = 1 (the units-free fit)."""
    vc = m.varcomp
    kind = np.where(vc.index.str.contains(r"!fa\d+$"), 1, 2)  # loadings x c, variances x c²
    j = np.where(vc["bound"].to_numpy() == "F", 1.0, c ** kind)
    return dict(theta=vc["component"].to_numpy(float) / j, codes=list(vc["bound"]),
                steps=[(h["method"], float(h["step"])) for h in m.result.history],
                converged=bool(m.converged), ll=float(m.loglik))


def _nu(m: asr.AsremlModel) -> int:
    return int(m.result.n_minus_p)


@pytest.mark.parametrize("c", POW2, ids=["2^-14", "2^14"])
@pytest.mark.parametrize("name", list(CASES))
def test_power_of_two_units_take_the_identical_path(name: str, c: float) -> None:
    d1, kw1 = CASES[name](1.0)
    dc, kwc = CASES[name](c)
    m1, mc = _fit(d1, kw1), _fit(dc, kwc)
    a, b = _summary(m1, 1.0), _summary(mc, c)
    assert a["converged"] and b["converged"]
    assert b["steps"] == a["steps"]
    assert b["codes"] == a["codes"]
    np.testing.assert_allclose(b["theta"], a["theta"], rtol=1e-6, atol=0)
    assert b["ll"] + _nu(m1) * np.log(c) == pytest.approx(a["ll"], abs=1e-8)


def test_fa2_sweep_in_other_units_reaches_the_same_fit() -> None:
    """fa(env, 2):gen climbs its last iterations on differences of ℓ (reml/fd_score.py),
    whose rounding (~1e-16 x |ℓ| over a step of 1e-3 SE) differs with |ℓ|: the paths part
    at ~1e-10 and the fits stop within a tenth of the ℓ tolerance of one another (measured:
    6.4e-8 with tolerance 3e-8 x ν = 1.2e-6), with the same codes; before, at 2¹⁴ it ended
    unconverged 20.7 below."""
    d1, kw = _sweep("fa(env,2):gen", 1.0)
    m1 = _fit(d1, kw)
    a = _summary(m1, 1.0)
    tol = 3e-8 * _nu(m1)
    se = m1.varcomp["std.error"].to_numpy(float)
    free = np.array([k in ("P", "U") for k in a["codes"]]) & np.isfinite(se)
    for c in POW2:
        dc, kwc = _sweep("fa(env,2):gen", c)
        b = _summary(_fit(dc, kwc), c)
        assert a["converged"] and b["converged"]
        assert b["codes"] == a["codes"]
        assert abs(b["ll"] + _nu(m1) * np.log(c) - a["ll"]) <= 0.1 * tol
        assert np.max(np.abs(b["theta"] - a["theta"])[free] / se[free]) <= 0.02


@functools.cache
def _fa1_dense() -> dict[str, float]:
    """The engine's fit at c = 1 against the dense-V REML (its optimum from several starts)."""
    d1, _ = _sweep("fa(env,1):gen", 1.0)
    return compare(SWEEP["fa(env,1):gen"], d1)


@pytest.mark.parametrize("c", [2.0 ** -14, 1.0])
def test_fa1_sweep_reaches_the_dense_optimum_in_any_units(c: float) -> None:
    """ℓ at the estimates is the dense ℓ, and the dense optimum (several starts, at c = 1)
    is higher by at most the fit's ℓ tolerance 3e-8 x ν after the Jacobian (measured
    3.8e-7; before: 4.1e-6 at c = 2⁻¹⁴, where the polish fit of the ψ held on their floor
    lifted them to 1e-6 x their scale)."""
    r = _fa1_dense()
    dc, kwc = _sweep("fa(env,1):gen", c)
    m = _fit(dc, kwc)
    assert m.converged
    ll = float(m.loglik) + _nu(m) * np.log(c)
    assert r["ll_dense"] - ll <= 3e-8 * _nu(m)
    if c == 1.0:
        assert r["ll_at"] * abs(r["ll"]) <= 1e-8


@pytest.mark.parametrize("k", [1, 2])
def test_met_fa_is_the_dense_optimum(k: int) -> None:
    """V = Z (Σ ⊗ K) Z' + diag(1/w), Σ = ΛΛ' + Ψ (λ_ij = 0 for j > i): ℓ at the engine's
    estimates is the dense ℓ, and BFGS from there (ψ through √ψ: zero reachable) finds at
    most the fit's ℓ tolerance 3e-8 x ν more (measured: 1.8e-7 for k = 1, 2.7e-6 for
    k = 2, tolerance 7e-6)."""
    d, kw = _met(k, 1.0)
    m = _fit(d, kw)
    assert m.converged
    vc = m.varcomp
    psi = vc[vc.index.str.endswith("!var")]["component"].to_numpy(float)
    lam = np.column_stack([vc[vc.index.str.endswith(f"!fa{j + 1}")]["component"]
                           .to_numpy(float) for j in range(k)])
    envs = sorted(d["env"].unique())
    e = d["env"].map({v: i for i, v in enumerate(envs)}).to_numpy()
    K = kw["K"]
    g = K.index.get_indexer(d["geno"])
    KK = K.to_numpy()[np.ix_(g, g)]
    X = np.eye(len(envs))[e]
    y, R = d["y"].to_numpy(float), np.diag(1.0 / d["w"].to_numpy(float))

    def ll(L: np.ndarray, p: np.ndarray) -> float:
        return reml_loglik(y, X, fa_cov(L, p)[np.ix_(e, e)] * KK + R)

    assert ll(lam, psi) == pytest.approx(m.loglik, abs=1e-7)
    free = np.ones(lam.shape, dtype=bool)
    for j in range(1, k):
        free[:j, j] = False
    nf = int(free.sum())

    def f(x: np.ndarray) -> float:
        L = np.zeros(lam.shape)
        L[free] = x[:nf]
        return ll(L, x[nf:] ** 2)

    best = bfgs_max(f, np.r_[lam[free], np.sqrt(np.maximum(psi, 0.0))])
    assert best - m.loglik <= 3e-8 * _nu(m)
