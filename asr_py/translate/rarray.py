"""R's arrays of three or more dimensions (R 4 ``?array``, ``?Extract``, ``?which``):

* ``array(data = NA, dim = length(data), dimnames = NULL)``: ``data`` recycled to
  ``prod(dim)`` values laid out column-major (the first subscript fastest); ``array(dim =)``
  is all NA. A numpy array of that shape; one dimension gives a vector, two a matrix.
* ``x[i, j, k]`` (one subscript per dimension): each empty (all), positive positions,
  negative positions (left out), a logical mask (recycled) or names (``dimnames``); the
  extents of length one dropped (``drop = TRUE``: R's rule), so ``X[, , 1]`` is a matrix and
  ``x[1, 2, 3]`` one value; ``drop = FALSE`` keeps them.
* ``x[i, j, k] <- value``: the selected block, ``value`` recycled over it column-major.
* ``f[drop = TRUE]``: all of a factor, its unused levels dropped (``?Extract.factor``).
* ``which(x, arr.ind = TRUE)``: for a matrix or array the subscripts of the TRUE elements,
  one row each in R's (column-major) order, columns ``row``, ``col`` (``dim1``, ``dim2``,
  ... for more dimensions), row names from the matrix's row names; for a vector the
  positions, as ``which(x)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable

__all__ = ["FUNCS", "r_array", "r_array_index", "r_array_assign", "r_which_arr_ind",
           "index", "assign"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "array": ("r_array", ("data", "dim", "dimnames"), ("base",)),
}


def _values(data: Any) -> np.ndarray:
    if isinstance(data, pd.DataFrame):
        return data.to_numpy().ravel(order="F")
    if isinstance(data, pd.Series | pd.Index):
        return data.to_numpy()
    if isinstance(data, dict):
        return np.asarray(list(data.values()))
    return np.asarray(data).ravel(order="F")


def r_array(data: Any = None, dim: Any = None, dimnames: Any = None) -> Any:
    """``array(data, dim, dimnames)``: see the module docstring."""
    for v in (data, dim):
        if isinstance(v, Untranslated):
            return v._use()
    vals = np.array([np.nan]) if data is None else _values(data)
    if vals.dtype == object and all(v is None for v in vals):
        vals = np.full(vals.shape, np.nan)
    dims = [len(vals)] if dim is None else [int(d) for d in np.ravel(np.asarray(dim, float))]
    if any(d < 0 for d in dims):
        raise AsrError("array(): negative extents in 'dim' (R's error)")
    n = int(np.prod(dims))
    if n and not len(vals):
        raise AsrError("array(): 'data' is empty but 'dim' is not (R gives NA; give "
                       "data = NA)")
    flat = np.resize(vals, n) if n else vals[:0]
    out = flat.reshape(dims, order="F")
    if dimnames is not None:
        if len(dims) != 2:
            raise AsrError("array(dimnames =) of other than two dimensions is not kept here",
                           hint="give the names of a matrix, or index by position")
        rows, cols = (None if d is None else [str(x) for x in d] for d in dimnames)
        return pd.DataFrame(out, index=rows, columns=cols)
    return out


def _positions(sub: Any, n: int, names: list[str] | None, k: int) -> np.ndarray:
    """0-based positions along a dimension of extent ``n`` for R's subscript ``sub``."""
    if sub is None:
        return np.arange(n)
    if isinstance(sub, Untranslated):
        raise sub._needs_value(f"subscript {k + 1} of an array")
    v = sub.to_numpy() if isinstance(sub, pd.Series | pd.Index) else np.asarray(sub)
    v = np.atleast_1d(v).ravel()
    if v.dtype == bool:
        if n % len(v) and len(v) > n:
            raise AsrError(f"(subscript) logical subscript too long (dimension {k + 1})")
        return np.nonzero(np.resize(v, n))[0]
    if v.dtype.kind in "US" or v.dtype == object and all(isinstance(x, str) for x in v):
        if names is None:
            raise AsrError(f"subscript {k + 1} of an array by name, but the array has no "
                           "dimnames", hint="index it by position")
        missing = [x for x in v if x not in names]
        if missing:
            raise AsrError(f"subscript out of bounds: {missing[0]!r} (dimension {k + 1})")
        return np.array([names.index(str(x)) for x in v], dtype=int)
    num = v.astype(float)
    if (num < 0).any():
        if (num > 0).any():
            raise AsrError("only 0's may be mixed with negative subscripts (R's error)")
        drop = {int(-x) - 1 for x in num if x != 0}
        return np.array([p for p in range(n) if p not in drop], dtype=int)
    pos = np.trunc(num[num != 0]).astype(int) - 1
    if (pos >= n).any():
        raise AsrError(f"subscript out of bounds (dimension {k + 1}: {int(pos.max()) + 1} > "
                       f"{n})", hint="R stops too: check the extents with dim(x)")
    return pos


def _as_array(x: Any) -> tuple[np.ndarray, list[list[str] | None]]:
    if isinstance(x, pd.DataFrame):
        return x.to_numpy(), [[str(i) for i in x.index], [str(c) for c in x.columns]]
    arr = np.asarray(x)
    return arr, [None] * arr.ndim


