"""Style fuzz of ``asr.translate``: the same R program written in other styles must translate
to the same Python.

Each R script (tests/translate/corpus/snippets/*.R, tests/translate/style/*.R and, with
``--corpus``, the corpus scripts of /work/.mirror that ran; read-only, nothing of them is
written here) is rewritten by every style of :data:`STYLES` (``<-``/``=``/``->``, T/F,
quotes, spaces, line breaks and comments inside calls, ``pkg::``, pipes, ``x$a`` /
``x[["a"]]`` / ``x[, "a"]``, require(), ``\\(x)``, braces, ``;``, CRLF, BOM, tabs, Windows
paths, named/positional/partial/reordered arguments). The rewrites work on R's own tokens
(benchmarks/rstyle_tokens.R: ``getParseData``), not on asr_py's lexer. Then:

* R: the rewrite parses and R reads it as the same program (benchmarks/rstyle_same.R:
  canonical syntax trees; a rewrite R does not accept as the same is dropped, not counted);
* translate: both outputs compile, and have the same number of ``asr.asreml(`` calls and
  of ``TODO(asr_py)`` lines (a *difference*); the same Python syntax tree (``ast.dump``,
  comments aside) is reported apart (*ast*: not every such change is a bug);
* ``--run``: corpus scripts whose data are in the repository run as translated, original
  and each rewrite, and must print the same numbers.

    python benchmarks/translate_style_fuzz.py -v                    # snippets
    python benchmarks/translate_style_fuzz.py --corpus --match Clonal --run -v
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SNIPPET_DIRS = (ROOT / "tests" / "translate" / "corpus" / "snippets",
                ROOT / "tests" / "translate" / "style")
LOG = Path("/work/notes/s34/corpus_main.log")

Edit = tuple[int, int, str]


# ----- R's tokens -------------------------------------------------------------------------

@dataclass
class Node:
    id: int
    parent: int
    token: str
    terminal: bool
    text: str
    start: int = -1
    end: int = -1
    kids: list[Node] = field(default_factory=list)


class Script:
    """An R script with R's parse tree: each node's [start, end) in ``src``."""

    def __init__(self, src: str, rdata: dict) -> None:
        self.src = src
        self.formals: dict[str, list[str]] = {k: list(v) if isinstance(v, list) else [v]
                                              for k, v in (rdata.get("formals") or {}).items()}
        self.nodes: dict[int, Node] = {}
        order: list[Node] = []
        lines = [0]
        for m in re.finditer("\n", src):
            lines.append(m.end())
        pos = 0
        for t in rdata["tokens"]:
            n = Node(t["id"], t["parent"], t["token"], t["terminal"], t["text"])
            self.nodes[n.id] = n
            order.append(n)
            if not n.terminal:
                continue
            at = max(pos, lines[t["line1"] - 1])
            if n.token == "STR_CONST" and n.text.startswith("["):
                m = _R_STRING.search(src, at)      # R shortens long strings' text
                assert m is not None
                n.start, n.end, n.text = m.start(), m.end(), m.group()
            else:
                i = src.find(n.text, at)
                if i < 0:
                    raise ValueError(f"token {n.text!r} not found")
                n.start, n.end = i, i + len(n.text)
            pos = n.end
        for n in order:
            p = self.nodes.get(n.parent)
            if p is not None:
                p.kids.append(n)
        for n in order:
            n.kids.sort(key=lambda k: (self.span(k)[0], -self.span(k)[1]))
        self.order = order
        self.terms = sorted((n for n in order if n.terminal), key=lambda n: n.start)
        self.top = [n for n in order if n.parent <= 0 and n.token == "expr"]

    def span(self, n: Node) -> tuple[int, int]:
        if n.start < 0:
            spans = [self.span(k) for k in n.kids] or [(0, 0)]
            n.start, n.end = min(s for s, _ in spans), max(e for _, e in spans)
        return n.start, n.end

    def text(self, n: Node) -> str:
        s, e = self.span(n)
        return self.src[s:e]

    def up(self, n: Node) -> Node | None:
        return self.nodes.get(n.parent)

    def statement_level(self, n: Node) -> bool:
        """Is the expression ``n`` a statement (top level or directly in ``{ }``)?"""
        p = self.up(n)
        return p is None or (p.kids and p.kids[0].token == "'{'")

    def has(self, n: Node, *tokens: str) -> bool:
        return n.token in tokens or any(self.has(k, *tokens) for k in n.kids)

    def call_args(self, n: Node) -> tuple[str, list[Arg]] | None:
        """``f(...)`` as (f, [(name, value, the arg's nodes)]); None if not a plain call."""
        k = n.kids
        if len(k) < 3 or k[1].token != "'('" or k[-1].token != "')'":
            return None
        if not (k[0].kids and k[0].kids[0].token == "SYMBOL_FUNCTION_CALL"):
            return None
        args: list[Arg] = []
        cur: list[Node] = []
        for x in k[2:-1] + [None]:
            if x is None or x.token == "','":
                if cur or x is not None:
                    if len(cur) >= 2 and cur[1].token == "EQ_SUB":
                        args.append((cur[0].text, cur[2] if len(cur) > 2 else None, cur))
                    else:
                        args.append((None, cur[0] if cur else None, cur))
                cur = []
            else:
                cur.append(x)
        return k[0].kids[0].text, args

    def comments_in(self, n: Node) -> bool:
        s, e = self.span(n)
        return any(t.token == "COMMENT" and s <= t.start < e for t in self.terms)


Arg = tuple["str | None", "Node | None", "list[Node]"]     # name, value, the arg's nodes
_R_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.S)


def apply(src: str, edits: list[Edit]) -> str | None:
    if not edits:
        return None
    edits = sorted(set(edits), key=lambda e: (e[0], e[1]))
    out, pos = [], 0
    for s, e, new in edits:
        if s < pos:           # overlapping edits: keep the first
            continue
        out += [src[pos:s], new]
        pos = e
    out.append(src[pos:])
    new_src = "".join(out)
    return new_src if new_src != src else None


# ----- styles ------------------------------------------------------------------------------

def s_eq_assign(s: Script) -> list[Edit]:
    return [(t.start, t.end, "=") for t in s.terms if t.token == "LEFT_ASSIGN" and t.text == "<-"
            and s.statement_level(s.up(t))]


def s_right_assign(s: Script) -> list[Edit]:
    out = []
    for t in s.terms:
        if t.token != "LEFT_ASSIGN" or t.text != "<-":
            continue
        a = s.up(t)
        if not s.statement_level(a) or len(a.kids) != 3 or s.comments_in(a):
            continue
        lhs, rhs = a.kids[0], a.kids[2]
        if s.has(rhs, "FUNCTION", "IF", "FOR", "WHILE", "REPEAT", "LEFT_ASSIGN", "EQ_ASSIGN",
                 "RIGHT_ASSIGN", "'\\\\'"):
            continue
        st, en = s.span(a)
        out.append((st, en, f"{s.text(rhs)} -> {s.text(lhs)}"))
    return out


def s_true_t(s: Script) -> list[Edit]:
    return [(t.start, t.end, t.text[0]) for t in s.terms
            if t.token == "NUM_CONST" and t.text in ("TRUE", "FALSE")]


def s_single_quotes(s: Script) -> list[Edit]:
    return [(t.start, t.end, "'" + t.text[1:-1] + "'") for t in s.terms
            if t.token == "STR_CONST" and t.text[0] == '"' and "'" not in t.text
            and "\\" not in t.text]


def s_double_quotes(s: Script) -> list[Edit]:
    return [(t.start, t.end, '"' + t.text[1:-1] + '"') for t in s.terms
            if t.token == "STR_CONST" and t.text[0] == "'" and '"' not in t.text
            and "\\" not in t.text]


_GLUE = ("<-", "->", "|>", "==", "<=", ">=", "!=", "&&", "||", "::", "**", "<<", "->",
         "%%", "=>", "--", "++")


def _gaps(s: Script) -> list[tuple[Node, Node, int, int]]:
    """Consecutive tokens on one line and the whitespace between them."""
    out = []
    for a, b in zip(s.terms, s.terms[1:]):
        gap = s.src[a.end:b.start]
        if "\n" not in gap and gap.strip() == "":
            out.append((a, b, a.end, b.start))
    return out


def _wordish(t: Node, first: bool) -> bool:
    ch = t.text[0] if first else t.text[-1]
    return ch.isalnum() or ch in "._`'\"" or t.token in ("COMMENT",)


def s_no_spaces(s: Script) -> list[Edit]:
    out = []
    for a, b, st, en in _gaps(s):
        if en == st or b.token == "COMMENT":
            continue
        if _wordish(a, False) and _wordish(b, True):
            continue
        if (a.text[-1] + b.text[0]) in _GLUE or a.token == "SPECIAL" or b.token == "SPECIAL":
            continue
        out.append((st, en, ""))
    return out


def s_wide_spaces(s: Script) -> list[Edit]:
    return [(st, en, "  ") for a, b, st, en in _gaps(s) if b.token != "COMMENT"]


def _commas(s: Script) -> list[Node]:
    return [t for t in s.terms if t.token == "','"]


def s_break_args(s: Script) -> list[Edit]:
    out = []
    for t in _commas(s):
        nxt = s.src[t.end:].lstrip(" \t")
        if nxt.startswith(("\n", "#")):
            continue
        out.append((t.end, t.end + len(s.src[t.end:]) - len(nxt), "\n      "))
    return out


def _formula_plus(s: Script) -> list[Node]:
    out = []
    for t in s.terms:
        if t.token != "'+'":
            continue
        n = s.up(t)
        while n is not None and not any(k.token == "'~'" for k in n.kids):
            n = s.up(n)
        if n is not None:
            out.append(t)
    return out


def s_break_formula(s: Script) -> list[Edit]:
    out = []
    for t in _formula_plus(s):
        nxt = s.src[t.end:].lstrip(" \t")
        if not nxt.startswith(("\n", "#")):
            out.append((t.end, t.end + len(s.src[t.end:]) - len(nxt), "\n        "))
    return out


def s_comment_args(s: Script) -> list[Edit]:
    out = []
    for t in _commas(s) + _formula_plus(s):
        nxt = s.src[t.end:].lstrip(" \t")
        if nxt.startswith(("\n", "#")):
            continue
        out.append((t.end, t.end + len(s.src[t.end:]) - len(nxt), "  # a note, (x) ~ y\n  "))
    return out


def s_comment_lines(s: Script) -> list[Edit]:
    """A comment line of its own between the arguments of calls."""
    return [(t.end, t.end, "\n  # comment: asreml(y ~ x)\n ") for t in _commas(s)
            if not s.src[t.end:].lstrip(" \t").startswith("#")]


def s_end_comments(s: Script) -> list[Edit]:
    """A comment at the end of every line that ends outside a string."""
    last: dict[int, Node] = {}
    for t in s.terms:
        last[s.src.count("\n", 0, t.end)] = t
    inside = set()
    for t in s.terms:
        a, b = s.src.count("\n", 0, t.start), s.src.count("\n", 0, t.end)
        inside.update(range(a, b))
    return [(t.end, t.end, "   # end; of 'line'") for ln, t in last.items()
            if t.token != "COMMENT" and ln not in inside]


def s_blank_lines(s: Script) -> list[Edit]:
    out = []
    for n in s.top:
        _, e = s.span(n)
        if s.src[e:e + 1] == "\n":
            out.append((e, e + 1, "\n\n\n"))
    return out


def s_no_blank_lines(s: Script) -> list[Edit]:
    inside = set()
    for t in s.terms:
        if t.token == "STR_CONST":
            inside.update(range(s.src.count("\n", 0, t.start), s.src.count("\n", 0, t.end)))
    out, pos = [], 0
    for i, line in enumerate(s.src.split("\n")):
        if not line.strip() and i - 1 not in inside and i > 0:
            out.append((pos - 1, pos + len(line), ""))
        pos += len(line) + 1
    return out


_NS = {"asreml": "asreml", "wald": "asreml", "vpredict": "asreml", "lmer": "lme4",
       "mutate": "dplyr", "filter": "dplyr", "select": "dplyr", "group_by": "dplyr",
       "summarise": "dplyr", "arrange": "dplyr", "read.csv": "utils", "factor": "base"}


def s_ns_prefix(s: Script) -> list[Edit]:
    out = []
    for t in s.terms:
        if t.token == "SYMBOL_FUNCTION_CALL" and t.text in _NS:
            if len(s.up(t).kids) == 1:
                out.append((t.start, t.start, f"{_NS[t.text]}::"))
    return out


def s_ns_strip(s: Script) -> list[Edit]:
    out = []
    for t in s.terms:
        if t.token == "NS_GET":
            p = s.up(t)
            if p.kids[0].text in ("asreml", "asremlPlus", "lme4", "dplyr", "stats", "base"):
                out.append((s.span(p)[0], t.end, ""))
    return out


def _pipe_rhs_ok(s: Script, rhs: Node) -> bool:
    return (s.call_args(rhs) is not None
            and not any(t.text == "." for t in s.terms
                        if t.token == "SYMBOL" and s.span(rhs)[0] <= t.start < s.span(rhs)[1]))


def s_native_pipe(s: Script) -> list[Edit]:
    return [(t.start, t.end, "|>") for t in s.terms if t.token == "SPECIAL" and t.text == "%>%"
            and _pipe_rhs_ok(s, s.up(t).kids[2])]


def s_magrittr_pipe(s: Script) -> list[Edit]:
    return [(t.start, t.end, "%>%") for t in s.terms if t.token == "PIPE"]


def _nest(s: Script, n: Node) -> str:
    """``a %>% f(b)`` / ``a |> f(b)`` as ``f(a, b)`` (recursively)."""
    k = n.kids
    if len(k) == 3 and k[1].text in ("%>%", "|>") and _pipe_rhs_ok(s, k[2]):
        lhs = _nest(s, k[0])
        rk = k[2].kids
        inner = s.src[rk[1].end:rk[-1].start]
        return f"{s.text(rk[0])}({lhs}{', ' if inner.strip() else ''}{inner.strip()})"
    return s.text(n)


def s_nested_calls(s: Script) -> list[Edit]:
    out = []
    for n in s.order:
        k = n.kids
        if (len(k) == 3 and k[1].text in ("%>%", "|>") and not s.comments_in(n)
                and not (s.up(n) and len(s.up(n).kids) == 3
                         and s.up(n).kids[1].text in ("%>%", "|>"))):
            st, en = s.span(n)
            new = _nest(s, n)
            if new != s.text(n):
                out.append((st, en, new))
    return out


def s_call_to_pipe(s: Script) -> list[Edit]:
    """``v <- f(x, ...)`` -> ``v <- x |> f(...)`` (x a name, the call a statement's value)."""
    out = []
    for n in s.order:
        ca = s.call_args(n)
        if ca is None or ca[0] in ("library", "require", "function", "c", "list", "return") \
                or not ca[1] or ca[1][0][0] is not None or ca[1][0][1] is None:
            continue
        p = s.up(n)
        if not (s.statement_level(n) or (p is not None and len(p.kids) == 3
                                         and p.kids[1].token in ("LEFT_ASSIGN", "EQ_ASSIGN")
                                         and p.kids[2] is n and s.statement_level(p))):
            continue
        first = ca[1][0][1]
        if first.kids[0].token != "SYMBOL" or len(first.kids) != 1 or s.comments_in(n):
            continue
        rest = s.src[(ca[1][1][2][0].start if len(ca[1]) > 1 else n.kids[-1].start):
                     n.kids[-1].start]
        st, en = s.span(n)
        out.append((st, en, f"{s.text(first)} |> "
                            f"{s.text(n.kids[0])}({rest.strip()})"))
    return out


def _dollars(s: Script) -> list[tuple[Node, Node, Node]]:
    out = []
    for t in s.terms:
        if t.token == "'$'":
            p = s.up(t)
            if len(p.kids) == 3 and p.kids[2].token in ("SYMBOL", "STR_CONST"):
                out.append((p, p.kids[0], p.kids[2]))
    return out


def s_double_bracket(s: Script) -> list[Edit]:
    out = []
    for p, obj, col in _dollars(s):
        name = col.text.strip("`\"'")
        out.append((s.span(p)[0], s.span(p)[1], f'{s.text(obj)}[["{name}"]]'))
    return out


_DF_READERS = ("read.csv", "read.table", "read.delim", "data.frame", "read.csv2")


def s_comma_index(s: Script) -> list[Edit]:
    """``d$a`` -> ``d[, "a"]`` for the ``d`` a script reads as a data.frame."""
    frames = set()
    for t in s.terms:
        if t.token == "LEFT_ASSIGN":
            a = s.up(t)
            rhs = a.kids[2] if len(a.kids) == 3 else None
            ca = s.call_args(rhs) if rhs is not None else None
            if ca and ca[0] in _DF_READERS and a.kids[0].kids and \
                    a.kids[0].kids[0].token == "SYMBOL":
                frames.add(a.kids[0].kids[0].text)
    return [(s.span(p)[0], s.span(p)[1], f'{s.text(obj)}[, "{col.text.strip("`")}"]')
            for p, obj, col in _dollars(s) if obj.kids and obj.kids[0].token == "SYMBOL"
            and obj.kids[0].text in frames]


def _library_calls(s: Script) -> list[Node]:
    return [n for n in s.top if (ca := s.call_args(n)) and ca[0] == "library"]


def s_require(s: Script) -> list[Edit]:
    return [(n.kids[0].start if n.kids[0].start >= 0 else s.span(n)[0],
             s.span(n.kids[0])[1], "require") for n in _library_calls(s)]


def s_suppress(s: Script) -> list[Edit]:
    return [(s.span(n)[0], s.span(n)[1], f"suppressPackageStartupMessages({s.text(n)})")
            for n in _library_calls(s)]


def s_lambda(s: Script) -> list[Edit]:
    return [(t.start, t.end, "\\") for t in s.terms if t.token == "FUNCTION"]


def _if_parts(s: Script, n: Node) -> tuple[Node, Node, Node | None] | None:
    k = n.kids
    if not k or k[0].token != "IF":
        return None
    if len(k) == 5:
        return k[2], k[4], None
    if len(k) == 7 and k[5].token == "ELSE":
        return k[2], k[4], k[6]
    return None


def _is_block(n: Node) -> bool:
    return bool(n.kids) and n.kids[0].token == "'{'"


def s_if_braces(s: Script) -> list[Edit]:
    out = []
    for n in s.order:
        parts = _if_parts(s, n)
        if parts is None:
            continue
        for body in parts[1:]:
            if body is not None and not _is_block(body) and _if_parts(s, body) is None:
                st, en = s.span(body)
                out.append((st, st, "{ "))
                out.append((en, en, " }"))
    return out


def _single(s: Script, body: Node) -> Node | None:
    if _is_block(body) and len(body.kids) == 3 and not s.comments_in(body):
        inner = body.kids[1]
        if "\n" not in s.text(inner):
            return inner
    return None


def s_if_one_line(s: Script) -> list[Edit]:
    """``if (c) {\\n a\\n} else {\\n b\\n}`` -> ``if (c) a else b``."""
    out = []
    for n in s.order:
        parts = _if_parts(s, n)
        if parts is None or s.comments_in(n):
            continue
        cond, yes, no = parts
        a = _single(s, yes) if _is_block(yes) else (yes if "\n" not in s.text(yes) else None)
        b = None if no is None else (_single(s, no) if _is_block(no) else
                                     (no if "\n" not in s.text(no) else None))
        if a is None or (no is not None and b is None) or (b is not None and _if_parts(s, b)):
            continue
        new = f"if ({s.text(cond)}) {s.text(a)}" + ("" if b is None else f" else {s.text(b)}")
        if new != s.text(n):
            out.append((*s.span(n), new))
    return out


def s_semicolons(s: Script) -> list[Edit]:
    out = []
    top = s.top
    for a, b in zip(top[::2], top[1::2]):
        gap = s.src[s.span(a)[1]:s.span(b)[0]]
        if gap == "\n" and "\n" not in s.text(a) + s.text(b):
            out.append((s.span(a)[1], s.span(b)[0], "; "))
    return out


def s_trailing_semicolon(s: Script) -> list[Edit]:
    return [(s.span(n)[1], s.span(n)[1], ";") for n in s.top]


_PATH = re.compile(r"""^["'][^"'\\]*/[^"'\\]*\.(csv|txt|rds|rda|RData|rdata|xlsx|xls|dat)["']$""")


def s_windows_paths(s: Script) -> list[Edit]:
    return [(t.start, t.end, t.text.replace("/", "\\\\")) for t in s.terms
            if t.token == "STR_CONST" and _PATH.match(t.text) and "://" not in t.text]


_ASREML_FORMALS = ["fixed", "random", "sparse", "residual", "G.param", "R.param", "data"]


def _formals(s: Script, f: str) -> list[str] | None:
    if f == "asreml":
        return _ASREML_FORMALS
    return s.formals.get(f)


def _calls(s: Script) -> list[tuple[Node, str, list, list[str]]]:
    out = []
    for n in s.order:
        ca = s.call_args(n)
        if ca is None or s.comments_in(n):
            continue
        fm = _formals(s, ca[0])
        if fm:
            out.append((n, ca[0], ca[1], fm))
    return out


def s_positional(s: Script) -> list[Edit]:
    """Named arguments in R's matching order -> positional (``fixed = y ~ x`` -> ``y ~ x``)."""
    out = []
    for _n, _f, args, fm in _calls(s):
        for i, (name, val, nodes) in enumerate(args):
            if i >= len(fm) or fm[i] == "..." or val is None:
                break
            if name is None:
                continue
            if name.strip("`\"'") != fm[i]:
                break
            out.append((nodes[0].start, s.span(val)[0], ""))
    return out


def s_named(s: Script) -> list[Edit]:
    """Positional arguments -> named by the formal they fill."""
    out = []
    for _n, f, args, fm in _calls(s):
        if f in ("library", "require"):
            continue
        named = {a[0] for a in args if a[0]}
        free = [x for x in fm if x not in named]
        for name, val, _nodes in args:
            if name is not None or val is None:
                continue
            if not free or free[0] == "...":
                break
            name = free.pop(0)
            if not re.fullmatch(r"(?:[A-Za-z]|\.(?!\d))[\w.]*", name):
                name = f"`{name}`"                      # transform(`_data` = d)
            out.append((s.span(val)[0], s.span(val)[0], f"{name} = "))
    return out


def s_partial_names(s: Script) -> list[Edit]:
    """Named arguments of R closures -> their shortest unique prefix (before ``...``)."""
    out = []
    for _n, f, args, fm in _calls(s):
        if f == "asreml":
            continue
        before = fm[:fm.index("...")] if "..." in fm else fm
        for name, val, nodes in args:
            if name is None or val is None or name not in before:
                continue
            for k in range(2, len(name)):
                pre = name[:k]
                if sum(x.startswith(pre) for x in fm) == 1 and pre not in fm:
                    out.append((nodes[0].start, nodes[0].end, pre))
                    break
    return out


def s_reorder(s: Script) -> list[Edit]:
    """The named arguments of a call in reverse order (positional ones stay in place)."""
    out = []
    for n, _f, args, fm in _calls(s):
        names = [a[0] for a in args]
        if sum(x is not None for x in names) < 2 or any(
                x is not None and x not in fm for x in names) or any(a[1] is None for a in args):
            continue
        texts = [s.src[a[2][0].start:s.span(a[2][-1])[1]] for a in args]
        named = [t for t, a in zip(texts, args) if a[0] is not None][::-1]
        new = [named.pop(0) if a[0] is not None else t for t, a in zip(texts, args)]
        st, en = args[0][2][0].start, s.span(args[-1][2][-1])[1]
        out.append((st, en, ", ".join(new)))
        _ = n
    return out


def t_crlf(src: str) -> str:
    return src.replace("\n", "\r\n")


def t_bom(src: str) -> str:
    return "\ufeff" + src


def s_tabs(s: Script) -> list[Edit]:
    out = []
    pos = 0
    for line in s.src.split("\n"):
        ind = len(line) - len(line.lstrip(" "))
        if ind:
            out.append((pos, pos + ind, "\t" * max(1, ind // 2)))
        pos += len(line) + 1
    out += [(st, en, "\t") for a, b, st, en in _gaps(s) if en > st]
    return [e for e in out if not _in_string(s, e[0])]


def _in_string(s: Script, pos: int) -> bool:
    return any(t.start < pos < t.end for t in s.terms if t.token == "STR_CONST")


STYLES: dict[str, Callable[[Script], list[Edit]] | Callable[[str], str]] = {
    "eq_assign": s_eq_assign, "right_assign": s_right_assign, "true_t": s_true_t,
    "single_quotes": s_single_quotes, "double_quotes": s_double_quotes,
    "no_spaces": s_no_spaces, "wide_spaces": s_wide_spaces, "break_args": s_break_args,
    "break_formula": s_break_formula, "comment_args": s_comment_args,
    "comment_lines": s_comment_lines, "end_comments": s_end_comments,
    "blank_lines": s_blank_lines, "no_blank_lines": s_no_blank_lines,
    "ns_prefix": s_ns_prefix, "ns_strip": s_ns_strip, "native_pipe": s_native_pipe,
    "magrittr_pipe": s_magrittr_pipe, "nested_calls": s_nested_calls,
    "call_to_pipe": s_call_to_pipe, "double_bracket": s_double_bracket,
    "comma_index": s_comma_index, "require": s_require, "suppress": s_suppress,
    "lambda": s_lambda, "if_braces": s_if_braces, "if_one_line": s_if_one_line,
    "semicolons": s_semicolons, "trailing_semicolon": s_trailing_semicolon,
    "windows_paths": s_windows_paths, "positional": s_positional, "named": s_named,
    "partial_names": s_partial_names, "reorder": s_reorder, "tabs": s_tabs,
    "crlf": t_crlf, "bom": t_bom,
}
_TEXT_STYLES = {"crlf", "bom"}


def rewrite(style: str, src: str, rdata: dict) -> str | None:
    """``src`` in ``style`` (None: the style changes nothing in it)."""
    fn = STYLES[style]
    if style in _TEXT_STYLES:
        new = fn(src)  # type: ignore[arg-type]
        return new if new != src else None
    return apply(src, fn(Script(src, rdata)))  # type: ignore[arg-type]


# ----- R's side ----------------------------------------------------------------------------

def r_tokens(paths: list[Path], work: Path) -> dict[str, dict]:
    out = work / "tokens.json"
    subprocess.run(["Rscript", str(HERE / "rstyle_tokens.R"), str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=600)
    return json.loads(out.read_text(encoding="utf-8"))


def r_same(pairs: list[tuple[Path, Path]], work: Path) -> list[str]:
    if not pairs:
        return []
    tsv, out = work / "pairs.tsv", work / "same.tsv"
    tsv.write_text("".join(f"{a}\t{b}\n" for a, b in pairs))
    subprocess.run(["Rscript", str(HERE / "rstyle_same.R"), str(tsv), str(out)], check=True,
                   capture_output=True, timeout=1800)
    return out.read_text().split()


# ----- translate's side --------------------------------------------------------------------

_PY_CALL = re.compile(r"\basr\.asreml\(")
_TODO = re.compile(r"#\s*TODO\(asr_py\)")


@dataclass
class Py:
    crashed: str = ""
    valid: bool = False
    calls: int = 0
    todos: int = 0
    tree: str = ""
    code: str = ""


def py_of(src: str) -> Py:
    from asr_py.translate import translate

    res = Py()
    try:
        res.code = translate(src)
    except Exception as exc:  # noqa: BLE001 - a crash is what is measured
        res.crashed = f"{type(exc).__name__}: {exc}"
        return res
    try:
        compile(res.code, "<style>", "exec")
        res.valid = True
        res.tree = ast.dump(ast.parse(res.code))
    except SyntaxError as exc:
        res.crashed = f"SyntaxError line {exc.lineno}: {exc.msg}"
    lines = [ln for ln in res.code.splitlines() if not ln.lstrip().startswith("#")]
    res.calls = sum(len(_PY_CALL.findall(ln)) for ln in lines)
    res.todos = len(_TODO.findall(res.code))
    return res


def compare(a: Py, b: Py) -> str:
    """'' when the two translations agree; else what differs."""
    if b.crashed and not a.crashed:
        return f"rewrite: {b.crashed}"
    if a.crashed:
        return "" if b.crashed else "original crashed only"
    diffs = []
    if a.calls != b.calls:
        diffs.append(f"asr.asreml calls {a.calls} -> {b.calls}")
    if a.todos != b.todos:
        diffs.append(f"TODOs {a.todos} -> {b.todos}")
    return "; ".join(diffs)


# ----- the scripts -------------------------------------------------------------------------

def snippet_scripts() -> list[tuple[str, str]]:
    out = []
    for d in SNIPPET_DIRS:
        for p in sorted(d.glob("*.R")):
            out.append((str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")))
    return out


def corpus_scripts(match: str) -> list[tuple[str, str, dict]]:
    """The corpus scripts that ran (the lead's log), read from the mirrors: (name, text, row)."""
    sys.path.insert(0, str(HERE))
    import translate_corpus as tc

    ran = set()
    if LOG.exists():
        for ln in LOG.read_text(errors="replace").splitlines():
            m = re.search(r"\sok ran \[.*\]\s+(\S+)\s*$", ln)
            if m:
                ran.add(m.group(1))
    out = []
    for row in tc.read_index():
        name = f"{row['repo']}/{row['path']}"
        if name not in ran or (match and not re.search(match, name)) \
                or not name.lower().endswith(".r"):
            continue
        gd = tc._git_dir(row["repo"])
        if gd is None:
            continue
        text = tc._git(gd, "show", f"{row['commit']}:{row['path']}").decode(errors="replace")
        out.append((name, text, row))
    return out


_NUM = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+")


def numbers(out: str) -> list[float]:
    return [float(x) for x in _NUM.findall(out)]


def same_numbers(a: list[float], b: list[float], rtol: float = 1e-6) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= rtol * max(1.0, abs(x), abs(y))
                                    for x, y in zip(a, b))


def run_both(row: dict, name: str, pys: dict[str, str], timeout: float) -> dict[str, str]:
    """Run each translation (key: style, '' the original) in the script's tree; the style
    -> '' when it printed the original's numbers, else what differs."""
    import os

    sys.path.insert(0, str(HERE))
    import translate_corpus as tc

    tmp = Path(tempfile.mkdtemp(prefix="asr_style_"))
    gd = tc._git_dir(row["repo"])
    tc._checkout(gd, row["commit"], tmp)
    text = pys.get("__text__", "")
    here = tmp / Path(row["path"]).parent
    ins = tc._inputs(tc.r_code_of(text, row["path"]), pys.get("", ""))
    where = here if all(tc._exists(here, p) for p in ins) else tmp   # as the corpus runner
    keep = tmp / "_out"
    os.environ["ASR_CORPUS_KEEP_OUTPUT"] = str(keep)
    tc._CHILD_ENV["ASR_PY_SOURCE_CACHE"] = str(tmp / "_source_cache")
    tc.prefill_source_cache(text, gd, row["commit"], tmp / "_source_cache")
    outs: dict[str, tuple[bool, list[float]]] = {}
    for style, py in pys.items():
        if style == "__text__":
            continue
        res = tc.Result(f"{style or 'orig'}")
        tc._run_script(py, where, timeout, res, f"_{style}")
        text = (keep / f"{style or 'orig'}.out").read_text(errors="replace")
        outs[style] = (bool(res.ran), numbers(text.split("\n--- stderr ---\n")[0]))
    del os.environ["ASR_CORPUS_KEEP_OUTPUT"]
    ran0, nums0 = outs.pop("")
    verdict = {}
    for style, (ran, nums) in outs.items():
        if not ran0:
            verdict[style] = "skip: the original did not run"
        elif ran != ran0:
            verdict[style] = f"ran {ran0} -> {ran}"
        elif not same_numbers(nums0, nums):
            verdict[style] = f"numbers differ ({len(nums0)} vs {len(nums)} printed)"
        else:
            verdict[style] = ""
    verdict[""] = f"original: {'ran' if ran0 else 'FAILED'}, {len(nums0)} numbers printed"
    return verdict


RECORD = ROOT / "tests" / "translate" / "style" / "recorded.json"


def replay(entry: dict) -> dict:
    """R's parse data of a :data:`RECORD` entry, as :func:`r_tokens` gives it."""
    keys = ("id", "parent", "token", "terminal", "line1", "text")
    return {"ok": True, "formals": entry["formals"],
            "tokens": [dict(zip(keys, t)) for t in entry["tokens"]]}


def record(scripts: list[tuple[str, str]], files: list[Path], toks: dict[str, dict],
           cases: list[tuple[str, str, Path, Path]], verdicts: list[str]) -> None:
    """R's tokens of each script of tests/translate/style and the styles whose rewrite R
    reads as the same program: tests/translate/test_translate_style.py replays them
    without R."""
    out: dict[str, dict] = {}
    for (name, _), p in zip(scripts, files):
        if name.startswith("tests/translate/style/") and toks.get(str(p), {}).get("ok"):
            tokens = [[t["id"], t["parent"], t["token"], int(t["terminal"]), t["line1"],
                       t["text"] if t["terminal"] else ""] for t in toks[str(p)]["tokens"]]
            out[name] = {"tokens": tokens, "formals": toks[str(p)]["formals"], "same": []}
    for (name, style, _, _), v in zip(cases, verdicts):
        if name in out and v == "same":
            out[name]["same"].append(style)
    RECORD.write_text(json.dumps(out, indent=None, sort_keys=True, separators=(",", ":"))
                      + "\n")
    print(f"wrote {RECORD.relative_to(ROOT)}: {len(out)} scripts, "
          f"{sum(len(v['same']) for v in out.values())} rewrites")


# ----- main --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="store_true", help="corpus scripts that ran (mirrors)")
    ap.add_argument("--match", default="", help="regex on the script's name")
    ap.add_argument("--styles", default="", help="comma-separated styles (default: all)")
    ap.add_argument("--run", action="store_true", help="run corpus scripts, compare numbers")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--record", action="store_true",
                    help=f"write R's tokens and verdicts of the snippets to {RECORD.name}")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args(argv)
    styles = a.styles.split(",") if a.styles else list(STYLES)
    rows: dict[str, dict] = {}
    if a.corpus:
        scripts = []
        for name, text, row in corpus_scripts(a.match):
            scripts.append((name, text))
            rows[name] = row
    else:
        scripts = [(n, t) for n, t in snippet_scripts() if not a.match or re.search(a.match, n)]
    work = Path(tempfile.mkdtemp(prefix="asr_stylefuzz_"))
    files = []
    for i, (_name, text) in enumerate(scripts):
        p = work / f"s{i}.R"
        p.write_text(text.lstrip("\ufeff").replace("\r\n", "\n"), encoding="utf-8")
        files.append(p)
    toks = r_tokens(files, work)
    cases: list[tuple[str, str, Path, Path]] = []     # (script, style, orig, rewrite)
    unreadable = 0
    for (name, _text), p in zip(scripts, files):
        rdata = toks.get(str(p))
        if not rdata or not rdata.get("ok"):
            unreadable += 1
            continue
        src = p.read_text(encoding="utf-8")
        for style in styles:
            try:
                new = rewrite(style, src, rdata)
            except Exception as exc:  # noqa: BLE001 - a fuzzer fault, reported
                print(f"fuzzer fault {style} {name}: {type(exc).__name__}: {exc}")
                continue
            if new is None:
                continue
            q = work / f"{p.stem}.{style}.R"
            q.write_bytes(new.encode("utf-8"))
            cases.append((name, style, p, q))
    verdicts = r_same([(c[2], c[3]) for c in cases], work)
    if a.record:
        record(scripts, files, toks, cases, verdicts)
        return 0
    tried = differences = astdiff = not_same = 0
    per_style: dict[str, list[int]] = {}
    base: dict[str, Py] = {}
    runs: dict[str, dict[str, str]] = {}
    for (name, style, p, q), v in zip(cases, verdicts):
        st = per_style.setdefault(style, [0, 0, 0])
        if v != "same":
            not_same += 1
            if a.v:
                print(f"R-not-same[{v}] {style:15s} {name}")
            continue
        tried += 1
        st[0] += 1
        if name not in base:
            base[name] = py_of(p.read_text(encoding="utf-8"))
        new = py_of(q.read_bytes().decode("utf-8"))
        diff = compare(base[name], new)
        if diff:
            differences += 1
            st[1] += 1
            print(f"DIFFER {style:15s} {name}: {diff}   [{q}]")
        elif base[name].tree != new.tree:
            astdiff += 1
            st[2] += 1
            if a.v:
                print(f"ast    {style:15s} {name}   [{q}]")
        if a.run and name in rows and not diff and base[name].valid:
            runs.setdefault(name, {"": base[name].code, "__text__": p.read_text()})[style] = \
                new.code
    n_run = run_diff = 0
    for name, pys in runs.items():
        verdict = run_both(rows[name], name, pys, a.timeout)
        print(f"run {name}: {verdict.pop('')}")
        for style, d in verdict.items():
            if d.startswith("skip"):
                continue
            n_run += 1
            run_diff += bool(d)
            if d or a.v:
                print(f"{'RUN-DIFFER' if d else 'run-same'} {style:15s} {name}: {d}")
    print(f"scripts {len(scripts)} (R cannot parse {unreadable}); styles {len(styles)}; "
          f"rewrites R reads as the same program {tried} (others dropped: {not_same})")
    print(f"translate differences (crash/invalid/asr.asreml calls/TODOs) {differences}; "
          f"Python syntax tree differs otherwise {astdiff}")
    if a.run:
        print(f"runs compared {n_run}; printed numbers differ {run_diff}")
    if a.v:
        for style, (n, d, t) in per_style.items():
            print(f"  {style:18s} tried {n:4d}  differ {d:3d}  ast {t:3d}")
    return 1 if differences or run_diff else 0


if __name__ == "__main__":
    sys.exit(main())
