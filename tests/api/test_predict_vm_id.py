"""predict(classify='id') for the id of a vm()/ped() term: genotype values, ids without records
(the masked genotypes of cross-validation) included.

References: the mixed-model equations built here in numpy with K⁻¹ = inv(K) over all ids (K
the genomic G, or A by the tabular method from the pedigree), at the fitted variances; the
prediction of id i is mean_e(μ + env_e) + g_i, SE sqrt(l'C⁻¹l). For ids without records,
also the closed form of the conditional mean: ĝ_u = K_uo K_oo⁻¹ ĝ_o.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import asr_py as asr


def _dense_predictions(X: np.ndarray, Z: np.ndarray, Kinv: np.ndarray, y: np.ndarray,
                       s2g: float, s2e: float, l_fixed: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(predictions l_fixed'β + g_i, their SEs, ĝ) for every column of Z."""
    W = np.hstack([X, Z])
    C = W.T @ W / s2e
    p, q = X.shape[1], Z.shape[1]
    C[p:, p:] += Kinv / s2g
    Ci = np.linalg.inv(C)
    b = Ci @ (W.T @ y / s2e)
    L = np.hstack([np.tile(l_fixed, (q, 1)), np.eye(q)])
    return L @ b, np.sqrt(np.einsum("ij,jk,ik->i", L, Ci, L)), b[p:]


@pytest.fixture(scope="module")
def gblup():
    rng = np.random.default_rng(11)
    n, m = 30, 80
    M = rng.integers(0, 3, size=(n, m)).astype(float) - 1.0
    ids = [f"L{i:03d}" for i in range(n)]
    G = M @ M.T / m
    g = M @ rng.normal(scale=0.15, size=m)
    rows = [(ids[i], env) for i in range(n) for env in ("A", "B") if i % 3 or env == "A"]
    d = pd.DataFrame(rows, columns=["id", "env"])
    d["y"] = 10 + (d["env"] == "B") * 0.8 + g[[int(s[1:]) for s in d["id"]]] + rng.normal(
        size=len(d))
    masked = ids[22:]  # cross-validation: their phenotypes are hidden
    d.loc[d["id"].isin(masked), "y"] = np.nan
    return d, pd.DataFrame(G, index=ids, columns=ids), ids, masked


def test_gblup_genotype_values_for_all_ids(gblup):
    d, G, ids, masked = gblup
    fit = asr.asreml("y ~ env", random="~ vm(id, G)", data=d, G=G)
    p = fit.predict("id")
    assert list(p["id"]) == ids and (p["status"] == "Estimable").all()
    obs = d.dropna(subset=["y"])
    X = np.column_stack([np.ones(len(obs)), (obs["env"] == "B").to_numpy(float)])
    Z = np.column_stack([(obs["id"] == i).to_numpy(float) for i in ids])
    s2g, s2e = fit.varcomp["component"].to_numpy()
    pv, se, ghat = _dense_predictions(X, Z, np.linalg.inv(G.to_numpy()), obs["y"].to_numpy(),
                                      s2g, s2e, np.array([1.0, 0.5]))
    np.testing.assert_allclose(p["predicted.value"], pv, rtol=1e-7)
    np.testing.assert_allclose(p["std.error"], se, rtol=1e-6)
    # masked ids: ĝ_u = G_uo G_oo⁻¹ ĝ_o (the conditional mean given the recorded genotypes)
    o = [i for i in ids if i not in masked]
    Gm = G.to_numpy()
    io, iu = [ids.index(i) for i in o], [ids.index(i) for i in masked]
    gu = Gm[np.ix_(iu, io)] @ np.linalg.solve(Gm[np.ix_(io, io)], ghat[io])
    np.testing.assert_allclose(ghat[iu], gu, rtol=1e-8, atol=1e-12)
    mean_fixed = fit.predict("env")["predicted.value"].mean()
    np.testing.assert_allclose(p.set_index("id").loc[masked, "predicted.value"],
                               mean_fixed + gu, rtol=1e-7)
    # an id without records is predicted less precisely than any id with records
    assert p.set_index("id").loc[masked, "std.error"].min() > p.set_index("id").loc[
        o, "std.error"].max()


