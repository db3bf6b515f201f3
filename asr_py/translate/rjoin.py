"""dplyr's joins, tidyr's ``spread()``/``pivot_wider()`` and data.table's ``rbindlist()`` in
translated scripts: their translation rule and their runtime.

R semantics kept (dplyr 1.1 ``?mutate-joins``/``?filter-joins``, tidyr 1.3 ``?spread``/
``?pivot_wider``, data.table 1.14 ``?rbindlist``):

* ``inner_join(x, y, by)``/``left_join``/``full_join``: ``by`` a column name, ``c("a", "b")``
  or ``c("a" = "b")`` (x's a matched to y's b; the result keeps a); no ``by``: the columns
  the two share (dplyr's natural join). Rows in x's order (matches in y's order; a full
  join then y's unmatched rows); other columns both have get ``.x``/``.y`` (``suffix``).
  ``semi_join``/``anti_join``: x's rows with / without a match, x's columns only.
  ``right_join`` (its row order differs) is left as a TODO.
* ``spread(data, key, value, fill = NA)``: one column per value of ``key`` (sorted, or a
  factor's level order), one row per combination of the other columns (sorted by them).
  ``pivot_wider(names_from, values_from, values_fill)``: the same, in order of appearance.
* ``rbindlist(l, use.names, fill, idcol)``: the data frames of the list stacked (NULL
  elements skipped); columns matched by name; different columns need ``fill = TRUE`` (NA
  where absent); ``idcol = "id"`` (``TRUE``: ``.id``) a first column of the list's names,
  or 1, 2, ... for a list without names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import Untranslatable

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_join", "r_rbindlist", "r_spread", "translate"]

_JOINS = ("inner_join", "left_join", "full_join", "semi_join", "anti_join")
_PKGS = ("dplyr::", "tidyr::", "data.table::")
FUNCTIONS = frozenset({*_JOINS, "spread", "pivot_wider", "rbindlist",
                       *(p + f for p in _PKGS for f in (*_JOINS, "spread", "pivot_wider",
                                                        "rbindlist"))})


def _column_name(tr: Any, a: R) -> str:
    """A tidyselect column given as a bare name or a string."""
    if a.kind in ("name", "str"):
        return repr(a.value)
    raise Untranslatable("a column given by an expression")


def translate(tr: Any, e: R) -> str | None:
    """The translation of a call to one of :data:`FUNCTIONS` (None: not this rule's form)."""
    f = e.value.split("::")[-1]
    pos = [a for n, a in e.args if n is None and a.kind != "empty"]
    named = {n: a for n, a in e.args if n is not None}
    if f in _JOINS:
        if any(n not in ("x", "y", "by", "suffix") for n in named) or len(pos) > 3:
            return None
        got = dict(zip(("x", "y", "by"), pos))
        got.update(named)
        if "x" not in got or "y" not in got:
            return None
        by = f", by={tr.py(got['by'])}" if "by" in got else ""
        suffix = f", suffix={tr.py(got['suffix'])}" if "suffix" in got else ""
        how = f.split("_")[0]
        return (f"{tr.runtime('r_join')}({tr.py(got['x'])}, {tr.py(got['y'])}{by}, "
                f"how={how!r}{suffix})")
    if f in ("spread", "pivot_wider"):
        keys = ("data", "key", "value") if f == "spread" else ("data", "names_from",
                                                               "values_from")
        fills = ("fill",) if f == "spread" else ("values_fill",)
        ignore = ("convert", "drop", "sep") if f == "spread" else ()
        if any(n not in (*keys, *fills, *ignore) for n in named) or len(pos) > 3:
            return None
        got = dict(zip(keys, pos))
        got.update(named)
        if any(k not in got for k in keys):
            return None
        for k in ignore:
            if k in got and not (got[k].kind == "name" and got[k].value in (
                    {"convert": ("FALSE", "F"), "drop": ("TRUE", "T"),
                     "sep": ("NULL",)}[k])):
                raise Untranslatable(f"spread({k} = ...) other than its default")
        fill = got.get(fills[0])
        fill_py = "None" if fill is None or fill.kind == "name" and fill.value == "NA" \
            else tr.py(fill)
        order = "'sorted'" if f == "spread" else "'appearance'"
        return (f"{tr.runtime('r_spread')}({tr.py(got[keys[0]])}, "
                f"{_column_name(tr, got[keys[1]])}, {_column_name(tr, got[keys[2]])}, "
                f"fill={fill_py}, order={order})")
    if f == "rbindlist":
        if any(n not in ("l", "use.names", "fill", "idcol") for n in named) or len(pos) > 1:
            return None
        got = dict(zip(("l",), pos))
        got.update(named)
        if "l" not in got:
            return None
        if "use.names" in got and not (got["use.names"].kind == "name" and
                                       got["use.names"].value in ("TRUE", "T")):
            raise Untranslatable("rbindlist(use.names = FALSE): columns by position")
        more = "".join(f", {k}={tr.py(got[k])}" for k in ("fill", "idcol") if k in got)
        return f"{tr.runtime('r_rbindlist')}({tr.py(got['l'])}{more})"
    return None


def _placeholder(*xs: Any) -> Any:
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    return None


def _as_list(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    return [str(x) for x in (v.values() if isinstance(v, dict) else v)]


def r_join(x: Any, y: Any, by: Any = None, how: str = "inner",
           suffix: Any = (".x", ".y")) -> pd.DataFrame:
    """dplyr's ``{how}_join(x, y, by)`` (see the module's docstring)."""
    if (ph := _placeholder(x, y, by)) is not None:
        return ph  # type: ignore[no-any-return]
    if not isinstance(x, pd.DataFrame) or not isinstance(y, pd.DataFrame):
        raise AsrError(f"{how}_join(): x and y must be data frames",
                       hint="join two data frames")
    if by is None:
        left = right = [c for c in x.columns if c in set(y.columns)]
        if not left:
            raise AsrError(f"{how}_join(): x and y share no column to join by",
                           hint="give by = \"column\"")
    elif isinstance(by, dict):
        left, right = [str(k) for k in by], [str(v) for v in by.values()]
    else:
        left = right = _as_list(by)
    for side, cols, frame in (("x", left, x), ("y", right, y)):
        miss = [c for c in cols if c not in frame.columns]
        if miss:
            raise AsrError(f"{how}_join(): {side} has no column {miss[0]!r}",
                           hint=f"columns of {side}: " + ", ".join(map(str, frame.columns)))
    lk = pd.MultiIndex.from_frame(x[left].astype(object)) if len(left) > 1 else \
        pd.Index(x[left[0]].astype(object))
    rk = pd.MultiIndex.from_frame(y[right].astype(object)) if len(right) > 1 else \
        pd.Index(y[right[0]].astype(object))
    if how in ("semi", "anti"):
        hit = np.asarray(lk.isin(rk))
        return x[hit if how == "semi" else ~hit].reset_index(drop=True)
    sfx = tuple(_as_list(suffix))
    yy = y.rename(columns=dict(zip(right, left))) if right != left else y
    out = x.merge(yy, how={"inner": "inner", "left": "left", "full": "outer"}[how],
                  on=left, suffixes=(sfx[0], sfx[1]), sort=False)
    if how == "full":
        # pandas' outer join sorts the keys; dplyr keeps x's rows, then y's unmatched ones
        xs = x.merge(yy, how="left", on=left, suffixes=(sfx[0], sfx[1]), sort=False)
        extra = yy[~np.asarray(rk.isin(lk))]
        extra = extra.rename(columns={c: f"{c}{sfx[1]}" for c in extra.columns
                                      if c not in left and c in x.columns})
        out = pd.concat([xs, extra], ignore_index=True)[xs.columns]
    return out.reset_index(drop=True)


def r_spread(d: Any, key: str, value: str, fill: Any = None,
             order: str = "sorted") -> pd.DataFrame:
    """tidyr's ``spread(d, key, value, fill)`` (``order='sorted'``) and ``pivot_wider``
    (``'appearance'``): see the module's docstring."""
    if (ph := _placeholder(d)) is not None:
        return ph  # type: ignore[no-any-return]
    if not isinstance(d, pd.DataFrame):
        raise AsrError("spread(): data must be a data frame", hint="spread(data, key, value)")
    for c in (key, value):
        if c not in d.columns:
            raise AsrError(f"spread(): no column {c!r}",
                           hint="columns: " + ", ".join(map(str, d.columns)))
    ids = [c for c in d.columns if c not in (key, value)]
    kcol = d[key]
    if order == "sorted":
        levels = list(kcol.cat.categories) if isinstance(kcol.dtype, pd.CategoricalDtype) \
            else sorted(kcol.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    else:
        levels = list(pd.unique(kcol.dropna()))
    if ids:
        dup = d.duplicated(subset=[*ids, key])
        if dup.any():
            raise AsrError(f"spread(): {int(dup.sum())} rows share their identifiers and key",
                           hint="each combination of the other columns and the key needs "
                           "one row (tidyr's 'Each row of output must be identified')")
        rows = d[ids].drop_duplicates()
        if order == "sorted":
            rows = rows.sort_values(ids, kind="stable")
        rows = rows.reset_index(drop=True)
        wide = d.pivot(index=ids, columns=key, values=value)
        wide = wide.reindex(pd.MultiIndex.from_frame(rows) if len(ids) > 1 else
                            pd.Index(rows[ids[0]]))
        out = rows.copy()
        for lv in levels:
            col = wide[lv].to_numpy() if lv in wide.columns else np.full(len(rows), np.nan)
            out[str(lv)] = col
    else:
        out = pd.DataFrame({str(lv): [d.loc[kcol == lv, value].iloc[0]] for lv in levels})
    if fill is not None:
        newc = [str(lv) for lv in levels]
        out[newc] = out[newc].fillna(fill)
    return out


def r_rbindlist(lst: Any, fill: bool = False, idcol: Any = None) -> pd.DataFrame:
    """data.table's ``rbindlist(l, use.names = TRUE, fill, idcol)``: see the docstring."""
    if (ph := _placeholder(lst)) is not None:
        return ph  # type: ignore[no-any-return]
    if isinstance(lst, dict):
        items = [(k, v) for k, v in lst.items()]
        named = not all(isinstance(k, int) for k in lst)
    elif isinstance(lst, list | tuple):
        items = list(enumerate(lst, start=1))
        named = False
    else:
        raise AsrError("rbindlist(): l must be a list of data frames",
                       hint="rbindlist(list(d1, d2))")
    frames, ids = [], []
    for k, (name, v) in enumerate(items, start=1):
        if v is None:
            continue
        if (ph := _placeholder(v)) is not None:
            return ph  # type: ignore[no-any-return]
        f = v if isinstance(v, pd.DataFrame) else pd.DataFrame(v)
        frames.append(f.reset_index(drop=True))
        ids += [str(name) if named else k] * len(f)
    if not frames:
        return pd.DataFrame()
    cols = list(frames[0].columns)
    if not fill and any(set(f.columns) != set(cols) for f in frames):
        raise AsrError("rbindlist(): the data frames have different columns",
                       hint="fill = TRUE fills the absent columns with NA")
    out = pd.concat(frames, ignore_index=True, sort=False)
    if idcol is not None and idcol is not False:
        name = ".id" if idcol is True else str(idcol)
        out.insert(0, name, ids)
    return out
