"""Base R's ``range(..., na.rm = FALSE, finite = FALSE)`` in translated scripts (R 4
``?range``): ``c(min(x), max(x))`` of all the arguments together. A missing value gives
``c(NA, NA)`` unless ``na.rm = TRUE``; ``finite = TRUE`` drops missing and infinite values
too. No value left gives ``c(Inf, -Inf)`` (R warns). Text compares as R sorts it (ICU
collation, asr_py.model.collate). The unnamed arguments are R's ``...``; ``na.rm`` and
``finite`` are matched by their full names only (R's rule for arguments after ``...``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.collate import sort_like_r
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_range", "translate"]

FUNCTIONS = frozenset({"range", "base::range"})


def translate(tr: Any, e: R) -> str | None:
    """``range(a, b, na.rm = TRUE)`` -> ``r_range(a, b, na_rm=True)``; None for other
    named arguments."""
    vals, flags = [], []
    for n, a in e.args:
        if a.kind == "empty":
            continue
        if n is None:
            vals.append(tr.py(a))
        elif n in ("na.rm", "finite"):
            flags.append(f"{n.replace('.', '_')}={tr.py(a)}")
        else:
            return None
    if not vals:
        return None
    return f"{tr.runtime('r_range')}({', '.join(vals + flags)})"


def _values(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, pd.DataFrame):
        return list(x.to_numpy().ravel())
    if isinstance(x, dict):
        return [v for part in x.values() for v in _values(part)]
    if isinstance(x, (pd.Series, pd.Index, np.ndarray, list, tuple, range)):
        return list(np.asarray(list(x) if isinstance(x, range) else x, dtype=object).ravel())
    return [x]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float | np.floating) and np.isnan(v)) or v is pd.NA \
        or v is pd.NaT


def r_range(*xs: Any, na_rm: bool = False, finite: bool = False) -> Any:
    """``range(...)``: see the module docstring."""
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    vals = [v.item() if isinstance(v, np.generic) else v for x in xs for v in _values(x)]
    if any(_missing(v) for v in vals):
        if not (na_rm or finite):
            return np.array([np.nan, np.nan])
        vals = [v for v in vals if not _missing(v)]
    if vals and all(isinstance(v, str) for v in vals):
        s = sort_like_r(vals)
        return [s[0], s[-1]]
    if any(isinstance(v, str) for v in vals):
        raise AsrError("range() of text mixed with numbers",
                       hint="R would compare them as text: convert with as.character()")
    a = np.asarray(vals, dtype=float)
    if finite:
        a = a[np.isfinite(a)]
    if a.size == 0:
        return np.array([np.inf, -np.inf])       # R: c(Inf, -Inf) with a warning
    return np.array([a.min(), a.max()])
