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
from dataclasses import dataclass, field
from typing import Union

_PLAIN_NAME = re.compile(r"(?:[A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*\Z")


@dataclass(frozen=True)
class Span:
    """Where a node came from: 0-based character offsets, 1-based line and column."""

    start: int
    end: int
    line: int
    column: int


@dataclass(frozen=True)
class Node:
    """Base of all syntax nodes."""

    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Name(Node):
    """A variable name: ``Block``, ``Genotype.ID``, ``trait``, ``units``, ``K``."""

    name: str

    def __str__(self) -> str:
        if _PLAIN_NAME.match(self.name) and self.name not in _RESERVED:
            return self.name
        return "`" + self.name.replace("`", "\\`") + "`"


@dataclass(frozen=True)
class Number(Node):
    """A numeric literal; ``text`` keeps the spelling (``1e-3``, ``.7``) for printing."""

    value: float
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        if self.text:
            return self.text
        v = self.value
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


@dataclass(frozen=True)
class String(Node):
    """A string literal (either quote in the source)."""

    value: str

    def __str__(self) -> str:
        return '"' + self.value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Bool(Node):
    """``TRUE``/``FALSE`` (also written ``T``/``F``)."""

    value: bool

    def __str__(self) -> str:
        return "TRUE" if self.value else "FALSE"


@dataclass(frozen=True)
class Null(Node):
    """``NULL``."""

    def __str__(self) -> str:
        return "NULL"


@dataclass(frozen=True)
class Dot(Node):
    """``.`` in update formulas: 'what was there before'."""

    def __str__(self) -> str:
        return "."


@dataclass(frozen=True)
class Arg(Node):
    """One argument of a call: positional (``name is None``) or named (``k = 3``)."""

    value: Expr
    name: str | None = None

    def __str__(self) -> str:
        return str(self.value) if self.name is None else f"{self.name} = {self.value}"


@dataclass(frozen=True)
class Call(Node):
    """A function call: ``us(trait)``, ``vm(id, K, singG = "PSD")``, ``c(1, 2)``."""

    func: str
    args: tuple[Arg, ...] = ()

    def __str__(self) -> str:
        return f"{self.func}({', '.join(str(a) for a in self.args)})"

    def positional(self) -> tuple[Expr, ...]:
        """The positional argument values, in order."""
        return tuple(a.value for a in self.args if a.name is None)

    def named(self) -> dict[str, Expr]:
        """The named argument values."""
        return {a.name: a.value for a in self.args if a.name is not None}


@dataclass(frozen=True)
class BinOp(Node):
    """A binary operator: ``+ - : * / %in% ^ |`` (formula operators) or arithmetic in calls."""

    op: str
    left: Expr
    right: Expr

    def __str__(self) -> str:
        if self.op in (":", "^"):
            return f"{self.left}{self.op}{self.right}"
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class UnaryOp(Node):
    """A unary minus (``-1``, ``- units``); a unary plus is dropped by the parser."""

    op: str
    operand: Expr

    def __str__(self) -> str:
        return f"{self.op}{self.operand}"


@dataclass(frozen=True)
class Paren(Node):
    """Parentheses the user wrote: ``(A + B):C``."""

    expr: Expr

    def __str__(self) -> str:
        return f"({self.expr})"


@dataclass(frozen=True)
class Formula(Node):
    """``lhs ~ rhs`` or ``~ rhs`` (``lhs is None``); also a formula inside a call (str, dsum)."""

    lhs: Expr | None
    rhs: Expr

    def __str__(self) -> str:
        return f"~ {self.rhs}" if self.lhs is None else f"{self.lhs} ~ {self.rhs}"


Expr = Union[Name, Number, String, Bool, Null, Dot, Call, BinOp, UnaryOp, Paren, Formula]

_RESERVED = frozenset({"TRUE", "FALSE", "T", "F", "NULL", "NA", "Inf", "NaN", "in", "function"})


# ---------------------------------------------------------------------------------------------
# Expanded terms (produced by asr_py.formula.expand)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class TermList(Node):
    """An expanded formula: response (or None), intercept flag, terms in R's order."""

    response: Expr | None
    terms: tuple[Term, ...]
    intercept: bool

    def __str__(self) -> str:
        pieces = ["1" if self.intercept else "-1"] + [str(t) for t in self.terms]
        if not self.intercept and self.terms:
            pieces = [str(t) for t in self.terms] + ["-1"]
        rhs = " + ".join(pieces) if pieces else "1"
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
