"""A matrix response written as R code: ``d[, 2:3] ~ trait``, ``as.matrix(d[, c("a",
"b")]) ~ trait``, ``cbind(d$y1, d$y2) ~ trait``, ``Y ~ trait`` with ``Y`` a matrix the script
made.

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
univariate (``y`` named by its column, else by its R text). ``Y ~`` with ``Y`` both a data
column and a script variable is the data column, as R's formula lookup gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import DataError
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
    if lhs.kind == "name" and lhs.value in getattr(tr, "assigned", ()):
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
    """The argument texts of ``cbind(e1, ..., ek)`` (top-level commas), else None."""
    s = src.strip()
    if not (s.startswith("cbind(") and s.endswith(")")):
        return None
    inner, depth, cur, out, quote = s[6:-1], 0, "", [], ""
    for ch in inner:
        if quote:
            cur += ch
            quote = "" if ch == quote else quote
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    out.append(cur.strip())
    return out


def _matrix(value: Any, src: str, n: int | None) -> tuple[np.ndarray, list[str]]:
    """The response's values (n × k) and trait names."""
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
                        hint="take the response columns from the data= frame itself")
    k = vals.shape[1]
    if named:
        names = [str(c) for c in cols]
    elif (args := _arg_texts(src)) is not None and len(args) == k:
        names = args
    elif k == 1:
        names = [src]
    else:
        names = [f"V{j + 1}" for j in range(k)]
    if len(set(names)) != len(names):
        raise DataError(f"the response {src} has repeated column names: {names}",
                        hint="give each trait column its own name")
    return vals, names


def _in_data(data: Any, src: str) -> bool:
    return isinstance(data, pd.DataFrame) and src in data.columns


def _quote(name: str) -> str:
    return name if name.isidentifier() else "`" + name.replace("`", "") + "`"


def r_mv_fixed(data: Any, value: Any, src: str, rhs: str) -> str:
    """The fixed formula with the response ``value`` (R text ``src``) as ``cbind()`` of its
    trait columns (one column: that column), ``rhs`` its right-hand side (``~ trait``)."""
    if _in_data(data, src):
        return f"{_quote(src)} {rhs}"
    _, names = _matrix(value, src, len(data) if isinstance(data, pd.DataFrame) else None)
    lhs = _quote(names[0]) if len(names) == 1 else \
        "cbind(" + ", ".join(_quote(n) for n in names) + ")"
    return f"{lhs} {rhs}"


def r_mv_data(data: Any, value: Any, src: str) -> pd.DataFrame:
    """``data`` with the response's trait columns (module docstring); a data frame of them
    when the call gives no data."""
    if _in_data(data, src):
        return data
    vals, names = _matrix(value, src, len(data) if isinstance(data, pd.DataFrame) else None)
    cols = {nm: vals[:, j] for j, nm in enumerate(names)}
    if not isinstance(data, pd.DataFrame):
        return pd.DataFrame(cols)
    clash = [nm for nm in names if nm in data.columns]
    if clash:
        same = all(np.allclose(pd.to_numeric(data[nm], errors="coerce").to_numpy(float),
                               cols[nm], equal_nan=True) for nm in clash)
        if not same:
            raise DataError(f"the response {src} names a trait {clash[0]!r} that is also a "
                            "different data column",
                            hint="rename the data column or the matrix column")
    return data.assign(**cols)
