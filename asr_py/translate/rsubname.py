"""R's single bracket with one name, ``x["a"]``: on a data frame a data frame of that one
column (``d["accenumb"] |> distinct()``, ``nrow(d["a"])``), not the column itself as
``d[["a"]]``/``d$a`` give; on a list or named vector the element, as before (R's
one-element list or named vector of length 1 behaves as that element in the scripts)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_sub_name", "r_unlist"]


def r_sub_name(x: Any, name: str) -> Any:
    """``x["name"]``: see the module's docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        if name not in x.columns:
            raise AsrError(f'd["{name}"]: the data frame has no column {name!r}',
                           hint="columns: " + ", ".join(map(str, x.columns[:12])))
        return x[[name]]
    return x[name]


def r_unlist(x: Any) -> Any:
    """``unlist(x)``: a data frame's values column after column (R's order; ``unlist(d["a"])``
    the column's values), a list's elements flattened (runtime.r_c)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        return [v for c in x.columns for v in x[c].tolist()]
    from asr_py.translate.runtime import r_c

    if isinstance(x, dict):
        return r_c(*x.values())
    return r_c(*x) if hasattr(x, "__iter__") and not isinstance(x, str) else r_c(x)
