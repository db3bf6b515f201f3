"""R's replacement functions of an object's attributes (R 4 ``?class``, ``?attributes``,
``?storage.mode``, ``?dim``), as assignments of a translated script:

* ``class(x) <- value`` / ``oldClass(x) <- value``: x's class attribute, read back by
  ``class()``/``inherits()`` (rclass.py, ristype.py); ``NULL`` removes it (``unclass``).
  A data frame given a class without "data.frame" is no data frame to ``is.data.frame``.
* ``unclass(x)``: x without its class: a data frame is the list of its columns, a factor
  its integer codes.
* ``attributes(x) <- NULL``: every attribute removed: names, dim and dimnames (a matrix
  becomes its column-major vector), class and levels (a factor becomes its codes), a data
  frame the unnamed list of its columns.
* ``storage.mode(x) <- mode`` / ``mode(x) <- mode``: the values converted as
  ``as.<mode>()`` does ("numeric"/"double", "integer" truncates, "character", "logical"),
  the dimensions and names kept. A list (data frame) cannot be coerced: R's error.
* ``dim(x) <- d``: the values (column-major, R's order) laid out in ``d`` (a matrix for two
  extents, an array for more: rarray.py); ``NULL`` drops the dimensions.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.rlist import RList
from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["ClassedList", "assign_call", "r_set_class", "r_strip_attributes",
           "r_set_storage_mode", "r_set_dim", "r_unclass", "FUNCS"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "unclass": ("r_unclass", ("x",), ("base",)),
}


class ClassedList(RList):
    """An R list (named: a dict) carrying attributes, such as a class set by ``class<-``."""

    attrs: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attrs = {}


def _classes(value: Any) -> list[str] | None:
    if value is None:
        return None
    vals = [value] if isinstance(value, str) else list(np.ravel(np.asarray(value, dtype=object)))
    if not all(isinstance(v, str) for v in vals):
        raise AsrError("class(x) <- value: the value must be text (a class vector)",
                       hint='e.g. class(x) <- c("myclass", "data.frame")')
    return [str(v) for v in vals]


def r_set_class(x: Any, value: Any) -> Any:
    """``class(x) <- value``: a copy of x whose class() is ``value`` (NULL: unclass)."""
    if isinstance(x, Untranslated):
        return x._use()
    cls = _classes(value)
    if cls is None:
        return r_unclass(x)
    if isinstance(x, pd.DataFrame | pd.Series):
        out = x.copy()
        if cls == ["data.frame"] and isinstance(x, pd.DataFrame):
            out.attrs.pop("r_class", None)
        else:
            out.attrs["r_class"] = cls
        return out
    if isinstance(x, dict):
        out2 = ClassedList(x)
        out2.attrs.update(getattr(x, "attrs", {}) or {})
        out2.attrs["r_class"] = cls
        return out2
    if isinstance(x, list | tuple):
        return r_set_class(ClassedList({str(k + 1): v for k, v in enumerate(x)}), value)
    if isinstance(x, np.ndarray):
        from asr_py.translate.rbase import RArray

        out3 = np.array(x).view(RArray)
        out3.attrs["r_class"] = cls
        return out3
    raise AsrError(f"class(x) <- value: x is a {type(x).__name__}, which cannot carry an R "
                   "class here", hint="a class is kept on lists, data frames and arrays")


def _codes(x: Any) -> np.ndarray:
    codes = np.asarray(pd.Categorical(x).codes if not isinstance(x, pd.Categorical)
                       else x.codes)
    if (codes < 0).any():
        return np.where(codes < 0, np.nan, codes + 1.0)
    return codes.astype(np.int64) + 1


def _is_factor(x: Any) -> bool:
    return isinstance(x, pd.Categorical) or isinstance(x, pd.Series) and \
        isinstance(x.dtype, pd.CategoricalDtype)


def r_unclass(x: Any) -> Any:
    """``unclass(x)``: x without its class attribute (see the module docstring)."""
    if isinstance(x, Untranslated):
        return x._use()
    if _is_factor(x):
        codes = _codes(x)
        return pd.Series(codes, index=x.index) if isinstance(x, pd.Series) and \
            all(isinstance(i, str) for i in x.index) else codes
    if isinstance(x, pd.DataFrame):
        return RList({str(c): x[c].to_numpy() for c in x.columns})
    if isinstance(x, ClassedList):
        out = ClassedList(x)
        out.attrs = {k: v for k, v in x.attrs.items() if k != "r_class"}
        return out
    if isinstance(x, pd.Series) and "r_class" in x.attrs:
        out2 = x.copy()
        del out2.attrs["r_class"]
        return out2
    return x


def r_strip_attributes(x: Any) -> Any:
    """``attributes(x) <- NULL``: x with no attribute at all (see the module docstring)."""
    if isinstance(x, Untranslated):
        return x._use()
    if x is None:
        return None
    if _is_factor(x):
        return _codes(x)
    if isinstance(x, pd.DataFrame):
        if "matrix" in (x.attrs.get("r_class") or []) or \
                all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes) and \
                x.attrs.get("r_class") is not None:
            return x.to_numpy().ravel(order="F")
        return [x[c].to_numpy() for c in x.columns]
    if isinstance(x, pd.Series | pd.Index):
        return x.to_numpy().copy()
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, np.ndarray):
        return np.array(x).ravel(order="F")
    return x


_MODES = {"numeric": float, "double": float, "integer": int, "character": str,
          "logical": bool}


def _convert(v: Any, mode: str) -> Any:
    if v is None or isinstance(v, float) and np.isnan(v):
        return np.nan if mode in ("numeric", "double", "integer") else None
    if mode in ("numeric", "double"):
        try:
            return float(v)
        except (TypeError, ValueError):
            return np.nan          # R: NA, with a warning "NAs introduced by coercion"
    if mode == "integer":
        try:
            f = float(v)
        except (TypeError, ValueError):
            return np.nan
        return np.nan if np.isnan(f) else int(np.trunc(f))
    if mode == "character":
        from asr_py.translate.runtime import r_labels

        return list(r_labels(pd.Series([v])))[0]
    if isinstance(v, str):
        return {"TRUE": True, "T": True, "true": True, "True": True, "FALSE": False,
                "F": False, "false": False, "False": False}.get(v)
    return bool(v)


def r_set_storage_mode(x: Any, mode: str) -> Any:
    """``storage.mode(x) <- mode``: x's values as ``mode``, its shape and names kept."""
    if isinstance(x, Untranslated):
        return x._use()
    if mode not in _MODES:
        raise AsrError(f"storage.mode(x) <- {mode!r}: not a mode asr_py converts",
                       hint="numeric, double, integer, character or logical")
    if isinstance(x, dict):
        raise AsrError(f"storage.mode(x) <- {mode!r}: (list) object cannot be coerced to type "
                       f"'{'double' if mode == 'numeric' else mode}' (R's error)",
                       hint="convert each column, e.g. d[] <- lapply(d, as.numeric)")
    conv = np.vectorize(lambda v: _convert(v, mode), otypes=[object])
    if isinstance(x, pd.DataFrame):
        vals = conv(x.to_numpy(dtype=object)) if x.size else x.to_numpy()
        out = pd.DataFrame(_typed(vals, mode), index=x.index, columns=x.columns)
        out.attrs.update(x.attrs)
        return out
    if isinstance(x, pd.Series):
        return pd.Series(_typed(conv(x.to_numpy(dtype=object)), mode), index=x.index,
                         name=x.name)
    arr = np.asarray(x, dtype=object)
    return _typed(conv(arr) if arr.size else arr, mode)


