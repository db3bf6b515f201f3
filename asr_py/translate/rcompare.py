"""R's comparison operators (``== != < > <= >=``) on lists and vectors, and ``names(x[i])``.

R compares element by element with recycling, whatever holds the values: a list of single
values (``lapply(...) == 6``), a length-one vector (``x[c(1)] == "a"``, an attribute value)
or a named list (the result keeps the names). In a translated script those values are often
Python lists or dicts, and Python's ``[6, 6] == 6`` is one ``False``. :func:`r_cmp` gives
R's logical vector; a list holding a vector of length > 1 is R's error ("(list) object
cannot be coerced"). A number compared with a text is compared as text, as R coerces it
(``1 == "1"`` is TRUE). Everything else goes to :func:`asr_py.translate.rops.r_op`, so
pandas and numpy comparisons stay as they were.

:func:`r_sub_keep` is R's ``x[i]`` for ``names(x[i])``: the selected elements keep their
names (a one-element Series, a dict), where the scalar ``x[k]`` elsewhere drops them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.rops import _OPS, _recycle, r_op

__all__ = ["r_cmp", "r_sub_keep"]

_SCALAR = (str, bytes, int, float, bool, complex, np.generic)


def _one(v: Any, op: str, where: int) -> Any:
    """One element of an R list taking part in a comparison: a value or a length-1 vector."""
    if isinstance(v, _SCALAR):
        return v.item() if isinstance(v, np.generic) else v
    if v is None:
        return np.nan          # an element beyond the end (r_sub): R's NA
    if isinstance(v, (list, tuple, np.ndarray, pd.Series, pd.Index)) and \
            np.ndim(np.asarray(v, dtype=object)) == 1 and len(v) == 1:
        return _one(np.asarray(v, dtype=object)[0], op, where)
    what = f"a {type(v).__name__}" + (
        f" of length {len(v)}" if hasattr(v, "__len__") else "")
    raise AsrError(f"x {op} y: element {where} of a list is {what}, not one value "
                   "(R: '(list) object cannot be coerced')",
                   hint="R compares a list only when each element is a single value; "
                        "unlist() it or compare the elements one by one")


def _atomic(v: Any, op: str) -> Any:
    """A Python list/tuple (R list or vector) as a numpy array, a dict (R named list) as a
    Series named by its keys; anything else unchanged."""
    if isinstance(v, dict):
        vals = [_one(x, op, i + 1) for i, x in enumerate(v.values())]
        return pd.Series(np.array(vals) if vals else np.array([], dtype=object),
                         index=list(v.keys()), dtype=None)
    if isinstance(v, (list, tuple, range)):
        vals = [_one(x, op, i + 1) for i, x in enumerate(v)]
        return np.array(vals) if vals else np.array([], dtype=object)
    return v


def _r_text(v: Any) -> Any:
    """R's as.character() of one number/logical (15 significant digits, TRUE/FALSE)."""
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return v
        return "Inf" if f == math.inf else "-Inf" if f == -math.inf else f"{f:.15g}"
    return v


def _is_text(v: Any) -> bool:
    if isinstance(v, str):
        return True
    if isinstance(v, (np.ndarray, pd.Series, pd.Index)):
        if isinstance(v.dtype, pd.CategoricalDtype):
            return False
        if v.dtype.kind in "US":
            return True
        return v.dtype == object and len(v) > 0 and all(isinstance(x, str) for x in v)
    return False


def _is_number(v: Any) -> bool:
    if isinstance(v, (int, float, bool, np.number, np.bool_)):
        return True
    return isinstance(v, (np.ndarray, pd.Series, pd.Index)) and \
        not isinstance(v.dtype, pd.CategoricalDtype) and v.dtype.kind in "biuf"


def _as_text(v: Any) -> Any:
    if isinstance(v, pd.Series):
        return v.map(_r_text).astype(object)
    if isinstance(v, (np.ndarray, pd.Index)):
        return np.array([_r_text(x) for x in v], dtype=object)
    return _r_text(v)


