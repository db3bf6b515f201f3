"""R's ``shapiro.test(x)`` (stats): the Shapiro-Wilk test of normality.

R (``stats:::shapiro.test``): ``x`` must be numeric; missing values are dropped; the
sample size must be between 3 and 5000 ("sample size must be between 3 and 5000") and
the values not all identical ("all 'x' values are identical"). W is

    W = (sum_i a_i x_(i))^2 / sum_i (x_i - mean(x))^2

with Royston's (1995, algorithm AS R94) coefficients ``a`` and p-value (exact for n = 3:
``p = 6/pi (asin(sqrt(W)) - asin(sqrt(3/4)))``), the algorithm of R's ``swilk.c`` and of
scipy's ``shapiro``. The value is an htest (rhtest.py): ``statistic`` ``c(W = )``,
``p.value``, ``method`` "Shapiro-Wilk normality test", ``data.name`` the argument's code.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.rhtest import RHtest

__all__ = ["r_shapiro_test", "translate"]


def translate(tr: Any, e: Any) -> str | None:
    """``shapiro.test(x)`` -> ``r_shapiro_test(x, 'x')``; None for another form."""
    args = [(n, a) for n, a in e.args if a.kind != "empty"]
    if len(args) != 1 or args[0][0] not in (None, "x"):
        return None
    x = args[0][1]
    return f"{tr.runtime('r_shapiro_test')}({tr.py(x)}, {tr.src(x)!r})"


def r_shapiro_test(x: Any, data_name: str = "x") -> Any:
    """``shapiro.test(x)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        # an R matrix (translated as a data frame) is a numeric vector by column
        if not all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes):
            raise AsrError(f"shapiro.test(): {data_name} is a data frame; R requires a "
                           "numeric vector (is.numeric(x) is not TRUE)",
                           hint="pass one column, e.g. shapiro.test(d$y)")
        x = x.to_numpy(dtype=float).ravel(order="F")
    s = pd.Series(np.ravel(np.asarray(x, dtype=object)))
    if len(s) and not all(v is None or isinstance(v, (int, float, np.number)) and
                          not isinstance(v, (bool, np.bool_)) for v in s):
        raise AsrError(f"shapiro.test(): {data_name} is not numeric (R: is.numeric(x) is "
                       "not TRUE)", hint="convert it with as.numeric() first")
    v = np.sort(pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float))
    n = len(v)
    if n < 3 or n > 5000:
        raise AsrError(f"shapiro.test(): sample size must be between 3 and 5000 "
                       f"({data_name} has {n} non-missing values)")
    rng = v[-1] - v[0]
    if rng < 1e-10:
        raise AsrError(f"shapiro.test(): all 'x' values are identical ({data_name})")
    if rng * (1 + 1e-10) < 1:
        v = v / rng                    # R rescales a narrow sample (W is scale-free)
    w, p = stats.shapiro(v)
    return RHtest({"W": float(w)}, float(p), "Shapiro-Wilk normality test", data_name)