def _typed(vals: np.ndarray, mode: str) -> np.ndarray:
    if mode in ("numeric", "double"):
        return vals.astype(float)
    if mode == "integer":
        isna = np.array([isinstance(v, float) and np.isnan(v) for v in vals.ravel()])
        return vals.astype(float) if isna.any() else vals.astype(np.int64)
    if mode == "logical":
        return vals if any(v is None for v in vals.ravel()) else vals.astype(bool)
    return vals


def r_set_dim(x: Any, value: Any) -> Any:
    """``dim(x) <- value``: x's values in R's (column-major) order laid out in ``value``."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        flat = x.to_numpy().ravel(order="F")
    elif isinstance(x, pd.Categorical) or _is_factor(x):
        raise AsrError("dim(x) <- value of a factor", hint="R stops too: convert it first "
                       "(as.character or as.integer)")
    else:
        flat = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x).ravel(order="F")
    if value is None:
        return flat
    dims = [int(v) for v in np.ravel(np.asarray(value, dtype=float))]
    if int(np.prod(dims)) != flat.size:
        raise AsrError(f"dims [product {int(np.prod(dims))}] do not match the length of "
                       f"object [{flat.size}] (R's error of dim(x) <- value)")
    return flat.reshape(dims, order="F")


#: R replacement function -> runtime helper (the value its last argument)
_SETTERS = {"class": "r_set_class", "oldClass": "r_set_class", "storage.mode":
            "r_set_storage_mode", "mode": "r_set_storage_mode", "dim": "r_set_dim"}


def assign_call(tr: Any, target: R, rhs: str, value: R) -> str | None:
    """``class(x) <- v``, ``attributes(x) <- NULL``, ``storage.mode(x) <- m``,
    ``dim(x) <- d`` as Python (x a name or itself a replacement: written back); None for
    other targets."""
    if target.kind != "call" or len(target.args) != 1 or target.args[0][0] not in (None, "x"):
        return None
    inner = target.args[0][1]
    if target.value == "attributes":
        if not (value.kind == "name" and value.value == "NULL"):
            return None
        new = f"{tr.runtime('r_strip_attributes')}({tr.py(inner)})"
    elif target.value in _SETTERS:
        new = f"{tr.runtime(_SETTERS[target.value])}({tr.py(inner)}, {rhs})"
    else:
        return None
    if inner.kind in ("name", "str"):
        from asr_py.translate.printer import pyname

        tr.assigned.add(inner.value)
        return f"{pyname(inner.value)} = {new}"
    return str(tr.assign_into(inner, new))
