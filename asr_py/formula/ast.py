"""Typed syntax tree of ASReml-R formulas, and its printer.

Every node is a frozen dataclass. Source positions live in ``span``, which is excluded from
equality, so ``parse_formula(str(f)) == f`` compares structure only. ``str(node)`` prints
canonical text: single spaces around ``~ + - * / %in% |``, none around ``:`` and ``^``,
``name = value`` for named arguments, double-quoted strings, ``TRUE``/``FALSE``/``NULL``.
The parser keeps user parentheses as :class:`Paren` nodes, so the printer never needs to
invent any. This module imports nothing from numpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Union

_PLAIN_NAME = re.compile(r"(?:[A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*\Z")

# Every node class is a frozen dataclass whose equality, hash, str and repr are computed by
# the iterative walkers below (not the generated recursive ones), so a 700-term formula (a
# left-deep chain of 700 BinOps) or 500 nested parentheses never hit Python's recursion limit.
_node = dataclass(frozen=True, eq=False, repr=False)


@dataclass(frozen=True)
class Span:
    """Where a node came from: 0-based character offsets, 1-based line and column."""

    start: int
    end: int
    line: int
    column: int


@_node
class Node:
    """Base of all syntax nodes."""

    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def _pieces(self) -> tuple[str | Node, ...]:
        """The printed form as a sequence of literal text and child nodes."""
        raise NotImplementedError

    def __str__(self) -> str:
        out: list[str] = []
        stack: list[str | Node] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                out.append(item)
            else:
                stack.extend(reversed(item._pieces()))
        return "".join(out)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other):
            return NotImplemented
        return _flatten(self) == _flatten(other)  # type: ignore[arg-type]

    def __hash__(self) -> int:
        return hash(_flatten(self))

    def __repr__(self) -> str:
        out: list[str] = []
        stack: list[object] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, _Raw):
                out.append(item.text)
            elif isinstance(item, Node):
                names = [f.name for f in fields(item) if f.repr]
                seq: list[object] = [_Raw(type(item).__name__ + "(")]
                for i, name in enumerate(names):
                    seq.append(_Raw(("" if i == 0 else ", ") + name + "="))
                    seq.append(getattr(item, name))
                seq.append(_Raw(")"))
                stack.extend(reversed(seq))
            elif isinstance(item, tuple):
                seq = [_Raw("(")]
                for i, x in enumerate(item):
                    seq.extend([_Raw("" if i == 0 else ", "), x])
                seq.append(_Raw(",)" if len(item) == 1 else ")"))
                stack.extend(reversed(seq))
            else:
                out.append(repr(item))
        return "".join(out)


class _Raw:
    """Literal text inside the iterative repr walker."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_COMPARED: dict[type, tuple[str, ...]] = {}


def _flatten(node: Node) -> tuple[object, ...]:
    """Pre-order sequence of (type, compared field values): equal iff the trees are equal."""
    out: list[object] = []
    stack: list[object] = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, Node):
            cls = type(x)
            names = _COMPARED.get(cls)
            if names is None:
                names = _COMPARED[cls] = tuple(f.name for f in fields(cls) if f.compare)
            out.append(cls)
            stack.extend(reversed([getattr(x, n) for n in names]))
        elif isinstance(x, tuple):
            out.append((tuple, len(x)))
            stack.extend(reversed(x))
        else:
            out.append(x)
    return tuple(out)


@_node
class Name(Node):
    """A variable name: ``Block``, ``Genotype.ID``, ``trait``, ``units``, ``K``."""

    name: str

    def _pieces(self) -> tuple[str | Node, ...]:
        if _PLAIN_NAME.match(self.name) and self.name not in _RESERVED:
            return (self.name,)
        return ("`" + self.name.replace("\\", "\\\\").replace("`", "\\`") + "`",)


@_node
class Number(Node):
    """A numeric literal; ``text`` keeps the spelling (``1e-3``, ``.7``) for printing."""

    value: float
    text: str = field(default="", compare=False)

    def _pieces(self) -> tuple[str | Node, ...]:
        if self.text:
            return (self.text,)
        v = self.value
        return (str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v)),)


@_node
class String(Node):
    """A string literal (either quote in the source)."""

    value: str

    def _pieces(self) -> tuple[str | Node, ...]:
        return ('"' + self.value.replace("\\", "\\\\").replace('"', '\\"') + '"',)


@_node
class Bool(Node):
    """``TRUE``/``FALSE`` (also written ``T``/``F``)."""

    value: bool

    def _pieces(self) -> tuple[str | Node, ...]:
        return ("TRUE" if self.value else "FALSE",)


@_node
class Null(Node):
    """``NULL``."""

    def _pieces(self) -> tuple[str | Node, ...]:
        return ("NULL",)


