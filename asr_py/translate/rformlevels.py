"""R code inside an asreml formula: level selections, ``dsum(~ ... | env, levels =
list(c(12, 13), which(!1:nlevels(d$env) %in% c(12, 13))))`` or ``at(Site, keep)``, and a
variable named by text, ``eval(parse(text = trait)) ~ Pop`` (also ``eval(str2lang(s))``).
R evaluates them when asreml() reads the formula; the translation computes them when the
script runs and writes their values into the formula text (:func:`r_formula_levels`,
:func:`r_formula_text`)."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["TOKEN", "level_exprs", "r_bquote_value", "r_formula_levels", "r_formula_text",
           "to_python", "unwrap"]

#: the stand-in of the k-th computed selection in the formula text (a valid R name)
TOKEN = "asr_level_value_{}_"


def _literal(e: R) -> bool:
    """Literal levels: numbers, strings, c()/list() of them, a:b of numbers, -number."""
    if e.kind in ("num", "str"):
        return True
    if e.kind == "unary" and e.value == "-" and e.right is not None:
        return e.right.kind == "num"
    if e.kind == "bin" and e.value == ":" and e.left is not None and e.right is not None:
        return _literal(e.left) and _literal(e.right)
    if e.kind == "call" and e.value in ("c", "list"):
        return all(_literal(a) for _, a in e.args)
    if e.kind == "paren" and e.right is not None:
        return _literal(e.right)
    return False


def text_of(e: R) -> R | None:
    """The text argument of ``eval(parse(text = s))`` / ``eval(str2lang(s))`` (R code
    given as text and evaluated where it stands), else None."""
    if e.kind != "call" or e.value != "eval" or len(e.args) != 1 or \
            e.args[0][0] not in (None, "expr"):
        return None
    inner = e.args[0][1]
    if inner.kind != "call" or len(inner.args) != 1:
        return None
    name, arg = inner.args[0]
    if inner.value == "parse" and name == "text" or \
            inner.value in ("str2lang", "str2expression") and name in (None, "s", "text"):
        return arg
    return None


def unwrap(a: R) -> tuple[R, dict[str, R]]:
    """A formula built by R's quoting: ``as.formula(bquote(~ rr(E, .(k)):G))`` or
    ``bquote(...)`` (its ``.()`` pieces are computed), ``as.formula(substitute(~ rr(E,
    k_val):vm(G, M), list(k_val = k, M = Ginv)))`` (the listed names replaced): (the formula,
    the substitutions by name). Anything else: (``a``, {})."""
    e = a
    if e.kind == "call" and e.value in ("as.formula", "formula") and len(e.args) == 1 and \
            e.args[0][0] in (None, "object", "x"):
        e = e.args[0][1]
    if e.kind != "call" or not e.args or e.args[0][0] not in (None, "expr") or \
            e.args[0][1].kind != "formula":
        return a, {}
    if e.value == "bquote" and len(e.args) == 1:
        return e.args[0][1], {}
    if e.value == "substitute" and len(e.args) == 2 and e.args[1][0] in (None, "env") and \
            e.args[1][1].kind == "call" and e.args[1][1].value == "list" and \
            all(n for n, _ in e.args[1][1].args):
        return e.args[0][1], {str(n): v for n, v in e.args[1][1].args}
    return a, {}


def _walk(e: R | None, out: list[R], subs: dict[str, R]) -> None:
    if e is None:
        return
    if text_of(e) is not None or e.kind == "call" and e.value == "." and len(e.args) == 1 \
            or e.kind == "name" and e.value in subs:
        out.append(e)
        return
    if e.kind == "call" and e.value in ("dsum", "at"):
        for k, (n, a) in enumerate(e.args):
            if (n == "levels" or e.value == "at" and n is None and k == 1) and \
                    not _literal(a):
                out.append(a)
    for _, a in e.args:
        _walk(a, out, subs)
    _walk(e.left, out, subs)
    _walk(e.right, out, subs)


def level_exprs(formula: R, subs: dict[str, R] | None = None) -> list[R]:
    """The non-literal level selections of dsum()/at() calls in ``formula``, its
    ``eval(parse(text = s))`` pieces, bquote's ``.()`` pieces and the names ``subs``
    (substitute()'s list) replaces."""
    out: list[R] = []
    _walk(formula, out, subs or {})
    seen: set[int] = set()          # at(f, .(k)): one piece, found as both
    return [e for e in out if not (e.start in seen or seen.add(e.start))]  # type: ignore[func-returns-value]


#: model functions whose arguments name a matrix (substitute()'s value: the matrix itself)
_MATRIX_FUNS = ("vm", "ide", "giv", "ped", "mbf", "grm")


def _matrix_names(e: R | None, out: set[int], inside: bool = False) -> set[int]:
    """Where (node starts) names stand as arguments of vm(), giv(), ... in ``e``."""
    if e is None:
        return out
    if e.kind == "name" and inside:
        out.add(e.start)
    for _, a in e.args:
        _matrix_names(a, out, e.kind == "call" and e.value in _MATRIX_FUNS)
    _matrix_names(e.left, out)
    _matrix_names(e.right, out)
    return out


def _static(sel: R, subs: dict[str, R], matrices: set[int]) -> str | None:
    """The text a piece becomes when the script is translated: substitute()'s name for a
    name standing for a matrix (``vm(G, M)`` with ``list(M = Ginv)``: R puts Ginv's matrix
    there, asr_py names it, and vm() then reads it), else None (a value put in when the
    script runs)."""
    if sel.kind == "name" and sel.value in subs and subs[sel.value].kind == "name" and \
            sel.start in matrices:
        return str(subs[sel.value].value)
    return None


def to_python(tr: Any, formula: R, sels: list[R], rewrite: Callable[[str], str],
              subs: dict[str, R] | None = None) -> str:
    """The Python expression of ``formula`` with the selections ``sels`` computed when the
    script runs; ``rewrite`` is the translator's rewrite of the formula text (vm() ...)."""
    bare = tr.bare           # the script without comments, as tr.src() reads it
    tr.uses_np = True        # R code translated here may use numpy (%in% does)
    subs = subs or {}
    mats = _matrix_names(formula, set())
    pieces = []
    last = formula.start
    late = [s for s in sorted(sels, key=lambda s: s.start) if _static(s, subs, mats) is None]
    for sel in sorted(sels, key=lambda s: s.start):
        pieces.append(bare[last:sel.start])
        fixed = _static(sel, subs, mats)
        pieces.append(fixed if fixed is not None else TOKEN.format(late.index(sel)))
        last = sel.end
    pieces.append(bare[last:formula.end])
    marked = rewrite(" ".join("".join(pieces).split()))
    out: list[str] = []
    rest = marked
    for k, sel in enumerate(late):
        before, tok, rest = rest.partition(TOKEN.format(k))
        if not tok:
            raise AsrError("formula levels: a computed selection was lost in translation",
                           hint="a translator bug")
        if sel.kind == "name" and sel.value in subs or sel.kind == "call" and sel.value == ".":
            val = subs[sel.value] if sel.kind == "name" else sel.args[0][1]
            out.append(repr(before))
            if val.kind == "call" and val.value in ("as.name", "as.symbol", "sym") and \
                    len(val.args) == 1:
                out.append(f"{tr.runtime('r_formula_text')}({tr.py(val.args[0][1])})")
            else:
                out.append(f"{tr.runtime('r_bquote_value')}({tr.py(val)})")
            continue
        if text_of(sel) is not None:
            out.append(repr(before))
            out.append(f"{tr.runtime('r_formula_text')}({tr.py(text_of(sel))})")
            continue
        is_list = sel.kind == "call" and sel.value == "list"
        parts = [a for _, a in sel.args] if is_list else [sel]
        vals = ", ".join(tr.py(a) for a in parts)
        out.append(repr(before))
        out.append(f"{tr.runtime('r_formula_levels')}([{vals}], {is_list})")
    out.append(repr(rest))
    return " + ".join(out)


def _flat(v: Any) -> list[Any]:
    if isinstance(v, Untranslated):
        return v._use()  # type: ignore[no-any-return]
    if isinstance(v, dict):
        v = list(v.values())
    if isinstance(v, (list, tuple, np.ndarray, pd.Series, pd.Index, range)):
        return [x for item in (v.tolist() if hasattr(v, "tolist") else list(v))
                for x in _flat(item)]
    return [v]


def _r_value(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        raise AsrError(f"formula levels: a logical value {x!r} where levels are expected",
                       hint="give level names or positions (which(...) of a condition)")
    if isinstance(x, (int, np.integer)) or isinstance(x, (float, np.floating)) and \
            float(x).is_integer():
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    return '"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"'


def r_formula_levels(values: list[Any], is_list: bool) -> str:
    """The R text of computed level selections: ``c(1, 2)`` for one, ``list(c(..), c(..))``
    for R's ``list(...)`` of several."""
    groups = ["c(" + ", ".join(_r_value(x) for x in _flat(v)) + ")" for v in values]
    return f"list({', '.join(groups)})" if is_list else groups[0]


_R_NAME = re.compile(r"(?:[A-Za-z]|[.](?![0-9]))[A-Za-z0-9._]*|`[^`]+`")


def r_formula_text(text: Any) -> str:
    """``eval(parse(text = s))`` inside a formula: R evaluates the code ``s`` among the
    data's columns, so a name is that column: the name (backquoted when R would need it)
    goes into the formula text."""
    if isinstance(text, Untranslated):
        text = text._use()
    vals = _flat(text)
    if len(vals) != 1 or not isinstance(vals[0], str):
        raise AsrError(f"eval(parse(text = s)) in a formula: s is {text!r}, not one string",
                       hint="s must name one data column, e.g. trait <- \"yield\"")
    code = vals[0].strip()
    if not _R_NAME.fullmatch(code):
        raise AsrError(f"eval(parse(text = {code!r})) in a formula: only a column's name is "
                       "translated (R would compute that expression from the columns)",
                       hint="compute the column first: d$new <- <expression>")
    return code


def r_bquote_value(value: Any) -> str:
    """A value put into a formula by bquote's ``.(x)`` or substitute(): as R deparses it,
    ``2`` for a whole number, ``"a"`` for a string, ``c(1, 2)`` for several."""
    vals = _flat(value)
    if not vals:
        raise AsrError("bquote(.(x)) in a formula: x has no value", hint="x must be set")
    parts = [("TRUE" if x else "FALSE") if isinstance(x, (bool, np.bool_)) else _r_value(x)
             for x in vals]
    return parts[0] if len(parts) == 1 else f"c({', '.join(parts)})"
