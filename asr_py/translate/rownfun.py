"""The user's R functions an asreml() formula's ``own()`` terms name.

asreml-R 4 (``own(obj, fun, init, type)``) calls the R function named by ``fun`` (a string
or a bare name) with the structure's order and parameters, and finds it in the calling
environment. asr.asreml finds it among its keyword arguments (``asreml(...,
banded=banded)``, asr_py.model.own_call), so the translation passes each script-defined
function an own() term names, under that name.
"""

from __future__ import annotations

from collections.abc import Iterable

from asr_py.translate.parser import R, Untranslatable, parse_expr

__all__ = ["own_function_names"]


def _walk(e: R | None) -> Iterable[R]:
    if e is None:
        return
    yield e
    for _, a in e.args:
        yield from _walk(a)
    yield from _walk(e.left)
    yield from _walk(e.right)
    for b in e.body:
        yield from _walk(b)


def _fun_of(call: R) -> str | None:
    """own()'s ``fun``: named, else the second positional argument (asreml's order)."""
    named = [a for n, a in call.args if n == "fun"]
    pos = [a for n, a in call.args if n is None]
    a = named[0] if named else pos[1] if len(pos) > 1 else None
    return a.value if a is not None and a.kind in ("str", "name") else None


def own_function_names(texts: Iterable[str]) -> list[str]:
    """The function names of the own() terms in formula texts, first seen first."""
    out: list[str] = []
    for t in texts:
        if "own" not in t:
            continue
        try:
            tree = parse_expr(t)
        except Untranslatable:
            continue
        for node in _walk(tree):
            if node.kind == "call" and node.value == "own":
                f = _fun_of(node)
                if f and f not in out:
                    out.append(f)
    return out
