"""A small simulated MET with a factor-analytic genetic covariance, and its REML
log-likelihood formed densely (lme4's logLik(REML = TRUE)): shared by the fa layout and
rr + diag tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.linalg as sla

P, K = 5, 2


def small_met(seed: int = 6, n_geno: int = 40) -> pd.DataFrame:
    """5 sites x 40 genotypes x 2 reps, G = ΛΛ' + Ψ (rank-2 Λ) plus a residual."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(1.2, 0.7, (P, K))
    lam[0, 1] = 0.0
    psi = rng.uniform(0.5, 1.5, P)
    u = rng.normal(size=(n_geno, K)) @ lam.T + rng.normal(size=(n_geno, P)) * np.sqrt(psi)
    rows = [{"Site": f"S{s + 1}", "Geno": f"G{g:02d}", "y": 5.0 + s + u[g, s] + rng.normal()}
            for g in range(n_geno) for s in range(P) for _ in range(2)]
    return pd.DataFrame(rows)


def _site_geno(met: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str],
                                           list[str]]:
    """(X of y ~ Site, site index, genotype index, sites, genotypes) of each record."""
    sites = sorted(met["Site"].unique())
    genos = sorted(met["Geno"].unique())
    X = np.column_stack([np.ones(len(met))] + [(met["Site"] == s).to_numpy(float)
                                               for s in sites[1:]])
    si = met["Site"].map({s: i for i, s in enumerate(sites)}).to_numpy()
    gi = met["Geno"].map({q: i for i, q in enumerate(genos)}).to_numpy()
    return X, si, gi, sites, genos


def met_design(met: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(X, Z, sites, genotypes) of y ~ Site with Site:Geno effects: X the intercept and the
    treatment contrasts of Site, Z the Site:Geno incidence, Site-major effect order."""
    X, si, gi, sites, genos = _site_geno(met)
    Z = np.zeros((len(met), len(sites) * len(genos)))
    Z[np.arange(len(met)), si * len(genos) + gi] = 1.0
    return X, Z, sites, genos


def dense_reml_of(met: pd.DataFrame) -> Callable[[np.ndarray, float], float]:
    """``ll(G, s2)``: :func:`dense_reml` of ``met`` with its design formed once (the same
    arithmetic; for optimisers that evaluate it many times)."""
    X, si, gi, _, _ = _site_geno(met)
    same = gi[:, None] == gi[None, :]
    y = met["y"].to_numpy(float)
    n, p = X.shape

    def ll(G: np.ndarray, s2: float) -> float:
        V = G[si][:, si] * same + s2 * np.eye(n)
        c = sla.cho_factor(V, lower=True)
        vx, vy = sla.cho_solve(c, X), sla.cho_solve(c, y)
        xvx = X.T @ vx
        beta = np.linalg.solve(xvx, X.T @ vy)
        ypy = y @ vy - (X.T @ vy) @ beta
        return -0.5 * ((n - p) * np.log(2 * np.pi) + 2 * np.log(np.diag(c[0])).sum()
                       + np.linalg.slogdet(xvx)[1] + ypy)

    return ll


def dense_reml(met: pd.DataFrame, G: np.ndarray, s2: float) -> float:
    """REML ℓ with V = Z (G ⊗ I) Z' + σ² I formed densely (lme4's logLik(REML = TRUE))."""
    return dense_reml_of(met)(G, s2)
