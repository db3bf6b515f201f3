"""Boundary codes written on a structure's start values: ``ar1(Row, init = c(F = 0.5))``,
``us(trait, init = c(U = 1, U = 0.1, P = 1))``.

asreml-R 4 reads the names of ``init`` as each parameter's constraint: P (positive), U
(unconstrained) or F (fixed at the start value) (VSNi's knowledge base, e.g. "matern":
"init: an optional vector of initial values ..., with an optional names attribute from the
set {P, U, F}"). An unnamed value keeps the default constraint. Without this reading a
``c(F = 0.5)`` would only start the parameter at 0.5 and estimate it: a silently different
model.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.formula.ast import Call, Expr, Name, Paren

__all__ = ["CODES", "init_codes", "term_codes"]

#: asreml's constraint codes a name of init may carry
CODES = ("P", "U", "F")


def init_codes(ctx: Any, e: Expr) -> list[str] | None:
    """The constraint codes of ``init = c(F = 0.5, 0.1)`` ('' where a value has no name),
    or None when no value is named. An unknown name is a caret error."""
    while isinstance(e, Paren):
        e = e.expr
    if isinstance(e, Name) and e.name in getattr(ctx, "matrices", {}):
        return _vector_codes(ctx, e, ctx.matrices[e.name])
    if not (isinstance(e, Call) and e.func == "c"):
        return None
    names = [a.name for a in e.args]
    if not any(names):
        return None
    for a in e.args:
        if a.name is not None and a.name.upper() not in CODES:
            raise ctx.error(a, f"init: '{a.name}' is not a constraint code",
                            "name a start value P (positive), U (unconstrained) or F "
                            "(fixed), e.g. init = c(F = 0.5)")
    return ["" if n is None else n.upper() for n in names]


def _vector_codes(ctx: Any, e: Expr, v: Any) -> list[str] | None:
    """The codes of a named vector given by name (``names(v) <- c("F", "P", "P")``: a
    pandas Series whose index holds them); None when it has no names."""
    if not isinstance(v, pd.Series) or isinstance(v.index, pd.RangeIndex):
        return None
    names = ["" if n is None or (isinstance(n, float) and n != n) else str(n)
             for n in v.index]
    bad = [n for n in names if n and n.upper() not in CODES]
    if bad:
        raise ctx.error(e, f"init: '{bad[0]}' (a name of {e}) is not a constraint code",
                        "name the start values P (positive), U (unconstrained) or F "
                        "(fixed): names(v) <- c(\"F\", \"P\")")
    return [n.upper() for n in names] if any(names) else None


def term_codes(blocks: list[Any], scale: bool, n_params: int) -> list[str] | None:
    """The codes of a term's parameters from its blocks' (``Block.extra['init_codes']``), in
    the layout of its start values (the term's scale first when it has one); None when no
    block has codes. ValueError when the layout does not match ``n_params``."""
    if not any(b.extra.get("init_codes") for b in blocks):
        return None
    out = [""] if scale else []
    for b in blocks:
        if b.template is not None:
            out += b.extra.get("init_codes") or [""] * b.template.n_params
    if len(out) != n_params:
        raise ValueError(f"{len(out)} init codes for {n_params} parameters")
    return out
