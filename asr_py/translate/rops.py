"""R's binary operators between vectors and data frames in translated scripts.

R's arithmetic (``+ - * / ^ %% %/%``) and comparisons (``== != < > <= >=``) work by
position: the shorter operand is recycled to the longer one's length (R warns when the
length does not divide it), and the result keeps the names/dims of the first operand of full
length. pandas aligns two Series (or two data frames) by their labels instead, so
``x[1, c(2, 4:5)] - y[1, c(2, 4:5)]`` of two different rows gives NaN and a length-one
column compared with a 66-vector raises. :func:`r_op` does R's: it falls back to Python's
operator whenever no pandas alignment is involved (scalars, numpy arrays, strings), so
results that were right stay exactly as they were.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.rnull import is_null
from asr_py.warning_classes import AsrWarning

__all__ = ["r_in", "r_op"]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "^": operator.pow, "%%": operator.mod, "%/%": operator.floordiv,
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
    "<=": operator.le, ">=": operator.ge, "&": operator.and_, "|": operator.or_}
_COMPARE = frozenset({"==", "!=", "<", ">", "<=", ">="})


def _is_vector(v: Any) -> bool:
    return isinstance(v, (pd.Series, pd.Index, np.ndarray, list, tuple, range)) and \
        np.ndim(np.asarray(v, dtype=object) if isinstance(v, (list, tuple)) else v) == 1


def _values(v: Any) -> np.ndarray:
    if isinstance(v, pd.Series) and isinstance(v.dtype, pd.CategoricalDtype):
        return np.asarray(v.astype(object))           # a factor compares its labels
    return np.atleast_1d(np.asarray(list(v) if isinstance(v, (list, tuple, range)) else v))


def _recycle(a: np.ndarray, b: np.ndarray, op: str) -> tuple[np.ndarray, np.ndarray]:
    n = max(a.size, b.size) if a.size and b.size else 0
    if n and n % min(a.size, b.size):
        warnings.warn(f"x {op} y: longer object length ({n}) is not a multiple of shorter "
                      f"object length ({min(a.size, b.size)})", AsrWarning, stacklevel=3)
    return np.resize(a, n), np.resize(b, n)


def _frames(x: Any, y: Any, op: str, f: Callable[[Any, Any], Any]) -> Any:
    """An operation with a data frame: two frames of one shape by position (the first's
    labels); a vector recycled down the columns (R's column-major order)."""
    fx, fy = isinstance(x, pd.DataFrame), isinstance(y, pd.DataFrame)
    if fx and fy:
        if x.shape != y.shape:
            raise AsrError(f"x {op} y: data frames of different shapes ({x.shape[0]} x "
                           f"{x.shape[1]} and {y.shape[0]} x {y.shape[1]})",
                           hint="R's Ops.data.frame needs the same dimensions")
        out = f(x.to_numpy(), y.to_numpy())
        return pd.DataFrame(out, index=x.index, columns=x.columns)
    frame, vec = (x, y) if fx else (y, x)
    vals = _values(vec)
    if vals.size == 1:                               # one value: pandas broadcasts it
        return f(x, vals[0]) if fx else f(vals[0], y)
    size = frame.shape[0] * frame.shape[1]
    if vals.size > size or vals.size == 0:
        raise AsrError(f"x {op} y: a vector of length {vals.size} with a {frame.shape[0]} "
                       f"x {frame.shape[1]} data frame", hint="R recycles a vector only "
                       "up to the data frame's size")
    if size % vals.size:
        warnings.warn(f"x {op} y: longer object length ({size}) is not a multiple of "
                      f"shorter object length ({vals.size})", AsrWarning, stacklevel=3)
    full = np.resize(vals, size).reshape(frame.shape, order="F")
    a = frame.to_numpy()
    out = f(a, full) if fx else f(full, a)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def r_op(x: Any, op: str, y: Any) -> Any:
    """R's ``x op y`` by position with R's recycling (see the module docstring). A NULL
    operand (None: a missing list element or column) gives R's empty result: ``NULL == x``
    is ``logical(0)``, ``NULL + x`` is ``numeric(0)``; ``all()`` of it is TRUE, ``any()``
    FALSE, and ``if`` of it R's error (:func:`asr_py.translate.runtime.r_scalar`)."""
    for v in (x, y):
        if isinstance(v, Untranslated):
            return v._use()
    f = _OPS[op]
    if is_null(x) or is_null(y):
        return np.array([], dtype=bool if op in _COMPARE else float)
    px, py = isinstance(x, (pd.Series, pd.DataFrame)), isinstance(y, (pd.Series, pd.DataFrame))
    if op in _COMPARE and any(isinstance(v, (list, tuple, range, dict)) for v in (x, y)):
        from asr_py.translate.rcompare import r_cmp  # R lists compared by element
        return r_cmp(x, op, y)
    if not (px or py):
        if any(isinstance(v, (list, tuple, range)) for v in (x, y)) or all(
                isinstance(v, np.ndarray) and v.ndim == 1 for v in (x, y)) and \
                x.size != y.size:
            # two vectors of different lengths: R recycles (numpy would not broadcast)
            # c(3) or 1:3 as a list: R's vector arithmetic (36 / c(3) is 12)
            a, b = _recycle(_values(x), _values(y), op)
            out = f(a, b)
            return out.item() if out.size == 1 and all(
                np.ndim(v) == 0 or len(v) == 1 for v in (x, y)) else out
        return f(x, y)
    if isinstance(x, pd.DataFrame) or isinstance(y, pd.DataFrame):
        if not (isinstance(x, pd.DataFrame) or _is_vector(x) or np.ndim(x) == 0) or \
                not (isinstance(y, pd.DataFrame) or _is_vector(y) or np.ndim(y) == 0):
            return f(x, y)
        return _frames(x, y, op, f)
    if np.ndim(x) == 0 or np.ndim(y) == 0 or not (_is_vector(x) and _is_vector(y)):
        return f(x, y)                                    # a value: pandas broadcasts it
    if isinstance(x, pd.Series) and isinstance(y, pd.Series) and x.index.equals(y.index):
        return f(x, y)                                    # already positional
    a, b = _recycle(_values(x), _values(y), op)
    out = f(a, b)
    lab = x if isinstance(x, pd.Series) and len(x) == out.size else \
        y if isinstance(y, pd.Series) and len(y) == out.size else None
    if lab is None:
        return out
    return pd.Series(out, index=lab.index, name=lab.name if lab is x else None)


def r_in(x: Any, table: Any) -> Any:
    """R's ``x %in% table`` where translate cannot tell whether ``x`` is one value or a
    vector: one value gives one logical; a vector one logical per element (a Series keeps
    its labels)."""
    for v in (x, table):
        if isinstance(v, Untranslated):
            return v._use()
    pool = _pool(table)
    if x is None:
        return np.array([], dtype=bool)
    if np.ndim(x) == 0 and not isinstance(x, (list, tuple, range, dict)):
        return x in pool
    vals = list(x.values()) if isinstance(x, dict) else _values(x).tolist()
    got = np.array([v in pool for v in vals], dtype=bool)
    return pd.Series(got, index=x.index) if isinstance(x, pd.Series) else got


def _pool(table: Any) -> list[Any]:
    """The values of ``table`` each as it is: numpy would make a list of numbers and their
    text twins (rvector.r_in_values) all text, so that -1 %in% c(-1, -2) were FALSE."""
    if table is None:
        return []
    if isinstance(table, dict):
        return list(table.values())
    if isinstance(table, (list, tuple, range)):
        return list(table)
    return _values(table).tolist()
