"""Formula texts of ``m.update(random="~ . - Env:Name")``: R's ``update.formula`` on text.

``.`` on the right of the new formula stands for the old right-hand side, on the left for
the old response (:func:`asr_py.formula.expand.update_formula`); the result is expanded (R
simplifies the same way) and written back as text: ``update("~ us(Env):Name + Env:Name",
"~ . - Env:Name")`` is ``"~ us(Env):Name"``. A random or residual formula left with no terms
becomes None (no random terms / the default residual).
"""

from __future__ import annotations

from asr_py.errors import FormulaError
from asr_py.formula.ast import Formula
from asr_py.formula.expand import _has_dot, expand, first_dot, update_formula
from asr_py.formula.parser import parse_formula

#: asreml() keyword -> the kind of formula it holds
FORMULA_KINDS = {"fixed": "fixed", "random": "random", "residual": "residual",
                 "rcov": "residual", "sparse": "fixed"}


def has_dot(formula: Formula) -> bool:
    """True when ``formula`` uses ``.`` (outside calls) on either side."""
    return (formula.lhs is not None and _has_dot(formula.lhs)) or _has_dot(formula.rhs)


def update_text(old: str | None, new: str | None, kind: str, *,
                keyword: str | None = None) -> str | None:
    """The text of ``update(old, new)`` for one asreml() formula of ``kind`` ('fixed',
    'random', 'residual'); ``new`` is returned unchanged when it has no ``.``."""
    if new is None:
        return None
    keyword = keyword or kind
    parsed = parse_formula(new)
    if not has_dot(parsed):
        return new
    if old is None:
        dot = first_dot(parsed.lhs, parsed.rhs)
        raise FormulaError(
            f"'.' stands for the previous {keyword} formula, but the fit has none",
            text=new, line=getattr(dot.span, "line", 1) if dot else 1,
            column=getattr(dot.span, "column", 1) if dot else 1, formula=keyword,
            hint=f"write the {keyword} formula in full, without '.'")
    terms = expand(update_formula(parse_formula(old), parsed), kind, text=new)
    if kind == "fixed":
        rhs = " + ".join(str(t) for t in terms.terms)
        if terms.intercept:
            rhs = rhs or "1"
        else:
            rhs = f"{rhs} - 1" if rhs else "-1"
        return f"{terms.response} ~ {rhs}" if terms.response is not None else f"~ {rhs}"
    return "~ " + " + ".join(str(t) for t in terms.terms) if terms.terms else None
