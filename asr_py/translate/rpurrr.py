"""purrr's ``map()`` family and base R's ``pmax()``/``pmin()`` for translated scripts.

* ``map(.x, .f, ...)``, ``map_dbl``/``map_int``/``map_chr``/``map_lgl`` and the two-input
  ``map2*(.x, .y, .f, ...)``: ``.f`` applied to each element (to each pair, ``.x`` and
  ``.y`` recycled when one has length one, as purrr); ``map()`` gives a list (a dict when
  ``.x`` has names), the typed variants a vector, which must get exactly one value per
  element (purrr: "Result must be length 1"). A text or number ``.f`` extracts that element
  (``map_dbl(fits, "loglik")``). A data frame's elements are its columns.
* ``map_dfr(.x, .f, .id = NULL)`` (also ``map2_dfr``): the results' rows bound as dplyr's
  ``bind_rows()`` does, ``.id`` a first column of ``.x``'s names; ``imap(.x, .f)`` calls
  ``.f(element, name)``, the name being the position (1, 2, ...) when ``.x`` has none, and
  ``imap_dfr()`` binds its results' rows.
* ``keep(.x, .p, ...)``/``discard(.x, .p, ...)``: the elements for which the predicate
  ``.p`` is TRUE (``keep``) or FALSE (``discard``), of the same kind as ``.x`` (a list, a
  named list, a vector keeping its names, a data frame's columns); ``.p`` is a function
  returning one TRUE or FALSE per element (purrr's error otherwise, NA too) or a logical
  vector as long as ``.x``. ``compact(.x)`` discards the NULL and length-0 elements.
* ``pmax(..., na.rm = FALSE)``/``pmin()``: the elementwise maximum/minimum of vectors
  recycled to the longest; NA wins unless ``na.rm = TRUE``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_compact", "r_keep", "r_map", "r_pmax", "r_pmin"]

_KINDS = {"dbl": float, "int": int, "chr": str, "lgl": bool}


def _elements(x: Any, what: str) -> tuple[list[Any], list[str] | None]:
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if x is None:
        return [], None
    if isinstance(x, dict):
        return list(x.values()), [str(k) for k in x]
    if isinstance(x, pd.DataFrame):
        return [x[c] for c in x.columns], [str(c) for c in x.columns]
    if isinstance(x, pd.Series):
        # a named vector has text labels; a data column's row numbers are not names
        names = [str(k) for k in x.index] if x.index.dtype == object or \
            pd.api.types.is_string_dtype(x.index) else None
        return x.tolist(), names
    if isinstance(x, (list, tuple, range)):
        return list(x), None
    a = np.asarray(x)
    if a.ndim == 0:
        return [a.item()], None
    if a.ndim > 1:
        raise AsrError(f"{what}: .x is a matrix of shape {a.shape}",
                       hint="map over a vector, a list or a data frame's columns")
    return a.tolist(), None


def _as_fn(f: Any, what: str) -> Callable[..., Any]:
    if callable(f):
        return f  # type: ignore[no-any-return]
    if isinstance(f, (str, int)) and not isinstance(f, bool):
        def pluck(v: Any, *_: Any, **__: Any) -> Any:
            if isinstance(f, str):
                return v[f] if not hasattr(v, f) or isinstance(v, (dict, pd.Series,
                                                                  pd.DataFrame)) \
                    else getattr(v, f)
            return v[f - 1] if not isinstance(v, pd.Series) else v.iloc[f - 1]
        return pluck
    raise AsrError(f"{what}: .f must be a function, a formula, a name or a position, got "
                   f"{type(f).__name__}", hint="map_dbl(x, ~ .x + 1)")


def _one(v: Any, kind: str, what: str, k: int) -> Any:
    if isinstance(v, Untranslated):
        return v._use()
    a = np.asarray(v.to_numpy() if hasattr(v, "to_numpy") else v, dtype=object).ravel()
    if a.size != 1:
        raise AsrError(f"{what}: result {k + 1} must be a single value, not a vector of "
                       f"length {a.size}", hint="use map() for results of other lengths")
    x = a[0]
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return np.nan if kind not in ("lgl", "chr") else None   # NA stays NA
    if kind == "chr":
        return str(x)
    return _KINDS[kind](x)


def r_map(kind: str | None, f: Any, *xs: Any, map_id_: Any = None, **dots: Any) -> Any:
    """purrr's ``map*()`` (``kind``: None, ``"dbl"``, ``"int"``, ``"chr"``, ``"lgl"``,
    ``"dfr"``; ``"i"``/``"idfr"`` for ``imap()``/``imap_dfr()``) of one or two inputs ``xs``
    (see the module); ``map_id_``: ``map_dfr(.id = )``."""
    if kind in ("i", "idfr"):
        return _imap(kind, f, xs[0], map_id_, dots)
    if kind == "dfr":
        from asr_py.translate.rtidy import r_bind_rows

        res = r_map(None, f, *xs, **dots)
        return r_bind_rows([res] if isinstance(res, dict) and map_id_ is not None else
                           list(res.values()) if isinstance(res, dict) else res,
                           id=map_id_)
    what = ("map2" if len(xs) == 2 else "map") + (f"_{kind}" if kind else "") + "()"
    fn = _as_fn(f, what)
    cols = [_elements(x, what) for x in xs]
    for c in cols:
        if isinstance(c, Untranslated):
            return c
    lens = [len(v) for v, _ in cols]
    n = max(lens) if lens else 0
    if any(m not in (1, n) for m in lens):
        raise AsrError(f"{what}: inputs of lengths {lens} cannot be recycled",
                       hint="give inputs of the same length (or one of length 1)")
    names = next((nm for _, nm in cols if nm is not None), None)
    vals = [[v[i] if len(v) > 1 else v[0] for v, _ in cols] for i in range(n)] if n else []
    res = [fn(*args, **dots) for args in vals]
    if kind is None:
        return dict(zip(names, res)) if names is not None else res
    out = [_one(v, kind, what, k) for k, v in enumerate(res)]
    arr = np.array(out, dtype=object if kind == "chr" else float if kind == "dbl" else None)
    if kind == "int" and any(v is np.nan for v in out):
        arr = np.array(out, dtype=float)
    return pd.Series(arr, index=names) if names is not None else arr


def _imap(kind: str, f: Any, x: Any, id_: Any, dots: dict[str, Any]) -> Any:
    """``imap(.x, .f)``: ``.f(element, name)``, the name being the element's position (1, 2,
    ...) when ``.x`` has no names; ``imap_dfr()`` binds the results' rows."""
    what = "imap()" if kind == "i" else "imap_dfr()"
    fn = _as_fn(f, what)
    got = _elements(x, what)
    if isinstance(got, Untranslated):
        return got
    vals, names = got
    keys: list[Any] = list(names) if names is not None else list(range(1, len(vals) + 1))
    res = [fn(v, k, **dots) for v, k in zip(vals, keys)]
    if kind == "i":
        return dict(zip(names, res)) if names is not None else res
    from asr_py.translate.rtidy import r_bind_rows

    return r_bind_rows([dict(zip(map(str, keys), res))] if id_ is not None else res, id=id_)


