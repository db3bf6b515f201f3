"""plyr's ``ddply(.data, .variables, .fun = NULL, ..., .drop = TRUE)``: "for each subset of
a data frame, apply function then combine results into a data frame" (plyr 1.8 ``?ddply``).

* ``.variables``: ``.(a, b)``, a character vector or a one-sided formula ``~ a + b``;
* the subsets are the combinations of the variables present in the data (``.drop = TRUE``;
  ``.drop = FALSE`` is left as a TODO), in the order of ``order(a, b)``: a factor's levels,
  other values sorted, ``NA`` last; each subset keeps the data's row order;
* ``.fun`` gets the subset (and ``...``); what it returns becomes rows as ``ldply`` makes
  them: a data frame as it is, a vector one row (its names the columns, ``V1``, ``V2``, ...
  without names), ``NULL`` nothing; the splitting variables come first, one copy per row;
  results with different columns are bound as ``rbind.fill`` binds them (``NA`` filled);
* ``.fun = summarise`` (``summarize``): ``summarise(group_by(.data, a, b), ...)``, which
  dplyr orders the same way.

Other ``.fun`` (``transform``, ``mutate``, ``colwise(...)``) are left as TODO lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.printer import pyname
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_ddply", "translate"]

FUNCTIONS = frozenset({"ddply", "plyr::ddply"})
_FORMALS = (".data", ".variables", ".fun", "...", ".progress", ".inform", ".drop",
            ".parallel", ".paropts")
_SUMMARISE = {"summarise", "summarize", "plyr::summarise", "plyr::summarize"}
_NEUTRAL = {".progress", ".inform", ".parallel", ".paropts"}   # no effect on the result


def _variables(tr: Any, v: R) -> list[R] | str | None:
    """The splitting variables as name nodes (``.(a, b)``, ``~ a + b``, ``"a"``,
    ``c("a", "b")``), or the Python of a character vector computed at run time."""
    if v.kind == "call" and v.value in (".", "plyr::."):
        names = [a for n, a in v.args if n is None]
        return names if all(a.kind == "name" for a in names) else None
    if v.kind == "formula" and v.left is None and v.right is not None:
        out: list[R] = []
        stack = [v.right]
        while stack:
            t = stack.pop()
            if t.kind == "bin" and t.value == "+" and t.left is not None and t.right is not None:
                stack += [t.right, t.left]
            elif t.kind == "name":
                out.append(t)
            else:
                return None
        return out
    if v.kind == "str":
        return [R("name", v.value)]
    if v.kind == "call" and v.value == "c" and v.args and \
            all(n is None and a.kind == "str" for n, a in v.args):
        return [R("name", a.value) for _, a in v.args]
    if v.kind == "name":
        return tr.py(v)
    return None


def translate(tr: Any, e: R) -> str | None:
    """``ddply(d, vars, fun, ...)`` -> ``r_ddply(d, [vars], fun, ...)``; ``summarise`` as
    dplyr's grouped summarise; None (a TODO) for the forms the module docstring leaves."""
    try:
        got = match_args(_FORMALS, [(n, a) for n, a in e.args if a.kind != "empty"], "ddply")
    except ArgMatchError:
        return None
    if ".data" not in got or ".variables" not in got or ".fun" not in got:
        return None
    drop = got.get(".drop")
    if drop is not None and not (drop.kind == "name" and drop.value in ("TRUE", "T")):
        return None
    variables = _variables(tr, got[".variables"])
    if variables is None:
        return None
    fun, extra = got[".fun"], got.get("...") or []
    if fun.kind == "name" and fun.value in _SUMMARISE:
        if isinstance(variables, str) or not extra or any(n is None for n, _ in extra):
            return None
        grouped = R("call", "group_by", [(None, got[".data"]), *[(None, v) for v in variables]])
        return tr.py(R("call", "summarise", [(None, grouped), *extra], start=e.start,
                       end=e.end))
    if not (fun.kind == "function" or (fun.kind == "name" and fun.value in tr.functions)):
        return None
    cols = variables if isinstance(variables, str) else repr([v.value for v in variables])
    parts = [tr.py(got[".data"]), cols, tr.py(fun)]
    parts += [tr.py(a) if n is None else f"{pyname(n)}={tr.py(a)}" for n, a in extra]
    return f"{tr.runtime('r_ddply')}({', '.join(parts)})"


def _group_order(frame: pd.DataFrame, cols: list[str]) -> list[np.ndarray]:
    """Row positions of each combination of ``cols`` present, in R's ``order()`` of them."""
    keys = []
    for c in cols:
        s = frame[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            keys.append(pd.Series(s.cat.codes.to_numpy(), index=s.index).where(s.notna()))
        else:
            keys.append(s)
    key = pd.DataFrame({i: k.to_numpy() for i, k in enumerate(keys)})
    ordered = key.drop_duplicates().sort_values(list(range(len(cols))), na_position="last",
                                                kind="mergesort")
    out = []
    for _, row in ordered.iterrows():
        mask = np.ones(len(frame), dtype=bool)
        for i in range(len(cols)):
            v = row[i]
            col = key[i].to_numpy()
            mask &= pd.isna(col) if pd.isna(v) else (col == v)
        out.append(np.flatnonzero(mask))
    return out


def _as_rows(res: Any) -> pd.DataFrame | None:
    """What ``.fun`` returned as rows (plyr's ``list_to_dataframe``); None for NULL."""
    if res is None:
        return None
    if isinstance(res, pd.DataFrame):
        return res.reset_index(drop=True)
    if isinstance(res, dict):                          # c(s = 1): a named vector
        names, vals = [str(k) for k in res], [np.ravel(v)[0] if np.ndim(v) else v
                                               for v in res.values()]
    elif isinstance(res, pd.Series):
        named = not isinstance(res.index, pd.RangeIndex)
        names = [str(i) for i in res.index] if named else None
        vals = res.to_list()
    else:
        vals = list(np.ravel(np.asarray(res, dtype=object)))
        names = None
    if names is None:
        names = [f"V{i + 1}" for i in range(len(vals))]
    return pd.DataFrame([vals], columns=names)


def r_ddply(data: Any, variables: Any, fun: Callable[..., Any], *args: Any,
            **kwargs: Any) -> pd.DataFrame:
    """``plyr::ddply(data, variables, fun, ...)``: see the module docstring."""
    for v in (data, variables):
        if isinstance(v, Untranslated):
            return v._use()
    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"ddply(): .data must be a data frame, not {type(data).__name__}",
                       hint="plyr's ldply()/llply() take lists")
    cols = [str(c) for c in np.ravel(np.asarray(variables, dtype=object))]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise AsrError(f"ddply(): no column {', '.join(missing)} in the data",
                       hint=f"the data's columns: {', '.join(map(str, data.columns))}")
    pieces = []
    for rows in _group_order(data, cols):
        sub = data.iloc[rows].reset_index(drop=True)
        got = _as_rows(fun(sub, *args, **kwargs))
        if got is None:
            continue
        keep = [c for c in cols if c not in got.columns]    # plyr: the result's own win
        labels = data[keep].iloc[[rows[0]] * len(got)].reset_index(drop=True)
        pieces.append(pd.concat([labels, got], axis=1))
    if not pieces:
        return pd.DataFrame()
    return pd.concat(pieces, ignore_index=True)
