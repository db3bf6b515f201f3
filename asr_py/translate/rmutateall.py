"""dplyr's superseded ``mutate_all(.tbl, .funs)``: ``mutate(.tbl, across(everything(),
.funs))`` (dplyr's ``?mutate_all``: "mutate_all() ... can be replaced by ... across()"),
translated as that call is (a function name or a purrr lambda applied to every column)."""
from __future__ import annotations

from typing import Any

from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "translate"]

FUNCTIONS = ("mutate_all", "dplyr::mutate_all")


def translate(tr: Any, e: R) -> str | None:
    """``mutate_all(d, f)`` (``.tbl =``, ``.funs =`` by name too); None for other forms
    (``funs()``, extra arguments to the function)."""
    got: dict[str, R] = {}
    free = [".tbl", ".funs"]
    for n, a in e.args:
        key = n if n in (".tbl", ".funs") else None
        if n is not None and key is None or key is None and not free:
            return None
        key = key or free[0]
        if key in got:
            return None
        got[key] = a
        free.remove(key)
    if free or got[".funs"].kind == "call" and got[".funs"].value in ("funs", "list"):
        return None
    across = R("call", "across", [(None, R("call", "everything", [])), (None, got[".funs"])])
    return tr.py(R("call", "mutate", [(None, got[".tbl"]), (None, across)], left=e.left,
                   start=e.start, end=e.end))
