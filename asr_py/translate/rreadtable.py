"""R's ``read.table()`` when the script leaves ``header`` to R, for translated scripts.

R decides ``header`` from the file: it is TRUE exactly when the first line has one field
fewer than the number of columns (the most fields on any of the first five lines); the
first column then holds the row names (``read.table("kinship.txt")`` of a matrix written
by ``write.table()``). Without a header the columns are named V1, V2, ... ``row.names = 1``
takes the row names from the first column, ``colClasses = "character"`` keeps every
column as text. Row names are R's: always character.
"""
from __future__ import annotations

import csv
import io
import re
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["R_TEXT_BYTES", "r_read_csv", "r_read_table", "r_write_table", "rreadtable_call"]

#: pandas' ``encoding_errors`` for R's text readers when the script gives no
#: ``fileEncoding``/``encoding``. R (>= 4.2 everywhere, earlier outside Windows) reads a file in
#: its UTF-8 native encoding without converting or checking it: a byte that is not UTF-8 (a
#: latin-1 ``\xf1`` of ``Nari\xf1o``) stays in the string and R prints it as ``\xf1``; such a
#: string equals no UTF-8 text. pandas' default stops with UnicodeDecodeError instead;
#: ``backslashreplace`` keeps R's result (the text ``Nari\xf1o``). ``fileEncoding = "latin1"``
#: decodes it (``Nariño``) in both.
R_TEXT_BYTES = "backslashreplace"


def _fields(line: str, sep: str | None, quote: str) -> int:
    """Number of fields of one line as read.table splits it (white space or ``sep``)."""
    if sep is None:
        try:
            lex = shlex.shlex(line, posix=True)
            lex.whitespace_split = True
            lex.quotes = quote
            lex.commenters = ""
            return len(list(lex))
        except ValueError:          # an unbalanced quote: count the white-space runs
            return len(line.split())
    return len(next(csv.reader(io.StringIO(line), delimiter=sep,
                               quotechar=quote[:1] or '"')))


def _first_lines(path: Any, skip: int, comment: str, encoding: str | None) -> list[str]:
    lines: list[str] = []
    with open(path, encoding=encoding or "utf-8", errors="replace") as fh:
        for k, ln in enumerate(fh):
            if k < skip:
                continue
            if comment and comment in ln:
                ln = ln.split(comment, 1)[0]
            if ln.strip():
                lines.append(ln.rstrip("\r\n"))
            if len(lines) == 5:
                break
    return lines


def r_read_table(file: Any, header: Any = None, sep: Any = None, row_names: Any = None,
                 col_classes: Any = None, check_names: Any = True, na_values: Any = None,
                 skiprows: Any = None, comment: Any = "#", quote: str = "\"'",
                 **kw: Any) -> pd.DataFrame:
    """``read.table(file, ...)`` with R's defaults: header decided from the file when not
    given, V1.. column names without one, the first column as (character) row names when
    the header is one field short or ``row.names = 1``; ``colClasses = "character"``."""
    if not isinstance(file, (str, Path)):
        raise AsrError(f"read.table(): file must be a path, got {type(file).__name__}",
                       hint="give the file name as a string")
    if not Path(file).exists():
        raise AsrError(f"read.table(): no file {str(file)!r} (working directory "
                       f"{Path.cwd()})", hint="the path is relative to the working directory")
    sep = None if sep in (None, "") else str(sep)
    skip = int(skiprows or 0)
    lines = _first_lines(file, skip, comment or "", kw.get("encoding"))
    counts = [_fields(ln, sep, quote) for ln in lines]
    ncol = max(counts) if counts else 0
    short = bool(counts) and counts[0] == ncol - 1
    if header is None:
        header = short
    header = bool(header)
    if col_classes is not None and not (
            isinstance(col_classes, str) and col_classes == "character"):
        raise AsrError(f"read.table(colClasses = {col_classes!r}) is not translated",
                       hint="colClasses = \"character\" (all columns as text) is; convert "
                            "columns after reading otherwise")
    opts: dict[str, Any] = dict(kw)
    if "encoding" not in opts:
        opts["encoding_errors"] = R_TEXT_BYTES
    opts["sep"] = r"\s+" if sep is None else sep
    if sep is not None:
        opts["quotechar"] = quote[:1] or '"'
    if na_values is not None:
        opts["na_values"] = na_values
    opts["skiprows"] = skip
    if comment:
        opts["comment"] = comment
    if col_classes == "character":
        opts["dtype"] = str
        opts["keep_default_na"] = na_values is None or "NA" in (
            [na_values] if isinstance(na_values, str) else list(na_values))
    if header:
        d = pd.read_csv(file, header=0, **opts)
        d.columns = [c.strip(" \t") if isinstance(c, str) else c for c in d.columns]
        if short and row_names is None:
            # pandas makes the extra first column the index, as R makes it the row names
            d.index = d.index.map(str)
        elif row_names is not None:
            d = d.set_index(_row_names_column(d, row_names, file))
            d.index = d.index.map(str)
            d.index.name = None
        if check_names is not False:
            d.columns = _make_names(list(d.columns))
        return d
    d = pd.read_csv(file, header=None, **opts)
    d.columns = [f"V{k + 1}" for k in range(d.shape[1])]
    if row_names is not None:
        col = _row_names_column(d, row_names, file)
        d = d.set_index(col)
        d.index = d.index.map(str)
        d.index.name = None
    return d


