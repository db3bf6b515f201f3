"""Base R's ``mapply(FUN, ..., MoreArgs = NULL, SIMPLIFY = FALSE, USE.NAMES = TRUE)``
(R 4 ``?mapply``): FUN applied to the first elements of each ``...`` argument, then the
second elements, and so on; the arguments are recycled to the longest (any of length zero:
an empty result); ``MoreArgs`` (a list) is passed to every call; with ``USE.NAMES``, the
result takes the names of the first ``...`` argument, or that argument's values when it is
an unnamed character vector. ``SIMPLIFY = FALSE`` keeps the result a list; R's default
``SIMPLIFY = TRUE`` simplifies it as sapply does (rsapply.simplify: a vector, a matrix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asr_py.compat.rlist import RList
from asr_py.translate.checks import Untranslated

__all__ = ["r_mapply"]


def r_mapply(fn: Callable[..., Any], *args: Any, more_args: Any = None,
             use_names: bool = True, simplify: bool = False, **named: Any) -> Any:
    """The list of ``fn(a1[i], a2[i], ..., name=b[i], **more_args)``, i over the longest
    argument (recycled); an RList named as R names it (module docstring)."""
    from asr_py.translate.rbase import r_iter
    from asr_py.translate.rsapply import simplify as simplify2array

    for v in (*args, *named.values(), more_args):
        if isinstance(v, Untranslated):
            return v._use()
    dots = [(None, a) for a in args] + list(named.items())
    seqs = [(k, list(r_iter(a))) for k, a in dots]
    n = 0 if not seqs or any(not s for _, s in seqs) else max(len(s) for _, s in seqs)
    extra = dict(more_args) if more_args else {}
    vals = []
    for i in range(n):
        pos = [s[i % len(s)] for k, s in seqs if k is None]
        kw = {k: s[i % len(s)] for k, s in seqs if k is not None}
        vals.append(fn(*pos, **kw, **extra))
    if use_names and dots:
        first = dots[0][1]
        keys = list(first.keys()) if isinstance(first, dict) else \
            seqs[0][1] if seqs[0][1] and all(isinstance(v, str) for v in seqs[0][1]) else None
        if keys and n == len(keys):
            if simplify:
                return simplify2array(vals, [str(k) for k in keys])
            return RList(zip(keys, vals, strict=True))
    return simplify2array(vals, None) if simplify else vals
