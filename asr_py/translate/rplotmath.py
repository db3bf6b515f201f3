"""``expression()`` and ``bquote()`` as labels of a graphics call (R's plotmath, ?plotmath).

In ``plot(x, y, xlab = expression(Expected ~ ~ -log[10](italic(p))))`` or
``title(bquote("Correlogram at" ~ .(d) ~ "m depth"))`` R draws the expression as
mathematical notation. asr_py's graphics draw text, so the label is the text plotmath shows,
written with Unicode: ``~`` a space, ``*`` juxtaposition, ``x[i]`` a subscript and ``x^2`` a
superscript (Unicode's sub/superscript characters where they exist, else ``_``/``^``),
``paste(a, b)`` the texts joined, ``italic()``/``bold()``/``plain()``/``underline()`` their
argument, ``list(a, b)`` "a, b", ``frac(a, b)`` "a/b", ``sqrt(x)`` "√(x)", Greek letter
names as the letters (``mu`` μ), ``degree``/``deg`` °; bquote's ``.(v)`` the value of ``v``
when the statement runs (as ``paste0()`` writes it). Only inside graphics calls: elsewhere
an expression is a language object (a TODO as before).
"""

from __future__ import annotations

from typing import Any

from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "translate"]

FUNCTIONS = frozenset({"expression", "bquote", "base::expression", "base::bquote"})

_GREEK = dict(zip(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
    "rho sigma tau upsilon phi chi psi omega".split(), "αβγδεζηθικλμνξοπρστυφχψω"))
_GREEK |= {k.capitalize(): v.upper() for k, v in _GREEK.items()}
_SYMBOLS = {**_GREEK, "degree": "°", "deg": "°", "infinity": "∞", "cdots": "⋯",
            "ldots": "…", "minute": "′", "second": "″"}
