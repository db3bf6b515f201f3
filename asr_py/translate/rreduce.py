"""R's ``sum``/``prod``/``max``/``min``/``any``/``all`` of several arguments, and ``prod()``.

R combines every argument into one vector first: ``max(0, x)`` is the largest of 0 and the
values of x, ``sum(a, b)`` the total of both. numpy's ``np.max(0, x)`` takes x as the axis, so
these calls go through :func:`r_reduce`. An NA among the values gives NA unless
``na.rm = TRUE`` drops them (R's rule); no values give R's identities (0, 1, -Inf, Inf,
FALSE, TRUE). ``max``/``min`` of text are the last / first value in R's sort order
(``?Extremes``: "the maximum ... of character vectors is taken in the collating sequence"),
numbers among them compared as their text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCTIONS", "r_reduce", "translate"]

FUNCTIONS = frozenset({"sum", "prod", "max", "min", "any", "all"})

_EMPTY = {"sum": 0, "prod": 1, "max": -np.inf, "min": np.inf, "any": False, "all": True}
_NP = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "any": np.any,
       "all": np.all}


def translate(tr: Any, e: Any) -> str | None:
    """``max(a, b, na.rm = TRUE)`` -> ``r_reduce('max', a, b, na_rm=True)``; ``prod(x)``,
    ``any(x)``, ``all(x)`` too. None for one argument of the others (left to the plain
    numpy rule) or another named argument."""
    f = e.value
    pos = [a for n, a in e.args if n is None and a.kind != "empty"]
    named = [(n, a) for n, a in e.args if n is not None]
    if not pos or any(n != "na.rm" for n, _ in named) or len(named) > 1:
        return None
    if len(pos) == 1 and f not in ("prod", "any", "all", "max", "min"):
        return None             # any(x)/all(x): R's NA rule (np.any of NaN is True)
    na = ""
    if named:
        flag = named[0][1]
        if flag.kind != "name" or flag.value not in ("TRUE", "T", "FALSE", "F"):
            return None
        na = ", na_rm=True" if flag.value in ("TRUE", "T") else ""
    vals = ", ".join(tr.py(a) for a in pos)
    return f"{tr.runtime('r_reduce')}({f!r}, {vals}{na})"


def _values(v: Any) -> np.ndarray:
    if isinstance(v, Untranslated):
        v._use()
    if isinstance(v, (pd.DataFrame, pd.Series)):
        v = v.to_numpy()
    if isinstance(v, (dict,)):
        v = list(v.values())
    if isinstance(v, (range, list, tuple)):
        v = list(v)
    a = np.asarray(v, dtype=object) if isinstance(v, list) and any(
        isinstance(x, str) for x in v) else np.asarray(v)
    return a.ravel()


def r_reduce(f: str, *args: Any, na_rm: bool = False) -> Any:
    """R's ``f(...)`` over all the values of ``args`` combined (see the module docstring)."""
    if f not in _NP:
        raise AsrError(f"r_reduce(): {f!r} is not one of {sorted(_NP)}")
    cats = [a for a in args if isinstance(a, pd.Series) and
            isinstance(a.dtype, pd.CategoricalDtype)]
    if cats and f in ("max", "min"):
        # R's Summary.factor: only an ordered factor has a max/min (by its level order)
        if len(args) != 1 or not cats[0].cat.ordered:
            raise AsrError(f"'{f}' not meaningful for factors (R's error)",
                           hint="use as.character() for the last / first label in sort "
                                "order, or an ordered factor")
        codes = cats[0].cat.codes.to_numpy()
        if (codes < 0).any() and not na_rm:
            return np.nan
        codes = codes[codes >= 0]
        if not codes.size:
            raise AsrError(f"{f}() of an empty factor (R's error)")
        return cats[0].cat.categories[codes.max() if f == "max" else codes.min()]
    parts = [_values(a) for a in args]
    vals = np.concatenate(parts) if parts else np.array([])
    if vals.dtype.kind in "fcO" or vals.dtype.kind == "M":
        missing = pd.isna(vals)
        if missing.any():
            vals = vals[~missing]
            if not na_rm:
                # any(NA, TRUE) is TRUE and all(NA, FALSE) FALSE in R; otherwise NA
                known = bool(vals.astype(bool).any()) if f == "any" else (
                    not bool(vals.astype(bool).all()) if f == "all" else False)
                if not known:
                    return np.nan
                return f == "any"
    if vals.size == 0:
        return _EMPTY[f]
    if vals.dtype == object and f in ("sum", "prod"):
        vals = vals.astype(float)
    if f in ("max", "min") and (vals.dtype.kind in "US" or vals.dtype == object and any(
            isinstance(v, str) for v in vals)):
        # text: the last / first in R's sort order (its collation), numbers as their text
        from asr_py.model.collate import collate_key
        from asr_py.translate.runtime import r_labels

        text = [str(v) for v in r_labels(pd.Series(list(vals), dtype=object))]
        return (max if f == "max" else min)(text, key=collate_key)
    out = _NP[f](vals)
    return out.item() if isinstance(out, np.generic) else out