def r_read_csv(file: Any, **kw: Any) -> pd.DataFrame:
    """``read.csv``/``read.delim``/``fread``/``read_csv`` as pandas' ``read_csv(file, **kw)``,
    except that a file which is not UTF-8 reads as R reads it when no ``encoding`` is given:
    its stray bytes kept as ``\\xNN`` text (:data:`R_TEXT_BYTES`), not a UnicodeDecodeError.
    The header's names lose their leading/trailing spaces and tabs, as R reads the header
    line with ``scan(strip.white = TRUE)`` (``"site ,yield"`` -> ``site``, ``yield``; readr
    and data.table trim them too); the values keep theirs (``strip.white = FALSE``) unless
    ``trim_ws = True`` (readr's ``trim_ws``: :func:`asr_py.translate.rreadr.trim_fields`);
    ``row_names = "id"`` (R's ``row.names =`` a column name): that column as the row names."""
    trim = kw.pop("trim_ws", False)
    row_names = kw.pop("row_names", None)
    if "encoding" not in kw:
        kw["encoding_errors"] = R_TEXT_BYTES
    d = pd.read_csv(file, **kw)
    d.columns = [c.strip(" \t") if isinstance(c, str) else c for c in d.columns]
    if trim:        # readr's trim_ws = TRUE (rreadr.py)
        from asr_py.translate.rreadr import trim_fields

        d = trim_fields(d, kw.get("na_values"))
    if row_names is not None:      # read.csv(row.names = "id"): that column, as text
        d = d.set_index(_row_names_column(d, row_names, file))
        d.index = d.index.map(str)
        d.index.name = None
    return d


def _make_names(cols: list[Any]) -> list[str]:
    """R's make.names(unique = TRUE) of the header fields."""
    out: list[str] = []
    for c in cols:
        s = str(c)
        ok = re.match(r"[^\W\d_]|\.(?!\d)", s)
        s = re.sub(r"[^\w.]", ".", s if ok else "X" + s)
        base, k = s, 0
        while s in out:
            k += 1
            s = f"{base}.{k}"
        out.append(s)
    return out


def _row_names_column(d: pd.DataFrame, row_names: Any, file: Any) -> Any:
    """The column ``row.names =`` names: a number (its position) or a text (the column of
    that name; R's read.table stops when there is none)."""
    if isinstance(row_names, str):
        if row_names in d.columns:
            return row_names
        raise AsrError(f"read.table({file!r}, row.names = {row_names!r}): the file has no "
                       f"column named {row_names!r} (its columns: {list(d.columns)[:8]})",
                       hint="row.names = 1 takes the first column")
    return d.columns[int(row_names) - 1]