@_node
class Dot(Node):
    """``.`` in update formulas: 'what was there before'."""

    def _pieces(self) -> tuple[str | Node, ...]:
        return (".",)


@_node
class Arg(Node):
    """One argument of a call: positional (``name is None``) or named (``k = 3``)."""

    value: Expr
    name: str | None = None

    def _pieces(self) -> tuple[str | Node, ...]:
        return (self.value,) if self.name is None else (f"{self.name} = ", self.value)


@_node
class Call(Node):
    """A function call: ``us(trait)``, ``vm(id, K, singG = "PSD")``, ``c(1, 2)``."""

    func: str
    args: tuple[Arg, ...] = ()

    def _pieces(self) -> tuple[str | Node, ...]:
        out: list[str | Node] = [self.func + "("]
        for i, a in enumerate(self.args):
            if i:
                out.append(", ")
            out.append(a)
        out.append(")")
        return tuple(out)

    def positional(self) -> tuple[Expr, ...]:
        """The positional argument values, in order."""
        return tuple(a.value for a in self.args if a.name is None)

    def named(self) -> dict[str, Expr]:
        """The named argument values."""
        return {a.name: a.value for a in self.args if a.name is not None}


@_node
class BinOp(Node):
    """A binary operator: ``+ - : * / %in% ^ |`` (formula operators) or arithmetic in calls."""

    op: str
    left: Expr
    right: Expr

    def _pieces(self) -> tuple[str | Node, ...]:
        if self.op in (":", "^"):
            return (self.left, self.op, self.right)
        return (self.left, f" {self.op} ", self.right)


@_node
class UnaryOp(Node):
    """A unary minus (``-1``, ``- units``); a unary plus is dropped by the parser."""

    op: str
    operand: Expr

    def _pieces(self) -> tuple[str | Node, ...]:
        return (self.op, self.operand)


@_node
class Paren(Node):
    """Parentheses the user wrote: ``(A + B):C``."""

    expr: Expr

    def _pieces(self) -> tuple[str | Node, ...]:
        return ("(", self.expr, ")")


@_node
class Formula(Node):
    """``lhs ~ rhs`` or ``~ rhs`` (``lhs is None``); also a formula inside a call (str, dsum)."""

    lhs: Expr | None
    rhs: Expr

    def _pieces(self) -> tuple[str | Node, ...]:
        return ("~ ", self.rhs) if self.lhs is None else (self.lhs, " ~ ", self.rhs)


Expr = Union[Name, Number, String, Bool, Null, Dot, Call, BinOp, UnaryOp, Paren, Formula]

_RESERVED = frozenset(
    {".", "TRUE", "FALSE", "T", "F", "NULL", "NA", "Inf", "NaN", "in", "function"}
)


# ---------------------------------------------------------------------------------------------
# Expanded terms (produced by asr_py.formula.expand)
# ---------------------------------------------------------------------------------------------


@_node
class Term(Node):
    """One model term after expansion: its ``:``-separated parts, in the order written.

    ``at(trait):Block`` -> ``Term((Call('at', ...), Name('Block')))``; ``us(trait):vm(id, K)``
    -> two Call parts; ``str(~ a + b, ~ us(2):id(f))`` -> one Call part. ``Term(())`` is never
    produced (the intercept is a flag of :class:`TermList`).
    """

    parts: tuple[Expr, ...]

    def __str__(self) -> str:
        return ":".join(_part_str(p) for p in self.parts)

    def key(self) -> frozenset[str]:
        """Identity of the term regardless of part order (``a:b`` is ``b:a``)."""
        return frozenset(str(p) for p in self.parts)


def _part_str(p: Expr) -> str:
    s = str(p)
    return f"({s})" if isinstance(p, (BinOp, UnaryOp, Formula)) else s


@_node
class TermList(Node):
    """An expanded formula: response (or None), intercept flag, terms in R's order."""

    response: Expr | None
    terms: tuple[Term, ...]
    intercept: bool

    def __str__(self) -> str:
        terms = " + ".join(str(t) for t in self.terms)
        if self.intercept:
            rhs = f"1 + {terms}" if terms else "1"
        else:
            rhs = f"{terms} - 1" if terms else "-1"
        return f"{self.response} ~ {rhs}" if self.response is not None else f"~ {rhs}"


@dataclass(frozen=True)
class ModelFormula:
    """The formulas of one ``asreml()`` call, parsed and validated together.

    ``residual`` holds asreml 3's ``rcov`` too. ``texts`` maps each given formula's kind
    ('fixed', 'random', 'residual', 'sparse') to its source text.
    """

    fixed: Formula
    random: Formula | None = None
    residual: Formula | None = None
    sparse: Formula | None = None
    texts: dict[str, str] = field(default_factory=dict, compare=False)
