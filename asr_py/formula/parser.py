"""Formula text -> typed AST (:mod:`asr_py.formula.ast`) with the Lark LALR grammar.

The grammar (``grammar/asreml.lark``, shipped as the package ``asr_py.grammar``) is compiled
once per process. Lark's LALR parser keeps its own stack, and the tree -> AST step below is an
explicit post-order walk, so deeply nested or very long formulas never hit Python's recursion
limit. Every failure is a :class:`~asr_py.errors.FormulaSyntaxError` with line, column, a caret
picture and, where one fits, a hint.
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from asr_py.errors import FormulaSyntaxError
from asr_py.formula.ast import (
    Arg,
    BinOp,
    Bool,
    Call,
    Dot,
    Formula,
    Name,
    Node,
    Null,
    Number,
    Paren,
    Span,
    String,
    UnaryOp,
)

__all__ = ["parse_formula", "parse_formula_uncached", "grammar_text", "get_parser", "MAX_LENGTH"]

#: Longest formula text accepted (characters); longer text is refused with a clear error.
MAX_LENGTH = 200_000

_KINDS = ("fixed", "random", "residual", "sparse", "rcov", None)


def grammar_text() -> str:
    """The Lark grammar: from the installed package ``asr_py.grammar``, else the source tree."""
    try:
        return (importlib.resources.files("asr_py.grammar") / "asreml.lark").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path(__file__).resolve().parents[2] / "grammar" / "asreml.lark"
        return path.read_text("utf-8")



@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The compiled LALR parser with the AST builder applied at each reduction (built once).

    Building the AST inside the LALR reductions (no intermediate parse tree, no
    ``propagate_positions``) keeps a typical formula under a millisecond; spans are computed
    from the tokens.
    """
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        transformer=_Build(),
    )


# ---------------------------------------------------------------------------------------------
# AST building (bottom-up, inside the parser's reductions)
# ---------------------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "f": "\f",
            "v": "\v"}


