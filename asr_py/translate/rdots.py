"""R's argument matching for ``lapply``/``sapply``/``vapply``: which arguments are ``X`` and
``FUN``, and which go on through ``...`` to ``FUN``.

``lapply(X, FUN, ...)``, ``sapply(X, FUN, ..., simplify, USE.NAMES)`` and ``vapply(X, FUN,
FUN.VALUE, ..., USE.NAMES)``: named arguments are matched first; the positional ones then fill
the formals before ``...`` in order, and every positional argument left over is passed on to
``FUN`` after the element, in order (``lapply(1:n, function(el, C, s) ..., C, s)`` calls
``FUN(el, C, s)``). Named arguments that are not formals go to ``FUN`` by name.
"""

from __future__ import annotations

from typing import Any

__all__ = ["APPLY_FORMALS", "apply_parts"]

#: the formals before ``...`` and the named ones after it
APPLY_FORMALS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lapply": (("X", "FUN"), ()),
    "sapply": (("X", "FUN"), ("simplify", "USE.NAMES")),
    "vapply": (("X", "FUN", "FUN.VALUE"), ("USE.NAMES",)),
}


def apply_parts(f: str, args: list[tuple[str | None, Any]]
                ) -> tuple[Any, Any, list[Any], list[tuple[str, Any]]] | None:
    """``(X, FUN, positional extras, named extras)`` of a call to ``f`` (one of
    :data:`APPLY_FORMALS`); None when ``X`` or ``FUN`` is missing."""
    before, after = APPLY_FORMALS[f]
    got: dict[str, Any] = {n: a for n, a in args if n in before or n in after}
    pos = [a for n, a in args if n is None and a.kind != "empty"]
    free = [n for n in before if n not in got]
    for name, a in zip(free, pos):
        got[name] = a
    extra_pos = pos[len(free):]
    extra_named = [(n, a) for n, a in args
                   if n is not None and n not in before and n not in after]
    if "X" not in got or "FUN" not in got:
        return None
    return got["X"], got["FUN"], extra_pos, extra_named


def index_fun(fun: Any) -> str | None:
    """The runtime helper for ``"["``/``"[["`` passed as ``FUN`` (``sapply(parts, "[", 1)``:
    each element indexed by the extra argument), or None."""
    if fun.kind in ("str", "name") and fun.value in ("[", "[["):
        return "r_sub" if fun.value == "[" else "r_get2"
    return None