def test_gblup_levels_and_env_classify(gblup):
    d, G, ids, masked = gblup
    fit = asr.asreml("y ~ env", random="~ vm(id, G)", data=d, G=G)
    full = fit.predict("env:id").set_index(["env", "id"])
    sub = fit.predict("env:id", levels={"id": masked[:2]})
    for env, i, v in zip(sub["env"], sub["id"], sub["predicted.value"]):
        assert v == pytest.approx(full.loc[(env, i), "predicted.value"], rel=1e-12)
    new = fit.predict(newdata=pd.DataFrame({"id": [masked[0], ids[0]], "env": "B"}))
    assert new["predicted.value"].iloc[0] == pytest.approx(
        full.loc[("B", masked[0]), "predicted.value"], rel=1e-12)
    with pytest.raises(asr.AsrError, match="not among the levels of 'id'"):
        fit.predict("id", levels={"id": ["nobody"]})


def _amatrix_tabular(sire: list[int], dam: list[int]) -> np.ndarray:
    """A by the tabular method (parents before offspring, -1 unknown)."""
    n = len(sire)
    A = np.zeros((n, n))
    for i in range(n):
        s, d = sire[i], dam[i]
        A[i, i] = 1.0 + (0.5 * A[s, d] if s >= 0 and d >= 0 else 0.0)
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * ((A[j, s] if s >= 0 else 0.0) + (A[j, d] if d >= 0
                                                                         else 0.0))
    return A


def test_animal_model_predicts_ancestors_without_records():
    rng = np.random.default_rng(2)
    sire = [-1, -1, -1, -1, 0, 0, 2, 4, 4, 6, 6, 7, 7, 9, 9, 11, 11, 13]
    dam = [-1, -1, -1, -1, 1, 1, 3, 5, 3, 5, 1, 10, 8, 12, 10, 14, 12, 16]
    n = len(sire)
    names = [f"a{i}" for i in range(n)]
    ped = pd.DataFrame({"id": names, "sire": [names[s] if s >= 0 else "0" for s in sire],
                        "dam": [names[d] if d >= 0 else "0" for d in dam]})
    A = _amatrix_tabular(sire, dam)
    a = np.linalg.cholesky(A) @ rng.normal(size=n)
    rec = list(range(6, n))  # the six founders/first generation have no records
    d = pd.DataFrame({"id": [names[i] for i in rec for _ in range(2)]})
    d["y"] = 3 + a[[int(s[1:]) for s in d["id"]]] + rng.normal(scale=0.7, size=len(d))
    fit = asr.asreml("y ~ 1", random="~ ped(id)", data=d, pedigree=ped)
    p = fit.predict("id").set_index("id").loc[names]
    X = np.ones((len(d), 1))
    Z = np.column_stack([(d["id"] == nm).to_numpy(float) for nm in names])
    s2a, s2e = fit.varcomp["component"].to_numpy()
    pv, se, _ = _dense_predictions(X, Z, np.linalg.inv(A), d["y"].to_numpy(), s2a, s2e,
                                   np.array([1.0]))
    np.testing.assert_allclose(p["predicted.value"], pv, rtol=1e-7)
    np.testing.assert_allclose(p["std.error"], se, rtol=1e-6)


def test_same_predictions_and_aom_from_every_solver():
    """One record per id sends GBLUP to the eigendecomposition path: its predictions and
    outlier statistics equal those of the dense and sparse MME paths."""
    rng = np.random.default_rng(7)
    n, m = 40, 90
    M = rng.integers(0, 3, size=(n, m)).astype(float) - 1.0
    ids = [f"L{i:03d}" for i in range(n)]
    d = pd.DataFrame({"id": ids, "y": 10 + M @ rng.normal(scale=0.15, size=m)
                      + rng.normal(size=n)})
    G = pd.DataFrame(M @ M.T / m, index=ids, columns=ids)
    fits = {s: asr.asreml("y ~ 1", random="~ vm(id, G)", data=d, G=G, solver=s)
            for s in ("eigen", "dense", "sparse")}
    assert fits["eigen"].result.solver == "eigen"
    ref = fits["dense"]
    for s in ("eigen", "sparse"):
        p, q = fits[s].predict("id"), ref.predict("id")
        np.testing.assert_allclose(p["predicted.value"], q["predicted.value"], rtol=1e-6)
        np.testing.assert_allclose(p["std.error"], q["std.error"], rtol=1e-5)
        np.testing.assert_allclose(fits[s].aom()["R"]["stdCond"], ref.aom()["R"]["stdCond"],
                                   rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(fits[s].aom()["G"]["stdCond"], ref.aom()["G"]["stdCond"],
                                   rtol=1e-5, atol=1e-8)
