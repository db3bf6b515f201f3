"""R's ``range(..., na.rm = FALSE, finite = FALSE)`` (base) in translated scripts.

R semantics (``?range`` and ``range.default``): the arguments are combined into one vector
(``c(..., recursive = TRUE)``) and the value is ``c(min(x), max(x))``. For numbers,
``finite = TRUE`` first drops every non-finite value (NA, NaN, -Inf, Inf) and
``na.rm = TRUE`` the missing ones; otherwise a missing value makes both ends NA. No values
left give ``c(Inf, -Inf)`` (R warns). Text is ordered as text (both ends NA when one is
missing, unless ``na.rm``/``finite``), dates as dates; R refuses an unordered factor
("'range' not meaningful for factors") and gives an ordered factor's extreme levels.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_range", "translate"]


def translate(tr: Any, e: Any) -> str | None:
    """``range(a, b, na.rm = TRUE)`` -> ``r_range(a, b, na_rm=True)``; None for another
    named argument or no value."""
    pos = [a for n, a in e.args if n is None and a.kind != "empty"]
    named = [(n, a) for n, a in e.args if n is not None]
    if not pos or any(n not in ("na.rm", "finite") for n, _ in named) or \
            len({n for n, _ in named}) < len(named):
        return None
    parts = [tr.py(a) for a in pos]
    parts += [f"{n.replace('.', '_')}={tr.py(a)}" for n, a in named]
    return f"{tr.runtime('r_range')}({', '.join(parts)})"


def _combined(args: tuple[Any, ...]) -> tuple[np.ndarray, pd.Categorical | None]:
    """The values of ``args`` as one vector (R's c(..., recursive = TRUE)), and the ordered
    factor they come from, if one."""
    parts: list[np.ndarray] = []
    ordered: pd.Categorical | None = None
    for v in args:
        if isinstance(v, Untranslated):
            v._use()
        if isinstance(v, pd.DataFrame):
            v = v.to_numpy().ravel(order="F")              # by column, as c() of a list
        if isinstance(v, dict):
            v = [x for val in v.values() for x in np.ravel(np.asarray(val, dtype=object))]
        if isinstance(v, pd.Categorical) or isinstance(v, pd.Series) and \
                isinstance(v.dtype, pd.CategoricalDtype):
            c = pd.Categorical(v)
            if not c.ordered:
                raise AsrError("range(): 'range' not meaningful for factors (R refuses an "
                               "unordered factor); hint: range(as.numeric(as.character(f))) "
                               "for its values, or an ordered factor")
            ordered = c
            parts.append(np.asarray(c.codes, dtype=float))
            parts[-1][c.codes < 0] = np.nan
            continue
        if isinstance(v, pd.Series):
            v = v.to_numpy()
        a = np.asarray(list(v) if isinstance(v, (range, tuple)) else v)
        parts.append(a.ravel())
    vals = np.concatenate(parts) if parts else np.array([], dtype=float)
    return vals, ordered


def r_range(*args: Any, na_rm: bool = False, finite: bool = False) -> np.ndarray:
    """R's ``range(..., na.rm, finite)``: the smallest and largest of all the values."""
    vals, ordered = _combined(args)
    text = vals.dtype.kind in "OUS" and any(isinstance(x, str) for x in vals)
    missing = np.asarray(pd.isna(vals), dtype=bool)
    if text:
        if missing.any():
            if not (na_rm or finite):
                return np.array([np.nan, np.nan], dtype=object)
            vals = vals[~missing]
        if vals.size == 0:
            raise AsrError("range(): no non-missing text values (R stops here)")
        s = sorted(str(x) for x in vals)
        return np.array([s[0], s[-1]], dtype=object)
    if vals.dtype.kind == "M":                                # dates: the same type back
        kept = vals[~missing] if (na_rm or finite) else vals
        if kept.size == 0 or np.isnat(kept).any():
            return np.array([np.datetime64("NaT"), np.datetime64("NaT")])
        return np.array([kept.min(), kept.max()])
    whole = vals.dtype.kind in "iub" and ordered is None      # R keeps an integer's type
    vals = vals.astype(float)
    if finite:
        vals = vals[np.isfinite(vals)]
    elif missing.any():
        if not na_rm:
            return np.array([np.nan, np.nan])
        vals = vals[~missing]
    if vals.size == 0:
        warnings.warn("range(): no non-missing values; returning c(Inf, -Inf) as R does",
                      stacklevel=2)
        return np.array([np.inf, -np.inf])
    lo, hi = float(np.min(vals)), float(np.max(vals))
    if ordered is not None:
        cats = ordered.categories
        return np.array([cats[int(lo)], cats[int(hi)]], dtype=object)
    return np.array([lo, hi]).astype(int) if whole else np.array([lo, hi])
