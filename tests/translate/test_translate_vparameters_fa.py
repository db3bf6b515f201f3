"""``fit$vparameters`` of a factor-analytic term on asreml's γ scale: specific variances
Ψ/σ² and loadings L = Λ/σ, so that σ²(L Lᵀ + Ψ/σ²) is the term's G.

Provenance: asremlPlus's estimateV (R/estimateV.v3.R, G.fa) forms G = L L' + diag(ψ) from the
fit's G.param values and multiplies V by ``asreml.obj$sigma2`` for a γ parameterisation;
asremlPlus's test41MET.r builds V the same way from ``vparameters``. Checked here against G
formed from ``varcomp`` components (the unscaled Λ and Ψ) and against V built densely.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import asr_py as asr
from asr_py.translate.runtime import r_sigma2, r_vparameters


def _met() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    sites, geno = 4, 40
    lam = np.array([1.0, 0.8, 1.2, 0.5])
    f = rng.normal(size=geno)
    rows = []
    for s in range(sites):
        for g in range(geno):
            for _r in range(2):
                rows.append((f"S{s}", f"G{g}", 10 + s + lam[s] * f[g] + rng.normal(0, 0.3)
                             + rng.normal(0, 0.6)))
    d = pd.DataFrame(rows, columns=["site", "geno", "y"])
    return d.astype({"site": "category", "geno": "category"})


def test_fa_vparameters_are_loadings_over_sigma() -> None:
    d = _met()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml("y ~ site", random="~ fa(site, 1):geno", data=d, maxit=50)
    vp = r_vparameters(m)
    s2 = r_sigma2(m)
    vc = m.varcomp["component"]
    names = list(vp.index)
    lam_g = np.array([vp[k] for k in names if k.endswith("!fa1")])
    psi_g = np.array([vp[k] for k in names if k.endswith("!var")])
    lam = np.array([vc[k] for k in vc.index if str(k).endswith("!fa1")])
    psi = np.array([vc[k] for k in vc.index if str(k).endswith("!var")])
    assert lam_g.size == psi_g.size == 4
    G_vp = s2 * (np.outer(lam_g, lam_g) + np.diag(psi_g))     # asremlPlus's G.fa x sigma2
    G_vc = np.outer(lam, lam) + np.diag(psi)
    np.testing.assert_allclose(G_vp, G_vc, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lam_g, lam / np.sqrt(s2), rtol=1e-12)
