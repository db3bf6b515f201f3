"""R's ``x[[k]]`` and ``x[[k]] <- v`` with a key known only when the script runs.

Translated scripts hold R lists as Python lists (``list(a, b)``), dicts (``list(a = 1)``,
and ``list()`` filled in a loop with ``res[[i]] <- fit``: keys 1, 2, ...) or data frames.
A literal string key is a plain ``x["a"]``; any other key (``L[[i]]``, ``L[[k + 1]]``,
``L[[nm]]``) goes through these helpers, so that a number is R's 1-based position whatever
the Python container (``L[i]`` of a Python list is off by one: the wrong element, silently).

R semantics kept (R 4.2, ``?Extract``):

* ``x[[k]]``: a number k is the k-th element (1-based; a dict filled by ``res[[i]] <- v``
  holds k as its key); a string k the element of that name (a data frame's column); a
  length-1 vector key is its one value; k past the end is R's "subscript out of bounds".
* ``x[[i, j]]``: the one cell of a matrix or data frame (a list matrix's element) at row i
  and column j, each a 1-based position or a row/column name.
* ``x[[k]] <- v``: sets the k-th element; k = length + 1 (or beyond: NULLs between) appends;
  ``v = NULL`` removes the element; a string key sets (or adds) the element of that name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_get2", "r_get2_ij", "r_ifelse_branch", "r_set2"]


def _key(k: Any) -> Any:
    """One key from ``k`` (a length-1 vector gives its value; numbers become int)."""
    if isinstance(k, pd.Series | pd.Index | np.ndarray | list | tuple):
        flat = np.asarray(k, dtype=object).ravel()
        if flat.size != 1:
            raise AsrError(f"x[[k]]: the subscript has length {flat.size}, R's [[ takes one",
                           hint="use x[k] to select several elements")
        k = flat[0]
    if isinstance(k, np.generic):
        k = k.item()
    if isinstance(k, bool):
        raise AsrError("x[[TRUE]]: a logical subscript for [[", hint="use a position or a name")
    if isinstance(k, float):
        if not k.is_integer():
            raise AsrError(f"x[[{k}]]: R truncates the position; translate does not guess",
                           hint="use a whole number")
        k = int(k)
    return k


def _position(k: int, n: int, where: str) -> int:
    if k < 1 or k > n:
        raise AsrError(f"{where}: subscript {k} out of bounds (the list has {n} elements)",
                       hint="R's positions count from 1 to length(x)")
    return k - 1


def r_get2(x: Any, k: Any) -> Any:
    """R's ``x[[k]]`` for a key known at run time (see the module's docstring)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(k, Untranslated):
        return k._use()
    k = _key(k)
    if isinstance(k, str):
        if isinstance(x, dict | pd.DataFrame | pd.Series):
            if k not in x:
                if isinstance(x, dict):
                    return None                      # a named list's absent element is NULL
                raise AsrError(f"x[[{k!r}]]: no element of that name",
                               hint="names(x) lists the names")
            return x[k]
        raise AsrError(f"x[[{k!r}]]: a name of a list without names",
                       hint="index it by position, or give the list names")
    if not isinstance(k, int):
        return x[k]
    if isinstance(x, dict):
        if k in x:                                   # res[[i]] <- v filled it by key
            return x[k]
        return list(x.values())[_position(k, len(x), f"x[[{k}]]")]
    if isinstance(x, pd.DataFrame):
        return x.iloc[:, _position(k, x.shape[1], f"x[[{k}]]")]
    if isinstance(x, pd.Series):
        v = x.iloc[_position(k, len(x), f"x[[{k}]]")]
    elif isinstance(x, np.ndarray):
        v = x.ravel(order="F")[_position(k, x.size, f"x[[{k}]]")]    # R: column-major
    elif isinstance(x, list | tuple):
        v = x[_position(k, len(x), f"x[[{k}]]")]
    elif isinstance(x, str | int | float | np.generic) and k == 1:
        v = x
    else:
        return x[k]
    return v.item() if isinstance(v, np.generic) else v


