"""``translate()``: asreml-R scripts (asreml 3 and 4 syntax) -> Python using asr_py and pandas.

A small R front end: a tokenizer (strings, comments, numbers, names, backticks, ``%op%``), a
statement splitter (newlines inside brackets or after a binary operator continue the
statement), a Pratt parser for R expressions, and a printer that rewrites the asreml calls
(``asreml`` with ``weights``, ``predict`` with ``sed``/``vcov`` and ``$sed``/``$avsed``,
``wald`` with ``denDF``/``ssType``, ``varioGram``/``plot(varioGram())``, ``vpredict``/``pin``,
``update``, ``asreml.options(maxit)``, ``summary(m)$varcomp``, ``coef``, ``fitted``, ``resid``,
``asreml.Ainverse``/``ainverse``, ``read.csv``, ``as.factor`` conversions...). It tracks which
names hold fits (and their spatial residual coordinates), predictions and Wald tables. A
statement it cannot translate is kept as ``# TODO(asr_py): <original line>`` comments;
nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from asr_py.errors import AsrError

# ---------------------------------------------------------------------------------------------
# tokens
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\f]+)
  | (?P<comment>\#[^\n]*)
  | (?P<nl>\n)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?)
  | (?P<name>`[^`]*`|(?:[A-Za-z]|\.(?!\d))[A-Za-z0-9._]*)
  | (?P<op><<-|<-|->|==|!=|<=|>=|&&|\|\||%[^%\n]*%|\[\[|[-+*/^~$@:=<>!&|,;()\[\]{}?])
""", re.VERBOSE)


@dataclass
class Tok:
    kind: str
    text: str
    start: int
    end: int


