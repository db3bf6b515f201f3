"""Base R's ``replace(x, list, values)`` for translated scripts.

R's definition (``?replace``): ``x[list] <- values; x`` - a copy of the vector ``x`` with the
elements ``list`` (positions, a logical mask or names) set to ``values`` (recycled), so
``replace(v, is.na(v), 0)`` puts 0 in place of the missing values. It is
:func:`asr_py.translate.rvector.r_assign`, which returns the changed copy.
"""
from __future__ import annotations

from typing import Any

from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "translate"]

FUNCTIONS = ("replace", "base::replace")


def translate(tr: Any, e: R) -> str | None:
    """``replace(x, list, values)`` (by position or by name); None for other forms."""
    formals = ("x", "list", "values")
    got: dict[str, R] = {}
    free = list(formals)
    for n, a in e.args:
        key = n if n in formals else None
        if n is not None and key is None:
            return None
        if key is None:
            if not free:
                return None
            key = free[0]
        if key in got:
            return None
        got[key] = a
        free.remove(key)
    if free:
        return None
    return (f"{tr.runtime('r_assign')}({tr.py(got['x'])}, {tr.py(got['list'])}, "
            f"{tr.py(got['values'])})")
