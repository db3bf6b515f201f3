"""Base R's ``ave(x, ..., FUN = mean)`` for translated scripts.

R's definition (``stats::ave``): without grouping variables ``x[] <- FUN(x)``; otherwise
``g <- interaction(...)`` and ``split(x, g) <- lapply(split(x, g), FUN)``: ``FUN`` of each
group's values, recycled to the group's length, put back at the group's positions (so
``ave(id, family, FUN = seq_along)`` numbers the rows within each family). A position
whose grouping value is missing belongs to no group and keeps ``x``'s value.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_ave", "translate"]

FUNCTIONS = ("ave",)

_NAMED: dict[str, Callable[[np.ndarray], Any]] = {
    "mean": np.mean, "sum": np.sum, "median": np.median, "min": np.min, "max": np.max,
    "length": len, "seq_along": lambda v: np.arange(1, len(v) + 1),
    "cumsum": np.cumsum, "rank": lambda v: pd.Series(v).rank(method="average").to_numpy(),
    "sd": lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else np.nan,
    "var": lambda v: float(np.var(v, ddof=1)) if len(v) > 1 else np.nan}


def _values(v: Any) -> np.ndarray:
    return np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v, dtype=object).ravel()


def _text(v: Any) -> str:
    """R's as.character() of a number: 15 significant digits, no trailing ".0"."""
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:.15g}"


def r_ave(x: Any, groups: list[Any], fun: Any = "mean") -> Any:
    """``ave(x, g1, g2, FUN = fun)`` (see the module docstring); ``fun`` a name of
    _NAMED or a function of a group's values."""
    for v in (x, fun, *groups):
        if isinstance(v, Untranslated):
            return v._use()
    f = _NAMED.get(fun) if isinstance(fun, str) else fun
    if not callable(f):
        raise AsrError(f"ave(): FUN = {fun!r} is not a function",
                       hint="ave(x, g, FUN = mean) or FUN = function(v) ...")
    xs = _values(x)
    out = xs.copy()
    keys = [_values(g) for g in groups]
    bad = [i for i, k in enumerate(keys, 1) if len(k) != len(xs)]
    if bad:
        raise AsrError(f"ave(): grouping variable {bad[0]} has {len(keys[bad[0] - 1])} values "
                       f"but x has {len(xs)}", hint="each grouping variable is as long as x")
    if not keys:
        idx_of = {(): np.arange(len(xs))}
    else:
        frame = pd.DataFrame({i: k for i, k in enumerate(keys)})
        ok = ~frame.isna().any(axis=1).to_numpy()
        idx_of = {}
        for i in np.flatnonzero(ok):
            idx_of.setdefault(tuple(frame.iloc[i]), []).append(i)
    for idx in idx_of.values():
        idx = np.asarray(idx, dtype=int)
        got = np.atleast_1d(np.asarray(f(np.asarray(list(xs[idx])))))
        if got.size == 0:
            raise AsrError("ave(): FUN gave no value for a group",
                           hint="FUN must return a value (recycled) or one per element")
        out[idx] = np.resize(got, len(idx))
    if any(isinstance(v, str) for v in xs):   # a character x: R's x[] <- coerces to text
        out = np.array([v if isinstance(v, str) or pd.isna(v) else _text(v) for v in out],
                       dtype=object)
    res = pd.Series(list(out)).infer_objects()
    vals = res.to_numpy()
    if isinstance(x, pd.Series):
        return pd.Series(vals, index=x.index, name=x.name)
    return vals


def translate(tr: Any, e: R) -> str | None:
    """``ave(x, g1, ..., FUN = f)``; None for other forms."""
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    if not pos or set(named) - {"FUN", "x"}:
        return None
    x = named.get("x", pos[0])
    groups = pos if "x" in named else pos[1:]
    fun = named.get("FUN")
    f = "'mean'" if fun is None else repr(fun.value) if fun.kind in ("name", "str") and \
        fun.value in _NAMED else tr.py(fun)
    return (f"{tr.runtime('r_ave')}({tr.py(x)}, [{', '.join(tr.py(g) for g in groups)}], "
            f"{f})")
