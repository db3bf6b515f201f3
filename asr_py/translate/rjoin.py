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
* ``gather(data, key, value, cols)``: the selected columns (all when none: names, ``a:b``,
  ``-c(a, b)``) stacked into a key column (their names) and a value column, column after
  column; the other columns repeated.
* ``separate(data, col, into, sep = "[^[:alnum:]]+", remove = TRUE, convert = FALSE,
  extra = "warn", fill = "warn")``: col split at each match of the regular expression sep
  into the columns ``into`` (an NA name drops that piece), in col's place; extra pieces
  dropped (``extra = "merge"``: the last column keeps the rest); missing ones NA on the
  right (``fill = "left"``: on the left); ``convert = TRUE`` makes number-like columns
  numbers.
* ``unite(data, col, cols, sep = "_", remove = TRUE)``: the selected columns pasted with sep
  (NA as "NA") into col, in the first one's place.
* data.table's ``DT[, .SD[which.min(x)], by = g]`` (or ``which.max``): per group of g, in
  order of first appearance, the first row where x is smallest (largest; NA left out); the
  by column first, then the others.
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
from asr_py.translate.rconcat import concat_frames

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "dt_sd_which", "r_dt_which", "r_gather", "r_join", "r_rbindlist",
           "r_separate", "r_spread", "r_unite", "translate"]

_JOINS = ("inner_join", "left_join", "full_join", "semi_join", "anti_join")
_PKGS = ("dplyr::", "tidyr::", "data.table::")
_TIDY = ("spread", "pivot_wider", "rbindlist", "gather", "separate", "unite")
FUNCTIONS = frozenset({*_JOINS, *_TIDY, *(p + f for p in _PKGS for f in (*_JOINS, *_TIDY))})


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
    if f in ("gather", "separate", "unite"):
        return _tidy(tr, f, e)
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


def _name_or_str(a: R) -> str:
    if a.kind == "str":
        return repr(a.value)
    if a.kind == "name":
        return repr(a.value)
    raise Untranslatable("a column name given by an expression")


def _cols(tr: Any, sel: list[R]) -> str:
    """tidyselect's columns as a function of the positions (subset's select rules)."""
    from asr_py.translate.rvector import select_spec

    if not sel:
        return "None"
    body = select_spec(tr, sel[0]) if len(sel) == 1 else \
        "[" + ", ".join(select_spec(tr, a) for a in sel) + "]"
    return f"lambda _p: {body}"


def _tidy(tr: Any, f: str, e: R) -> str | None:
    """gather(), separate(), unite(): tidyr's argument matching, then the runtime call."""
    pos = [a for n, a in e.args if n is None and a.kind != "empty"]
    named = {n: a for n, a in e.args if n is not None}
    if f == "gather":
        if any(n not in ("data", "key", "value", "na.rm", "factor_key", "convert")
               for n in named):
            return None
        # R's matching: named arguments first, positional ones fill the other formals in
        # order, the rest are the columns (...)
        free = [k for k in ("data", "key", "value") if k not in named]
        got = dict(zip(free, pos))
        got.update(named)
        rest = pos[len(free):]
        if "data" not in got:
            return None
        key = _name_or_str(got["key"]) if "key" in got else "'key'"
        value = _name_or_str(got["value"]) if "value" in got else "'value'"
        na = f", na_rm={tr.py(got['na.rm'])}" if "na.rm" in got else ""
        return (f"{tr.runtime('r_gather')}({tr.py(got['data'])}, {key}, {value}, "
                f"{_cols(tr, rest)}{na})")
    if f == "separate":
        formals = ("data", "col", "into", "sep", "remove", "convert", "extra", "fill")
        if any(n not in formals for n in named) or len(pos) > 4:
            return None
        got = dict(zip([k for k in formals if k not in named], pos))
        got.update(named)
        if "data" not in got or "col" not in got or "into" not in got:
            return None
        col = got["col"]
        col_py = tr.py(col) if col.kind == "num" else _name_or_str(col)
        more = "".join(f", {k}={tr.py(got[k])}" for k in formals[3:] if k in got)
        return (f"{tr.runtime('r_separate')}({tr.py(got['data'])}, {col_py}, "
                f"{tr.py(got['into'])}{more})")
    # unite(data, col, ..., sep = "_", remove = TRUE, na.rm = FALSE)
    if any(n not in ("data", "col", "sep", "remove") for n in named):
        return None
    free = [k for k in ("data", "col") if k not in named]
    got = dict(zip(free, pos))
    got.update(named)
    rest = pos[len(free):]
    if "data" not in got or "col" not in got:
        return None
    more = "".join(f", {k}={tr.py(got[k])}" for k in ("sep", "remove") if k in got)
    return (f"{tr.runtime('r_unite')}({tr.py(got['data'])}, {_name_or_str(got['col'])}, "
            f"{_cols(tr, rest)}{more})")


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
    # a non-key column of y named as a key of x: dplyr keeps x's key, suffixes y's column
    clash = {c: f"{c}{sfx[1]}" for c in y.columns if c in left and c not in right}
    yy = y.rename(columns={**clash, **dict(zip(right, left))}) if right != left else y
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
    out = concat_frames(frames, ignore_index=True, sort=False)
    if idcol is not None and idcol is not False:
        name = ".id" if idcol is True else str(idcol)
        out.insert(0, name, ids)
    return out


