"""dplyr's ``count()`` and ``tally()`` in translated scripts: their rule and their runtime.

R semantics kept (dplyr 1.1 ``?count``):

* ``count(x, a, b, wt = NULL, sort = FALSE, name = NULL)`` is
  ``summarise(group_by(x, a, b), n = n())``: one row per combination of the key columns
  present in the data, sorted by them (a factor by its levels, NA last), then the count
  column. ``group_by(x, g) %>% count(a)`` counts by ``g`` and ``a``.
* ``wt = w``: the count is ``sum(w, na.rm = TRUE)`` instead of the number of rows.
* ``name``: the count column's name; by default ``n``, or ``nn``, ``nnn``, ... while that
  name is one of the keys.
* ``sort = TRUE``: the rows in decreasing order of the count (ties keep the key order).
* ``tally(x, wt, sort, name)``: ``count()`` with no keys (one row; grouped data: per group).

Keys that are expressions (``count(d, big = y > 1)``) and ``.drop`` are left untranslated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rtidy import r_summarise

__all__ = ["FUNCTIONS", "r_count", "translate"]

_NAMES = ("count", "tally")
FUNCTIONS = frozenset({*_NAMES, *(f"dplyr::{f}" for f in _NAMES)})
_OPTS = ("wt", "sort", "name")


def _column(a: R) -> str | None:
    return a.value if a.kind in ("name", "str") else None


def translate(tr: Any, e: R) -> str | None:
    """``count(d, a, b, wt =, sort =, name =)`` / ``tally(d, ...)`` -> :func:`r_count`;
    None for other forms."""
    from asr_py.translate.rtidy import _unpipe

    f = e.value.split("::")[-1]
    args = e.args
    if not args or args[0][0] not in (None, "x"):
        return None
    data, rest = _unpipe(args[0][1]), args[1:]
    keys: list[str] = []
    if data.kind == "call" and data.value.split("::")[-1] == "group_by" and data.args and \
            data.args[0][0] is None:
        for n, a in data.args[1:]:
            col = _column(a)
            if n is not None or col is None:
                return None
            keys.append(col)
        data = data.args[0][1]
    opts: dict[str, R] = {}
    for n, a in rest:
        if n is None and f == "count":
            col = _column(a)
            if col is None:
                return None
            keys.append(col)
        elif n in _OPTS:
            opts[n] = a
        else:
            return None
    out = [tr.py(data), repr(keys)]
    if "wt" in opts:
        col = _column(opts["wt"])
        if col is None:
            return None
        out.append(f"wt={col!r}")
    if "sort" in opts:
        out.append(f"sort={tr.py(opts['sort'])}")
    if "name" in opts:
        out.append(f"name={tr.py(opts['name'])}")
    return f"{tr.runtime('r_count')}({', '.join(out)})"


def r_count(d: Any, keys: list[str], wt: str | None = None, sort: Any = False,
            name: Any = None) -> Any:
    """dplyr's ``count(d, keys..., wt, sort, name)``: see the module docstring."""
    if isinstance(d, Untranslated):
        return d._use()
    if not isinstance(d, pd.DataFrame):
        raise AsrError(f"count(): the data must be a data frame, not {type(d).__name__}",
                       hint="table(x) counts the values of a vector")
    if wt is not None and wt not in d.columns:
        raise AsrError(f"count(): no column {wt!r} for wt",
                       hint="columns: " + ", ".join(map(str, d.columns[:20])))
    if name is None:
        name = "n"
        while name in keys:
            name = "n" + name
    name = str(name)

    def size(g: pd.DataFrame) -> Any:
        if wt is None:
            return len(g)
        return np.nansum(pd.to_numeric(g[wt]).to_numpy(float))

    out = r_summarise(d, list(keys), {name: size})
    if bool(sort):
        out = out.iloc[np.argsort(-out[name].to_numpy(float), kind="stable")]
        out = out.reset_index(drop=True)
    return out