def r_array_index(x: Any, *subs: Any, drop: bool = True) -> Any:
    """``x[i, j, k, ...]``: see the module docstring (``None`` is an empty subscript)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame) and len(subs) == 3 and "matrix" not in (
            x.attrs.get("r_class") or []):
        # d[i, j, FALSE]: `[.data.frame`(x, i, j, drop), the third one is drop
        from asr_py.translate.rbase import r_ij

        return r_ij(x, subs[0], subs[1], drop=bool(np.ravel(subs[2])[0]))
    arr, names = _as_array(x)
    if arr.ndim != len(subs):
        raise AsrError(f"incorrect number of dimensions: {len(subs)} subscripts of an array "
                       f"of {arr.ndim} (R's error)", hint="give one subscript per dimension")
    pos = [_positions(s, n, nm, k) for k, (s, n, nm) in
           enumerate(zip(subs, arr.shape, names))]
    out = arr[np.ix_(*pos)]
    if not drop:
        return out
    keep = [d for d, p in enumerate(pos) if len(p) != 1]
    out = out.reshape([len(pos[d]) for d in keep], order="F") if keep else out.ravel()
    if not keep:
        val = out[0]
        return val.item() if isinstance(val, np.generic) else val
    if len(keep) == 2 and all(names[d] is not None for d in keep):
        rows, cols = ([names[d][p] for p in pos[d]] for d in keep)  # type: ignore[index]
        return pd.DataFrame(out, index=rows, columns=cols)
    return out


def r_array_assign(x: Any, subs: tuple[Any, ...], value: Any) -> Any:
    """``x[i, j, k] <- value``: a copy of x with the block replaced (see the module
    docstring)."""
    if isinstance(x, Untranslated):
        return x._use()
    arr, names = _as_array(x)
    if arr.ndim != len(subs):
        raise AsrError(f"incorrect number of subscripts: {len(subs)} of an array of "
                       f"{arr.ndim} dimensions (R's error)")
    pos = [_positions(s, n, nm, k) for k, (s, n, nm) in
           enumerate(zip(subs, arr.shape, names))]
    vals = _values(value) if not np.isscalar(value) and value is not None else \
        np.array([np.nan if value is None else value])
    shape = tuple(len(p) for p in pos)
    n = int(np.prod(shape))
    if n and (not len(vals) or n % len(vals)):
        raise AsrError(f"number of items to replace ({n}) is not a multiple of replacement "
                       f"length ({len(vals)}) (R's error)")
    out = arr.copy()
    if vals.dtype.kind in "fc" and out.dtype.kind in "biu":
        out = out.astype(float)
    elif vals.dtype.kind in "USO" and out.dtype.kind not in "USO":
        out = out.astype(object)
    out[np.ix_(*pos)] = np.resize(vals, n).reshape(shape, order="F")
    if isinstance(x, pd.DataFrame):
        return pd.DataFrame(out, index=x.index, columns=x.columns)
    return out


def r_which_arr_ind(x: Any) -> Any:
    """``which(x, arr.ind = TRUE)``: see the module docstring."""
    from asr_py.translate.rvector import r_which

    if isinstance(x, Untranslated):
        return x._use()
    if not (isinstance(x, pd.DataFrame) or isinstance(x, np.ndarray) and x.ndim >= 2):
        return r_which(x)
    arr, names = _as_array(x)
    flat = arr.ravel(order="F")
    hits = [k for k, v in enumerate(flat) if v is not None and not (
        isinstance(v, float) and np.isnan(v)) and bool(v)]
    subs = np.array(np.unravel_index(np.array(hits, dtype=int), arr.shape, order="F")).T + 1 \
        if hits else np.zeros((0, arr.ndim), dtype=int)
    cols = ["row", "col"] if arr.ndim == 2 else [f"dim{d + 1}" for d in range(arr.ndim)]
    rows = [names[0][r - 1] for r in subs[:, 0]] if names[0] is not None else None
    out = pd.DataFrame(subs.astype(np.int64), columns=cols, index=rows)
    out.attrs["r_class"] = ["matrix", "array"]
    return out


def _subs(tr: Any, args: list[R]) -> list[str]:
    return ["None" if a.kind == "empty" else tr.py(a) for a in args]


def index(tr: Any, e: R) -> str | None:
    """``x[i, j, k, ...]`` (three or more subscripts, ``drop =`` too); None otherwise."""
    if e.value != "[" or e.left is None:
        return None
    args = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    if not args and set(named) == {"drop"} and named["drop"].kind == "name" and \
            named["drop"].value in ("TRUE", "T", "FALSE", "F"):
        # f[drop = TRUE]: all of f, a factor's unused levels dropped (?Extract.factor)
        return f"{tr.runtime('r_droplevels')}({tr.py(e.left)})" \
            if named["drop"].value in ("TRUE", "T") else tr.py(e.left)
    if len(args) < 3 or set(named) - {"drop"}:
        return None
    drop = f", drop={tr.py(named['drop'])}" if "drop" in named else ""
    return (f"{tr.runtime('r_array_index')}({tr.py(e.left)}, {', '.join(_subs(tr, args))}"
            f"{drop})")


def assign(tr: Any, target: R, rhs: str) -> str | None:
    """``x[i, j, k] <- value`` (three or more subscripts); None otherwise."""
    if target.kind != "index" or target.value != "[" or target.left is None or \
            any(n is not None for n, _ in target.args) or len(target.args) < 3:
        return None
    subs = _subs(tr, [a for _, a in target.args])
    new = f"{tr.runtime('r_array_assign')}({tr.py(target.left)}, ({', '.join(subs)},), {rhs})"
    if target.left.kind in ("name", "str"):
        from asr_py.translate.printer import pyname

        tr.assigned.add(target.left.value)
        return f"{pyname(target.left.value)} = {new}"
    try:
        return str(tr.assign_into(target.left, new))
    except Untranslatable:
        return None
