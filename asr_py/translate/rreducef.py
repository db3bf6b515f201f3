"""Base R's ``Reduce(f, x, init, right = FALSE, accumulate = FALSE, simplify = TRUE)``
(R 4 ``?Reduce``): a left fold ``f(f(f(x1, x2), x3), x4)`` over the elements of ``x`` (a
list's items, a vector's elements), starting from ``init`` when given (then
``f(f(init, x1), x2)``); ``right = TRUE`` folds from the right, ``f(x1, f(x2, x3))``.
``accumulate = TRUE`` gives every intermediate value (the first is ``x1`` or ``init``), a
list simplified as sapply does when ``simplify`` (all of length one: a vector). An empty
``x`` without ``init`` is NULL.

Translate time (:func:`translate`): ``f`` is a function written in the script, a function
defined by it, an operator in backquotes (`+`) or a base function by name (``merge``,
``rbind``, ``intersect``...), which becomes a two-argument lambda of its translated call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["r_fold", "translate"]

_FORMALS = ("f", "x", "init", "right", "accumulate", "simplify")
_OPERATORS = frozenset({"+", "-", "*", "/", "^", "&", "|", "%%", "%/%", "%in%", "%*%"})
_NAMED = frozenset({"merge", "rbind", "cbind", "intersect", "union", "setdiff", "paste",
                    "paste0", "sum", "max", "min", "pmax", "pmin", "c", "full_join",
                    "left_join", "inner_join", "right_join", "kronecker", "crossprod"})


def r_fold(f: Callable[[Any, Any], Any], x: Any, init: Any = None, has_init: bool = False,
             right: bool = False, accumulate: bool = False, simplify: bool = True) -> Any:
    """R's Reduce (module docstring)."""
    from asr_py.translate.rbase import r_iter
    from asr_py.translate.rsapply import simplify as simplify2array

    for v in (x, init):
        if isinstance(v, Untranslated):
            return v._use()
    items = [] if x is None else list(r_iter(x))
    if has_init:
        items = [*items, init] if right else [init, *items]
    if not items:
        return [] if accumulate else None
    if right:
        acc = items[-1]
        steps = [acc]
        for v in reversed(items[:-1]):
            acc = f(v, acc)
            steps.append(acc)
        steps.reverse()
    else:
        acc = items[0]
        steps = [acc]
        for v in items[1:]:
            acc = f(acc, v)
            steps.append(acc)
    if not accumulate:
        return acc
    return simplify2array(steps, None) if simplify else steps


def translate(tr: Any, e: R) -> str:
    """``Reduce(...)`` as :func:`r_fold` (module docstring); Untranslatable for another
    ``f``."""
    try:
        got = match_args(_FORMALS, e.args, "Reduce")
    except ArgMatchError as err:
        raise Untranslatable(f"Reduce(): {err}") from None
    if "f" not in got or "x" not in got:
        raise Untranslatable("Reduce() without f or x")
    f = got["f"]
    name = f.value if f.kind in ("name", "str") else None
    a, b = (R("name", v, start=e.start, end=e.start) for v in ("r_a_", "r_b_"))
    if f.kind == "function" or f.kind == "name" and f.value in tr.functions:
        fn = tr.fun_ref(f)
    elif name in _OPERATORS:
        body = R("bin", name, left=a, right=b, start=e.start, end=e.start)
        fn = f"(lambda r_a_, r_b_: {tr.py(body)})"
    elif name in _NAMED:
        body = R("call", name, [(None, a), (None, b)],
                 left=R("name", name, start=e.start, end=e.start), start=e.start, end=e.start)
        fn = f"(lambda r_a_, r_b_: {tr.py(body)})"
    else:
        raise Untranslatable(f"Reduce() of {tr.src(f)}")
    kw = [fn, tr.py(got["x"])]
    if "init" in got:
        kw += [f"init={tr.py(got['init'])}", "has_init=True"]
    kw += [f"{k}={tr.py(got[k])}" for k in ("right", "accumulate", "simplify") if k in got]
    return f"{tr.runtime('r_fold')}({', '.join(kw)})"
