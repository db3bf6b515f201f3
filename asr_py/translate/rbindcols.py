"""dplyr's ``bind_cols(...)`` for translated scripts: the columns of its arguments side by
side, rows matched by position (row names dropped).

dplyr's rules (>= 1.0): data frames give their columns, a vector one column (named
``...k`` after its position k among all the columns); every argument must have the same
number of rows, except that one of length 1 is recycled; NULL arguments are skipped. Names
are repaired as ``.name_repair = "unique"`` does: a name used more than once (or empty)
becomes ``name...k`` with k the column's position.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_bind_cols"]

#: R function -> (runtime helper, formals, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "bind_cols": ("r_bind_cols", ("...",), ("dplyr",)),
}


def r_bind_cols(*xs: Any) -> pd.DataFrame:
    """``bind_cols(...)``: see the module docstring."""
    cols: list[tuple[str, pd.Series]] = []
    sizes: list[int] = []
    for x in xs:
        if isinstance(x, Untranslated):
            x._use()
        if x is None:
            continue
        if isinstance(x, pd.DataFrame):
            sizes.append(len(x))
            cols += [(str(c), x[c].reset_index(drop=True)) for c in x.columns]
        else:
            v = pd.Series(x.to_numpy() if isinstance(x, pd.Series) else
                          np.atleast_1d(np.asarray(x)).ravel())
            sizes.append(len(v))
            cols.append(("", v))
    if not cols:
        return pd.DataFrame()
    n = max(sizes)
    if any(s not in (1, n) for s in sizes):
        raise AsrError(f"bind_cols(): can't recycle arguments of {sorted(set(sizes))} rows",
                       hint="every argument needs the same number of rows (or just one)")
    names = [c for c, _ in cols]
    out: dict[str, pd.Series] = {}
    for k, (name, v) in enumerate(cols, start=1):
        if not name or names.count(name) > 1:
            name = f"{name}...{k}"
        out[name] = v if len(v) == n else pd.Series(np.repeat(v.to_numpy(), n))
    return pd.DataFrame(out)
