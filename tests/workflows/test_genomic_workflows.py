"""GBLUP workflows at a reduced size against dense REML (tests/_dense_reml.py) and closed
forms: a singular G (lines genotyped twice under two ids), fitted as is (PSD), ridged and
blended, a genomic MET ``fa(env, 2):vm(id, G)``, and a cross-validation refit with masked
phenotypes by ``update(data=...)``.

Closed forms used: with one record per line, V = σ²_g G + σ²_e I, so G + λI (ridge) and
(1 − w)G + wI (blend) are reparameterisations: the same ℓ, σ²_g' = σ²_g/(1 − w) and
σ²_e' = σ²_e − w σ²_g' (λ: σ²_e' = σ²_e − λσ²_g); two lines with identical rows of G have
identical BLUPs û = GZ'Py; the BLUPs of lines without records are û = GZ'Py over all lines."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dense_reml import blup, reml_loglik

import asr_py as asr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from user_sim import genomic_values, markers_with_duplicates  # noqa: E402

N, M, DUP = 120, 400, 10


@pytest.fixture(scope="module")
def gblup() -> dict:
    mk = markers_with_duplicates(N, M, n_dup=DUP, seed=21)
    g = genomic_values(mk, np.array([[30.0]]), seed=22)[:, 0]
    rng = np.random.default_rng(23)
    df = pd.DataFrame({"id": mk["id"], "yld": 80 + g + rng.standard_normal(N) * np.sqrt(30)})
    G = asr.gmatrix(mk)
    return {"mk": mk, "df": df, "G": G, "Gd": G.toarray()}


def test_singular_g_psd_fit_equals_dense_reml(gblup: dict) -> None:
    df, Gd = gblup["df"], gblup["Gd"]
    assert np.linalg.matrix_rank(Gd) <= N - DUP - 1
    m = asr.asreml(fixed="yld ~ 1", random="~ vm(id, K, singG = 'PSD')", data=df,
                   K=gblup["G"])
    sg, se = m.varcomp["component"].to_numpy()
    y, X = df["yld"].to_numpy(), np.ones((N, 1))

    def ll(a: float, b: float) -> float:
        return reml_loglik(y, X, a * Gd + b * np.eye(N))

    assert m.loglik == pytest.approx(ll(sg, se), abs=1e-6)
    for i, (a, b) in enumerate([(sg * 1.001, se), (sg, se * 1.001)]):
        assert ll(a, b) < m.loglik + 1e-7
        h = 1e-4 * (sg, se)[i]
        up = ll(*((sg + h, se) if i == 0 else (sg, se + h)))
        dn = ll(*((sg - h, se) if i == 0 else (sg, se - h)))
        assert abs((up - dn) / (2 * h) * (sg, se)[i]) < 1e-3
    # the duplicated lines (rows i and N - DUP + i of G are equal): equal BLUPs
    u = m.coef_random["solution"].to_numpy()
    assert np.allclose(u[:DUP], u[N - DUP:], atol=1e-8 * np.abs(u).max())
    u_dense, _ = blup(y, X, sg * Gd + se * np.eye(N), np.eye(N), sg * Gd)
    assert np.allclose(u, u_dense, atol=1e-6 * np.abs(u_dense).max())


def test_ridge_and_blend_are_reparameterisations(gblup: dict) -> None:
    df, mk = gblup["df"], gblup["mk"]
    base = asr.asreml(fixed="yld ~ 1", random="~ vm(id, K, singG = 'PSD')", data=df,
                      K=gblup["G"])
    sg, se = base.varcomp["component"].to_numpy()
    lam, w = 0.01, 0.05
    ridge = asr.asreml(fixed="yld ~ 1", random="~ vm(id, K)", data=df,
                       K=asr.gmatrix(mk, ridge=lam))
    ids = mk["id"].tolist()
    eye = pd.DataFrame(np.eye(N), index=ids, columns=ids)
    blend = asr.asreml(fixed="yld ~ 1", random="~ vm(id, K)", data=df,
                       K=asr.gmatrix(mk, blend=w, a_matrix=eye))
    assert ridge.loglik == pytest.approx(base.loglik, abs=1e-6)
    assert blend.loglik == pytest.approx(base.loglik, abs=1e-6)
    r = ridge.varcomp["component"].to_numpy()
    b = blend.varcomp["component"].to_numpy()
    assert r == pytest.approx([sg, se - lam * sg], rel=1e-4)
    assert b == pytest.approx([sg / (1 - w), se - w * sg / (1 - w)], rel=1e-4)


def test_genomic_met_fa2_equals_dense_reml() -> None:
    n, n_env = 40, 6
    mk = markers_with_duplicates(n, 300, n_dup=0, seed=31)
    rng = np.random.default_rng(32)
    lam = rng.uniform(2, 4, (n_env, 2)) * np.array([1.0, 0.5])
    gm = genomic_values(mk, lam @ lam.T + 3 * np.eye(n_env), seed=33)
    rows = []
    for e in range(n_env):
        lines = np.sort(rng.choice(n, size=30, replace=False))
        y = 50 + 10 * e + gm[lines, e] + rng.standard_normal(lines.size) * 2
        rows.append(pd.DataFrame({"env": f"E{e}", "id": mk["id"].to_numpy()[lines], "y": y}))
    met = pd.concat(rows, ignore_index=True)
    G = asr.gmatrix(mk, ridge=0.01)
    m = asr.asreml(fixed="y ~ env", random="~ fa(env, 2):vm(id, G)", data=met, G=G,
                   maxit=100)
    assert m.converged
    vc = m.varcomp["component"]
    envs = [f"E{e}" for e in range(n_env)]
    psi = np.array([vc[f"env:vm(id, G)!env_{e}!var"] for e in envs])
    L = np.column_stack([[vc[f"env:vm(id, G)!env_{e}!fa{k}"] for e in envs] for k in (1, 2)])
    se = vc["units!R"]
    e_of = met["env"].map({e: i for i, e in enumerate(envs)}).to_numpy()
    g_of = met["id"].map({k: i for i, k in enumerate(mk["id"])}).to_numpy()
    Sg = L @ L.T + np.diag(psi)
    Gd = G.toarray()
    V = Sg[np.ix_(e_of, e_of)] * Gd[np.ix_(g_of, g_of)] + se * np.eye(len(met))
    X = np.column_stack([np.ones(len(met))] + [e_of == i for i in range(1, n_env)])
    assert m.loglik == pytest.approx(reml_loglik(met["y"].to_numpy(), X.astype(float), V),
                                     abs=1e-5)


def test_cv_refit_by_update_predicts_masked_lines(gblup: dict) -> None:
    """A fold of 5-fold CV: the refit from the full fit's estimates reaches the fresh fit's
    optimum, and the masked lines' predictions are the dense û = σ²_g G Z'Py."""
    mk, df = gblup["mk"], gblup["df"]
    G = asr.gmatrix(mk, ridge=0.01)
    full = asr.asreml(fixed="yld ~ 1", random="~ vm(id, G)", data=df, G=G)
    fold = np.random.default_rng(41).permutation(N) % 5 == 0
    masked = df.assign(yld=df["yld"].where(~fold))
    before = masked.copy()
    ref = full.update(data=masked)
    fresh = asr.asreml(fixed="yld ~ 1", random="~ vm(id, G)", data=masked, G=G)
    pd.testing.assert_frame_equal(masked, before)
    assert ref.loglik == pytest.approx(fresh.loglik, abs=1e-6)
    sg, se = ref.varcomp["component"].to_numpy()
    train = ~fold
    Gd = G.toarray()
    y = df["yld"].to_numpy()[train]
    Z = np.eye(N)[train]
    V = sg * Gd[np.ix_(train, train)] + se * np.eye(train.sum())
    u, pev = blup(y, np.ones((y.size, 1)), V, Z, sg * Gd)
    pv = ref.predict(classify="id", only="vm(id, G)").set_index("id")
    got = pv.loc[mk["id"][fold], "predicted.value"].to_numpy()
    assert np.allclose(got, u[fold], atol=1e-6 * np.abs(u).max())
    assert np.allclose(pv.loc[mk["id"][fold], "std.error"] ** 2, pev[fold], rtol=1e-5)
