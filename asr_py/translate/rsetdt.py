"""data.table's ``setDT(x, keep.rownames = FALSE, key = NULL)``: ``x`` made a data.table
by reference (a data frame is one here), returned invisibly.

``keep.rownames = TRUE`` adds the row names as a first column ``rn`` (a text: that name);
``key`` sorts the rows by those columns (data.table's ``setkey``, a stable sort). A list of
equal-length columns becomes a data frame. As a statement ``setDT(d)`` rebinds ``d``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_set_dt", "statement", "translate"]

FUNCTIONS = frozenset({"setDT", "data.table::setDT"})
_FORMALS = ("x", "keep.rownames", "key", "check.names")


def translate(tr: Any, e: R) -> str | None:
    """``setDT(x, keep.rownames =, key =)`` -> ``r_set_dt(x, ...)``."""
    try:
        got = match_args(_FORMALS, e.args, "setDT")
    except ArgMatchError:
        return None
    if "x" not in got:
        return None
    extra = "".join(f", {k.replace('.', '_')}={tr.py(got[k])}" for k in _FORMALS[1:3]
                    if k in got)
    return f"{tr.runtime('r_set_dt')}({tr.py(got['x'])}{extra})"


def statement(tr: Any, e: R) -> str | None:
    """``setDT(d)`` as a statement: ``d = r_set_dt(d)`` (R changes d by reference)."""
    if e.kind != "call" or e.value not in FUNCTIONS or e.value in tr.functions or \
            not e.args or e.args[0][0] not in (None, "x") or e.args[0][1].kind != "name":
        return None
    got = translate(tr, e)
    if got is None:
        return None
    name = e.args[0][1].value
    tr.assigned.add(name)
    return f"{tr.py(e.args[0][1])} = {got}"


def r_set_dt(x: Any, keep_rownames: Any = False, key: Any = None) -> Any:
    """``setDT(x, keep.rownames, key)``: see the module docstring."""
    for v in (x, keep_rownames, key):
        if isinstance(v, Untranslated):
            return v._use()
    if isinstance(x, dict):
        x = pd.DataFrame({k: list(v) if not np.isscalar(v) else [v] for k, v in x.items()})
    if not isinstance(x, pd.DataFrame):
        raise AsrError(f"setDT(x): x is a {type(x).__name__}, not a data frame or list",
                       hint="setDT() takes a data.frame or a list of equal-length columns")
    out = x.copy()
    flag = keep_rownames[0] if isinstance(keep_rownames, list) and \
        len(keep_rownames) == 1 else keep_rownames
    if flag is not False and flag is not None:
        name = flag if isinstance(flag, str) else "rn"
        rn = [str(i + 1) for i in range(len(out))] if isinstance(out.index, pd.RangeIndex) \
            else [str(i) for i in out.index]
        out.insert(0, name, rn)
    out = out.reset_index(drop=True)
    if key is not None:
        cols = [key] if isinstance(key, str) else list(key)
        missing = [c for c in cols if c not in out.columns]
        if missing:
            raise AsrError(f"setDT(key = ): no column {missing[0]!r}",
                           hint="key names columns of the table")
        out = out.sort_values(cols, kind="stable").reset_index(drop=True)
    return out
