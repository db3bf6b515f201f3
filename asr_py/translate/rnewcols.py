"""R's ``x[i, j] <- value`` of a data frame with numeric column positions past its last
column: ``[<-.data.frame`` adds the columns (R 4.2).

* the new columns take the names of ``value`` when it is a data frame (or list), at the
  same positions as in ``j``, else ``V<position>`` (an atomic vector's names are not used);
* ``make.unique()`` over the old and new names: ``a`` beside an ``a`` becomes ``a.1``;
* a position beyond the new last column is R's error "new columns would leave holes after
  existing columns";
* the new columns hold ``NA`` where ``i`` does not reach (then the assignment fills them).

``res <- data.frame(ls = NA); res[, 1:n] <- round(df[1, ], 3)`` (a one-row frame spread
into n columns) is the idiom.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.rchecknames import make_unique

__all__ = ["add_positional_columns"]


def _positions(j: Any) -> list[int] | None:
    """The 1-based positions of a numeric ``j`` (None for names, masks, NULL)."""
    if j is None or isinstance(j, str):
        return None
    seq = list(j) if isinstance(j, (list, tuple, range, np.ndarray, pd.Series, pd.Index)) \
        else [j]
    if not seq or not all(isinstance(v, (int, float, np.integer, np.floating))
                          and not isinstance(v, (bool, np.bool_)) for v in seq):
        return None
    return [int(v) for v in seq]


def add_positional_columns(x: pd.DataFrame, j: Any, value: Any) -> pd.DataFrame:
    """``x`` with the columns ``x[, j] <- value`` adds (see the module docstring); ``x``
    itself when ``j`` adds none."""
    pos = _positions(j)
    n = x.shape[1]
    if pos is None or not pos or max(pos) <= n or min(pos) < 0:
        return x
    new = sorted({p for p in pos if p > n})
    if new != list(range(n + 1, n + len(new) + 1)):
        raise AsrError("x[i, j] <- value: new columns would leave holes after existing "
                       f"columns (column {max(new)} of a data frame of {n})",
                       hint="R adds columns only right after the last one")
    names = [str(c) for c in value.columns] if isinstance(value, pd.DataFrame) else None
    if names is not None and len(names) != len(pos):
        names = None
    wanted = []
    for p in new:
        k = pos.index(p)
        wanted.append(names[k] if names is not None else f"V{p}")
    full = make_unique([str(c) for c in x.columns] + wanted)
    x = x.copy()
    for name in full[n:]:
        x[name] = np.nan
    return x
