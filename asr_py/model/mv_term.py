"""asreml 3's ``mv`` term in the fixed (or sparse) formula: dropped, a no-op.

ASReml documents ``mv`` as "a model term with a column for each missing value. Each column
contains zeros except for a solitary -1 in the record containing the corresponding missing
value" (ASReml 3 User Guide, model functions: mv): one fixed effect per record whose
response is missing. Such an effect fits its record exactly, so the REML likelihood, β̂ and
û of the rest equal those of the observed records alone (the REML likelihood of y with a
fixed indicator column per record i is that of y without record i: n − p loses one for
each), which is what asr_py fits with the default ``na_action={'y': 'include'}`` (asreml 4's
``na.method(y = "include")``, whose fitted values of the missing records are their
estimates). A data column named ``mv`` is a column, not this term; ``mv`` in the random
model (a random effect per missing value: another model) stays an error.
"""

from __future__ import annotations

from typing import Any

from asr_py.formula import parse_formula
from asr_py.formula.ast import BinOp, Expr, Name

__all__ = ["MV_NOTE", "drop_mv"]

MV_NOTE = ("asreml 3's missing-value term mv dropped: the fit estimates missing responses "
           "without it (na_action y='include'; the same REML fit, asr_py.model.mv_term)")


def _plus_terms(e: Expr) -> list[Expr]:
    """The terms of a '+' chain, in order (no recursion: a formula may have 1 000 terms)."""
    out, stack = [], [e]
    while stack:
        x = stack.pop()
        if isinstance(x, BinOp) and x.op == "+":
            stack += [x.right, x.left]
        else:
            out.append(x)
    return out


def drop_mv(text: Any, kind: str, data: Any) -> tuple[Any, bool]:
    """(``text`` without a top-level ``mv`` term, whether one was dropped); unchanged when
    the data have a column ``mv`` or the formula has no such term."""
    if not isinstance(text, str) or "mv" not in text:
        return text, False
    if data is not None and "mv" in getattr(data, "columns", ()):
        return text, False
    f = parse_formula(text, kind)
    if f.rhs is None:
        return text, False
    terms = _plus_terms(f.rhs)
    kept = [t for t in terms if not (isinstance(t, Name) and t.name == "mv")]
    if len(kept) == len(terms):
        return text, False
    rhs = " + ".join(str(t) for t in kept)
    if f.lhs is None:
        return (f"~ {rhs}" if kept else None), True
    return f"{f.lhs} ~ {rhs or '1'}", True