def tokenize(code: str) -> list[Tok]:
    """R source -> tokens (whitespace dropped; comments and newlines kept)."""
    out: list[Tok] = []
    pos = 0
    while pos < len(code):
        m = _TOKEN.match(code, pos)
        if m is None:
            line = code.count("\n", 0, pos) + 1
            raise AsrError(f"translate: cannot read R code at line {line}: "
                           f"{code[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append(Tok(kind, m.group(), m.start(), m.end()))
        pos = m.end()
    return out


_BINARY = {"+", "-", "*", "/", "^", "~", "$", "@", ":", "=", "<-", "<<-", "==", "!=", "<",
           ">", "<=", ">=", "&", "|", "&&", "||", ","}


@dataclass
class Statement:
    tokens: list[Tok]
    comments: list[str]
    start: int
    end: int


def statements(code: str) -> list[Statement | str]:
    """Split into statements; a str item is a comment or blank line kept as is."""
    toks = tokenize(code)
    out: list[Statement | str] = []
    cur: list[Tok] = []
    trailing: list[str] = []
    depth = 0
    prev_nl = True
    for t in toks:
        if t.kind == "comment":
            if cur:
                trailing.append(t.text)
            else:
                out.append(t.text)
            prev_nl = False
            continue
        if t.kind == "nl" or (t.text == ";" and depth == 0):
            if not cur:
                if t.kind == "nl" and prev_nl and out and out[-1] != "":
                    out.append("")
                prev_nl = t.kind == "nl"
                continue
            last = cur[-1]
            cont = depth > 0 or (last.kind == "op" and last.text in _BINARY)
            if not cont:
                out.append(Statement(cur, trailing, cur[0].start, cur[-1].end))
                cur, trailing = [], []
                prev_nl = True
                if t.kind == "nl":
                    continue
            continue
        prev_nl = False
        if t.text in ("(", "[", "[[", "{"):
            depth += 1
        elif t.text in (")", "]", "}"):
            depth -= 1
        cur.append(t)
    if cur:
        out.append(Statement(cur, trailing, cur[0].start, cur[-1].end))
    while out and out[-1] == "":
        out.pop()
    return out


# ---------------------------------------------------------------------------------------------
# R syntax tree and parser
# ---------------------------------------------------------------------------------------------


class Untranslatable(Exception):
    """Raised for R code outside the translated subset."""


@dataclass
class R:
    kind: str                  # name num str call bin unary index formula dollar
    value: str = ""
    args: list[tuple[str | None, R]] = field(default_factory=list)
    left: R | None = None
    right: R | None = None
    start: int = 0
    end: int = 0


_PREC = {"<-": 1, "<<-": 1, "=": 1, "~": 3, "||": 4, "|": 4, "&&": 5, "&": 5,
         "==": 7, "!=": 7, "<": 7, ">": 7, "<=": 7, ">=": 7, "+": 8, "-": 8, "*": 9, "/": 9,
         "%%": 10, ":": 11, "^": 13}
_RIGHT = {"<-", "<<-", "=", "^"}


class Parser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, text: str | None = None) -> Tok:
        t = self.peek()
        if t is None or (text is not None and t.text != text):
            raise Untranslatable(f"expected {text!r}")
        self.i += 1
        return t

    def parse(self) -> R:
        e = self.expr(0)
        if self.peek() is not None:
            raise Untranslatable(f"unexpected {self.peek().text!r}")  # type: ignore[union-attr]
        return e

    def _prec(self, t: Tok) -> int | None:
        if t.kind != "op":
            return None
        if t.text.startswith("%") and len(t.text) > 1:
            return 10
        return _PREC.get(t.text)

    def expr(self, minp: int) -> R:
        t = self.peek()
        if t is None:
            raise Untranslatable("unexpected end")
        if t.text == "~":  # one-sided formula
            self.take()
            rhs = self.expr(_PREC["~"] + 1)
            left = R("formula", right=rhs, start=t.start, end=rhs.end)
        elif t.text in ("-", "+", "!"):
            self.take()
            operand = self.expr(12)
            left = R("unary", t.text, right=operand, start=t.start, end=operand.end)
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
            else:
                left = R("bin", t.text, left=left, right=rhs, start=left.start, end=rhs.end)
        return left

    def atom(self) -> R:
        t = self.take()
        if t.kind == "num":
            return R("num", t.text.rstrip("L"), start=t.start, end=t.end)
        if t.kind == "str":
            return R("str", _unquote(t.text), start=t.start, end=t.end)
        if t.kind == "name":
            if t.text in ("function", "for", "if", "while", "repeat"):
                raise Untranslatable(t.text)
            return R("name", t.text.strip("`"), start=t.start, end=t.end)
        if t.text == "(":
            e = self.expr(0)
            close = self.take(")")
            return R("paren", right=e, start=t.start, end=close.end)
        raise Untranslatable(f"unexpected {t.text!r}")

    def postfix(self, e: R) -> R:
        while True:
            t = self.peek()
            if t is None:
                return e
            if t.text == "(":
                self.take()
                args = self.arglist(")")
                end = self.take(")").end
                e = R("call", e.value if e.kind == "name" else "", args, left=e,
                      start=e.start, end=end)
            elif t.text in ("$", "@"):
                self.take()
                n = self.take()
                e = R("dollar", n.text.strip("`\"'"), left=e, start=e.start, end=n.end)
            elif t.text in ("[", "[["):
                self.take()
                args = self.arglist("]")
                end = self.take("]").end
                if t.text == "[[":
                    end = self.take("]").end
                e = R("index", t.text, args, left=e, start=e.start, end=end)
            else:
                return e

    def arglist(self, close: str) -> list[tuple[str | None, R]]:
        args: list[tuple[str | None, R]] = []
        while True:
            t = self.peek()
            if t is None:
                raise Untranslatable("unclosed call")
            if t.text == close:
                return args
            if t.text == ",":
                self.take()
                args.append((None, R("empty")))
                continue
            name = None
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
            if t.kind in ("name", "str") and nxt is not None and nxt.text == "=":
                name = t.text.strip("`\"'")
                self.i += 2
            args.append((name, self.expr(2)))
            t = self.peek()
            if t is not None and t.text == ",":
                self.take()


