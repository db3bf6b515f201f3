"""R's order of text: the collation R uses for ``sort()``, ``order()`` and ``factor()`` levels.

R compares strings "using the collating sequence of the locale in use" (?Comparison); where R
is built with ICU (``capabilities("ICU")``: R on Linux and macOS as distributed) the collator is
ICU's for the locale, and for ``en_US.UTF-8`` that is the CLDR root order. asr_py follows it, so
level order - predict rows, coefficient order, varcomp row names with levels - is the order a
script's printed asreml output shows. The key has ICU's three levels, compared in turn:

1. primary - the letters without case or accent, punctuation and symbols before digits before
   letters (``" _-,;:!?.'\\"()[]{}@*/\\\\&#%`^+<=>|~$"``, then ``0-9``, then ``a-z``); digits one by
   one, so "10" < "2" as in R;
2. secondary - the accents (combining marks after Unicode NFD decomposition);
3. tertiary - case, lower before upper: ``"a" < "A" < "b" < "B"``.

The string itself breaks the remaining ties (a total order). Other characters sort after the
letters by code point (ICU orders scripts; asr_py's data is Latin text). Not followed: the C
locale (``LC_COLLATE=C``: code point order, "B" < "a") and dplyr's ``arrange()``, which sorts in
the C locale since dplyr 1.1.0 - its emulation keeps code point order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["collate_key", "collate_ranks", "collate_sorted", "sort_like_r"]

#: ASCII punctuation and symbols in ICU root (CLDR) primary order, after whitespace
_PUNCT = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_WHITE = "\t\n\v\f\r"
_BASE: dict[str, int] = {c: i for i, c in enumerate(_WHITE + _PUNCT)}
_BASE.update({c: 100 + i for i, c in enumerate("0123456789")})
_BASE.update({c: 200 + i for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")})
_OTHER = 1000  # other characters: after the letters, by code point


def _primary(c: str) -> int:
    w = _BASE.get(c.lower())
    return w if w is not None else _OTHER + ord(c.lower())


@lru_cache(maxsize=65536)
def collate_key(s: str) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...],
                                 tuple[int, ...], str]:
    """(primary, secondary, tertiary, s): sorting by it orders strings as R does in an
    ICU en_US locale (see the module docstring)."""
    prim: list[int] = []
    sec: list[tuple[int, ...]] = []
    ter: list[int] = []
    for c in unicodedata.normalize("NFD", s):
        if unicodedata.combining(c):
            if sec:
                sec[-1] = (*sec[-1], ord(c))
            continue
        prim.append(_primary(c))
        sec.append(())
        ter.append(1 if c != c.lower() else 0)
    return tuple(prim), tuple(sec), tuple(ter), s


def collate_sorted(values: Iterable[str], reverse: bool = False) -> list[str]:
    """The strings in R's order (:func:`collate_key`)."""
    return sorted(values, key=collate_key, reverse=reverse)


def sort_like_r(values: Iterable[object], reverse: bool = False) -> list:
    """R's ``sort()`` of one vector: text by :func:`collate_key`, anything else (numbers,
    logicals) by value."""
    vals = list(values)
    if vals and all(isinstance(v, str) for v in vals):
        return collate_sorted(vals, reverse=reverse)  # type: ignore[arg-type]
    return sorted(vals, reverse=reverse)  # type: ignore[type-var]


def collate_ranks(values: Iterable[object]) -> list[float]:
    """Each string's rank in R's order (ties share one rank; missing values NaN), so a
    numeric sort of the ranks is R's ``order()`` of the strings."""
    vals = list(values)
    distinct = collate_sorted({v for v in vals if isinstance(v, str)})
    rank = {v: float(i) for i, v in enumerate(distinct)}
    return [rank.get(v, float("nan")) if isinstance(v, str) else float("nan") for v in vals]
