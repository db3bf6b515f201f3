"""Base R's type predicates in translated scripts: ``is.data.frame()``, ``is.matrix()``,
``is.list()``, ``is.logical()``, ``is.double()``, ``is.integer()``, ``is.vector()`` and
``inherits(x, what, which = FALSE)`` (R 4 ``?is.data.frame``, ``?is.matrix``, ``?is.list``,
``?is.vector``, ``?class``), on the values a translated script holds.

R semantics kept:

* ``inherits(x, what)`` is TRUE when any of ``what`` is in x's class vector for S3
  dispatch (``.class2(x)``): the class attribute when x has one (a data frame, an asreml
  fit, a factor, a formula, ``try()``'s error "try-error"), otherwise the implicit class: a
  matrix is ``c("matrix", "array", <type>)``, a double vector ``c("double", "numeric")``, an
  integer one ``c("integer", "numeric")``, then "character", "logical", "list",
  "function". ``which = TRUE`` gives, for each of ``what``, its 1-based position in that
  vector (0 when absent).
* ``is.data.frame(x)``: x inherits from "data.frame" (a tibble does too).
* ``is.matrix(x)``: x has two dimensions as a base R matrix (a sparse ``Matrix`` object is
  not one, as in R).
* ``is.list(x)``: a list, which includes a data frame and an object R keeps as a list (an
  asreml fit, asremlPlus' asrtests/alldiffs).
* ``is.logical()``/``is.double()``/``is.integer()``: the vector's type; a number written in
  the script is a double (R's ``1``; the translation writes ``1L`` as ``1`` too, so it reads
  as a double), a column read as whole numbers an integer (as ``read.csv`` gives). A factor
  is none of these (R: ``is.integer(factor)`` is FALSE although its type is integer).
* ``is.vector(x, mode = "any")``: an atomic vector or a list with no attribute other than
  names: FALSE for a matrix, a data frame, a factor, NULL and classed objects; ``mode``
  ("numeric", "double", "integer", "character", "logical", "list") restricts the type.

In Python a matrix with dimnames is a DataFrame (:mod:`asr_py.translate.rmatrix`) and
``list(1, 2)`` is written like ``c(1, 2)``: like ``class()`` (:mod:`asr_py.translate.rclass`),
these read a DataFrame as a data frame unless its ``attrs["r_class"]`` says otherwise, a
Python list of numbers as a numeric vector, and a factor the translation keeps as text
(``factor(c("a", "b"))``) as a character vector (a pandas categorical is a factor). The
value of untranslated R code is not tested: it is an error (the placeholder says which R
code it stands for), never FALSE.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.rclass import r_class
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_inherits", "r_is_type", "r_is_vector", "translate"]

#: R predicate -> the kind r_is_type tests
_KINDS = {"is.data.frame": "data.frame", "is.matrix": "matrix", "is.list": "list",
          "is.logical": "logical", "is.double": "double", "is.integer": "integer"}

FUNCTIONS = frozenset({*_KINDS, "is.vector", "inherits",
                       *(f"base::{f}" for f in (*_KINDS, "is.vector", "inherits"))})

#: R formals of each (rmatchargs: exact names, prefixes, then positions)
_FORMALS = {"inherits": ("x", "what", "which"), "is.vector": ("x", "mode")}

#: classes of objects R keeps as lists (is.list() is TRUE for them)
_LIST_CLASSES = frozenset({"data.frame", "asreml", "asrtests", "alldiffs", "list"})


def translate(tr: Any, e: R) -> str | None:
    """``is.data.frame(x)`` -> ``r_is_type(x, 'data.frame')`` (and the other predicates),
    ``is.vector(x, mode)`` -> ``r_is_vector(x, mode)``, ``inherits(x, what, which)`` ->
    ``r_inherits(x, what, which)``."""
    f = e.value.removeprefix("base::")
    try:
        got = match_args(_FORMALS.get(f, ("x",)), [(n, a) for n, a in e.args
                                                   if a.kind != "empty"], f)
    except ArgMatchError as err:
        raise Untranslatable(str(err)) from None
    if "x" not in got:
        raise Untranslatable(f"{f}() without its argument x")
    x = tr.py(got["x"])
    if f == "inherits":
        if "what" not in got:
            raise Untranslatable("inherits() without its argument what")
        which = f", which={tr.py(got['which'])}" if "which" in got else ""
        return f"{tr.runtime('r_inherits')}({x}, {tr.py(got['what'])}{which})"
    if f == "is.vector":
        mode = f", {tr.py(got['mode'])}" if "mode" in got else ""
        return f"{tr.runtime('r_is_vector')}({x}{mode})"
    return f"{tr.runtime('r_is_type')}({x}, {_KINDS[f]!r})"


def _classes(x: Any) -> list[str]:
    """x's class attribute as R holds it (``class(x)``)."""
    c = r_class(x)
    return [c] if isinstance(c, str) else list(c)


def _values(x: Any) -> np.ndarray:
    """The elements of a vector-like value, as an object array (None for NA)."""
    if isinstance(x, pd.Series | pd.Index):
        return x.to_numpy(dtype=object)
    return np.asarray(list(x) if isinstance(x, list | tuple | range) else x,
                      dtype=object).ravel()


