"""rr(Site, 3):Geno on its own, fitted through its latent factors (reml/rr_latent.py) at the
default maxit: the quasi-Newton search on Λ may take STEPS_PER_LOADING steps per free loading
(s15eng). On this simulated MET (8 sites x 25 genotypes x 2 replicates, 21 free loadings) it
needs 43 and used to stop at maxit = 30, unconverged, 0.47 below the optimum. The optimum is
checked against a dense-V REML maximised by scipy over Λ (its free entries) and σ²."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as so
from _small_met import dense_reml, dense_reml_of

import asr_py as asr

SITES, GENOS, K = 8, 25, 3


def met(seed: int = 4) -> pd.DataFrame:
    """sites x genotypes x 2 replicates; genotype effects from K factors, unit residual."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(1.0, 0.6, (SITES, K))
    u = rng.normal(size=(GENOS, K)) @ lam.T
    rows = [{"Site": f"S{s + 1:02d}", "Geno": f"G{g:03d}", "y": 5.0 + s + u[g, s] + rng.normal()}
            for g in range(GENOS) for s in range(SITES) for _ in range(2)]
    return pd.DataFrame(rows)


def loadings(m: asr.AsremlFit) -> tuple[np.ndarray, float]:
    vc = m.varcomp["component"]
    lam = np.array([[vc[f"Site:Geno!Site_S{s + 1:02d}!fa{j + 1}"] for j in range(K)]
                    for s in range(SITES)])
    return lam, float(vc["units!R"])


def test_rr3_at_the_default_maxit_reaches_the_dense_reml_optimum() -> None:
    d = met()
    m = asr.asreml("y ~ Site", "~ rr(Site, 3):Geno", data=d)
    assert m.converged
    lam, s2 = loadings(m)
    assert np.all(np.triu(lam, 1)[:K] == 0)  # asreml's structural zeros kept
    assert m.loglik == pytest.approx(dense_reml(d, lam @ lam.T, s2), abs=1e-6)
    free = np.tril(np.ones((SITES, K), dtype=bool))
    ll_d = dense_reml_of(d)

    def neg(x: np.ndarray) -> float:
        big = np.zeros((SITES, K))
        big[free] = x[:-1]
        return -ll_d(big @ big.T, float(np.exp(x[-1])))

    best = so.minimize(neg, np.r_[lam[free], np.log(s2)], method="BFGS",
                       options={"gtol": 1e-6})
    assert m.loglik >= -best.fun - 1e-6  # scipy over Λ finds no better point
    big = np.zeros((SITES, K))
    big[free] = best.x[:-1]
    np.testing.assert_allclose(lam @ lam.T, big @ big.T, atol=5e-3)
