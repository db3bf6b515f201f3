"""R's replacement ``x[i] <- value`` for translated scripts (``r_sub_assign``).

R scripts fill vectors element by element (``RS[n] <- fm$converge``, a vector that grows from
``NULL``), overwrite masked elements (``x[x < 0] <- 0``, ``d[is.na(d)] <- 0``) and triangles of
matrices (``m[lower.tri(m)] <- v``, filled column by column). ``r_sub_assign`` returns the new
object; translate writes ``x = r_sub_assign(x, i, value)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

_SEQ = (list, tuple, range, np.ndarray, pd.Series, pd.Index)


def _items(v: Any) -> list[Any]:
    """The values of ``v`` as a flat list (a scalar: one value; a matrix: by column)."""
    if isinstance(v, pd.DataFrame):
        return list(v.to_numpy().ravel(order="F"))
    if isinstance(v, np.ndarray) and v.ndim == 2:
        return list(v.ravel(order="F"))
    if isinstance(v, dict):
        return list(v.values())
    if isinstance(v, _SEQ):
        return list(v)
    return [v]


def _null(v: Any) -> bool:
    return v is None or v is pd.NA or isinstance(v, (float, np.floating)) and np.isnan(v)


def _is_mask(at: list[Any]) -> bool:
    """A logical subscript; R's NA in it (None/NaN/pd.NA beside TRUE/FALSE) selects nothing
    when one value is assigned (R errors for more: :func:`_na_mask_check`)."""
    return bool(at) and any(isinstance(v, (bool, np.bool_)) for v in at) and all(
        isinstance(v, (bool, np.bool_)) or _null(v) for v in at)


def _na_mask_check(at: Any, value: Any, where: str) -> None:
    """R: "NAs are not allowed in subscripted assignments" when a logical subscript holds
    NA and more than one value is assigned."""
    seq = _items(at)
    if _is_mask(seq) and any(_null(v) for v in seq) and len(_items(value)) > 1:
        raise AsrError(f"{where}: NAs are not allowed in subscripted assignments (the "
                       "logical subscript holds NA and several values are assigned)",
                       hint="R's error too: drop the NA first, e.g. x[!is.na(c) & c] <- v")


def _positions(at: Any, n: int, where: str) -> list[int]:
    """0-based positions of R's subscript ``at`` into a vector of length ``n`` (a position
    beyond the end grows the vector, as R does)."""
    seq = _items(at)
    if _is_mask(seq):
        if len(seq) > n:
            n = len(seq)
        return [i for i in range(n) if not _null(seq[i % len(seq)]) and seq[i % len(seq)]]
    try:
        pos = [int(v) for v in seq if not (isinstance(v, float) and np.isnan(v))]
    except (TypeError, ValueError) as exc:
        raise AsrError(f"{where}: the subscript {at!r} is neither positions, names nor a "
                       "logical mask", hint="index by position (1, 2, ...) or by name") from exc
    if pos and all(v < 0 for v in pos):
        drop = {-v - 1 for v in pos}
        return [i for i in range(n) if i not in drop]
    if any(v < 0 for v in pos):
        raise AsrError(f"{where}: positive and negative positions mixed",
                       hint="R allows only one kind in a subscript")
    return [v - 1 for v in pos if v != 0]


def _recycled(value: Any, k: int, where: str) -> list[Any]:
    vals = _items(value)
    if k == 0:
        return []
    if not vals:
        raise AsrError(f"{where}: replacement has length zero",
                       hint="the value assigned is empty (NULL or a zero-length vector)")
    return [vals[i % len(vals)] for i in range(k)]


def _missing_like(sample: list[Any]) -> Any:
    return None if any(isinstance(v, str) for v in sample) else np.nan


def r_sub_assign(x: Any, at: Any, value: Any) -> Any:
    """R's ``x[at] <- value``: positions (1-based, past the end grows ``x`` with NA),
    negative positions (all but those), names, or a logical mask (recycled); ``value`` is
    recycled over the selected elements. ``x`` may be NULL (None), a list, a 1-d or 2-d
    array (a matrix: its elements by column), a Series, a dict (a named list) or a data
    frame (names or positions select columns; a logical frame of x's shape selects cells).
    Returns the new ``x``."""
    where = "x[i] <- value"
    for v in (x, at, value):
        if isinstance(v, Untranslated):
            return v._use()
    if x is None:
        x = []
    sel = _items(at)
    if isinstance(x, pd.DataFrame):
        return _frame_assign(x, at, sel, value, where)
    if sel and all(isinstance(v, str) for v in sel):               # by name
        vals = _recycled(value, len(sel), where)
        if isinstance(x, dict):
            out = dict(x)
            out.update(zip(sel, vals))
            return out
        if isinstance(x, pd.Series):
            out_s = x.copy()
            for k, v in zip(sel, vals):
                out_s.loc[k] = v
            return out_s
        if isinstance(x, list) and not x:                           # c() grown by name
            return dict(zip(sel, vals))
        raise AsrError(f"{where}: the object has no names to assign by ({sel[:3]!r})",
                       hint="assign by position, or give the vector names first")
    if isinstance(x, np.ndarray) and x.ndim == 2:
        flat = x.ravel(order="F").copy()
        idx = _positions(at, flat.size, where)
        if idx and max(idx) >= flat.size:
            raise AsrError(f"{where}: a position beyond the matrix's {flat.size} cells",
                           hint="a matrix does not grow by assignment; use cbind/rbind")
        vals = _recycled(value, len(idx), where)
        if flat.dtype.kind in "iub" and any(isinstance(v, float) for v in vals):
            flat = flat.astype(float)
        elif flat.dtype.kind != "O" and any(isinstance(v, str) for v in vals):
            flat = flat.astype(object)
        flat[idx] = vals
        return flat.reshape(x.shape, order="F")
    _na_mask_check(at, value, where)
    if isinstance(x, pd.Series):
        idx = _positions(at, len(x), where)
        vals = _recycled(value, len(idx), where)
        if isinstance(x.dtype, pd.CategoricalDtype) and max(idx, default=-1) < len(x):
            return _factor_assign(x, idx, vals, where)
        if max(idx, default=-1) < len(x):
            return _series_set(x, idx, vals)
        items = list(x)
        labels = list(x.index)
        grow = max(idx, default=-1) + 1 - len(items)
        if grow > 0:
            items += [_missing_like(vals)] * grow
            labels += [None] * grow if not isinstance(x.index, pd.RangeIndex) else \
                list(range(len(labels), len(labels) + grow))
        for i, v in zip(idx, vals):
            items[i] = v
        return pd.Series(items, index=labels, name=x.name)
    if isinstance(x, dict):
        keys, items = list(x.keys()), list(x.values())
        idx = _positions(at, len(items), where)
        vals = _recycled(value, len(idx), where)
        for i, v in zip(idx, vals):
            while i >= len(items):
                keys.append("")
                items.append(None)
            items[i] = v
        return dict(zip(keys, items))
    array = isinstance(x, np.ndarray)
    items = list(x) if isinstance(x, _SEQ) else [x]
    idx = _positions(at, len(items), where)
    vals = _recycled(value, len(idx), where)
    grow = max(idx, default=-1) + 1 - len(items)
    if grow > 0:
        items += [_missing_like(items + vals)] * grow
    for i, v in zip(idx, vals):
        items[i] = v
    return np.asarray(items) if array else items


def _series_set(x: pd.Series, idx: list[int], vals: list[Any]) -> pd.Series:
    """A copy of ``x`` with the values at positions ``idx`` replaced, x's index kept; the
    dtype widens as R's vector does (an integer vector given 2.5 becomes double, a number
    given text becomes character)."""
    out = x.copy()
    if not idx:
        return out
    try:
        out.iloc[idx] = vals
        return out
    except (TypeError, ValueError):
        pass
    items = x.to_numpy(dtype=object, copy=True)
    for i, v in zip(idx, vals):
        items[i] = v
    return pd.Series(list(items), index=x.index, name=x.name)


def _factor_assign(x: pd.Series, idx: list[int], vals: list[Any], where: str) -> pd.Series:
    """``f[i] <- v`` of a factor: it stays a factor with its levels (their order is the
    model's coding); a value that is not a level is NA, with R's warning."""
    import warnings

    cats = x.cat.categories
    bad = sorted({str(v) for v in vals if not _null(v) and v not in cats})
    if bad:
        warnings.warn(f"{where}: invalid factor level, NA generated ({bad[:3]}; the levels "
                      f"are {list(cats[:6])})", stacklevel=3)
    codes = x.cat.codes.to_numpy().copy()
    for i, v in zip(idx, vals):
        codes[i] = -1 if _null(v) or v not in cats else cats.get_loc(v)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=x.dtype), index=x.index,
                     name=x.name)


def _frame_assign(x: pd.DataFrame, at: Any, sel: list[Any], value: Any, where: str) -> Any:
    """``d[cols] <- value`` (columns by name or position) and ``d[mask] <- value`` (a
    logical data frame or matrix of d's shape: those cells)."""
    out = x.copy()
    if isinstance(at, (pd.DataFrame, np.ndarray)) and np.ndim(at) == 2:
        mask = np.asarray(at, dtype=bool)
        if mask.shape != out.shape:
            raise AsrError(f"d[mask] <- value: the mask is {mask.shape[0]} x {mask.shape[1]}, "
                           f"the data frame {out.shape[0]} x {out.shape[1]}",
                           hint="the logical matrix must have the data frame's shape")
        vals = _recycled(value, int(mask.sum()), where)
        k = 0
        for j, col in enumerate(out.columns):                       # by column, as R
            rows = np.flatnonzero(mask[:, j])
            if len(rows):
                colv = out[col].astype(object) if any(
                    isinstance(v, str) for v in vals[k:k + len(rows)]) else out[col]
                colv = colv.copy()
                colv.iloc[rows] = vals[k:k + len(rows)]
                out[col] = colv
                k += len(rows)
        return out
    if sel and all(isinstance(v, str) for v in sel):
        cols = sel
    else:
        cols = [out.columns[i] if i < out.shape[1] else f"V{i + 1}"
                for i in _positions(at, out.shape[1], where)]
    vals = value if isinstance(value, (pd.DataFrame, dict)) else None
    for n, c in enumerate(cols):
        if isinstance(vals, pd.DataFrame):
            out[c] = vals.iloc[:, n % vals.shape[1]].to_numpy()
        elif isinstance(vals, dict):
            out[c] = list(vals.values())[n % len(vals)]
        else:
            out[c] = value
    return out


def r_vector(mode: str = "logical", length: int = 0) -> Any:
    """R's ``vector(mode, length)``: ``length`` FALSE/0/""/NULL values of that mode (a list
    of NULLs for ``"list"``), the empty vector R scripts fill with ``x[i] <- v``."""
    if isinstance(mode, Untranslated) or isinstance(length, Untranslated):
        return (mode if isinstance(mode, Untranslated) else length)._use()
    fill = {"logical": False, "numeric": 0.0, "double": 0.0, "integer": 0,
            "character": "", "list": None, "complex": 0j}
    if mode not in fill:
        raise AsrError(f"vector(mode = {mode!r}): not a mode R knows",
                       hint="one of " + ", ".join(repr(m) for m in fill))
    n = int(length)
    if n < 0:
        raise AsrError(f"vector(length = {length}): a negative length",
                       hint="the length is a count, 0 or more")
    return [fill[mode]] * n