def r_set2(x: Any, k: Any, value: Any) -> Any:
    """R's ``x[[k]] <- value`` for a key known at run time; returns x (changed in place
    where Python allows it: lists, dicts, data frames). ``value`` None is R's NULL: the
    element (a data frame's column) is removed."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(k, Untranslated):
        return k._use()
    k = _key(k)
    if x is None:                                    # x <- NULL; x[[1]] <- v
        x = {} if isinstance(k, str) else []
    if isinstance(x, dict):
        if value is None:
            if isinstance(k, int) and k not in x and 1 <= k <= len(x):
                k = list(x)[k - 1]
            x.pop(k, None)
            return x
        if isinstance(k, int) and k not in x and 1 <= k <= len(x) and \
                not any(isinstance(key, int) for key in x):
            k = list(x)[k - 1]                       # a named list's k-th element
        x[k] = value
        return x
    if isinstance(x, pd.DataFrame):
        if value is None:                            # d[["u"]] <- NULL: the column goes
            if isinstance(k, int):
                return x.drop(columns=x.columns[_position(k, x.shape[1], f"d[[{k}]]")]) \
                    if k <= x.shape[1] else x
            return x.drop(columns=[k]) if k in x.columns else x
        if isinstance(k, int):
            if k == x.shape[1] + 1:
                x[f"V{k}"] = value
            else:
                x.iloc[:, _position(k, x.shape[1], f"d[[{k}]] <- v")] = value
        else:
            x[k] = value
        return x
    if isinstance(x, list):
        if isinstance(k, str):
            raise AsrError(f"x[[{k!r}]] <- v: a name on a list without names",
                           hint="make the list with names (list(a = ...)) first")
        if not isinstance(k, int) or k < 1:
            raise AsrError(f"x[[{k!r}]] <- v: not a position R accepts",
                           hint="positions count from 1")
        if value is None:
            if k <= len(x):
                del x[k - 1]
            return x
        if k > len(x):
            x.extend([None] * (k - len(x)))
        x[k - 1] = value
        return x
    if isinstance(x, pd.Series | np.ndarray) and isinstance(k, int):
        n = len(x) if isinstance(x, pd.Series) else x.size
        pos = _position(k, n, f"x[[{k}]] <- v")
        if isinstance(x, pd.Series):
            x.iloc[pos] = value
        else:
            x[np.unravel_index(pos, x.shape, order="F")] = value     # R: column-major
        return x
    x[k] = value
    return x


def r_ifelse_branch(test: Any) -> str | None:
    """Which branch R's ``ifelse(test, yes, no)`` evaluates when it is a statement used
    for its assignments (``ifelse(a < b, x <- 1, x <- 2)``): ``'yes'`` for TRUE, ``'no'``
    for FALSE, None for NA (neither). A test of several values would evaluate both
    branches for their side effects; that is an error here, not a guess."""
    if isinstance(test, Untranslated):
        return test._use()  # type: ignore[no-any-return]
    if isinstance(test, pd.Series | pd.DataFrame | pd.Index | np.ndarray | list | tuple):
        flat = np.asarray(test, dtype=object).ravel()
        if flat.size != 1:
            raise AsrError(f"ifelse() as a statement with a test of {flat.size} values",
                           hint="R then runs both branches' assignments; write if/else "
                           "with one value (any(), all(), x[1])")
        test = flat[0]
    if test is None or (isinstance(test, float | np.floating) and np.isnan(test)) or \
            test is pd.NA:
        return None
    return "yes" if bool(test) else "no"


def r_get2_ij(x: Any, i: Any, j: Any) -> Any:
    """R's ``x[[i, j]]``: one cell of a matrix or data frame (see the module's docstring)."""
    if isinstance(x, Untranslated):
        return x._use()
    i, j = _key(i), _key(j)
    if isinstance(x, np.ndarray) and x.ndim == 2:
        if not (isinstance(i, int) and isinstance(j, int)):
            raise AsrError(f"x[[{i!r}, {j!r}]]: names of a matrix without dimnames",
                           hint="index it by position")
        return x[_position(i, x.shape[0], "x[[i, j]]"), _position(j, x.shape[1], "x[[i, j]]")]
    if not isinstance(x, pd.DataFrame):
        raise AsrError(f"x[[i, j]] of a {type(x).__name__}", hint="[[i, j]] takes a matrix "
                       "or data frame")
    r = _position(i, x.shape[0], "x[[i, j]]") if isinstance(i, int) else \
        _label_at(x.index, i, "row")
    c = _position(j, x.shape[1], "x[[i, j]]") if isinstance(j, int) else \
        _label_at(x.columns, j, "column")
    return x.iat[r, c]


def _label_at(labels: pd.Index, k: Any, what: str) -> int:
    hits = np.nonzero(labels.astype(str) == str(k))[0]
    if not hits.size:
        raise AsrError(f"x[[i, j]]: no {what} named {k!r}", hint=f"the {what}s: "
                       f"{list(labels.astype(str))[:10]}")
    return int(hits[0])
