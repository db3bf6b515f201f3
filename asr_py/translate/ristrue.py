"""Base R's ``isTRUE(x)`` and ``isFALSE(x)`` in translated scripts (R 4 ``?isTRUE``):
``isTRUE(x)`` is ``is.logical(x) && length(x) == 1 && !is.na(x) && x``, so only a single
logical TRUE (names allowed) is TRUE: ``isTRUE(1)``, ``isTRUE(c(TRUE, TRUE))``,
``isTRUE(NA)`` and ``isTRUE(NULL)`` are FALSE. ``isFALSE(x)`` is the same for FALSE. Used in
conditions such as ``while (!isTRUE(fit$converge)) fit <- update(fit)``. The value of
untranslated R code is not a logical the translation knows: it is an error, never FALSE.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_isfalse", "r_istrue"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "isTRUE": ("r_istrue", ("x",), ("base",)),
    "isFALSE": ("r_isfalse", ("x",), ("base",)),
}


def _single_logical(x: Any) -> bool | None:
    """x's one logical value, or None when x is not one non-NA logical."""
    if isinstance(x, Untranslated):
        raise x._needs_value("isTRUE()/isFALSE()")
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple):
        vals = list(np.asarray(list(x) if not isinstance(x, np.ndarray) else x,
                               dtype=object).ravel())
        if len(vals) == 1 and isinstance(vals[0], bool | np.bool_):
            return bool(vals[0])
    return None


def r_istrue(x: Any) -> bool:
    """``isTRUE(x)``: see the module docstring."""
    return _single_logical(x) is True


def r_isfalse(x: Any) -> bool:
    """``isFALSE(x)``: see the module docstring."""
    return _single_logical(x) is False
