"""Translation of calls to other R functions scripts use around their fits: base R's
``svd()``, ``det()``, ``determinant()``, ``expand.grid()``; stats' ``optim()``,
``optimize()``, ``nlminb()``; optimx's ``optimr()``; tidyr's ``expand_grid()`` and
``crossing()`` (runtime: rsvd.py, roptim.py, rexpand.py).

Arguments are matched as R matches them: named ones to their formals, unnamed ones to the
formals before ``...`` in order; what is left is R's ``...`` - passed on by name to the
objective function for the optimisers (``optim(par, fn, y = y, X = X)``), the vectors to
combine for the grids. ``diag(x) <- v`` (R's ``diag<-``) sets a matrix's diagonal.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.printer import pyname

if TYPE_CHECKING:
    from asr_py.translate.printer import BasePrinter

__all__ = ["CALLS", "set_diag", "translate_call"]

#: R function -> (runtime helper, formals in R's order with "..." where R has it,
#: packages it may be called from)
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "svd": ("r_svd", ("x", "nu", "nv"), ("base",)),
    "det": ("r_det", ("x",), ("base",)),
    "drop": ("r_drop", ("x",), ("base",)),
    "determinant": ("r_determinant", ("x", "logarithm"), ("base",)),
    "optim": ("r_optim", ("par", "fn", "gr", "...", "method", "lower", "upper", "control",
                          "hessian"), ("stats",)),
    "optimize": ("r_optimize", ("f", "interval", "...", "lower", "upper", "maximum", "tol"),
                 ("stats",)),
    "optimise": ("r_optimize", ("f", "interval", "...", "lower", "upper", "maximum", "tol"),
                 ("stats",)),
    "nlminb": ("r_nlminb", ("start", "objective", "gradient", "hessian", "...", "scale",
                            "control", "lower", "upper"), ("stats",)),
    "optimr": ("r_optimr", ("par", "fn", "gr", "hess", "lower", "upper", "method", "hessian",
                            "control", "..."), ("optimx",)),
    "expand.grid": ("r_expand_grid", ("...", "KEEP.OUT.ATTRS", "stringsAsFactors"),
                    ("base",)),
    "expand_grid": ("r_tidyr_expand_grid", ("...", ".name_repair"), ("tidyr",)),
    "crossing": ("r_crossing", ("...", ".name_repair"), ("tidyr",)),
}

#: helpers whose ``...`` are the grid's columns (kept as an ordered mapping)
_GRIDS = frozenset({"r_expand_grid", "r_tidyr_expand_grid", "r_crossing"})


def translate_call(tr: BasePrinter, f: str, e: R, args: list[tuple[str | None, R]]
                   ) -> str | None:
    """The Python call for ``f(args)``, or None when the call is another package's
    function of the same name."""
    pkg = e.left.comments[0] if e.left is not None and e.left.kind == "name" and \
        e.left.comments else ""
    fn, formals, pkgs = CALLS[f]
    if pkg and pkg not in pkgs:
        return None
    before = formals[: formals.index("...")] if "..." in formals else formals
    given: dict[str, R] = {}
    dots: list[tuple[str | None, R]] = []
    for n, a in args:
        if a.kind == "empty":
            continue
        if n is not None and n in formals:
            given[n] = a
        elif n is not None:
            if "..." not in formals:
                raise Untranslatable(f"{f}(..., {n} = ): argument not supported")
            dots.append((n, a))
    free = [k for k in before if k not in given]
    for n, a in args:
        if n is None and a.kind != "empty":
            if a.kind == "name" and a.value == "...":
                raise Untranslatable(f"{f}(...): passing on the caller's ...")
            if free:
                given[free.pop(0)] = a
            elif "..." in formals:
                dots.append((None, a))
            else:
                raise Untranslatable(f"{f}(): more arguments than {f}() takes")
    parts = [f"{k.lstrip('.').replace('.', '_')}={tr.py(given[k])}"
             for k in formals if k in given]
    if fn in _GRIDS:
        cols = [f"({n!r}, {tr.py(a)})" if n is not None else f"(None, {tr.py(a)})"
                for n, a in dots]
        parts.insert(0, f"[{', '.join(cols)}]")
    else:
        if any(n is None for n, _ in dots):
            raise Untranslatable(f"{f}(): an unnamed argument for the function's ...")
        parts += [f"{pyname(n)}={tr.py(a)}" if pyname(n).isidentifier() else
                  f"**{{{pyname(n)!r}: {tr.py(a)}}}" for n, a in dots if n is not None]
    tr.uses_np = True
    return f"{tr.runtime(fn)}({', '.join(parts)})"


def set_diag(tr: BasePrinter, target: R, rhs: str) -> str:
    """``diag(x) <- v``: ``x = r_set_diag(x, v)`` (stored back into a part of a list or
    data frame when x is one)."""
    name, inner = target.args[0]
    if name not in (None, "x"):
        raise Untranslatable(f"diag({name} = ) <- ...")
    new = f"{tr.runtime('r_set_diag')}({tr.py(inner)}, {rhs})"
    if inner.kind in ("name", "str"):
        return f"{tr.py(inner)} = {new}"
    return tr.assign_into(inner, new)  # type: ignore[attr-defined, no-any-return]
