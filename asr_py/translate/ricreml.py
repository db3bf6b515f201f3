"""lmmtools' ``icREML(fm, scale = 1, logdet = FALSE)``: AIC and BIC of asreml fits from the
full log-likelihood (Verbyla 2019, ANZJS 61:39-50, doi:10.1111/anzs.12254).

For each fit: ``res.loglik`` is asreml's ``loglik`` (REML, without its 2π constant);
``full.loglik`` = res.loglik - ½ log|C|, C the variance matrix of the estimable fixed effects
(``Cfixed`` rows with a z ratio; divided by σ² when a ``units`` variance is fixed), its log
determinant from the positive singular values of ``scale * C``; ``p`` the number of estimable
fixed effects; ``q`` the variance parameters not fixed, at a boundary or constrained, plus
correlations at a boundary; ``b`` those fixed or at a boundary less the correlations;
``AIC`` = -2 full + 2(p + q); ``BIC`` = -2 full + log(ν + p)(p + q), ν the residual degrees of
freedom. A script that defines its own ``icREML`` keeps it (the rule is for the package's).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import bind_formals

__all__ = ["FUNCTIONS", "r_icreml", "translate"]

FUNCTIONS = frozenset({"icREML", "lmmtools::icREML"})


def translate(tr: Any, e: Any) -> str | None:
    """``icREML(fm, scale = s, logdet = TRUE)`` -> ``r_icreml(fm, scale=s, logdet=True)``;
    None for other arguments."""
    names = ("fm", "scale", "logdet")
    got = bind_formals(names, e.args)
    if got is None or "fm" not in got:
        return None
    kw = "".join(f", {k}={tr.py(got[k])}" for k in ("scale", "logdet") if k in got)
    return f"{tr.runtime('r_icreml')}({tr.py(got['fm'])}{kw})"


def _fits(fm: Any) -> tuple[list[str], list[Any]]:
    if isinstance(fm, Untranslated):
        fm._use()
    if isinstance(fm, dict):
        names, fits = [str(k) for k in fm], list(fm.values())
    elif isinstance(fm, (list, tuple)):
        names = [f"fm{i}" for i in range(1, len(fm) + 1)]
        fits = list(fm)
    else:
        raise AsrError("icREML(): the models need to be in a list",
                       hint="icREML(list(m1 = m1, m2 = m2))")
    if not fits:
        raise AsrError("icREML(): the model list is empty")
    for name, f in zip(names, fits):
        if isinstance(f, Untranslated):
            f._use()
        if not hasattr(f, "vcov_fixed") or not hasattr(f, "varcomp"):
            raise AsrError(f"icREML(): model {name!r} is not an asreml fit",
                           hint="every element of the list must be an asr.asreml() fit")
    return names, fits


def _logdet(fit: Any, scale: float) -> tuple[float, int]:
    """log|scale * C| over the estimable fixed effects, and their number."""
    coef = fit.coef_fixed
    keep = [str(k) for k, z in zip(coef.index, coef["z.ratio"]) if pd.notna(z)]
    c = fit.vcov_fixed
    keep = [k for k in keep if k in c.index]
    a = c.loc[keep, keep].to_numpy(dtype=float)
    vc = fit.varcomp
    units = [i for i, r in enumerate(vc.index) if "units" in str(r)]
    if units and str(vc["bound"].iloc[units[0]]) == "F":
        from asr_py.translate.runtime import r_sigma2

        a = a / r_sigma2(fit)
    d = np.linalg.svd(scale * a, compute_uv=False)
    return float(np.sum(np.log(d[d > 0]))), len(keep)


def r_icreml(fm: Any, scale: float = 1, logdet: bool = False) -> pd.DataFrame:
    """lmmtools' ``icREML``: see the module docstring."""
    from asr_py.translate.runtime import r_loglik

    names, fits = _fits(fm)
    rows = []
    for name, fit in zip(names, fits):
        res = r_loglik(fit)
        ldc, p = _logdet(fit, float(scale))
        vc = fit.varcomp
        bound = vc["bound"].astype(str)
        cor_b = int(sum(b == "B" for r, b in zip(vc.index, bound) if "cor" in str(r)))
        q = int((~bound.isin(["F", "B", "C"])).sum()) + cor_b
        b = int(bound.isin(["F", "B"]).sum()) - cor_b
        full = res - ldc / 2
        nedf = float(fit.result.n_minus_p)
        row = {"model": name, "res.loglik": res, "full.loglik": full, "p": p, "q": q, "b": b,
               "AIC": -2 * full + 2 * (p + q), "BIC": -2 * full + np.log(nedf + p) * (p + q)}
        if logdet:
            row["logdet"] = ldc
        rows.append(row)
    out = pd.DataFrame(rows)
    out.index = range(1, len(out) + 1)
    return out
