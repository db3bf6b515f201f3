"""Base R's ``sweep(x, MARGIN, STATS, FUN = "-", check.margin = TRUE, ...)`` for a matrix
or data frame (R 4 ``?sweep``).

"Return an array obtained from an input array by sweeping out a summary statistic": with
``MARGIN = 1`` element (i, j) becomes ``FUN(x[i, j], STATS[i])``, with ``MARGIN = 2``
``FUN(x[i, j], STATS[j])`` (``sweep(m, 2, colMeans(m))`` centres the columns). ``FUN`` is
an arithmetic operator given by name (``"-"``, ``"/"``, or backquoted ``\\`/\\```) or a
function of two arguments, called once with ``x`` and the STATS spread to its shape.
STATS is recycled as R does; a length that does not divide the margin's extent is R's
warning "STATS does not recycle exactly across MARGIN" (here an error, as the result would
not be what the script meant). A data frame stays a data frame (labels kept), a matrix a
matrix.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_sweep", "translate"]

FUNCTIONS = frozenset({"sweep", "base::sweep"})
_FORMALS = ("x", "MARGIN", "STATS", "FUN", "check.margin", "...")
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "-": operator.sub, "+": operator.add, "*": operator.mul, "/": operator.truediv,
    "^": operator.pow, "%%": operator.mod, "%/%": operator.floordiv}


def translate(tr: Any, e: R) -> str | None:
    """``sweep(x, MARGIN, STATS, FUN)`` -> ``r_sweep(...)``, an operator's name as text;
    None for other forms (extra arguments to FUN)."""
    try:
        got = match_args(_FORMALS, [(n, a) for n, a in e.args if a.kind != "empty"], "sweep")
    except ArgMatchError:
        return None
    if got.get("...") or not all(k in got for k in ("x", "MARGIN", "STATS")):
        return None
    parts = [tr.py(got[k]) for k in ("x", "MARGIN", "STATS")]
    fun = got.get("FUN")
    if fun is not None:
        parts.append(repr(fun.value) if fun.kind in ("str", "name") and fun.value in _OPS
                     else tr.py(fun))
    return f"{tr.runtime('r_sweep')}({', '.join(parts)})"


def r_sweep(x: Any, MARGIN: Any, STATS: Any,  # noqa: N803 - R's names
            FUN: str | Callable[[Any, Any], Any] = "-") -> Any:
    """``sweep(x, MARGIN, STATS, FUN)``: see the module docstring."""
    for v in (x, MARGIN, STATS):
        if isinstance(v, Untranslated):
            return v._use()
    frame = isinstance(x, pd.DataFrame)
    a = x.to_numpy(dtype=float) if frame else np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise AsrError(f"sweep(): x must be a matrix or data frame, not {a.ndim}-dimensional",
                       hint="sweep() of a vector is x - STATS in R's recycling")
    margin = int(np.ravel(np.asarray(MARGIN, dtype=float))[0])
    if margin not in (1, 2):
        raise AsrError(f"sweep(): MARGIN must be 1 (rows) or 2 (columns), not {MARGIN!r}")
    stats = np.ravel(np.asarray(STATS.to_numpy() if isinstance(STATS, pd.Series | pd.DataFrame)
                                else STATS, dtype=float))
    extent = a.shape[margin - 1]
    if stats.size == 0 or extent % stats.size:
        raise AsrError(f"sweep(): STATS has {stats.size} values for {extent} "
                       f"{'rows' if margin == 1 else 'columns'}",
                       hint="R warns \"STATS does not recycle exactly across MARGIN\"")
    stats = np.resize(stats, extent)
    spread = stats[:, None] * np.ones((1, a.shape[1])) if margin == 1 else \
        np.ones((a.shape[0], 1)) * stats[None, :]
    fn = _OPS.get(FUN) if isinstance(FUN, str) else FUN
    if fn is None:
        raise AsrError(f"sweep(): unknown FUN {FUN!r}", hint="give an operator or a function")
    out = np.asarray(fn(a, spread), dtype=float)
    return pd.DataFrame(out, index=x.index, columns=x.columns) if frame else out
