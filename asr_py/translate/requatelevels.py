"""asreml's ``equate.levels = c("mother", "father")`` beside ``random = ~ mother +
and(father)``: the overlay of two factors over one set of effects (a marker's two
haplotypes, an animal's two parents in a gametic model).

R semantics (asreml-R ``asreml(equate.levels = )``): the listed factors are recoded to the
union of their levels, so that ``and(father)`` adds to the effects of ``mother`` level by
level. asr_py's ``and()`` (asr_py.model.random.overlay) already maps the and() factor onto
the previous term's effects by level label, appending the levels only it has: the same
design Z = Z_mother + Z_father over the union, the same model, whatever the level order.
So when every equated factor other than the first is the argument of an ``and()`` in the
random formula right after a term of the first, the translation drops the argument (a NOTE
says so); any other use (str(), fixed-only factors) keeps the TODO. Over an interaction
the and() term repeats the leading parts (``corgh(trait):sire + and(corgh(trait):dam)``):
the overlay maps the last part by level label the same way (asr_py.model.and_parts).
"""

from __future__ import annotations

import re
from typing import Any

from asr_py.translate.parser import R

__all__ = ["neutral"]


#: the leading parts an and() over an interaction repeats: ``and(corgh(trait):dam)``
#: after ``corgh(trait):sire`` (asr_py.model.and_parts)
_LEADING = r"(?:[\w.]+(?:\([^()]*\))?\s*:\s*)*"


def _names(a: R) -> list[str] | None:
    """The factor names of ``c("a", "b")`` (or ``c('a', 'b')``); None for other R code."""
    if a.kind != "call" or a.value != "c" or any(k is not None for k, _ in a.args):
        return None
    out = [v.value for _, v in a.args if v.kind == "str"]
    return out if len(out) == len(a.args) and len(out) >= 2 else None


def neutral(tr: Any, a: R, named: list[tuple[str, R]]) -> bool:
    """Whether ``equate.levels = a`` leaves asr_py's model unchanged (module docstring)."""
    names = _names(a)
    rnd = [x for n, x in named if n == "random"]
    if names is None or len(rnd) != 1:
        return False
    text = tr.src(rnd[0])
    if "str(" in text:
        return False
    first = re.escape(names[0])
    for other in names[1:]:
        pat = (rf"(?<![\w.]){first}(?:\s*\))?\s*\+\s*and\(\s*{_LEADING}"
               rf"{re.escape(other)}\s*[,)]")
        if not re.search(pat, text):
            return False
    return True