def _unescape(body: str) -> str:
    """R-style backslash escapes: ``\\n \\t \\" \\' \\\\``; ``\\x`` -> ``x`` otherwise."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _sp(x: object) -> Span:
    """Span of a token or a node."""
    if isinstance(x, Token):
        return Span(x.start_pos, x.end_pos, x.line, x.column)
    sp = x.span  # type: ignore[attr-defined]
    assert sp is not None
    return sp


def _cover(first: object, last: object) -> Span:
    a, b = _sp(first), _sp(last)
    return Span(a.start, b.end, a.line, a.column)


class _Empty:
    """An empty argument (``f(a, )``, ``f(k = )``); refused when the call is built."""

    __slots__ = ("where",)

    def __init__(self, where: Token | None) -> None:
        self.where = where


class _BuildError(Exception):
    """Raised inside a reduction; turned into FormulaSyntaxError by parse_formula."""

    def __init__(self, message: str, where: Token, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint


def _is_tf(v: object) -> bool:
    return (isinstance(v, Name) and v.name in ("T", "F") and v.span is not None
            and v.span.end - v.span.start == 1)


def _tf(v: object) -> object:
    """Unquoted ``T``/``F`` mean TRUE/FALSE as an argument value (``var = T``) and inside
    ``c()``/``list()``; elsewhere they are names (a factor called ``F``)."""
    return Bool(v.name == "T", span=v.span) if _is_tf(v) else v  # type: ignore[union-attr]


def _needs_fold(e: object) -> bool:
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, UnaryOp):
            if isinstance(x.operand, Number) and not x.operand.text.startswith("-"):
                return True
            stack.append(x.operand)
        elif isinstance(x, BinOp):
            stack.extend((x.left, x.right))
        elif isinstance(x, Paren):
            stack.append(x.expr)
    return False


def _fold(e: object) -> object:
    """Inside call arguments, ``-<number>`` becomes a negative Number (not into nested calls
    or formulas, which were handled when they were built). Iterative rebuild."""
    if not _needs_fold(e):
        return e
    done: dict[int, object] = {}
    stack: list[tuple[object, bool]] = [(e, False)]
    while stack:
        x, visited = stack.pop()
        kids: tuple = ()
        if isinstance(x, UnaryOp):
            kids = (x.operand,)
        elif isinstance(x, BinOp):
            kids = (x.left, x.right)
        elif isinstance(x, Paren):
            kids = (x.expr,)
        if kids and not visited:
            stack.append((x, True))
            stack.extend((k, False) for k in kids)
            continue
        if not kids:
            done[id(x)] = x
        elif isinstance(x, UnaryOp):
            o = done.pop(id(x.operand))
            if isinstance(o, Number) and not o.text.startswith("-"):
                done[id(x)] = Number(-o.value, "-" + (o.text or str(o)), span=x.span)
            else:
                done[id(x)] = UnaryOp(x.op, o, span=x.span)
        elif isinstance(x, BinOp):
            r, l_ = done.pop(id(x.right)), done.pop(id(x.left))
            done[id(x)] = BinOp(x.op, l_, r, span=x.span)
        else:
            done[id(x)] = Paren(done.pop(id(x.expr)), span=x.span)  # type: ignore[union-attr]
    return done[id(e)]


class _Build(Transformer):
    """LALR reduction callbacks: one method per grammar rule / alias."""

    def start(self, kids: list) -> Formula:
        return kids[0]

    def name(self, kids: list) -> object:
        tok: Token = kids[0]
        v, span = str(tok), _sp(tok)
        if v == "TRUE":
            return Bool(True, span=span)
        if v == "FALSE":
            return Bool(False, span=span)
        if v == "NULL":
            return Null(span=span)
        if v == "Inf":
            return Number(float("inf"), "Inf", span=span)
        if v == ".":
            return Dot(span=span)
        return Name(v, span=span)

    def backname(self, kids: list) -> Name:
        return Name(_unescape(str(kids[0])[1:-1]), span=_sp(kids[0]))

    def number(self, kids: list) -> Number:
        text = str(kids[0])
        return Number(float(text.rstrip("L")), text, span=_sp(kids[0]))

    def string(self, kids: list) -> String:
        return String(_unescape(str(kids[0])[1:-1]), span=_sp(kids[0]))

    def paren(self, kids: list) -> Paren:
        return Paren(kids[1], span=_cover(kids[0], kids[2]))

    def binop(self, kids: list) -> BinOp:
        left, op, right = kids
        sop = "^" if str(op) == "**" else str(op)
        return BinOp(sop, left, right, span=_cover(left, right))

    def unop(self, kids: list) -> object:
        op, operand = kids
        if str(op) == "+":
            return operand
        return UnaryOp("-", operand, span=_cover(op, operand))

    def tilde_tail(self, kids: list) -> BinOp:
        left, op, tilde, rhs = kids
        inner = Formula(None, rhs, span=_cover(tilde, rhs))
        return BinOp(str(op), left, inner, span=_cover(left, rhs))

    def formula(self, kids: list) -> Formula:
        lhs, tilde, rhs = kids
        return Formula(lhs, rhs, span=_cover(tilde if lhs is None else lhs, rhs))

    def positional(self, kids: list) -> Arg:
        v = _fold(kids[0])
        return Arg(v, span=_sp(v))

    def named(self, kids: list) -> Arg:
        v = _tf(_fold(kids[2]))
        return Arg(v, str(kids[0]), span=_cover(kids[0], v))

    def named_empty(self, kids: list) -> _Empty:
        return _Empty(kids[1])

    def empty(self, kids: list) -> _Empty:
        return _Empty(None)

    def arglist(self, kids: list) -> list:
        return kids

    def call(self, kids: list) -> Call:
        name, lpar, items, rpar = kids
        span = _cover(name, rpar)
        args = [x for x in items if not isinstance(x, Token)]
        if len(args) == 1 and isinstance(args[0], _Empty) and args[0].where is None:
            return Call(str(name), (), span=span)
        commas = [x for x in items if isinstance(x, Token)]
        for i, a in enumerate(args):
            if isinstance(a, _Empty):
                where = a.where or (commas[i] if i < len(commas) else rpar)
                raise _BuildError(f"empty argument {i + 1} in {name}(...)", where,
                                  hint="remove the extra comma or write the missing argument")
        if str(name) in ("c", "list"):
            args = [Arg(_tf(a.value), a.name, span=a.span) for a in args]
        if str(name) in _SLOTS:
            args = _by_position(_SLOTS[str(name)], args)
        elif len(args) == 2 and all(a.name is None for a in args) and \
                _literal_values(args[1].value) and _init_second(str(name)):
            args = [args[0], Arg(args[1].value, "init", span=args[1].span)]
        return Call(str(name), tuple(args), span=span)


#: R's names of the leading arguments of asreml's model functions that users write by name:
#: ``str(form = ~ a:g, vmodel = ~ rr(2):id(g))``, ``vm(g, source = Ginv)``, ``ide(g, source =
#: M)`` (ASReml-R 4's argument lists; R matches a unique prefix of a name, so ``form`` is
#: ``formula``)
_SLOTS: dict[str, tuple[str, ...]] = {
    "str": ("formula", "vmodel"),
    "vm": ("obj", "source"),
    "ide": ("obj", "source"),
}


def _literal_values(e: object) -> bool:
    """A number or ``c(...)``/``rep(...)`` of numbers: what a positional init is written as
    (a bare name stays positional, to be refused as an extra argument)."""
    if isinstance(e, Number):
        return True
    if isinstance(e, UnaryOp):
        return isinstance(e.operand, Number)
    return isinstance(e, Call) and e.func in ("c", "rep") and all(
        _literal_values(a.value) for a in e.args if a.name is None)


def _init_second(name: str) -> bool:
    """Whether ``name`` is a variance structure of one factor whose R signature is ``f(obj,
    init = NA)`` (``idv``, ``ar1``, ``corgh``, ``us`` ...): its second positional argument is
    ``init``, as R matches it (``corgh(trait, c(0.5, 1, 1))``)."""
    from asr_py.formula.functions import FUNCTIONS, functions

    spec = FUNCTIONS.get(name) or functions().get(name)  # the structures load on first need
    return spec is not None and spec.kind == "variance" and spec.max_args == 1 \
        and "init" in spec.named


def _slot_of(name: str, slots: tuple[str, ...]) -> str | None:
    """The slot an argument name matches as R does: exactly, else as the unique prefix."""
    if name in slots:
        return name
    hits = [s for s in slots if s.startswith(name)]
    return hits[0] if len(hits) == 1 else None


def _by_position(slots: tuple[str, ...], args: list) -> list:
    """Leading arguments written by name (``vm(g, source = K)``, ``str(form = ~ a, vmodel =
    ~ b)``) put in R's positional order, as R's argument matching does: named slots first,
    the positional arguments filling the others from the left; other named arguments
    (``singG =``) stay named after them. Left as written when the slots cannot be filled
    in order (the checks then say what is wrong)."""
    named = {}
    for a in args:
        slot = _slot_of(a.name, slots) if a.name is not None else None
        if slot is not None:
            if slot in named:
                return args
            named[slot] = a
    if not named:
        return args
    pos = iter(a for a in args if a.name is None)
    lead = []
    for k in slots:
        a = named.get(k) or next(pos, None)
        if a is None:
            break
        lead.append(a)
    if len(lead) < max(slots.index(k) for k in named) + 1:
        return args
    rest = list(pos)
    other = [a for a in args
             if a.name is not None and all(a is not b for b in named.values())]
    return [Arg(a.value, None, span=a.span) for a in lead + rest] + other


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------

_LOOKALIKES = {
    "\u201c": ('"', "a typographic quote"), "\u201d": ('"', "a typographic quote"),
    "\u2018": ("'", "a typographic quote"), "\u2019": ("'", "a typographic quote"),
    "\u201e": ('"', "a typographic quote"), "\u00b4": ("'", "an accent"),
    "\uff0b": ("+", "a full-width plus"), "\uff5e": ("~", "a full-width tilde"),
    "\u301c": ("~", "a wave dash"), "\uff08": ("(", "a full-width parenthesis"),
    "\uff09": (")", "a full-width parenthesis"), "\uff0c": (",", "a full-width comma"),
    "\uff1a": (":", "a full-width colon"), "\uff0a": ("*", "a full-width asterisk"),
    "\uff0f": ("/", "a full-width slash"), "\uff1d": ("=", "a full-width equals sign"),
    "\u2212": ("-", "a minus sign"), "\u2013": ("-", "an en dash"),
    "\u2014": ("-", "an em dash"), "\u00d7": ("*", "a multiplication sign"),
    "\uff5c": ("|", "a full-width bar"),
}

_TOKEN_WORDS = {
    "RPAR": "')'", "LPAR": "'('", "COMMA": "','", "TILDE": "'~'", "ADDOP": "operator",
    "MULOP": "operator", "COLON": "':'", "CARET": "'^'", "PIPE": "'|'", "EQUAL": "'='",
    "SPECIAL": "operator", "AMP": "'&'", "CMPOP": "comparison",
}

_OPERATOR_TYPES = {"ADDOP", "MULOP", "COLON", "CARET", "PIPE", "SPECIAL", "AMP", "CMPOP",
                   "TILDE", "EQUAL"}


def _tokens_before(text: str, pos: int) -> list[Token]:
    """The tokens of ``text`` that start before ``pos`` (lexing stops at the first bad char)."""
    out: list[Token] = []
    try:
        for tok in get_parser().lex(text):
            if tok.start_pos is not None and tok.start_pos >= pos:
                break
            out.append(tok)
    except LarkError:
        pass
    return out


def _open_parens(tokens: list[Token]) -> list[Token]:
    stack: list[Token] = []
    for tok in tokens:
        if tok.type == "LPAR":
            stack.append(tok)
        elif tok.type == "RPAR" and stack:
            stack.pop()
    return stack


def _syntax_error(text: str, kind: str | None, exc: Exception) -> FormulaSyntaxError:
    """Translate a Lark error into a FormulaSyntaxError with a caret and a hint."""

    def err(msg: str, line: int, col: int, hint: str | None = None, width: int = 1):
        return FormulaSyntaxError(msg, text=text, line=line, column=col, formula=kind,
                                  hint=hint, width=width)

    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        line, col = exc.line, exc.column
        if ch in _LOOKALIKES:
            ascii_ch, what = _LOOKALIKES[ch]
            return err(f"unexpected character {ch!r} ({what})", line, col,
                       hint=f"type the plain ASCII {ascii_ch!r} instead (copied from a word "
                            "processor or web page?)")
        if ch in "\"'":
            return err("string is never closed", line, col,
                       hint=f"add the closing {ch} quote")
        if ch == "`":
            return err("backquoted name is never closed", line, col,
                       hint="add the closing ` backquote")
        if ch == "%":
            return err("operator starting with '%' is never closed", line, col,
                       hint="write %in% (the only %-operator formulas use)")
        if ch in "[]{}$@;!?\\":
            hints = {"$": "formulas name data columns directly: write y, not data$y",
                     "[": "indexing is not part of the formula language",
                     ";": "put one formula per argument; no ';'",
                     "!": "negation is not part of the formula language",
                     "{": "braces are not part of the formula language"}
            return err(f"unexpected character {ch!r}", line, col, hint=hints.get(ch))
        code = f"U+{ord(ch):04X}" if ch else ""
        return err(f"unexpected character {ch!r} {code}".rstrip(), line, col,
                   hint="formulas use ASCII names, numbers, strings and + - * / : ^ | ~ ( ) ,")

    if isinstance(exc, (UnexpectedToken, UnexpectedEOF)):
        tok = getattr(exc, "token", None)
        at_end = tok is None or tok.type == "$END"
        pos = len(text) if at_end else (tok.start_pos or 0)
        before = _tokens_before(text, pos)
        prev = before[-1] if before else None
        if at_end:
            line = text.count("\n") + 1
            col = len(text) - (text.rfind("\n") + 1) + 1
            opened = _open_parens(before)
            if not before:
                return err("empty formula", 1, 1,
                           hint="write '~ terms' (random/residual) or 'y ~ terms' (fixed)")
            if opened:
                o = opened[-1]
                return err("formula ends before a parenthesis is closed", line, col,
                           hint=f"the '(' opened at line {o.line}, column {o.column} "
                                "is never closed")
            if prev is not None and prev.type in _OPERATOR_TYPES:
                return err(f"dangling {str(prev)!r} at the end of the formula",
                           prev.line, prev.column,
                           hint=f"remove the trailing {str(prev)!r} or add a term after it")
            if not any(t.type == "TILDE" for t in before):
                return err("not a formula: there is no '~'", 1, 1,
                           hint="write '~ terms' (random/residual) or 'y ~ terms' (fixed)")
            return err("formula ends unexpectedly", line, col)
        assert tok is not None
        line, col = tok.line, tok.column
        word = repr(str(tok))
        width = max(1, len(str(tok))) if "\n" not in str(tok) else 1
        if tok.type == "RPAR" and not _open_parens(before):
            return err("unmatched ')'", line, col, hint="remove it or add the matching '('")
        if tok.type == "COMMA" and not _open_parens(before):
            return err("',' outside a function call", line, col,
                       hint="give each formula separately; terms are joined with '+'")
        if prev is not None and prev.type in _OPERATOR_TYPES | {"LPAR", "COMMA"} and \
                tok.type in _OPERATOR_TYPES | {"RPAR", "COMMA"}:
            if prev.type in ("ADDOP", "MULOP", "COLON", "CARET", "SPECIAL", "PIPE"):
                return err(f"dangling {str(prev)!r}: a term is missing after it",
                           prev.line, prev.column,
                           hint=f"remove the {str(prev)!r} or add a term after it")
        if tok.type == "TILDE":
            return err("unexpected '~'", line, col,
                       hint="a formula has one '~'; a second one may only start a formula "
                            "argument (str(~ a, ~ b)) or a last '+ ~ term'")
        if tok.type == "EQUAL":
            return err("unexpected '='", line, col,
                       hint="'=' names an argument inside a call, e.g. spl(x, k = 6); "
                            "to compare use '=='")
        if tok.type in ("NAME", "NUMBER", "STRING", "BACKNAME", "LPAR") and prev is not None \
                and prev.type in ("NAME", "NUMBER", "STRING", "BACKNAME", "RPAR"):
            return err(f"unexpected {word}: an operator is missing before it", line, col,
                       hint="join terms with '+', interactions with ':'", width=width)
        return err(f"unexpected {_TOKEN_WORDS.get(tok.type, word)}"
                   if tok.type in _TOKEN_WORDS and _TOKEN_WORDS[tok.type] != "operator"
                   else f"unexpected {word}", line, col, width=width)
    return err(f"cannot parse the formula ({type(exc).__name__})", 1, 1)


# ---------------------------------------------------------------------------------------------
# public
# ---------------------------------------------------------------------------------------------


def parse_formula(text: str, kind: str | None = None) -> Formula:
    """Parse one formula (results of recent texts are cached; the AST is immutable).

    See :func:`parse_formula_uncached` for the rules.
    """
    if isinstance(text, str) and len(text) <= 4096:
        return _parse_cached(text, kind)
    return parse_formula_uncached(text, kind)


@lru_cache(maxsize=512)
def _parse_cached(text: str, kind: str | None) -> Formula:
    return parse_formula_uncached(text, kind)


def parse_formula_uncached(text: str, kind: str | None = None) -> Formula:
    """Parse one formula of an asreml() call into a :class:`~asr_py.formula.ast.Formula`.

    ``kind`` ('fixed', 'random', 'residual', 'sparse', 'rcov' or None) only labels errors.
    Unary ``+`` is dropped, user parentheses are kept as :class:`Paren`, and inside call
    arguments ``-<number>`` becomes a negative :class:`Number`. Raises
    :class:`~asr_py.errors.FormulaSyntaxError` for anything that is not a formula.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, not {kind!r}")
    if not isinstance(text, str):
        raise FormulaSyntaxError(
            f"a formula must be given as text (str), not {type(text).__name__}",
            formula=kind, hint="write the formula in quotes, e.g. \"y ~ x\"")
    if len(text) > MAX_LENGTH:
        raise FormulaSyntaxError(
            f"formula text is too long ({len(text)} characters; the limit is {MAX_LENGTH})",
            text=text[:200], formula=kind)
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # a byte-order mark from a file: same length, positions kept
    try:
        tree = get_parser().parse(text)
    except _BuildError as exc:
        w = exc.where
        raise FormulaSyntaxError(exc.message, text=text, line=w.line or 1, column=w.column or 1,
                                 formula=kind, hint=exc.hint) from None
    except LarkError as exc:
        raise _syntax_error(text, kind, exc) from None
    except RecursionError:  # pragma: no cover - LALR is iterative; kept as a safety net
        raise FormulaSyntaxError("formula is nested too deeply", text=text,
                                 formula=kind) from None
    assert isinstance(tree, Formula)
    return tree


def node_span(node: Node) -> tuple[int, int]:
    """(line, column) of a node, (1, 1) when it has no span."""
    return (node.span.line, node.span.column) if node.span is not None else (1, 1)
