"""Formula texts of ``m.update(random="~ . - Env:Name")``: R's ``update.formula`` on text.

``.`` on the right of the new formula stands for the old right-hand side, on the left for
the old response (:func:`asr_py.formula.expand.update_formula`); the result is expanded (R
simplifies the same way) and written back as text: ``update("~ us(Env):Name + Env:Name",
"~ . - Env:Name")`` is ``"~ us(Env):Name"``. A random or residual formula left with no terms
becomes None (no random terms / the default residual).

A fixed formula's terms are written as R's ``update.formula`` writes them (it returns
``formula(terms.formula(tmp, simplify = TRUE))``): the parts of each term in the order their
variables first appear in the updated formula (old right-hand side, then the terms taken away
and added). ``update(y ~ A + at(A, "a"):x, ~ . + G:at(A, 2):x)`` gives the term
``G:x:at(A, 2)``, whose Wald row asreml names ``G:x:at(A, 'a')`` (asremlPlus's
test42Selection.r:251 after changeTerms(addFixed = ...)). Random and residual terms keep the
parts in the order written (their order is that of the direct product, :mod:`expand`).
"""

from __future__ import annotations

from asr_py.errors import FormulaError
from asr_py.formula.ast import BinOp, Expr, Formula, Paren, Term, UnaryOp
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
    updated = update_formula(parse_formula(old), parsed)
    terms = expand(updated, kind, text=new)
    if kind == "fixed":
        order = variable_order(updated.rhs)
        rhs = " + ".join(str(r_term_order(t, order)) for t in terms.terms)
        if terms.intercept:
            rhs = rhs or "1"
        else:
            rhs = f"{rhs} - 1" if rhs else "-1"
        return f"{terms.response} ~ {rhs}" if terms.response is not None else f"~ {rhs}"
    return "~ " + " + ".join(str(t) for t in terms.terms) if terms.terms else None


def variable_order(rhs: Expr) -> dict[str, int]:
    """Each variable of a formula's right-hand side (an operand of the formula operators:
    a name or a call) -> its place of first appearance, left to right (R's
    ``all.vars``-like order of ``terms.formula``'s factors attribute); iterative."""
    order: dict[str, int] = {}
    stack: list[Expr] = [rhs]
    while stack:
        x = stack.pop()
        if isinstance(x, BinOp) and x.op in ("+", "-", ":", "*", "/", "%in%"):
            stack.extend((x.right, x.left))
        elif isinstance(x, BinOp) and x.op == "^":
            stack.append(x.left)
        elif isinstance(x, UnaryOp):
            stack.append(x.operand)
        elif isinstance(x, Paren):
            stack.append(x.expr)
        else:
            order.setdefault(str(x), len(order))
    return order


def r_term_order(term: Term, order: dict[str, int]) -> Term:
    """``term`` with its parts in R's order: by the first appearance of each part's variable
    (``order``, :func:`variable_order`); parts not found keep their place after the others."""
    key = {id(p): order.get(str(p), len(order) + i) for i, p in enumerate(term.parts)}
    return Term(tuple(sorted(term.parts, key=lambda p: key[id(p)])), span=term.span)
