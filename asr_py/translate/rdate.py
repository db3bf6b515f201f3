"""base R's ``as.Date(x, format = "%Y%m%d")``: text (or whole numbers read as text, such
as 20230512) to dates (pandas Timestamps; a Series of datetime64); without ``format``
R's defaults ``"%Y-%m-%d"`` then ``"%Y/%m/%d"``; a string that does not match is NA.
Dates subtract to time differences (R's difftime in days), which ``as.numeric`` /
``as.vector`` turn into numbers of days (rbase.r_as_vector)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_as_date"]


def _text(v: Any) -> Any:
    if v is None or isinstance(v, float) and v != v:
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _one(s: Any, fmt: str | None) -> Any:
    if s is None:
        return pd.NaT
    for f in ([fmt] if fmt else ["%Y-%m-%d", "%Y/%m/%d"]):
        got = pd.to_datetime(s, format=f, errors="coerce")
        if got is not pd.NaT:
            return got
    return pd.NaT


def r_as_date(x: Any, format: str | None = None, tryFormats: Any = None) -> Any:  # noqa: A002,N803
    """``as.Date(x, format)``: see the module's docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    fmt = format if format is not None else (tryFormats if isinstance(tryFormats, str)
                                             else None)
    if isinstance(x, pd.Series):
        return pd.Series([_one(_text(v), fmt) for v in x], index=x.index,
                         dtype="datetime64[ns]")
    if isinstance(x, (list, tuple, np.ndarray, pd.Index)):
        return pd.Series([_one(_text(v), fmt) for v in x], dtype="datetime64[ns]")
    return _one(_text(x), fmt)
