"""The arguments of ``own(f, fun, init, type)`` (asreml-R 4's order, positional or named):
the user's function, looked up by the name written in the call among the keyword arguments
of ``asreml()`` (``asreml(..., banded=banded)``, or ``own={'banded': banded}``), the start
values and the type codes (asr_py.vcov.own)."""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.formula.ast import Call, Expr, Name, String
from asr_py.model.blocks import Context, init_values, literal

__all__ = ["own_arguments"]

_ORDER = ("fun", "init", "type")


def own_arguments(ctx: Context, call: Call) -> tuple[dict[str, Any], np.ndarray]:
    """(constructor options fun, fun_name, init, types; the init values) of an own() call."""
    pos = call.positional()[1:]
    named = call.named()
    if len(pos) > len(_ORDER):
        raise ctx.error(call, "own() takes (f, fun, init, type)")
    args: dict[str, Expr] = dict(zip(_ORDER, pos))
    for k, v in named.items():
        if k in args:
            raise ctx.error(v, f"own(): '{k}' is given twice (by position and by name)")
        args[k] = v
    hint = ("own(f, 'fun', init = c(...), type = c(...)) with fun(order, kappa) returning "
            "[V, dV/dkappa_1, ...], passed as asreml(..., fun=fun)")
    if "fun" not in args:
        raise ctx.error(call, "own() needs the name of the function that builds the matrix",
                        hint)
    fexpr = args["fun"]
    if isinstance(fexpr, String):
        fname = fexpr.value
    elif isinstance(fexpr, Name):
        fname = fexpr.name
    else:
        raise ctx.error(fexpr, "own(): fun must be the function's name", hint)
    table = ctx.matrices.get("own")
    fun = ctx.matrices.get(fname)
    if fun is None and isinstance(table, dict):
        fun = table.get(fname)
    if not callable(fun):
        raise ctx.error(fexpr, f"own(): the function '{fname}' is not given"
                        + ("" if fun is None else f" (got a {type(fun).__name__})"),
                        f"pass it: asreml(..., {fname}={fname}) with {fname}(order, kappa) "
                        "returning [V, dV/dkappa_1, ...]")
    if "init" not in args:
        raise ctx.error(call, "own() needs init: one start value per parameter", hint)
    init = init_values(ctx, args["init"])
    types: Any = None
    if "type" in args:
        raw = literal(ctx, args["type"])
        types = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(t, str) for t in types):
            raise ctx.error(args["type"], "own(): type must be codes such as 'R' or "
                            "c('V', 'R')", hint)
    else:
        raise ctx.error(call, "own() needs type: one code per parameter ('V' variance, "
                        "'R' correlation, 'P' positive correlation, 'C' covariance, "
                        "'L' loading, 'U' unbounded)", hint)
    return {"fun": fun, "fun_name": fname, "init": init, "types": types}, init
