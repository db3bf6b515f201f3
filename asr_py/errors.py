"""Exceptions shared by every stage of asr_py.

Every error a user can provoke is an :class:`AsrError` (a ``ValueError``) whose message says
what is wrong, where (formula position, data column, matrix id) and, where one fits, a hint.
"""

from __future__ import annotations


class AsrError(ValueError):
    """Base class of all asr_py errors caused by user input."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.hint = hint
        full = message if hint is None else f"{message}\nhint: {hint}"
        super().__init__(full)
        self.message = message


def caret_picture(text: str, line: int, column: int, width: int = 1) -> str:
    """The source line ``line`` (1-based) of ``text`` with a caret under ``column`` (1-based).

    Long lines are cut to a window around the column so the caret stays visible.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines:
        return ""
    line = min(max(line, 1), len(lines))
    src = lines[line - 1].replace("\t", " ")
    col = max(column, 1)
    offset = 0
    if len(src) > 100:
        offset = max(0, col - 60)
        src = ("..." if offset else "") + src[offset : offset + 100]
        col = col - offset + (3 if offset else 0)
    return f"  {src}\n  {' ' * (col - 1)}{'^' * max(width, 1)}"


class FormulaError(AsrError):
    """A formula that parses but cannot mean anything (unknown function, wrong arguments...).

    Attributes: ``line``, ``column`` (1-based), ``formula`` (which formula: 'fixed', 'random',
    'residual', 'sparse', 'rcov' or None) and ``text`` (the formula text).
    """

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        line: int = 1,
        column: int = 1,
        formula: str | None = None,
        hint: str | None = None,
        width: int = 1,
    ) -> None:
        self.line = line
        self.column = column
        self.width = width
        self.formula = formula
        self.text = text
        where = f"in the {formula} formula" if formula else "in the formula"
        head = f"{message} ({where}, line {line}, column {column})"
        if text:
            head += "\n" + caret_picture(text, line, column, width)
        super().__init__(head, hint=hint)
        self.message = message

    @classmethod
    def at(cls, message: str, span: object | None, *, text: str = "",
           formula: str | None = None, hint: str | None = None) -> FormulaError:
        """An error pointing at a node's ``span`` (line, column, start, end); no caret without
        a span or text."""
        if span is None or not text:
            return cls(message, text=text, formula=formula, hint=hint)
        start, end = getattr(span, "start", 0), getattr(span, "end", 1)
        return cls(message, text=text, line=span.line, column=span.column,  # type: ignore[attr-defined]
                   width=max(1, end - start), formula=formula, hint=hint)


class FormulaSyntaxError(FormulaError):
    """Text that is not a formula of the ASReml language."""


class DataError(AsrError):
    """A problem with the data: a missing column, wrong type, missing ids..."""


class MatrixError(AsrError):
    """A known matrix (vm/ide/ped/giv, relationship matrices) that cannot be used."""


class ModelError(AsrError):
    """A model that cannot be built or fitted as specified."""


class PedigreeError(AsrError):
    """A pedigree with loops, duplicates or inconsistent parents."""
