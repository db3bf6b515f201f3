"""tidyr's ``nest()`` and ``unnest()``: data frames with a list-column, the per-group model
workflow of breeding scripts::

    blues <- pheno |> group_by(trial, trait) |> nest() |>
      mutate(blues = map(data, ~ fit_one_trial(.x))) |>
      dplyr::select(-data) |> unnest(blues)

R semantics kept (tidyr 1.3 ``?nest``, ``?unnest``):

* ``nest()`` of a grouped data frame gives one row per group, the keys and a list-column
  ``data`` (``.key`` names it) holding each group's other columns; the groups come in the
  order they first appear (``mtcars |> group_by(cyl) |> nest()`` lists cyl 6, 4, 8), a
  missing key is a group of its own, and the result stays grouped. ``nest(.by = g)``
  nests by ``g`` without grouping; ``nest()`` of ungrouped data nests every column into
  one row.
* ``unnest(data, cols)`` makes each element of the list-columns ``cols`` rows again: a data
  frame element gives its rows and columns, a vector its values in a column named as the
  list-column; the other columns repeat; the new columns take the list-column's place.
  Several columns unnest in parallel, element sizes must match (or be 1: recycled), else
  tidyr's "Can't recycle" error. Empty or NULL elements drop the row (``keep_empty =
  TRUE`` keeps it with NA). A column name arising twice is tidyr's "Names must be unique"
  error (``names_sep = "_"`` prefixes them with the list-column's name). ``unnest()``
  with no columns (deprecated in tidyr) unnests every list-column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_nest", "r_unnest", "translate"]

FUNCTIONS = frozenset({"nest", "unnest", "tidyr::nest", "tidyr::unnest"})
_UNNEST = ("data", "cols", "...", "keep_empty", "ptype", "names_sep", "names_repair")


def _cols(e: R) -> list[str] | None:
    """Bare names or strings: ``r2``, ``c(a, b)``, ``"a"``; None for anything else."""
    if e.kind in ("name", "str"):
        return [e.value]
    if e.kind == "call" and e.value == "c" and all(n is None and a.kind in ("name", "str")
                                                     for n, a in e.args):
        return [a.value for _, a in e.args]
    return None


def translate(tr: Any, e: R) -> str | None:
    """``r_nest(d, keys, key=)`` / ``r_unnest(d, cols, ...)``; None for forms not known
    (``nest(data = c(x, y))`` column specifications)."""
    from asr_py.translate.rgrouped import chain_keys
    from asr_py.translate.rtidy import _unpipe

    f = e.value.split("::")[-1]
    if not e.args or e.args[0][0] not in (None, ".data", "data"):
        return None
    data = _unpipe(e.args[0][1])
    rest = e.args[1:]
    if f == "nest":
        opts = dict(rest)
        if any(n not in (".by", ".key") for n, _ in rest):
            return None
        key = opts.get(".key")
        if key is not None and key.kind != "str":
            return None
        if ".by" in opts:
            keys = _cols(opts[".by"])
            if keys is None:
                return None
            frame = tr.py(data)
        else:
            keys = chain_keys(data) or []
            grouped = data.kind == "call" and data.value.split("::")[-1] == "group_by"
            if grouped and not keys:
                return None                              # group_by(.add =, computed keys)
            frame = tr.py(data.args[0][1] if grouped else data)
        kw = f", key={key.value!r}" if key is not None else ""
        return f"{tr.runtime('r_nest')}({frame}, {keys!r}{kw})"
    try:
        got = match_args(_UNNEST, [(n, a) for n, a in e.args if a.kind != "empty"], "unnest")
    except ArgMatchError:
        return None
    if got.get("...") or "ptype" in got or "names_repair" in got:
        return None
    cols = _cols(got["cols"]) if "cols" in got else None
    if "cols" in got and cols is None:
        return None
    parts = [tr.py(got["data"]), repr(cols)]
    for k in ("keep_empty", "names_sep"):
        if k in got:
            parts.append(f"{k}={tr.py(got[k])}")
    return f"{tr.runtime('r_unnest')}({', '.join(parts)})"


def r_nest(df: Any, keys: list[str], key: str = "data") -> Any:
    """``nest()``: one row per group of ``keys`` (first-appearance order), the group's other
    columns as a data frame in the list-column ``key``."""
    if isinstance(df, Untranslated):
        return df._use()
    if not isinstance(df, pd.DataFrame):
        raise AsrError(f"nest(): a data frame is needed, not {type(df).__name__}")
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise AsrError(f"nest(): column {missing[0]!r} is not in the data",
                       hint=f"the columns are {list(df.columns)}")
    inner = [c for c in df.columns if c not in keys]
    if not keys:
        return pd.DataFrame({key: pd.Series([df[inner].reset_index(drop=True)],
                                            dtype=object)})
    groups = df.groupby(keys, sort=False, dropna=False, observed=True).indices
    items = sorted(groups.items(), key=lambda kv: int(np.min(kv[1])))   # first appearance
    rows = [k if isinstance(k, tuple) else (k,) for k, _ in items]
    parts = [df.iloc[np.sort(idx)][inner].reset_index(drop=True) for _, idx in items]
    out = pd.DataFrame(rows, columns=keys)
    for k in keys:                                   # keep the keys' types (a factor's too)
        out[k] = out[k].astype(df[k].dtype) if not isinstance(
            df[k].dtype, pd.CategoricalDtype) else pd.Categorical(
            out[k], categories=df[k].cat.categories, ordered=df[k].cat.ordered)
    out[key] = pd.Series(parts, dtype=object)
    return out


def _piece(v: Any, col: str) -> pd.DataFrame | None:
    """One list-column element as rows (None: NULL or empty)."""
    if v is None or isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, pd.DataFrame):
        return v.reset_index(drop=True) if len(v) else None
    if isinstance(v, pd.Series | np.ndarray | list | tuple | pd.Index):
        vals = list(np.ravel(np.asarray(v, dtype=object))) if isinstance(v, np.ndarray) \
            else list(v)
        return pd.DataFrame({col: vals}).infer_objects() if vals else None
    if isinstance(v, dict):
        raise AsrError(f"unnest(): an element of '{col}' is a list, not a data frame or vector",
                       hint="unnest_wider()/unnest_longer() are not translated")
    return pd.DataFrame({col: [v]})


def _is_list_col(s: pd.Series) -> bool:
    return s.dtype == object and any(
        isinstance(v, pd.DataFrame | pd.Series | np.ndarray | list | tuple) for v in s)


def r_unnest(df: Any, cols: list[str] | None = None, keep_empty: bool = False,
             names_sep: str | None = None) -> Any:
    """``unnest(df, cols)``: see the module docstring."""
    if isinstance(df, Untranslated):
        return df._use()
    if not isinstance(df, pd.DataFrame):
        raise AsrError(f"unnest(): a data frame is needed, not {type(df).__name__}")
    if cols is None:
        cols = [c for c in df.columns if _is_list_col(df[c])]
    bad = [c for c in cols if c not in df.columns]
    if bad:
        raise AsrError(f"unnest(): column {bad[0]!r} is not in the data",
                       hint=f"the columns are {list(df.columns)}")
    if not cols:
        return df.reset_index(drop=True)
    pieces = []
    for i in range(len(df)):
        cells = {c: _piece(df[c].iloc[i], c) for c in cols}
        sizes = {c: (0 if p is None else len(p)) for c, p in cells.items()}
        n = max(sizes.values())
        if any(s not in (0, 1, n) for s in sizes.values()) or (
                n > 1 and any(s == 0 for s in sizes.values()) and len(cols) > 1):
            raise AsrError(f"unnest(): can't recycle the elements of row {i + 1} (sizes "
                           f"{sizes}) to a common size", hint="unnest the columns one by one")
        if n == 0:
            if not keep_empty:
                continue
            n = 1
        block: dict[str, Any] = {}
        for c in df.columns:
            if c in cols:
                p = cells[c]
                if p is None:
                    p = pd.DataFrame({c: [np.nan]})
                if len(p) == 1 and n > 1:
                    p = pd.concat([p] * n, ignore_index=True)
                for pc in p.columns:
                    name = f"{c}{names_sep}{pc}" if names_sep is not None else str(pc)
                    if name in block:
                        raise AsrError(f"unnest(): names must be unique: {name!r} arises "
                                       "twice", hint='use names_sep = "_" to prefix them')
                    block[name] = p[pc].to_numpy()
            else:
                if c in block:
                    raise AsrError(f"unnest(): names must be unique: {c!r} arises twice",
                                   hint='use names_sep = "_" to prefix them')
                block[c] = [df[c].iloc[i]] * n
        pieces.append(pd.DataFrame(block))
    if not pieces:
        return df.drop(columns=cols).iloc[0:0].reset_index(drop=True)
    out = pd.concat(pieces, ignore_index=True)
    for c in df.columns:                       # the repeated columns keep their types
        if c not in cols and c in out.columns and not isinstance(df[c].dtype,
                                                                 pd.CategoricalDtype):
            try:
                out[c] = out[c].astype(df[c].dtype)
            except (TypeError, ValueError):
                pass
    return out
