"""fit$G.param, fit$design and fit$vparameters name an fa/rr term alike, as asreml does
(``fa(Site, 2):Geno``), so asremlPlus's test41MET.r way of rebuilding V works:
``cols <- grep(term, colnames(design))``, ``vp <- vparameters[grep(term, names(vp))]``,
G = ΛΛ' + Ψ from the '!fa'/'!var' entries, V = σ²(Z (G ⊗ I) Zᵀ + I) on the ratio scale.
Checked against the fit's own G (varcomp) formed densely."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import asr_py as asr
from asr_py.translate.runtime import r_design, r_gparam, r_sigma2, r_vparameters

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from _small_met import P, small_met  # noqa: E402


@pytest.mark.parametrize("family", ["fa", "rr"])
def test_fa_term_shares_its_name_across_gparam_design_vparameters(family: str) -> None:
    met = small_met()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = asr.asreml(fixed="y ~ Site", random=f"~ {family}(Site, 2):Geno", data=met)
    (term,) = list(r_gparam(m))
    assert term == f"{family}(Site, 2):Geno"
    D = r_design(m)
    cols = [c for c in D.columns if term in c]
    assert len(cols) == P * met["Geno"].nunique()
    vp = r_vparameters(m)
    vp = vp[[term in str(n) for n in vp.index]]
    loads = vp[[("!fa" in str(n)) for n in vp.index]].to_numpy(float).reshape(P, 2, order="F")
    var = vp[[("!var" in str(n)) for n in vp.index]].to_numpy(float)
    G = loads @ loads.T + (np.diag(var) if var.size else 0.0)
    Z = D[cols].to_numpy(float)
    ng = met["Geno"].nunique()
    V_script = r_sigma2(m) * (Z @ np.kron(G, np.eye(ng)) @ Z.T + np.eye(len(met)))
    # the fit's G from its estimates, and Z from the data
    sites = sorted(met["Site"].unique())
    genos = sorted(met["Geno"].unique())
    si = met["Site"].map({s: i for i, s in enumerate(sites)}).to_numpy()
    gi = met["Geno"].map({g: i for i, g in enumerate(genos)}).to_numpy()
    Gfit = _g_from_varcomp(m, family)
    V_fit = Gfit[si][:, si] * (gi[:, None] == gi[None, :]) + r_sigma2(m) * np.eye(len(met))
    assert np.allclose(V_script, V_fit, atol=1e-8 * np.abs(V_fit).max())


def _g_from_varcomp(m: Any, family: str) -> np.ndarray:
    """ΛΛ' (+ Ψ for fa) from m.varcomp's '!fa1', '!fa2' and '!var' rows."""
    vc = m.varcomp["component"]
    lam = np.array([[vc[i] for i in vc.index if i.endswith(f"!fa{k}")] for k in (1, 2)]).T
    psi = np.array([vc[i] for i in vc.index if i.endswith("!var")]) if family == "fa" else 0.0
    return lam @ lam.T + (np.diag(psi) if family == "fa" else 0.0)
