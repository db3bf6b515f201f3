"""R's replacement functions called by name: ``\\`dimnames<-\\`(x, value)`` is a copy of x
with those dimnames (as ``y <- x; dimnames(y) <- value; y``); likewise ``names<-``,
``colnames<-``, ``rownames<-``/``row.names<-`` and ``attr<-``."""
from __future__ import annotations

from typing import Any

from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "translate"]

#: R's replacement function -> the runtime helper of the assignment form
_HELPERS = {"dimnames<-": "r_set_dimnames", "names<-": "set_names",
            "colnames<-": "set_colnames", "rownames<-": "set_rownames",
            "row.names<-": "set_rownames"}
FUNCTIONS = (*_HELPERS, "attr<-")


def translate(tr: Any, e: R) -> str | None:
    """``\\`f<-\\`(x, value)`` (value also by name) as the helper of ``f(x) <- value``;
    None for other forms."""
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    if e.value == "attr<-":
        which = named.get("which", pos[1] if len(pos) > 1 else None)
        value = named.get("value", pos[2] if len(pos) > 2 else None)
        if not pos or which is None or value is None or which.kind != "str":
            return None
        return (f"{tr.runtime('r_set_attr')}({tr.py(pos[0])}, {which.value!r}, "
                f"{tr.py(value)})")
    value = named.get("value", pos[1] if len(pos) > 1 else None)
    if not pos or value is None or set(named) - {"value"}:
        return None
    return f"{tr.runtime(_HELPERS[e.value])}({tr.py(pos[0])}, {tr.py(value)})"