def _flag(v: Any, what: str, k: int) -> bool:
    """One predicate result as purrr takes it: a single TRUE or FALSE."""
    if isinstance(v, Untranslated):
        return v._use()  # type: ignore[no-any-return]
    a = np.asarray(v.to_numpy() if hasattr(v, "to_numpy") else v, dtype=object).ravel()
    if a.size != 1 or not isinstance(a[0], (bool, np.bool_)):
        got = f"a vector of length {a.size}" if a.size != 1 else \
            "NA" if a[0] is None or isinstance(a[0], float) and np.isnan(a[0]) else \
            f"{type(a[0]).__name__} {a[0]!r}"
        raise AsrError(f"{what}: .p() must return a single TRUE or FALSE, not {got} "
                       f"(element {k + 1})", hint="give .p a predicate such as is.na or "
                       "~ .x > 0 that gives one logical per element")
    return bool(a[0])


def _select(x: Any, flags: list[bool]) -> Any:
    """The elements of ``x`` where ``flags`` is TRUE, ``x``'s kind and names kept."""
    if isinstance(x, dict):
        return {k: v for (k, v), f in zip(x.items(), flags) if f}
    if isinstance(x, pd.DataFrame):
        return x.loc[:, np.asarray(flags, dtype=bool)]
    if isinstance(x, pd.Series):
        return x[np.asarray(flags, dtype=bool)]
    if isinstance(x, (list, tuple, range)):
        return [v for v, f in zip(x, flags) if f]
    a = np.atleast_1d(np.asarray(x))
    return a[np.asarray(flags, dtype=bool)]


