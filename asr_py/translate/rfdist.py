"""R's F distribution for translated scripts: ``pf(q, df1, df2, lower.tail = TRUE)`` is
P(F <= q) for F ~ F(df1, df2) (``lower.tail = FALSE``: P(F > q), the p-value of an F test);
``qf(p, df1, df2, lower.tail = TRUE)`` its quantile. ``ncp`` (non-central F) and
``log.p`` are refused with a clear error. Vectors give arrays, scalars floats (scipy.stats.f).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_pf", "r_qf"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "pf": ("r_pf", ("q", "df1", "df2", "ncp", "lower.tail", "log.p"), ("stats",)),
    "qf": ("r_qf", ("p", "df1", "df2", "ncp", "lower.tail", "log.p"), ("stats",)),
}


def _args(fn: str, x: Any, df1: Any, df2: Any, ncp: Any, log_p: bool) -> tuple[Any, ...]:
    for v in (x, df1, df2):
        if isinstance(v, Untranslated):
            v._use()
    if ncp is not None:
        raise AsrError(f"{fn}(ncp = ): the non-central F distribution is not translated")
    if log_p:
        raise AsrError(f"{fn}(log.p = TRUE): not translated", hint="take log() of the value")
    if df1 is None or df2 is None:
        raise AsrError(f"{fn}(): both degrees of freedom df1 and df2 are needed")

    def arr(v: Any) -> Any:
        return np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v, dtype=float)
    return arr(x), arr(df1), arr(df2)


def _out(v: Any) -> Any:
    return float(v) if np.ndim(v) == 0 else v


def r_pf(q: Any, df1: Any = None, df2: Any = None, ncp: Any = None, lower_tail: bool = True,
         log_p: bool = False) -> Any:
    """``pf(q, df1, df2, lower.tail)``: the F distribution function (upper tail if not
    ``lower.tail``)."""
    from scipy import stats

    x, d1, d2 = _args("pf", q, df1, df2, ncp, log_p)
    return _out(stats.f.cdf(x, d1, d2) if lower_tail else stats.f.sf(x, d1, d2))


def r_qf(p: Any, df1: Any = None, df2: Any = None, ncp: Any = None, lower_tail: bool = True,
         log_p: bool = False) -> Any:
    """``qf(p, df1, df2, lower.tail)``: the F quantile (of the upper tail if not
    ``lower.tail``)."""
    from scipy import stats

    x, d1, d2 = _args("qf", p, df1, df2, ncp, log_p)
    return _out(stats.f.ppf(x, d1, d2) if lower_tail else stats.f.isf(x, d1, d2))
