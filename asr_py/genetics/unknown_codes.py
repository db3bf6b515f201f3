"""Parents added as founders whose ids look like missing-value codes.

A parent that is not listed as an animal becomes a founder. When its id is a missing-value
code the pedigree's writer used ('.', '-', 'NA' read as text, '-9', 'unknown'), every animal
with that "parent" becomes a half-sib of the others through one fictional founder: A is
wrong without any error (40 unrelated animals related by 1/4). Such ids are named in an
AsrWarning with the number of offspring and the ``unknown=`` that reads them as unknown.
A code is an id with no letter or digit, or one of :data:`CODES` (case-insensitive).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import pandas as pd

#: ids read as missing-value codes when they are parents not listed as animals
CODES = frozenset({"na", "n/a", "nan", "null", "none", "unknown", "missing", "-9", "-99",
                   "-999", "-1", "0.0"})


def looks_like_code(pid: str) -> bool:
    """True for '.', '-', '?', 'NA', '-9', ... (module docstring)."""
    s = str(pid).strip()
    return not re.search(r"[A-Za-z0-9]", s) or s.lower() in CODES


def warn_code_like_founders(added: Sequence[object], parents: pd.Series,
                            unknown: Sequence[object]) -> None:
    """An AsrWarning naming the added founders (``added``) whose ids look like missing-value
    codes, with their numbers of offspring (``parents``: every sire and dam entry)."""
    codes = [str(a) for a in added if looks_like_code(str(a))]
    if not codes:
        return
    counts = parents.value_counts()
    shown = ", ".join(f"{c!r} ({int(counts.get(c, 0))} offspring)" for c in codes[:5])
    from asr_py.warning_classes import AsrWarning, user_stacklevel

    suggestion = tuple(u for u in unknown if u is not pd.NA) + tuple(codes[:5])
    warnings.warn(
        f"pedigree: parent id(s) {shown} are not listed as animals and were added as "
        "founders: if they code an unknown parent, their offspring are now related through "
        f"them. Pass unknown={suggestion!r} to read them as unknown",
        AsrWarning, stacklevel=user_stacklevel())


__all__ = ["CODES", "looks_like_code", "warn_code_like_founders"]
