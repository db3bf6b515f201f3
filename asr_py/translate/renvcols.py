"""A model formula's variables that are not columns of ``data`` (R's formula environment).

asreml(), like every model-frame based R fit, finds a formula variable that ``data`` lacks in
the environment the formula was written in: ``y <- matrix(d$yield); asreml(y ~ 1 + block,
data = d)`` fits the script's ``y``. :func:`r_env_columns` adds such variables to a copy of
the data frame, one column each, when the value has one element per row (a vector or a
one-column matrix); a column of the data always wins, as in R. A matrix of several columns
(a multivariate response ``Y ~ trait``) adds its columns under its column names and names
them in ``data.attrs['matrix_responses']`` (asr_py.model.matrix_response). Anything else is
left out, so the fit reports the missing column with its position in the formula.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import DataError
from asr_py.translate.checks import Untranslated

__all__ = ["formula_names", "r_env_columns"]

_NAME = re.compile(r"(?<![\w.'\"])([A-Za-z.][\w.]*)(?![\w.]*\s*\()")


def formula_names(*texts: str) -> list[str]:
    """The bare variable names of formula texts (function names, numbers and strings out)."""
    out: list[str] = []
    for t in texts:
        t = re.sub(r"'[^']*'|\"[^\"]*\"", " ", t)
        for m in _NAME.finditer(t):
            if m.group(1) not in out:
                out.append(m.group(1))
    return out


def _as_column(v: Any, n: int) -> np.ndarray | None:
    if isinstance(v, (Untranslated, str, bytes, dict)) or v is None or callable(v):
        return None
    if isinstance(v, pd.DataFrame):
        v = v.to_numpy() if v.shape[1] == 1 else None
    if v is None:
        return None
    try:
        a = np.asarray(v)
    except (TypeError, ValueError):
        return None
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    return a if a.ndim == 1 and a.size == n and n > 1 else None


def r_env_columns(data: Any, names: list[str | tuple[str, str]]) -> Any:
    """``data`` with each of ``names`` it has no column of, as the caller's variable of that
    name (its locals, then its module's globals: R's formula environment) when that has one
    value per row; others are left out. A name is R's, or (R's, Python's) when translate
    renamed the variable (``y.1`` -> ``y_1``). ``data`` itself when nothing is added."""
    if not isinstance(data, pd.DataFrame):
        return data
    frame = sys._getframe(1)
    add = {}
    mats: dict[str, list[str]] = {}
    for item in names:
        name, var = (item, item) if isinstance(item, str) else item
        if name in data.columns:
            continue
        v = frame.f_locals.get(var, frame.f_globals.get(var))
        col = _as_column(v, len(data))
        if col is not None:
            add[name] = col
        elif _is_matrix(v, len(data)):
            # a response matrix (Y ~ trait): its trait columns, named for asr.asreml
            from asr_py.model.matrix_response import add_columns, matrix_columns

            vals, cols, _ = matrix_columns(v, name, len(data))
            try:
                data = add_columns(data, vals, cols, name)
            except DataError:      # a column of another value has a trait's name: left out
                continue
            mats[name] = cols
    if mats:
        from asr_py.model.matrix_response import MATRIX_RESPONSES

        data = data.copy(deep=False)
        data.attrs = {**data.attrs, MATRIX_RESPONSES: {
            **data.attrs.get(MATRIX_RESPONSES, {}), **mats}}
    return data.assign(**add) if add else data


def _is_matrix(v: Any, n: int) -> bool:
    """A matrix of n rows and several columns (a multivariate response)."""
    if isinstance(v, pd.DataFrame):
        return v.shape[0] == n and v.shape[1] > 1 and n > 1
    return isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] == n and v.shape[1] > 1 \
        and n > 1 and v.dtype.kind in "fiub"
