"""``rr(f, k):g`` on its own (Ψ = 0) is fitted through its latent factors
(asr_py/reml/rr_latent.py). Checked against a dense-V numpy REML maximised over Λ directly,
the dense BLUP GZ'P y, and invariance to row order and to the order of f's levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as so
from _small_met import K, P, dense_reml, met_design, small_met

import asr_py as asr


def loadings(m: asr.AsremlFit, site: str = "Site", levels: list[str] | None = None,
             geno: str = "Geno") -> tuple[np.ndarray, float]:
    """Λ (P x K, rows in ``levels`` order) of rr(Site, 2):Geno, and σ²."""
    vc = m.varcomp["component"]
    levels = levels or [f"S{i + 1}" for i in range(P)]
    lam = np.array([[vc[f"{site}:{geno}!{site}_{lv}!fa{j + 1}"] for j in range(K)]
                    for lv in levels])
    return lam, float(vc["units!R"])


@pytest.fixture(scope="module")
def met() -> pd.DataFrame:
    return small_met(seed=11, n_geno=20)


@pytest.fixture(scope="module")
def rr_fit(met: pd.DataFrame) -> asr.AsremlFit:
    m = asr.asreml("y ~ Site", "~ rr(Site, 2):Geno", data=met)
    assert m.converged
    return m


def test_rr_alone_is_the_dense_reml_maximum(met: pd.DataFrame, rr_fit: asr.AsremlFit) -> None:
    lam, s2 = loadings(rr_fit)
    assert rr_fit.loglik == pytest.approx(dense_reml(met, lam @ lam.T, s2), abs=1e-7)

    X, Z, _, _ = met_design(met)
    y = met["y"].to_numpy()
    n, p = X.shape
    ng = Z.shape[1] // P
    si, gi = np.divmod(Z.argmax(axis=1), ng)
    same = gi[:, None] == gi[None, :]

    def negll(x: np.ndarray) -> float:  # the same ℓ as dense_reml, design formed once
        big = x[:P * K].reshape(P, K)
        g = big @ big.T
        V = g[si][:, si] * same + np.exp(x[-1]) * np.eye(n)
        c = np.linalg.cholesky(V)
        vx, vy = np.linalg.solve(V, X), np.linalg.solve(V, y)
        xvx = X.T @ vx
        ypy = y @ vy - (X.T @ vy) @ np.linalg.solve(xvx, X.T @ vy)
        return 0.5 * ((n - p) * np.log(2 * np.pi) + 2 * np.log(np.diag(c)).sum()
                      + np.linalg.slogdet(xvx)[1] + ypy)

    start = lam + np.random.default_rng(1).normal(scale=0.3, size=lam.shape)
    best = so.minimize(negll, np.r_[start.ravel(), np.log(s2) + 0.2], method="BFGS")
    big = best.x[:P * K].reshape(P, K)
    assert rr_fit.loglik >= -best.fun - 1e-6
    np.testing.assert_allclose(lam @ lam.T, big @ big.T, atol=2e-3)
    assert s2 == pytest.approx(float(np.exp(best.x[-1])), rel=1e-3)


def test_rr_alone_layout_is_fa_with_zero_specific_variances(rr_fit: asr.AsremlFit) -> None:
    vc = rr_fit.varcomp
    var = [f"Site:Geno!Site_S{i + 1}!var" for i in range(P)]
    assert (vc.loc[var, "component"] == 0).all() and (vc.loc[var, "bound"] == "F").all()
    assert vc.loc["Site:Geno!Site_S1!fa2", "bound"] == "F"
    free = [f"Site:Geno!Site_S{i + 1}!fa{j + 1}" for j in range(K) for i in range(P)
            if not (i == 0 and j == 1)]
    assert np.isfinite(vc.loc[free, "std.error"]).all() and (vc.loc[free, "std.error"] > 0).all()
    assert np.abs(rr_fit.result.score[[rr_fit.result.names.index(f) for f in free]]).max() < 1e-3


def test_rr_alone_blups_are_the_dense_closed_form(met: pd.DataFrame,
                                                  rr_fit: asr.AsremlFit) -> None:
    lam, s2 = loadings(rr_fit)
    X, Z, sites, genos = met_design(met)
    G = np.kron(lam @ lam.T, np.eye(len(genos)))
    Vi = np.linalg.inv(Z @ G @ Z.T + s2 * np.eye(len(met)))
    y = met["y"].to_numpy()
    beta = np.linalg.solve(X.T @ Vi @ X, X.T @ Vi @ y)
    u = G @ Z.T @ Vi @ (y - X @ beta)
    sol = rr_fit.coef_random["solution"]
    sol = sol[~sol.index.str.contains("Comp")]       # the effects, not the factor scores
    idx = [f"Site_{s}:Geno_{q}" for s in sites for q in genos]
    got = sol.loc[idx].to_numpy() if set(idx) <= set(sol.index) else sol.to_numpy()
    np.testing.assert_allclose(got, u, atol=1e-4)


def test_rr_alone_row_and_level_order_do_not_change_the_fit(met: pd.DataFrame,
                                                            rr_fit: asr.AsremlFit) -> None:
    lam, _ = loadings(rr_fit)
    shuffled = met.sample(frac=1.0, random_state=5).reset_index(drop=True)
    rename = {f"S{i + 1}": f"E{P - i}" for i in range(P)}  # reverses the level order
    shuffled["Env"] = shuffled["Site"].map(rename)
    m = asr.asreml("y ~ Env", "~ rr(Env, 2):Geno", data=shuffled)
    assert m.loglik == pytest.approx(rr_fit.loglik, abs=1e-6)
    lam2, _ = loadings(m, "Env", [rename[f"S{i + 1}"] for i in range(P)])
    np.testing.assert_allclose(lam2 @ lam2.T, lam @ lam.T, atol=2e-3)


def test_rr_alone_over_vm(met: pd.DataFrame) -> None:
    """rr(f, k):vm(g, K): V = Z (ΛΛ' ⊗ K) Z' + σ² I, the dense REML at the estimates, and
    no better point nearby (score ~ 0)."""
    X, Z, sites, genos = met_design(met)
    idx = np.arange(len(genos))
    kmat = 0.3 ** np.abs(idx[:, None] - idx[None, :])
    m = asr.asreml("y ~ Site", "~ rr(Site, 2):vm(Geno, K)", data=met,
                   K=pd.DataFrame(kmat, index=genos, columns=genos))
    assert m.converged
    lam, s2 = loadings(m, geno="vm(Geno, K)")
    y = met["y"].to_numpy()

    def ll(big: np.ndarray, s: float) -> float:
        V = Z @ np.kron(big @ big.T, kmat) @ Z.T + s * np.eye(len(met))
        Vi = np.linalg.inv(V)
        xvx = X.T @ Vi @ X
        Py = Vi @ y - Vi @ X @ np.linalg.solve(xvx, X.T @ Vi @ y)
        n, p = X.shape
        return -0.5 * ((n - p) * np.log(2 * np.pi) + np.linalg.slogdet(V)[1]
                       + np.linalg.slogdet(xvx)[1] + y @ Py)

    assert m.loglik == pytest.approx(ll(lam, s2), abs=1e-6)
    rng = np.random.default_rng(0)
    for _ in range(5):
        d = rng.normal(scale=0.02, size=lam.shape)
        d[0, 1] = 0.0
        assert ll(lam + d, s2) < m.loglik + 1e-8


def test_loading_gradient_is_the_derivative_of_the_loglik(rr_fit: asr.AsremlFit) -> None:
    """∂ℓ/∂λ from the reduced system (reml/rr_latent.py) against central differences of ℓ
    of the latent problem (V = Z(ΛΛ' ⊗ I)Z' + σ²I is exact for every Λ), away from the
    optimum."""
    from asr_py.reml.ai import loglik_at
    from asr_py.reml.rr_latent import LatentProblem, loading_gradient, rr_terms

    prob = rr_fit.model.problem()
    terms = rr_terms(prob)
    lp = LatentProblem(prob, terms)
    th = np.asarray(rr_fit.result.theta, dtype=float).copy()
    t = terms[0]
    th[t.lam_idx] += np.where(t.free, np.random.default_rng(2).normal(0, 0.3, t.lam_idx.size), 0)
    zs = [b.Z for b in prob.random]
    red, _ = lp.reduced(th)
    ll, (g,) = loading_gradient(red, th[lp.keep], terms, zs)
    assert ll == pytest.approx(loglik_at(red, th[lp.keep]), abs=1e-9)
    for k in np.flatnonzero(t.free):
        h = 1e-5
        up, dn = th.copy(), th.copy()
        up[t.lam_idx[k]] += h
        dn[t.lam_idx[k]] -= h
        fd = (loglik_at(lp.reduced(up)[0], up[lp.keep])
              - loglik_at(lp.reduced(dn)[0], dn[lp.keep])) / (2 * h)
        assert g[k] == pytest.approx(fd, rel=1e-5, abs=1e-6)
