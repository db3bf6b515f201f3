"""asreml's ``na.method(x = "include")`` (``na_action={'x': 'include'}``): a missing value
of a covariate the model uses is set to 0, so the record stays in the fit and that covariate
contributes nothing to it (the usual use: a covariate defined only within some levels of a
factor, as in ``at(AMF, "plus"):per.col``). A missing level of a factor is refused (asreml
would give the record no effect of that factor; asr_py does not build such rows): use 'omit'.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from asr_py.errors import DataError


def include_missing_x(data: pd.DataFrame, used: list[str], factors: Iterable[str] = ()
                      ) -> tuple[pd.DataFrame, str]:
    """A copy of ``data`` whose used numeric columns have missing values set to 0, and a note
    saying which (empty when nothing was missing); ``data`` itself is not changed."""
    filled: list[str] = []
    out = data
    for c in used:
        if c not in data.columns:
            continue
        miss = data[c].isna()
        if not miss.any():
            continue
        if c in set(factors) or not pd.api.types.is_numeric_dtype(data[c]) or \
                pd.api.types.is_bool_dtype(data[c]):
            raise DataError(
                f"na_action x='include': factor '{c}' has {int(miss.sum())} missing values; "
                "only missing covariate values can be included (set to 0)",
                hint="use na_action={'x': 'omit'} to drop those rows, or give the missing "
                     "level a label of its own")
        if out is data:
            out = data.copy()
        out[c] = data[c].fillna(0)
        filled.append(f"{c} ({int(miss.sum())})")
    note = ("missing covariate values set to 0 (na_action x='include'): " + ", ".join(filled)
            if filled else "")
    return out, note
