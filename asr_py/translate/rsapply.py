"""R's ``sapply(X, FUN, ..., simplify = TRUE, USE.NAMES = TRUE)`` (and ``vapply``): FUN of
each element of X (rbase.r_iter: a list's values, a data frame's columns, a vector's
elements), then R's simplification:

* names: X's names (a named list, a data frame's column names, a named vector), or X itself
  when X is a character vector without names (``USE.NAMES``);
* every result one value: a vector (a Series on the names when there are names, else a
  list);
* every result of one length n > 1: an n x length(X) matrix, one column per element (a
  data frame on the names when there are names, else a 2-D array);
* otherwise a list (keyed by the names when there are names).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_sapply", "simplify"]


def _names(x: Any) -> list[str] | None:
    if isinstance(x, dict):
        return [str(k) for k in x]
    if isinstance(x, pd.DataFrame):
        return [str(c) for c in x.columns]
    if isinstance(x, pd.Series) and len(x) and all(isinstance(i, str) for i in x.index):
        return list(x.index)
    vals = x.tolist() if isinstance(x, pd.Series | np.ndarray) else x
    if isinstance(vals, list | tuple) and vals and all(isinstance(v, str) for v in vals):
        return list(vals)
    if isinstance(x, str):
        return [x]
    return None


def _length(v: Any) -> int:
    if isinstance(v, str) or np.ndim(v) == 0:
        return 1
    if isinstance(v, dict):
        return len(v)
    return len(v) if hasattr(v, "__len__") else 1


def _scalar(v: Any) -> Any:
    if isinstance(v, str) or np.ndim(v) == 0:
        return v.item() if isinstance(v, np.generic) else v
    if isinstance(v, dict):
        return next(iter(v.values()))
    return list(v.values() if isinstance(v, dict) else
                (v.to_numpy() if isinstance(v, pd.Series) else v))[0]


def r_sapply(x: Any, fn: Callable[[Any], Any], use_names: bool = True) -> Any:
    """``sapply(x, fn)`` with R's names and simplification (module docstring)."""
    from asr_py.translate.rbase import r_iter

    if isinstance(x, Untranslated):
        return x._use()
    vals = [fn(e) for e in r_iter(x)]
    names = _names(x) if use_names else None
    return simplify(vals, names)


def simplify(vals: list[Any], names: list[str] | None) -> Any:
    """R's ``simplify2array`` of sapply/mapply results ``vals`` named ``names`` (module
    docstring)."""
    from asr_py.compat.rlist import RList

    if names is not None and len(names) != len(vals):
        names = None
    if any(isinstance(v, Untranslated) for v in vals):
        return next(v for v in vals if isinstance(v, Untranslated))._use()
    lengths = {_length(v) for v in vals}
    if vals and lengths == {1} and not any(isinstance(v, pd.DataFrame) for v in vals):
        flat = [_scalar(v) for v in vals]
        return pd.Series(flat, index=names) if names is not None else flat
    if vals and len(lengths) == 1 and lengths.pop() > 1 and all(
            isinstance(v, list | tuple | np.ndarray | pd.Series) and np.ndim(v) == 1
            for v in vals):
        cols = [np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v) for v in vals]
        arr = np.column_stack(cols)
        inner = vals[0].index if isinstance(vals[0], pd.Series) and all(
            isinstance(i, str) for i in vals[0].index) else None
        if names is not None or inner is not None:
            return pd.DataFrame(arr, index=inner, columns=names)
        return arr
    if names is not None:
        return RList(zip(names, vals, strict=True))
    return vals
