"""Base R's ``as.logical(x)`` in translated scripts (R 4 ``?as.logical``): "Character strings
c("T", "TRUE", "true", "True") are regarded as true, c("F", "FALSE", "false", "False") as
false, and all others as NA"; for numbers zero is FALSE and any other value TRUE, NA/NaN
give NA; a factor is converted by its labels; a logical is returned as it is. One value
gives one logical (NA as ``pd.NA``, so that ``if (NA)`` fails as in R: "missing value
where TRUE/FALSE needed"); a vector gives a pandas boolean array (a Series keeps its index).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_as_logical"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "as.logical": ("r_as_logical", ("x",), ("base",)),
}

_TRUE = frozenset({"T", "TRUE", "true", "True"})
_FALSE = frozenset({"F", "FALSE", "false", "False"})


def _one(v: Any) -> Any:
    if v is None or v is pd.NA or isinstance(v, float) and np.isnan(v):
        return pd.NA
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, str):
        return True if v in _TRUE else False if v in _FALSE else pd.NA
    if isinstance(v, int | float | np.integer | np.floating):
        return bool(v != 0)
    return pd.NA


def r_as_logical(x: Any) -> Any:
    """R's ``as.logical(x)``: one value -> True/False/pd.NA; a vector -> boolean array."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.Series):
        vals = x.astype(object) if isinstance(x.dtype, pd.CategoricalDtype) else x
        return pd.Series(pd.array([_one(v) for v in vals], dtype="boolean"), index=x.index,
                         name=x.name)
    if isinstance(x, str | bool | int | float | np.generic) or x is None:
        return _one(x)
    return pd.array([_one(v) for v in np.ravel(np.asarray(list(x), dtype=object))],
                    dtype="boolean")
