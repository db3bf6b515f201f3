"""R's missing values in a comparison used as a subscript or summed.

R's ``x > k`` is NA where x (or k) is NA; pandas' and numpy's comparisons give False there.
R's rules for the forms translate emits (R 4.2, tests/translate/roracle):

* ``x[x > k]`` of a vector: an NA subscript selects an NA element (the result keeps the
  length of TRUE + NA positions, in their order); a factor keeps its levels;
* ``d[d$y > k, ]`` (and ``d[d$y > k, "a"]``) of a data frame: an NA subscript gives a row of
  NAs (R names it ``NA``, ``NA.1``, ...);
* ``sum(x > k)``, ``mean(x > k)`` without ``na.rm``: NA when a compared value is NA;
* ``which(x > k)``, ``subset()``, dplyr's ``filter()``: NA counts as FALSE (as pandas).

:func:`r_na_subset` and :func:`r_na_logical` receive the pandas result and where the
compared values were missing (:func:`asr_py.translate.rbase.r_na_of`); without a missing
value they return the pandas result unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["cmp_sides", "r_na_logical", "r_na_subset"]

_CMP = ("==", "!=", "<", ">", "<=", ">=")


def cmp_sides(e: Any) -> list[Any] | None:
    """Translate time: the operands of a comparison ``e`` that are not literals (they may
    hold NA), or None when ``e`` is no comparison or has no such operand."""
    while e is not None and e.kind == "paren":
        e = e.right
    if e is None or e.kind != "bin" or e.value not in _CMP:
        return None
    sides = [x for x in (e.left, e.right) if x is not None and x.kind not in ("num", "str")]
    return sides or None


def _na_mask(na: Any, n: int) -> np.ndarray | None:
    """``na`` as a length-n boolean vector with a True, else None."""
    m = np.asarray(na, dtype=bool)
    if m.ndim == 0:
        m = np.full(n, bool(m))
    if m.ndim != 1 or len(m) != n or not m.any():
        return None
    return m


def _positions(cond: Any, na: np.ndarray) -> list[int | None] | None:
    """R's selection by a logical subscript with NA: a position where TRUE, None where NA."""
    c = cond.to_numpy() if isinstance(cond, pd.Series) else np.asarray(cond)
    if c.ndim != 1 or len(c) != len(na):
        return None
    try:
        c = c.astype(bool)
    except (TypeError, ValueError):
        return None
    return [None if m else k for k, (t, m) in enumerate(zip(c, na)) if t or m]


def _na_like(s: pd.Series, at: list[int | None]) -> pd.Series:
    """The elements of ``s`` at positions ``at`` (None: NA), its dtype kept where it can be
    (a factor keeps its levels; integers and logicals become floats/objects with NA)."""
    pos = [-1 if k is None else k for k in at]
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = np.array([-1 if k is None else c for k, c in
                          zip(at, s.cat.codes.to_numpy()[[max(p, 0) for p in pos]])])
        return pd.Series(pd.Categorical.from_codes(codes, dtype=s.dtype), name=s.name)
    vals = s.to_numpy()
    if vals.dtype.kind in "iufb":
        out = vals.astype(float)[[max(p, 0) for p in pos]] if len(vals) else \
            np.full(len(pos), np.nan)
        if vals.dtype.kind == "b":
            out = np.array([None if k is None else bool(vals[k]) for k in at], dtype=object)
        else:
            out[[i for i, k in enumerate(at) if k is None]] = np.nan
        return pd.Series(out, name=s.name)
    return pd.Series([None if k is None else vals[k] for k in at], dtype=object, name=s.name)


def _labels(index: pd.Index, at: list[int | None]) -> list[Any]:
    """Row names of a subset: a kept row's own, ``NA``, ``NA.1``, ... for NA rows (R)."""
    out: list[Any] = []
    k_na = 0
    for k in at:
        if k is None:
            out.append("NA" if k_na == 0 else f"NA.{k_na}")
            k_na += 1
        else:
            out.append(index[k])
    return out


def r_na_subset(got: Any, x: Any, cond: Any, na: Any, rows: bool = False,
                col: Any = None) -> Any:
    """R's ``x[cond]`` (``rows``: ``x[cond, ]``, ``x[cond, col]``) where ``cond`` is a
    comparison that met missing values at ``na``: NA elements (rows of NAs) there. ``got``
    is the pandas/numpy result, returned when nothing was missing or ``x`` is not a vector
    or data frame."""
    for v in (got, x, cond):
        if isinstance(v, Untranslated):
            return got
    if rows and isinstance(x, pd.DataFrame):
        m = _na_mask(na, len(x))
        at = _positions(cond, m) if m is not None else None
        if at is None:
            return got
        out = pd.DataFrame({c: _na_like(x[c], at) for c in x.columns})
        out.columns = x.columns
        out.index = pd.Index(_labels(x.index, at))
        return out if col is None else out[col]
    if rows or isinstance(x, pd.DataFrame | dict):
        return got
    if isinstance(x, np.ndarray) and x.ndim != 1:   # a matrix: m[m > k] as computed
        return got
    if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple):
        s = x if isinstance(x, pd.Series) else pd.Series(
            x if isinstance(x, pd.Index) else np.asarray(x, dtype=None if len(x) else float))
        if s.ndim != 1:
            return got
        m = _na_mask(na, len(s))
        at = _positions(cond, m) if m is not None else None
        if at is None:
            return got
        out = _na_like(s, at)
        if isinstance(x, pd.Series) and not isinstance(x.index, pd.RangeIndex):
            out.index = pd.Index([None if k is None else x.index[k] for k in at])
        elif not isinstance(x, pd.Series):
            return out.to_numpy() if not isinstance(out.dtype, pd.CategoricalDtype) else out
        return out
    return got


def r_na_logical(cmp: Any, na: Any, logical: bool = False) -> Any:
    """A comparison's logical vector with R's NA (nan) where a compared value was missing,
    for ``sum(x > k)`` / ``mean(x > k)`` (R: NA); unchanged when nothing was missing. With
    ``logical`` the values stay TRUE/FALSE (an object vector, NA None): ``table(x > k)``."""
    if isinstance(cmp, Untranslated):
        return cmp
    c = cmp.to_numpy() if isinstance(cmp, pd.Series) else np.asarray(cmp)
    if c.ndim != 1:
        return cmp
    m = _na_mask(na, len(c))
    if m is None:
        return cmp
    if logical:
        obj = c.astype(object)
        obj[m] = None
        return obj
    out = c.astype(float)
    out[m] = np.nan
    return out
