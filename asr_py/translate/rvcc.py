"""asreml-R 4's ``vcc``: variance-parameter constraints as a two-column matrix, made into
asr_py's ``vcm=`` (:mod:`asr_py.model.vcm`).

R semantics (asreml-R 4.1 ``asreml(vcc = )``; the standalone's ``VCC ... !LINK !SCALE``):
the row names of ``vcc`` are the names of the variance parameters to constrain (as in the
start-values table), its first column a group code (the parameters with the same code are
one parameter) and its second column a scale: θ_i = s_i φ_g for parameter i in group g. A
one-column ``vcc`` has every scale 1. Parameters not named stay free.

asr_py's vcm matrix is the same θ = M φ: one column per group, M[i, g] = s_i. A missing
group code leaves its parameter free; a missing or non-numeric scale is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["r_vcc"]


def r_vcc(vcc: Any) -> pd.DataFrame:
    """The ``vcm=`` DataFrame (component names × groups) of asreml's ``vcc`` matrix."""
    if isinstance(vcc, pd.DataFrame):
        names = [str(x) for x in vcc.index]
        values = vcc.to_numpy()
    else:
        raise AsrError(f"vcc: a matrix with the component names as row names is needed, not "
                       f"{type(vcc).__name__}",
                       hint="rownames(vcc) <- the Component names to constrain")
    if values.ndim != 2 or values.shape[1] not in (1, 2) or not len(names):
        raise AsrError(f"vcc: {values.shape} is not a matrix of one or two columns (group "
                       "code, scale) with a row per constrained component",
                       hint="vcc <- cbind(group, scale); rownames(vcc) <- components")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise AsrError(f"vcc: components named twice: {', '.join(dup[:5])}",
                       hint="one row per variance parameter")
    code = pd.to_numeric(pd.Series(values[:, 0]), errors="coerce").to_numpy(dtype=float)
    scale = np.ones(len(names)) if values.shape[1] == 1 else pd.to_numeric(
        pd.Series(values[:, 1]), errors="coerce").to_numpy(dtype=float)
    keep = ~np.isnan(code)
    if not np.all(np.isfinite(scale[keep])):
        bad = [names[i] for i in np.flatnonzero(keep & ~np.isfinite(scale))[:5]]
        raise AsrError(f"vcc: missing or non-numeric scale for {', '.join(bad)}",
                       hint="the second column holds the scale of each component (1: equal)")
    groups = sorted({float(c) for c in code[keep]})
    out = pd.DataFrame(0.0, index=[n for n, k in zip(names, keep) if k],
                       columns=[f"vcc{g:g}" for g in groups])
    for n, c, s in zip(names, code, scale):
        if not np.isnan(c):
            out.loc[n, f"vcc{c:g}"] = float(s)
    return out
