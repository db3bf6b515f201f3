"""dplyr's data-mask pronouns and ``between()``.

Inside ``filter()``/``mutate()``/``subset()`` (bare names are the data's columns), the
pronoun ``.data`` is the data itself and ``.env`` the script's variables:
``.data[[trait]]`` is the column named by the variable ``trait`` (not a column called
``.data``), ``.data$a`` the column ``a``, ``.env$x`` / ``.env[["x"]]`` the variable ``x``
even when the data has a column ``x``. ``between(x, left, right)`` is
``x >= left & x <= right`` element by element (dplyr's and data.table's).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["pronoun", "r_between"]


def _outside(tr: Any, e: R) -> str:
    """``e`` translated as the script's own value (not a column of the masked data)."""
    old = tr.data_cols
    tr.data_cols = None
    try:
        return tr.py(e)
    finally:
        tr.data_cols = old


def pronoun(tr: Any, e: R) -> str | None:
    """The Python of ``.data[[x]]``, ``.data$a``, ``.env$x``, ``.env[[x]]`` inside a data
    mask (``tr.data_cols`` set); None for anything else."""
    left = e.left
    if not tr.data_cols or left is None or left.kind != "name" or \
            left.value not in (".data", ".env"):
        return None
    if e.kind == "dollar":
        key = repr(e.value)
        if left.value == ".env":
            return _outside(tr, R("name", e.value, start=e.start, end=e.end))
    elif e.kind == "index" and e.value == "[[" and len(e.args) == 1:
        a = e.args[0][1]
        if left.value == ".env":
            if a.kind != "str":
                return None
            return _outside(tr, R("name", a.value, start=a.start, end=a.end))
        key = _outside(tr, a)
    else:
        return None
    return f"{tr.data_cols}[{key}]"


def r_between(x: Any, left: Any, right: Any) -> Any:
    """``between(x, left, right)``: see the module's docstring (NA stays NA: False here, so
    filter() drops the row as R does)."""
    for v in (x, left, right):
        if isinstance(v, Untranslated):
            return v._use()
    if isinstance(x, pd.Series):
        return (x >= left) & (x <= right)
    if np.ndim(x) == 0:
        return bool(left <= x <= right) if x == x else False
    a = np.asarray(x, dtype=float)
    return (a >= left) & (a <= right)
