"""Heritability of a binary (binomial) trait on the liability and the observed scale.

Latent (liability) scale, with σ²_a the genetic variance, σ²_r the other random variance
components of the link scale and σ²_L the link variance of the latent residual (π²/3 logit,
1 probit, π²/6 cloglog):

    h²_liab = σ²_a / (σ²_a + σ²_r + σ²_L).

Observed (0/1 data) scale (de Villemereuil et al. 2016, Genetics 204:1281; QGglmm's
``QGparams`` with ``predict``): with η = x_iβ̂ + a + r ~ N(x_iβ̂, V_η), V_η = σ²_a + σ²_r,
averaged over the records i,

    ψ = mean_i E_η[dμ/dη],   V_P = mean_i p_i (1 − p_i),  p_i = E_η[μ],
    h²_obs = ψ² σ²_a / V_P

(a Bernoulli trait's variance given x_i is p_i(1 − p_i)). The expectations over η are
Gauss-Hermite quadratures (``N_QUAD`` nodes). For the probit link this is Dempster &
Lerner's (1950) h²_obs = h²_liab φ(t)² / (p(1 − p)). Standard errors: the delta method over
the variance parameters (AI-inverse covariance; β̂ taken as known for h²_obs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

#: Gauss-Hermite nodes for the expectations over the latent scale
N_QUAD = 64


def _expect(f: Callable[[np.ndarray], np.ndarray], mean: np.ndarray, var: float
            ) -> np.ndarray:
    """E f(η), η ~ N(mean_i, var), per mean_i (Gauss-Hermite, probabilists' weights)."""
    x, w = np.polynomial.hermite_e.hermegauss(N_QUAD)
    w = w / w.sum()
    eta = mean[:, None] + np.sqrt(max(var, 0.0)) * x[None, :]
    return f(eta) @ w


def observed_h2(va: float, vr: float, eta_fixed: np.ndarray, inverse: Callable,
                mu_eta: Callable) -> float:
    """h²_obs of the module docstring for the link (``inverse`` = g⁻¹, ``mu_eta`` = dμ/dη)."""
    m = np.asarray(eta_fixed, dtype=float).ravel()
    psi = float(np.mean(_expect(mu_eta, m, va + vr)))
    p = _expect(inverse, m, va + vr)
    vp = float(np.mean(p * (1 - p)))
    return psi * psi * va / vp


def liability_h2(fit: object, genetic: str | Sequence[str],
                 others: Sequence[str] | None = None) -> pd.DataFrame:
    """The table of :meth:`GlmmFit.h2` (rows 'liability' and 'observed'; columns 'h2',
    'std.error', 'link_variance')."""
    from asr_py.glmm.traits import TraitFamilies

    fam = fit.family  # type: ignore[attr-defined]
    rows = None
    if isinstance(fam, TraitFamilies):  # the binomial trait of a multi-trait fit
        binom = [t for t, f in enumerate(fam.families) if f.name == "binomial"]
        if len(binom) != 1 or others is None:
            raise AsrError("h2 of a multi-trait GLMM: it needs exactly one binomial trait "
                           "and the other latent variances of that trait named in others=",
                           hint="e.g. m.h2('trait:vm(id, Ainv)!trait_y2:y2', others=[])")
        rows = fam.trait == binom[0]
        fam = fam.families[binom[0]]
    lv = fam.latent_residual_variance
    if lv is None:
        raise AsrError(f"h2: a liability-scale heritability needs a binomial trait; the "
                       f"family is {fam}", hint="for other families use m.vpredict()")
    res = fit.result  # type: ignore[attr-defined]
    names = list(res.names)
    kinds = list(fit.model.param_kinds)  # type: ignore[attr-defined]
    problem = fit.model.problem()  # type: ignore[attr-defined]
    n_rand = int(problem.residual_offset)
    gen = [genetic] if isinstance(genetic, str) else list(genetic)
    missing = [g for g in gen + list(others or []) if g not in names]
    if missing:
        raise AsrError(f"h2: no variance component named {missing[0]!r}",
                       hint="names as in m.varcomp: " + ", ".join(names))
    ig = [names.index(g) for g in gen]
    if others is None:
        io = [k for k in range(n_rand) if kinds[k] == "variance" and k not in ig]
    else:
        io = [names.index(o) for o in others]
    for k in ig + io:
        if kinds[k] != "variance":
            raise AsrError(f"h2: {names[k]!r} is a {kinds[k]}, not a variance",
                           hint="name variance components of random terms")
    theta = np.asarray(res.theta, dtype=float)
    eta_fixed = np.asarray(problem.X @ res.beta).ravel()
    if rows is not None:
        eta_fixed = eta_fixed[rows]
    link = fam.link

    def both(th: np.ndarray) -> np.ndarray:
        va, vr = float(th[ig].sum()), float(th[io].sum())
        return np.array([va / (va + vr + lv),
                         observed_h2(va, vr, eta_fixed, link.inverse, link.mu_eta)])

    est = both(theta)
    se = np.full(2, np.nan)
    vc = np.asarray(res.vcov_theta, dtype=float)
    idx = ig + io
    sub = vc[np.ix_(idx, idx)]
    if np.all(np.isfinite(sub)):
        grad = np.zeros((2, len(idx)))
        for j, k in enumerate(idx):  # central differences
            h = 1e-6 * max(abs(theta[k]), 1e-3)
            up, dn = theta.copy(), theta.copy()
            up[k] += h
            dn[k] -= h
            grad[:, j] = (both(up) - both(dn)) / (2 * h)
        se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", grad, sub, grad), 0, None))
    out = pd.DataFrame({"h2": est, "std.error": se, "link_variance": [lv, np.nan]},
                       index=pd.Index(["liability", "observed"], name="scale"))
    out.attrs["genetic"] = [names[k] for k in ig]
    out.attrs["others"] = [names[k] for k in io]
    return out


__all__ = ["liability_h2", "observed_h2"]
