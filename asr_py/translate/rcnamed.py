"""R's ``c()`` and ``list()`` with some arguments named and some not.

R 4.2 semantics kept (``?c``, ``?list``, ``?names``):

* ``list(a, b = 2)``: one element per argument, named ``""`` where no name is given.
* ``c(...)`` "combines its arguments"; the result is a list when any argument is a list
  ("the output type is determined from the highest type of the components in the
  hierarchy NULL < raw < logical < integer < double < complex < character < list"), each
  argument contributing its elements (a list's elements, an atomic vector's values, a data
  frame's columns). ``c(name = list(x), l)`` is therefore the list ``x`` followed by the
  elements of ``l``.
* names: an argument's name is kept for a single unnamed element, prefixed as
  ``name.inner`` to an element named ``inner``, and numbered ``name1, name2, ...`` for
  several unnamed elements; without an argument name, elements keep their own names (or
  ``""``).

Translated scripts hold a named list as a dict; an element without a name is kept under
its 1-based position (the key :mod:`asr_py.translate.rlist` reads ``x[[k]]`` by), so
``c(a = list(x), y)[[2]]`` is ``y``. An atomic result is a named vector: a Series indexed
by the names (``""`` for the unnamed values), as ``names(v) <- ...`` gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_c_named", "r_list_named"]

_SCALAR = (str, int, float, bool, complex, np.generic)


def _is_list(v: Any, literal_list: bool) -> bool:
    """Whether an argument of c() is an R list: a ``list()`` in the code, a dict (a named
    list), a data frame, or a Python list holding values no atomic vector can."""
    if literal_list or isinstance(v, (dict, pd.DataFrame)):
        return True
    return isinstance(v, list) and any(not isinstance(x, _SCALAR) and x is not None
                                       for x in v)


def _elements(v: Any) -> list[tuple[str, Any]]:
    """An argument's elements with their own names ("" where none)."""
    if v is None:
        return []                                     # c(NULL, ...) adds nothing
    if isinstance(v, dict):
        return [(k if isinstance(k, str) else "", x) for k, x in v.items()]
    if isinstance(v, pd.DataFrame):
        return [(str(k), v[k]) for k in v.columns]
    if isinstance(v, pd.Series):
        named = not isinstance(v.index, pd.RangeIndex)
        return [(str(k) if named else "", x) for k, x in v.items()]
    if isinstance(v, (list, tuple, range, np.ndarray, pd.Index)):
        return [("", x.item() if isinstance(x, np.generic) else x)
                for x in np.asarray(v, dtype=object).ravel(order="F")] \
            if isinstance(v, np.ndarray) else [("", x) for x in v]
    return [("", v)]


def _named(name: str | None, elems: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """R's naming of an argument's elements in c() (see the module docstring)."""
    if not name:
        return elems
    if len(elems) == 1 and not elems[0][0]:
        return [(name, elems[0][1])]
    return [(f"{name}.{inner}" if inner else f"{name}{i}", x)
            for i, (inner, x) in enumerate(elems, start=1)]


def _as_list(pairs: list[tuple[str, Any]], where: str) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for pos, (nm, x) in enumerate(pairs, start=1):
        key: Any = nm if nm else pos
        if key in out:
            raise AsrError(f"{where}: the name {nm!r} is given to two elements",
                           hint="R keeps both, a translated named list (a dict) cannot: "
                                "give the elements distinct names")
        out[key] = x
    return out


def r_list_named(*parts: tuple[str | None, Any]) -> dict[Any, Any]:
    """R's ``list(a, b = 2)``: ``parts`` are (name or None, value) in the call's order."""
    for _, v in parts:
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    return _as_list([(n or "", v) for n, v in parts], "list()")


def r_c_named(*parts: tuple[str | None, Any, bool]) -> Any:
    """R's ``c(a = 1, v)`` with names on some arguments: ``parts`` are (name or None,
    value, whether the argument is a ``list()`` call). A list when any argument is one
    (a dict), else the named vector (a Series)."""
    for _, v, _lit in parts:
        if isinstance(v, Untranslated):
            return v._use()
    pairs = [p for n, v, _lit in parts for p in _named(n, _elements(v))]
    if any(_is_list(v, lit) for _, v, lit in parts):
        return _as_list(pairs, "c()")
    return pd.Series([x for _, x in pairs], index=[n for n, _ in pairs], dtype=object
                     ).infer_objects()
