"""Base R's ``aggregate(x, by, FUN, ...)`` (the default and data-frame methods) for
translated scripts; the formula method is :func:`asr_py.translate.rbase.r_aggregate`.

R's definition (``aggregate.data.frame``): ``x`` is a data frame, or a vector taken as
``as.data.frame(x)`` (one column named ``x``); ``by`` is a list of grouping vectors, each
as long as ``x`` has rows, named by the list's names or ``Group.1``, ``Group.2``, ...
where a name is missing. Rows whose grouping values include a missing value are left
out; ``FUN(v, ...)`` is applied to each column of ``x`` within each observed combination
of the groups (missing values of ``x`` are passed to ``FUN``: ``mean`` gives ``NA`` unless
``na.rm = TRUE``). The result has the grouping columns then the columns of ``x``, one row a
combination, sorted by the groups with the first one varying fastest.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["r_aggregate_by", "translate"]


def _summary(name: str) -> Callable[..., Any]:
    """R's mean/sum/median/min/max/length/sd/var of a vector, with their ``na.rm``."""
    base: dict[str, Callable[[np.ndarray], Any]] = {
        "mean": np.mean, "sum": np.sum, "median": np.median, "min": np.min, "max": np.max,
        "sd": lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else np.nan,
        "var": lambda v: float(np.var(v, ddof=1)) if len(v) > 1 else np.nan}

    def fun(v: Any, na_rm: bool = False) -> Any:
        a = np.asarray(v)
        if name == "length":
            return len(a)
        a = a.astype(float)
        if na_rm:
            a = a[~np.isnan(a)]
        elif np.isnan(a).any():
            return np.nan
        if len(a) == 0 and name in ("min", "max"):
            return np.inf if name == "min" else -np.inf
        return base[name](a)
    return fun


_SUMMARIES = ("mean", "sum", "median", "min", "max", "length", "sd", "var")


def _column(v: Any, what: str) -> np.ndarray:
    if isinstance(v, pd.DataFrame):
        if v.shape[1] != 1:
            raise AsrError(f"aggregate(): {what} is a data frame of {v.shape[1]} columns",
                           hint="by = list(d$a, d$b): one vector a grouping variable")
        v = v.iloc[:, 0]
    return np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v, dtype=object).ravel()


def r_aggregate_by(x: Any, by: Any, fun: Any, **kwargs: Any) -> pd.DataFrame:
    """``aggregate(x, by, FUN, ...)`` (see the module docstring); ``fun`` is one of
    mean/sum/median/min/max/length/sd/var by name or a function; ``kwargs`` go to it
    (``na_rm`` for R's ``na.rm``)."""
    for v in (x, by, fun, *kwargs.values()):
        if isinstance(v, Untranslated):
            return v._use()
    if isinstance(by, dict):
        groups = list(by.items())
    elif isinstance(by, list | tuple):
        groups = [("", g) for g in by]
    else:
        raise AsrError(f"aggregate(): 'by' must be a list, not {type(by).__name__}",
                       hint="by = list(d$group): a list of grouping vectors")
    if not groups:
        raise AsrError("aggregate(): 'by' is an empty list", hint="give one grouping vector")
    names = [str(n) if n else f"Group.{i}" for i, (n, _) in enumerate(groups, 1)]
    data = x.reset_index(drop=True) if isinstance(x, pd.DataFrame) else \
        pd.DataFrame({"x": _column(x, "x")})
    keys = [_column(g, f"by[[{i}]]") for i, (_, g) in enumerate(groups, 1)]
    bad = [i for i, k in enumerate(keys, 1) if len(k) != len(data)]
    if bad:
        raise AsrError(f"aggregate(): by[[{bad[0]}]] has {len(keys[bad[0] - 1])} values "
                       f"but x has {len(data)}", hint="R: arguments must have same length")
    f = _summary(fun) if isinstance(fun, str) and fun in _SUMMARIES else fun
    if not callable(f):
        raise AsrError(f"aggregate(): FUN = {fun!r} is not a function",
                       hint="FUN = mean, or function(v) ...")
    frame = pd.DataFrame(dict(zip(names, keys, strict=True)))
    keep = ~frame.isna().any(axis=1).to_numpy()
    frame, data = frame[keep].reset_index(drop=True), data[keep].reset_index(drop=True)
    for n in names:      # R's as.factor(): numbers by value, text alphabetically
        if frame[n].map(lambda v: isinstance(v, int | float | np.number)
                        and not isinstance(v, bool)).all():
            frame[n] = pd.to_numeric(frame[n])
        else:
            frame[n] = frame[n].astype(str)
    rows = []
    for combo, idx in frame.groupby(names, sort=True).indices.items():
        combo = combo if isinstance(combo, tuple) else (combo,)
        rows.append([*combo, *(f(data[c].to_numpy()[idx], **kwargs) for c in data.columns)])
    out = pd.DataFrame(rows, columns=[*names, *data.columns])
    return out.sort_values(names[::-1], kind="stable").reset_index(drop=True)


def translate(tr: Any, args: list[tuple[str | None, R]]) -> str | None:
    """``aggregate(x, by, FUN, ...)`` with ``x`` not a formula; None for other forms."""
    formals = ("x", "by", "FUN")
    got: dict[str, R] = {}
    extra: list[tuple[str, R]] = []
    free = list(formals)
    for n, a in args:
        if n in formals and n not in got:
            got[n] = a
            free.remove(n)
        elif n is None and free:
            got[free.pop(0)] = a
        elif n is not None and n not in ("simplify", "drop"):
            extra.append((n, a))
        else:
            return None
    if set(got) != set(formals) or got["x"].kind == "formula":
        return None
    fun = got["FUN"]
    f = repr(fun.value) if fun.kind in ("name", "str") and fun.value in _SUMMARIES \
        else tr.py(fun)
    kw = "".join(f", {n.replace('.', '_')}={tr.py(a)}" for n, a in extra)
    return (f"{tr.runtime('r_aggregate_by')}({tr.py(got['x'])}, {tr.py(got['by'])}, "
            f"{f}{kw})")
