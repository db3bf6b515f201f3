"""tibble's ``remove_rownames(.data)`` in translated scripts: "removes all row names"
(tibble ``?rownames``), so the data frame has R's automatic row names 1..n again, held as
pandas' default RangeIndex (0..n-1, as a data frame read from a file has). The data frame
passed is not changed (R copies on modify).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_remove_rownames"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "remove_rownames": ("r_remove_rownames", (".data",), ("tibble",)),
}


def r_remove_rownames(_data: Any) -> Any:
    """``remove_rownames(d)``: ``d`` with row names 1..n (a RangeIndex)."""
    if isinstance(_data, Untranslated):
        return _data._use()
    if not isinstance(_data, pd.DataFrame):
        raise AsrError(f"remove_rownames(): a data frame is needed, not "
                       f"{type(_data).__name__}", hint="tibble's remove_rownames(.data)")
    return _data.reset_index(drop=True)
