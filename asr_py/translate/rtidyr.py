"""tidyr's ``drop_na()`` (joins, spread, gather, separate, unite: rjoin.py).

``drop_na(data)`` drops the rows with a missing value in any column; ``drop_na(data, a, b)``
(any tidyselect selection, subset's select rules) only those with one in the selected
columns. As a tibble, the rows kept are renumbered.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_drop_na", "translate"]

FUNCTIONS = ("drop_na",)


def translate(tr: Any, e: R) -> str | None:
    """The Python of ``drop_na(data, ...)`` (data first, or ``data =``); None otherwise."""
    from asr_py.translate.rjoin import _cols

    data = [a for n, a in e.args if n == "data"] or [a for n, a in e.args if n is None][:1]
    if not data:
        return None
    sel = [a for n, a in e.args if n is None and a is not data[0] and a.kind != "empty"]
    if len(sel) + 1 != len(e.args):
        return None                     # an argument drop_na does not have
    return f"{tr.runtime('r_drop_na')}({tr.py(data[0])}, {_cols(tr, sel)})"


def r_drop_na(d: Any, cols: Any = None) -> Any:
    """tidyr's ``drop_na(data, cols)``: see the module's docstring."""
    if isinstance(d, Untranslated):
        return d._use()
    if not isinstance(d, pd.DataFrame):
        raise AsrError(f"drop_na(): data must be a data frame, not {type(d).__name__}",
                       hint="drop_na(data) or drop_na(data, a, b)")
    from asr_py.translate.rjoin import _selected

    try:
        picked = _selected(d, cols, "drop_na()")
    except KeyError as err:
        raise AsrError(f"drop_na(): no column {err.args[0]!r} in the data",
                       hint="columns: " + ", ".join(map(str, d.columns[:12]))) from err
    return d.dropna(subset=picked).reset_index(drop=True)