#: read.table() arguments (full names, for R's partial matching) and r_read_table's keywords
_ARGS = {"header": "header", "sep": "sep", "row.names": "row_names",
         "colClasses": "col_classes", "check.names": "check_names", "na.strings": "na_values",
         "skip": "skiprows", "comment.char": "comment", "quote": "quote", "dec": "decimal",
         "nrows": "nrows", "fileEncoding": "encoding", "encoding": "encoding",
         "stringsAsFactors": None, "strip.white": None, "as.is": None, "file": None}


def rreadtable_call(p: Any, e: Any, path: Any) -> str | None:
    """Translate-time: ``read.table(...)`` with no ``header =`` (R decides it from the file),
    or with ``colClasses = "character"`` / ``row.names = <number>``, as a call of
    :func:`r_read_table`; None leaves the call to the printer's pandas translation."""
    named: dict[str, Any] = {}
    for n, a in e.args:
        if n is None or a is path:
            continue
        hits = [k for k in _ARGS if k.startswith(n)]
        key = n if n in _ARGS else (hits[0] if len(hits) == 1 else None)
        if key is None:
            return None
        named[key] = a
    cc = named.get("colClasses")
    rn = named.get("row.names")
    if "header" in named and cc is None and rn is None:
        return None
    if cc is not None and not (cc.kind == "str" and cc.value == "character"):
        return None
    if rn is not None and rn.kind not in ("num", "str"):
        return None
    out = [p.py(path)]
    for key, a in named.items():
        kw = _ARGS[key]
        if kw is not None:
            out.append(f"{kw}={p.py(a)}")
    return f"{p.runtime('r_read_table')}({', '.join(out)})"


def _cell(v: Any, quote: bool, na: str) -> str:
    if v is None or isinstance(v, float) and np.isnan(v) or v is pd.NA:
        return na
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return format(float(v), ".15g")
    return f'"{v}"' if quote else str(v)


def r_write_table(x: Any, file: Any, sep: str = " ", quote: Any = True, row_names: Any = True,
                  col_names: Any = True, na: str = "NA", **dotted: Any) -> None:
    """R's ``write.table(x, file)``: fields separated by ``sep`` (a space), text and names in
    double quotes, the row names first on every row and the header one field short (R's
    ``col.names = TRUE``; ``col.names = NA`` adds an empty first field), so that
    ``read.table(file)`` reads it back with its row names."""
    row_names = dotted.pop("row.names", row_names)
    col_names = dotted.pop("col.names", col_names)
    if dotted:
        raise AsrError(f"write.table(): argument(s) {', '.join(dotted)} not supported",
                       hint="sep, quote, row.names, col.names, na are")
    d = pd.DataFrame(x) if not isinstance(x, pd.DataFrame) else x
    if isinstance(x, np.ndarray) and not isinstance(x, pd.DataFrame):
        d = pd.DataFrame(x, columns=[f"V{k + 1}" for k in range(np.asarray(x).shape[1])]) \
            if np.asarray(x).ndim == 2 else pd.DataFrame({"x": np.asarray(x)})
    q = bool(quote)
    rn = row_names is not False
    names = [str(i + 1) for i in range(len(d))] if isinstance(d.index, pd.RangeIndex) \
        else [str(i) for i in d.index]
    lines = []
    if col_names is not False:
        head = [_cell(str(c), q, na) for c in d.columns]
        if col_names is None or (isinstance(col_names, float) and np.isnan(col_names)):
            head = ['""' if q else ""] + head
        lines.append(sep.join(head))
    for k, (_, row) in enumerate(d.iterrows()):
        cells = [_cell(v, q, na) for v in row.tolist()]
        lines.append(sep.join(([_cell(names[k], q, na)] if rn else []) + cells))
    with open(file, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
