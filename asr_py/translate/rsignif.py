"""Base R's ``signif(x, digits = 6)`` (R 4 ``?Round``): "signif rounds the values in its
first argument to the specified number of significant digits" (``signif(123456, 2)`` is
120000, ``signif(0.0012345, 3)`` 0.00123); ``digits`` below 1 is taken as 1; zero, NA,
NaN and infinities are returned unchanged. A Series keeps its index, a data frame or
matrix its shape. The rounding is of the value's decimal expansion to ``digits``
significant digits (halves as the C library's ``%e``), as R's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_signif"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "signif": ("r_signif", ("x", "digits"), ("base",)),
}


def _one(v: float, d: int) -> float:
    if not np.isfinite(v) or v == 0:
        return v
    return float(f"{v:.{d - 1}e}")


def r_signif(x: Any, digits: Any = 6) -> Any:
    """``signif(x, digits)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    d = int(max(1, np.floor(float(np.ravel(np.asarray(digits, dtype=float))[0]))))
    vec = np.vectorize(lambda v: _one(float(v), d), otypes=[float])
    if isinstance(x, pd.DataFrame):
        if not all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes):
            raise AsrError("signif(): non-numeric argument to mathematical function",
                           hint="R stops too: apply it to the numeric columns")
        return pd.DataFrame(vec(x.to_numpy(dtype=float)), index=x.index, columns=x.columns)
    if isinstance(x, pd.Series):
        return pd.Series(vec(x.to_numpy(dtype=float)), index=x.index, name=x.name)
    if isinstance(x, str) or isinstance(x, list | tuple | np.ndarray) and any(
            isinstance(v, str) for v in np.ravel(np.asarray(x, dtype=object))):
        raise AsrError("signif(): non-numeric argument to mathematical function")
    if np.ndim(x) == 0:
        return _one(float(x), d)
    return vec(np.asarray(x, dtype=float))
