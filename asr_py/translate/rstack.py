"""utils' ``stack(x)`` (R 4 ``?stack``): a named list, or a data frame's vector columns
(factor columns are left out, with R's warning "non-vector columns will be ignored"), as
one data frame of ``values`` (all the elements, combined as ``c()`` combines them) and
``ind``, a factor of the name each value came from, its levels the names in order.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_stack"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "stack": ("r_stack", ("x",), ("utils",)),
}


def r_stack(x: Any) -> pd.DataFrame:
    """``stack(x)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if isinstance(x, pd.DataFrame):
        keep = [c for c in x.columns if not isinstance(x[c].dtype, pd.CategoricalDtype)]
        if len(keep) < x.shape[1]:
            warnings.warn("stack(): non-vector columns will be ignored (R's warning)",
                          stacklevel=2)
        parts = {str(c): x[c].to_numpy() for c in keep}
    elif isinstance(x, dict):
        parts = {str(k): np.atleast_1d(np.asarray(
            v.to_numpy() if isinstance(v, pd.Series) else list(v) if isinstance(v, range)
            else v)) for k, v in x.items()}
    else:
        raise AsrError(f"stack() of a {type(x).__name__}", hint="stack() takes a named list "
                       "or a data frame")
    names = list(parts)
    values = np.concatenate([np.ravel(v) for v in parts.values()]) if parts else np.array([])
    ind = [n for n in names for _ in range(np.ravel(parts[n]).size)]
    return pd.DataFrame({"values": values,
                         "ind": pd.Categorical(ind, categories=list(dict.fromkeys(names)))})
