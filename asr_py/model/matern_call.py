"""The arguments of ``mtrn(x, y, phi, nu, delta, alpha, lambda)`` (asreml-R 4): a number is a
start value (the parameter estimated), a string ``"1.5F"`` a fixed value, an absent
argument its default held fixed (φ: always estimated, NA = the automatic start).
asr_py.vcov.matern takes ν estimated or fixed, λ = 1 or 2, and δ, α at their defaults."""

from __future__ import annotations

import re
from typing import Any

from asr_py.formula.ast import Call, Expr
from asr_py.model.blocks import Context, literal

__all__ = ["matern_arguments"]

_DEFAULTS = {"phi": None, "nu": 0.5, "delta": 1.0, "alpha": 0.0, "lambda": 2.0}


def _value(ctx: Context, e: Expr, what: str) -> tuple[float | None, bool]:
    """(value, fixed) of one argument: 1.5 -> (1.5, False); "1.5F" -> (1.5, True); NA ->
    (None, False)."""
    v = literal(ctx, e)
    if v is None or (isinstance(v, float) and v != v):
        return None, False
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v), False
    if isinstance(v, str):
        m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([PUFpuf]?)\s*", v)
        if m:
            return float(m.group(1)), m.group(2).upper() == "F"
    raise ctx.error(e, f"mtrn(): {what} must be a number or a string such as \"1.5F\" "
                    "(F: fixed)", "e.g. mtrn(x, y, phi = 2, nu = \"1.5F\")")


def matern_arguments(ctx: Context, call: Call) -> dict[str, Any]:
    """The options of asr_py.vcov.matern.Matern for ``call``."""
    named = call.named()
    opts: dict[str, Any] = {}
    if "phi" in named:
        phi, _ = _value(ctx, named["phi"], "phi")
        if phi is not None and not phi > 0:
            raise ctx.error(named["phi"], "mtrn(): phi (the range) must be positive")
        opts["phi"] = phi
    if "nu" in named:
        nu, fixed = _value(ctx, named["nu"], "nu")
        if nu is None or not nu > 0:
            raise ctx.error(named["nu"], "mtrn(): nu (the smoothness) must be positive")
        opts["nu"], opts["nu_fixed"] = nu, fixed
    if "lambda" in named:
        lam, _ = _value(ctx, named["lambda"], "lambda")
        if lam not in (1.0, 2.0):
            raise ctx.error(named["lambda"], "mtrn(): lambda is the metric: 2 (euclidean) or "
                            "1 (city block)")
        opts["lam"] = lam
    for k in ("delta", "alpha"):
        if k in named:
            v, _ = _value(ctx, named[k], k)
            if v is not None and v != _DEFAULTS[k]:
                raise ctx.error(named[k], f"mtrn(): geometric anisotropy ({k} = {v:g}) is not "
                                "available in asr_py", f"leave {k} at its default "
                                f"({_DEFAULTS[k]:g}); aexp(x, y) fits a decay per axis")
    return opts
