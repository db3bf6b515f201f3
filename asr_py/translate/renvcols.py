"""A model formula's variables that are not columns of ``data`` (R's formula environment).

asreml(), like every model-frame based R fit, finds a formula variable that ``data`` lacks in
the environment the formula was written in: ``y <- matrix(d$yield); asreml(y ~ 1 + block,
data = d)`` fits the script's ``y``. :func:`r_env_columns` adds such variables to a copy of
the data frame, one column each, when the value has one element per row (a vector or a
one-column matrix); a column of the data always wins, as in R. Anything else is left out,
so the fit reports the missing column with its position in the formula.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["formula_names", "r_env_columns"]

_NAME = re.compile(r"(?<![\w.'\"])([A-Za-z.][\w.]*)(?![\w.]*\s*\()")


def formula_names(*texts: str) -> list[str]:
    """The bare variable names of formula texts (function names, numbers and strings out)."""
    out: list[str] = []
    for t in texts:
        t = re.sub(r"'[^']*'|\"[^\"]*\"", " ", t)
        for m in _NAME.finditer(t):
            if m.group(1) not in out:
                out.append(m.group(1))
    return out


def _as_column(v: Any, n: int) -> np.ndarray | None:
    if isinstance(v, (Untranslated, str, bytes, dict)) or v is None or callable(v):
        return None
    if isinstance(v, pd.DataFrame):
        v = v.to_numpy() if v.shape[1] == 1 else None
    if v is None:
        return None
    try:
        a = np.asarray(v)
    except (TypeError, ValueError):
        return None
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    return a if a.ndim == 1 and a.size == n and n > 1 else None


def r_env_columns(data: Any, env: dict[str, Any]) -> Any:
    """``data`` with each ``env`` value it has no column of as a column (one value per
    row; others left out); ``data`` itself when nothing is added."""
    if not isinstance(data, pd.DataFrame):
        return data
    add = {}
    for name, v in env.items():
        if name in data.columns:
            continue
        col = _as_column(v, len(data))
        if col is not None:
            add[name] = col
    return data.assign(**add) if add else data
