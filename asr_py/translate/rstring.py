"""R's string functions for translated scripts: their translation and their runtime.

Each R function here has one runtime helper (``r_<name>``, R's argument names with ``.`` ->
``_`` and R's positional order) and one translation rule (:func:`translate`). R semantics
kept (R 4.2, ``?grep``, ``?strsplit``, ``?substr``, ``?nchar``, ``?sprintf``, ``?trimws``):

* Vectorised over a character vector (list, array, Series, Index); a single string gives a
  single value. ``NA`` stays ``NA`` (``grepl`` gives FALSE, ``grep`` never matches it).
* ``grep`` gives the 1-based positions of the matches (``value = TRUE``: the elements,
  ``invert = TRUE``: the non-matching ones).
* Patterns are regular expressions unless ``fixed = TRUE``; POSIX classes (``[[:alpha:]]``,
  ``[[:space:]]``, ...) are turned into Python's; in a replacement ``\\1``..``\\9`` are
  groups (R's TRE engine; its ``\\0`` is a plain ``0``).
* ``strsplit`` gives a list of character vectors; R drops the empty piece after a trailing
  separator (``"a_b_"`` -> ``"a" "b"``) and keeps a leading one; ``split = ""`` splits into
  characters.
* ``substr(x, start, stop)`` is 1-based and inclusive; ``substring(x, first, last =
  1000000L)`` recycles its arguments.
* ``sprintf`` recycles its arguments to the longest; ``formatC(x, width, digits, format,
  flag)`` as C's printf.
"""

from __future__ import annotations

import inspect
import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["r_endswith", "r_formatc", "r_grep", "r_grepl", "r_gsub", "r_nchar", "r_regexpr",
           "r_regmatches", "r_regsub", "r_sprintf", "r_startswith", "r_str_split_fixed",
           "r_strsplit", "r_substr",
           "r_substring", "r_tolower", "r_toupper", "r_trimws", "translate"]

_POSIX = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
          "lower": "a-z", "space": r"\s", "blank": r" \t", "punct": r"!-/:-@\[-`{-~",
          "xdigit": "0-9A-Fa-f", "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e",
          "graph": r"\x21-\x7e"}


def _is_na(s: Any) -> bool:
    return s is None or s is pd.NA or (isinstance(s, float) and math.isnan(s))


