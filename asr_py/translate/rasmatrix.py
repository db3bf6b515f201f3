"""base R's ``as.matrix(x)`` (R 4.x ``?as.matrix``, ``as.matrix.default``,
``as.matrix.data.frame``) on the values translated scripts hold.

* a vector (list, 1-D array, a Series, one value) is an n x 1 matrix: ``array(x, c(n, 1))``.
  Its names (a Series' non-integer labels, a named ``c()`` held as a dict) become the row
  names, and there are no column names; a factor gives its labels (a character matrix).
* a matrix (2-D array, a labelled DataFrame) is itself; a sparse matrix its dense form.
* a data frame is a matrix with its column names (and its row names): numeric when every
  column is numeric or logical (logicals then read 1/0; all logical: a logical matrix);
  otherwise a character matrix, where a factor gives its labels and every other
  non-character column is ``format()``-ed as R prints it (a common number of decimals,
  right-justified to a common width; NA stays NA).

In Python a matrix without dimnames is a 2-D numpy array and one with dimnames a DataFrame
(:mod:`asr_py.translate.rmatrix`), so a data frame keeps its DataFrame form. Anything else
(an object R's ``as.matrix`` methods of other packages would convert) is returned as it is.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated
from asr_py.translate.rmatshape import as_column

__all__ = ["r_as_matrix", "r_format_numbers"]


def _sig_digits(v: float, digits: int) -> int:
    """The fewest significant digits (1..digits) that show ``v`` as it shows with ``digits``
    (R's formatReal: trailing zeros of the rounded value dropped)."""
    ref = float(f"{v:.{digits - 1}e}")
    for d in range(1, digits + 1):
        if float(f"{v:.{d - 1}e}") == ref:
            return d
    return digits


def r_format_numbers(x: Any, digits: int = 7) -> list[str | None]:
    """R's ``format()`` of a numeric vector (``digits = 7``, ``scipen = 0``): every finite
    value with the decimals the most demanding one needs at ``digits`` significant digits
    (fixed notation unless scientific is narrower), all right-justified to one width;
    NA/NaN are None (``as.matrix`` puts NA back), Inf ``Inf``."""
    vals = [None if v is None or isinstance(v, float) and math.isnan(v) else v
            for v in (float(u) if u is not None and not pd.isna(u) else None for u in x)]
    fin = [v for v in vals if v is not None and math.isfinite(v)]
    rgt, sci_sig, fixed_w, sci_w = 0, 1, 1, 1
    if fin:
        sigs = [_sig_digits(v, digits) if v != 0 else 1 for v in fin]
        exps = [0 if v == 0 else math.floor(math.log10(abs(float(f"{v:.{digits - 1}e}"))))
                for v in fin]
        rgt = max(max(0, s - 1 - e) for s, e in zip(sigs, exps))
        left = max(max(1, e + 1) for e in exps)
        neg = any(v < 0 for v in fin)
        fixed_w = neg + left + (rgt > 0) + rgt
        sci_sig = max(sigs)
        big_e = any(abs(e) >= 100 for e in exps)
        sci_w = neg + (sci_sig + 1 if sci_sig > 1 else 1) + (5 if big_e else 4)
    sci = bool(fin) and fixed_w > sci_w

    def one(v: float | None) -> str | None:
        if v is None:
            return None
        if not math.isfinite(v):
            return "Inf" if v > 0 else "-Inf"
        if sci:
            m, e = f"{v:.{sci_sig - 1}e}".split("e")
            return f"{m}e{int(e):+03d}"
        return f"{v:.{rgt}f}"

    out = [one(v) for v in vals]
    width = max([len(s) for s in out if s is not None] + [2 if None in out else 0])
    return [None if s is None else s.rjust(width) for s in out]


def _format_logical(x: pd.Series) -> list[str | None]:
    """``format()`` of a logical vector: TRUE/FALSE right-justified to a common width."""
    out = [None if pd.isna(v) else "TRUE" if v else "FALSE" for v in x]
    width = max([len(s) for s in out if s is not None] + [0])
    return [None if s is None else s.rjust(width) for s in out]


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype)


def _frame(x: pd.DataFrame) -> pd.DataFrame:
    """``as.matrix.data.frame``: see the module docstring."""
    cols = [x.iloc[:, j] for j in range(x.shape[1])]
    if all(_is_numeric(c) for c in cols):
        if all(pd.api.types.is_bool_dtype(c) for c in cols) or \
                not any(pd.api.types.is_bool_dtype(c) for c in cols):
            return x.copy()
        return x.astype(float)                   # logicals among numbers read 1/0
    out: dict[int, list[Any]] = {}
    for j, c in enumerate(cols):
        if isinstance(c.dtype, pd.CategoricalDtype):
            vals: list[Any] = [None if pd.isna(v) else str(v) for v in c]
        elif pd.api.types.is_bool_dtype(c):
            vals = _format_logical(c)
        elif _is_numeric(c):
            vals = r_format_numbers(c.to_numpy())
        else:
            vals = [None if not isinstance(v, str) and pd.isna(v) else
                    v if isinstance(v, str) else str(v) for v in c]
        out[j] = vals
    res = pd.DataFrame({j: pd.Series(v, dtype=object) for j, v in out.items()})
    res.columns = x.columns
    res.index = x.index
    return res


def _has_names(s: pd.Series) -> bool:
    """Whether a Series stands for a named R vector (labels that are not positions)."""
    return not isinstance(s.index, pd.RangeIndex) and \
        not pd.api.types.is_integer_dtype(s.index.dtype)


def _column(values: Any) -> np.ndarray:
    a = np.asarray(values)
    if a.dtype.kind in "USO" or a.dtype == object:
        a = np.asarray(values, dtype=object)
    return a.reshape(-1, 1)


def r_as_matrix(x: Any) -> Any:
    """``as.matrix(x)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if x is None:
        raise TypeError("as.matrix(NULL): 'data' must be of a vector type, was 'NULL'")
    if isinstance(x, pd.DataFrame):
        return _frame(x)
    if hasattr(x, "toarray") and hasattr(x, "shape") and len(x.shape) == 2:
        return np.asarray(x.toarray())            # a sparse matrix: its dense form
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return x
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return np.array(as_column(x)).reshape(-1, 1)
    if isinstance(x, (pd.Series, pd.Index, pd.Categorical)):
        s = pd.Series(x) if not isinstance(x, pd.Series) else x
        vals = [None if pd.isna(v) else str(v) for v in s] \
            if isinstance(s.dtype, pd.CategoricalDtype) else s.to_numpy()
        col = _column(vals)
        if isinstance(x, pd.Series) and _has_names(x):
            return pd.DataFrame(col, index=[str(k) for k in x.index])
        return col
    if isinstance(x, dict) and x and all(np.ndim(v) == 0 for v in x.values()):
        keys = list(x)
        col = _column(list(x.values()))
        if keys == list(range(1, len(keys) + 1)):  # a list filled by position: no names
            return col
        return pd.DataFrame(col, index=[str(k) for k in keys])
    if isinstance(x, (list, tuple, range)) and all(np.ndim(v) == 0 for v in x):
        return _column(list(x))
    if isinstance(x, (str, bytes, bool, int, float, complex, np.generic)):
        return _column([x])
    return x
