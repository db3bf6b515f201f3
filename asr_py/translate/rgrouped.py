"""dplyr's grouped ``mutate()`` and ``filter()`` in translated scripts: their translation rule
and their runtime.

R semantics kept (dplyr 1.1 ``?group_by``, ``?mutate``, ``?filter``, ``?summarise``):

* ``d %>% group_by(g1, g2) %>% mutate(a = f(x), ...)`` (also ``mutate(d, ..., .by = g)``):
  each expression is computed on every group's rows (bare names are the group's columns,
  ``n()`` its row count, ``mean(x)`` the group's mean); a value of length one is recycled to
  the group's rows, one of the group's length is taken by position, any other length is
  an error (dplyr's "must be size n or 1"). The arguments are sequential: a later one sees
  the columns made before it. The rows keep their order.
* ``filter(grouped, cond, ...)``: the rows of each group where every condition is TRUE
  (NA drops the row; a length-one condition holds for the whole group), in their order.
* A grouped frame stays grouped through ``mutate()``, ``filter()``, ``arrange()``,
  ``select()``, ``rename()``, ``relocate()`` and the joins until ``ungroup()``;
  ``summarise()`` drops the last key (``.groups = "drop_last"``, the default; "drop" all,
  "keep" none). :func:`chain_keys` follows that chain, so a ``summarise()`` or a second
  ``mutate()`` down the pipe is grouped as in R. Verbs whose grouped meaning is not
  translated (``slice()``, ``count()``, ``distinct()``, ...) of a grouped chain stay
  untranslated (:func:`guard`) rather than be computed over the whole frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.parser import R, Untranslatable

__all__ = ["FUNCTIONS", "chain_keys", "guard", "r_group_filter", "r_group_mutate", "translate"]

_VERBS = ("mutate", "filter")
FUNCTIONS = frozenset({*_VERBS, *(f"dplyr::{f}" for f in _VERBS)})
#: verbs that keep a grouped frame grouped (and whose translation ignores the groups safely)
_KEEP = frozenset({"mutate", "filter", "arrange", "select", "rename", "relocate", "left_join",
                   "inner_join", "right_join", "full_join", "semi_join", "anti_join",
                   # tidyr's nest()/unnest() of grouped data stay grouped (rnest.py)
                   "nest", "unnest"})
#: verbs whose result depends on the groups but are translated only for ungrouped data (or
#: right after group_by(), by their own modules)
_SENSITIVE = frozenset({"slice", "slice_head", "slice_tail", "slice_max", "slice_min",
                        "slice_sample", "top_n", "count", "tally", "distinct", "transmute",
                        "reframe", "add_count", "add_tally", "cur_group_id", "row_number"})


def _bare(f: str) -> str:
    return f.split("::", 1)[1] if "::" in f else f


def _keys(args: list[tuple[str | None, R]]) -> list[str] | None:
    from asr_py.translate.rtidy import _keys as keys
    return keys(args)


def _unpipe(e: R) -> R:
    from asr_py.translate.rtidy import _unpipe as unpipe
    return unpipe(e)


def chain_keys(e: R) -> list[str] | None:
    """The grouping keys of the data frame the R expression ``e`` gives (see the module
    docstring); None when it is not grouped or the keys are not plain names."""
    e = _unpipe(e)
    if e.kind != "call" or not e.args or e.args[0][0] not in (None, ".data"):
        return None
    f = _bare(e.value)
    if f == "group_by":
        if any(n is not None for n, _ in e.args[1:]):
            return None                                   # .add = TRUE, .drop = : not here
        return _keys(e.args[1:]) or None
    if f in ("summarise", "summarize"):
        if any(n == ".by" for n, _ in e.args):
            return None
        inner = chain_keys(e.args[0][1])
        opt = [a for n, a in e.args if n == ".groups"]
        how = opt[0].value if opt and opt[0].kind == "str" else "drop_last"
        if inner is None or how == "drop":
            return None
        return (inner if how == "keep" else inner[:-1]) or None
    if f in _KEEP:
        return chain_keys(e.args[0][1])
    return None


def guard(tr: Any, e: R) -> None:
    """Untranslatable for a group-sensitive verb (``slice()``, ``count()``, ...) of a grouped
    chain other than ``group_by()`` itself (which their own modules translate)."""
    if _bare(e.value) not in _SENSITIVE or not e.args or e.args[0][0] not in (None, ".data"):
        return
    data = _unpipe(e.args[0][1])
    if data.kind == "call" and _bare(data.value) == "group_by":
        return
    if chain_keys(data):
        raise Untranslatable(f"{e.value}() of grouped data")


def _grouped(e: R) -> tuple[R, list[str]] | None:
    """(the data, its keys) of a grouped mutate()/filter(), or None."""
    by = [a for n, a in e.args if n == ".by"]
    data = _unpipe(e.args[0][1])
    if by:
        keys = _keys([(None, by[0])])
        return (data, keys) if keys else None
    keys = chain_keys(data)
    if not keys:
        return None
    if data.kind == "call" and _bare(data.value) == "group_by":
        data = data.args[0][1]                  # the frame itself: the keys are passed
    return data, keys


def translate(tr: Any, e: R) -> str | None:
    """``r_group_mutate(d, keys, [(name, lambda _g: value)])`` /
    ``r_group_filter(d, keys, [lambda _g: cond])`` of a grouped mutate()/filter(); None for
    ungrouped data (the ordinary rules apply)."""
    if not e.args or e.args[0][0] not in (None, ".data"):
        return None
    got = _grouped(e)
    if got is None:
        return None
    data, keys = got
    rest = [(n, a) for n, a in e.args[1:] if n != ".by"]
    f = _bare(e.value)
    frame = R("name", "_g")
    if f == "filter":
        if not rest or any(n is not None for n, _ in rest):
            raise Untranslatable("filter() of grouped data with named arguments")
        conds = [f"lambda _g: {tr.in_data(frame, lambda a=a: tr.py(a))}" for _, a in rest]
        return (f"{tr.runtime('r_group_filter')}({tr.py(data)}, {keys!r}, "
                f"[{', '.join(conds)}])")
    if not rest or any(n is None or n.startswith(".") for n, _ in rest):
        raise Untranslatable("mutate() of grouped data with across() or .keep/.before")
    seen: set[str] = set()
    funcs = []
    for n, a in rest:
        hidden = seen & tr.assigned          # a column made before: _g's, not a variable's
        tr.assigned -= hidden
        try:
            body = tr.in_data(frame, lambda a=a: tr.py(a))
        finally:
            tr.assigned |= hidden
        funcs.append(f"({n!r}, lambda _g: {body})")
        seen.add(n)
    # pairs, not a dict: mutate(a = f(x), a = g(a)) makes a twice, in turn
    return (f"{tr.runtime('r_group_mutate')}({tr.py(data)}, {keys!r}, "
            f"[{', '.join(funcs)}])")


def _check(df: Any, keys: list[str], verb: str) -> pd.DataFrame | Any:
    from asr_py.translate.checks import Untranslated

    if isinstance(df, Untranslated):
        return df._use()
    if not isinstance(df, pd.DataFrame):
        raise AsrError(f"{verb}() of grouped data: the data must be a data frame, not "
                       f"{type(df).__name__}", hint="d %>% group_by(g) %>% mutate(m = mean(y))")
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise AsrError(f"group_by(): no column {', '.join(map(repr, missing))}",
                       hint="columns: " + ", ".join(map(str, df.columns[:20])))
    return df


def _groups(df: pd.DataFrame, keys: list[str]) -> list[np.ndarray]:
    """The row positions of each group (NA keys form a group, as in dplyr)."""
    return list(df.groupby(keys, sort=False, observed=True, dropna=False).indices.values())


def _group_frames(df: pd.DataFrame, groups: list[np.ndarray]
                  ) -> Iterator[tuple[np.ndarray, pd.DataFrame]]:
    """(row positions, rows) of each group: the rows are ``df.iloc[idx]`` (same order, same
    index), taken from one reordered copy by slicing, so thousands of small groups cost one
    take of the frame rather than one take each."""
    if not groups:
        return
    order = np.concatenate(groups)
    sdf = df.iloc[order]
    start = 0
    for idx in groups:
        yield idx, sdf.iloc[start:start + len(idx)]
        start += len(idx)


def _sized(v: Any, n: int, name: str) -> np.ndarray:
    if isinstance(v, list) and any(isinstance(x, pd.DataFrame | pd.Series | np.ndarray | list)
                                   for x in v):
        # a list value (purrr's map()): a list-column, one element a row (tidyr's nest())
        arr = np.empty(len(v), dtype=object)
        arr[:] = v
        v = arr
    if isinstance(v, pd.Categorical | pd.Series | pd.Index):
        v = np.asarray(v, dtype=object if isinstance(getattr(v, "dtype", None),
                                                      pd.CategoricalDtype) else None)
    arr = np.atleast_1d(np.asarray(v))
    if arr.ndim != 1:
        arr = arr.ravel()
    if arr.size == 1 and n != 1:
        return np.repeat(arr, n)
    if arr.size != n:
        raise AsrError(f"mutate(): '{name}' gives {arr.size} values for a group of {n} rows",
                       hint="in a grouped mutate() a value must be of the group's size or 1 "
                            "(dplyr's rule)")
    return arr


def r_group_mutate(df: Any, keys: list[str],
                   funcs: list[tuple[str, Callable[[pd.DataFrame], Any]]]) -> Any:
    """dplyr's grouped ``mutate()``: see the module docstring; ``funcs`` the (name,
    function of the group's rows) pairs in the call's order."""
    df = _check(df, keys, "mutate")
    if not isinstance(df, pd.DataFrame):
        return df
    out = df.copy()
    groups = _groups(out, keys)
    for name, f in (funcs.items() if isinstance(funcs, dict) else funcs):
        pieces = [(idx, _sized(f(g), len(idx), name)) for idx, g in _group_frames(out, groups)]
        kinds = {p.dtype.kind for _, p in pieces}
        dtype = np.result_type(*[p.dtype for _, p in pieces]) if pieces and \
            kinds <= set("biuf") else object
        col = np.empty(len(out), dtype=dtype)
        for idx, p in pieces:
            col[idx] = p
        s = pd.Series(col, index=out.index)
        out[name] = s.infer_objects() if np.dtype(dtype).kind == "O" else s
    return out


def r_group_filter(df: Any, keys: list[str],
                   conds: list[Callable[[pd.DataFrame], Any]]) -> Any:
    """dplyr's grouped ``filter()``: see the module docstring."""
    df = _check(df, keys, "filter")
    if not isinstance(df, pd.DataFrame):
        return df
    keep = np.zeros(len(df), dtype=bool)
    for idx, g in _group_frames(df, _groups(df, keys)):
        ok = np.ones(len(idx), dtype=bool)
        for c in conds:
            v = _sized(c(g), len(idx), "filter condition")
            ok &= np.array([x is True or (isinstance(x, (bool, np.bool_)) and bool(x))
                            for x in v], dtype=bool)
        keep[idx] = ok
    return df.iloc[np.flatnonzero(keep)]
