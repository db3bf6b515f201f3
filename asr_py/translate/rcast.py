"""The reshape package's (reshape 0.8, reshape2's predecessor) ``cast(data, a + b ~ c,
value = "v", fun.aggregate)`` and ``melt()`` of its result, for translated scripts.

``cast`` is reshape2's ``dcast`` (:mod:`asr_py.translate.rdcast`: one row per observed
combination of the left-hand variables, one column per observed value of the right-hand
ones, sorted as R sorts factor levels, ``_``-joined; several records in a cell without
``fun.aggregate`` are counted, ``length``, and an empty cell is then 0) with reshape's
argument ``value`` (its default: the column ``value``, else the last column).

Its result remembers which columns held the row variables and which value each other
column stands for (reshape's ``cast_df`` attributes ``idvars`` and ``rdimnames``), so
``melt()`` of it is reshape's ``melt.cast_df``: back to one row per cell, NAs kept (a cell
with no record becomes an NA row: the scripts use ``melt(cast(...))`` to "add rows for the
missing values"), columns: the row variables, ``value``, then the column variables under
their own names (not ``variable``); cells stacked column by column.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.rdcast import cast_call_args, formula_side_terms, r_dcast

__all__ = ["melt_cast", "r_cast", "translate"]

_ATTR = "r_cast"


def r_cast(data: Any, lhs: list[str], rhs: list[str], value: str | None = None,
           fun: Any = None) -> Any:
    """``cast(data, lhs ~ rhs, value = value, fun.aggregate = fun)`` (module docstring)."""
    if isinstance(data, Untranslated):
        return data._use()
    if isinstance(data, pd.DataFrame) and value is None:
        value = "value" if "value" in data.columns else str(data.columns[-1])
    out = r_dcast(data, lhs, rhs, value_var=value, fun=fun)
    d = data[rhs].drop_duplicates()
    names = {"_".join(map(str, v)) if len(rhs) > 1 else str(v[0]): tuple(v)
             for v in d.itertuples(index=False, name=None)}
    cells = {c: names[c] for c in out.columns[len(lhs):] if c in names}
    out.attrs[_ATTR] = {"idvars": list(lhs), "colvars": list(rhs), "cells": cells}
    return out


def melt_cast(x: Any) -> pd.DataFrame | None:
    """reshape's ``melt.cast_df`` of a :func:`r_cast` result still in its cast shape
    (row-variable columns, then one column a cell value); None for any other frame."""
    if not isinstance(x, pd.DataFrame):
        return None
    info = x.attrs.get(_ATTR)
    if not isinstance(info, dict):
        return None
    ids, cells = info["idvars"], info["cells"]
    if list(x.columns) != [*ids, *cells]:
        return None                       # reshaped since: an ordinary data frame
    n = len(x)
    parts: dict[str, Any] = {c: np.tile(x[c].to_numpy(dtype=object), len(cells)) for c in ids}
    parts["value"] = np.concatenate([x[c].to_numpy() for c in cells]) if cells else []
    for k, var in enumerate(info["colvars"]):
        parts[var] = np.repeat(np.array([v[k] for v in cells.values()], dtype=object), n)
    out = pd.DataFrame(parts)
    for c in ids:
        if isinstance(x[c].dtype, pd.CategoricalDtype):
            out[c] = pd.Categorical(out[c], categories=x[c].cat.categories)
        else:
            out[c] = out[c].astype(x[c].dtype)
    return out


def translate(tr: Any, e: R) -> str | None:
    """``cast(data, a + b ~ c, value = "v", fun.aggregate = mean)``; None (left to the
    generic rules) for a call that is not reshape's cast (no formula)."""
    formals = ("data", "formula", "fun.aggregate", "...", "margins", "subset", "df", "fill",
               "add.missing", "value")
    got = cast_call_args(e, formals, "cast")
    if got is None:
        return None
    if "formula" not in got or got["formula"].kind != "formula" or got["formula"].left is None:
        return None
    extra = set(got) - {"data", "formula", "value", "fun.aggregate"}
    if extra:
        raise Untranslatable(f"cast({sorted(extra)[0]} = )")
    f = got["formula"]
    sides = [formula_side_terms(x, "cast", (".", "...")) for x in (f.left, f.right)]
    parts = [tr.py(got["data"]), repr(sides[0]), repr(sides[1])]
    if "value" in got:
        parts.append(f"value={tr.py(got['value'])}")
    if "fun.aggregate" in got:
        fun = got["fun.aggregate"]
        if fun.kind == "str":                 # fun.aggregate = "mean": match.fun()
            fun = R("name", fun.value)
        parts.append(f"fun={tr.fun_ref(fun)}")
    return f"{tr.runtime('r_cast')}({', '.join(parts)})"
