"""Base R's ``read.table(text = x, ...)`` (and read.csv/read.delim) for translated scripts:
a data frame read from character strings instead of a file, as scripts use it to split
labels (``read.table(text = as.character(d$FAMID), sep = "_")$V2``).

R's semantics (``?read.table``): ``text`` is read through ``textConnection()``, an element
a line (a newline inside an element starts another line); blank lines are skipped;
``sep = ""`` (read.table's default) splits on runs of white space, another ``sep`` on that
character; quotes (``"`` and, for read.table, ``'``) around a field are removed; without a
header the columns are ``V1``, ``V2``, ...; every line must have as many fields as the
first ("line N did not have M elements") unless ``fill = TRUE`` pads them with NA; each
column is converted by ``type.convert()`` - "NA" is missing, then logical, integer, double,
else character (``stringsAsFactors = FALSE``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["r_read_text", "translate"]

_DEFAULTS = {"read.table": ("", False, "\"'"), "read.csv": (",", True, "\""),
             "read.delim": ("\t", True, "\"")}
_ARGS = ("text", "sep", "header", "fill", "na.strings", "stringsAsFactors", "col.names",
         "quote", "strip.white")


def _convert(col: list[str | None], na: set[str]) -> pd.Series:
    vals = [None if v is None or v in na else v for v in col]
    present = [v for v in vals if v is not None]
    if present and all(v in ("TRUE", "FALSE", "T", "F", "true", "false", "True", "False")
                       for v in present):
        return pd.Series([None if v is None else v in ("TRUE", "T", "true", "True")
                          for v in vals], dtype=object)
    for kind in (int, float):
        try:
            conv = [None if v is None else kind(v) for v in vals]
        except ValueError:
            continue
        if kind is int and None not in conv:
            return pd.Series(conv, dtype="int64")
        return pd.Series([np.nan if v is None else float(v) for v in conv], dtype=float)
    return pd.Series([np.nan if v is None else v for v in vals], dtype=object)


def r_read_text(text: Any, sep: str = "", header: bool = False, fill: bool = False,
                na_strings: Any = ("NA",), col_names: Any = None,
                quote: str = "\"'") -> pd.DataFrame:
    """``read.table(text = text, sep =, header =, fill =, na.strings =, col.names =)``
    (see the module docstring)."""
    for v in (text, sep, header, col_names):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    items = [text] if isinstance(text, str) else list(np.asarray(
        text.to_numpy() if isinstance(text, pd.Series) else text, dtype=object).ravel())
    lines = [ln for t in items if not (t is None or (isinstance(t, float) and np.isnan(t)))
             for ln in str(t).split("\n") if ln.strip()]
    if not lines:
        raise AsrError("read.table(text = ): no lines available in input",
                       hint="text holds the lines to read (a character vector)")

    def fields(ln: str) -> list[str]:
        parts = ln.split() if sep == "" else ln.split(sep)
        return [p[1:-1] if len(p) > 1 and p[0] == p[-1] and p[0] in quote else p
                for p in parts]

    rows = [fields(ln) for ln in lines]
    names = rows.pop(0) if header else None
    width = max(len(r) for r in rows[:5]) if rows else len(names or [])
    for i, r in enumerate(rows, 2 if header else 1):
        if len(r) != width and not fill:
            raise AsrError(f"read.table(text = ): line {i} did not have {width} elements",
                           hint="fill = TRUE pads short lines with NA")
    rows = [r + [None] * (width - len(r)) for r in rows]
    if col_names is not None:
        names = [str(c) for c in np.atleast_1d(np.asarray(col_names, dtype=object))]
    elif names is None or len(names) != width:
        names = [f"V{k}" for k in range(1, width + 1)]
    na = {str(s) for s in np.atleast_1d(np.asarray(na_strings, dtype=object))}
    return pd.DataFrame({n: _convert([r[k] for r in rows], na)
                         for k, n in enumerate(names)})


def translate(tr: Any, e: R) -> str | None:
    """``read.table(text = x, ...)`` / read.csv / read.delim; None for other forms."""
    if e.value not in _DEFAULTS:
        return None
    named: dict[str, R] = {}
    for n, a in e.args:
        key = next((k for k in _ARGS if n is not None and k.startswith(n)), None)
        if key is None or key in named:
            return None
        named[key] = a
    if "text" not in named:
        return None
    sep, header, quote = _DEFAULTS[e.value]
    kw = [f"sep={tr.py(named['sep'])}" if "sep" in named else f"sep={sep!r}",
          f"header={tr.py(named['header'])}" if "header" in named else f"header={header}",
          f"quote={tr.py(named['quote'])}" if "quote" in named else f"quote={quote!r}"]
    for r_name, py_name in (("fill", "fill"), ("na.strings", "na_strings"),
                            ("col.names", "col_names")):
        if r_name in named:
            kw.append(f"{py_name}={tr.py(named[r_name])}")
    return f"{tr.runtime('r_read_text')}({tr.py(named['text'])}, {', '.join(kw)})"
