"""base R's ``as.data.frame(x)`` of what is not yet a data frame: a vector (a Series,
a list, a 1-D array) becomes one column named as R deparses the argument
(``as.data.frame(effects)``: column ``effects``; ``x`` otherwise) with the vector's names
as row names (``rownames_to_column()`` then reads them); a named vector held as a
dict its names as row names; a matrix (2-D array) columns V1..Vn; a list of
equal-length vectors (a dict) one column each. A data frame, and
anything else, is returned as it is."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_as_data_frame"]


def r_as_data_frame(x: Any, name: str = "x") -> Any:
    """``as.data.frame(x)``: see the module's docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        return x
    if isinstance(x, pd.Series):
        return pd.DataFrame({name: x.to_numpy()}, index=x.index.astype(str)
                            if not isinstance(x.index, pd.RangeIndex) else None)
    if isinstance(x, dict) and x and all(np.ndim(v) == 0 for v in x.values()):
        # a named vector (c(a = 1, b = 2)): its names are the row names
        return pd.DataFrame({name: list(x.values())}, index=[str(k) for k in x])
    if isinstance(x, dict) and x and all(np.ndim(v) == 1 for v in x.values()):
        return pd.DataFrame(x)
    if isinstance(x, (list, tuple, np.ndarray)):
        a = np.asarray(x)
        if a.ndim == 1:
            return pd.DataFrame({name: a})
        if a.ndim == 2:
            return pd.DataFrame(a, columns=[f"V{k + 1}" for k in range(a.shape[1])])
    return x
