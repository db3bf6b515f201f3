"""R's ``do.call(f, L)`` of a list known only when the script runs: ``f`` called with the
list's elements as its arguments (R 4, ``?do.call``): the elements of an unnamed list
positionally, in order; a named list's elements by name (R names as the translation spells
them: ``min.n`` -> ``min_n``). A function of R's ``...`` (``Matrix::bdiag``) takes them all
positionally. ``do.call(rbind, L)`` / ``cbind`` / ``c`` and ``do.call("f", list(...))`` with
a literal list are translated directly (asreml_rules); this is the rest, for the script's own
functions and the R functions the translation maps to a runtime helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_do_call"]


def r_do_call(func: Callable[..., Any], args: Any, dots: bool = False) -> Any:
    """``do.call(func, args)``: see the module docstring; ``dots``: func takes R's ``...``
    (every element positionally)."""
    if isinstance(args, Untranslated):
        return args._use()
    if isinstance(args, dict):
        if dots or all(isinstance(k, int) for k in args):
            return func(*args.values())
        from asr_py.translate.printer import pyname

        return func(**{pyname(str(k)): v for k, v in args.items()})
    if isinstance(args, list | tuple):
        return func(*args)
    raise AsrError(f"do.call(f, args): args must be a list, not {type(args).__name__}",
                   hint="do.call(f, list(a, b)) calls f(a, b)")
