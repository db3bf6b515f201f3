"""ASReml-R formulas: text -> typed AST (parse), R term algebra (expand), validation (model)."""

from asr_py.formula.ast import (
    Arg,
    BinOp,
    Bool,
    Call,
    Dot,
    Expr,
    Formula,
    ModelFormula,
    Name,
    Node,
    Null,
    Number,
    Paren,
    Span,
    String,
    Term,
    TermList,
    UnaryOp,
)
from asr_py.formula.expand import expand, update_formula
from asr_py.formula.model import parse_model, validate_formula
from asr_py.formula.parser import parse_formula

__all__ = [
    "parse_formula",
    "parse_model",
    "validate_formula",
    "expand",
    "update_formula",
    "ModelFormula",
    "Arg",
    "BinOp",
    "Bool",
    "Call",
    "Dot",
    "Expr",
    "Formula",
    "Name",
    "Node",
    "Null",
    "Number",
    "Paren",
    "Span",
    "String",
    "Term",
    "TermList",
    "UnaryOp",
]