def _unquote(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


# ---------------------------------------------------------------------------------------------
# printer
# ---------------------------------------------------------------------------------------------

_SIMPLE_FUNCS = {"print": "print", "sqrt": "np.sqrt", "log": "np.log", "exp": "np.exp",
                 "mean": "np.mean", "abs": "np.abs", "round": "np.round", "sum": "np.sum",
                 "cor": "np.corrcoef", "var": "np.var"}
_FIT_ATTRS = {"loglik": "loglik", "converge": "converged", "aic": "aic", "bic": "bic",
              "residuals": "residuals", "fitted.values": "fitted"}
#: predict(..., sed = TRUE / vcov = TRUE) components -> the prediction table's attrs
_PREDICT_ATTRS = {"sed": ".attrs['sed']", "avsed": ".attrs['avsed']['mean']",
                  "vcov": ".attrs['vcov']"}
#: wald(denDF =) values of asreml -> asr_py's (algebraic df: asr_py computes them numerically)
_DENDF = {"none": "none", "default": "default", "numeric": "numeric", "algebraic": "numeric"}
_SSTYPE = ("incremental", "conditional")
_SUMMARY_ATTRS = {"varcomp": "varcomp", "coef.fixed": "coef_fixed", "coef.random":
                  "coef_random", "loglik": "loglik", "aic": "aic", "bic": "bic"}
_ASREML_ARGS = {"fixed": "fixed", "random": "random", "residual": "residual",
                "rcov": "residual", "sparse": "sparse", "data": "data", "maxit": "maxit",
                "maxiter": "maxit", "trace": "trace", "start.values": "start_values",
                "na.action": "na_action", "na.method.X": "na_action", "na.method.Y": "na_action"}
_TODO_ARGS = {"G.param", "R.param", "workspace", "pworkspace", "family", "knots",
              "group", "mbf", "equate.levels", "predict", "aom", "ai.sing", "Cfixed", "options"}
#: correlation structures that make an f(Row):g(Col) residual spatial
_SPATIAL_FUN = re.compile(r"(?:ar[123][vh]?|ma[12]|sar[v]?|exp[vh]?|gau[vh]?|iexp|igau|ieuc)")
_COORD = re.compile(r"^(?:([A-Za-z][\w]*)\(\s*([A-Za-z.][\w.]*)\s*(?:,.*)?\)|([A-Za-z.][\w.]*))$")


def _split_top(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets."""
    out, depth, last = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(text[last:i].strip())
            last = i + 1
    out.append(text[last:].strip())
    return out


def spatial_coords(residual: str) -> tuple[str, str] | None:
    """(row, col) of the first two-factor term f(Row):g(Col) of a residual formula with a
    spatial correlation (ar1, ar2, ma1, exp, gau, ...) in at least one factor; None if none."""
    text = residual.strip().lstrip("~")
    for term in _split_top(text, "+"):
        parts = _split_top(term, ":")
        if len(parts) != 2:
            continue
        found = [_COORD.match(x) for x in parts]
        if not all(found):
            continue
        names = [m.group(2) or m.group(3) for m in found if m is not None]
        funs = [m.group(1) or "" for m in found if m is not None]
        if any(_SPATIAL_FUN.fullmatch(f) for f in funs) and "units" not in names:
            return names[0], names[1]
    return None


class Translator:
    """Statement-by-statement translation with a little state (which names are fits)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.fits: set[str] = set()
        self.preds: dict[str, set[str]] = {}    # predict() results -> {'sed', 'vcov'}
        self.walds: set[str] = set()            # names bound to wald() results
        self.variograms: set[str] = set()       # names bound to varioGram() results
        self.spatial: dict[str, tuple[str, str]] = {}   # fit -> (row, col) of its residual
        self.maxit = False                      # asreml.options(maxit = k) seen: MAXIT
        self.uses_np = False
        self.todo: list[str] = []

    # ----- helpers -------------------------------------------------------------------------
    def src(self, e: R) -> str:
        return " ".join(self.code[e.start:e.end].split())

    def py(self, e: R) -> str:
        k = e.kind
        if k == "num":
            return e.value
        if k == "str":
            return repr(e.value)
        if k == "name":
            return {"TRUE": "True", "T": "True", "FALSE": "False", "F": "False",
                    "NULL": "None", "NA": "None", "Inf": "float('inf')"}.get(e.value,
                                                                             _pyname(e.value))
        if k == "paren":
            return f"({self.py(e.right)})"  # type: ignore[arg-type]
        if k == "unary":
            op = "not " if e.value == "!" else e.value
            return f"{op}{self.py(e.right)}"  # type: ignore[arg-type]
        if k == "formula":
            return repr(self.src(e))
        if k == "bin":
            return self.binop(e)
        if k == "dollar":
            return self.dollar(e)
        if k == "call":
            return self.call(e)
        if k == "index":
            return self.index(e)
        raise Untranslatable(k)

    def binop(self, e: R) -> str:
        assert e.left is not None and e.right is not None
        op = {"^": "**", "&&": "and", "||": "or", "&": "&", "|": "|"}.get(e.value, e.value)
        if e.value in ("<-", "<<-", "=", ":") or e.value.startswith("%"):
            if e.value == ":" and e.left.kind == "num" and e.right.kind == "num":
                return f"range({e.left.value}, {e.right.value} + 1)"
            raise Untranslatable(e.value)
        return f"{self.py(e.left)} {op} {self.py(e.right)}"

    def dollar(self, e: R) -> str:
        assert e.left is not None
        obj = e.left
        # summary(m)$varcomp and friends
        if obj.kind == "call" and obj.value == "summary" and obj.args:
            m = self.py(obj.args[0][1])
            if e.value in _SUMMARY_ATTRS:
                return f"{m}.{_SUMMARY_ATTRS[e.value]}"
            raise Untranslatable(f"summary()${e.value}")
        if obj.kind == "call" and obj.value == "predict":
            if e.value == "pvals" or e.value == "predictions":
                return self.predict(obj)
            if e.value in _PREDICT_ATTRS:
                # asreml 4 always returns avsed; asr_py computes it with sed=True
                need = "vcov" if e.value == "vcov" else "sed"
                return self.predict(obj, need) + _PREDICT_ATTRS[e.value]
            raise Untranslatable(f"predict()${e.value}")
        if obj.kind == "name" and obj.value in self.preds:
            if e.value in ("pvals", "predictions"):
                return self.py(obj)
            need = "vcov" if e.value == "vcov" else "sed"
            if e.value in _PREDICT_ATTRS and need in self.preds[obj.value]:
                return self.py(obj) + _PREDICT_ATTRS[e.value]
            if e.value in _PREDICT_ATTRS:
                raise Untranslatable(f"{obj.value}${e.value}: add {need} = TRUE to the "
                                     f"predict() call that made {obj.value}")
            raise Untranslatable(f"predict()${e.value}")
        if (obj.kind == "call" and obj.value in ("wald", "wald.asreml")) or (
                obj.kind == "name" and obj.value in self.walds):
            if e.value == "Wald":  # asreml 4's list(Wald = , stratumVariances = )
                return self.py(obj)
            raise Untranslatable(f"wald()${e.value} (asr_py's wald() is the Wald table)")
        if obj.kind == "call" and obj.value == "coef" and len(obj.args) == 1 \
                and self.is_fit(obj.args[0][1]):
            which = {"fixed": "coef_fixed", "random": "coef_random"}.get(e.value)
            if which:
                return f"{self.py(obj.args[0][1])}.{which}['solution']"
            raise Untranslatable(f"coef()${e.value}")
        if obj.kind == "call" and obj.value == "asreml" and e.value in (
                "vparameters.table", "gammas.table") and any(
                n == "start.values" for n, _ in obj.args):
            return self.call(obj)
        if obj.kind == "call" and obj.value == "asreml.Ainverse" and e.value == "ginv":
            return self.call(obj)
        if obj.kind == "dollar" and obj.value == "coefficients" and obj.left is not None \
                and self.is_fit(obj.left):
            which = {"fixed": "coef_fixed", "random": "coef_random"}.get(e.value)
            if which:
                return f"{self.py(obj.left)}.{which}['solution']"
        if self.is_fit(obj):
            if e.value in _FIT_ATTRS:
                return f"{self.py(obj)}.{_FIT_ATTRS[e.value]}"
            if e.value in ("vparameters", "gammas", "components"):
                return f"{self.py(obj)}.varcomp['component']"
            raise Untranslatable(f"fit${e.value}")
        return f"{self.py(obj)}[{e.value!r}]"

    def index(self, e: R) -> str:
        assert e.left is not None
        args = [a for _, a in e.args]
        if e.value == "[[" and len(args) == 1:
            return f"{self.py(e.left)}[{self.py(args[0])}]"
        raise Untranslatable("indexing")

    def is_fit(self, e: R) -> bool:
        return e.kind == "name" and e.value in self.fits

    def kwargs(self, args: list[tuple[str | None, R]]) -> list[str]:
        out = []
        for name, a in args:
            if name is None:
                out.append(self.py(a))
            else:
                out.append(f"{_pyname(name)}={self.py(a)}")
        return out

    # ----- calls ---------------------------------------------------------------------------
    def call(self, e: R) -> str:
        f = e.value
        args = e.args
        pos = [a for n, a in args if n is None]
        if f in ("library", "require", "requireNamespace"):
            pkg = self.src(pos[0]).strip("\"'") if pos else ""
            if pkg in ("asreml", "asremlPlus", "pedicure"):
                return "__IMPORT__"
            raise Untranslatable(f"library({pkg})")
        if f in ("read.csv", "read.table", "read.delim"):
            return self.read_csv(e)
        if f in ("asreml", "asreml.fit"):
            return self.asreml(e)
        if f == "update":
            if not pos:
                raise Untranslatable("update()")
            rest = [(n, a) for n, a in args if a is not pos[0]]
            return f"{self.py(pos[0])}.update({', '.join(self.asreml_args(rest, e))})"
        if f in ("ainverse", "asreml.Ainverse"):
            if len(pos) != 1:
                raise Untranslatable(f"{f} options")
            return f"asr.ainverse({self.py(pos[0])})"
        if f == "predict":
            return self.predict(e)
        if f == "wald" or f == "wald.asreml":
            return self.wald(e)
        if f in ("varioGram", "varioGram.asreml"):
            return self.variogram(e)
        if f == "plot" and len(args) == 1:
            x = pos[0] if pos else R("empty")
            if x.kind == "call" and x.value in ("varioGram", "varioGram.asreml"):
                fit = self.variogram_fit(x)
                row, col = self.variogram_coords(x, fit)
                return f"asr.plot_variogram({self.py(fit)}, {row!r}, {col!r})"
            if x.kind == "name" and x.value in self.variograms:
                return f"asr.plot_variogram({self.py(x)})"
            raise Untranslatable("plot()")
        if f in ("fitted", "fitted.values", "resid", "residuals") and len(args) == 1 \
                and pos and self.is_fit(pos[0]):
            attr = "fitted" if f.startswith("fitted") else "residuals"
            return f"{self.py(pos[0])}.{attr}"
        if f == "coef" and len(args) == 1 and pos and self.is_fit(pos[0]):
            raise Untranslatable("coef(m) (use coef(m)$fixed or coef(m)$random)")
        if f in ("vpredict", "pin"):
            if len(pos) != 2 or pos[1].kind != "formula":
                raise Untranslatable(f)
            return f"{self.py(pos[0])}.vpredict({self.src(pos[1])!r})"
        if f == "summary" and len(args) == 1:
            x = pos[0]
            return f"{self.py(x)}.summary()" if self.is_fit(x) else f"{self.py(x)}.describe()"
        if f == "summary" and len(pos) == 1 and self.is_fit(pos[0]) and all(
                n in ("coef", "vparameters", "all") for n, _ in args if n is not None):
            return f"{self.py(pos[0])}.summary()"
        if f in ("AIC", "BIC", "logLik") and len(args) == 1:
            return f"{self.py(pos[0])}.{f.lower().replace('loglik', 'loglik')}"
        if f == "lrt" or f == "lrt.asreml":
            return f"asr.lrt({', '.join(self.kwargs(args))})"
        if f in ("as.factor", "factor") and len(args) == 1:
            return f"{self.py(pos[0])}.astype(str)"
        if f in ("as.numeric", "as.double") and len(args) == 1:
            return f"{self.py(pos[0])}.astype(float)"
        if f == "head":
            n = self.py(args[1][1]) if len(args) > 1 else ""
            return f"{self.py(pos[0])}.head({n})"
        if f == "nrow" and len(args) == 1:
            return f"len({self.py(pos[0])})"
        if f in ("c", "list"):
            if all(n is None for n, _ in args):
                return "[" + ", ".join(self.py(a) for _, a in args) + "]"
            if all(n is not None for n, _ in args):
                return "{" + ", ".join(f"{n!r}: {self.py(a)}" for n, a in args) + "}"
            raise Untranslatable("mixed c()/list()")
        if f == "na.method":
            return "{" + ", ".join(f"{(n or 'y').lower()!r}: {self.py(a)}"
                                   for n, a in args) + "}"
        if f in ("write.csv", "write.table") and pos:
            rest = [a for n, a in args if n == "file"] or pos[1:2]
            if not rest:
                raise Untranslatable(f)
            return f"{self.py(pos[0])}.to_csv({self.py(rest[0])})"
        if f == "cat":
            return "print(" + ", ".join(self.kwargs([(n, a) for n, a in args
                                                       if n != "sep"])) + ", sep='')"
        if f == "paste0" or f == "paste":
            return "''.join(str(x) for x in [" + ", ".join(self.py(a) for _, a in args) + "])"
        if f in _SIMPLE_FUNCS and all(n is None for n, _ in args):
            py = _SIMPLE_FUNCS[f]
            if py.startswith("np."):
                self.uses_np = True
            return f"{py}({', '.join(self.py(a) for a in pos)})"
        raise Untranslatable(f"{f}()")

    def read_csv(self, e: R) -> str:
        out = []
        named = {n: a for n, a in e.args if n is not None}
        pos = [a for n, a in e.args if n is None]
        path = named.get("file", pos[0] if pos else None)
        if path is None:
            raise Untranslatable("read.csv without a file")
        out.append(self.py(path))
        if e.value == "read.table" and "sep" not in named:
            out.append("sep=r'\\s+'")
        if e.value == "read.delim" and "sep" not in named:
            out.append("sep='\\t'")
        for n, a in named.items():
            if n == "file":
                continue
            if n == "sep":
                out.append(f"sep={self.py(a)}")
            elif n == "na.strings":
                out.append(f"na_values={self.py(a)}")
            elif n in ("header", "stringsAsFactors", "strip.white", "as.is"):
                if n == "header" and self.py(a) == "False":
                    out.append("header=None")
            else:
                raise Untranslatable(f"read.csv({n}=)")
        return f"pd.read_csv({', '.join(out)})"

    def predict(self, e: R, need: str | None = None) -> str:
        """``predict(m, classify = ...)``; ``need`` ('sed'/'vcov') adds that option."""
        pos = [a for n, a in e.args if n is None]
        if not pos:
            raise Untranslatable("predict()")
        kw = []
        for n, a in e.args:
            if n is None:
                if a is not pos[0]:
                    raise Untranslatable("predict() positional")
                continue
            if n == "classify":
                kw.append(f"classify={self.py(a)}")
            elif n == "levels":
                kw.append(f"levels={self.py(a)}")
            elif n in ("sed", "vcov") and a.kind == "name" and a.value in (
                    "TRUE", "T", "FALSE", "F"):
                if a.value in ("TRUE", "T"):
                    kw.append(f"{n}=True")
            elif n in ("sed", "vcov", "present", "average", "ignore", "aliased"):
                self.todo.append(f"predict({n}=...) is not translated; asr_py predict() gives "
                                 "predicted.value and std.error")
            else:
                raise Untranslatable(f"predict({n}=)")
        if need and f"{need}=True" not in kw:
            kw.append(f"{need}=True")
        return f"{self.py(pos[0])}.predict({', '.join(kw)})"

    def wald(self, e: R) -> str:
        """``wald(m, denDF = "numeric", ssType = "conditional")`` -> ``m.wald(...)``."""
        pos = [a for n, a in e.args if n is None]
        if len(pos) != 1:
            raise Untranslatable("wald() arguments")
        kw = []
        for n, a in e.args:
            if n is None:
                continue
            value = a.value.lower() if a.kind == "str" else None
            if n == "denDF" and value in _DENDF:
                if value == "algebraic":
                    self.todo.append("wald(denDF = \"algebraic\"): asr_py computes the "
                                     "denominator df numerically (Kenward-Roger)")
                kw.append(f"denDF={_DENDF[value]!r}")
            elif n == "ssType" and value in _SSTYPE:
                kw.append(f"ssType={value!r}")
            else:
                raise Untranslatable(f"wald({n} = {self.src(a)})")
        return f"{self.py(pos[0])}.wald({', '.join(kw)})"

    def variogram_fit(self, e: R) -> R:
        pos = [a for n, a in e.args if n is None]
        if len(e.args) != 1 or not pos or not self.is_fit(pos[0]):
            raise Untranslatable("varioGram() of something other than a fit")
        return pos[0]

    def variogram_coords(self, e: R, fit: R) -> tuple[str, str]:
        coords = self.spatial.get(fit.value)
        if coords is None:
            raise Untranslatable(
                f"varioGram({fit.value}): no f(Row):g(Col) residual seen for {fit.value}; use "
                f"{_pyname(fit.value)}.variogram(row='Row', col='Col') with your coordinate "
                "columns")
        return coords

    def variogram(self, e: R) -> str:
        """asreml's varioGram(m) takes the coordinates from m's spatial residual."""
        fit = self.variogram_fit(e)
        row, col = self.variogram_coords(e, fit)
        return f"{self.py(fit)}.variogram({row!r}, {col!r})"

    def asreml_args(self, args: list[tuple[str | None, R]], call: R) -> list[str]:
        out: list[str] = []
        formulas: list[str] = []
        giv: dict[str, str] = {}
        na: list[str] = []
        for n, a in args:
            if n == "ginverse" and a.kind == "call" and a.value == "list":
                for gn, ga in a.args:
                    if gn is None:
                        raise Untranslatable("ginverse list without names")
                    giv[gn] = self.py(ga)
        pos_i = 0
        for n, a in args:
            if n is None:
                n = ["fixed", "random"][pos_i] if pos_i < 2 else None
                pos_i += 1
                if n is None:
                    raise Untranslatable("asreml() positional argument")
            if n == "ginverse":
                continue
            if n in ("G.param", "R.param") and a.kind == "dollar" and a.value == n \
                    and a.left is not None and self.is_fit(a.left):
                # another fit's estimates as start values (asreml matches them by name)
                arg = f"params={self.py(a.left)}.params"
                if arg not in out:
                    out.append(arg)
                continue
            if n in _TODO_ARGS:
                self.todo.append(f"asreml({n} = {self.src(a)}) is not translated")
                continue
            if n == "weights":  # a data column, unquoted as in asreml: weights = w
                if a.kind not in ("name", "str"):
                    self.todo.append(f"asreml(weights = {self.src(a)}) is not translated "
                                     "(asr_py takes the name of a data column)")
                    continue
                out.append(f"weights={a.value!r}")
                continue
            key = _ASREML_ARGS.get(n)
            if key is None:
                raise Untranslatable(f"asreml({n}=)")
            if a.kind == "formula":
                text = self.src(a)
                text, mats = _rewrite_known(text, giv)
                formulas += mats
                out.append(f"{key}={text!r}")
            elif n in ("na.method.X", "na.method.Y"):
                na.append(f"{n[-1].lower()!r}: {self.py(a)}")
            else:
                out.append(f"{key}={self.py(a)}")
        if na:
            out.append("na_action={" + ", ".join(na) + "}")
        seen = set()
        for m in formulas:
            if m not in seen:
                seen.add(m)
                out.append(f"{m}={giv.get(m, m) if m not in giv.values() else m}")
        for fac, mat in giv.items():
            if mat not in seen and fac not in seen:
                self.todo.append(f"ginverse entry {fac} = {mat} is not used by a ped()/giv() "
                                 "term")
        return out

    def asreml(self, e: R) -> str:
        out = self.asreml_args(e.args, e)
        if self.maxit and not any(n in ("maxit", "maxiter") for n, _ in e.args):
            out.append("maxit=MAXIT")  # asreml.options(maxit = k) earlier in the script
        return f"asr.asreml({', '.join(out)})"

    def options(self, e: R) -> str:
        """``asreml.options(maxit = k)`` -> ``MAXIT = k`` (used by later asreml() calls)."""
        maxit = [a for n, a in e.args if n in ("maxit", "maxiter")]
        if not maxit:
            raise Untranslatable("asreml.options()")
        for n, a in e.args:
            if n not in ("maxit", "maxiter"):
                self.todo.append(f"asreml.options({n or ''}{' = ' if n else ''}{self.src(a)}) "
                                 "is not translated")
        self.maxit = True
        return f"MAXIT = {self.py(maxit[-1])}"

    def spatial_of(self, e: R) -> tuple[str, str] | None:
        """(row, col) of an f(Row):g(Col) residual of an asreml()/update() call, if any."""
        for n, a in e.args:
            if n in ("residual", "rcov") and a.kind == "formula":
                return spatial_coords(self.src(a))
        if e.value == "update" and e.args and e.args[0][1].kind == "name":
            return self.spatial.get(e.args[0][1].value)
        return None

    # ----- statements ----------------------------------------------------------------------
    def statement(self, st: Statement) -> list[str]:
        original = self.code[st.start:st.end]
        self.todo = []
        try:
            tree = Parser(st.tokens).parse()
            line = self.top(tree)
        except Untranslatable as exc:
            lines = [f"# TODO(asr_py): not translated ({exc}); original R code:"]
            lines += [f"#   {ln}" for ln in original.splitlines()]
            return lines + [f"# {c.lstrip('#').strip()}" for c in st.comments]
        pre = [f"# TODO(asr_py): {t}; original R code:" for t in self.todo]
        if self.todo:
            pre += [f"#   {ln}" for ln in original.splitlines()]
        post = [f"  # {c.lstrip('#').strip()}" for c in st.comments]
        if line == "__IMPORT__":
            return [f"# {original.strip()}: asr_py and pandas are imported at the top"]
        return pre + [_wrap(line) + (post[0] if post else "")] + [p.strip() for p in post[1:]]

    def top(self, e: R) -> str:
        if e.kind == "bin" and e.value in ("<-", "=", "<<-"):
            assert e.left is not None and e.right is not None
            rhs = self.py(e.right)
            target = e.left
            if target.kind == "name":
                name, r = target.value, e.right
                is_fit = _is_fit_call(r, self.fits)
                coords = self.spatial_of(r) if is_fit else None
                for group in (self.fits, self.walds, self.variograms):
                    group.discard(name)
                self.preds.pop(name, None)
                self.spatial.pop(name, None)
                if is_fit:
                    self.fits.add(name)
                    if coords:
                        self.spatial[name] = coords
                elif r.kind == "call" and r.value == "predict":
                    self.preds[name] = {n for n, a in r.args if n in ("sed", "vcov")
                                        and a.kind == "name" and a.value in ("TRUE", "T")}
                elif r.kind == "call" and r.value in ("wald", "wald.asreml"):
                    self.walds.add(name)
                elif r.kind == "call" and r.value in ("varioGram", "varioGram.asreml"):
                    self.variograms.add(name)
                return f"{_pyname(name)} = {rhs}"
            if target.kind == "dollar" and target.left is not None:
                return f"{self.py(target.left)}[{target.value!r}] = {rhs}"
            raise Untranslatable("assignment target")
        if e.kind == "call" and e.value == "asreml.options":
            return self.options(e)
        out = self.py(e)
        if out == "__IMPORT__" or out.startswith(("print(", "asr.plot_variogram(")):
            return out
        return f"print({out})"  # R prints the value of a top-level expression


def _wrap(line: str, width: int = 100) -> str:
    """Break a long ``x = f(a, b, ...)`` line after the top-level commas of its outer call."""
    if len(line) <= width or "(" not in line or not line.endswith(")"):
        return line
    open_at = line.index("(")
    depth, quote, pieces, last = 0, "", [], open_at + 1
    for i, ch in enumerate(line[open_at:], open_at):
        if quote:
            if ch == quote and line[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 1:
            pieces.append(line[last:i].strip())
            last = i + 1
    pieces.append(line[last:-1].strip())
    indent = " " * 4
    return line[:open_at + 1] + "\n" + ",\n".join(indent + p for p in pieces) + ",\n)"


def _raise(msg: str) -> str:
    raise Untranslatable(msg)


def _pyname(n: str) -> str:
    out = re.sub(r"[^0-9A-Za-z_]", "_", n)
    if out and out[0].isdigit():
        out = "_" + out
    import keyword

    return out + "_" if keyword.iskeyword(out) else out


def _is_fit_call(e: R, fits: set[str]) -> bool:
    if e.kind != "call":
        return False
    if e.value in ("asreml", "asreml.fit"):
        return not any(n == "start.values" for n, _ in e.args)
    if e.value == "update" and e.args and e.args[0][1].kind == "name":
        return e.args[0][1].value in fits
    return False


_KNOWN_CALL = re.compile(r"\b(ped|giv)\(\s*([A-Za-z.][A-Za-z0-9._]*)\s*\)")
_VM_CALL = re.compile(r"\bvm\(\s*[A-Za-z.][A-Za-z0-9._]*\s*,\s*([A-Za-z.][A-Za-z0-9._]*)")


def _rewrite_known(text: str, giv: dict[str, str]) -> tuple[str, list[str]]:
    """asreml 3's ``ped(id)``/``giv(id)`` with ``ginverse = list(id = M)`` -> ``vm(id, M)``;
    returns the rewritten formula and the matrix names it needs as keywords."""
    mats: list[str] = []

    def sub(m: re.Match[str]) -> str:
        fac = m.group(2)
        if fac in giv:
            name = _pyname(giv[fac])
            mats.append(name)
            return f"vm({fac}, {name})"
        return m.group(0)

    text = _KNOWN_CALL.sub(sub, text)
    for m in _VM_CALL.finditer(text):
        if m.group(1) not in mats:
            mats.append(m.group(1))
    return text, mats


HEADER = ("# Translated from asreml-R by asr_py.translate. Review every 'TODO(asr_py)' line.\n"
          "{np}import pandas as pd\n\nimport asr_py as asr\n")


def translate(r_code: str) -> str:
    """Translate R code with ``asreml()`` calls to Python using asr_py and pandas.

    Statements outside the supported subset are kept as ``# TODO(asr_py): ...`` comments with
    the original code. See docs/migration.md for the mapping.
    """
    if not isinstance(r_code, str):
        raise AsrError("translate() needs the R code as a string")
    tr = Translator(r_code)
    body: list[str] = []
    for item in statements(r_code):
        if isinstance(item, str):
            body.append(f"# {item.lstrip('#').strip()}" if item else "")
        else:
            body += tr.statement(item)
    head = HEADER.format(np="import numpy as np\n" if tr.uses_np else "")
    return head + "\n" + "\n".join(body).rstrip() + "\n"


__all__ = ["translate", "tokenize", "statements", "Untranslatable"]
