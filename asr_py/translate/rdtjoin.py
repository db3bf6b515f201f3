"""data.table's join ``X[Y, on = "k", nomatch = 0]`` in translated scripts.

data.table 1.14 ``?data.table``: ``X[i, on = ...]`` with a data.table ``i`` looks each row of
``i`` up in ``X`` by the ``on`` columns (``on = "k"``, ``on = c("a", "b")``, or
``on = c(xcol = "icol")``) and returns, for each row of ``i`` in ``i``'s order, every row of
``X`` that matches (``mult = "all"``): the join columns (named as in ``X``, holding ``i``'s
values), then ``X``'s other columns, then ``i``'s other columns (a name ``X`` already has is
prefixed ``i.``). A row of ``i`` without a match gives one row of NA in ``X``'s columns
(``nomatch = NA``, the default: a right join) or none (``nomatch = 0`` or ``NULL``: an inner
join).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.parser import R

__all__ = ["dt_join", "r_dt_join"]


def dt_join(tr: Any, e: R) -> str | None:
    """``X[Y, on = k, nomatch = 0]`` -> ``r_dt_join(X, Y, on=k, nomatch=0)``; None when ``e``
    is not that form (a first argument and ``on``, optionally ``nomatch``)."""
    if e.kind != "index" or e.value != "[" or e.left is None or not e.args:
        return None
    named = {n: a for n, a in e.args[1:]}
    if e.args[0][0] is not None or e.args[0][1].kind == "empty" or "on" not in named or \
            set(named) - {"on", "nomatch"} or len(named) != len(e.args) - 1:
        return None
    nm = named.get("nomatch")
    nomatch = "NA" if nm is None or nm.kind == "name" and nm.value == "NA" else \
        "0" if nm.kind == "num" and float(nm.value.rstrip("L")) == 0 or \
        nm.kind == "name" and nm.value == "NULL" else None
    if nomatch is None:
        return None
    return (f"{tr.runtime('r_dt_join')}({tr.py(e.left)}, {tr.py(e.args[0][1])}, "
            f"on={tr.py(named['on'])}, nomatch={'None' if nomatch == 'NA' else 0})")


def _on_pairs(on: Any) -> list[tuple[str, str]]:
    """(column of X, column of i) pairs of ``on``."""
    if isinstance(on, str):
        return [(on, on)]
    if isinstance(on, dict):
        return [(str(k), str(v)) for k, v in on.items()]
    if isinstance(on, pd.Series):
        names = [str(k) for k in on.index]
        vals = [str(v) for v in on]
        if any(k not in ("", *map(str, range(len(on)))) for k in names):
            return [(k or v, v) for k, v in zip(names, vals)]
        return [(v, v) for v in vals]
    return [(str(v), str(v)) for v in np.atleast_1d(np.asarray(on, dtype=object))]


def r_dt_join(x: Any, i: Any, on: Any, nomatch: int | None = None) -> pd.DataFrame:
    """data.table's ``X[i, on = on, nomatch = nomatch]`` (module docstring)."""
    for what, d in (("X", x), ("i", i)):
        if not isinstance(d, pd.DataFrame):
            raise AsrError(f"X[i, on = ...]: {what} must be a data frame (data.table), not "
                           f"{type(d).__name__}", hint="join two data.tables")
    pairs = _on_pairs(on)
    for xc, ic in pairs:
        if xc not in x.columns or ic not in i.columns:
            miss = f"X has no column {xc!r}" if xc not in x.columns else \
                f"i has no column {ic!r}"
            raise AsrError(f"X[i, on = ...]: {miss}", hint=f"X's columns: {list(x.columns)}, "
                           f"i's: {list(i.columns)}")
    xk, ik = [p[0] for p in pairs], [p[1] for p in pairs]
    left = i.reset_index(drop=True).rename(columns={c: f"i.{c}" for c in i.columns
                                                    if c in x.columns and c not in ik})
    right = x.reset_index(drop=True).rename(columns=dict(zip(xk, ik)))
    right = right.rename(columns={c: f"__x_{c}" for c in right.columns if c not in ik})
    for c in ik:                        # a factor against text: compare the labels
        if left[c].dtype != right[c].dtype:
            left[c], right[c] = left[c].astype(str), right[c].astype(str)
    how = "inner" if nomatch == 0 else "left"
    m = left.merge(right, on=ik, how=how, sort=False)
    xcols = [f"__x_{c}" for c in x.columns if c not in xk]
    icols = [c for c in left.columns if c not in ik]
    out = m[ik + xcols + icols].rename(columns=dict(zip(ik, xk)))
    out.columns = [c[4:] if c.startswith("__x_") else c for c in out.columns]
    return out.reset_index(drop=True)
