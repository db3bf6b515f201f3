"""dplyr's ``filter(.data, cond, .by = g)`` (dplyr 1.1's per-operation grouping): each
condition is evaluated within each group of ``g`` (``n()`` the group's size, ``mean(x)``
the group's mean), and the rows of every group where it holds are kept, in the data's
order. ``.by`` names one column or several (``c(a, b)``, strings too)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable

__all__ = ["by_columns", "r_filter_by"]


def by_columns(tr: Any, e: R) -> list[str]:
    """The column names of a ``.by`` argument (a bare name, a string, ``c(...)`` of them)."""
    items = e.args if e.kind == "call" and e.value == "c" else [(None, e)]
    out = []
    for n, a in items:
        if n is not None or a.kind not in ("name", "str"):
            raise Untranslatable(f"filter() argument .by = {tr.src(e)}")
        out.append(a.value)
    return out


def r_filter_by(d: Any, by: list[str], cond: Callable[[pd.DataFrame], Any]) -> Any:
    """The rows of ``d`` where ``cond(group)`` holds within their group of ``by``."""
    if isinstance(d, Untranslated):
        return d._use()
    if not isinstance(d, pd.DataFrame):
        raise AsrError(f"filter(.by = ...): data must be a data frame, not {type(d).__name__}",
                       hint="filter(data, cond, .by = column)")
    missing = [c for c in by if c not in d.columns]
    if missing:
        raise AsrError(f"filter(.by = ...): no column {missing[0]!r} in the data",
                       hint="columns: " + ", ".join(map(str, d.columns[:12])))
    keep = pd.Series(False, index=d.index)
    for _, g in d.groupby(by, sort=False, dropna=False, observed=True):
        got = cond(g)
        if isinstance(got, Untranslated):
            return got._use()
        mask = np.broadcast_to(np.asarray(got, dtype=object), (len(g),))
        keep.loc[g.index] = [bool(v) if v is not None and v == v else False for v in mask]
    return d[keep.to_numpy()]
