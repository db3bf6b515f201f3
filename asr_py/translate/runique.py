"""R's ``unique(x)``: of a data frame (``d %>% select(a, b) %>% unique()``) its distinct rows,
the first of each, with their row names (unique.data.frame); of a matrix its distinct rows
too; of a vector or column its distinct values in order of first appearance (``pd.unique``,
missing values kept once)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["r_unique", "translate"]


def r_unique(x: Any) -> Any:
    """``unique(x)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        return x.drop_duplicates()
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return pd.DataFrame(x).drop_duplicates().to_numpy()
    if isinstance(x, (list, tuple, range)):
        x = pd.Series(list(x))          # c(3, 1, 3): pd.unique refuses a list
    elif isinstance(x, (str, bytes, int, float, bool, np.generic)):
        x = pd.Series([x])              # one value (R: a vector of length 1) is itself
    return pd.unique(x)


def translate(tr: Any, e: R) -> str | None:
    """``unique(x)`` of an expression that may be a data frame (not a column ``d$x``)."""
    if len(e.args) != 1 or e.args[0][0] not in (None, "x"):
        return None
    x = e.args[0][1]
    if x.kind == "dollar" or x.kind == "index" and x.value == "[[":
        return None                         # a column: pd.unique, as before
    return f"{tr.runtime('r_unique')}({tr.py(x)})"
