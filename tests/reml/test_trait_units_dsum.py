"""Traits in different units with a residual variance per trait (s31inv).

``cbind(y1, y2, y3) ~ trait + at(trait):f``, ``~ diag/us(trait):vm(id, K)``,
``~ dsum(~ units | trait)``: three traits at scales 10⁻⁴..10⁵, 15 % of trait values missing
(tests/data/mv_units: gen.py, make.py). Main started every residual section at the traits'
mean variance (10¹³ off for the smallest trait) and "converged" hundreds below the optimum
once the traits were rescaled (seed 111: −462; seed 109, K of rank 25 from markers: −913).
A random term over one trait's records (``at(trait, 'y3'):env``) likewise started at the
traits' mean variance (10⁵ x var(y3)).

Checks against independent sources:
* the dense-V REML optimum (tests/_dense_reml.py, numpy/scipy only) from generic starts;
* the Jacobian of rescaling trait t by c_t: y → D y, D = diag(c_t), maps V to D V D and a
  trait-specific X to X B (B = diag of c_t on trait t's columns), so
  ℓ' = ℓ − Σ_t (n_t − p_t) ln c_t (n_t records, p_t = rank of trait t's fixed columns);
* row order and id labels do not change ℓ.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import maximise, reml_loglik

import asr_py as asr

DATA = Path(__file__).resolve().parents[1] / "data" / "mv_units"
TRAITS = ["y1", "y2", "y3"]
FIXED = "cbind(y1, y2, y3) ~ trait + at(trait):f"
RESID = "~ dsum(~ units | trait)"
SCALE = np.array([1e-3, 1e2, 1e4])  # each trait's own rescaling
CASES = [(111, "diag"), (109, "us")]


def _load(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    d = pd.read_csv(DATA / f"mv_{seed}.csv")
    for c in ("id", "env", "f"):
        d[c] = d[c].astype("category")
    K = pd.read_csv(DATA / f"K_{seed}.csv", index_col=0)
    return d, K


def _fit(d: pd.DataFrame, K: pd.DataFrame, g: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return asr.asreml(FIXED, f"~ {g}(trait):vm(id, K)", RESID, data=d, K=K, maxit=30)


def _trait_x(d: pd.DataFrame, obs: np.ndarray) -> np.ndarray:
    """One trait's fixed columns on its records: mean + f effects (full column rank)."""
    f = d["f"].astype(str).to_numpy()[obs]
    lv = sorted(set(f))
    return np.column_stack([np.ones(obs.sum())] + [(f == v).astype(float) for v in lv[1:]])


def _jacobian(d: pd.DataFrame, c: np.ndarray) -> float:
    """Σ_t (n_t − p_t) ln c_t."""
    out = 0.0
    for t, y in enumerate(TRAITS):
        obs = d[y].notna().to_numpy()
        out += (obs.sum() - np.linalg.matrix_rank(_trait_x(d, obs))) * np.log(c[t])
    return out


def _dense_optimum(d: pd.DataFrame, K: pd.DataFrame, g: str) -> float:
    """max ℓ of V = Σ_g ⊗ K_records + diag_t(σ²_t) ⊗ I over the observed (record, trait)
    pairs, in standardised trait units (y_t / s_t), mapped back by the Jacobian."""
    Y = d[TRAITS].to_numpy(float)
    obs = ~np.isnan(Y)
    sd = np.nanstd(Y, axis=0)
    ids = d["id"].astype(str).to_numpy()
    Kr = K.loc[ids, ids].to_numpy(float)
    n, T = Y.shape
    sel = obs.ravel()
    y = (Y / sd).ravel()[sel]
    X = np.zeros((n * T, 0))
    for t in range(T):
        xt = _trait_x(d, obs[:, t])
        B = np.zeros((n * T, xt.shape[1]))
        B[np.flatnonzero(obs[:, t]) * T + t] = xt
        X = np.hstack([X, B])
    X = X[sel]
    tri = np.tril_indices(T)
    ng = T if g == "diag" else len(tri[0])

    def ll(z: np.ndarray) -> float:
        if g == "diag":
            G = np.diag(z[:T])
        else:
            L = np.zeros((T, T))
            L[tri] = z[:ng]
            G = L @ L.T
        V = np.kron(Kr, G) + np.kron(np.eye(n), np.diag(z[ng:]))
        return reml_loglik(y, X, V[np.ix_(sel, sel)])

    gb = [(0.0, None)] * T if g == "diag" else [(None, None)] * ng
    g0 = np.full(T, 0.3) if g == "diag" else np.sqrt(0.3) * np.eye(T)[tri]
    starts = [np.r_[g0, np.full(T, 0.5)], np.r_[0.1 * g0, np.full(T, 0.9)]]
    _, best = maximise(ll, starts, gb + [(1e-8, None)] * T, polish=False)
    return best - _jacobian(d, sd)


