"""R tokens: strings, comments, numbers, names (Unicode letters, backticks), operators."""

from __future__ import annotations

import re
from dataclasses import dataclass

from asr_py.errors import AsrError

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\f\u00a0\ufeff]+)
  | (?P<comment>\#[^\n]*)
  | (?P<nl>\n)
  | (?P<str>[rR]["'](?:-*)[(\[{].*?[)\]}]-*["']
        |"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<num>0[xX][0-9a-fA-F]+L?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[Li]?)
  | (?P<name>`[^`]*`|(?:[^\W\d]|\.(?!\d))[\w.]*)
  | (?P<op>->>|<<-|<-|->|\|>|:::|::|:=|==|!=|<=|>=|&&|\|\||\*\*|%[^%\n]*%|\\
        |[-+*/^~$@:=<>!&|,;()\[\]{}?])
""", re.VERBOSE | re.DOTALL)

#: characters R itself cannot read outside strings and comments
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class Tok:
    kind: str      # ws comment nl str num name op bad
    text: str
    start: int
    end: int


def tokenize(code: str) -> list[Tok]:
    """R source -> tokens (whitespace dropped; comments and newlines kept).

    A character no R token starts with becomes a ``bad`` token (the statement holding it is
    kept as a TODO); a control character, which R cannot read either, is an error.
    """
    out: list[Tok] = []
    pos = 0
    while pos < len(code):
        m = _TOKEN.match(code, pos)
        if m is None:
            ch = code[pos]
            if _CONTROL.match(ch):
                line = code.count("\n", 0, pos) + 1
                raise AsrError(f"translate: cannot read R code at line {line}: "
                               f"{code[pos:pos + 20]!r}",
                               hint="the script holds a control character R cannot read")
            out.append(Tok("bad", ch, pos, pos + 1))
            pos += 1
            continue
        kind = m.lastgroup or ""
        if kind != "ws":
            text = m.group()
            if kind == "op" and text == "\\":   # R 4.1 lambda: \(x) x + 1
                kind, text = "name", "function"
            if kind == "op" and text == "**":   # R's lexer reads ** as ^ (gram.y)
                text = "^"
            out.append(Tok(kind, text, m.start(), m.end()))
        pos = m.end()
    return out
