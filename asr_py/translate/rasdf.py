"""base R's ``as.data.frame(x)`` of what is not yet a data frame: a vector (a Series,
a list, a 1-D array) becomes one column named as R deparses the argument
(``as.data.frame(effects)``: column ``effects``; ``x`` otherwise) with the vector's names
as row names (``rownames_to_column()`` then reads them); a named vector held as a
dict its names as row names (but a list filled by position, ``l[[i]] <- "a"``, held as a
dict keyed 1..n, is R's unnamed list of scalars: one row, a column per element); a matrix
(2-D array, or a DataFrame without column names) columns V1..Vn; a list of
equal-length vectors (a dict, or the unnamed list lapply() returns) one column each
(unnamed: V1..Vn; R's deparsed names are replaced by ``names(x) <-`` in practice). A data frame, and
anything else, is returned as it is."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_as_data_frame"]


def r_as_data_frame(x: Any, name: str = "x") -> Any:
    """``as.data.frame(x)``: see the module's docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        from asr_py.translate.runtime import is_table_matrix, table_long

        if is_table_matrix(x):          # a two-way table: its cells, long (Var1, Var2, Freq)
            return table_long(x)
        if isinstance(x.columns, pd.RangeIndex) and x.shape[1]:
            # a matrix with row names but no column names (as.matrix of a named vector)
            return x.set_axis([f"V{k + 1}" for k in range(x.shape[1])], axis=1)
        return x
    if isinstance(x, pd.Series):
        return pd.DataFrame({name: x.to_numpy()}, index=x.index.astype(str)
                            if not isinstance(x.index, pd.RangeIndex) else None)
    if isinstance(x, dict) and x and list(x) == list(range(1, len(x) + 1)) and \
            all(np.ndim(v) == 0 for v in x.values()):
        # an unnamed list filled by position (l[[i]] <- "a"): one row, a column per element
        return _row_of_scalars(list(x.values()))
    if isinstance(x, dict) and x and all(np.ndim(v) == 0 for v in x.values()):
        # a named vector (c(a = 1, b = 2)): its names are the row names
        return pd.DataFrame({name: list(x.values())}, index=[str(k) for k in x])
    if isinstance(x, dict) and x and all(np.ndim(v) == 1 for v in x.values()):
        return pd.DataFrame(x)
    if isinstance(x, (list, tuple)) and x and all(np.ndim(v) == 1 for v in x):
        return _columns_of_list(list(x))
    if isinstance(x, (list, tuple, np.ndarray)):
        a = np.asarray(x)
        if a.ndim == 1:
            return pd.DataFrame({name: a})
        if a.ndim == 2:
            return pd.DataFrame(a, columns=[f"V{k + 1}" for k in range(a.shape[1])])
    return x


def _deparse(v: Any) -> str:
    """R's deparse() of one value, as as.data.frame() names a column after it."""
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return "NA" if np.isnan(f) else str(int(f)) if f.is_integer() else repr(f)
    return str(v)


def _row_of_scalars(values: list[Any]) -> pd.DataFrame:
    """``as.data.frame(list("a", 2))``: one row, one column per element, named as R does
    (``make.unique(make.names(deparse(v)))``: ``X.a.``, ``X2``)."""
    import re

    def make_names(d: str) -> str:          # R: X prefixed when the start is not valid
        ok = re.match(r"[^\W\d_]|\.(?!\d)", d)
        out = re.sub(r"[^\w.]", ".", d if ok else "X" + d)
        return out + "." if out in ("TRUE", "FALSE", "NA", "NULL", "Inf", "NaN") else out

    names: list[str] = []
    seen: dict[str, int] = {}
    for v in values:
        n = make_names(_deparse(v))
        k = seen.get(n, 0)
        seen[n] = k + 1
        names.append(n if k == 0 else f"{n}.{k}")
    return pd.DataFrame([values], columns=names)


def _columns_of_list(vectors: list[Any]) -> pd.DataFrame:
    """An unnamed list of vectors as columns, shorter ones recycled as R does when their
    length divides the longest (a clear error otherwise, as R's)."""
    n = max(len(v) for v in vectors)
    cols: dict[str, Any] = {}
    for k, v in enumerate(vectors):
        a = v.to_numpy() if isinstance(v, pd.Series) else np.asarray(v)
        if len(a) != n:
            if len(a) == 0 or n % len(a):
                raise ValueError(
                    f"as.data.frame(): element {k + 1} of the list has {len(a)} values, "
                    f"not {n} like the longest (R: arguments imply differing number of rows)")
            a = np.tile(a, n // len(a))
        cols[f"V{k + 1}"] = a
    return pd.DataFrame(cols)
