"""data.table's ``DT[i]`` and ``DT[i, j, by]`` queries (?data.table, data.table 1.14) on a
variable the script made a data.table (``as.data.table()``, ``data.table()``, ``fread()``; not yet
``setDT(x)``):

* ``DT[i]`` / ``DT[i, ]``: the rows where the logical ``i`` (its bare names DT's columns) is
  TRUE; an NA in ``i`` selects no row (unlike a data.frame's NA row);
* ``DT[i, j, by = g]``: ``j`` evaluated among the columns of each group of rows (rows i
  first) — ``.(a = e1, b = e2)`` / ``list(...)`` gives those columns, one unnamed
  expression ``V1`` — with the grouping columns first, groups in the order they first
  appear (data.table does not sort without ``keyby``; ``keyby`` sorts); ``by`` a name,
  ``.(g1, g2)``, ``list(...)``, or text ``"g"`` / ``c("g1", "g2")``. Without ``by``,
  ``DT[, .(a = e)]`` is one row.

Only the tracked variables are read this way; other ``x[i]`` keep data.frame rules.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["r_dt_query", "r_dt_rows", "track", "translate"]

_MAKERS = frozenset({"as.data.table", "data.table", "fread", "data.table::fread",
                     "data.table::as.data.table", "copy"})


def _known(tr: Any) -> set[str]:
    return tr.__dict__.setdefault("dt_vars", set())  # type: ignore[no-any-return]


def track(tr: Any, name: str, value: R) -> None:
    """Translate time, ``name <- value``: remember a data.table made by ``value``; any
    other assignment forgets it (``DT[...]`` of a tracked variable stays a data.table)."""
    known = _known(tr)
    if value.kind == "call" and (value.value in _MAKERS and (
            value.value != "copy" or value.args and value.args[0][1].kind == "name" and
            value.args[0][1].value in known)):
        known.add(name)
    elif value.kind == "index" and value.left is not None and \
            value.left.kind == "name" and value.left.value in known:
        known.add(name)
    else:
        known.discard(name)


def _count_rows(e: R | None) -> R | None:
    """``e`` with data.table's ``.N`` (the group's number of rows) as ``len(_d)``."""
    if e is None:
        return None
    if e.kind == "name" and e.value == ".N":
        return R("num", "len(_d)", start=e.start, end=e.end)
    out = copy.copy(e)
    out.left, out.right = _count_rows(e.left), _count_rows(e.right)
    out.args = [(n, _count_rows(a)) for n, a in e.args]  # type: ignore[misc]
    return out


def _group_names(e: R) -> list[str] | None:
    if e.kind in ("name", "str"):
        return [e.value]
    if e.kind == "call" and e.value in (".", "list", "c") and all(
            n is None and a.kind in ("name", "str") for n, a in e.args):
        return [a.value for _, a in e.args]
    return None


def translate(tr: Any, e: R) -> str | None:
    """The Python of ``DT[i]`` / ``DT[i, j, by]`` for a tracked DT; None otherwise."""
    if e.value != "[" or e.left is None or e.left.kind != "name" or \
            e.left.value not in _known(tr) or tr.data_cols:
        return None
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    if set(named) - {"by", "keyby"} or not pos or len(pos) > 2:
        return None
    dt = tr.py(e.left)
    i = pos[0]
    rows = "None" if i.kind == "empty" else tr.in_data(e.left, lambda: tr.py(i))
    j = pos[1] if len(pos) == 2 and pos[1].kind != "empty" else None
    if j is None and not named:
        if i.kind in ("num", "str") or i.kind == "call" and i.value in ("order", "c"):
            return None              # positions, keys, orders: data.frame rules
        return f"{tr.runtime('r_dt_rows')}({dt}, {rows})"
    if j is None:
        return None
    if j.kind == "call" and j.value in (".", "list") and j.args and all(
            n is not None or a.kind == "name" for n, a in j.args):
        # data.table names an unnamed item by its column: DT[, .(a, m = mean(b))]
        exprs = [(n if n is not None else a.value, a) for n, a in j.args]
    elif j.kind == "call" and j.value not in (".", "list", "c") or j.kind == "bin":
        exprs = [("V1", j)]
    else:
        return None                  # DT[, "a"], DT[, c(...)], DT[, .(a)]: not here
    by = named.get("by", named.get("keyby"))
    groups = _group_names(by) if by is not None else []
    if groups is None:
        return None
    sub = R("name", "_d")
    fns = ", ".join(f"({n!r}, lambda _d: "
                    f"{tr.in_data(sub, lambda a=a: tr.py(_count_rows(a)))})"
                    for n, a in exprs)
    sort = ", sort=True" if "keyby" in named else ""
    return (f"{tr.runtime('r_dt_query')}({dt}, {rows}, {groups!r}, [{fns}]{sort})")


def _mask(dt: pd.DataFrame, rows: Any) -> np.ndarray:
    if rows is None:
        return np.ones(len(dt), dtype=bool)
    m = pd.Series(np.asarray(rows)).astype("boolean").fillna(False).to_numpy(dtype=bool)
    if m.shape != (len(dt),):
        raise AsrError(f"DT[i]: i has {m.size} values for {len(dt)} rows",
                       hint="data.table's i is a logical condition on DT's columns")
    return m


def r_dt_rows(dt: Any, rows: Any) -> Any:
    """``DT[i]``: the rows where i is TRUE (NA: not selected), renumbered."""
    for v in (dt, rows):
        if isinstance(v, Untranslated):
            return v._use()
    return dt[_mask(dt, rows)].reset_index(drop=True)


def r_dt_query(dt: Any, rows: Any, by: list[str],
               exprs: list[tuple[str, Callable[[pd.DataFrame], Any]]],
               sort: bool = False) -> Any:
    """``DT[i, .(a = e, ...), by = g]`` (module docstring)."""
    for v in (dt, rows):
        if isinstance(v, Untranslated):
            return v._use()
    sub = dt[_mask(dt, rows)].reset_index(drop=True)
    missing = [g for g in by if g not in sub.columns]
    if missing:
        raise AsrError(f"DT[, j, by]: no column {missing[0]!r}",
                       hint=f"the columns are {list(sub.columns)}")
    parts = []
    groups = [((), sub)] if not by else sub.groupby(by, sort=sort, dropna=False, observed=True)
    for key, part in groups:
        part = part.reset_index(drop=True)
        vals = {n: f(part) for n, f in exprs}
        n = max([len(np.atleast_1d(v)) for v in vals.values()] or [1])
        cols: dict[str, Any] = {}
        key = key if isinstance(key, tuple) else (key,)
        for g, k in zip(by, key):
            cols[g] = [k] * n
        for name, v in vals.items():
            a = np.atleast_1d(v.to_numpy() if isinstance(v, pd.Series) else v)
            cols[name] = list(np.resize(a, n))
        parts.append(pd.DataFrame(cols))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=[*by, *(n for n, _ in exprs)])
