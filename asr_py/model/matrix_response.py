"""A response matrix given by name: ``asr.asreml("Y ~ trait", data=d, Y=Ymat)``.

asreml takes a matrix response (``Y ~ trait`` with ``Y`` a matrix in R's environment) as the
multivariate model ``cbind(y1, ..., yk) ~ trait`` whose trait levels are the matrix's column
names (ASReml-R reference manual, "Multivariate analysis"). Here ``Y`` is a keyword of
:func:`asr_py.asreml`: a DataFrame (its column names are the traits), or a 2-D array (traits
``V1, ..., Vk``), with one row per data row. Its columns join the data under the trait
names and the response becomes ``cbind()`` of them; a data column of the same name with other
values is an error, as is a row count other than the data's. A data frame may also name
its own columns as a response matrix: ``data.attrs['matrix_responses'] = {'Y': ['a', 'b']}``
makes ``Y ~ trait`` the model ``cbind(a, b) ~ trait`` (what translated scripts use).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import DataError

__all__ = ["MATRIX_RESPONSES", "matrix_columns", "matrix_response"]

#: ``data.attrs[MATRIX_RESPONSES] = {"Y": ["a", "b"]}``: the response ``Y`` is the data's
#: columns a and b (set by translate's ``r_env_columns`` for a script's response matrix)
MATRIX_RESPONSES = "matrix_responses"


def matrix_columns(value: Any, src: str, n: int | None = None
                   ) -> tuple[np.ndarray, list[str], bool]:
    """(values n × k, trait names, named): a DataFrame's columns by name (unless they are
    0, 1, ...: an R matrix without column names), else ``V1, ..., Vk``."""
    if isinstance(value, pd.Series):     # an R vector: no column name (pandas keeps one)
        value = value.to_numpy()
    if isinstance(value, pd.DataFrame):
        cols = list(value.columns)
        named = not (isinstance(value.columns, pd.RangeIndex) or
                     all(isinstance(c, (int, np.integer)) for c in cols))
        vals = value.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    else:
        vals = np.asarray(value, dtype=float)
        named, cols = False, []
    if vals.ndim == 1:
        vals = vals.reshape(-1, 1)
    if vals.ndim != 2:
        raise DataError(f"the response {src} has {vals.ndim} dimensions",
                        hint="a multivariate response is a matrix: one column per trait")
    if n is not None and vals.shape[0] != n:
        raise DataError(f"the response {src} has {vals.shape[0]} rows but the data have {n}",
                        hint="give one response row per data row, in the data's order")
    names = [str(c) for c in cols] if named else [f"V{j + 1}" for j in range(vals.shape[1])]
    if len(set(names)) != len(names):
        raise DataError(f"the response {src} has repeated column names: {names}",
                        hint="give each trait column its own name")
    return vals, names, named


def add_columns(data: pd.DataFrame | None, vals: np.ndarray, names: list[str], src: str
                ) -> pd.DataFrame:
    """``data`` with the response columns (a frame of them when there are no data)."""
    cols = {nm: vals[:, j] for j, nm in enumerate(names)}
    if data is None:
        return pd.DataFrame(cols)
    for nm in names:
        if nm in data.columns and not np.allclose(
                pd.to_numeric(data[nm], errors="coerce").to_numpy(float), cols[nm],
                equal_nan=True):
            raise DataError(f"the response {src} names a trait {nm!r} that is also a "
                            "different data column",
                            hint="rename the data column or the matrix column")
    return data.assign(**cols)


def quote(name: str) -> str:
    """A column name as the formula parser reads it."""
    return name if name.isidentifier() else "`" + name.replace("`", "") + "`"


def matrix_response(fixed: str, data: pd.DataFrame | None, matrices: dict[str, Any]
                    ) -> tuple[str, pd.DataFrame | None, dict[str, Any]]:
    """(fixed, data, matrices) with a response named by a keyword matrix made ``cbind()``
    of data columns (module docstring); unchanged otherwise."""
    if not isinstance(fixed, str) or "~" not in fixed:
        return fixed, data, matrices
    lhs, rhs = fixed.split("~", 1)
    name = lhs.strip()
    if isinstance(data, pd.DataFrame) and name not in data.columns and name not in matrices:
        cols = data.attrs.get(MATRIX_RESPONSES, {}).get(name)
        if cols and all(c in data.columns for c in cols):
            return ("cbind(" + ", ".join(quote(str(c)) for c in cols) + f") ~{rhs}", data,
                    matrices)
    if not name.isidentifier() or name not in matrices or (
            isinstance(data, pd.DataFrame) and name in data.columns):
        return fixed, data, matrices
    value = matrices[name]
    if not (isinstance(value, (pd.DataFrame, pd.Series)) or
            (isinstance(value, np.ndarray) and value.ndim in (1, 2))):
        return fixed, data, matrices
    n = len(data) if isinstance(data, pd.DataFrame) else None
    vals, names, _ = matrix_columns(value, name, n)
    if vals.shape[1] == 1:
        names = [name]
    rest = {k: v for k, v in matrices.items() if k != name}
    new_lhs = quote(names[0]) if len(names) == 1 else \
        "cbind(" + ", ".join(quote(x) for x in names) + ")"
    return f"{new_lhs} ~{rhs}", add_columns(data, vals, names, name), rest
