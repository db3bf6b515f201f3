"""R's complex assignment through a temporary (R Language Definition 3.4.4, "Subset
assignment"): ``f(g(x), a) <- v`` is evaluated as ::

    `*tmp*` <- g(x)
    `*tmp*` <- `f<-`(`*tmp*`, a, value = v)
    x <- `g<-`(x, value = `*tmp*`)

so a replacement whose object is itself a replacement (``rownames(f)[n] <- "res"``,
``dimnames(v)[[2]] <- cn``, ``d[rows, ]$a <- v``) is three simpler assignments, each
translated on its own. Nothing is rewritten when the object is a plain name (the outer
replacement is then the one not translated) or when a part is not translated (the
statement stays a TODO).
"""
from __future__ import annotations

import dataclasses

from asr_py.translate.parser import R

__all__ = ["via_temporary"]


def _object_of(target: R) -> tuple[R, R] | None:
    """The object ``target`` replaces a part of, and ``target`` with that object taken out
    (a placeholder name to fill in); None for a target that is not a replacement."""
    if target.kind in ("index", "dollar") and target.left is not None:
        return target.left, target
    if target.kind == "call" and target.args and target.args[0][0] in (None, "x"):
        return target.args[0][1], target
    return None


def _with_object(target: R, obj: R) -> R:
    if target.kind in ("index", "dollar"):
        return dataclasses.replace(target, left=obj)
    name, _ = target.args[0]
    return dataclasses.replace(target, args=[(name, obj), *target.args[1:]])


def via_temporary(target: R, value: R, tmp: str) -> list[R] | None:
    """``target <- value`` as R evaluates it when the object of ``target`` is itself a
    replacement: ``tmp <- obj``, ``target[obj := tmp] <- value``, ``obj <- tmp``; None when
    the object is a plain name (or ``target`` no replacement)."""
    got = _object_of(target)
    if got is None:
        return None
    obj, _ = got
    if obj.kind in ("name", "str") or obj.kind == "call" and obj.value in ("get", "eval"):
        return None
    name = R("name", tmp, start=target.start, end=target.end)

    def assign(left: R, right: R) -> R:
        return R("bin", "<-", left=left, right=right, start=target.start, end=target.end)

    return [assign(name, obj), assign(_with_object(target, name), value), assign(obj, name)]
