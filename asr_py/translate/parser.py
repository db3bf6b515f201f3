"""R syntax tree: a Pratt parser for whole R programs (blocks, functions, if/for/while).

Newlines end a statement at the top level and inside ``{ }`` when the expression is complete;
inside ``( )`` and ``[ ]`` they are spaces. A statement the parser cannot read becomes a
``bad`` node spanning its source (found by bracket matching), so one odd line never hides
the rest of the script.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from asr_py.translate.lexer import Tok, tokenize


class Untranslatable(Exception):
    """Raised for R code outside the translated subset."""


@dataclass
class R:
    """One R syntax node.

    kind: name num str call bin unary formula dollar index paren empty block function if
    for while repeat comment blank bad.
    """
    kind: str
    value: str = ""
    args: list[tuple[str | None, R]] = field(default_factory=list)
    left: R | None = None
    right: R | None = None
    start: int = 0
    end: int = 0
    alt: R | None = None                                  # else branch of an if
    body: list[R] = field(default_factory=list)           # statements of a block
    comments: list[str] = field(default_factory=list)     # comments inside the statement


#: the mark of a dollar node written with R's ``@`` (an S4 slot): printed as r_slot()
SLOT = "@slot"
#: the mark of a dollar node written ``x[["name"]]``: R's ``$`` without partial matching
EXACT = "[[exact"


def walk(nodes: Iterable[R]) -> Iterable[R]:
    """Every node below ``nodes`` (themselves included), depth first, without recursion."""
    stack = list(nodes)
    while stack:
        e = stack.pop()
        yield e
        stack.extend(a for _, a in e.args if isinstance(a, R))
        stack.extend(x for x in (e.left, e.right, e.alt) if x is not None)
        stack.extend(e.body)


def pkg_of(e: R) -> str:
    """``pkg`` of a name written ``pkg::name`` (kept as the node's first comment; a real
    comment of the statement, ``NULL  # none``, starts with ``#``); "" for other nodes."""
    c = e.comments[0] if e.kind == "name" and e.comments else ""
    return "" if c.startswith("#") else c

_PREC = {"?": 0, "<-": 1, "<<-": 1, "=": 1, ":=": 1, "->": 1, "->>": 1, "~": 3, "||": 4, "|": 4,
         "&&": 5, "&": 5, "==": 7, "!=": 7, "<": 7, ">": 7, "<=": 7, ">=": 7, "+": 8, "-": 8,
         "*": 9, "/": 9, "|>": 10, ":": 11, "^": 13}
_RIGHT = {"<-", "<<-", "=", ":=", "^"}    # := (data.table, rlang): R's LEFT_ASSIGN level
_BINARY = set(_PREC) | {","}
_KEYWORDS = {"function", "if", "else", "for", "while", "repeat", "in"}


class Parser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.nl: list[bool] = [True]      # does a newline end the expression here?
        self.comments: list[str] = []

    # ----- token access --------------------------------------------------------------------
    def _skip(self, newlines: bool) -> None:
        while self.i < len(self.toks):
            t = self.toks[self.i]
            if t.kind == "comment":
                self.comments.append(t.text)
            elif not (t.kind == "nl" and newlines):
                return
            self.i += 1

    def peek(self) -> Tok | None:
        """The next token, skipping comments and (where they do not end a statement)
        newlines."""
        self._skip(not self.nl[-1])
        return self.toks[self.i] if self.i < len(self.toks) else None

    def peek_any(self) -> Tok | None:
        """The next token past comments and newlines."""
        self._skip(True)
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, text: str | None = None) -> Tok:
        t = self.peek() if text not in (")", "]", "}") else self.peek_any()
        if t is None or (text is not None and t.text != text):
            raise Untranslatable(f"expected {text!r}" + (f", got {t.text!r}" if t else ""))
        self.i += 1
        return t

    # ----- programs and blocks -------------------------------------------------------------
    def program(self) -> list[R]:
        return self.statements(None)

    def statements(self, close: str | None) -> list[R]:
        out: list[R] = []
        newlines = 2
        while self.i < len(self.toks):
            t = self.toks[self.i]
            if t.kind == "nl" or t.text == ";":
                self.i += 1
                newlines += t.kind == "nl"
                if newlines == 2 and close is None and out and out[-1].kind != "blank":
                    out.append(R("blank", start=t.start, end=t.start))
                continue
            if t.kind == "comment":
                out.append(R("comment", t.text, start=t.start, end=t.end))
                self.i += 1
                newlines = 0
                continue
            if close is not None and t.text == close:
                break
            newlines = 0
            out.append(self.statement(close))
        while out and out[-1].kind == "blank":
            out.pop()
        return out

    def statement(self, close: str | None) -> R:
        first, depth, outer = self.i, len(self.nl), self.comments
        self.comments = []
        self.nl.append(True)
        try:
            e = self.expr(0)
            t = self.toks[self.i] if self.i < len(self.toks) else None
            if t is not None and t.kind not in ("nl", "comment") and t.text != ";" and \
                    t.text != close:
                raise Untranslatable(f"unexpected {t.text!r}")
            e.comments = e.comments + self.comments
        except Untranslatable as exc:
            failed = self.i
            self.i = self._statement_end(first, close)
            if self.i >= len(self.toks):   # brackets never close: stop at a blank line
                self.i = self._blank_line_after(first, failed)
            start = self.toks[first].start
            end = self.toks[self.i - 1].end if self.i > first else start
            e = R("bad", str(exc), start=start, end=end)
        finally:
            del self.nl[depth:]
            self.comments = outer
        return e

    def _statement_end(self, i: int, close: str | None) -> int:
        """Index past the statement starting at token ``i`` (bracket matching)."""
        depth = 0
        prev: Tok | None = None
        while i < len(self.toks):
            t = self.toks[i]
            if t.kind == "comment":
                i += 1
                continue
            if depth == 0 and (t.kind == "nl" or t.text == ";"):
                cont = prev is not None and prev.kind == "op" and prev.text in _BINARY
                nxt = self._next_code(i)
                if not cont and (nxt is None or nxt.text != "else"):
                    return i
            if t.text in ("(", "[", "{"):
                depth += 1
            elif t.text in (")", "]", "}"):
                if depth == 0 and close is not None and t.text == close:
                    return i
                depth -= 1
            if t.kind != "nl":
                prev = t
            i += 1
        return i

    def _blank_line_after(self, first: int, failed: int) -> int:
        """Where a statement whose brackets never close stops: at the first blank line
        after its start, else at the end of the line where parsing failed."""
        for j in range(first, len(self.toks) - 1):
            if self.toks[j].kind == "nl" and self.toks[j + 1].kind == "nl":
                return j
        for j in range(min(failed, len(self.toks) - 1), len(self.toks)):
            if self.toks[j].kind == "nl":
                return j
        return len(self.toks)

    def _next_code(self, i: int) -> Tok | None:
        while i < len(self.toks) and self.toks[i].kind in ("nl", "comment"):
            i += 1
        return self.toks[i] if i < len(self.toks) else None

    # ----- expressions ---------------------------------------------------------------------
    def _prec(self, t: Tok) -> int | None:
        if t.kind != "op":
            return None
        if t.text.startswith("%") and len(t.text) > 1:
            return 10
        return _PREC.get(t.text)

    def expr(self, minp: int) -> R:
        t = self.peek_any()
        if t is None:
            raise Untranslatable("unexpected end")
        if t.text == "~":  # one-sided formula
            self.take()
            rhs = self.expr(_PREC["~"] + 1)
            left = R("formula", right=rhs, start=t.start, end=rhs.end)
        elif t.text in ("-", "+"):
            self.take()
            operand = self.expr(12)
            left = R("unary", t.text, right=operand, start=t.start, end=operand.end)
        elif t.text == "!":
            self.take()
            operand = self.expr(6)
            left = R("unary", "!", right=operand, start=t.start, end=operand.end)
        elif t.text == "?":
            # ?topic, ??topic: R's help pages, as help(topic) (a no-op in a script)
            while self.peek() is not None and self.peek().text == "?":
                self.take()
            operand = self.expr(1)
            left = R("call", "help", args=[(None, operand)], start=t.start, end=operand.end)
        else:
            left = self.postfix(self.atom())
        while True:
            t = self.peek()
            if t is None:
                break
            p = self._prec(t)
            if p is None or p < minp:
                break
            self.take()
            rhs = self.expr(p if t.text in _RIGHT else p + 1)
            if t.text == "~":
                left = R("formula", left=left, right=rhs, start=left.start, end=rhs.end)
            elif t.text in ("->", "->>"):
                left = R("bin", "<-", left=rhs, right=left, start=left.start, end=rhs.end)
            else:
                left = R("bin", t.text, left=left, right=rhs, start=left.start, end=rhs.end)
        return _compound_pipe(left)

    def atom(self) -> R:
        t = self.take()
        if t.kind == "num":
            return R("num", t.text.rstrip("L"), start=t.start, end=t.end)
        if t.kind == "str":
            return R("str", _unquote(t.text), start=t.start, end=t.end)
        if t.kind == "name":
            if t.text in _KEYWORDS:
                return self.compound(t)
            if t.text in ("break", "next"):
                # R's break() and next() (called with no arguments) are break and next
                if self.i + 1 < len(self.toks) and self.toks[self.i].text == "(" and \
                        self.toks[self.i + 1].text == ")":
                    self.i += 2
                    return R(t.text, start=t.start, end=self.toks[self.i - 1].end)
                return R(t.text, start=t.start, end=t.end)
            nxt = self.toks[self.i] if self.i < len(self.toks) else None
            if nxt is not None and nxt.text in ("::", ":::"):   # pkg::name
                self.i += 1
                n = self.take()
                return R("name", n.text.strip("`\"'"), start=t.start, end=n.end,
                         comments=[t.text])
            return R("name", t.text.strip("`"), start=t.start, end=t.end)
        if t.text == "(":
            self.nl.append(False)
            e = self.expr(0)
            close = self.take(")")
            self.nl.pop()
            return R("paren", right=e, start=t.start, end=close.end)
        if t.text == "{":
            self.nl.append(True)
            body = self.statements("}")
            close = self.take("}")
            self.nl.pop()
            return R("block", body=body, start=t.start, end=close.end)
        raise Untranslatable(f"unexpected {t.text!r}")

    def compound(self, t: Tok) -> R:
        """function, if, for, while, repeat."""
        kw = t.text
        if kw == "function":
            self.take("(")
            self.nl.append(False)
            params = self.arglist(")", params=True)
            self.take(")")
            self.nl.pop()
            body = self.expr(1)
            return R("function", args=params, right=body, start=t.start, end=body.end)
        if kw == "repeat":
            body = self.expr(1)
            return R("repeat", right=body, start=t.start, end=body.end)
        if kw not in ("if", "for", "while"):
            raise Untranslatable(f"unexpected {kw!r}")
        self.take("(")
        self.nl.append(False)
        if kw == "for":
            var = self.take()
            self.take("in")
            head = self.expr(0)
            head = R("bin", "in", left=R("name", var.text.strip("`"), start=var.start,
                                          end=var.end), right=head, start=var.start,
                     end=head.end)
        else:
            head = self.expr(0)
        self.take(")")
        self.nl.pop()
        body = self.expr(1)
        node = R(kw, left=head, right=body, start=t.start, end=body.end)
        if kw == "if":
            save, ncom = self.i, len(self.comments)
            nxt = self.peek_any()
            if nxt is not None and nxt.text == "else":
                self.i += 1
                node.alt = self.expr(1)
                node.end = node.alt.end
            else:
                self.i = save
                del self.comments[ncom:]
        return node

    def postfix(self, e: R) -> R:
        while True:
            t = self.peek()
            if t is None:
                return e
            if t.text == "(" and t.start == e.end or t.text == "(" and e.kind in (
                    "name", "str", "call", "paren", "dollar", "index", "function"):
                # (R calls a string too, spaces or not: ':=' (a = 1), "f" (x))
                self.take()
                self.nl.append(False)
                args = self.arglist(")")
                end = self.take(")").end
                self.nl.pop()
                if len(args) > 1 and args[-1][0] is None and args[-1][1].kind == "empty":
                    args = args[:-1]    # f(x, ): a trailing empty argument is a missing one
                e = R("call", e.value if e.kind == "name" else "", args, left=e,
                      start=e.start, end=end)
            elif t.text in ("$", "@"):
                self.take()
                n = self.take()
                e = R("dollar", n.text.strip("`\"'"), left=e, start=e.start, end=n.end,
                      comments=[SLOT] if t.text == "@" else [])
            elif t.text == "[":
                self.take()
                double = self.i < len(self.toks) and self.toks[self.i].text == "[" and \
                    self.toks[self.i].start == t.end
                if double:
                    self.i += 1
                self.nl.append(False)
                args = self.arglist("]")
                end = self.take("]").end
                if double:
                    end = self.take("]").end
                self.nl.pop()
                if double and len(args) == 1 and args[0][0] is None and \
                        args[0][1].kind == "str":
                    # x[["a"]] is R's x$a without partial matching: one node, so every
                    # rule for x$a reads both spellings
                    e = R("dollar", args[0][1].value, left=e, start=e.start, end=end,
                          comments=[EXACT])
                    continue
                e = R("index", "[[" if double else "[", args, left=e, start=e.start,
                      end=end)
            else:
                return e

    def arglist(self, close: str, params: bool = False) -> list[tuple[str | None, R]]:
        """Arguments up to ``close``; an empty argument (``f(a, , b)``, ``x[, 1]``) is an
        ``empty`` node."""
        args: list[tuple[str | None, R]] = []
        comma = False
        while True:
            t = self.peek_any()
            if t is None:
                raise Untranslatable("unclosed call")
            if t.text == close:
                if comma:
                    args.append((None, R("empty", start=t.start, end=t.start)))
                return args
            if t.text == ",":
                self.take()
                if not args or comma:
                    args.append((None, R("empty", start=t.start, end=t.start)))
                comma = True
                continue
            comma = False
            nxt = self._next_code(self.i + 1)
            if t.kind in ("name", "str") and nxt is not None and nxt.text == "=":
                name = t.text.strip("`\"'")
                self.i = self.toks.index(nxt, self.i) + 1
                after = self.peek_any()
                if after is not None and after.text in (",", close):
                    args.append((name, R("empty", start=after.start, end=after.start)))
                else:
                    args.append((name, self.arg()))
            elif params and t.kind == "name":
                self.i += 1
                args.append((t.text, R("empty", start=t.end, end=t.end)))
            else:
                args.append((None, self.arg()))

    def arg(self) -> R:
        """An argument: ``f(x <- value)`` assigns as in R (``=`` there names the argument)."""
        e = self.expr(2)
        t = self.peek_any()
        if t is not None and t.text in ("<-", "<<-"):
            self.take()
            rhs = self.expr(1)
            e = R("bin", "<-", left=e, right=rhs, start=e.start, end=rhs.end)
        elif t is not None and t.text == ":=":      # DT[, a := e]: data.table's (rlang's)
            self.take()
            rhs = self.expr(1)
            e = R("bin", ":=", left=e, right=rhs, start=e.start, end=rhs.end)
        return e


