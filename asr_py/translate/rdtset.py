"""data.table's ``DT[i, a := e]`` (and ``DT[i, `:=`(a = e1, b = e2)]``) on a row subset:
the expressions are evaluated among the columns of the rows i (all of them before any is
assigned), then set on those rows only; a new column is NA on the other rows. As
data.table's ``i``, an NA in the logical row condition selects no row (?data.table). With
``by``, each group of those rows is evaluated on its own (a value per group is recycled
over its rows); ``DT[i, (cols) := lapply(.SD, f), .SDcols = cols]`` replaces each column
of ``cols`` by ``f`` of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_dt_set", "r_dt_set_sd"]


def _rows(dt: pd.DataFrame, rows: Any) -> np.ndarray:
    if rows is None:
        return np.ones(len(dt), dtype=bool)
    m = pd.Series(rows).astype("boolean").fillna(False).to_numpy(dtype=bool) \
        if not isinstance(rows, (int, np.integer)) else np.arange(len(dt)) == int(rows) - 1
    if m.shape != (len(dt),):
        raise AsrError(f"DT[i, a := e]: the row condition has {m.shape[0]} values for "
                       f"{len(dt)} rows", hint="give one logical value per row")
    return m


def _groups(dt: pd.DataFrame, m: np.ndarray, by: list[str] | None) -> list[np.ndarray]:
    """The row positions of each group of the rows ``m`` of ``dt`` (no ``by``: one)."""
    pos = np.flatnonzero(m)
    if not by:
        return [pos]
    missing = [g for g in by if g not in dt.columns]
    if missing:
        raise AsrError(f"DT[i, a := e, by]: no column {missing[0]!r}",
                       hint="by names columns of the data table")
    sub = dt.iloc[pos].reset_index(drop=True)
    return [pos[g.index.to_numpy()] for _, g in
            sub.groupby(by, sort=False, dropna=False, observed=True)]


def _put(out: pd.DataFrame, at: np.ndarray, name: str, v: Any) -> None:
    vals = v.to_numpy() if isinstance(v, (pd.Series, pd.Index)) else v
    if isinstance(vals, np.ndarray) and vals.ndim == 2 and 1 in vals.shape:
        vals = vals.ravel()                          # scale(x): a one-column matrix
    if np.ndim(vals) > 0 and len(vals) not in (1, len(at)):
        raise AsrError(f"DT[i, {name} := e]: e has {len(vals)} values for {len(at)} rows",
                       hint="give one value or one per row")
    if np.ndim(vals) > 0 and len(vals) == 1:
        vals = vals[0]
    if name not in out.columns:
        out[name] = np.nan if not isinstance(vals, str) else None
    col = out.columns.get_loc(name)
    if isinstance(out[name].dtype, pd.CategoricalDtype):
        out[name] = out[name].astype(object)
    out.iloc[at, col] = vals


def r_dt_set(dt: Any, rows: Any, *sets: tuple[str, Callable[[pd.DataFrame], Any]],
             by: list[str] | None = None) -> Any:
    """``DT[rows, name := f(DT[rows]), by]`` for each (name, f) of ``sets`` (module
    docstring), with ``by`` each group of those rows on its own (data.table: the value
    recycled within the group); returns the changed copy (the script rebinds DT)."""
    for v in (dt, rows):
        if isinstance(v, Untranslated):
            return v._use()
    if not isinstance(dt, pd.DataFrame):
        raise AsrError("DT[i, a := e]: DT is not a data table", hint="give a data frame")
    m = _rows(dt, rows)
    values = [(at, name, f(dt.iloc[at])) for at in _groups(dt, m, by) for name, f in sets]
    out = dt.copy()
    for at, name, v in values:
        _put(out, at, name, v)
    return out


def r_dt_set_sd(dt: Any, rows: Any, cols: Any, fn: Callable[[Any], Any],
                by: list[str] | None = None) -> Any:
    """``DT[rows, (cols) := lapply(.SD, fn), .SDcols = cols, by]``: each column of ``cols``
    replaced by ``fn`` of it (within each group of the rows i)."""
    for v in (dt, rows, cols):
        if isinstance(v, Untranslated):
            return v._use()
    if not isinstance(dt, pd.DataFrame):
        raise AsrError("DT[, (cols) := lapply(.SD, f)]: DT is not a data table",
                       hint="give a data frame")
    names = [cols] if isinstance(cols, str) else list(cols)
    missing = [c for c in names if c not in dt.columns]
    if missing:
        raise AsrError(f"DT[, (cols) := lapply(.SD, f), .SDcols = cols]: no column "
                       f"{missing[0]!r}", hint=".SDcols names columns of the data table")
    m = _rows(dt, rows)
    out = dt.copy()
    for at in _groups(dt, m, by):
        for c in names:
            v = fn(dt[c].iloc[at])
            if len(at) == len(out) and np.ndim(v) > 0 and len(v) == len(out):
                # the whole column: its new type too (a factor stays a factor)
                out[c] = pd.Categorical(v) if isinstance(getattr(v, "dtype", None),
                                                          pd.CategoricalDtype) else \
                    (v.to_numpy() if isinstance(v, pd.Series) else np.asarray(v))
            else:
                _put(out, at, c, v)
    return out
