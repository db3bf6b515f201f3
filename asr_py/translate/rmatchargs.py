"""R's matching of a call's arguments to a function's formals (R Language Definition,
4.3.2 "Argument matching"), for the translate rules that read an R call:

1. exact: a named argument takes the formal of that name;
2. partial: a remaining named argument takes the one remaining formal it is a prefix of
   (formals after ``...`` match exactly only; a prefix of several formals is an error);
3. positional: unnamed arguments fill the remaining formals in order up to ``...``.

What is left goes to ``...`` (as (name, value) pairs, in call order) when the function has
it, else it is an error (R: "unused argument")."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

__all__ = ["ArgMatchError", "match_args"]

T = TypeVar("T")


class ArgMatchError(ValueError):
    """A call whose arguments R would refuse (unused, repeated or ambiguous); ``unused``:
    the name of an unused named argument."""

    def __init__(self, message: str, unused: str | None = None) -> None:
        super().__init__(message)
        self.unused = unused


def match_args(formals: Sequence[str], args: Sequence[tuple[str | None, T]],
               fname: str = "f") -> dict[str, Any]:
    """The formal -> argument map of a call (module docstring); ``"..."`` maps to the list
    of (name or None, argument) pairs it collects, when ``formals`` has it."""
    dots = "..." in formals
    before = list(formals[:formals.index("...")]) if dots else list(formals)
    got: dict[str, Any] = {}
    rest: list[int] = []                              # argument positions not yet matched
    for k, (n, _) in enumerate(args):
        if n is not None and n != "..." and n in formals:
            if n in got:
                raise ArgMatchError(f"{fname}(): formal argument {n!r} matched by multiple "
                                    "actual arguments")
            got[n] = args[k][1]
        else:
            rest.append(k)
    left: list[int] = []
    for k in rest:
        n = args[k][0]
        if n is None or n == "":
            left.append(k)
            continue
        hits = [f for f in before if f not in got and f.startswith(n)]
        if len(hits) > 1:
            raise ArgMatchError(f"{fname}(): argument {n!r} matches multiple formal arguments "
                                f"({', '.join(hits)})")
        if hits:
            got[hits[0]] = args[k][1]
        else:
            left.append(k)
    free = [f for f in before if f not in got]
    extra: list[tuple[str | None, T]] = []
    for k in left:
        n, a = args[k]
        if n is None and free:
            got[free.pop(0)] = a
        elif dots:
            extra.append((n, a))
        else:
            what = f"{n} = " if n is not None else "a positional argument "
            raise ArgMatchError(f"{fname}(): unused argument ({what}...)", unused=n)
    if dots:
        got["..."] = extra
    return got
