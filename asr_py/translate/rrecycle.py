"""R's recycling of a length-one value in ``mutate()``/``transform()`` columns.

``mutate(d, year = as.factor(22))`` gives every row the factor ``22`` (tibble recycles a
length-one value). Translated as ``d.assign(year=r_labels(pd.Series(22)))``, pandas aligns the
one-element Series on the index: row 0 got 22 and every other row NaN, silently. A column
value that is a call of constants only is therefore written ``lambda _d:
r_recycle1(value, _d)``: a length-one Series/array/Categorical is repeated to the rows (its
dtype kept, a factor stays a factor), a Series as long as the frame is taken by position (R
has no index); other lengths are left to pandas, which stops with a clear error.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.parser import R

__all__ = ["is_constant_call", "r_recycle1"]

_CONSTS = frozenset({"TRUE", "FALSE", "T", "F", "NA", "NA_character_", "NA_real_",
                     "NA_integer_", "NULL"})


def is_constant_call(e: R) -> bool:
    """A call whose arguments are all constants (``as.factor(22)``, ``factor("a")``)."""
    def const(x: R) -> bool:
        if x.kind in ("num", "str"):
            return True
        if x.kind == "name":
            return x.value in _CONSTS
        if x.kind == "unary":
            return x.right is not None and const(x.right) or x.left is not None and \
                const(x.left)
        if x.kind == "paren":
            return all(const(a) for _, a in x.args) if x.args else \
                x.left is not None and const(x.left)
        if x.kind == "call":
            return all(const(a) for _, a in x.args)
        return False
    return e.kind == "call" and const(e)


def r_recycle1(value: Any, d: Any) -> Any:
    """``value`` as a column of ``d``: see the module's docstring."""
    if not isinstance(d, pd.DataFrame):
        return value
    n = len(d)
    if isinstance(value, (pd.Series, pd.Categorical, pd.Index, np.ndarray, list)):
        m = len(value)
        if m == 1 and n != 1:
            if isinstance(value, pd.Series):
                return pd.Series(np.repeat(value.to_numpy(), n), index=d.index,
                                 dtype=value.dtype)
            if isinstance(value, pd.Categorical):
                return pd.Series(pd.Categorical(np.repeat(np.asarray(value), n),
                                                categories=value.categories,
                                                ordered=value.ordered), index=d.index)
            return pd.Series(np.repeat(np.asarray(value), n), index=d.index)
        if m == n and isinstance(value, pd.Series):
            return pd.Series(value.to_numpy(), index=d.index, dtype=value.dtype,
                             name=value.name)
    return value
