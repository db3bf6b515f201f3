"""R's term algebra: a formula's right-hand side -> the list of model terms.

A term is a set of *parts* (variables, calls such as ``us(trait)`` or ``vm(id, K)``) joined by
``:``. With ``A``, ``B`` term lists and ``A:B = {a ∪ b : a ∈ A, b ∈ B}``:

* ``A + B`` = A ∪ B;  ``A - B`` = A \\ B;  ``-A`` removes A's terms
* ``A:B`` as above; ``A*B`` = A + B + A:B
* ``A/B`` = A + (∪A):B (every term of B nested in all of A's parts: ``a/(b+c)`` = a + a:b + a:c)
* ``A %in% B`` = A:(∪B)
* ``A^n`` = A + A:A + ... (n factors), interactions up to order n
* ``1``/``0``: ``+1``/``-0`` set the intercept, ``+0``/``-1`` drop it; the last one written wins
  (fixed formulas only; random/residual/sparse term lists never carry an intercept).

Duplicates (same :meth:`Term.key`, e.g. ``a:b`` and ``b:a``) are dropped, the first occurrence
wins. Terms are then ordered as R's ``terms.formula`` does (``keep.order = FALSE``): by order of
interaction (number of parts), ties in order of appearance. One difference from R, on purpose:
R sorts the parts inside a term by the variables' first appearance in the formula; here parts
stay in the order written, because in ASReml ``us(trait):vm(id, K)`` means Σ ⊗ K and the order
of a direct product matters.

Calls are atoms: arguments, and formulas inside ``str()``/``dsum()``, are left as written (the
compiler expands those itself). ``x | g`` (dsum's conditioning), comparisons and ``.`` are
atoms too, as in R. Everything here is iterative (no recursion limit on long formulas).
"""

from __future__ import annotations

from asr_py.errors import FormulaError
from asr_py.formula.ast import (
    BinOp,
    Call,
    Dot,
    Expr,
    Formula,
    Name,
    Node,
    Number,
    Paren,
    Term,
    TermList,
    UnaryOp,
)

__all__ = ["expand", "update_formula"]

_KINDS = ("fixed", "random", "residual", "sparse", "rcov")
_ALGEBRA = ("+", "-", ":", "*", "/", "%in%", "^")
_Parts = tuple[Expr, ...]


def _err(msg: str, node: Node | None, kind: str, text: str,
         hint: str | None = None) -> FormulaError:
    sp = node.span if node is not None else None
    line, col = (sp.line, sp.column) if sp is not None else (1, 1)
    width = 1
    if sp is not None and text and "\n" not in text[sp.start : sp.end]:
        width = max(1, sp.end - sp.start)
    return FormulaError(msg, text=text, line=line, column=col, formula=kind, hint=hint,
                        width=width)


class _Acc:
    """An ordered list of terms without duplicates (keyed by the parts' printed text)."""

    __slots__ = ("terms", "keys")

    def __init__(self, terms: list[tuple[_Parts, frozenset[str]]] | None = None) -> None:
        self.terms: list[tuple[_Parts, frozenset[str]]] = []
        self.keys: set[frozenset[str]] = set()
        for t in terms or ():
            self.add(t)

    def add(self, t: tuple[_Parts, frozenset[str]]) -> None:
        if t[1] not in self.keys:
            self.keys.add(t[1])
            self.terms.append(t)

    def extend(self, other: _Acc) -> _Acc:
        for t in other.terms:
            self.add(t)
        return self


def _merge(a: tuple[_Parts, frozenset[str]], b: tuple[_Parts, frozenset[str]]):
    """Interaction of two terms: a's parts then b's parts not already in a."""
    seen = set(a[1])
    parts = list(a[0])
    for p in b[0]:
        s = str(p)
        if s not in seen:
            seen.add(s)
            parts.append(p)
    return (tuple(parts), frozenset(seen))


def _interact(left: _Acc, right: _Acc) -> _Acc:
    out = _Acc()
    for a in left.terms:
        for b in right.terms:
            out.add(_merge(a, b))
    return out


