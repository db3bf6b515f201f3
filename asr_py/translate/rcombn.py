"""utils' ``combn(x, m, FUN = NULL, simplify = TRUE, ...)`` (R 4 ``?combn``).

"Generate all combinations of the elements of x taken m at a time. If x is a positive
integer, returns all combinations of the elements of seq(x) taken m at a time." The
result is a matrix of m rows, one column per combination, the ``choose(n, m)`` columns in
lexicographic order of positions (``combn(4, 2)``: 1 2 / 1 3 / 1 4 / 2 3 / 2 4 / 3 4).
With ``FUN`` each combination is passed to it (with the extra arguments); with
``simplify`` one value each gives a vector, equal-length results a matrix (one column a
combination), otherwise a list. ``m`` larger than ``length(x)`` is R's error "n < m".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from math import comb
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_combn"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "combn": ("r_combn", ("x", "m", "FUN", "simplify"), ("utils",)),
}


def _elements(x: Any) -> list[Any]:
    """seq(x) for one positive whole number, else the elements of x."""
    if isinstance(x, pd.Series | pd.Index):
        vals = x.tolist()
    elif isinstance(x, np.ndarray):
        vals = x.ravel().tolist()
    elif isinstance(x, list | tuple | range):
        vals = list(x)
    else:
        vals = [x]
    if len(vals) == 1 and isinstance(vals[0], int | float | np.integer | np.floating) and \
            not isinstance(vals[0], bool) and float(vals[0]) >= 1 and \
            float(vals[0]).is_integer():
        return list(range(1, int(vals[0]) + 1))
    return vals


def r_combn(x: Any, m: Any, FUN: Callable[..., Any] | None = None,  # noqa: N803 - R's name
            simplify: bool = True) -> Any:
    """``combn(x, m, FUN, simplify)``: see the module docstring."""
    for v in (x, m):
        if isinstance(v, Untranslated):
            return v._use()
    vals = _elements(x)
    k = float(np.ravel(np.asarray(m, dtype=float))[0])
    if k < 0 or not k.is_integer():
        raise AsrError(f"combn(): m must be a whole number >= 0, not {m!r}",
                       hint="R stops with \"m < 0\"")
    k_ = int(k)
    if k_ > len(vals):
        raise AsrError(f"combn(): n < m ({len(vals)} elements, m = {k_})",
                       hint="m cannot exceed the number of elements of x")
    text = any(isinstance(v, str) for v in vals)
    combos = [list(c) for c in itertools.combinations(vals, k_)]   # lexicographic
    if FUN is None:
        return np.array(combos, dtype=object if text else None).reshape(
            comb(len(vals), k_), k_).T
    res = [FUN(np.array(c, dtype=object if text else None)) for c in combos]
    if not simplify:
        return res
    sizes = {np.size(r) for r in res}
    if sizes == {1}:                         # R has no scalars: length-one results a vector
        return np.array([np.ravel(np.asarray(r))[0] for r in res])
    if len(sizes) == 1:
        return np.column_stack([np.ravel(np.asarray(r)) for r in res])
    return res
