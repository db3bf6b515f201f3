"""R's ``quantile(x, probs = seq(0, 1, 0.25), na.rm = FALSE, names = TRUE, type = 7)``.

R (``?quantile``, ``stats:::quantile.default``): sample quantiles of Hyndman & Fan's
``type`` 1-9; the default type 7 is ``x[j] + g (x[j+1] - x[j])`` with ``h = (n - 1) p``,
``j = floor(h)``, ``g = h - j`` (numpy's method of the same number: 'linear' for 7,
'inverted_cdf' for 1, ... 'normal_unbiased' for 9). A missing value in ``x`` is an error
unless ``na.rm = TRUE`` ("missing values and NaN's not allowed if 'na.rm' is FALSE");
``probs`` outside [0, 1] is an error; a factor is an error for types other than 1 and 3;
a matrix (a numeric data frame here) is its values by column.
The value is named ``paste0(formatC(100 * probs, format = "fg", digits = 7), "%")``
("25%", "2.5%", "33.33333%"): a Series here. One probability gives a plain number, since
pandas would not compare a one-element Series with a column as R recycles it.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_quantile"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "quantile": ("r_quantile", ("x", "probs", "na.rm", "names", "type"), ("stats",)),
}
_METHODS = {1: "inverted_cdf", 2: "averaged_inverted_cdf", 3: "closest_observation",
            4: "interpolated_inverted_cdf", 5: "hazen", 6: "weibull", 7: "linear",
            8: "median_unbiased", 9: "normal_unbiased"}


def _name(p: float) -> str:
    """R's ``formatC(100 * p, format = "fg", width = 1, digits = 7)`` followed by "%"."""
    return f"{100 * p:.7g}%"


def _values(x: Any, type_: int) -> np.ndarray:
    if isinstance(x, pd.DataFrame):
        # an R matrix (translated as a data frame) is a numeric vector by column
        if not all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes):
            raise AsrError("quantile(): x is a data frame with non-numeric columns; R "
                           "needs a numeric vector or matrix",
                           hint="pass one column, e.g. quantile(d$y)")
        x = x.to_numpy(dtype=float).ravel(order="F")
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype) or \
            isinstance(x, pd.Categorical):
        if type_ not in (1, 3):
            raise AsrError("quantile(): factors are not allowed (R: 'factors are not "
                           "allowed' except for type = 1 or 3)",
                           hint="use as.numeric(as.character(f)) for its values")
        raise AsrError("quantile() of a factor (type 1 or 3) is not translated")
    arr = np.ravel(np.asarray(x, dtype=object))
    try:
        return np.array([np.nan if v is None or v is pd.NA else float(v) for v in arr],
                        dtype=float)
    except (TypeError, ValueError):
        raise AsrError("quantile(): x is not numeric (R: non-numeric argument)",
                       hint="convert it with as.numeric() first") from None


def r_quantile(x: Any, probs: Any = None, na_rm: Any = False, names: Any = True,
               type: Any = 7) -> Any:  # noqa: A002 - R's argument name
    """``quantile(x, probs, na.rm, names, type)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    t = int(np.ravel(np.asarray(type, dtype=float))[0])
    if t not in _METHODS:
        raise AsrError(f"quantile(): type = {t}; R's types are 1 to 9")
    v = _values(x, t)
    p = np.array([0.0, 0.25, 0.5, 0.75, 1.0]) if probs is None else \
        np.ravel(np.asarray(probs, dtype=float))
    eps = 100 * np.finfo(float).eps
    if np.any((p < -eps) | (p > 1 + eps)):
        raise AsrError("quantile(): 'probs' outside [0,1]")
    p = np.clip(p, 0.0, 1.0)
    missing = np.isnan(v)
    if missing.any():
        if not bool(na_rm):
            raise AsrError("quantile(): missing values and NaN's not allowed if 'na.rm' is "
                           "FALSE", hint="quantile(x, ..., na.rm = TRUE) drops them")
        v = v[~missing]
    q = np.full(len(p), np.nan) if len(v) == 0 else \
        np.quantile(v, p, method=_METHODS[t])
    if len(p) == 1:
        return float(q[0])
    if not bool(names):
        return pd.Series(q)
    return pd.Series(q, index=[_name(float(pi)) for pi in p])
