"""R's value semantics for ``a <- b <- list()`` and ``a <- b``: every name holds its own value.

In Python ``b = {}; a = b`` makes two names of one dict, so ``a[["x"]] <- 1`` (translated
as an in-place ``r_set2``) would change ``b`` too. :func:`r_copy` gives the outer names of
such a chain a shallow copy of a container (list, dict, array, data frame); anything else
(a number, a string, a fit) is returned as it is. Likewise ``d2 <- d; d2$loc <- "b"`` must
leave ``d`` as it was (R copies on modify): :func:`alias_copy` gives ``d2`` a copy.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CONTAINER_CALLS", "alias_copy", "r_copy"]

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


def alias_copy(r: Any, rhs: str, variables: set[str], functions: set[str],
               pyname: Any, runtime: Any) -> str:
    """``r_copy(b)`` for ``a <- b`` where ``b`` is a variable of the script (or a parameter of
    the function being translated), so that changing ``a`` in place leaves ``b`` alone;
    ``rhs`` itself for anything else (a call, a constant, a function's name)."""
    if r.kind == "dollar" and r.value == "call" and rhs.endswith(".call"):
        return f"{runtime('r_copy')}({rhs})"      # cl <- fit$call; cl$fixed <- ...: a copy
    if r.kind == "dollar" and rhs.isidentifier() and rhs in {pyname(v) for v in variables}:
        return f"{runtime('r_copy')}({rhs})"      # pv <- p$pvals held as p itself: a copy
    if r.kind != "name" or r.value not in variables or r.value in functions or \
            rhs != pyname(r.value):
        return rhs
    return f"{runtime('r_copy')}({rhs})"
