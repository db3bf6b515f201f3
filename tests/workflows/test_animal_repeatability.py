"""The breeder's bivariate repeatability animal model, at a reduced size, against an
independent dense-V REML (tests/_dense_reml.py) and closed forms:

    y = X b + Z_a a + Z_p p + e,  a ~ N(0, G0 ⊗ A), p ~ N(0, P0 ⊗ I), e_r ~ N(0, R0) per record

(``us(trait):vm(animal, Ainv) + us(trait):ide(animal)``, ``units:us(trait)``), two traits in
very different units (weight in kg, length in mm), 30 % of each missing, a pedigree with
selfing, unknown sires and inbreeding (A by the tabular method in benchmarks/user_sim.py).
Checks: ℓ at the estimates equals the dense ℓ; the estimates are a maximum of the dense ℓ
(finite-difference gradient); h² and r_g by vpredict equal their closed forms; the BLUPs'
PEV equal the dense G − GZ'PZG, so accuracies sqrt(1 − PEV/(σ²_a(1 + F))) do too; changing
a trait's unit (kg -> g) shifts ℓ by exactly −(n_t − p_t) log c and scales the covariances;
shuffled rows and relabelled ids change nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import blup, reml_loglik

import asr_py as asr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from user_sim import G0, amatrix_dense, breeding_values, pedigree, repeated_records  # noqa: E402

FIXED = "cbind(wt_kg, len_mm) ~ trait + trait:sex"
RANDOM = "~ us(trait):vm(animal, Ainv) + us(trait):ide(animal)"
RESID = "~ units:us(trait)"
TRAITS = ("wt_kg", "len_mm")


@pytest.fixture(scope="module")
def case() -> dict:
    ped = pedigree(240, 6, seed=11)
    A = amatrix_dense(ped)
    a = breeding_values(ped, G0, np.diag(A) - 1)
    df = repeated_records(ped, a)
    ainv = asr.ainverse(ped[["animal", "sire", "dam"]], check_roles=False)
    fit = asr.asreml(fixed=FIXED, random=RANDOM, residual=RESID, data=df, Ainv=ainv)
    return {"ped": ped, "A": A, "df": df, "ainv": ainv, "fit": fit}


def _cov(vc: pd.Series, key: str) -> np.ndarray:
    """The 2 x 2 covariance of the varcomp rows whose name contains ``key`` (asreml's order
    11, 21, 22)."""
    v = vc[[k for k in vc.index if key in k]].to_numpy()
    return np.array([[v[0], v[1]], [v[1], v[2]]])


def _dense(case: dict, df: pd.DataFrame | None = None):
    """y, X, a function θ -> V (θ = the 9 covariances in varcomp order) over the observed
    (record, trait) pairs, and Z_a with the animals in pedigree order."""
    df = case["df"] if df is None else df
    ped = case["ped"]
    idx = {k: i for i, k in enumerate(ped["animal"])}
    Y = df[list(TRAITS)].to_numpy()
    rec, tr = np.nonzero(~np.isnan(Y))
    y = Y[rec, tr]
    male = (df["sex"].to_numpy()[rec] == "M").astype(float)
    X = np.column_stack([tr == 0, tr == 1, (tr == 0) * male, (tr == 1) * male]).astype(float)
    an = np.array([idx[k] for k in df["animal"].to_numpy()[rec]])
    A_obs = case["A"][np.ix_(an, an)]
    same_an = (an[:, None] == an[None, :]).astype(float)
    same_rec = (rec[:, None] == rec[None, :]).astype(float)

    def V(theta: np.ndarray) -> np.ndarray:
        G, P, R = (np.array([[t[0], t[1]], [t[1], t[2]]]) for t in theta.reshape(3, 3))
        return (G[np.ix_(tr, tr)] * A_obs + P[np.ix_(tr, tr)] * same_an
                + R[np.ix_(tr, tr)] * same_rec)

    Z = np.zeros((y.size, 2 * len(ped)))  # effects ordered (trait, animal)
    Z[np.arange(y.size), tr * len(ped) + an] = 1.0
    return y, X, V, Z


def _theta(fit) -> np.ndarray:
    vc = fit.varcomp["component"]
    return np.concatenate([_cov(vc, k)[[0, 1, 1], [0, 0, 1]] for k in ("vm(", "ide(", "units")])


def test_loglik_equals_dense_reml(case: dict) -> None:
    y, X, V, _ = _dense(case)
    th = _theta(case["fit"])
    assert case["fit"].converged
    assert case["fit"].loglik == pytest.approx(reml_loglik(y, X, V(th)), abs=1e-6)


def test_estimates_maximise_dense_reml(case: dict) -> None:
    y, X, V, _ = _dense(case)
    th = _theta(case["fit"])
    for i in range(th.size):  # scaled central differences: θ_i ∂ℓ/∂θ_i ≈ 0 at the maximum
        h = 1e-4 * abs(th[i])
        up, dn = th.copy(), th.copy()
        up[i] += h
        dn[i] -= h
        g = (reml_loglik(y, X, V(up)) - reml_loglik(y, X, V(dn))) / (2 * h)
        assert abs(g * th[i]) < 5e-3, (i, g)


def test_h2_and_rg_by_vpredict(case: dict) -> None:
    fit = case["fit"]
    vc = fit.varcomp["component"]
    G, P, R = (_cov(vc, k) for k in ("vm(", "ide(", "units"))
    # asreml's numbering: V1-3 G, V4-6 P, V7 the residual scale (fixed at 1), V8-10 R
    h2 = fit.vpredict("h2 ~ V1/(V1+V4+V8)")
    assert h2["Estimate"].iloc[0] == pytest.approx(G[0, 0] / (G[0, 0] + P[0, 0] + R[0, 0]))
    rep = fit.vpredict("rep ~ (V3+V6)/(V3+V6+V10)")
    assert rep["Estimate"].iloc[0] == pytest.approx((G[1, 1] + P[1, 1])
                                                    / (G[1, 1] + P[1, 1] + R[1, 1]))
    rg = fit.vpredict("rg ~ V2/sqrt(V1*V3)")
    assert rg["Estimate"].iloc[0] == pytest.approx(G[0, 1] / np.sqrt(G[0, 0] * G[1, 1]))
    assert 0 < h2["SE"].iloc[0] < 1 and 0 < rg["SE"].iloc[0] < 2


def test_pev_and_accuracy_equal_dense(case: dict) -> None:
    fit, ped = case["fit"], case["ped"]
    y, X, V, Z = _dense(case)
    th = _theta(fit)
    G = np.kron(np.array([[th[0], th[1]], [th[1], th[2]]]), case["A"])
    u, pev = blup(y, X, V(th), Z, G)
    cr = fit.coef_random
    n = len(ped)
    for t, trait in enumerate(TRAITS):
        labels = [f"trait:vm(animal, Ainv)_{trait}:{k}" for k in ped["animal"]]
        got = cr.loc[labels]
        assert np.allclose(got["solution"], u[t * n:(t + 1) * n], atol=1e-5 * np.sqrt(th[0]))
        assert np.allclose(got["std.error"] ** 2, pev[t * n:(t + 1) * n], rtol=1e-6)
    # accuracy of the weight BLUPs: r = sqrt(1 − PEV / (σ²_a (1 + F)))
    F = case["ainv"].inbreeding.reindex(ped["animal"]).to_numpy()
    assert np.allclose(F, np.diag(case["A"]) - 1, atol=1e-12)
    se = cr.loc[[f"trait:vm(animal, Ainv)_wt_kg:{k}" for k in ped["animal"]], "std.error"]
    acc = np.sqrt(1 - se.to_numpy() ** 2 / (th[0] * (1 + F)))
    acc_dense = np.sqrt(np.clip(1 - pev[:n] / (th[0] * (1 + F)), 0, None))
    assert np.allclose(acc, acc_dense, atol=1e-6)


def test_unit_change_shifts_loglik_by_jacobian(case: dict) -> None:
    """Weight in grams (c = 1000): ℓ' = ℓ − (n_w − p_w) log c (n_w observed weights, p_w = 2
    fixed columns of weight); the weight covariances scale by c², its covariances by c."""
    df, fit, c = case["df"].copy(), case["fit"], 1000.0
    df["wt_kg"] *= c
    g = asr.asreml(fixed=FIXED, random=RANDOM, residual=RESID, data=df, Ainv=case["ainv"])
    n_w = int(df["wt_kg"].notna().sum())
    assert g.loglik == pytest.approx(fit.loglik - (n_w - 2) * np.log(c), abs=2e-4)
    scale = np.tile([c * c, c, 1.0], 3)
    assert np.allclose(_theta(g), _theta(fit) * scale, rtol=2e-3)


def test_shuffled_rows_and_relabelled_ids(case: dict) -> None:
    fit, df, ped = case["fit"], case["df"], case["ped"]
    sh = df.sample(frac=1.0, random_state=3)
    g = asr.asreml(fixed=FIXED, random=RANDOM, residual=RESID, data=sh, Ainv=case["ainv"])
    assert g.loglik == pytest.approx(fit.loglik, abs=1e-6)
    assert np.allclose(_theta(g), _theta(fit), rtol=1e-5)
    lab = {k: f"id{i:04d}x" for i, k in enumerate(ped["animal"][::-1])}  # other sort order
    lab["0"] = "0"
    ped2 = ped.assign(**{c: ped[c].map(lab) for c in ("animal", "sire", "dam")})
    df2 = df.assign(animal=df["animal"].map(lab))
    ainv2 = asr.ainverse(ped2[["animal", "sire", "dam"]], check_roles=False)
    h = asr.asreml(fixed=FIXED, random=RANDOM, residual=RESID, data=df2, Ainv=ainv2)
    assert h.loglik == pytest.approx(fit.loglik, abs=1e-6)
    u1 = fit.coef_random.loc[[f"trait:vm(animal, Ainv)_wt_kg:{k}" for k in ped["animal"]]]
    u2 = h.coef_random.loc[[f"trait:vm(animal, Ainv)_wt_kg:{lab[k]}" for k in ped["animal"]]]
    assert np.allclose(u1["solution"].to_numpy(), u2["solution"].to_numpy(), atol=1e-4)
