"""asreml-R 4's direct-maternal animal model:
``str(~ vm(animal, ainv) + vm(dam, ainv), ~ us(2):vm(animal, ainv))``: the effects
(a, m) of every pedigree id have Var = Σ ⊗ A (Σ 2 x 2 unstructured), the record of animal i
with dam j gets a_i + m_j:  V = [Z_a Z_m](Σ ⊗ A)[Z_a Z_m]' + σ²I. Checked against a dense-V
REML with A from the pedigree (the tabular method, written out here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import fit_dense, indicator, reml_loglik

import asr_py as asr


def _tabular_a(ped: pd.DataFrame) -> np.ndarray:
    """Numerator relationship matrix by the tabular method (parents before offspring)."""
    ids = list(ped.id)
    pos = {k: i for i, k in enumerate(ids)}
    A = np.zeros((len(ids), len(ids)))
    for i, (s, d) in enumerate(zip(ped.sire, ped.dam)):
        ps = [pos[p] for p in (s, d) if isinstance(p, str)]
        for j in range(i):
            A[i, j] = A[j, i] = 0.5 * sum(A[j, p] for p in ps)
        A[i, i] = 1 + (0.5 * A[ps[0], ps[1]] if len(ps) == 2 else 0.0)
    return A


@pytest.fixture(scope="module")
def herd() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(8)
    base = [(f"B{i}", None, None) for i in range(24)]
    sires, dams = [f"B{i}" for i in range(6)], [f"B{i}" for i in range(6, 24)]
    kids = [(f"K{k}", sires[rng.integers(6)], dams[rng.integers(18)]) for k in range(72)]
    ped = pd.DataFrame(base + kids, columns=["id", "sire", "dam"])
    A = _tabular_a(ped)
    S = np.array([[2.0, -0.6], [-0.6, 1.5]])
    am = rng.multivariate_normal(np.zeros(2 * len(ped)), np.kron(S, A))
    a, m = am[:len(ped)], am[len(ped):]
    pos = {k: i for i, k in enumerate(ped.id)}
    # the dams are recorded too (their own dams unknown: no maternal effect)
    rec = ped[ped.id.str.startswith("K") | ped.id.isin(dams)].copy()
    rec["animal"] = rec.id
    rec["dam"] = rec.dam.fillna("B23")      # an unknown dam given as one recorded base dam
    rec["y"] = [20 + a[pos[i]] + m[pos[dm]] + rng.normal(0, 1.5)
                for i, dm in zip(rec.animal, rec.dam)]
    return ped, rec.drop(columns=["id", "sire"]).reset_index(drop=True)


def test_direct_maternal_str_with_vm_matches_dense_reml(herd) -> None:
    ped, d = herd
    ainv = asr.ainverse(ped)
    d0 = d.copy()
    fit = asr.asreml("y ~ 1", random="~ str(~ vm(animal, ainv) + vm(dam, ainv), "
                     "~ us(2):vm(animal, ainv))", data=d, ainv=ainv)
    pd.testing.assert_frame_equal(d, d0)
    vc = fit.varcomp["component"]
    assert len(vc) == 4 and vc.index[-1] == "units!R"
    A, ids = _tabular_a(ped), list(ped.id)
    y, X = d.y.to_numpy(), np.ones((len(d), 1))
    Z = np.column_stack([indicator(d.animal, ids), indicator(d.dam, ids)])

    def build(x):
        S = np.array([[x[0], x[1]], [x[1], x[2]]])
        if np.linalg.eigvalsh(S).min() < 0 or x[3] <= 0:
            return None
        return Z @ np.kron(S, A) @ Z.T + x[3] * np.eye(len(d))
    x = vc.to_numpy()
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = fit_dense(y, X, build, [x, np.array([1.0, 0.0, 1.0, 2.0])],
                        [(0, None), (None, None), (0, None), (1e-6, None)], polish=False)
    assert best <= fit.loglik + 1e-4


def test_a_structure_term_in_the_first_str_formula_is_still_refused(herd) -> None:
    ped, d = herd
    with pytest.raises(asr.FormulaError, match="plain terms"):
        asr.asreml("y ~ 1", random="~ str(~ us(2):animal, ~ us(2):id(animal))", data=d)


def test_and_inside_str_adds_a_neighbour_design(herd) -> None:
    # a competition model: own genotype g and neighbours n1 + ½ n2 share Σ ⊗ K
    rng = np.random.default_rng(3)
    g = [f"G{k}" for k in range(10)]
    K = 0.25 + 0.75 * np.eye(10)
    d = pd.DataFrame({"blk": np.repeat(["a", "b", "c"], 10),
                      "gen": np.concatenate([rng.permutation(g) for _ in range(3)])})
    d["n1"] = d.gen.map(lambda s: g[(g.index(s) + 1) % 10])
    d["n2"] = d.gen.map(lambda s: g[(g.index(s) + 4) % 10])
    Z = np.column_stack([indicator(d.gen, g), indicator(d.n1, g) + 0.5 * indicator(d.n2, g)])
    S = np.array([[3.0, -0.8], [-0.8, 1.0]])
    d["y"] = 10 + Z @ rng.multivariate_normal(np.zeros(20), np.kron(S, K)) \
        + rng.normal(0, 1, len(d))
    Kdf = pd.DataFrame(K, index=g, columns=g)
    fit = asr.asreml("y ~ blk", random="~ str(~ vm(gen, K) + vm(n1, K) + and(vm(n2, K), 0.5), "
                     "~ us(2):vm(gen, K))", data=d, K=Kdf)
    y = d.y.to_numpy()
    X = np.column_stack([np.ones(len(d)), indicator(d.blk)[:, 1:]])

    def build(x):
        if not np.all(np.isfinite(x)):
            return None
        S = np.array([[x[0], x[1]], [x[1], x[2]]])
        if np.linalg.eigvalsh(S).min() < 0 or x[3] <= 0:
            return None
        return Z @ np.kron(S, K) @ Z.T + x[3] * np.eye(len(d))
    x = fit.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = fit_dense(y, X, build, [x], [(0, None), (None, None), (0, None), (1e-6, None)],
                        polish=False)
    assert best <= fit.loglik + 1e-4
    # a neighbour outside the previous term's levels is an error, not a silent drop
    Kx = Kdf.iloc[:9, :9]
    with pytest.raises(asr.AsrError):
        asr.asreml("y ~ blk", random="~ str(~ vm(gen, K) + vm(n1, K) + and(vm(n2, K)), "
                   "~ us(2):vm(gen, K))", data=d, K=Kx)


def test_ide_takes_the_ids_of_the_vm_term_without_a_pedigree() -> None:
    # asreml 4's vm(gen, G) + ide(gen): additive (G) and non-additive (identity over the
    # same ids, incl. genotypes without records) effects; V = σ_a ZGZ' + σ_i ZZ' + σ²I
    rng = np.random.default_rng(6)
    g = [f"L{k}" for k in range(15)]
    M = rng.normal(size=(15, 40))
    G = M @ M.T / 40 + 0.05 * np.eye(15)
    d = pd.DataFrame({"env": np.repeat(["e1", "e2", "e3"], 12),
                      "gen": np.concatenate([rng.choice(g[:12], 12, replace=False)
                                             for _ in range(3)])})   # L12..L14 unphenotyped
    Z = indicator(d.gen, g)
    d["y"] = 5 + Z @ (rng.multivariate_normal(np.zeros(15), 2 * G)
                      + rng.normal(0, 1, 15)) + rng.normal(0, 1, len(d))
    Gdf = pd.DataFrame(G, index=g, columns=g)
    fit = asr.asreml("y ~ env", random="~ vm(gen, G) + ide(gen)", data=d, G=Gdf)
    vc = fit.varcomp["component"]
    assert list(vc.index) == ["vm(gen, G)", "ide(gen)", "units!R"]
    y = d.y.to_numpy()
    X = np.column_stack([np.ones(len(d)), indicator(d.env)[:, 1:]])
    V = vc.iloc[0] * Z @ G @ Z.T + vc.iloc[1] * Z @ Z.T + vc.iloc[2] * np.eye(len(d))
    assert reml_loglik(y, X, V) == pytest.approx(fit.loglik, abs=1e-6)
    # ide() before any vm() of its factor, without a pedigree: a clear error
    with pytest.raises(asr.FormulaError, match=r"needs the ids of a vm\(gen, K\)"):
        asr.asreml("y ~ env", random="~ ide(gen)", data=d)
