"""purrr's ``possibly(f, otherwise)`` and ``safely(f, otherwise)``: ``g <- possibly(f, v)``
makes ``g(...)`` run ``f(...)`` and give ``v`` when it fails (safely: ``list(result =,
error =)``). A call ``g(args)`` translates as ``f(args)`` would (read.csv's arguments and
all) run inside :func:`r_possibly_call`; ``g`` passed by name is :func:`r_possibly`'s
wrapper of ``f``'s Python function.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asr_py.errors import AsrError
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "call", "note", "r_possibly", "r_possibly_call", "translate"]

FUNCTIONS = ("possibly", "safely")


def _parts(e: R) -> tuple[R, R | None] | None:
    """(f, otherwise) of ``possibly(f, otherwise)`` (``.f =``/``otherwise =`` too)."""
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    f = named.get(".f") or (pos.pop(0) if pos else None)
    other = named.get("otherwise") or (pos.pop(0) if pos else None)
    if f is None or f.kind != "name" or set(named) - {".f", "otherwise", "quiet"}:
        return None
    return f, other


def _otherwise(tr: Any, e: R, other: R | None) -> str:
    if other is None and e.value == "possibly":
        raise AsrError("possibly(): no otherwise value", hint="purrr requires otherwise =")
    return "None" if other is None else tr.py(other)


def translate(tr: Any, e: R) -> str | None:
    """``possibly(f, v)`` as a value: a Python callable (f must be a function Python knows
    by name: one the script defines, a base summary); None for other forms."""
    parts = _parts(e)
    if parts is None:
        return None
    f, other = parts
    try:
        fn = tr.fun_ref(f)
    except Exception:   # noqa: BLE001 - an R function with no Python equivalent by name
        fn = "None"
    safely = ", safely=True" if e.value == "safely" else ""
    return (f"{tr.runtime('r_possibly')}({fn}, {_otherwise(tr, e, other)}, "
            f"{f.value!r}{safely})")


def note(tr: Any, name: str, r: R) -> None:
    """Record ``name <- possibly(f, v)`` so calls of ``name`` translate as ``f``'s; forget
    ``name`` when it is given any other value."""
    wrapped: dict[str, tuple[R, R]] = tr.__dict__.setdefault("possibly_wrapped", {})
    wrapped.pop(name, None)
    if r.kind == "call" and r.value in FUNCTIONS and name not in tr.functions:
        parts = _parts(r)
        if parts is not None:
            wrapped[name] = (parts[0], r)


def call(tr: Any, e: R) -> str | None:
    """``g(args)`` of ``g <- possibly(f, v)``: ``f(args)`` translated, run by
    :func:`r_possibly_call`; None when ``g`` is no such wrapper."""
    got = tr.__dict__.get("possibly_wrapped", {}).get(e.value)
    if got is None or e.value in tr.functions:
        return None
    f, wrap = got
    inner = tr.py(R("call", f.value, e.args, start=e.start, end=e.end,
                    comments=f.comments))
    other = _otherwise(tr, wrap, _parts(wrap)[1])    # type: ignore[index]
    safely = ", safely=True" if wrap.value == "safely" else ""
    return f"{tr.runtime('r_possibly_call')}(lambda: {inner}, {other}{safely})"


def r_possibly_call(thunk: Callable[[], Any], otherwise: Any, safely: bool = False) -> Any:
    """The value of ``thunk()``, or ``otherwise`` when it raises (purrr's possibly());
    ``safely``: ``{'result': value or otherwise, 'error': None or the error}``."""
    try:
        value = thunk()
    except Exception as err:    # noqa: BLE001 - purrr catches every error
        return {"result": otherwise, "error": err} if safely else otherwise
    return {"result": value, "error": None} if safely else value


def r_possibly(fn: Callable[..., Any] | None, otherwise: Any, name: str = "f",
               safely: bool = False) -> Callable[..., Any]:
    """purrr's ``possibly(fn, otherwise)`` as a Python function (``safely`` as purrr's
    safely())."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if fn is None:
            raise AsrError(f"possibly({name}): {name} has no Python equivalent passed by name",
                           hint=f"call the wrapper directly, as name(...), so that {name}'s "
                                "call is translated")
        return r_possibly_call(lambda: fn(*args, **kwargs), otherwise, safely)
    return wrapper
