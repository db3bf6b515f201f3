"""R puts a new column's values by POSITION: ``d$w <- v``, ``d[["w"]] <- v``,
``d[, "w"] <- v`` and data.table's ``DT[, w := v]`` take v's i-th value for the i-th row,
whatever v's names (R Language Definition 3.4; ?`$<-.data.frame`: "value ... recycled" to
nrow). pandas aligns a Series on its index instead, so a named vector (``diag(M)`` of a
matrix with dimnames, ``sapply`` over a named list) or a column of another frame becomes
NaN rows: Buntaran's two-stage Smith weights ``blue[, ':='(smith.w = diag(solve(V)))]`` were
all NaN ("no records left after removing missing values").

:func:`needs_position` says whether a value's R expression may be such a vector (anything
but constants, columns of the same frame and element-wise functions of them, which keep the
frame's index); :func:`r_col_value` gives the value by position at run time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.parser import R

__all__ = ["needs_position", "r_col_value"]

#: R functions that are element-wise in their first argument: the value keeps the index of
#: a column it is computed from (checked one by one on a frame subset, tests/translate)
_ELEMENTWISE = frozenset({
    "as.factor", "factor", "as.numeric", "as.double", "as.integer", "as.character",
    "as.logical", "log", "log10", "log2", "exp", "sqrt", "abs", "round", "floor", "ceiling",
    "paste", "paste0", "ifelse", "is.na", "toupper", "tolower", "gsub", "sub", "substr",
    "nchar", "trimws", "as.Date", "fct_inorder", "fct_inseq", "fct_relevel", "str_remove",
    "str_remove_all", "str_replace", "str_replace_all", "str_sub", "str_detect", "str_trim",
    "str_to_upper", "str_to_lower", "relevel", "droplevels"})
#: R functions whose value carries no pandas index here: one number, or a vector translate
#: holds as a list/array (positional already)
_NO_INDEX = frozenset({
    "rownames", "row.names", "colnames", "names", "seq_len", "seq_along", "seq", "rep",
    "nrow", "ncol", "NROW", "NCOL", "length", "nlevels", "mean", "sum", "min", "max",
    "median", "var", "sd", "prod", "unique", "levels"})
_CONSTANTS = frozenset({"TRUE", "FALSE", "T", "F", "NA", "NULL", "Inf", "NaN", "pi",
                        "NA_real_", "NA_integer_", "NA_character_"})


def needs_position(value: R, frame: R | None, columns_by_name: bool = False,
                   variables: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether ``value`` (R) may be a vector whose index is not ``frame``'s: True unless it
    is built of constants and columns of ``frame`` (``frame$a``, ``frame[["a"]]``; with
    ``columns_by_name`` a bare name too, as in data.table's ``j``, unless it is one of the
    script's ``variables``: ``DT[, v := w]`` with ``w`` a named vector) by operators and
    element-wise functions."""
    return not _same_rows(value, frame, columns_by_name, frozenset(variables))


def _same_frame(e: R | None, frame: R | None) -> bool:
    return e is not None and frame is not None and e.kind == frame.kind == "name" and \
        e.value == frame.value


def _same_rows(e: R, frame: R | None, by_name: bool,
               variables: frozenset[str] = frozenset()) -> bool:
    k = e.kind
    if k in ("num", "str"):
        return True
    if k == "name":
        return e.value in _CONSTANTS or by_name and e.value not in variables
    if k == "paren" and e.right is not None:
        return _same_rows(e.right, frame, by_name, variables)
    if k == "unary" and e.right is not None:
        return _same_rows(e.right, frame, by_name, variables)
    if k == "bin" and e.value == ":":
        return True                                       # 1:n, a range
    if k == "call" and e.value in _NO_INDEX:
        return True
    if k == "bin" and e.left is not None and e.right is not None and \
            e.value not in ("<-", "=", "<<-", "|>", "%>%", "%*%", "%o%", "%in%"):
        return _same_rows(e.left, frame, by_name, variables) and \
            _same_rows(e.right, frame, by_name, variables)
    if k == "dollar":
        return _same_frame(e.left, frame)
    if k == "index" and e.value == "[[" and len(e.args) == 1:
        return _same_frame(e.left, frame) and e.args[0][1].kind == "str"
    if k == "index" and e.value == "[" and len(e.args) == 2:     # frame[, "a"]
        return _same_frame(e.left, frame) and e.args[0][1].kind == "empty" and \
            e.args[1][1].kind == "str"
    if k == "call" and e.value in _ELEMENTWISE and e.args:
        # the values: positional arguments (named ones are options: levels =, sep =, ...)
        return all(_same_rows(a, frame, by_name, variables) for n, a in e.args
                   if n in (None, "x", "test", "yes", "no", "string", "f", "text"))
    return False


def _scalar(v: Any) -> bool:
    return isinstance(v, (str, bytes, bool, int, float, np.generic)) or v is None


def r_col_value(frame: Any, value: Any) -> Any:
    """``value`` as R puts it into a column of ``frame``: a Series whose index is not the
    frame's, or a named vector (a dict of single values), is taken by position, and a vector
    whose length divides the rows recycled; anything else (a frame that is no data frame, an
    empty one, a frame as the value) unchanged."""
    if not isinstance(frame, pd.DataFrame) or frame.shape == (0, 0):
        return value
    if isinstance(value, dict) and value and all(_scalar(v) for v in value.values()):
        value = np.asarray(list(value.values()))         # c(a = 1, b = 2): its values
    elif isinstance(value, list) and value and len(value) != len(frame) and \
            all(_scalar(v) for v in value):
        value = np.asarray(value)                        # to be recycled
    if isinstance(value, pd.Series):
        if value.index.equals(frame.index):
            return value
        vals = value.array
    elif isinstance(value, np.ndarray) and value.ndim == 1:
        vals = value
    else:
        return value
    n, m = len(frame), len(vals)
    if m == n and not isinstance(value, pd.Series) or m == n == 0:
        return value
    if m == 1:
        return vals[0]
    if m == 0 or n % m:
        raise AsrError(f"a new column: the value has {m} elements for {n} rows",
                       hint="R's d$x <- v needs one value per row (or a length that "
                            "divides the number of rows)")
    if m != n:
        vals = vals.take(np.tile(np.arange(m), n // m))
    return pd.Series(vals, index=frame.index, name=getattr(value, "name", None)) \
        if isinstance(value, pd.Series) else vals
