"""reshape2's / data.table's ``dcast(data, a + b ~ c, value.var = "v")`` for translated
scripts: its translation and its runtime.

One row per observed combination of the left-hand variables, one column per observed
combination of the right-hand ones (joined by ``_``), both sorted as R sorts factor levels
(numbers by value, text case-insensitively as an English locale); a combination with no
record is NA. ``value.var`` missing: the last column not in the formula (R's guess).
Several records in one cell need ``fun.aggregate`` (a base summary: mean, sum, ...); without
it R counts them (``length``, with a message), as here.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import Untranslatable
from asr_py.translate.rmatchargs import ArgMatchError, match_args

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["cast_call_args", "formula_side_terms", "r_dcast", "translate"]


def _sort_key(v: Any) -> tuple[int, Any, str]:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return 0, float(v), ""
    s = str(v)
    return 1, s.casefold(), s.swapcase()


def _levels(s: pd.Series) -> list[Any]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [c for c in s.cat.categories if (s == c).any()]
    return sorted(s.dropna().unique().tolist(), key=_sort_key)


def r_dcast(data: Any, lhs: list[str], rhs: list[str], value_var: str | None = None,
            fun: Any = None) -> pd.DataFrame:
    """``dcast(data, lhs ~ rhs, value.var, fun.aggregate)`` (see the module docstring)."""
    if isinstance(data, Untranslated):
        return data._use()  # type: ignore[no-any-return]
    if not isinstance(data, pd.DataFrame):
        raise AsrError("dcast(): data must be a data frame", hint="dcast(d, a ~ b, ...)")
    missing = [c for c in [*lhs, *rhs] if c not in data.columns]
    if missing:
        raise AsrError(f"dcast(): no column {missing[0]!r} in the data",
                       hint="columns: " + ", ".join(map(str, data.columns)))
    if value_var is None:
        rest = [c for c in data.columns if c not in lhs and c not in rhs]
        if not rest:
            raise AsrError("dcast(): no column left for the values",
                           hint="give value.var = \"column\"")
        value_var = str(rest[-1])
    if value_var not in data.columns:
        raise AsrError(f"dcast(): value.var {value_var!r} is not a column",
                       hint="columns: " + ", ".join(map(str, data.columns)))
    d = data[[*lhs, *rhs, value_var]].copy()
    key = d[rhs[0]].astype(object).map(str) if len(rhs) == 1 else \
        d[rhs].astype(object).astype(str).agg("_".join, axis=1)
    if len(rhs) == 1:
        cols = [str(v) for v in _levels(d[rhs[0]])]
    else:
        combos = d[rhs].drop_duplicates().sort_values(
            rhs, key=lambda s: s.map(_sort_key), kind="stable")
        cols = ["_".join(map(str, v)) for v in combos.itertuples(index=False, name=None)]
    d["_key_"] = key
    rows = d[lhs].drop_duplicates()
    rows = rows.sort_values(lhs, key=lambda s: s.map(_sort_key), kind="stable")
    rows = rows.reset_index(drop=True)
    grouped = d.groupby([*lhs, "_key_"], sort=False, dropna=False)[value_var]
    empty: Any = np.nan                       # a cell with no record (R's fill)
    if fun is None:
        sizes = grouped.size()
        agg = sizes if (sizes > 1).any() else grouped.first()
        if (sizes > 1).any():
            empty = 0                          # length() of nothing
    else:
        agg = grouped.agg(fun)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)   # mean() of nothing: NaN
                empty = fun(pd.Series([], dtype=float))
        except (ValueError, TypeError, ZeroDivisionError):
            empty = np.nan
    wide = agg.unstack("_key_")
    wide = wide.reindex(pd.MultiIndex.from_frame(rows) if len(lhs) > 1 else
                        pd.Index(rows[lhs[0]]))
    out = rows.copy()
    for c in cols:
        col = wide[c] if c in wide.columns else pd.Series(np.nan, index=wide.index)
        out[c] = col.fillna(empty).to_numpy() if not pd.isna(empty) else col.to_numpy()
    return out


def formula_side_terms(e: R | None, fname: str = "dcast", special: tuple[str, ...] = ()
                       ) -> list[str]:
    """The column names of one side of a casting formula, ``a + b``, in order (an empty
    side, other operators or a name in ``special``, e.g. reshape's ``.`` and ``...``:
    Untranslatable, naming ``fname``)."""
    if e is None:
        raise Untranslatable(f"{fname}() formula with an empty side")
    if e.kind == "bin" and e.value == "+":
        return (formula_side_terms(e.left, fname, special)
                + formula_side_terms(e.right, fname, special))
    if e.kind in ("name", "str") and e.value not in special:
        return [e.value]
    shown = f" ({', '.join(special)}, |)" if special else ""
    raise Untranslatable(f"{fname}() formula with other than column names{shown}")


def cast_call_args(e: R, formals: tuple[str, ...], fname: str) -> dict[str, R] | None:
    """A reshape/reshape2 cast call's arguments matched to ``formals`` by R's rules (exact,
    partial, positional: rmatchargs); None when they do not match, when arguments fall into
    ``...`` or when ``data`` is missing (left to the generic rules)."""
    try:
        got: dict[str, R] = match_args(formals, e.args, fname)
    except ArgMatchError:
        return None
    if got.pop("...") or "data" not in got:
        return None
    return got


def translate(tr: Any, e: R) -> str | None:
    """``dcast(data, a + b ~ c, value.var = "v", fun.aggregate = mean)``."""
    formals = ("data", "formula", "fun.aggregate", "...", "margins", "subset", "fill",
               "drop", "value.var")
    got = cast_call_args(e, formals, "dcast")
    if got is None:
        return None
    if set(got) - {"data", "formula", "value.var", "fun.aggregate"} or "formula" not in got:
        return None
    f = got["formula"]
    if f.kind != "formula" or f.left is None:
        return None
    lhs, rhs = formula_side_terms(f.left), formula_side_terms(f.right)
    parts = [tr.py(got["data"]), repr(lhs), repr(rhs)]
    if "value.var" in got:
        parts.append(f"value_var={tr.py(got['value.var'])}")
    if "fun.aggregate" in got:
        parts.append(f"fun={tr.fun_ref(got['fun.aggregate'])}")
    return f"{tr.runtime('r_dcast')}({', '.join(parts)})"
