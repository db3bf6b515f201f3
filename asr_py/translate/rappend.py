"""Base R's ``append(x, values, after = length(x))`` for translated scripts.

R's definition: ``after`` 0 gives ``c(values, x)``; ``after >= length(x)`` gives
``c(x, values)``; otherwise ``c(x[1:after], values, x[(after + 1):length(x)])``. The
pieces are concatenated as :func:`asr_py.translate.runtime.r_c` does ``c()`` (vectors
flattened, ``NULL`` dropped), so ``v <- c(); v <- append(v, k)`` grows a vector.
"""
from __future__ import annotations

from typing import Any

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["r_append", "translate"]


def r_append(x: Any, values: Any, after: Any = None) -> Any:
    """``append(x, values, after)`` (see the module docstring)."""
    from asr_py.translate.runtime import r_c

    for v in (x, values, after):
        if isinstance(v, Untranslated):
            return v._use()
    xs = r_c(x)
    if after is None:
        return r_c(xs, values)
    try:
        k = int(after)
    except (TypeError, ValueError):
        raise AsrError(f"append(): after = {after!r} is not a number",
                       hint="after is a position: append(x, v, after = 2)") from None
    if k < 0:
        raise AsrError(f"append(): after = {k} is negative",
                       hint="after = 0 puts the values first")
    if k == 0:
        return r_c(values, xs)
    if k >= len(xs):
        return r_c(xs, values)
    return r_c(xs[:k], values, xs[k:])


def translate(tr: Any, e: R) -> str | None:
    """``append(x, values)`` / ``append(x, values, after = k)``; None for other forms."""
    try:                                # R's exact, partial, positional (rmatchargs)
        got: dict[str, R] = match_args(("x", "values", "after"), e.args, "append")
    except ArgMatchError:
        return None
    if "x" not in got or "values" not in got:
        return None
    parts = [tr.py(got["x"]), tr.py(got["values"])]
    if "after" in got:
        parts.append(f"after={tr.py(got['after'])}")
    return f"{tr.runtime('r_append')}({', '.join(parts)})"
