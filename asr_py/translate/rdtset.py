"""data.table's ``DT[i, a := e]`` (and ``DT[i, `:=`(a = e1, b = e2)]``) on a row subset:
the expressions are evaluated among the columns of the rows i (all of them before any is
assigned), then set on those rows only; a new column is NA on the other rows. As
data.table's ``i``, an NA in the logical row condition selects no row (?data.table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_dt_set"]


def r_dt_set(dt: Any, rows: Any, *sets: tuple[str, Callable[[pd.DataFrame], Any]]) -> Any:
    """``DT[rows, name := f(DT[rows])]`` for each (name, f) of ``sets`` (module docstring);
    returns the changed copy (the translated script rebinds DT)."""
    for v in (dt, rows):
        if isinstance(v, Untranslated):
            return v._use()
    if not isinstance(dt, pd.DataFrame):
        raise AsrError("DT[i, a := e]: DT is not a data table", hint="give a data frame")
    m = pd.Series(rows).astype("boolean").fillna(False).to_numpy(dtype=bool) \
        if not isinstance(rows, (int, np.integer)) else np.arange(len(dt)) == int(rows) - 1
    if m.shape != (len(dt),):
        raise AsrError(f"DT[i, a := e]: the row condition has {m.shape[0]} values for "
                       f"{len(dt)} rows", hint="give one logical value per row")
    sub = dt.loc[m]
    values = [(name, f(sub)) for name, f in sets]
    out = dt.copy()
    for name, v in values:
        if name not in out.columns:
            out[name] = np.nan
        vals = v.to_numpy() if isinstance(v, pd.Series) else v
        if np.ndim(vals) > 0 and len(vals) not in (1, int(m.sum())):
            raise AsrError(f"DT[i, {name} := e]: e has {len(vals)} values for "
                           f"{int(m.sum())} rows", hint="give one value or one per row")
        out.loc[m, name] = vals
    return out