_SUB = dict(zip("0123456789+-−=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))
_SUP = dict(zip("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ"))
_STYLES = {"italic", "bold", "plain", "bolditalic", "underline", "displaystyle",
           "textstyle", "scriptstyle", "scriptscriptstyle", "symbol", "hat", "bar", "tilde",
           "dot", "ring", "widehat", "widetilde", "phantom", "vphantom"}
_OPS = {"+": " + ", "-": " − ", "/": "/", "==": " = ", "!=": " ≠ ", "<": " < ", ">": " > ",
        "<=": " ≤ ", ">=": " ≥ ", "%+-%": " ± ", "%*%": " × ", "%.%": " · ", "%~~%": " ≈ ",
        "%->%": " → ", "%<-%": " ← ", "%=~%": " ≅ ", "%==%": " ≡ ", "%prop%": " ∝ ",
        "%up%": "↑", "%down%": "↓", ":": ":"}


class _Parts:
    """Text pieces and Python values (bquote's ``.()``) of one label."""

    def __init__(self) -> None:
        self.items: list[tuple[bool, str]] = []      # (is code, text)

    def text(self, s: str) -> None:
        if self.items and not self.items[-1][0]:
            self.items[-1] = (False, self.items[-1][1] + s)
        else:
            self.items.append((False, s))

    def code(self, s: str) -> None:
        self.items.append((True, s))


def _script(s: str, table: dict[str, str], mark: str) -> str:
    return "".join(table[c] for c in s) if s and all(c in table for c in s) else \
        f"{mark}{s}" if len(s) == 1 else f"{mark}({s})"


def _label(tr: Any, e: R, out: _Parts, quoted: bool) -> None:  # noqa: C901 - plotmath's forms
    """Append the text plotmath draws for ``e``; ``quoted``: bquote's ``.()`` is a value."""
    k = e.kind
    if k in ("str", "num"):
        out.text(e.value if k == "str" else e.value.rstrip("L"))
    elif k == "name":
        out.text(_SYMBOLS.get(e.value, e.value))
    elif k == "paren" and e.right is not None:
        out.text("(")
        _label(tr, e.right, out, quoted)
        out.text(")")
    elif k == "block":
        for b in e.body:
            _label(tr, b, out, quoted)
    elif k == "formula":                      # a ~ b, ~ b: a space
        if e.left is not None:
            _label(tr, e.left, out, quoted)
        out.text(" ")
        if e.right is not None:
            _label(tr, e.right, out, quoted)
    elif k == "unary" and e.right is not None:
        out.text({"-": "−", "+": "+", "!": "¬"}.get(e.value, e.value))
        _label(tr, e.right, out, quoted)
    elif k == "bin" and e.value == "^" and e.left is not None and e.right is not None:
        _label(tr, e.left, out, quoted)
        out.text(_script(_plain(tr, e.right, quoted), _SUP, "^"))
    elif k == "bin" and e.left is not None and e.right is not None:
        _label(tr, e.left, out, quoted)
        if e.value != "*":                    # a * b: juxtaposed
            out.text(_OPS.get(e.value, f" {e.value} "))
        _label(tr, e.right, out, quoted)
    elif k == "index" and e.left is not None and e.value == "[" and len(e.args) == 1:
        _label(tr, e.left, out, quoted)
        out.text(_script(_plain(tr, e.args[0][1], quoted), _SUB, "_"))
    elif k == "call" and e.value == "." and quoted and len(e.args) == 1:
        out.code(tr.py(e.args[0][1]))
    elif k == "call" and e.value == "paste":
        for _, a in e.args:
            _label(tr, a, out, quoted)
    elif k == "call" and e.value in _STYLES and len(e.args) == 1:
        _label(tr, e.args[0][1], out, quoted)
    elif k == "call" and e.value == "list":
        for i, (_, a) in enumerate(e.args):
            out.text(", " if i else "")
            _label(tr, a, out, quoted)
    elif k == "call" and e.value in ("frac", "over", "atop") and len(e.args) == 2:
        _label(tr, e.args[0][1], out, quoted)
        out.text("/" if e.value != "atop" else " ")
        _label(tr, e.args[1][1], out, quoted)
    elif k == "call" and e.value == "sqrt" and len(e.args) == 1:
        out.text("√(")
        _label(tr, e.args[0][1], out, quoted)
        out.text(")")
    elif k == "call" and e.value in ("group", "bgroup") and len(e.args) == 3:
        out.text(_plain(tr, e.args[0][1], quoted))
        _label(tr, e.args[1][1], out, quoted)
        out.text(_plain(tr, e.args[2][1], quoted))
    elif k == "call" and (e.value or e.left is not None):   # log(x), log[10](x): as written
        if e.value:
            out.text(f"{e.value}(")
        else:
            assert e.left is not None
            _label(tr, e.left, out, quoted)
            out.text("(")
        for i, (_, a) in enumerate(e.args):
            out.text(", " if i else "")
            _label(tr, a, out, quoted)
        out.text(")")
    else:
        raise ValueError(f"plotmath form {k}")


def _plain(tr: Any, e: R, quoted: bool) -> str:
    """The text of a sub/superscript (no bquote values in it)."""
    p = _Parts()
    _label(tr, e, p, quoted)
    if any(c for c, _ in p.items):
        raise ValueError("a value in a subscript")
    return "".join(t for _, t in p.items)


def _expr(tr: Any, e: R, quoted: bool) -> str | None:
    p = _Parts()
    try:
        _label(tr, e, p, quoted)
    except ValueError:
        return None
    if not any(c for c, _ in p.items):
        return repr("".join(t for _, t in p.items))
    args = ", ".join(t if c else repr(t) for c, t in p.items)
    return f"{tr.runtime('r_paste')}({args}, sep='')"


def translate(tr: Any, e: R) -> str | None:
    """``expression(...)`` / ``bquote(expr)`` inside a graphics call: the label's text (a
    list of texts for several expressions); None elsewhere."""
    if not getattr(tr, "plot_labels", False):
        return None
    args = [a for n, a in e.args if n is None]
    if e.value.endswith("bquote"):
        if len(e.args) != 1 or e.args[0][0] not in (None, "expr"):
            return None
        return _expr(tr, e.args[0][1], quoted=True)
    got = [_expr(tr, a, quoted=False) for a in args]
    if not got or any(g is None for g in got) or len(args) != len(e.args):
        return None
    return got[0] if len(got) == 1 else "[" + ", ".join(g for g in got if g) + "]"
