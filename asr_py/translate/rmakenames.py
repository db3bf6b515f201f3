"""Base R's ``make.names(names, unique = FALSE)`` and ``make.unique(names, sep = ".")``
(R 4 ``?make.names``, ``?make.unique``).

make.names: every character that is not a letter, digit, ``.`` or ``_`` becomes ``.``; a
name that does not start with a letter or a dot not followed by a digit gets an ``X`` in
front; a reserved word (``TRUE``, ``NA``, ``if`` ...) gets a ``.`` after it; NA is "NA.".
make.unique: the second and later copies of a name get ``sep`` and a number, the smallest
from 1 up that makes a name not used yet (``c("a", "a", "b", "a")`` ->
``"a" "a.1" "b" "a.2"``)."""

from __future__ import annotations

from typing import Any

from asr_py.translate.checks import Untranslated
from asr_py.translate.rchecknames import make_unique

_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE",
             "FALSE", "NULL", "Inf", "NaN", "NA", "NA_integer_", "NA_real_",
             "NA_character_", "NA_complex_", "in"}


def _values(x: Any) -> tuple[list[Any], bool]:
    if isinstance(x, str) or not hasattr(x, "__iter__"):
        return [x], True
    return list(x.values() if isinstance(x, dict) else x), False


def r_make_unique(names: Any, sep: str = ".") -> Any:
    """R's ``make.unique(names, sep)``."""
    if isinstance(names, Untranslated):
        return names._use()
    vals, one = _values(names)
    out = make_unique([str(v) for v in vals], sep)
    return out[0] if one else out


def r_make_names(names: Any, unique: bool = False) -> Any:
    """R's ``make.names(names, unique)``."""
    from asr_py.translate.runtime import make_names

    if isinstance(names, Untranslated):
        return names._use()
    vals, one = _values(names)
    out = []
    for v in vals:
        n = "NA." if v is None else make_names(v)
        out.append(n + "." if n in _RESERVED else n)
    if unique:
        out = r_make_unique(out)
    return out[0] if one else out