def _type(x: Any) -> str:
    """R's ``typeof()`` of an atomic value as the translation holds it: "logical",
    "integer", "double", "character" (a factor gives "integer", as in R), else "list"."""
    if isinstance(x, bool | np.bool_):
        return "logical"
    if isinstance(x, np.integer):
        return "integer"
    if isinstance(x, int | float | np.floating):
        return "double"            # a number written in the script: R's literals are doubles
    if isinstance(x, str):
        return "character"
    if isinstance(x, pd.Series | pd.Index | np.ndarray):
        dt = x.dtype
        if isinstance(dt, pd.CategoricalDtype):
            return "integer"
        if pd.api.types.is_bool_dtype(dt):
            return "logical"
        if pd.api.types.is_integer_dtype(dt):
            return "integer"
        if pd.api.types.is_float_dtype(dt):
            return "double"
        if pd.api.types.is_string_dtype(dt) and dt.kind != "O":
            return "character"
    if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple | range):
        vals = [v for v in _values(x) if v is not None and not (
            isinstance(v, float) and np.isnan(v))]
        if isinstance(x, list | tuple) and any(isinstance(v, list | tuple | dict |
                                                          pd.Series | np.ndarray)
                                               for v in vals):
            return "list"
        kinds = {_type(v) for v in vals}
        if not vals:
            return "logical" if isinstance(x, list | tuple) and not x else "double"
        if len(kinds) == 1:
            return kinds.pop()
        if kinds <= {"logical", "integer", "double"}:
            return "double" if "double" in kinds else "integer"
        return "list" if isinstance(x, list | tuple) else "character"
    return "list"


def _is_matrix(x: Any) -> bool:
    if isinstance(x, np.ndarray):
        return x.ndim == 2
    if isinstance(x, pd.DataFrame):
        return "matrix" in (x.attrs.get("r_class") or [])
    return False


def _class2(x: Any) -> list[str]:
    """x's class vector for S3 dispatch (R's ``.class2(x)``): its class attribute, or the
    implicit class of a matrix/vector/function."""
    if x is None:
        return ["NULL"]
    if _is_matrix(x) and isinstance(x, np.ndarray):
        t = _type(x)
        return ["matrix", "array", t, *(["numeric"] if t in ("integer", "double") else [])]
    cls = _classes(x)
    if cls == ["numeric"] or cls == ["integer"]:
        t = _type(x)
        return [t, "numeric"] if t in ("integer", "double") else [t]
    return cls


def _check(x: Any, what: str) -> None:
    if isinstance(x, Untranslated):
        raise x._needs_value(what)


def r_is_type(x: Any, kind: str) -> bool:
    """``is.data.frame(x)`` (kind "data.frame"), ``is.matrix`` ("matrix"), ``is.list``
    ("list"), ``is.logical``/``is.double``/``is.integer``: see the module docstring."""
    _check(x, f"is.{'data.frame' if kind == 'data.frame' else kind}()")
    if kind == "matrix":
        return _is_matrix(x)
    if kind == "data.frame":
        return isinstance(x, pd.DataFrame) and "data.frame" in _classes(x)
    if kind == "list":
        if isinstance(x, dict):
            return True
        if isinstance(x, pd.DataFrame) and not _is_matrix(x):
            return True
        return bool(_LIST_CLASSES & set(_classes(x))) and not isinstance(x, pd.DataFrame)
    if x is None or isinstance(x, dict | pd.DataFrame) or _classes(x)[0] in (
            "factor", "asreml", "asrtests", "alldiffs", "formula", "function"):
        return False
    return _type(x) == kind


def r_is_vector(x: Any, mode: str = "any") -> bool:
    """``is.vector(x, mode)``: see the module docstring."""
    _check(x, "is.vector()")
    if not isinstance(mode, str):
        raise AsrError("is.vector(): mode must be one text, e.g. \"numeric\" or \"list\"",
                       hint="the modes are any, numeric, double, integer, character, "
                            "logical, list")
    if x is None or isinstance(x, pd.DataFrame) or _is_matrix(x) or \
            (isinstance(x, np.ndarray) and x.ndim > 1):
        return False
    cls = _classes(x)[0]
    if cls in ("factor", "asreml", "asrtests", "alldiffs", "formula", "function",
               "try-error"):
        return False
    t = "list" if isinstance(x, dict) else _type(x)
    if mode == "any":
        return True
    if mode == "numeric":
        return t in ("integer", "double")
    return t == mode


def r_inherits(x: Any, what: Any, which: bool = False) -> Any:
    """``inherits(x, what, which)``: see the module docstring."""
    _check(x, "inherits()")
    names = [what] if isinstance(what, str) else list(what)
    if not all(isinstance(w, str) for w in names):
        raise AsrError("inherits(): 'what' must be a character vector",
                       hint="give the class names as text, e.g. inherits(fit, \"asreml\")")
    cls = _class2(x)
    if which:
        return np.array([cls.index(w) + 1 if w in cls else 0 for w in names], dtype=int)
    return any(w in cls for w in names)