def _compound_pipe(e: R) -> R:
    """magrittr's ``x %<>% f() %>% g()``: ``x <- x %>% f() %>% g()`` (the first pipe of the
    chain assigns the chain's value back to its left-hand side)."""
    spine = []
    node = e
    while node.kind == "bin" and node.value in ("%>%", "%<>%", "|>") and node.left is not None:
        spine.append(node)
        node = node.left
    if not spine or spine[-1].value != "%<>%" or any(n.value == "%<>%" for n in spine[:-1]):
        return e
    target = spine[-1].left
    assert target is not None
    rebuilt = dataclasses.replace(spine[-1], value="%>%")
    for n in reversed(spine[:-1]):
        rebuilt = dataclasses.replace(n, left=rebuilt)
    return R("bin", "<-", left=target, right=rebuilt, start=e.start, end=e.end,
             comments=e.comments)


def _unquote(s: str) -> str:
    if s[0] in "rR":
        m = re.match(r"[rR]([\"'])(-*)[(\[{](.*)[)\]}]\2\1$", s, re.S)
        return m.group(3) if m else s
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
                  body)


def parse_program(code: str) -> list[R]:
    """R source -> statement nodes (comments and blank lines included)."""
    return Parser(tokenize(code)).program()


def parse_expr(code: str) -> R:
    """One R expression (tests and helpers)."""
    p = Parser([t for t in tokenize(code) if t.kind not in ("comment", "nl")])
    e = p.expr(0)
    if p.i != len(p.toks):
        raise Untranslatable(f"unexpected {p.toks[p.i].text!r}")
    return e


def names_in(e: R | None) -> set[str]:
    """The bare names an R expression reads."""
    if e is None:
        return set()
    out = {e.value} if e.kind == "name" else set()
    for x in (e.left, e.right, e.alt, *(a for _, a in e.args), *e.body):
        out |= names_in(x)
    return out


def bind_formals(formals: tuple[str, ...], args: list[tuple[str | None, R]]
                 ) -> dict[str, R] | None:
    """R's argument matching by exact name then position: named arguments take their
    formals, positional ones fill the remaining formals in order. None when a name is not a
    formal or there are more positional arguments than free formals (the caller then leaves
    the call to the general rules)."""
    named = {n: a for n, a in args if n is not None}
    if any(n not in formals for n in named):
        return None
    free = [f for f in formals if f not in named]
    pos = [a for n, a in args if n is None and a.kind != "empty"]
    if len(pos) > len(free):
        return None
    return dict(zip(free, pos)) | named
