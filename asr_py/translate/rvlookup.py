"""expss's ``vlookup(lookup_value, dict, result_column = 2, lookup_column = 1)`` for
translated scripts (a spreadsheet's VLOOKUP): for each value of ``lookup_value`` the
``result_column`` entry of the first row of ``dict`` whose ``lookup_column`` equals it, NA
when no row does.

Columns are named or 1-based numbers; ``lookup_column = "row.names"`` searches the row
names; ``result_column = "row.names"`` returns them, ``result_column = NULL`` the whole
matching rows (a data frame). Values match as R's ``match()`` does (exact, NA matches NA);
a factor is matched and returned by its labels. A named vector or a list as ``dict`` is
refused with a clear error (expss reads those as a one-column table only in some versions).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_vlookup"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "vlookup": ("r_vlookup", ("lookup_value", "dict", "result_column", "lookup_column"),
                ("expss",)),
}


def _column(d: pd.DataFrame, col: Any, what: str) -> pd.Series:
    if isinstance(col, str) and col == "row.names":
        return pd.Series(d.index.astype(str), index=d.index)
    if isinstance(col, (int, float, np.integer, np.floating)) and not isinstance(col, bool):
        i = int(col)
        if not 1 <= i <= d.shape[1]:
            raise AsrError(f"vlookup(): {what} = {i} but dict has {d.shape[1]} column(s)")
        s = d.iloc[:, i - 1]
    elif isinstance(col, str) and col in d.columns:
        s = d[col]
    else:
        raise AsrError(f"vlookup(): {what} {col!r} is not a column of dict",
                       hint=f"dict's columns: {list(map(str, d.columns))[:8]}")
    return s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s


def _values(x: Any) -> pd.Series:
    if isinstance(x, pd.Series):
        s = x.astype(object) if isinstance(x.dtype, pd.CategoricalDtype) else x
        return s.reset_index(drop=True)
    if isinstance(x, pd.Index):
        return pd.Series(list(x))
    if isinstance(x, (str, bytes)) or np.ndim(x) == 0:
        return pd.Series([x])
    return pd.Series(list(x))


def r_vlookup(lookup_value: Any, dict: Any, result_column: Any = 2,  # noqa: A002 - R's name
              lookup_column: Any = 1) -> Any:
    """``vlookup(lookup_value, dict, result_column, lookup_column)``: see the module
    docstring."""
    for v in (lookup_value, dict):
        if isinstance(v, Untranslated):
            v._use()
    if isinstance(dict, np.ndarray) and dict.ndim == 2:
        dict = pd.DataFrame(dict)
    if not isinstance(dict, pd.DataFrame):
        raise AsrError("vlookup(): dict must be a data frame or a matrix here",
                       hint="build a data frame of keys and values, e.g. data.frame(k, v)")
    keys = _column(dict, lookup_column, "lookup_column").to_numpy(dtype=object)
    first = {}                                    # key -> its first row
    na_row = -1                                   # the first NA key: NA matches NA
    for i, k in enumerate(keys):
        if pd.isna(k):
            na_row = i if na_row < 0 else na_row
        else:
            first.setdefault(k, i)
    vals = _values(lookup_value)
    rows = np.array([na_row if pd.isna(v) else first.get(v, -1) for v in vals], dtype=int)
    found = rows >= 0
    if result_column is None:
        out = dict.iloc[np.where(found, rows, 0)].copy()
        out.loc[~found] = np.nan
        return out.reset_index(drop=True)
    res = _column(dict, result_column, "result_column").to_numpy(dtype=object)
    got = np.empty(len(rows), dtype=object)
    got[found] = res[rows[found]]
    got[~found] = np.nan
    s = pd.Series(got)
    try:
        s = pd.to_numeric(s) if all(isinstance(v, (int, float, np.number)) and
                                    not isinstance(v, bool) for v in got) else s
    except (TypeError, ValueError):
        pass
    return s.to_numpy()
