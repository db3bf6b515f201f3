"""R's ``identical(x, y)`` for translated scripts: TRUE when the two objects are exactly
equal - same kind of values, same length (dimensions), same values in the same order, same
names - and FALSE otherwise; never elementwise.

Scripts use it to check that two vectors of ids line up (``identical(rownames(G),
levels(d$id))``), where only "same strings in the same order" matters. Kinds follow R's
types: character, logical and numeric never equal each other (``identical("1", 1)`` and
``identical(TRUE, 1)`` are FALSE); a factor compares as its labels (R compares its codes
and levels: equal labels with different level sets are FALSE in R, TRUE here). R's integer
and double are one numeric kind here (a translated script does not keep ``1L`` apart from
``1``: ``identical(1L, 1)`` is FALSE in R). Missing values are identical to each other
(``identical(NA, NA)`` is TRUE); names are compared for named vectors (dicts, labelled
Series) and row/column names for data frames.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_identical"]


def _kind(a: np.ndarray) -> str:
    if a.dtype.kind == "b":
        return "logical"
    if a.dtype.kind in "iuf":
        return "numeric"
    if a.dtype.kind in "US":
        return "character"
    vals = [v for v in a.ravel() if not pd.isna(v)]
    if all(isinstance(v, (bool, np.bool_)) for v in vals):
        return "logical"
    if all(isinstance(v, (int, float, np.integer, np.floating)) and
           not isinstance(v, (bool, np.bool_)) for v in vals):
        return "numeric"
    if all(isinstance(v, str) for v in vals):
        return "character"
    return "mixed"


def _parts(x: Any) -> tuple[np.ndarray, Any]:
    """The values (an array keeping the shape) and the names of ``x``."""
    if isinstance(x, dict):
        return np.asarray(list(x.values()), dtype=object), list(x.keys())
    if isinstance(x, pd.Series):
        named = not isinstance(x.index, pd.RangeIndex)
        vals = x.astype(object) if isinstance(x.dtype, pd.CategoricalDtype) else x
        return vals.to_numpy(), (list(x.index) if named else None)
    if isinstance(x, pd.Categorical):
        return np.asarray(x, dtype=object), None
    if isinstance(x, (list, tuple)):
        return np.asarray(x if x else [], dtype=object if any(
            isinstance(v, str) for v in x) else None), None
    return np.asarray(x), None


def _same_values(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape and not (a.size == b.size and min(a.ndim, b.ndim) == 0):
        return False
    ka, kb = _kind(a), _kind(b)
    if ka != kb or ka == "mixed":
        return False
    fa, fb = a.ravel(), b.ravel()
    na, nb = pd.isna(fa), pd.isna(fb)
    if not np.array_equal(na, nb):
        return False
    if ka == "numeric":
        return bool(np.array_equal(fa[~na].astype(float), fb[~nb].astype(float)))
    return all(u == v for u, v in zip(fa[~na], fb[~nb]))


def r_identical(x: Any, y: Any) -> bool:
    """``identical(x, y)``: see the module docstring."""
    for v in (x, y):
        if isinstance(v, Untranslated):
            v._use()
    if x is None or y is None:
        return x is None and y is None             # identical(NULL, NULL)
    if isinstance(x, pd.DataFrame) or isinstance(y, pd.DataFrame):
        if not (isinstance(x, pd.DataFrame) and isinstance(y, pd.DataFrame)):
            return False
        if list(x.columns) != list(y.columns) or list(x.index) != list(y.index):
            return False
        return all(_same_values(*(_parts(d[c])[0] for d in (x, y))) for c in x.columns)
    (va, names_a), (vb, names_b) = _parts(x), _parts(y)
    if names_a != names_b:
        return False
    return _same_values(va, vb)
