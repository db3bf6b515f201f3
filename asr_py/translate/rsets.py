"""R's set operations and duplicate tests for translated scripts: ``union(x, y)``,
``intersect(x, y)``, ``setdiff(x, y)``, ``duplicated(x)``, ``anyDuplicated(x)``.

R's rules (base::sets, base::duplicated):

* ``union(x, y) = unique(c(as.vector(x), as.vector(y)))``;
  ``intersect(x, y) = unique(y[match(as.vector(x), y, 0)])`` - the common values in x's
  order; ``setdiff(x, y) = unique(x[match(x, y, 0) == 0])``. All three drop duplicates and
  keep the order of first appearance; NA is a value like any other (matched by NA).
* ``duplicated(x)``: TRUE for an element (a row of a data frame or matrix) equal to an
  earlier one; ``fromLast = TRUE`` compares with the later ones. ``anyDuplicated(x)`` is the
  1-based index of the first duplicated element (the last one scanning back with
  ``fromLast = TRUE``), 0 when there is none.

Vectors come back as numpy arrays (as ``unique()``'s ``pd.unique`` does), so ``1 + setdiff(a,
b)`` is elementwise; ``incomparables`` is refused (a clear error, never ignored).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_anyDuplicated", "r_duplicated", "r_intersect", "r_setdiff",
           "r_union"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "union": ("r_union", ("x", "y"), ("base",)),
    "intersect": ("r_intersect", ("x", "y"), ("base",)),
    "setdiff": ("r_setdiff", ("x", "y"), ("base",)),
    "duplicated": ("r_duplicated", ("x", "incomparables", "fromLast"), ("base",)),
    "anyDuplicated": ("r_anyDuplicated", ("x", "incomparables", "fromLast"), ("base",)),
}


def _vector(x: Any, fn: str) -> pd.Series:
    """``as.vector(x)`` as a Series with a fresh index (a factor gives its labels)."""
    if isinstance(x, Untranslated):
        x._use()
    if x is None:
        return pd.Series([], dtype=object)
    if isinstance(x, pd.DataFrame):
        raise AsrError(f"{fn}(): a data frame is not a vector here",
                       hint="take a column (d$x) or unique rows with unique(d)")
    if isinstance(x, dict):
        x = list(x.values())                  # a named vector: its values (names dropped)
    if isinstance(x, pd.Series):
        s = x.astype(object) if isinstance(x.dtype, pd.CategoricalDtype) else x
        return s.reset_index(drop=True)
    if isinstance(x, (str, bytes)) or np.ndim(x) == 0:
        return pd.Series([x])
    a = np.asarray(x.toarray() if hasattr(x, "toarray") else x)
    return pd.Series(a.ravel(order="F"))      # a matrix is read column by column, as R's


def _unique(s: pd.Series) -> np.ndarray:
    """The distinct values, first appearance first, as a numpy array (pandas 3 gives text
    as an extension array, which the other helpers would not read as a vector)."""
    u = pd.unique(s)
    return u if isinstance(u, np.ndarray) else np.asarray(u, dtype=object)


def r_union(x: Any, y: Any) -> np.ndarray:
    """``union(x, y)``: the distinct values of ``c(x, y)``, first appearance first."""
    return _unique(pd.concat([_vector(x, "union"), _vector(y, "union")], ignore_index=True))


def r_intersect(x: Any, y: Any) -> np.ndarray:
    """``intersect(x, y)``: the distinct values of ``x`` that are in ``y``, in x's order."""
    sx, sy = _vector(x, "intersect"), _vector(y, "intersect")
    return _unique(sx[sx.isin(sy) | (sx.isna() & sy.isna().any())])


def r_setdiff(x: Any, y: Any) -> np.ndarray:
    """``setdiff(x, y)``: the distinct values of ``x`` that are not in ``y``, in x's order."""
    sx, sy = _vector(x, "setdiff"), _vector(y, "setdiff")
    inside = sx.isin(sy) | (sx.isna() & sy.isna().any())
    return _unique(sx[~inside])


def _rows(x: Any, fn: str, incomparables: Any) -> pd.Series | pd.DataFrame:
    if incomparables is not None and incomparables is not False:
        raise AsrError(f"{fn}(incomparables = ): not translated",
                       hint="remove the values never to be matched before the call")
    if isinstance(x, Untranslated):
        x._use()
    if isinstance(x, pd.DataFrame):
        return x.reset_index(drop=True)
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return pd.DataFrame(x)                 # duplicated(matrix): its rows
    return _vector(x, fn)


def r_duplicated(x: Any, incomparables: Any = None, fromLast: bool = False) -> np.ndarray:
    """``duplicated(x)``: TRUE where an element (a row) equals an earlier one (a later one
    with ``fromLast = TRUE``); missing values are equal to each other, as R's."""
    rows = _rows(x, "duplicated", incomparables)
    return rows.duplicated(keep="last" if fromLast else "first").to_numpy(dtype=bool)


def r_anyDuplicated(x: Any, incomparables: Any = None, fromLast: bool = False) -> int:
    """``anyDuplicated(x)``: the 1-based index of the first duplicated element (the last
    one with ``fromLast = TRUE``), 0 when every element is distinct."""
    dup = np.flatnonzero(r_duplicated(x, incomparables, fromLast))
    if not dup.size:
        return 0
    return int(dup[-1] if fromLast else dup[0]) + 1
