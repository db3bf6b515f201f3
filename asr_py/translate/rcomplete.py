"""tidyr's ``complete(data, ..., fill = list())`` for translated scripts.

tidyr 1.3 ``?complete``: "Turns implicit missing values into explicit missing values. This
is a wrapper around expand(), dplyr::full_join() and replace_na()". So the result is
``expand(data, ...)`` - every combination of the unique values of the named columns
(``nesting(a, b)``: only the combinations present), each column's values sorted, the
missing value last, the first column varying slowest - full-joined with ``data`` (a data
row per matching combination, in the data's order), then the missing values of the
columns named in ``fill`` replaced ("explicit = TRUE": the new rows' and the data's own),
the data's column order kept.
"""
from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_complete", "translate"]

FUNCTIONS = ("complete", "tidyr::complete")


def _sorted_unique(v: pd.Series) -> list[Any]:
    """``sort(unique(x))`` with the missing value last (vctrs' order)."""
    vals = pd.unique(v)
    miss = [x for x in vals if pd.isna(x)]
    have = [x for x in vals if not pd.isna(x)]
    try:
        have = sorted(have)
    except TypeError:
        have = sorted(have, key=str)
    return have + miss[:1]


def _tuples(d: pd.DataFrame, cols: list[str]) -> list[tuple[Any, ...]]:
    """nesting(): the combinations of ``cols`` present in ``d``, sorted."""
    seen = dict.fromkeys(tuple(r) for r in d[cols].itertuples(index=False, name=None))
    return sorted(seen, key=lambda t: tuple((pd.isna(x), x if not pd.isna(x) else 0)
                                            for x in t))


def _key(t: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple("\0NA" if pd.isna(x) else x for x in t)


def r_complete(data: Any, groups: list[list[str]], fill: Any = None) -> Any:
    """``complete(data, a, nesting(b, c), fill = list(x = 0))``: ``groups`` holds one
    list of names per argument (one name: all its values; several: ``nesting()``)."""
    for v in (data, fill):
        if isinstance(v, Untranslated):
            return v._use()
    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"complete(): data must be a data frame, not {type(data).__name__}",
                       hint="d %>% complete(a, b, fill = list(n = 0))")
    names = [c for g in groups for c in g]
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise AsrError(f"complete(): no column {missing[0]!r} in the data",
                       hint="columns: " + ", ".join(map(str, data.columns[:12])))
    fill = dict(fill or {})
    bad = [k for k in fill if k not in data.columns]
    if bad:
        raise AsrError(f"complete(fill = ): no column {bad[0]!r} in the data",
                       hint="fill = list(column = value) names columns of the data")
    axes = [[(x,) for x in _sorted_unique(data[g[0]])] if len(g) == 1 else _tuples(data, g)
            for g in groups]
    rows_of: dict[tuple[Any, ...], list[int]] = {}
    for i, t in enumerate(data[names].itertuples(index=False, name=None)):
        rows_of.setdefault(_key(t), []).append(i)
    parts: list[pd.DataFrame] = []
    others = [c for c in data.columns if c not in names]
    for combo in product(*axes):
        t = tuple(x for piece in combo for x in piece)
        hit = rows_of.get(_key(t))
        if hit:
            parts.append(data.iloc[hit])
        else:
            row = dict(zip(names, t, strict=True))
            row.update({c: np.nan for c in others})
            parts.append(pd.DataFrame([row]))
    out = pd.concat(parts, ignore_index=True)[list(data.columns)] if parts else data.iloc[:0]
    for col, value in fill.items():
        out[col] = out[col].where(out[col].notna(), value)
    return out


def _names(tr: Any, a: R) -> list[str] | None:
    if a.kind == "name":
        return [a.value]
    if a.kind == "call" and a.value in ("nesting", "tidyr::nesting") and a.args and all(
            n is None and x.kind == "name" for n, x in a.args):
        return [x.value for _, x in a.args]
    return None


def translate(tr: Any, e: R) -> str | None:
    """``complete(data, a, nesting(b, c), fill = list(...))``; None for other forms (a
    vector of values, ``explicit =``, mice's ``complete(imp, 1)``)."""
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    if len(pos) < 2 or set(named) - {"fill"}:
        return None
    groups = [_names(tr, a) for a in pos[1:]]
    if any(g is None for g in groups):
        return None
    fill = f", fill={tr.py(named['fill'])}" if "fill" in named else ""
    return f"{tr.runtime('r_complete')}({tr.py(pos[0])}, {groups!r}{fill})"
