"""A call of a function the script defines, its arguments bound as R binds them.

R matches named arguments first (exactly, then by a unique prefix), and only then fills the
remaining formals with the positional ones (R Language Definition 4.3.2). Python binds the
positional arguments first. ``f <- function(data, Mod)`` called as ``f(data = df, Mod)``
binds ``Mod`` to ``Mod`` in R, while ``f(Mod, data=df)`` in Python gives "multiple values for
argument 'data'"; ``f(dat = df)`` (a partial name) is R's ``data = df`` and Python's error.
When the two bindings differ, the call is written with every argument by its formal's
name, in the formals' order. A function with ``...`` is left as written (its extra
arguments have no Python keyword).
"""

from __future__ import annotations

from typing import TypeVar

from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["bind_user_call"]

T = TypeVar("T")


def bind_user_call(formals: tuple[str, ...], args: list[tuple[str | None, T]],
                   fname: str = "f") -> list[tuple[str | None, T]] | None:
    """``args`` re-written as ``(formal, value)`` pairs when R's binding differs from
    Python's (module docstring); None to keep the call as written."""
    if "..." in formals or not any(n is not None for n, _ in args):
        return None
    try:
        r_bound = match_args(formals, args, fname)
    except ArgMatchError:
        return None
    # the call as printed: positional arguments first, in order, then the keywords
    positional = [a for n, a in args if n is None]
    if len(positional) > len(formals):
        return None
    py_bound: dict[str, T] = dict(zip(formals, positional))
    for n, a in args:
        if n is not None:
            py_bound.setdefault(n, a)
    if py_bound.keys() == r_bound.keys() and all(py_bound[k] is r_bound[k] for k in r_bound):
        return None
    return [(f, r_bound[f]) for f in formals if f in r_bound]
