"""R's ``table(..., useNA = "ifany" / "always")`` (R 4 ``?table``): NA counted as a level
of each factor, the last one, labelled NA; "ifany" only for a factor that has a missing
value, "always" for every factor (a count of 0 when none is missing). One factor gives the
counts by level, two a matrix (rows the first), ``as.data.frame`` the long form; the other
levels and their order as :func:`asr_py.translate.runtime.r_table` gives them.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError

__all__ = ["table_na"]

#: the NA level of table(useNA =) while counting (R's label: NA)
_NA_LEVEL = "\x00NA"


def table_na(data: pd.DataFrame, names: list[str], use_na: str,
              frame: bool) -> pd.Series | pd.DataFrame:
    """r_table's counts of the columns ``names`` of ``data`` with NA a level (the last)."""
    from asr_py.translate.runtime import _r_label, _r_levels

    levels, cols = [], {}
    for n in names:
        col = data[n]
        lv = list(_r_levels(col))
        if use_na == "always" or col.isna().any():
            lv.append(_NA_LEVEL)
        levels.append(lv)
        cols[n] = col.astype(object).where(col.notna(), _NA_LEVEL)
    keyed = pd.DataFrame(cols)
    counts = keyed.groupby(names, sort=False).size()
    grid = pd.MultiIndex.from_product(levels[::-1], names=names[::-1]).reorder_levels(
        list(range(len(names)))[::-1]) if len(names) > 1 else pd.Index(levels[0],
                                                                       name=names[0])
    out = counts.reindex(grid, fill_value=0).rename("Freq").astype(int)

    def label(v: Any) -> Any:
        return None if isinstance(v, str) and v == _NA_LEVEL else _r_label(v)

    if frame:
        df = out.reset_index()
        for n in names:
            df[n] = df[n].map(label)
        return df
    if len(names) == 2:
        m = out.unstack(level=1, fill_value=0).reindex(
            index=levels[0], columns=levels[1], fill_value=0).astype(int)
        m.index = pd.Index([label(v) for v in levels[0]], dtype=object)
        m.columns = pd.Index([label(v) for v in levels[1]], dtype=object)
        m.attrs["r_class"] = ["table"]
        m.attrs["dimnames_names"] = list(names)
        return m
    if len(names) > 2:
        raise AsrError("table(useNA =) of more than two factors is not translated",
                       hint="tabulate two at a time, or use as.data.frame(table(...))")
    out.index = pd.Index([label(v) for v in out.index], name=names[0], dtype=object)
    return out
