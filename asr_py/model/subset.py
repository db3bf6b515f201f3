"""``subset=``: fit the model to some rows of the data (asreml's ``subset = Year == 2020``).

A boolean mask (array or Series, one value per data row) or a pandas query string
(``"Year == 2020 and Site != 'A'"``, evaluated by :meth:`pandas.DataFrame.query`). Returns a
new DataFrame; the user's data are not changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import DataError


def apply_subset(data: pd.DataFrame, subset: Any) -> pd.DataFrame:
    """The rows of ``data`` selected by ``subset`` (see the module docstring)."""
    if isinstance(subset, str):
        try:
            out = data.query(subset)
        except Exception as exc:  # pandas raises many types for a bad expression
            raise DataError(f"subset={subset!r} could not be evaluated on the data: {exc}",
                            hint="a pandas query, e.g. subset=\"Year == 2020\"; or a boolean "
                                 "array with one value per row") from None
    else:
        mask = subset.to_numpy() if isinstance(subset, pd.Series) else np.asarray(subset)
        if isinstance(subset, pd.Series) and not subset.index.equals(data.index):
            raise DataError("subset: the boolean Series' index does not match the data's",
                            hint="build it from the same DataFrame, e.g. df['Year'] == 2020")
        if mask.dtype != bool or mask.shape != (len(data),):
            raise DataError(f"subset must be a query string or a boolean array with one value "
                            f"per data row ({len(data)}), not {type(subset).__name__} of "
                            f"shape {getattr(mask, 'shape', '?')} and type {mask.dtype}",
                            hint="e.g. subset=df['Year'] == 2020")
        out = data.loc[mask]
    if len(out) == 0:
        raise DataError(f"subset={subset if isinstance(subset, str) else '<mask>'} selects "
                        "no rows of the data")
    return out


__all__ = ["apply_subset"]
