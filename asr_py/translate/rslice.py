"""dplyr's ``slice(.data, ...)``: the rows at those 1-based positions (``n()`` inside is
the number of rows: ``slice(d, 2:n())``), negative positions drop rows, positions past
the end are ignored; ``slice_head(n = k)`` / ``slice_tail(n = k)`` the first/last k rows.
``slice_max(order_by, n = 1, with_ties = TRUE, na_rm = FALSE)`` / ``slice_min``: the rows of
the n largest (smallest) values of ``order_by`` (a data-mask expression), in that order (ties
in row order), with every row tied with the n-th when ``with_ties``; missing values come last
(dropped with ``na_rm``). A data frame's row names are kept (dplyr keeps them on a
data.frame)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_slice", "r_slice_by", "translate"]

FUNCTIONS = ("slice", "slice_head", "slice_tail", "slice_max", "slice_min")
_MAX_ARGS = ("n", "with_ties", "na_rm")


def translate(tr: Any, e: R) -> str | None:
    """The Python of ``slice(d, ...)``, ``slice_head(d, n = k)``, ``slice_tail(d, n = k)``
    (data first or ``.data =``); None for other forms (``prop =``, ``by =``)."""
    data = [a for n, a in e.args if n == ".data"] or [a for n, a in e.args if n is None][:1]
    if not data:
        return None
    rest = [(n, a) for n, a in e.args if a is not data[0]]
    d = tr.py(data[0])
    if e.value in ("slice_max", "slice_min"):
        key = [a for n, a in rest if n in (None, "order_by")]
        if len(key) != 1 or any(n not in (None, "order_by", *_MAX_ARGS) for n, _ in rest):
            return None
        by = tr.in_data(data[0], lambda: tr.py(key[0]))
        kw = "".join(f", {n}={tr.py(a)}" for n, a in rest if n in _MAX_ARGS)
        big = "True" if e.value == "slice_max" else "False"
        return f"{tr.runtime('r_slice_by')}({d}, {by}, largest={big}{kw})"
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


def r_slice_by(d: Any, by: Any, largest: bool = True, n: Any = 1, with_ties: bool = True,
               na_rm: bool = False) -> Any:
    """dplyr's ``slice_max(d, by, n)`` (``largest``) / ``slice_min``: see the module's
    docstring."""
    for v in (d, by):
        if isinstance(v, Untranslated):
            return v._use()
    if not isinstance(d, pd.DataFrame):
        raise AsrError(f"slice_max()/slice_min(): data must be a data frame, not "
                       f"{type(d).__name__}", hint="sort a vector with sort() instead")
    key = pd.Series(np.broadcast_to(np.asarray(by), (len(d),)) if np.ndim(by) == 0 else
                    np.asarray(by)).reset_index(drop=True)
    if len(key) != len(d):
        raise AsrError(f"slice_max()/slice_min(): order_by has {len(key)} values for "
                       f"{len(d)} rows", hint="order by a column of the data")
    ok = key.notna().to_numpy()
    known = np.flatnonzero(ok)
    order = known[np.argsort(-key[ok].to_numpy() if largest else key[ok].to_numpy(),
                             kind="stable")] if len(known) else known
    rows = list(order) if na_rm else list(order) + list(np.flatnonzero(~ok))
    k = min(max(int(n), 0), len(rows))
    if with_ties and 0 < k < len(rows) and rows[k - 1] in known:
        last = key.iloc[rows[k - 1]]
        while k < len(rows) and ok[rows[k]] and key.iloc[rows[k]] == last:
            k += 1
    return d.iloc[rows[:k]]
