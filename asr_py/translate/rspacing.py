"""R source on one line with the spacing R's own ``deparse()`` gives where spacing means
nothing: none inside brackets (``f( x )``, ``x [1]``), before a comma, or around ``:``,
``::``, ``$`` and ``@``; every other gap one space, kept only where the script has one.

So ``vm ( id , A.inv )`` and ``vm(id, A.inv)``, or ``trait : Env`` and ``trait:Env``, give
the translation the same text (formula strings, names built from code, comparisons of
source) whatever the script's spacing."""

from __future__ import annotations

from functools import lru_cache

from asr_py.translate.lexer import tokenize

__all__ = ["one_line"]

_TIGHT = frozenset({":", "::", ":::", "$", "@"})
_KEYWORDS = frozenset({"if", "for", "while", "function", "in", "else", "repeat", "return"})


@lru_cache(maxsize=4096)
def one_line(code: str) -> str:
    """``code`` (comments already blanked) on one line, spaced as the module says."""
    toks = [t for t in tokenize(code) if t.kind not in ("nl", "comment")]
    out: list[str] = []
    prev = None
    for t in toks:
        text = code[t.start:t.end]
        if prev is not None:
            p = code[prev.start:prev.end]
            gap = t.start > prev.end
            if t.kind == "op" and text in (")", "]", ",") or prev.kind == "op" and p in (
                    "(", "[") or text in _TIGHT or p in _TIGHT:
                gap = False
            elif text in ("(", "[") and (prev.kind in ("name", "str") and p not in _KEYWORDS
                                         or p in (")", "]")):
                gap = False                       # f (x), x [1], f(a) (b): a call, an index
            if gap:
                out.append(" ")
        out.append(text)
        prev = t
    return "".join(out)