def _union_term(acc: _Acc) -> _Acc:
    """All parts of all terms as one term (for ``/`` and ``%in%``)."""
    if not acc.terms:
        return _Acc()
    t = acc.terms[0]
    for u in acc.terms[1:]:
        t = _merge(t, u)
    return _Acc([t])


def expand(formula: Formula, kind: str = "fixed", *, keep_order: bool = False,
           text: str = "") -> TermList:
    """Expand ``formula``'s right-hand side into a :class:`TermList` (see the module doc).

    ``kind``: 'fixed' keeps an intercept flag (default on); other kinds have
    ``intercept=False`` and ignore ``1``/``0``/``-1``. ``keep_order=True`` keeps the terms in
    the order written instead of R's order-of-interaction sort. ``text`` (the source) only
    improves error pictures. Raises :class:`FormulaError` for things that cannot be terms
    (``y ~ 2``, ``a^b``, an intercept inside an interaction).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, not {kind!r}")
    if not isinstance(formula, Formula):
        raise TypeError(f"expand() needs a Formula (from parse_formula), not {type(formula)}")
    intercept = True
    # explicit post-order walk; each entry: (node, parity (+1/-1), additive context, visited)
    stack: list[tuple[Expr, int, bool, bool]] = [(formula.rhs, 1, True, False)]
    values: list[_Acc] = []
    while stack:
        node, parity, additive, visited = stack.pop()
        if isinstance(node, Paren):
            stack.append((node.expr, parity, additive, False))
            continue
        if isinstance(node, Formula) and not visited:  # `+ ~ terms` tail: its terms
            stack.append((node.rhs, parity, additive, False))
            continue
        if isinstance(node, BinOp) and node.op in _ALGEBRA:
            if not visited:
                stack.append((node, parity, additive, True))
                add = additive and node.op in ("+", "-")
                rpar = -parity if node.op == "-" else parity
                if node.op == "^":
                    # exponent is read here, not expanded
                    stack.append((node.left, parity, False, False))
                else:
                    stack.append((node.right, rpar, add, False))
                    stack.append((node.left, parity, add, False))
                continue
            if node.op == "^":
                base = values.pop()
                n = _exponent(node.right, kind, text)
                result = _Acc().extend(base)
                # as R: a power above the number of terms adds nothing ((a + b)^1e308)
                for _ in range(min(n, len(base.terms)) - 1):
                    size = len(result.terms)
                    result.extend(_interact(result, base))
                    if len(result.terms) == size:
                        break
                values.append(result)
                continue
            right = values.pop()
            left = values.pop()
            if node.op == "+":
                values.append(left.extend(right))
            elif node.op == "-":
                values.append(_Acc([t for t in left.terms if t[1] not in right.keys]))
            elif node.op == ":":
                values.append(_interact(left, right))
            elif node.op == "*":
                values.append(_Acc().extend(left).extend(right).extend(_interact(left, right)))
            elif node.op == "/":
                values.append(_Acc().extend(left).extend(_interact(_union_term(left), right)))
            else:  # %in%
                values.append(_interact(left, _union_term(right)))
            continue
        if isinstance(node, UnaryOp) and node.op == "-":
            if not visited:
                stack.append((node, parity, additive, True))
                stack.append((node.operand, -parity, additive, False))
                continue
            values.pop()
            values.append(_Acc())
            continue
        if isinstance(node, Number):
            if node.value in (0.0, 1.0) and not node.text.startswith("-"):
                if not additive:
                    raise _err(f"the intercept {node} cannot be part of an interaction",
                               node, kind, text, hint="write 1 (or -1) as a term of its own")
                if kind == "fixed":
                    intercept = (node.value == 1.0) == (parity > 0)
                values.append(_Acc())
                continue
            raise _err(f"the number {node} cannot be a model term", node, kind, text,
                       hint="a formula term is a variable, a function call or 1/0/-1 for "
                            "the intercept; arithmetic belongs inside I(...)")
        if isinstance(node, (Name, Call, Dot, BinOp)):  # BinOp here: | & comparisons
            values.append(_Acc([((node,), frozenset((str(node),)))]))
            continue
        what = type(node).__name__.lower()
        raise _err(f"a {what} ({node}) cannot be a model term", node, kind, text,
                   hint="strings and TRUE/FALSE/NULL belong inside function arguments")
    (acc,) = values
    terms = [Term(parts, span=parts[0].span) for parts, _ in acc.terms]
    if not keep_order:
        terms.sort(key=lambda t: len(t.parts))  # stable: ties keep their order of appearance
    return TermList(formula.lhs, tuple(terms), intercept if kind == "fixed" else False,
                    span=formula.span)


def _exponent(node: Expr, kind: str, text: str) -> int:
    inner = node
    while isinstance(inner, Paren):
        inner = inner.expr
    if isinstance(inner, Number) and float(inner.value).is_integer() and inner.value >= 1:
        return int(inner.value)
    raise _err(f"the power in a formula must be a whole number ≥ 1, not {node}", node, kind,
               text, hint="(a + b)^2 means all terms up to two-way interactions; "
                          "for a squared covariate write I(x^2)")


def update_formula(old: Formula | str, new: Formula | str) -> Formula:
    """R's ``update(old, new)``: ``.`` on the left of ``new`` is ``old``'s response, ``.`` on
    the right is ``(old's right-hand side)``. ``update(y ~ a + b, ~ . - b)`` gives
    ``y ~ (a + b) - b``; :func:`expand` of it has the single term ``a``. ``.`` inside formulas
    nested in calls is left alone. Either formula may be given as text (parsed first)."""
    if isinstance(old, str) or isinstance(new, str):
        from asr_py.formula.parser import parse_formula

        old = parse_formula(old) if isinstance(old, str) else old
        new = parse_formula(new) if isinstance(new, str) else new
    for what, f in (("old", old), ("new", new)):
        if not isinstance(f, Formula):
            raise TypeError(f"update_formula: the {what} formula must be a Formula or its "
                            f"text, not {type(f).__name__}")
    lhs = new.lhs
    if lhs is not None and _has_dot(lhs):
        if old.lhs is None:
            raise _err("'.' on the left of '~' but the old formula has no response", lhs,
                       "fixed", "")
        lhs = _subst(lhs, old.lhs)
    elif lhs is None:
        lhs = old.lhs
    rhs = _subst(new.rhs, Paren(old.rhs, span=old.rhs.span)) if _has_dot(new.rhs) else new.rhs
    return Formula(lhs, rhs, span=new.span)


def _kids(x: Expr) -> list[Expr]:
    if isinstance(x, BinOp):
        return [x.left, x.right]
    if isinstance(x, UnaryOp):
        return [x.operand]
    if isinstance(x, Paren):
        return [x.expr]
    return []


def first_dot(*exprs: Expr | None) -> Dot | None:
    """A ``.`` in the operator trees of ``exprs`` (None entries skipped), or None; iterative."""
    stack = [e for e in exprs if e is not None]
    while stack:
        x = stack.pop()
        if isinstance(x, Dot):
            return x
        stack.extend(_kids(x))
    return None


def _has_dot(e: Expr) -> bool:
    return first_dot(e) is not None


def _subst(e: Expr, by: Expr) -> Expr:
    """Replace every ``.`` in ``e``'s operator tree (not inside calls) by ``by``; iterative."""
    out: dict[int, Expr] = {}
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        x, visited = stack.pop()
        kids = _kids(x)
        if kids and not visited:
            stack.append((x, True))
            stack.extend((k, False) for k in kids)
            continue
        if isinstance(x, Dot):
            out[id(x)] = by
        elif isinstance(x, BinOp):
            out[id(x)] = BinOp(x.op, out.pop(id(x.left)), out.pop(id(x.right)), span=x.span)
        elif isinstance(x, UnaryOp):
            out[id(x)] = UnaryOp(x.op, out.pop(id(x.operand)), span=x.span)
        elif isinstance(x, Paren):
            out[id(x)] = Paren(out.pop(id(x.expr)), span=x.span)
        else:
            out[id(x)] = x
    return out[id(e)]
