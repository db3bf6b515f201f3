"""Base R's ``diff(x, lag = 1, differences = 1)`` in translated scripts (R 4 ``?diff``).

For a vector, ``diff`` is ``x[(1 + lag):n] - x[1:(n - lag)]``, applied ``differences``
times ("if differences > 1 the algorithm is applied recursively to x"); a result shorter
than one element is the empty vector. For a matrix the differences are between rows
(``diff(diag(n))``: the (n - 1) x n first-difference matrix a P-spline penalty is built
from). A missing value gives missing differences. A named vector keeps the names of the
later elements (R subtracts from ``x[-(1:lag)]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_diff"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "diff": ("r_diff", ("x", "lag", "differences"), ("base",)),
}


def _whole(v: Any, what: str) -> int:
    k = float(np.asarray(v).ravel()[0]) if np.ndim(v) else float(v)
    if not k.is_integer() or k < 1:
        raise AsrError(f"diff(): '{what}' must be a whole number >= 1, not {v!r}",
                       hint="R stops with \"'lag' and 'differences' must be integers >= 1\"")
    return int(k)


def r_diff(x: Any, lag: Any = 1, differences: Any = 1) -> Any:
    """``diff(x, lag, differences)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    lag_, nd = _whole(lag, "lag"), _whole(differences, "differences")
    if isinstance(x, pd.DataFrame):
        if not all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes):
            raise AsrError("diff() of a data frame with a non-numeric column",
                           hint="R's diff() takes a numeric vector or matrix")
        a = x.to_numpy(dtype=float)
        for _ in range(nd):
            a = a[lag_:] - a[:-lag_] if a.shape[0] > lag_ else a[:0]
        return pd.DataFrame(a, index=x.index[len(x) - a.shape[0]:], columns=x.columns)
    if isinstance(x, pd.Series):
        named = not isinstance(x.index, pd.RangeIndex)
        vals = x.to_numpy(dtype=float)
        for _ in range(nd):
            vals = vals[lag_:] - vals[:-lag_] if vals.size > lag_ else vals[:0]
        return pd.Series(vals, index=x.index[len(x) - vals.size:]) if named else vals
    a = np.asarray(list(x) if isinstance(x, (list, tuple, range)) else x)
    if a.dtype.kind not in "biuf":
        try:
            a = a.astype(float)
        except (TypeError, ValueError):
            raise AsrError("diff() of a non-numeric vector",
                           hint="R's diff() takes numbers (dates are not translated)") from None
    a = a.astype(float) if a.dtype.kind == "b" else a
    if a.ndim == 0:
        a = a.reshape(1)
    for _ in range(nd):
        a = a[lag_:] - a[:-lag_] if a.shape[0] > lag_ else a[:0]
    return a
