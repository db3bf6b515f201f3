"""A matrix response written as R code: ``d[, 2:3] ~ trait``, ``as.matrix(d[, c("a",
"b")]) ~ trait``, ``cbind(d$y1, d$y2) ~ trait``. (``Y ~ trait`` with ``Y`` a matrix the
script made keeps its text: renvcols.r_env_columns gives the data the matrix's trait columns
and names them in ``data.attrs['matrix_responses']``, which
:mod:`asr_py.model.matrix_response` reads.)

R semantics (ASReml-R reference manual, "Multivariate analysis": "If the response term ...
is a matrix then a multivariate analysis is automatically performed ... asreml creates a
factor trait ... with the names of the response variates as levels"): the response is
evaluated as R code, each of its k columns is one trait, and the trait levels are the
matrix's column names. asr_py's API takes ``cbind(c1, ..., ck)`` of data columns, so the
translated call puts the matrix's columns into the data under the trait names and writes
``cbind()`` of them (:func:`r_mv_fixed`, :func:`r_mv_data`).

Trait names: a data frame's or a named matrix's column names; a matrix without column names
made by ``cbind(e1, ..., ek)``: each argument's R text (asr_py names a ``cbind(log(y1), y2)``
trait ``log(y1)`` the same way); otherwise ``V1, ..., Vk``. A response of one column is
univariate (``y`` named by its column, else by its R text).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.model.matrix_response import add_columns, matrix_columns, quote
from asr_py.translate.parser import R

__all__ = ["emit", "lhs_of", "r_mv_data", "r_mv_fixed"]


def lhs_of(tr: Any, a: R) -> R | None:
    """The response of the fixed formula ``a`` when it is a matrix written as R code (module
    docstring), else None (a column name, ``cbind()`` of names, ``log(y)``: the API's)."""
    if a.kind != "formula" or a.left is None:
        return None
    lhs = a.left
    while lhs.kind == "paren" and lhs.left is not None:
        lhs = lhs.left
    if lhs.kind == "index":
        return lhs
    if lhs.kind == "call" and lhs.value in ("as.matrix", "data.matrix") and lhs.args:
        return lhs
    if lhs.kind == "call" and lhs.value == "cbind" and \
            any(v.kind in ("dollar", "index") for _, v in lhs.args):
        return lhs
    return None


def emit(tr: Any, out: list[str], lhs: R, rhs: str) -> None:
    """Write the fixed formula and the data of a call whose response is the matrix ``lhs``
    (its right-hand side ``rhs``, e.g. ``'~ trait'``) into the call's arguments ``out``:
    ``fixed=r_mv_fixed(d, Y, 'src', rhs)`` and ``data=r_mv_data(d, Y, 'src')``."""
    value, src = tr.py(lhs), tr.src(lhs)
    at = [k for k, v in enumerate(out) if v.startswith("data=")]
    d = out[at[0]][5:] if at else "None"
    fixed = f"fixed={tr.runtime('r_mv_fixed')}({d}, {value}, {src!r}, {rhs!r})"
    data = f"data={tr.runtime('r_mv_data')}({d}, {value}, {src!r})"
    out.insert(0, fixed)
    if at:
        out[at[0] + 1] = data
    else:
        out.append(data)


def _arg_texts(src: str) -> list[str] | None:
    """The argument texts of ``cbind(e1, ..., ek)`` (read by translate's R parser), else
    None."""
    from asr_py.translate.parser import Untranslatable, parse_expr

    s = src.strip()
    try:
        e = parse_expr(s)
    except (Untranslatable, ValueError, IndexError):
        return None
    if e.kind != "call" or e.value != "cbind" or any(n is not None for n, _ in e.args):
        return None
    return [s[a.start:a.end].strip() for _, a in e.args]


def _matrix(value: Any, src: str, n: int | None) -> tuple[np.ndarray, list[str]]:
    """The response's values (n × k) and trait names (module docstring)."""
    vals, names, named = matrix_columns(value, src, n)
    if not named:
        args = _arg_texts(src)
        names = args if args is not None and len(args) == vals.shape[1] else \
            [src] if vals.shape[1] == 1 else names
    return vals, names


def _in_data(data: Any, src: str) -> bool:
    return isinstance(data, pd.DataFrame) and src in data.columns


def r_mv_fixed(data: Any, value: Any, src: str, rhs: str) -> str:
    """The fixed formula with the response ``value`` (R text ``src``) as ``cbind()`` of its
    trait columns (one column: that column), ``rhs`` its right-hand side (``~ trait``)."""
    if _in_data(data, src):
        return f"{quote(src)} {rhs}"
    _, names = _matrix(value, src, len(data) if isinstance(data, pd.DataFrame) else None)
    lhs = quote(names[0]) if len(names) == 1 else \
        "cbind(" + ", ".join(quote(n) for n in names) + ")"
    return f"{lhs} {rhs}"


def r_mv_data(data: Any, value: Any, src: str) -> pd.DataFrame:
    """``data`` with the response's trait columns (module docstring); a data frame of them
    when the call gives no data."""
    if _in_data(data, src):
        return data
    vals, names = _matrix(value, src, len(data) if isinstance(data, pd.DataFrame) else None)
    return add_columns(data if isinstance(data, pd.DataFrame) else None, vals, names, src)
