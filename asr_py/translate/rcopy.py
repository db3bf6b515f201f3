"""R's value semantics for ``a <- b <- list()``: every name holds its own value.

In Python ``b = {}; a = b`` makes two names of one dict, so ``a[["x"]] <- 1`` (translated
as an in-place ``r_set2``) would change ``b`` too. :func:`r_copy` gives the outer names of
such a chain a shallow copy of a container (list, dict, array, data frame); anything else
(a number, a string, a fit) is returned as it is.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CONTAINER_CALLS", "r_copy"]

#: R calls whose value translate holds in a mutable Python container
CONTAINER_CALLS = frozenset({"list", "c", "vector", "data.frame", "matrix", "numeric",
                             "character", "integer", "logical", "array", "tibble",
                             "data.table", "rep", "setNames"})


def r_copy(x: Any) -> Any:
    """A shallow copy of a list, dict, set, ndarray or pandas object; x itself otherwise."""
    if isinstance(x, (pd.DataFrame, pd.Series, np.ndarray)):
        return x.copy()
    if isinstance(x, (list, dict, set)):
        return copy.copy(x)
    return x
