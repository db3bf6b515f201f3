"""R's ``NA %in% x`` for translated scripts: whether ``x`` holds a missing value.

R's ``match()`` matches NA to NA, so ``NA %in% x`` is ``any(is.na(x))`` (one logical, FALSE
for an empty x). The translation writes R's NA as Python's None, which also stands for
NULL (``NULL %in% x`` is ``logical(0)``), so the literal NA on the left is recognised when
translating and given this helper.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_na_in"]


def r_na_in(table: Any) -> bool:
    """``NA %in% table``: any missing value (None, NaN, NA) among ``table``'s values."""
    if isinstance(table, Untranslated):
        return table._use()  # type: ignore[no-any-return]
    if table is None:
        return False
    if isinstance(table, dict):
        table = list(table.values())
    if isinstance(table, pd.DataFrame):
        return bool(table.isna().to_numpy().any())
    vals = table if isinstance(table, (list, tuple, pd.Series, pd.Index, np.ndarray)) \
        else [table]
    return bool(pd.isna(pd.Series(list(np.asarray(vals, dtype=object).ravel()),
                                  dtype=object)).any())
