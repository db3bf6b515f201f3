"""``get(v)`` inside a model formula, as loops over traits write it: ``for (trait in
traits) lm(get(trait) ~ g + e, data = d)``. R evaluates ``get(trait)`` while building the
model frame: the column whose name is the value of ``trait``. The translated formula is
built when the script runs - the variable's value (a column name) spliced into the formula
text, backquoted when it is not a syntactic name - so each pass of the loop fits its own
trait. ``get("y")`` of a literal string is the column ``y``. A value that is not a single
string is refused with a clear error.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

if TYPE_CHECKING:
    from asr_py.translate.parser import R
    from asr_py.translate.printer import BasePrinter

__all__ = ["r_formula_name", "translate"]

_GET = re.compile(r"(?<![\w.])get\(\s*(?:([A-Za-z.][\w.]*)|\"([^\"\\]*)\"|'([^'\\]*)')\s*\)")
_SYNTACTIC = re.compile(r"(?:[A-Za-z]|\.(?![0-9]))[\w.]*")


def translate(tr: BasePrinter, e: R) -> str | None:
    """The formula ``e`` as a Python expression building its text, None without get()."""
    from asr_py.translate.printer import pyname

    text = tr.src(e)
    if not _GET.search(text):
        return None
    parts: list[str] = []
    last = 0
    for m in _GET.finditer(text):
        if m.start() > last:
            parts.append(repr(text[last:m.start()]))
        if m.group(1) is not None:
            parts.append(f"{tr.runtime('r_formula_name')}({pyname(m.group(1))})")
        else:
            name = m.group(2) if m.group(2) is not None else m.group(3)
            parts.append(repr(name if _SYNTACTIC.fullmatch(name) else f"`{name}`"))
        last = m.end()
    if last < len(text):
        parts.append(repr(text[last:]))
    return "(" + " + ".join(parts) + ")"


def r_formula_name(v: Any) -> str:
    """The column name ``v`` as formula text (backquoted when R would need it)."""
    if isinstance(v, Untranslated):
        v._use()
    if hasattr(v, "tolist") and not isinstance(v, str):
        v = v.tolist()
    if isinstance(v, (list, tuple)) and len(v) == 1:
        v = v[0]
    if not isinstance(v, str):
        raise AsrError(f"get() in a formula: the variable holds {v!r}, not a column name",
                       hint="get(trait) in a formula needs trait to be one string")
    return v if _SYNTACTIC.fullmatch(v) else "`" + v.replace("`", "\\`") + "`"