def r_keep(x: Any, p: Any, keep: bool = True, **dots: Any) -> Any:
    """purrr's ``keep(.x, .p, ...)`` (``keep=False``: ``discard()``): see the module."""
    what = "keep()" if keep else "discard()"
    got = _elements(x, what)
    if isinstance(got, Untranslated):
        return got
    vals, _ = got
    if callable(p):
        flags = [_flag(p(v, **dots), what, k) for k, v in enumerate(vals)]
    else:
        if isinstance(p, Untranslated):
            return p._use()
        a = np.atleast_1d(np.asarray(p.to_numpy() if hasattr(p, "to_numpy") else p,
                                     dtype=object)).ravel()
        if a.size != len(vals) or not all(isinstance(f, (bool, np.bool_)) for f in a):
            raise AsrError(f"{what}: .p must be a predicate function or a logical vector "
                           f"of length {len(vals)} (.x's), got {a.size} values",
                           hint="keep(x, is.numeric) or keep(x, c(TRUE, FALSE, ...))")
        flags = [bool(f) for f in a]
    return _select(x, [f == keep for f in flags])


def r_compact(x: Any, p: Any = None) -> Any:
    """purrr's ``compact(.x, .p = identity)``: the elements whose ``.p(element)`` is
    neither NULL nor of length 0 (see the module)."""
    got = _elements(x, "compact()")
    if isinstance(got, Untranslated):
        return got
    vals, _ = got

    def empty(v: Any) -> bool:
        v = p(v) if p is not None else v
        if v is None:
            return True
        if isinstance(v, (str, bytes)) or np.ndim(v) == 0 and not hasattr(v, "__len__"):
            return False
        return len(v) == 0
    return _select(x, [not empty(v) for v in vals])


def _parallel(what: str, op: Callable[..., Any], args: tuple[Any, ...], na_rm: bool) -> Any:
    if not args:
        raise AsrError(f"{what}: no arguments", hint=f"{what[:-2]}(x, 0)")
    for a in args:
        if isinstance(a, Untranslated):
            return a._use()
    index = next((a.index for a in args if isinstance(a, pd.Series)), None)
    arrs = [np.atleast_1d(np.asarray(a.to_numpy() if hasattr(a, "to_numpy") else a,
                                     dtype=float)) for a in args]
    shape = next((a.shape for a in arrs if a.ndim > 1), None)
    flat = [a.ravel() for a in arrs]
    n = max(a.size for a in flat)
    if any(a.size == 0 for a in flat):
        return np.array([])
    rec = np.vstack([np.resize(a, n) for a in flat])
    out = op.reduce(rec, axis=0)             # fmax/fmin skip NaN (all NaN: NaN)
    if not na_rm:
        out = np.where(np.isnan(rec).any(axis=0), np.nan, out)
    if shape is not None and int(np.prod(shape)) == n:
        return out.reshape(shape)        # R keeps the first matrix argument's dimensions
    if index is not None and len(index) == n:
        return pd.Series(out, index=index)
    return out


def r_pmax(*args: Any, na_rm: bool = False) -> Any:
    """R's ``pmax(..., na.rm = FALSE)`` (see the module)."""
    return _parallel("pmax()", np.fmax, args, na_rm)


def r_pmin(*args: Any, na_rm: bool = False) -> Any:
    """R's ``pmin(..., na.rm = FALSE)`` (see the module)."""
    return _parallel("pmin()", np.fmin, args, na_rm)
