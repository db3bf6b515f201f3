"""Base R's ``replace(x, list, values)`` for translated scripts.

R's definition (``?replace``): ``x[list] <- values; x`` - a copy of the vector ``x`` with the
elements ``list`` (positions, a logical mask or names) set to ``values`` (recycled), so
``replace(v, is.na(v), 0)`` puts 0 in place of the missing values. It is
:func:`asr_py.translate.rvector.r_assign`, which returns the changed copy.
"""
from __future__ import annotations

from typing import Any

from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "translate"]

FUNCTIONS = ("replace", "base::replace")


def translate(tr: Any, e: R) -> str | None:
    """``replace(x, list, values)`` (by position or by name); None for other forms."""
    try:                                # R's exact, partial, positional (rmatchargs)
        got: dict[str, R] = match_args(("x", "list", "values"), e.args, "replace")
    except ArgMatchError:
        return None
    if len(got) < 3 or any(a.kind == "empty" for a in got.values()):
        return None
    return (f"{tr.runtime('r_assign')}({tr.py(got['x'])}, {tr.py(got['list'])}, "
            f"{tr.py(got['values'])})")
