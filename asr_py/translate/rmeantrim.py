"""R's ``mean(x, trim, na.rm)`` with ``trim`` (R 4 ``?mean``, ``mean.default``): with
``na.rm`` the NA values are dropped first; otherwise any NA gives NA. For ``0 < trim < 0.5``
the ``floor(n * trim)`` smallest and as many largest values are left out
(``lo <- floor(n * trim) + 1; hi <- n + 1 - lo``, the mean of the sorted ``x[lo:hi]``);
``trim >= 0.5`` gives the median. ``trim`` must be one number (R's error otherwise).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["r_mean_trim", "translate"]


def r_mean_trim(x: Any, trim: Any = 0, na_rm: bool = False) -> float:
    """``mean(x, trim = trim, na.rm = na_rm)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    t = np.ravel(np.asarray(trim, dtype=float))
    if t.size != 1:
        raise AsrError("mean(): 'trim' must be numeric of length one (R's error)")
    tr = float(t[0])
    vals = x.to_numpy() if isinstance(x, pd.Series | pd.Index) else np.asarray(x)
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype) or \
            vals.dtype.kind in "USO" and any(isinstance(v, str) for v in np.ravel(vals)):
        raise AsrError("mean(): argument is not numeric or logical (R returns NA with a "
                       "warning)", hint="convert the values first, e.g. as.numeric()")
    v = np.ravel(vals).astype(float)
    if na_rm:
        v = v[~np.isnan(v)]
    n = v.size
    if tr > 0 and n:
        if np.isnan(v).any():
            return math.nan
        if tr >= 0.5:
            return float(np.median(v))
        lo = math.floor(n * tr) + 1
        hi = n + 1 - lo
        v = np.sort(v)[lo - 1:hi]
    return float(np.mean(v)) if v.size else math.nan


def translate(tr: Any, e: R) -> str | None:
    """``mean(x, trim =, na.rm =)`` with ``trim`` given (by name, or second by position as in R.s
    ``mean(x, ...)``: trim is matched by name or as the second argument); None otherwise."""
    args = e.args
    names = [n for n, _ in args]
    if "trim" not in names or any(n not in (None, "x", "trim", "na.rm") for n in names):
        return None
    pos = [a for n, a in args if n is None]
    got = {n: a for n, a in args if n is not None}
    for key in ("x", "trim", "na.rm"):
        if key not in got and pos:
            got[key] = pos.pop(0)
    if pos or "x" not in got:
        return None
    na = f", na_rm={tr.py(got['na.rm'])}" if "na.rm" in got else ""
    return (f"{tr.runtime('r_mean_trim')}({tr.py(got['x'])}, trim={tr.py(got['trim'])}"
            f"{na})")
