"""asremlPlus's ``atLevelsMatch``: an ``at()`` term to drop, written with the other form of
its levels, is rewritten to the model's own text before the formula is updated.

R's ``update.formula`` matches terms by their text, so dropping
``at(Smarthouse, "NW"):dev(x)`` from a random formula holding ``at(Smarthouse, 2):dev(x)``
would remove nothing. asremlPlus (R/reml4.v13.r:601-725, used by ``my.update.formula``
:727-743 for changeTerms, testranfix, testswapran...) looks, for each at() term of the
change, for a model term with the same non-at() factors and an at() of the same factor; when
the two select the same levels - equal levels, or the model's numeric level positions naming
the change's levels (``get.atargs`` with ``always.levels = TRUE``, :533-575: a number in the
change is read as a position) - the change's at() text is replaced by the model's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from asr_py.compat.asremlplus import _split_top
from asr_py.formula.toplevel import split_top

__all__ = ["match_at_levels"]

_AT = re.compile(r"\bat\(")


def _calls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each ``at(...)`` call in ``text`` (brackets balanced)."""
    out = []
    for m in _AT.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += (text[i] == "(") - (text[i] == ")")
            i += 1
        out.append((m.start(), i))
    return out


def _split_args(inner: str) -> list[str]:
    """``inner`` split at the commas outside brackets and quotes, each piece stripped."""
    return [p.strip() for p in _split_top(inner)]


def _levels(arg: str, levels: Sequence[str]) -> tuple[frozenset[str], bool] | None:
    """The level names an at() level argument selects and whether it gave positions
    (``'a'``, ``"a"``, ``2``, ``c(1, 3)``, ``1:2``, or a bare name ``a``: get.atargs,
    R/reml4.v13.r:533-575, evaluates only numbers and ``c(...)``, any other text is read as
    level names, its quotes removed); None when it cannot be read."""
    a = arg.strip()
    if a.startswith("c(") and a.endswith(")"):
        pieces = _split_args(a[2:-1])
    elif re.fullmatch(r"[A-Za-z._][\w.]*", a) and a in levels:
        return frozenset([a]), False           # at(AMF, AMF_plus): the level AMF_plus
    else:
        pieces = [a]
    names: set[str] = set()
    numeric = None
    for p in pieces:
        m = re.fullmatch(r"(\d+)\s*:\s*(\d+)", p)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            idx = list(range(lo, hi + 1)) if lo <= hi else list(range(lo, hi - 1, -1))
        elif re.fullmatch(r"\d+(\.0*)?", p):
            idx = [int(float(p))]
        elif len(p) >= 2 and p[0] == p[-1] and p[0] in "'\"":
            names.add(p[1:-1])
            numeric = False if numeric is None else numeric
            continue
        else:
            return None
        if any(i < 1 or i > len(levels) for i in idx):
            return None
        names.update(levels[i - 1] for i in idx)
        numeric = True
    return frozenset(names), bool(numeric)


def _unwrap(piece: str) -> str:
    """``piece`` without unbalanced or enclosing brackets at its ends (the pieces of
    ``(a + at(f, 1):b)`` split at '+')."""
    while piece.startswith("(") and piece.count("(") > piece.count(")"):
        piece = piece[1:].strip()
    while piece.endswith(")") and piece.count(")") > piece.count("("):
        piece = piece[:-1].strip()
    while piece.startswith("(") and piece.endswith(")") and _balanced(piece[1:-1]):
        piece = piece[1:-1].strip()
    return piece


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def _at_of(term: str) -> tuple[str, list[str]] | None:
    """(the term's single at() part, its other parts), or None."""
    parts = split_top(term, strip=True)
    ats = [p for p in parts if p.startswith("at(")]
    if len(ats) != 1:
        return None
    return ats[0], sorted(re.sub(r"\s+", "", p) for p in parts if not p.startswith("at("))


def match_at_levels(change: str, model_terms: Sequence[str], data: pd.DataFrame | None
                    ) -> str:
    """``change`` (the terms to drop or add) with each at() term's at() text replaced by the
    model term's when they select the same levels of the same factor (module docstring)."""
    if data is None or "at(" not in change:
        return change
    from asr_py.model.data import level_labels

    old = [(t, a) for t in model_terms if (a := _at_of(t)) is not None]
    if not old:
        return change
    out = change
    for piece in re.split(r"[-+~/]", change):    # atLevelsMatch splits at - ~ / +
        piece = _unwrap(piece.strip())
        new = _at_of(piece) if "at(" in piece else None
        if new is None:
            continue
        at_new, rest_new = new
        args_new = _split_args(at_new[3:-1])
        for _term, (at_old, rest_old) in old:
            if rest_old != rest_new or at_old == at_new:
                continue
            args_old = _split_args(at_old[3:-1])
            if len(args_new) < 2 or len(args_old) < 2 or args_new[0] != args_old[0]:
                continue
            f = args_new[0]
            if f not in data.columns:
                continue
            levels = level_labels(data[f].astype(str) if not isinstance(
                data[f].dtype, pd.CategoricalDtype) else data[f])
            got_new, got_old = _levels(args_new[1], levels), _levels(args_old[1], levels)
            if got_new is None or got_old is None:
                continue
            if got_new[0] == got_old[0]:
                out = out.replace(at_new, at_old)
                break
    return out


def formula_terms(fit: Any, kind: str) -> list[str]:
    """The terms of the fit's ``kind`` formula ('fixed', 'random') as written (expanded)."""
    from asr_py.formula import expand, parse_formula

    text = fit.call.get(kind)
    if not text:
        return []
    body = str(text).split("~", 1)[-1]
    return [str(t) for t in expand(parse_formula(f"~ {body}"), kind, keep_order=True).terms]
