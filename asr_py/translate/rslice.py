"""dplyr's ``slice(.data, ...)``: the rows at those 1-based positions (``n()`` inside is
the number of rows: ``slice(d, 2:n())``), negative positions drop rows, positions past
the end are ignored; ``slice_head(n = k)`` / ``slice_tail(n = k)`` the first/last k rows.
A data frame's row names are kept (dplyr keeps them on a data.frame)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_slice", "translate"]

FUNCTIONS = ("slice", "slice_head", "slice_tail")


def translate(tr: Any, e: R) -> str | None:
    """The Python of ``slice(d, ...)``, ``slice_head(d, n = k)``, ``slice_tail(d, n = k)``
    (data first or ``.data =``); None for other forms (``prop =``, ``by =``)."""
    data = [a for n, a in e.args if n == ".data"] or [a for n, a in e.args if n is None][:1]
    if not data:
        return None
    rest = [(n, a) for n, a in e.args if a is not data[0]]
    d = tr.py(data[0])
    if e.value == "slice":
        if not rest or any(n is not None for n, _ in rest):
            return None
        pos = ", ".join(tr.in_data(data[0], lambda a=a: tr.py(a)) for _, a in rest)
        return f"{tr.runtime('r_slice')}({d}, [{pos}])"
    if len(rest) != 1 or rest[0][0] != "n":
        return None
    tail = ", tail=True" if e.value == "slice_tail" else ""
    return f"{tr.runtime('r_slice')}({d}, None, n={tr.py(rest[0][1])}{tail})"


def _flat(v: Any) -> list[int]:
    if isinstance(v, (list, tuple, range, np.ndarray, pd.Series, pd.Index)):
        return [x for item in v for x in _flat(item)]
    return [int(v)]


def r_slice(d: Any, at: Any = None, n: Any = None, tail: bool = False) -> Any:
    """``slice(d, at)`` / ``slice_head(d, n)`` / ``slice_tail(d, n)``: see the module's
    docstring."""
    if isinstance(d, Untranslated):
        return d._use()
    if not isinstance(d, pd.DataFrame):
        raise AsrError(f"slice(): data must be a data frame, not {type(d).__name__}",
                       hint="x[i] selects elements of a vector")
    rows = len(d)
    if at is None:
        k = min(max(int(n), 0), rows)
        return d.iloc[rows - k:] if tail else d.iloc[:k]
    pos = _flat(at)
    if any(p < 0 for p in pos) and any(p > 0 for p in pos):
        raise AsrError("slice(): positive and negative positions mixed",
                       hint="dplyr allows only one kind")
    if pos and all(p < 0 for p in pos):
        drop = {-p - 1 for p in pos}
        return d.iloc[[i for i in range(rows) if i not in drop]]
    return d.iloc[[p - 1 for p in pos if 0 < p <= rows]]
