"""Structures of the asreml-R 4 manual that had no dense-V check (session 18 sweep): corgv,
facv, exph, gauv, corbh, and(), grp() and at(f, index). Each fit's ℓ is recomputed from its
estimates with a V built here from the structure's definition (tests/_dense_reml.py), and
a dense REML optimiser started there must not find a higher ℓ.

    corgv: Σ = σ² C (C a general correlation matrix); facv: Σ = ΛΛ' + Ψ;
    exph: Σ_ij = s_i s_j φ^|x_i − x_j|; gauv: Σ_ij = σ² φ^((x_i − x_j)²);
    corbh(f, 1): C banded, C_{i,i±1} = ρ; and(g): Z = Z_f + Z_g (one effect vector);
    grp(g): Z = the group's columns, σ² I; at(f, 2): the term at f's 2nd level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _dense_reml import corgh, drop_aliased, fa_cov, fit_dense, indicator, reml_loglik

import asr_py as asr

SITES = ["A", "B", "C"]
AGES = [1.0, 2.0, 4.0, 7.0]


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    """3 sites x 10 genotypes, 2 reps (unbalanced: 7 records dropped), correlated genotype
    effects across sites, an age effect decaying with the distance between ages."""
    rng = np.random.default_rng(11)
    G = corgh([0.7, 0.5, 0.6], [4.0, 2.0, 6.0])
    u = rng.multivariate_normal(np.zeros(3), G, size=10)
    a = rng.multivariate_normal(np.zeros(4), 3 * 0.6 ** np.abs(np.subtract.outer(AGES, AGES)))
    rows = []
    for s, site in enumerate(SITES):
        for r in range(2):
            for g in range(10):
                age = AGES[(g + r + s) % 4]
                rows.append(dict(site=site, rep=f"{site}{r}", gen=f"G{g}", age=age,
                                 x1=rng.uniform(0, 2), x2=rng.uniform(0, 2),
                                 y=10 + 2 * s + u[g, s] + a[AGES.index(age)]
                                 + rng.normal(0, 1.2)))
    d = pd.DataFrame(rows).drop(index=[3, 17, 22, 40, 41, 55, 58]).reset_index(drop=True)
    return d


def _xy(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    X = drop_aliased(np.column_stack([np.ones(len(d)), indicator(d.site)]))
    return d.y.to_numpy(), X


def _zsg(d: pd.DataFrame) -> np.ndarray:
    """site-major site x gen incidence (the column order of Σ ⊗ I)."""
    S, Zg = indicator(d.site, SITES), indicator(d.gen)
    return np.column_stack([S[:, i:i + 1] * Zg for i in range(3)])


def _check(fit: asr.AsremlFit, y: np.ndarray, X: np.ndarray, build, bounds, scale,
           tol: float = 2e-4) -> None:
    x = fit.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    _, best = fit_dense(y, X, lambda z: build(z) if np.all(np.isfinite(z)) else None,
                        [x], bounds, scale=scale, polish=False)
    assert best <= fit.loglik + tol


def test_corgv(met: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ site", random="~ corgv(site):id(gen)", data=met)
    assert fit.converged
    y, X = _xy(met)
    Z, n = _zsg(met), len(met)

    def build(x):
        G = corgh(x[:3], [x[3]] * 3)
        return None if np.linalg.eigvalsh(G).min() <= 0 else (
            Z @ np.kron(G, np.eye(10)) @ Z.T + x[4] * np.eye(n))
    _check(fit, y, X, build, [(-0.999, 0.999)] * 3 + [(1e-6, None)] * 2, [1, 1, 1, 3, 1])


def test_facv(met: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ site", random="~ facv(site, 1):id(gen)", data=met)
    assert fit.converged
    vc = fit.varcomp
    assert [k.rsplit("!", 1)[1] for k in vc.index[:6]] == ["var"] * 3 + ["fa1"] * 3
    y, X = _xy(met)
    Z, n = _zsg(met), len(met)

    def build(x):
        return Z @ np.kron(fa_cov(x[3:6], x[:3]), np.eye(10)) @ Z.T + x[6] * np.eye(n)
    _check(fit, y, X, build, [(0, None)] * 3 + [(None, None)] * 3 + [(1e-6, None)],
           [1] * 7)


def test_exph_and_gauv_distances_are_the_ages(met: pd.DataFrame) -> None:
    y, X = _xy(met)
    A, Zg, n = indicator(met.age, AGES), indicator(met.gen), len(met)
    dist = np.abs(np.subtract.outer(AGES, AGES))
    fit = asr.asreml("y ~ site", random="~ gen + exph(age)", data=met)
    names = list(fit.varcomp.index)
    assert names[0].endswith("!cor") and names[5:] == ["gen", "units!R"]

    def build_h(x):
        s = np.sqrt(x[1:5])
        return A @ (x[0] ** dist * np.outer(s, s)) @ A.T + x[5] * Zg @ Zg.T + x[6] * np.eye(n)
    _check(fit, y, X, build_h, [(1e-6, 0.999)] + [(0, None)] * 6, [1] * 7)
    fit = asr.asreml("y ~ site", random="~ gen + gauv(age)", data=met)

    def build_g(x):
        return A @ (x[1] * x[0] ** dist ** 2) @ A.T + x[2] * Zg @ Zg.T + x[3] * np.eye(n)
    _check(fit, y, X, build_g, [(1e-6, 0.999)] + [(0, None)] * 3, [1] * 4)


def test_corbh_band_one(met: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ site", random="~ corbh(site, 1):id(gen)", data=met)
    y, X = _xy(met)
    Z, n = _zsg(met), len(met)

    def build(x):
        C = np.eye(3) + x[0] * (np.eye(3, k=1) + np.eye(3, k=-1))
        if np.linalg.eigvalsh(C).min() <= 0:
            return None
        s = np.sqrt(x[1:4])
        return Z @ np.kron(C * np.outer(s, s), np.eye(10)) @ Z.T + x[4] * np.eye(n)
    x = fit.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)
    if fit.converged:
        _check(fit, y, X, build, [(-0.7, 0.7)] + [(1e-6, None)] * 4, [1] * 5)


def test_and_overlays_two_designs_on_one_effect_vector(met: pd.DataFrame) -> None:
    d = met.assign(g2=met.gen.map(lambda g: f"G{(int(g[1:]) + 3) % 10}"))
    fit = asr.asreml("y ~ site", random="~ gen + and(g2)", data=d)
    y, X = _xy(d)
    Z = indicator(d.gen) + indicator(d.g2)
    _check(fit, y, X, lambda x: x[0] * Z @ Z.T + x[1] * np.eye(len(d)),
           [(0, None)] * 2, [1, 1])


def test_grp_is_one_variance_over_the_group_columns(met: pd.DataFrame) -> None:
    fit = asr.asreml("y ~ site", random="~ gen + grp(g)", group={"g": ["x1", "x2"]},
                     data=met)
    vc = fit.varcomp["component"]
    y, X = _xy(met)
    Zg, W = indicator(met.gen), met[["x1", "x2"]].to_numpy()

    def build(x):
        return x[0] * Zg @ Zg.T + x[1] * W @ W.T + x[2] * np.eye(len(met))
    order = [list(vc.index).index("gen"), [k for k in vc.index if k.startswith("grp")][0],
             "units!R"]
    x = np.array([vc.iloc[order[0]], vc[order[1]], vc[order[2]]])
    assert reml_loglik(y, X, build(x)) == pytest.approx(fit.loglik, abs=1e-6)


def test_at_level_index_is_the_level_at_that_position(met: pd.DataFrame) -> None:
    a = asr.asreml("y ~ site", random="~ at(site, 2):gen", data=met)
    b = asr.asreml("y ~ site", random="~ at(site, 'B'):gen", data=met)
    y, X = _xy(met)
    Zb = indicator(met.gen) * (met.site == "B").to_numpy()[:, None]
    x = b.varcomp["component"].to_numpy()
    assert reml_loglik(y, X, x[0] * Zb @ Zb.T + x[1] * np.eye(len(met))) == \
        pytest.approx(b.loglik, abs=1e-6)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-9)


def test_numeric_coordinates_of_exp_gau_are_not_flagged_as_a_factor(met: pd.DataFrame
                                                                   ) -> None:
    # exp()/gau() take the column's values as coordinates: a numeric column is what they
    # want; ar1() over a numeric column does treat it as a factor and says so
    fit = asr.asreml("y ~ site", random="~ gen + expv(age)", data=met)
    assert not any("used as a factor" in str(w) for w in fit.diagnostics)
    fit = asr.asreml("y ~ site", random="~ gen + ar1v(age)", data=met)
    assert any("'age' used as a factor" in str(w) for w in fit.diagnostics)
