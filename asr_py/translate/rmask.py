"""``x[cond]`` of a vector by a logical vector: R selects by position. A pandas Series
masked by a boolean Series aligns the two by row label instead, and fails when the labels
differ (``d$a[!is.na(d[, trait])]``: ``d[, j]`` is a vector without the frame's row names,
``d$a`` keeps them); here a mask of the same length is read by position."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["r_mask"]


def r_mask(x: Any, mask: Any) -> Any:
    """``x[mask]`` with R's positional reading of a logical vector of x's length."""
    if isinstance(x, (pd.Series, pd.DataFrame)) and isinstance(mask, pd.Series) and \
            len(mask) == len(x) and not mask.index.equals(x.index) and \
            pd.api.types.is_bool_dtype(mask.dtype):
        return x[np.asarray(mask, dtype=bool)]
    return x[mask]
