"""R's ``lapply(X, FUN, ...)`` of a named list: the result is a list with X's names (R keeps
``names(X)``), so ``unlist(lapply(L, f))``, ``names(lapply(L, f))`` and
``do.call(rbind, lapply(L, f))`` see them. An unnamed X gives a plain list."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asr_py.compat.rlist import RList
from asr_py.translate.checks import Untranslated

__all__ = ["r_lapply"]


def r_lapply(x: Any, fn: Callable[[Any], Any]) -> Any:
    """``[fn(e) for e in x]`` over what R's lapply visits (rbase.r_iter); an RList keyed by
    x's names when x is a named list (a dict)."""
    from asr_py.translate.rbase import r_iter

    if isinstance(x, Untranslated):
        return x._use()
    vals = [fn(e) for e in r_iter(x)]
    if isinstance(x, dict):
        return RList(zip(x.keys(), vals, strict=True))
    return vals
