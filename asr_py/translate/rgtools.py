"""gtools' ``mixedorder(x)`` / ``mixedsort(x)``: the order of strings with embedded numbers,
the numbers compared as numbers ("a2" before "a10"), for translated scripts.

gtools' rule (its documentation and its code's steps): each string is cut into chunks, a
chunk being a decimal number (``numeric.type = "decimal"``: an optional sign, digits with an
optional decimal point, an optional exponent) or the text between numbers. The strings are
ordered chunk by chunk: at a chunk position a number comes before any text, numbers compare
by value, text compares case-insensitively (``toupper``) in the locale's collation (R's
``factor()`` levels; :mod:`asr_py.model.collate`), and a string without a chunk at that
position (it has fewer chunks) comes last there (``order``'s ``na.last = TRUE``). Ties keep
the input order. Missing values go last (``na.last = TRUE``), first (``FALSE``) or are
dropped (``NA``); empty strings go first unless ``blank.last = TRUE``. ``decreasing``
reverses the order of the values but not where missing chunks, NAs and blanks go.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.collate import collate_key
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, pkg_of
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "PACKAGES", "r_mixedorder", "r_mixedsort", "translate"]

FUNCTIONS = ("mixedorder", "mixedsort")
PACKAGES = frozenset({"gtools"})

#: gtools' decimal number (numeric.type = "decimal")
_NUMBER = re.compile(r"[-+]?(?=\.?[0-9])[0-9]*(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?")
_FORMALS = ("x", "decreasing", "na.last", "blank.last", "numeric.type", "roman.case",
            "scientific")


def _chunks(s: str) -> list[tuple[int, Any]]:
    """(0, number) and (1, text) chunks of ``s`` in order (empty text dropped)."""
    out: list[tuple[int, Any]] = []
    pos = 0
    for m in _NUMBER.finditer(s):
        if m.start() > pos:
            out.append((1, s[pos:m.start()].upper()))
        out.append((0, float(m.group())))
        pos = m.end()
    if pos < len(s):
        out.append((1, s[pos:].upper()))
    return out


def _values(x: Any) -> list[Any]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, (pd.Series, pd.Index)):
        x = x.to_numpy(dtype=object)
    return list(np.ravel(np.asarray(x, dtype=object)))


def _missing(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def r_mixedorder(x: Any, decreasing: bool = False, na_last: Any = True,
                 blank_last: bool = False, numeric_type: str = "decimal") -> Any:
    """``gtools::mixedorder`` (module docstring): 1-based positions."""
    if isinstance(x, Untranslated):
        return x._use()
    if numeric_type != "decimal":
        raise AsrError(f"mixedorder(): numeric.type = {numeric_type!r} is not translated",
                       hint="numeric.type = 'decimal' (gtools' default) is")
    vals = _values(x)
    text = [None if _missing(v) else str(v) for v in vals]
    nas = [i for i, s in enumerate(text) if s is None]
    blanks = [i for i, s in enumerate(text) if s == ""]
    rest = [i for i, s in enumerate(text) if s]
    cut = {i: _chunks(text[i]) for i in rest}
    width = max((len(c) for c in cut.values()), default=0)
    cols: list[dict[int, int]] = []
    for j in range(width):          # a dense rank per chunk position: numbers, then text
        nums = sorted({c[j][1] for c in cut.values() if len(c) > j and c[j][0] == 0})
        txts = sorted({c[j][1] for c in cut.values() if len(c) > j and c[j][0] == 1},
                      key=collate_key)
        rank = {**{(0, v): k for k, v in enumerate(nums)},
                **{(1, v): len(nums) + k for k, v in enumerate(txts)}}
        cols.append({i: rank[c[j]] for i, c in cut.items() if len(c) > j})
    sign = -1 if decreasing else 1

    def key(i: int) -> tuple[tuple[int, int], ...]:
        return tuple((0, sign * col[i]) if i in col else (1, 0) for col in cols)

    order = sorted(rest, key=key)                       # stable: ties keep input order
    order = order + blanks if blank_last else blanks + order
    if na_last is True:
        order = order + nas
    elif na_last is False:
        order = nas + order
    return np.asarray(order, dtype=int) + 1


def r_mixedsort(x: Any, decreasing: bool = False, na_last: Any = True,
                blank_last: bool = False, numeric_type: str = "decimal") -> Any:
    """``gtools::mixedsort``: ``x[mixedorder(x, ...)]``."""
    if isinstance(x, Untranslated):
        return x._use()
    idx = r_mixedorder(x, decreasing, na_last, blank_last, numeric_type) - 1
    if isinstance(x, pd.Series):
        return x.iloc[idx]
    return np.asarray(_values(x), dtype=object)[idx]


def translate(tr: Any, e: R) -> str | None:
    """``mixedorder(x, ...)`` / ``mixedsort(x, ...)`` (also ``gtools::``) with R's argument
    matching; None for other calls or arguments gtools does not have."""
    pkg = pkg_of(e.left) if e.left is not None else ""
    if pkg not in ("", "gtools"):
        return None
    name = e.value.split("::")[-1]
    try:
        got = match_args(_FORMALS, e.args, name)
    except ArgMatchError:
        return None
    if "x" not in got or any(k in got for k in ("roman.case", "scientific")):
        return None
    args = [tr.py(got.pop("x"))] + [f"{k.replace('.', '_')}={tr.py(a)}"
                                     for k, a in got.items() if a.kind != "empty"]
    return f"{tr.runtime('r_' + name)}({', '.join(args)})"
