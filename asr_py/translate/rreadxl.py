"""readxl's ``read_excel(path, sheet, col_names, col_types, na, skip, n_max)`` (also
``read_xlsx``/``read_xls``) beyond the path and sheet: ``col_types`` ``"text"`` reads a
column as text, ``"numeric"`` as numbers (a cell that is not a number is NA, as readxl
does with a warning), ``"logical"``, ``"date"``, ``"guess"`` as read, ``"skip"`` drops
it (one type recycled to every column); ``n_max`` rows at most, ``skip`` rows skipped
first, ``na`` the strings read as missing, ``col_names = FALSE`` names ...1, ...2.

A workbook is opened once per script (kept while its file is unchanged: path, size and
modification time) and each sheet parsed once: scripts read the sheet names, one row of a
sheet for its width, then the sheet, and an xlsx of a few MB takes seconds to load.
Each call gets its own copy of the rows."""
from __future__ import annotations

import os
from typing import Any

import pandas as pd

from asr_py.errors import AsrError

__all__ = ["ARGS", "r_read_excel"]

#: readxl's arguments this reader takes (R's name -> Python keyword)
ARGS = {"col_types": "col_types", "n_max": "n_max", "skip": "skip", "na": "na",
        "col_names": "col_names", "sheet": "sheet"}

_TYPES = ("text", "numeric", "logical", "date", "guess", "skip", "list")


#: the open workbook (file key -> pd.ExcelFile) and its parsed sheets (read key -> rows)
_BOOK: dict[tuple[Any, ...], pd.ExcelFile] = {}
_SHEETS: dict[tuple[Any, ...], pd.DataFrame] = {}


def _read(path: Any, kw: dict[str, Any]) -> pd.DataFrame:
    """``pd.read_excel(path, **kw)`` through the workbook cache (see the module); ``nrows``
    is applied to the whole parsed sheet (the same rows)."""
    try:
        st = os.stat(path)
        fkey: tuple[Any, ...] = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    except (OSError, TypeError):
        return pd.read_excel(path, **kw)          # a URL, a buffer: read as it is
    nrows = kw.pop("nrows", None)
    skey = fkey + tuple((k, tuple(v) if isinstance(v, list) else v)
                        for k, v in sorted(kw.items()))
    if skey not in _SHEETS:
        if fkey not in _BOOK:
            for old in list(_BOOK):                # one workbook open at a time
                _BOOK.pop(old).close()
            for old in [k for k in _SHEETS if k[:3] != fkey]:
                del _SHEETS[old]
            _BOOK[fkey] = pd.ExcelFile(path)
        _SHEETS[skey] = pd.read_excel(_BOOK[fkey], **kw)
    d = _SHEETS[skey]
    return (d.head(nrows) if nrows is not None else d).copy()


def _flat(v: Any) -> list[Any]:
    """R's c() of vectors is one vector: nested lists flattened."""
    if isinstance(v, str) or not hasattr(v, "__iter__"):
        return [v]
    return [x for item in v for x in _flat(item)]


def r_read_excel(path: Any, sheet: Any = None, col_types: Any = None, n_max: Any = None,
                 skip: Any = 0, na: Any = "", col_names: Any = True) -> pd.DataFrame:
    """``read_excel(path, ...)``: see the module's docstring (``sheet``: a name or R's
    1-based position)."""
    kw: dict[str, Any] = {"sheet_name": (int(sheet) - 1 if isinstance(sheet, (int, float))
                                         else sheet) if sheet is not None else 0,
                          "skiprows": int(skip or 0)}
    if n_max is not None and float(n_max) != float("inf"):
        kw["nrows"] = int(n_max)
    nas = [na] if isinstance(na, str) else list(na)
    kw["na_values"] = [v for v in nas if v != ""]
    kw["keep_default_na"] = True
    if col_names is False:
        kw["header"] = None
    d = _read(path, kw)
    if col_names is False:
        d.columns = [f"...{i + 1}" for i in range(d.shape[1])]
    elif not isinstance(col_names, bool):
        names = [str(v) for v in ([col_names] if isinstance(col_names, str) else col_names)]
        d.columns = names + [str(c) for c in d.columns[len(names):]]
    if col_types is None:
        return d
    types = [col_types] if isinstance(col_types, str) else [str(t) for t in _flat(col_types)]
    bad = [t for t in types if t not in _TYPES]
    if bad:
        raise AsrError(f"read_excel(): unknown col_types {bad[0]!r}",
                       hint="readxl's types: " + ", ".join(_TYPES))
    if len(types) == 1:
        types = types * d.shape[1]
    if len(types) != d.shape[1]:
        raise AsrError(f"read_excel(): {len(types)} col_types for {d.shape[1]} columns of "
                       f"{path!r}", hint="give one type, or one per column")
    keep = []
    for c, t in zip(list(d.columns), types):
        if t == "skip":
            continue
        keep.append(c)
        if t == "text":
            d[c] = d[c].map(lambda v: v if pd.isna(v) else
                            str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        elif t == "numeric":
            d[c] = pd.to_numeric(d[c], errors="coerce")
        elif t == "logical":
            d[c] = d[c].map(lambda v: v if pd.isna(v) else bool(v))
        elif t == "date":
            d[c] = pd.to_datetime(d[c], errors="coerce")
    return d[keep]
