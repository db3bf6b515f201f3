"""agriutilities' ``h_cullis(model, genotype, re_MME = FALSE)`` and ``VarG(model, comp)``
for lme4 fits (asr.lme4.lmer): Cullis' generalised heritability.

Cullis, Smith & Coombes (2006): ``H2 = 1 - vdBLUP / (2 sigma2_g)``, where ``vdBLUP`` is
the mean prediction error variance of a difference of two genotype BLUPs, from the
inverse ``C^-1`` of the mixed model equations

    C = [X'R^-1 X   X'R^-1 Z        ]      R = sigma2_e I,  G = blockdiag(sigma2_k I)
        [Z'R^-1 X   Z'R^-1 Z + G^-1 ]

``vdBLUP = (n_g tr(C22g) - sum(C22g)) 2 / (n_g (n_g - 1))``, C22g the genotype block.
``re_MME = TRUE`` returns, as agriutilities does, the list X, Z, G, R, C11, C12, C21, C22,
C, C.inv, C22.g, vdBLUP_avg, H2Cullis; ``re_MME = FALSE`` returns
``1 - mean(postVar) / sigma2_g`` (0 when sigma2_g is 0), postVar the conditional
variances of the genotype effects (``attr(ranef(m)[[genotype]], "postVar")``).
``VarG(model, comp)``: the variance of the random term ``comp`` (``VarCorr``'s vcov).
Only random intercepts ``(1 | g)`` are handled (agriutilities' G assumes them).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_h_cullis", "r_varg"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "h_cullis": ("r_h_cullis", ("model", "genotype", "re_MME"), ("agriutilities",)),
    "VarG": ("r_varg", ("model", "comp"), ("agriutilities",)),
}


def _lmer(model: Any, what: str) -> Any:
    from asr_py.compat.lme4 import LmerFit

    if not isinstance(model, LmerFit):
        raise AsrError(f"{what}: model must be an lme4 fit (lmer()), not "
                       f"{type(model).__name__}",
                       hint="agriutilities' h_cullis() is written for lmer() models")
    if any(len(b.cols) != 1 or b.cols[0] != "(Intercept)" for b in model.bars):
        raise AsrError(f"{what}: only random intercepts (1 | g) are handled",
                       hint="agriutilities builds G as sigma2 I per term, which assumes them")
    return model


def _vc(model: Any, comp: str, what: str) -> float:
    vc = model.VarCorr()
    rows = vc[vc["grp"] == comp]
    if rows.empty:
        terms = ", ".join(str(g) for g in vc["grp"] if g != "Residual")
        raise AsrError(f"{what}: {comp!r} is not a random term of the model",
                       hint=f"the random terms are: {terms}")
    return float(rows["vcov"].iloc[0])


def r_varg(model: Any, comp: Any) -> Any:
    """``VarG(model, comp)``: the variance component of the random term ``comp``."""
    if isinstance(model, Untranslated):
        return model._use()
    return _vc(_lmer(model, "VarG()"), str(comp), "VarG()")


def r_h_cullis(model: Any, genotype: Any, re_MME: Any = False) -> Any:  # noqa: N803
    """``h_cullis(model, genotype, re_MME)``: see the module docstring."""
    if isinstance(model, Untranslated):
        return model._use()
    m = _lmer(model, "h_cullis()")
    gen = str(genotype)
    vc_g = _vc(m, gen, "h_cullis()")
    if not bool(re_MME):
        post = np.asarray(m.ranef(condVar=True)[gen].attrs["postVar"], dtype=float)
        return 0.0 if vc_g == 0 else float(1 - post.mean() / vc_g)
    X = m.X.to_numpy(dtype=float)
    Z = np.asarray(m.Z, dtype=float)
    n, p = X.shape
    s2e = float(m.sigma) ** 2
    vcs, sizes, znames = [], [], []
    for b, th in zip(m.bars, m._tmats()):
        vcs.append(float((th @ th.T)[0, 0]) * s2e)
        sizes.append(len(b.levels))
        znames += list(b.levels)
    if min(vcs) <= 0:
        raise AsrError("h_cullis(re_MME = TRUE): a random term's variance is 0, so G is "
                       "singular (R's solve(G) stops too)")
    gdiag = np.repeat(vcs, sizes)
    G = np.diag(gdiag)
    R = np.eye(n) * s2e
    C11, C12 = X.T @ X / s2e, X.T @ Z / s2e
    C21, C22 = C12.T, Z.T @ Z / s2e + np.diag(1 / gdiag)
    C = np.block([[C11, C12], [C21, C22]])
    Cinv = np.linalg.inv(C)
    k = [i for i, b in enumerate(m.bars) if b.grp == gen][0]
    start = p + sum(sizes[:k])
    ng = sizes[k]
    C22g = Cinv[start:start + ng, start:start + ng]
    vd = (ng * np.trace(C22g) - C22g.sum()) * 2 / (ng * (ng - 1))
    xn, names = list(m.X.columns), list(m.X.columns) + znames
    lv = znames[start - p:start - p + ng]
    return {"X": pd.DataFrame(X, columns=xn), "Z": pd.DataFrame(Z, columns=znames),
            "G": G, "R": R,
            "C11": pd.DataFrame(C11, index=xn, columns=xn),
            "C12": pd.DataFrame(C12, index=xn, columns=znames),
            "C21": pd.DataFrame(C21, index=znames, columns=xn),
            "C22": pd.DataFrame(C22, index=znames, columns=znames),
            "C": pd.DataFrame(C, index=names, columns=names),
            "C.inv": pd.DataFrame(Cinv, index=names, columns=names),
            "C22.g": pd.DataFrame(C22g, index=lv, columns=lv),
            "vdBLUP_avg": float(vd), "H2Cullis": float(1 - vd / 2 / vc_g)}
