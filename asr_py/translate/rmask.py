"""``x[cond]`` of a vector by a logical vector: R selects by position. A pandas Series
masked by a boolean Series aligns the two by row label instead, and fails when the labels
differ (``d$a[!is.na(d[, trait])]``: ``d[, j]`` is a vector without the frame's row names,
``d$a`` keeps them); here a mask of the same length is read by position."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["matrix_mask", "r_mask"]


def matrix_mask(x: Any, mask: Any) -> np.ndarray | None:
    """R's ``M[L]`` with L a logical matrix of M's shape: M's elements where L is TRUE,
    read column by column (m-hrachov's C_inv script: ``Cm[mask]``); None for another
    ``mask``."""
    if not (isinstance(mask, pd.DataFrame | np.ndarray) and np.ndim(mask) == 2 and
            np.ndim(x) == 2 and np.shape(mask) == np.shape(x)):
        return None
    m = np.asarray(mask)
    if m.dtype != bool and not all(isinstance(v, bool | np.bool_) for v in m.ravel()):
        return None
    vals = np.asarray(x.toarray() if hasattr(x, "toarray") else x)
    return vals.ravel(order="F")[m.astype(bool).ravel(order="F")]


def r_mask(x: Any, mask: Any) -> Any:
    """``x[mask]`` with R's positional reading of a logical vector of x's length (a logical
    matrix of x's shape: :func:`matrix_mask`)."""
    got = matrix_mask(x, mask)
    if got is not None:
        return got
    if isinstance(x, (pd.Series, pd.DataFrame)) and isinstance(mask, pd.Series) and \
            len(mask) == len(x) and not mask.index.equals(x.index) and \
            pd.api.types.is_bool_dtype(mask.dtype):
        return x[np.asarray(mask, dtype=bool)]
    if isinstance(x, list | tuple) and isinstance(mask, pd.Series | np.ndarray | list) and \
            len(mask) and all(isinstance(v, bool | np.bool_) for v in mask):
        # a vector translate holds as a list (c(7, 8, 9)) by a logical vector: positions,
        # the mask recycled as R does
        m = list(mask)
        return [v for k, v in enumerate(x) if m[k % len(m)]]
    if isinstance(x, dict) and isinstance(mask, pd.Series | np.ndarray | list) and \
            len(mask) and all(isinstance(v, bool | np.bool_) for v in mask):
        # a named vector (c(p = 10, q = 20)) by a logical vector: positions, names kept
        m = list(mask)
        return {k: v for i, (k, v) in enumerate(x.items()) if m[i % len(m)]}
    return x[mask]
