"""Grids of all combinations for translated scripts: base R's ``expand.grid()``, tidyr's
``expand_grid()`` and ``crossing()``.

* ``expand.grid(...)`` (R ``?expand.grid``): the first vector varies fastest; unnamed
  vectors are ``Var1``, ``Var2``, ...; with ``stringsAsFactors = TRUE`` (the default) text
  becomes a factor with its levels in the order given (``factor(x, levels = unique(x))``);
  a single list argument supplies the vectors.
* ``expand_grid(...)`` (tidyr): the first column varies slowest, values kept as given
  (duplicates too); a data frame argument contributes its rows as a unit.
* ``crossing(...)`` (tidyr): as ``expand_grid()`` of each vector's sorted unique values
  (a factor keeps its level order).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_crossing", "r_expand_grid", "r_tidyr_expand_grid"]

Cols = list[tuple[str | None, Any]]


def _values(v: Any, what: str) -> Any:
    """A vector as a pandas Series (factor -> categorical)."""
    if isinstance(v, Untranslated):
        return v._use()
    if isinstance(v, pd.DataFrame):
        return v
    if isinstance(v, (pd.Series, pd.Categorical, pd.Index)):
        return pd.Series(v).reset_index(drop=True)
    if isinstance(v, range):
        v = list(v)
    if isinstance(v, dict):
        raise AsrError(f"{what}: a named list is not a vector", hint="give vectors")
    a = np.asarray(v)
    if a.ndim > 1:
        raise AsrError(f"{what}: an argument has shape {a.shape}", hint="give vectors")
    return pd.Series(np.atleast_1d(a))


def _unnest_list(cols: Cols) -> Cols:
    """``expand.grid(list(a = ..., b = ...))``: the list's elements are the vectors."""
    if len(cols) == 1 and cols[0][0] is None and isinstance(cols[0][1], dict):
        return [(str(k), v) for k, v in cols[0][1].items()]
    return cols


def _product(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of every combination, the first part varying slowest."""
    sizes = [len(p) for p in parts]
    total = int(np.prod(sizes)) if sizes else 0
    out = []
    for k, p in enumerate(parts):
        inner = int(np.prod(sizes[k + 1:])) if k + 1 < len(sizes) else 1
        outer = int(np.prod(sizes[:k])) if k else 1
        idx = np.tile(np.repeat(np.arange(len(p)), inner), outer)
        out.append(p.iloc[idx].reset_index(drop=True))
    df = pd.concat(out, axis=1) if out else pd.DataFrame()
    assert len(df) == total
    return df


def r_expand_grid(cols: Cols, KEEP_OUT_ATTRS: bool = True,  # noqa: N803 - R's names
                  stringsAsFactors: bool = True) -> pd.DataFrame:
    """Base R's ``expand.grid(...)`` (see the module)."""
    cols = _unnest_list(cols)
    parts = []
    for k, (name, v) in enumerate(cols):
        s = _values(v, "expand.grid()")
        if isinstance(s, Untranslated):
            return s  # type: ignore[return-value]
        if isinstance(s, pd.DataFrame):
            raise AsrError("expand.grid(): a data frame argument",
                           hint="give vectors (tidyr's expand_grid() takes data frames)")
        if stringsAsFactors and not isinstance(s.dtype, pd.CategoricalDtype) and \
                len(s) and all(isinstance(x, str) for x in s):
            s = pd.Series(pd.Categorical(s, categories=list(dict.fromkeys(s))))
        parts.append(s.rename(name if name is not None else f"Var{k + 1}").to_frame())
    return _product(parts[::-1])[[p.columns[0] for p in parts]]


def _tidy_parts(cols: Cols, what: str, unique: bool) -> list[pd.DataFrame]:
    parts = []
    for name, v in cols:
        s = _values(v, what)
        if isinstance(s, pd.DataFrame):
            parts.append((s.drop_duplicates().sort_values(list(s.columns)) if unique else s)
                         .reset_index(drop=True))
            continue
        if name is None:
            raise AsrError(f"{what}: every vector needs a name (argument {len(parts) + 1} "
                           "has none)", hint=f"{what.rstrip('()')}(x = 1:3, y = c(\"a\", \"b\"))")
        if unique:
            if isinstance(s.dtype, pd.CategoricalDtype):
                s = pd.Series(pd.Categorical(s.cat.categories[s.cat.categories.isin(s)],
                                             categories=s.cat.categories))
            else:
                u = pd.Series(np.sort(s.dropna().unique()))
                s = (pd.concat([u, pd.Series([np.nan])]) if s.isna().any() else u
                     ).reset_index(drop=True)              # NA sorts last, as tidyr
        parts.append(s.rename(name).to_frame())
    return parts


def r_tidyr_expand_grid(cols: Cols, name_repair: str = "check_unique") -> pd.DataFrame:
    """tidyr's ``expand_grid(...)`` (see the module)."""
    return _product(_tidy_parts(cols, "expand_grid()", unique=False))


def r_crossing(cols: Cols, name_repair: str = "check_unique") -> pd.DataFrame:
    """tidyr's ``crossing(...)`` (see the module)."""
    return _product(_tidy_parts(cols, "crossing()", unique=True))
