"""readr's reading options: ``escape_double``, ``trim_ws`` and ``locale()``.

RStudio's *Import Dataset* writes ``read_delim("x.csv", delim = ";", escape_double = FALSE,
trim_ws = TRUE)``; readr documents (``?read_delim``):

- ``escape_double``: "Does the file escape quotes by doubling them? i.e. If this option is
  TRUE, the value [four double quotes] represents a single quote" (default TRUE) - pandas'
  ``doublequote``;
- ``trim_ws``: "Should leading and trailing whitespace (ASCII spaces and tabs) be trimmed
  from each field before parsing it?" - default TRUE for ``read_csv``/``read_tsv``/
  ``read_csv2``, FALSE for ``read_delim``; :func:`trim_fields` after pandas' read;
- ``locale = locale(decimal_mark = ",", grouping_mark = ".", encoding = "latin1")``:
  pandas' ``decimal``, ``thousands``, ``encoding``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: readr functions whose ``trim_ws`` is TRUE by default
TRIM_DEFAULT = ("read_csv", "read_tsv", "read_csv2")
#: locale() arguments -> pandas.read_csv keywords
_LOCALE = {"decimal_mark": "decimal", "grouping_mark": "thousands", "encoding": "encoding"}


class ReadrUntranslatable(Exception):
    """A readr option this module does not translate (its text says which)."""


def options(p: Any, key: str, a: Any) -> tuple[list[str], bool | None]:
    """Translate-time: the pandas keywords for the readr option ``key = a`` and, for
    ``trim_ws``, its logical value (None for the other options)."""
    if key == "escape_double":
        if a.kind != "name" or a.value not in ("TRUE", "T", "FALSE", "F"):
            raise ReadrUntranslatable(f"escape_double = {p.src(a)}")
        return ([] if a.value in ("TRUE", "T") else ["doublequote=False"]), None
    if key == "trim_ws":
        if a.kind != "name" or a.value not in ("TRUE", "T", "FALSE", "F"):
            raise ReadrUntranslatable(f"trim_ws = {p.src(a)}")
        return [], a.value in ("TRUE", "T")
    if key == "locale":
        if a.kind != "call" or a.value not in ("locale", "readr::locale") or any(
                n not in _LOCALE or v.kind != "str" for n, v in a.args):
            raise ReadrUntranslatable(f"locale = {p.src(a)}")
        return [f"{_LOCALE[n]}={v.value!r}" for n, v in a.args], None
    raise ReadrUntranslatable(key)


def trim_fields(d: pd.DataFrame, na: Any = None) -> pd.DataFrame:
    """readr's ``trim_ws = TRUE`` on what pandas read: each text field loses its leading
    and trailing spaces and tabs; a field that is then one of the NA strings (``na``,
    readr's default ``c("", "NA")``) is missing, and a text column whose fields are then
    all numbers (or missing) is numeric, as readr guesses a column's type after trimming."""
    nas = {"", "NA"} if na is None else {str(x) for x in np.atleast_1d(na)}
    out = d.copy()
    for c in out.columns:
        col = out[c]
        if not (pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col)):
            continue
        vals = [v.strip(" \t") if isinstance(v, str) else v for v in col.tolist()]
        vals = [np.nan if isinstance(v, str) and v in nas else v for v in vals]
        num = pd.to_numeric(pd.Series(vals, index=col.index, dtype=object), errors="coerce")
        texts = [v for v in vals if isinstance(v, str)]
        if texts and num[[isinstance(v, str) for v in vals]].notna().all():
            out[c] = num.astype(float)
        else:
            out[c] = pd.Series(vals, index=col.index, dtype=col.dtype
                               if pd.api.types.is_string_dtype(col) else object)
    return out