def _selected(d: pd.DataFrame, spec: Any, what: str) -> list[str]:
    """The columns a tidyselect spec (subset's select rules) picks; None: all of them."""
    cols = [str(c) for c in d.columns]
    if spec is None:
        return cols
    from asr_py.translate.rvector import r_select

    try:
        return [str(c) for c in r_select(d, spec).columns]
    except AsrError as err:
        raise AsrError(f"{what}: {err.args[0]}", hint="columns: " + ", ".join(cols)) from err


def r_gather(d: Any, key: str = "key", value: str = "value", cols: Any = None,
             na_rm: bool = False) -> pd.DataFrame:
    """tidyr's ``gather(data, key, value, cols)``: see the module's docstring."""
    if (ph := _placeholder(d)) is not None:
        return ph  # type: ignore[no-any-return]
    if not isinstance(d, pd.DataFrame):
        raise AsrError("gather(): data must be a data frame", hint="gather(data, key, value)")
    sel = _selected(d, cols, "gather()")
    ids = [c for c in d.columns if str(c) not in sel]
    out = d.melt(id_vars=ids, value_vars=sel, var_name=key, value_name=value)
    if na_rm:
        out = out[out[value].notna()]
    return out.reset_index(drop=True)


_POSIX = {"[:alnum:]": "0-9A-Za-z", "[:alpha:]": "A-Za-z", "[:digit:]": "0-9",
          "[:space:]": "\\s", "[:punct:]": "!-/:-@\\[-`{-~", "[:upper:]": "A-Z",
          "[:lower:]": "a-z"}


def _regex(sep: str) -> str:
    for k, v in _POSIX.items():
        sep = sep.replace(k, v)
    return sep


def _convert(s: pd.Series) -> pd.Series:
    """utils::type.convert of a text column: numbers when every value reads as one."""
    num = pd.to_numeric(s, errors="coerce")
    return num if (num.notna() | s.isna()).all() else s


def r_separate(d: Any, col: Any, into: Any, sep: Any = "[^[:alnum:]]+", remove: bool = True,
               convert: bool = False, extra: str = "warn", fill: str = "warn") -> pd.DataFrame:
    """tidyr's ``separate()``: see the module's docstring."""
    if (ph := _placeholder(d)) is not None:
        return ph  # type: ignore[no-any-return]
    if not isinstance(d, pd.DataFrame):
        raise AsrError("separate(): data must be a data frame", hint="separate(data, col, into)")
    name = d.columns[int(col) - 1] if isinstance(col, int | float) and \
        not isinstance(col, bool) else col
    if name not in d.columns:
        raise AsrError(f"separate(): no column {name!r}",
                       hint="columns: " + ", ".join(map(str, d.columns)))
    if not isinstance(sep, str):
        raise AsrError("separate(sep = <a position>) is not translated",
                       hint="give sep as a regular expression")
    names = [None if n is None or (isinstance(n, float) and np.isnan(n)) else str(n)
             for n in ([into] if isinstance(into, str) else list(into))]
    k = len(names)
    pat = __import__("re").compile(_regex(sep))
    rows = []
    for v in d[name].tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)):
            rows.append([None] * k)
            continue
        parts = pat.split(str(v), maxsplit=k - 1 if extra == "merge" else 0)
        parts = parts[:k]
        if len(parts) < k:
            pad = [None] * (k - len(parts))
            parts = pad + parts if fill == "left" else parts + pad
        rows.append(parts)
    new = pd.DataFrame(rows, columns=[f"__{i}" for i in range(k)], index=d.index)
    at = list(d.columns).index(name)
    out = d.drop(columns=[name]) if remove else d.copy()
    where = at if remove else at + 1
    for i, n in enumerate(names):
        if n is None:
            continue
        colv = new[f"__{i}"]
        out.insert(min(where, out.shape[1]), n, _convert(colv) if convert else colv,
                   allow_duplicates=False)
        where += 1
    return out