def r_cmp(x: Any, op: str, y: Any) -> Any:
    """R's ``x op y`` for a comparison operator: element by element with recycling, a list
    of single values compared as a vector (a dict keeps its names), NULL gives
    ``logical(0)``, a number against a text compared as text."""
    for v in (x, y):
        if isinstance(v, Untranslated):
            return v._use()
    if op not in ("==", "!=", "<", ">", "<=", ">="):
        raise AsrError(f"r_cmp: {op!r} is not a comparison", hint="use r_op")
    if x is None or y is None:
        return np.array([], dtype=bool)                  # R: NULL == 1 is logical(0)
    a, b = _atomic(x, op), _atomic(y, op)
    if _is_text(a) and _is_number(b):
        b = _as_text(b)
    elif _is_text(b) and _is_number(a):
        a = _as_text(a)
    if a is x and b is y and not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        return r_op(x, op, y)                            # nothing R-specific: as before
    if isinstance(a, (pd.Series, pd.DataFrame)) or isinstance(b, (pd.Series, pd.DataFrame)):
        return r_op(a, op, b)                            # positional, names kept (rops)
    if np.ndim(a) == 1 and np.ndim(b) == 1 and len(a) != len(b):
        a, b = _recycle(np.asarray(a), np.asarray(b), op)
    out = _OPS[op](a, b)
    return out.item() if isinstance(out, np.generic) else out


def r_sub_keep(x: Any, at: Any) -> Any:
    """R's ``x[i]`` keeping the names of what it selects (``names(x$vparameters[5])``): a
    Series stays a Series, a dict (named list) a dict, whatever ``i`` selects."""
    if isinstance(x, Untranslated) or isinstance(at, Untranslated):
        return (at if isinstance(at, Untranslated) else x)._use()
    seq = at if isinstance(at, (list, tuple, range, np.ndarray, pd.Series, pd.Index)) \
        else [at]
    from asr_py.translate.runtime import r_sub  # runtime imports this module

    if isinstance(x, dict):
        keys = list(x)
        picked = list(seq) if seq and all(isinstance(k, str) for k in seq) else \
            r_sub(keys, list(seq))
        return {k: x.get(k) for k in picked if k is not None}
    return r_sub(x, list(seq))


_CONSTS = frozenset({"TRUE", "FALSE", "T", "F", "NA", "NULL", "Inf", "NaN"})


def _literal(e: Any) -> bool:
    """A value written in the script (``3``, ``"a"``, ``TRUE``, ``-1``, ``c("a", "b")``)."""
    if e.kind in ("num", "str"):
        return True
    if e.kind == "name":
        return e.value in _CONSTS
    if e.kind in ("unary", "paren") and e.right is not None:
        return _literal(e.right)
    return e.kind == "call" and e.value == "c" and all(  # c(a = 1): a dict, by element
        n is None and _literal(a) for n, a in e.args)


def _simple(e: Any, lists: set[str] | frozenset[str]) -> bool:
    """A variable, a data-mask column or a column/element by name (``d$a``, ``d[["a"]]``):
    pandas/Python compare those as R does, unless translate knows the variable holds a
    Python list (``v <- c(1, 2)``)."""
    if e.kind == "name":
        return e.value not in lists
    if e.kind == "paren" and e.right is not None:
        return _simple(e.right, lists)
    if e.kind == "dollar" and e.left is not None:
        return _simple(e.left, lists)
    return e.kind == "index" and e.value == "[[" and e.left is not None and \
        len(e.args) == 1 and e.args[0][1].kind == "str" and _simple(e.left, lists)


def needs_r_cmp(left: Any, right: Any, lists: set[str] | frozenset[str] = frozenset()) -> bool:
    """Translate time: whether ``left op right`` (a comparison) goes through :func:`r_cmp`:
    an operand that is a call or a ``[`` subset (``lapply(...)``, ``attr(x, "a")``,
    ``names(x)[c(1)]``) or a variable known to hold a Python list may be an R list or a
    vector to recycle; literals, variables and columns compare as they are."""
    return not all(_literal(x) or _simple(x, lists) for x in (left, right))


_LIST_MAKERS = frozenset({"list", "lapply", "Map", "attributes", "strsplit",
                          "str_split"})


def track_list(tr: Any, name: str, value: Any) -> None:
    """Translate time, ``name <- value``: remember ``name`` as an R list held in Python as
    a list or dict (``l <- lapply(...)``, ``l <- list(a = 1)``) so ``l == 1`` goes through
    :func:`r_cmp`; forget it on any other assignment."""
    known: set[str] = tr.__dict__.setdefault("r_lists", set())
    if value.kind == "call" and value.value in _LIST_MAKERS:
        known.add(name)
    else:
        known.discard(name)
