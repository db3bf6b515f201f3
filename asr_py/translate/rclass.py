"""R's ``class(x)`` of the values a translated script holds: the class vector R gives the
object the value stands for (``"asreml.predict" %in% class(diffs$predictions)``,
``class(fit) == "asreml"``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["r_class"]

#: asr_py/asr.plus classes -> R's class vector
_NAMED = {"AsremlFit": ["asreml"], "GlmmFit": ["asreml"], "AsrTests": ["asrtests", "list"],
          "Alldiffs": ["alldiffs", "list"], "RFormula": ["formula"]}


def _vector_class(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "factor"
    if pd.api.types.is_bool_dtype(dtype):
        return "logical"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    return "character"


def r_class(x: Any) -> Any:
    """R's ``class(x)``: one text, or the class vector (a list) when R's has several."""
    for k in type(x).__mro__:
        if k.__name__ in _NAMED:
            out = _NAMED[k.__name__]
            return out[0] if len(out) == 1 else list(out)
    if x is None:
        return "NULL"
    own = getattr(x, "attrs", None) if not isinstance(x, str) else None
    if isinstance(own, dict):
        # class(x) <- v (rsetattrs), or a helper's R class attribute (rmct: "class")
        cls = own.get("r_class") or own.get("class")
        if isinstance(cls, str):
            return cls
        if isinstance(cls, list | tuple) and cls and all(isinstance(c, str) for c in cls):
            return cls[0] if len(cls) == 1 else list(cls)
    if isinstance(x, BaseException):
        return "try-error"          # try() of a failing expression: the error's value
    if isinstance(x, pd.DataFrame):
        cls = x.attrs.get("r_class") or ["data.frame"]
        return cls[0] if len(cls) == 1 else list(cls)
    if isinstance(x, pd.Series | pd.Index):
        return _vector_class(x.dtype)
    if isinstance(x, np.ndarray):
        return ["matrix", "array"] if x.ndim == 2 else _vector_class(x.dtype)
    if isinstance(x, dict):
        return "list"
    if isinstance(x, bool | np.bool_):
        return "logical"
    if isinstance(x, int | float | np.number):
        return "numeric"       # R's literal numbers are doubles
    if isinstance(x, str):
        return "character"
    if isinstance(x, list | tuple):
        vals = list(x)
        if vals and all(isinstance(v, str) for v in vals):
            return "character"
        if vals and all(isinstance(v, bool | np.bool_) for v in vals):
            return "logical"
        if vals and all(isinstance(v, int | float | np.number) and
                        not isinstance(v, bool) for v in vals):
            return "numeric"
        return "list"
    if callable(x):
        return "function"
    return type(x).__name__