def r_unite(d: Any, col: str, cols: Any = None, sep: str = "_",
            remove: bool = True) -> pd.DataFrame:
    """tidyr's ``unite(data, col, cols, sep, remove)``: see the module's docstring."""
    if (ph := _placeholder(d)) is not None:
        return ph  # type: ignore[no-any-return]
    if not isinstance(d, pd.DataFrame):
        raise AsrError("unite(): data must be a data frame", hint="unite(data, col, a, b)")
    sel = _selected(d, cols, "unite()")
    from asr_py.translate.runtime import r_labels

    text = [pd.Series(r_labels(d[c]), index=d.index).astype(object)
            .where(d[c].notna(), "NA").astype(str) for c in sel]
    joined = text[0]
    for t in text[1:]:
        joined = joined + sep + t
    at = min(list(d.columns).index(c) for c in sel)
    out = d.drop(columns=sel) if remove else d.copy()
    out.insert(at, col, joined)      # tidyr: where the first united column was
    return out


def dt_sd_which(tr: Any, e: R) -> str | None:
    """``DT[, .SD[which.min(x)], by = g]`` -> ``r_dt_which(DT, 'x', 'g', 'min')``; None when
    ``e`` is not that form."""
    if e.kind != "index" or e.value != "[" or e.left is None or len(e.args) != 3:
        return None
    (n0, a0), (n1, a1), (n2, a2) = e.args
    if a0.kind != "empty" or n1 is not None or n2 != "by" or a2.kind not in ("name", "str"):
        return None
    if not (a1.kind == "index" and a1.value == "[" and a1.left is not None and
            a1.left.kind == "name" and a1.left.value == ".SD" and len(a1.args) == 1):
        return None
    w = a1.args[0][1]
    if not (w.kind == "call" and w.value in ("which.min", "which.max") and len(w.args) == 1
            and w.args[0][1].kind == "name"):
        return None
    fn = "min" if w.value == "which.min" else "max"
    return (f"{tr.runtime('r_dt_which')}({tr.py(e.left)}, {w.args[0][1].value!r}, "
            f"{a2.value!r}, {fn!r})")


def r_dt_which(d: Any, col: str, by: str, fn: str = "min") -> pd.DataFrame:
    """data.table's ``DT[, .SD[which.min(col)], by = by]``: see the module's docstring."""
    if (ph := _placeholder(d)) is not None:
        return ph  # type: ignore[no-any-return]
    if not isinstance(d, pd.DataFrame):
        raise AsrError("DT[, .SD[which.min(x)], by = g]: DT must be a data frame",
                       hint="a data.table or data frame")
    for c in (col, by):
        if c not in d.columns:
            raise AsrError(f"DT[, .SD[which.{fn}(...)], by = ...]: no column {c!r}",
                           hint="columns: " + ", ".join(map(str, d.columns)))
    rows = []
    x = pd.to_numeric(d[col], errors="coerce").to_numpy(float)
    for g in pd.unique(d[by]):
        idx = np.flatnonzero((d[by] == g).to_numpy() & ~np.isnan(x))
        if idx.size:                       # which.min of all NA is integer(0): no row
            rows.append(idx[np.argmin(x[idx]) if fn == "min" else np.argmax(x[idx])])
    out = d.iloc[rows]
    return out[[by] + [c for c in d.columns if c != by]].reset_index(drop=True)
