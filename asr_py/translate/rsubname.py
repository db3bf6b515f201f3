"""R's single bracket with one name, ``x["a"]``: on a data frame a data frame of that one
column (``d["accenumb"] |> distinct()``, ``nrow(d["a"])``), not the column itself as
``d[["a"]]``/``d$a`` give; on a list or named vector the element, as before (R's
one-element list or named vector of length 1 behaves as that element in the scripts)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_sub_name"]


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
