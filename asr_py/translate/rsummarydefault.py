"""R's ``summary(x)`` of a vector (``summary.default``, ``summary.factor``): for numbers
the six values Min., 1st Qu., Median, Mean, 3rd Qu., Max. (quantiles of type 7, NA left
out) and NA's when some are missing; for a logical vector the counts of FALSE and TRUE
(Mode "logical"); for a factor held as a Categorical the count of each level. Other objects
(a data frame, a translated lm/aov fit) keep their own ``describe()``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

_NAMES = ["Min.", "1st Qu.", "Median", "Mean", "3rd Qu.", "Max."]


def r_summary_default(x: Any) -> Any:
    """``summary(x)``: R's summary of a vector, else ``x.describe()``."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame) or not isinstance(
            x, pd.Series | np.ndarray | list | tuple | range):
        return x.describe()
    s = pd.Series(list(x)) if not isinstance(x, pd.Series) else x
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.value_counts(sort=False).rename(None).rename_axis(None)
    vals = s.tolist()
    if vals and all(isinstance(v, bool | np.bool_) or v is None for v in vals):
        out = {"Mode": "logical", "FALSE": sum(v is False or v is np.False_ for v in vals),
               "TRUE": sum(bool(v) for v in vals if v is not None)}
        return pd.Series(out, dtype=object)
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(num[~np.isnan(num)]).all() or np.isnan(num).all() and len(s) and \
            not s.isna().all():
        return s.describe()                  # text: R gives Length, Class, Mode
    ok = num[~np.isnan(num)]
    q = np.quantile(ok, [0, 0.25, 0.5, 0.75, 1]) if ok.size else [np.nan] * 5
    out = pd.Series([q[0], q[1], q[2], ok.mean() if ok.size else np.nan, q[3], q[4]],
                    index=_NAMES)
    n_na = int(np.isnan(num).sum())
    if n_na:
        out["NA's"] = float(n_na)
    return out
