"""stringr's functions (string first, then the pattern) over rstring's helpers, and base
R's ``rev()``: ``str_detect(x, p, negate)``, ``str_remove(x, p)`` / ``str_remove_all``,
``str_replace(x, p, r)`` / ``str_replace_all``, ``str_sub(x, start, end)`` (negative
positions count from the end: ``str_sub(x, -3)`` the last three characters),
``str_to_upper`` / ``str_to_lower`` / ``str_to_title``, ``str_length``, ``str_trim``,
``str_split_i(x, p, i)`` (the i-th piece, negative from the end; NA past the pieces),
``str_split(x, p, n, simplify)`` (every piece kept, the empty ones too).
NA stays NA; a single value gives a single value, a Series a Series."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate import rstring
from asr_py.translate.checks import Untranslated

__all__ = ["STRINGR", "r_rev"]


def r_str_detect(string: Any, pattern: Any, negate: bool = False) -> Any:
    """``str_detect``: whether each element matches (NA stays NA: False here)."""
    got = rstring.r_grepl(pattern, string)
    if not negate:
        return got
    return (not got) if isinstance(got, (bool, np.bool_)) else ~np.asarray(got, dtype=bool) \
        if not isinstance(got, pd.Series) else ~got


def r_str_remove(string: Any, pattern: Any) -> Any:
    """``str_remove``: the first match removed."""
    return rstring.r_regsub(pattern, "", string)


def r_str_remove_all(string: Any, pattern: Any) -> Any:
    """``str_remove_all``: every match removed."""
    return rstring.r_gsub(pattern, "", string)


def r_str_replace(string: Any, pattern: Any, replacement: Any) -> Any:
    """``str_replace``: the first match replaced (``\\\\1`` back-references as R's)."""
    return rstring.r_regsub(pattern, replacement, string)


def r_str_replace_all(string: Any, pattern: Any, replacement: Any) -> Any:
    """``str_replace_all``: every match replaced."""
    return rstring.r_gsub(pattern, replacement, string)


def _map(x: Any, fn: Any) -> Any:
    xs, one = rstring._strings(x)
    return rstring._out([s if rstring._is_na(s) else fn(rstring._text(s)) for s in xs], one, x)


def r_str_sub(string: Any, start: int = 1, end: int = -1) -> Any:
    """``str_sub``: characters start..end, 1-based and inclusive; negative from the end."""
    def cut(s: str) -> str:
        n = len(s)
        a = int(start) if int(start) > 0 else max(n + int(start) + 1, 1)
        b = int(end) if int(end) >= 0 else n + int(end) + 1
        return s[a - 1:max(b, 0)]
    return _map(string, cut)


def r_str_to_upper(string: Any) -> Any:
    """``str_to_upper``."""
    return _map(string, str.upper)


def r_str_to_lower(string: Any) -> Any:
    """``str_to_lower``."""
    return _map(string, str.lower)


def r_str_to_title(string: Any) -> Any:
    """``str_to_title``: each word's first letter upper case, the rest lower case."""
    return _map(string, lambda s: " ".join(w[:1].upper() + w[1:].lower()
                                           for w in s.split(" ")))


def r_str_length(string: Any) -> Any:
    """``str_length``."""
    return rstring.r_nchar(string)


def r_str_trim(string: Any, side: str = "both") -> Any:
    """``str_trim``."""
    return rstring.r_trimws(string, which=side)


def r_str_split(string: Any, pattern: Any, n: Any = np.inf, simplify: bool = False) -> Any:
    """``str_split``: a list with one character vector per element. Unlike base R's
    ``strsplit`` every piece is kept, the empty ones before a leading or after a trailing
    separator too (stringi's ``omit_empty = FALSE``); ``n``: at most that many pieces, the
    last one holding the rest; NA gives NA; ``simplify = TRUE``: a character matrix, rows
    padded with "" (stringr 1.5)."""
    if isinstance(string, Untranslated):
        return string._use()
    xs, _ = rstring._strings(string)
    pat = rstring._strings(pattern)[0]
    pat = pat[0] if pat else ""
    k = float(n)
    if k < 1:
        raise AsrError(f"str_split(n = {n!r}): n must be at least 1")
    out: list[Any] = []
    for s in xs:
        if rstring._is_na(s):
            out.append(np.array([np.nan], dtype=object))
            continue
        text = rstring._text(s)
        if rstring._is_na(pat) or rstring._text(pat) == "":
            pieces = list(text)
            if np.isfinite(k) and len(pieces) > k:
                pieces = pieces[:int(k) - 1] + ["".join(pieces[int(k) - 1:])]
        else:
            rx = rstring._regex(rstring._text(pat), False)
            pieces = rx.split(text, maxsplit=0 if not np.isfinite(k) else int(k) - 1)
        out.append(np.array(pieces, dtype=object))
    if not simplify:
        return out
    width = max((len(p) for p in out), default=0)
    mat = np.full((len(out), width), "", dtype=object)
    for r, p in enumerate(out):
        mat[r, :len(p)] = p
    return mat


def r_str_split_i(string: Any, pattern: Any, i: int) -> Any:
    """``str_split_i``: the i-th piece of each element (negative: from the end)."""
    pieces = rstring.r_strsplit(string, pattern)
    k = int(i)
    vals = [None if p is None or len(p) < abs(k) else p[k - 1] if k > 0 else p[k]
            for p in (pieces if isinstance(pieces, list) else [pieces])]
    xs, one = rstring._strings(string)
    return rstring._out(vals, one, string)


def r_rev(x: Any) -> Any:
    """base R's ``rev``: the elements in reverse order (a named vector keeps its names)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.Series):
        return x.iloc[::-1]
    if isinstance(x, dict):
        return dict(reversed(list(x.items())))
    if isinstance(x, (str, int, float, np.generic)) or x is None:
        return x
    if isinstance(x, np.ndarray):
        return x[::-1]
    return list(x)[::-1]


#: stringr's names -> helpers (added to rstring.FUNCTIONS: same argument matching)
STRINGR = {"str_detect": r_str_detect, "str_remove": r_str_remove,
           "str_remove_all": r_str_remove_all, "str_replace": r_str_replace,
           "str_replace_all": r_str_replace_all, "str_sub": r_str_sub,
           "str_to_upper": r_str_to_upper, "str_to_lower": r_str_to_lower,
           "str_to_title": r_str_to_title, "str_length": r_str_length, "str_trim": r_str_trim,
           "str_split_i": r_str_split_i, "str_split": r_str_split}
