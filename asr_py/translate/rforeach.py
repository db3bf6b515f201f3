"""foreach's ``foreach(v = x, .combine = f) %do% { body }`` (``%dopar%`` too, run serially)
and nested ``foreach(a = x) %:% foreach(b = y) %dopar% { body }``.

Each iteration evaluates the body with the loop variables bound, in its own scope (as
foreach's per-iteration environment: assignments inside do not leak out); the body's last
value (or its ``return()``) is the iteration's result. The results of one level are
combined by its ``.combine`` (``rbind``/``cbind`` as ``do.call``, ``c``, ``+``, ``*``, or a
function), or kept as a list without one; the inner level's combined value is the outer
level's result per iteration. The iterables of an inner level may use the outer variables.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable

__all__ = ["r_foreach", "translate"]

#: arguments of foreach() that do not change a serial run's values
_IGNORED = frozenset({".packages", ".export", ".noexport", ".inorder", ".verbose",
                      ".multicombine", ".maxcombine", ".errorhandling", ".options.snow",
                      ".options.multicore", ".options.mpi", ".options.redis"})


def _levels(e: R) -> list[R]:
    """The foreach() calls of ``a %:% b %:% ...`` in order (outermost first)."""
    if e.kind == "bin" and e.value == "%:%" and e.left is not None and e.right is not None:
        return _levels(e.left) + _levels(e.right)
    if e.kind == "call" and e.value == "foreach":
        return [e]
    raise Untranslatable(f"{e.kind} {e.value} as a foreach() iterator")


def translate(tr: Any, e: R) -> str:
    """The Python of ``<foreach() [%:% foreach()]> %do%/%dopar% body``."""
    assert e.left is not None and e.right is not None
    levels, seen, specs = _levels(e.left), [], []
    for call in levels:
        loop = [(n, a) for n, a in call.args if n is not None and not n.startswith(".")]
        bad = [n for n, _ in call.args if n is None or n.startswith(".") and
               n not in _IGNORED and n != ".combine"]
        if len(loop) != 1 or bad:
            raise Untranslatable("foreach() with other than one loop variable "
                                 f"({', '.join(str(b) for b in bad) or 'several'})")
        var, it = loop[0]
        comb = next((a for n, a in call.args if n == ".combine"), None)
        fn = R("function", args=[(v, R("empty")) for v in seen], right=it)
        combine = "None" if comb is None else repr(comb.value) if comb.kind in (
            "name", "str") and comb.value in ("rbind", "cbind", "c", "+", "*", "list") \
            else tr.py(comb)
        specs.append(f"({var!r}, {tr.py(fn)}, {combine})")
        seen.append(var)
    body = R("function", args=[(v, R("empty")) for v in seen], right=e.right)
    return f"{tr.runtime('r_foreach')}([{', '.join(specs)}], {tr.py(body)})"


def _combine(results: list[Any], how: Any) -> Any:
    if how is None or how == "list":
        return results
    if how in ("rbind", "cbind"):
        from asr_py.translate.rbase import r_bind_all
        return r_bind_all(how, results) if results else None
    if how == "c":
        from asr_py.translate.runtime import r_c
        return r_c(*results)
    if not results:
        return None
    if how in ("+", "*"):
        from asr_py.translate.rmatrix import r_arith
        return functools.reduce(lambda a, b: r_arith(a, how, b), results)
    if callable(how):
        return functools.reduce(how, results)
    raise AsrError(f"foreach(.combine = {how!r}): not a function",
                   hint="give .combine a function (rbind, c, '+', ...)")


def r_foreach(levels: list[tuple[str, Callable[..., Any], Any]],
              body: Callable[..., Any]) -> Any:
    """Run ``foreach(...) %do% body`` serially: ``levels`` are (variable, its iterable as a
    function of the outer variables, .combine) outermost first."""
    def run(k: int, env: dict[str, Any]) -> Any:
        var, it, how = levels[k]
        seq = it(**env)
        if isinstance(seq, Untranslated):
            return seq._use()
        if isinstance(seq, dict):
            seq = list(seq.values())
        out = []
        for v in (seq.tolist() if hasattr(seq, "tolist") else seq):
            inner = {**env, var: v}
            out.append(body(**inner) if k == len(levels) - 1 else run(k + 1, inner))
        return _combine(out, how)
    return run(0, {})

