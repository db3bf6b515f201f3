"""R's ``from:to`` when an operand is not a number literal (R 4.2 ``?Colon``): steps of 1
up or down (``n:1`` counts down, ``1:0`` is ``c(1, 0)``), from a whole-valued double too
(``1:round(x)``; Python's ``range`` needs an int); a fractional ``from`` gives doubles
(``1.5:3`` is 1.5, 2.5). The first element of a longer operand is used, as R does (with
its warning)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.warning_classes import AsrWarning

__all__ = ["r_colon"]


def _one(x: Any, which: str) -> float:
    if isinstance(x, (list, tuple, range, np.ndarray)) or hasattr(x, "to_numpy"):
        vals = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else list(x)
                          if isinstance(x, (list, tuple, range)) else x).ravel()
        if vals.size == 0:
            raise AsrError(f"from:to: argument of length 0 ({which})",
                           hint="the value is empty (NULL or a zero-length vector)")
        if vals.size > 1:
            warnings.warn(f"numerical expression has {vals.size} elements: only the first "
                          "used", AsrWarning, stacklevel=3)
        x = vals[0]
    try:
        v = float(x)
    except (TypeError, ValueError) as exc:
        raise AsrError(f"from:to: {which} is {x!r}, not a number",
                       hint="R's a:b needs numbers") from exc
    if math.isnan(v):
        raise AsrError(f"from:to: NA/NaN argument ({which})", hint="check the value is known")
    return v


def r_colon(a: Any, b: Any) -> Any:
    """R's ``a:b``: a ``range`` of ints when ``a`` is whole-valued (up or down), else the
    list of doubles ``a, a ± 1, ...`` not beyond ``b``."""
    for x in (a, b):
        if isinstance(x, Untranslated):
            return x._use()
    fa, fb = _one(a, "from"), _one(b, "to")
    n = int(math.floor(abs(fb - fa) + 1e-10))
    step = 1 if fb >= fa else -1
    if fa == int(fa):
        start = int(fa)
        return range(start, start + step * (n + 1), step)
    return [fa + step * k for k in range(n + 1)]