def _regex(pattern: Any, fixed: bool = False, ignore_case: bool = False) -> re.Pattern[str]:
    """R's pattern as a compiled Python regular expression."""
    if isinstance(pattern, Untranslated):
        pattern._use()
    p = str(pattern)
    if fixed:
        return re.compile(re.escape(p))
    p = re.sub(r"\[:(\w+):\]", lambda m: _POSIX.get(m.group(1), m.group(0)), p)
    p = _unmatched_close_literal(p)
    try:
        return re.compile(p, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise AsrError(f"regular expression {p!r}: {exc}",
                       hint="an R (TRE/PCRE) pattern Python's re does not read") from exc


def _unmatched_close_literal(p: str) -> str:
    """A ``)`` that closes no group read as a literal, as R's TRE does: asremlPlus's
    test42Selection.r:187 expects ``grepl("at\\\\(AMF, 2):per.col", ...)`` TRUE of a formula
    holding ``at(AMF, 2):per.col``; Python's re raises on it."""
    out, depth, i, in_class = [], 0, 0, False
    while i < len(p):
        ch = p[i]
        if ch == "\\" and i + 1 < len(p):
            out.append(p[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if p[i + 1:i + 2] == "]" or p[i + 1:i + 3] == "^]":     # []...] / [^]...]
                j = i + (2 if p[i + 1] == "]" else 3)
                out.append(p[i:j])
                i = j
                continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                out.append("\\)")
                i += 1
                continue
            depth -= 1
        out.append(ch)
        i += 1
    return "".join(out)


def _strings(x: Any) -> tuple[list[Any], bool]:
    """(the elements of x, whether x was one value)."""
    if isinstance(x, Untranslated):
        x._use()
    if x is None:
        return [], False
    if isinstance(x, (str, bytes, int, float, np.integer, np.floating, np.str_)):
        return [x], True
    if isinstance(x, pd.DataFrame):
        raise AsrError("a string function got a data frame", hint="pass one column")
    return list(x), False


def _text(s: Any) -> str:
    if isinstance(s, (float, np.floating)) and float(s).is_integer():
        return str(int(s))            # R prints 2 (not 2.0) for a whole number
    return str(s)


def _out(values: list[Any], one: bool, x: Any = None, dtype: Any = object) -> Any:
    if one:
        return values[0] if values else None
    if isinstance(x, pd.Series):
        return pd.Series(values, index=x.index, dtype=dtype if dtype is not object else None)
    return np.array(values, dtype=dtype)


# ----- pattern matching ------------------------------------------------------------------

def r_grepl(pattern: Any, x: Any, ignore_case: bool = False, perl: bool = False,
            fixed: bool = False, useBytes: bool = False) -> Any:  # noqa: N803 - R's name
    """``grepl``: for each element whether it matches (NA: FALSE)."""
    rx = _regex(pattern, fixed, ignore_case)
    xs, one = _strings(x)
    vals = [not _is_na(s) and rx.search(_text(s)) is not None for s in xs]
    return vals[0] if one else np.array(vals, dtype=bool)


def r_grep(pattern: Any, x: Any, ignore_case: bool = False, perl: bool = False,
           value: bool = False, fixed: bool = False, useBytes: bool = False,  # noqa: N803
           invert: bool = False) -> Any:
    """``grep``: 1-based positions of the matching elements (``value``: the elements)."""
    rx = _regex(pattern, fixed, ignore_case)
    xs, _ = _strings(x)
    # NA never matches (so invert = TRUE keeps it, as R does)
    hit = [k for k, s in enumerate(xs)
           if (not _is_na(s) and rx.search(_text(s)) is not None) != bool(invert)]
    if value:
        return np.array([_text(xs[k]) for k in hit], dtype=object)
    return np.array([k + 1 for k in hit], dtype=int)


def _replacement(rep: Any, fixed: bool) -> Any:
    """R's replacement as a function of the match: with ``fixed`` the text itself; else
    ``\\1``..``\\9`` are groups and any other escaped character is itself (TRE: ``\\0``
    is ``0``)."""
    r = str(rep)
    if fixed:
        return lambda m: r
    parts = re.split(r"\\(.)", r, flags=re.S)   # text, escaped char, text, ...

    def fill(m: re.Match[str]) -> str:
        out = []
        for k, p in enumerate(parts):
            if k % 2 and p in "123456789":
                out.append(m.group(int(p)) or "")
            else:
                out.append(p)
        return "".join(out)
    return fill


def _subst(pattern: Any, replacement: Any, x: Any, ignore_case: bool, fixed: bool,
           count: int) -> Any:
    rx = _regex(pattern, fixed, ignore_case)
    rep = _replacement(replacement, fixed)
    xs, one = _strings(x)
    vals = [s if _is_na(s) else rx.sub(rep, _text(s), count=count) for s in xs]
    return _out(vals, one, x)


def r_regsub(pattern: Any, replacement: Any, x: Any, ignore_case: bool = False,
          perl: bool = False, fixed: bool = False, useBytes: bool = False) -> Any:  # noqa: N803
    """``sub``: the first match in each element replaced."""
    return _subst(pattern, replacement, x, ignore_case, fixed, 1)


def r_gsub(pattern: Any, replacement: Any, x: Any, ignore_case: bool = False,
           perl: bool = False, fixed: bool = False, useBytes: bool = False) -> Any:  # noqa: N803
    """``gsub``: every match in each element replaced."""
    return _subst(pattern, replacement, x, ignore_case, fixed, 0)


def r_regexpr(pattern: Any, text: Any, ignore_case: bool = False, perl: bool = False,
              fixed: bool = False, useBytes: bool = False) -> Any:  # noqa: N803
    """``regexpr``: 1-based start of the first match (-1: none), its length in the
    ``match.length`` attribute (a :class:`_Matches`)."""
    rx = _regex(pattern, fixed, ignore_case)
    xs, _ = _strings(text)
    starts, lens = [], []
    for s in xs:
        m = None if _is_na(s) else rx.search(_text(s))
        starts.append(m.start() + 1 if m else -1)
        lens.append(m.end() - m.start() if m else -1)
    return _Matches(starts, lens)


class _Matches(np.ndarray):
    """regexpr's result: start positions with their ``match_length``."""

    match_length: np.ndarray

    def __new__(cls, starts: list[int], lens: list[int]) -> _Matches:
        obj = np.asarray(starts, dtype=int).view(cls)
        obj.match_length = np.asarray(lens, dtype=int)
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.match_length = getattr(obj, "match_length", np.zeros(0, dtype=int))


def r_regmatches(x: Any, m: Any) -> Any:
    """``regmatches(x, regexpr(...))``: the matched substrings of the elements that
    matched."""
    if not isinstance(m, _Matches):
        raise AsrError("regmatches() needs the result of regexpr()",
                       hint="gregexpr() is not translated")
    xs, _ = _strings(x)
    return np.array([_text(s)[st - 1: st - 1 + ln] for s, st, ln in zip(xs, m, m.match_length)
                     if st > 0], dtype=object)


def r_str_split_fixed(string: Any, pattern: Any, n: Any) -> np.ndarray:
    """stringr's ``str_split_fixed(string, pattern, n)``: a character matrix of n columns,
    the first n - 1 pieces split at the regular expression ``pattern`` and the rest of the
    string in the last column; "" fills the columns a string has no piece for (NA stays NA
    in every column)."""
    xs, _ = _strings(string)
    k = int(np.asarray(n).ravel()[0])
    if k < 1:
        raise AsrError(f"str_split_fixed(): n must be at least 1, got {k}",
                       hint="n is the number of pieces (columns) to return")
    pat = _text(_strings(pattern)[0][0])
    rx = _regex(pat, False)
    out = np.full((len(xs), k), "", dtype=object)
    for r, v in enumerate(xs):
        if _is_na(v):
            out[r, :] = np.nan
            continue
        parts = rx.split(_text(v), maxsplit=k - 1) if pat else list(_text(v))
        for c, piece in enumerate(parts[:k]):
            out[r, c] = piece
    return out


def r_strsplit(x: Any, split: Any, fixed: bool = False, perl: bool = False,
               useBytes: bool = False) -> list[Any]:  # noqa: N803
    """``strsplit``: a list with one character vector per element (R's splitting rule:
    pieces before each match; the empty piece after a trailing separator is dropped)."""
    xs, _ = _strings(x)
    splits = _strings(split)[0] or [""]
    out: list[Any] = []
    for k, s in enumerate(xs):
        if _is_na(s):
            out.append(np.array([np.nan], dtype=object))
            continue
        text, sp = _text(s), _text(splits[k % len(splits)])
        if sp == "":
            out.append(np.array(list(text), dtype=object))
            continue
        rx = _regex(sp, fixed)
        pieces, rest = [], text
        while rest:
            m = rx.search(rest)
            if m is None or m.end() == 0:
                if m is not None:               # an empty match: one character
                    pieces.append(rest[0])
                    rest = rest[1:]
                    continue
                pieces.append(rest)
                break
            if m.start() == m.end():            # empty match inside: R takes one character
                pieces.append(rest[0])
                rest = rest[1:]
                continue
            pieces.append(rest[:m.start()])
            rest = rest[m.end():]
        out.append(np.array(pieces, dtype=object))
    return out


def r_startswith(x: Any, prefix: Any) -> Any:
    """``startsWith``."""
    xs, one = _strings(x)
    p = str(prefix)
    return _out([None if _is_na(s) else _text(s).startswith(p) for s in xs], one, x)


def r_endswith(x: Any, suffix: Any) -> Any:
    """``endsWith``."""
    xs, one = _strings(x)
    p = str(suffix)
    return _out([None if _is_na(s) else _text(s).endswith(p) for s in xs], one, x)


# ----- pieces, case, width -----------------------------------------------------------------

def _recycled(*vals: Any) -> tuple[list[list[Any]], bool]:
    cols = [_strings(v) for v in vals]
    n = max((len(c[0]) for c in cols), default=0)
    if any(len(c[0]) == 0 for c in cols):
        n = 0
    return [[c[0][k % len(c[0])] for c in cols] for k in range(n)], all(c[1] for c in cols)


def r_substr(x: Any, start: Any, stop: Any) -> Any:
    """``substr``: characters start..stop (1-based, inclusive)."""
    rows, one = _recycled(x, start, stop)
    vals = [s if _is_na(s) else _text(s)[max(int(a), 1) - 1: max(int(b), 0)]
            for s, a, b in rows]
    return _out(vals, one and _strings(x)[1], x)


def r_substring(text: Any, first: Any, last: Any = 1000000) -> Any:
    """``substring``: as substr, every argument recycled to the longest."""
    rows, one = _recycled(text, first, last)
    vals = [s if _is_na(s) else _text(s)[max(int(a), 1) - 1: max(int(b), 0)]
            for s, a, b in rows]
    return _out(vals, one)


def r_nchar(x: Any, type: str = "chars", allowNA: bool = False,  # noqa: A002,N803
            keepNA: Any = None) -> Any:  # noqa: N803
    """``nchar``: the number of characters of each element (NA stays NA, as R's default
    ``keepNA = NA`` gives for type "chars")."""
    xs, one = _strings(x)
    vals = [np.nan if _is_na(s) else len(_text(s)) for s in xs]
    if one:
        return vals[0]
    return _out(vals, False, x, float if any(_is_na(s) for s in xs) else int)


def r_toupper(x: Any) -> Any:
    """``toupper``."""
    xs, one = _strings(x)
    return _out([s if _is_na(s) else _text(s).upper() for s in xs], one, x)


def r_tolower(x: Any) -> Any:
    """``tolower``."""
    xs, one = _strings(x)
    return _out([s if _is_na(s) else _text(s).lower() for s in xs], one, x)


def r_trimws(x: Any, which: str = "both", whitespace: str = "[ \t\r\n]") -> Any:
    """``trimws``: leading and/or trailing white space removed."""
    if which not in ("both", "left", "right"):
        raise AsrError(f"trimws(which = {which!r}): one of 'both', 'left', 'right'")
    left = re.compile(f"^({whitespace})+") if which in ("both", "left") else None
    right = re.compile(f"({whitespace})+$") if which in ("both", "right") else None

    def one_(s: str) -> str:
        if left is not None:
            s = left.sub("", s)
        if right is not None:
            s = right.sub("", s)
        return s

    xs, one = _strings(x)
    return _out([s if _is_na(s) else one_(_text(s)) for s in xs], one, x)


_SPEC = re.compile(r"%(?:(\d+)\$)?([-+ 0#]*)(\*|\d+)?(?:\.(\d+))?([sdifeEgGxXo%])")


def _format1(fmt: str, args: list[Any]) -> str:
    """One sprintf: C's conversions, %s of a number as R prints it, %d of a whole double."""
    k = 0
    out = []
    last = 0
    for m in _SPEC.finditer(fmt):
        out.append(fmt[last:m.start()])
        last = m.end()
        idx, flags, width, prec, conv = m.groups()
        if conv == "%":
            out.append("%")
            continue
        if idx:
            v = args[int(idx) - 1]
        else:
            v = args[k]
            k += 1
        spec = "%" + flags + (width or "") + (f".{prec}" if prec is not None else "")
        if _is_na(v):
            out.append(("%" + flags.replace("0", "") + (width or "") + "s") % "NA")
        elif conv == "s":
            out.append((spec + "s") % _text(v))
        elif conv in "dixXo":
            fv = float(v)
            if not fv.is_integer():
                raise AsrError(f"sprintf: invalid format '{m.group(0)}'; use format %f, %e, "
                               "%g or %a for numeric objects")
            out.append((spec + conv.replace("i", "d")) % int(fv))
        else:
            out.append((spec + conv) % float(v))
    out.append(fmt[last:])
    return "".join(out)


def r_sprintf(fmt: Any, *args: Any) -> Any:
    """``sprintf``: vectorised over the format and the arguments (recycled)."""
    rows, one = _recycled(fmt, *args)
    vals = [_format1(str(r[0]), list(r[1:])) for r in rows]
    return _out(vals, one)


def r_formatc(x: Any, width: int = 0, digits: Any = None, format: Any = None,  # noqa: A002
              flag: str = "", mode: Any = None, big_mark: str = "") -> Any:
    """``formatC``: C-style formatting of numbers (``format`` "d", "f", "e", "g", "s";
    default "d" for whole numbers, "g" otherwise)."""
    xs, one = _strings(x)
    vals = []
    for v in xs:
        if _is_na(v):
            vals.append(("%" + str(width) + "s") % "NA" if width else "NA")
            continue
        fm = format or ("s" if isinstance(v, str) else
                        "d" if float(v).is_integer() and digits is None else "g")
        spec = "%" + flag + (str(width) if width else "") + (
            f".{int(digits)}" if digits is not None and fm != "d" else "")
        if fm == "d":
            s = (spec + "d") % int(round(float(v)))
        elif fm == "s":
            s = (spec + "s") % _text(v)
        else:
            s = (spec + fm) % float(v)
        if big_mark and fm in ("d", "f"):
            head, _, tail = s.strip().partition(".")
            head = f"{int(head):,}".replace(",", big_mark)
            s = (head + ("." + tail if tail else "")).rjust(len(s))
        vals.append(s)
    return _out(vals, one)


# ----- translation -------------------------------------------------------------------------

#: R name -> runtime helper
FUNCTIONS: dict[str, Any] = {
    "grep": r_grep, "grepl": r_grepl, "sub": r_regsub, "gsub": r_gsub, "regexpr": r_regexpr,
    "regmatches": r_regmatches, "strsplit": r_strsplit, "substr": r_substr,
    "substring": r_substring, "nchar": r_nchar, "toupper": r_toupper, "tolower": r_tolower,
    "sprintf": r_sprintf, "startsWith": r_startswith, "endsWith": r_endswith,
    "trimws": r_trimws, "formatC": r_formatc, "str_split_fixed": r_str_split_fixed,
}


#: the functions whose value is a vector whatever their input (c() flattens them in place)
ALWAYS_VECTORS = ("grep", "regmatches")


def _params(f: str) -> list[str]:
    return [p for p in inspect.signature(FUNCTIONS[f]).parameters
            if p not in ("args", "kwargs")]


def _match(f: str, name: str) -> str:
    """R's argument name (exact, then a unique partial match) as the helper's keyword."""
    py = name.replace(".", "_")
    params = _params(f)
    if py in params:
        return py
    hits = [p for p in params if p.startswith(py)]
    if len(hits) == 1:
        return hits[0]
    from asr_py.translate.parser import Untranslatable

    raise Untranslatable(f"{f}({name} =)")


def translate(printer: Any, e: R) -> str | None:
    """The Python of the call ``e`` to one of :data:`FUNCTIONS`, or None if it is not one.
    Named arguments follow R's matching (exact, then partial); an argument the helper does
    not take leaves the call untranslated (its placeholder and TODO)."""
    f = e.value
    if f not in FUNCTIONS:
        return None
    args = [(None if n is None else _match(f, n), a) for n, a in e.args]
    if f == "sprintf":          # fmt first, the values after it (R matches fmt by name)
        args = [(None, a) for n, a in args if n == "fmt"] + [x for x in args if x[0] != "fmt"]
    return f"{printer.runtime('r_' + _helper_name(f))}({', '.join(printer.kwargs(args))})"


def _helper_name(f: str) -> str:
    return FUNCTIONS[f].__name__[2:]


def function_value(printer: Any, e: R) -> str | None:
    """The helper standing for an R string function passed by name (``lapply(x, strsplit,
    split = "_")``), or None."""
    if e.kind == "name" and e.value in FUNCTIONS and e.value not in getattr(
            printer, "functions", ()):
        return printer.runtime("r_" + _helper_name(e.value))
    return None


# stringr's functions (rstringr.py), matched and called as the base ones above
from asr_py.translate.rstringr import STRINGR  # noqa: E402 - needs this module's helpers

FUNCTIONS.update(STRINGR)
