"""R's ``merge(x, y, ...)`` (base) for translated scripts.

pandas' ``merge`` keeps x's row order and ignores R's arguments; R's ``merge``:

* joins on ``by`` (default: the columns both have), or ``by.x``/``by.y``;
* keeps unmatched rows of x / y with ``all.x`` / ``all.y`` (``all`` sets both);
* with ``sort = TRUE`` (the default) orders the rows by the key columns - text as R sorts
  it in an English locale (asr_py.model.collate: case second, lower first), numbers by value;
* puts the key columns first, then x's other columns, then y's (clashes: ``.x``, ``.y``);
* matches keys by their text (R pastes the rbind of both sides' keys), so a number key
  matches a factor or character key of the same text (``1`` and ``"1"``); the result's key
  column is x's (y's for the rows only y has).

A script that picks rows by position afterwards (``a$Metabolite[c(2, 3, 6)]``) depends on
that order.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.collate import collate_key

__all__ = ["r_merge"]


def _key(v: Any) -> Any:
    if isinstance(v, str):
        return (1, collate_key(v))
    if v is None or isinstance(v, float) and np.isnan(v):
        return (2, ())
    return (0, v)


def _r_text(s: pd.Series) -> pd.Series:
    """The values as R's paste() writes them (numbers to 15 significant digits, NA)."""
    def one(v: Any) -> str:
        if v is None or isinstance(v, float) and np.isnan(v):
            return "NA"
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            return format(float(v), ".15g")
        return str(v)
    return s.astype(object).map(one)


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _names(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def r_merge(x: Any, y: Any, by: Any = None, by_x: Any = None, by_y: Any = None,
            all: Any = False, all_x: Any = None, all_y: Any = None, sort: Any = True,
            suffixes: Any = (".x", ".y"), **dotted: Any) -> pd.DataFrame:
    """``merge(x, y, by, by.x, by.y, all, all.x, all.y, sort, suffixes)`` as R does it
    (R's dotted argument names arrive as keywords ``all.x``...)."""
    from asr_py.translate.checks import Untranslated

    extra = {k: v for k, v in dotted.items() if k not in ("by.x", "by.y", "all.x", "all.y")}
    if extra:
        raise AsrError(f"merge(): argument(s) {', '.join(extra)} not supported",
                       hint="by, by.x, by.y, all, all.x, all.y, sort, suffixes are")
    by_x = dotted.get("by.x", by_x)
    by_y = dotted.get("by.y", by_y)
    all_x = dotted.get("all.x", all_x)
    all_y = dotted.get("all.y", all_y)

    for v in (x, y):
        if isinstance(v, Untranslated):
            return v._use()
    x = pd.DataFrame(x).reset_index(drop=True)
    y = pd.DataFrame(y).reset_index(drop=True)
    if by_x is None and by_y is None:
        keys = _names(by) if by is not None else [c for c in x.columns if c in set(y.columns)]
        bx, byy = keys, keys
    else:
        bx, byy = _names(by_x if by_x is not None else by), _names(by_y if by_y is not None
                                                                    else by)
    for k in bx:
        if k not in x.columns:
            raise AsrError(f"merge(): 'by' column {k!r} is not in x", hint="check by/by.x")
    for k in byy:
        if k not in y.columns:
            raise AsrError(f"merge(): 'by' column {k!r} is not in y", hint="check by/by.y")
    if len(bx) != len(byy):
        raise AsrError("merge(): by.x and by.y name different numbers of columns",
                       hint="give one column of y per column of x")
    ax = bool(all) if all_x is None else bool(all_x)
    ay = bool(all) if all_y is None else bool(all_y)
    how = "outer" if ax and ay else "left" if ax else "right" if ay else "inner"
    if not bx:                                   # no common column: the cross product
        out = x.merge(y, how="cross", suffixes=tuple(suffixes))
        return out.reset_index(drop=True)
    yy = y.rename(columns=dict(zip(byy, bx)))
    x, yy = x.assign(__xi__=np.arange(len(x))), yy.assign(__yi__=np.arange(len(yy)))
    mixed = [k for k in bx if _numeric(x[k]) != _numeric(yy[k])]   # 1 vs "1": by text
    if mixed:
        x, yy = x.copy(), yy.copy()
        for i, k in enumerate(mixed):
            x[f"__text{i}__"], yy[f"__text{i}__"] = _r_text(x[k]), _r_text(yy[k])
            yy = yy.rename(columns={k: f"__y{i}__"})
        on = [k for k in bx if k not in mixed] + [f"__text{i}__" for i in range(len(mixed))]
        out = x.merge(yy, how=how, on=on, suffixes=tuple(suffixes), sort=False)
        for i, k in enumerate(mixed):    # rows only y has: R's rbind makes the key text
            only_y = out[k].isna() & out[f"__y{i}__"].notna()
            if only_y.any():
                out[k] = out[f"__text{i}__"]
        out = out.drop(columns=[c for c in out.columns if c.startswith("__") and
                                c not in ("__xi__", "__yi__")])
    else:
        out = x.merge(yy, how=how, on=bx, suffixes=tuple(suffixes), sort=False)
    xi, yi = out.pop("__xi__").to_numpy(dtype=float), out.pop("__yi__").to_numpy(dtype=float)
    rest_x = [c for c in out.columns if c not in bx and (
        c in x.columns or c.endswith(suffixes[0]) and c[:-len(suffixes[0])] in x.columns)]
    rest_y = [c for c in out.columns if c not in bx and c not in rest_x]
    out = out[bx + rest_x + rest_y]
    if sort is not False:
        order = sorted(range(len(out)), key=lambda i: tuple(_key(out[k].iloc[i]) for k in bx))
        out = out.iloc[order]
    else:
        keys = [tuple(map(str, t)) for t in out[bx].itertuples(index=False)]
        out = out.iloc[_unsorted_order(xi, yi, keys)]
    return out.reset_index(drop=True)


def _unsorted_order(xi: np.ndarray, yi: np.ndarray, keys: list[tuple[Any, ...]]) -> list[int]:
    """R's row order of ``merge(sort = FALSE)`` (merge.data.frame: the keys in both are
    numbered by their first matched row of x; .Internal(merge) gives the matched pairs by
    that number, then x's row, then y's; then the rows only x has, then those only y has,
    each in its own order). ``xi``/``yi``: each output row's 0-based row of x / y (NaN when
    it has none); ``keys``: each row's key values."""
    both = ~np.isnan(xi) & ~np.isnan(yi)
    first: dict[tuple[Any, ...], float] = {}
    for i in np.nonzero(both)[0]:
        first[keys[i]] = min(first.get(keys[i], np.inf), xi[i])

    def key(i: int) -> tuple[float, ...]:
        if both[i]:
            return (0, first[keys[i]], xi[i], yi[i])
        return (1, xi[i], 0, 0) if not np.isnan(xi[i]) else (2, yi[i], 0, 0)

    return sorted(range(len(xi)), key=key)
