"""``pd.concat`` for R's rbind/cbind/bind_rows/rbindlist of data frames.

A data frame translate builds may carry a prediction's ``sed``/``vcov`` (data frames) in its
``attrs``; pandas' concat compares the parts' attrs with ``==`` and fails on such values
("The truth value of a DataFrame is ambiguous"). R's rbind keeps none of these extra
attributes, so the parts are stacked without them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["concat_frames"]


def _plain(x: Any) -> Any:
    """x without its attrs (a shallow copy) when it is a pandas object carrying any."""
    if isinstance(x, (pd.DataFrame, pd.Series)) and x.attrs:
        x = x.copy(deep=False)
        x.attrs = {}
    return x


def concat_frames(parts: Any, **kwargs: Any) -> Any:
    """``pd.concat(parts, **kwargs)`` with the parts' attrs dropped (see the module doc)."""
    return pd.concat([_plain(p) for p in parts], **kwargs)