@pytest.mark.parametrize(("seed", "g"), CASES)
def test_fit_reaches_the_dense_optimum(seed: int, g: str) -> None:
    d, K = _load(seed)
    m = _fit(d, K, g)
    assert m.converged
    best = _dense_optimum(d, K, g)
    assert m.loglik == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize(("seed", "g"), CASES)
def test_each_trait_in_its_own_units(seed: int, g: str) -> None:
    d, K = _load(seed)
    m0 = _fit(d, K, g)
    ds = d.copy()
    for t, y in enumerate(TRAITS):
        ds[y] = ds[y] * SCALE[t]
    m1 = _fit(ds, K, g)
    assert m0.converged and m1.converged
    assert m1.loglik + _jacobian(d, SCALE) == pytest.approx(m0.loglik, abs=1e-6)
    # the residual variances follow their own trait's units (c_t²)
    r0 = [m0.result.theta[list(m0.result.names).index(f"trait_{y}!units!R")] for y in TRAITS]
    r1 = [m1.result.theta[list(m1.result.names).index(f"trait_{y}!units!R")] for y in TRAITS]
    np.testing.assert_allclose(np.array(r1) / np.array(r0), SCALE ** 2, rtol=1e-4)


@pytest.mark.parametrize(("seed", "g"), CASES)
def test_row_order_and_labels(seed: int, g: str) -> None:
    d, K = _load(seed)
    m0 = _fit(d, K, g)
    perm = np.random.default_rng(seed).permutation(len(d))
    dp = d.iloc[perm].reset_index(drop=True)
    ren = {a: f"Q{(i * 37) % 1000:03d}" for i, a in enumerate(K.index)}
    dp["id"] = dp["id"].astype(str).map(ren).astype("category")
    dp["f"] = dp["f"].astype(str).map({"F0": "c", "F1": "a", "F2": "b"}).astype("category")
    m1 = _fit(dp, K.rename(index=ren, columns=ren), g)
    assert m0.converged and m1.converged
    assert m1.loglik == pytest.approx(m0.loglik, abs=1e-6)


def test_residual_sections_start_on_their_trait_scale() -> None:
    """The start of trait t's residual section is proportional to var(y_t) (the ratio of
    two traits' starts is the ratio of their sample variances)."""
    d, K = _load(111)
    sv = asr.asreml(FIXED, "~ diag(trait):vm(id, K)", RESID, data=d, K=K, start_values=True)
    val = dict(zip(sv["Component"], sv["Value"]))
    start = np.array([val[f"trait_{y}!units!R"] for y in TRAITS])
    var = np.array([d[y].var(ddof=1) for y in TRAITS])
    np.testing.assert_allclose(start / start[0], var / var[0], rtol=1e-10)


AT_RANDOM = "~ diag(trait):vm(id, K) + at(trait, 'y3'):env"


def test_one_trait_random_term_starts_on_its_trait_scale() -> None:
    """``at(trait, 'y3'):env`` (a term over trait y3's records only) starts at y3's share of
    var(y3), as trait y3's variance of the other random term does (main: at the traits'
    mean variance, 10⁵ x var(y3))."""
    d, K = _load(109)
    sv = asr.asreml("cbind(y1, y2, y3) ~ trait", AT_RANDOM, "~ units:diag(trait)", data=d, K=K,
                    start_values=True)
    val = dict(zip(sv["Component"], sv["Value"]))
    assert val["at(trait, 'y3'):env"] == pytest.approx(val["trait:vm(id, K)!trait_y3"],
                                                       rel=1e-10)
    assert val["at(trait, 'y3'):env"] == pytest.approx(0.25 * d["y3"].var(ddof=1), rel=1e-10)


def test_one_trait_random_term_in_other_units() -> None:
    d, K = _load(109)
    ds = d.copy()
    for t, y in enumerate(TRAITS):
        ds[y] = ds[y] * SCALE[t]
    fits = []
    for dd in (d, ds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(asr.asreml("cbind(y1, y2, y3) ~ trait + at(trait):f", AT_RANDOM,
                                   "~ units:diag(trait)", data=dd, K=K, maxit=30))
    m0, m1 = fits
    assert m0.converged and m1.converged
    assert m1.loglik + _jacobian(d, SCALE) == pytest.approx(m0.loglik, abs=1e-6)
