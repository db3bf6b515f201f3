"""base R's ``data.frame(..., check.names = TRUE)`` (the default): the result's column names
made syntactically valid and unique, ``make.names(names, unique = TRUE)``.

``make.names``: every character other than a letter, digit, ``.`` or ``_`` becomes ``.``; a
name not starting with a letter or a dot not followed by a digit gets an ``X`` prefix.
``unique = TRUE`` then applies ``make.unique``: the second and later copies of a name get
``.1``, ``.2``, ... (skipping suffixes already taken). This applies to the columns of data
frames passed as arguments too: ``data.frame(wide, rank)`` of a column ``"yield North"``
gives ``yield.North``. Column labels that are not text (positions of a matrix without
column names) are left to the caller.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["make_unique", "r_check_names"]


def make_unique(names: list[str], sep: str = ".") -> list[str]:
    """R's ``make.unique(names, sep)``: a repeat of a name gets the first ``<name><sep><k>``
    (k = 1, 2, ...) not already a name."""
    seen = set(names)
    count: dict[str, int] = {}
    out: list[str] = []
    first: set[str] = set()
    for n in names:
        if n not in first:
            first.add(n)
            out.append(n)
            continue
        k = count.get(n, 0)
        while True:
            k += 1
            cand = f"{n}{sep}{k}"
            if cand not in seen:
                break
        count[n] = k
        seen.add(cand)
        out.append(cand)
    return out


def r_check_names(d: Any) -> Any:
    """``d`` with R's ``check.names = TRUE`` applied to its text column names."""
    if isinstance(d, Untranslated) or not isinstance(d, pd.DataFrame):
        return d
    from asr_py.translate.runtime import make_names
    cols = list(d.columns)
    if not all(isinstance(c, str) for c in cols):
        return d
    new = make_unique([make_names(c) for c in cols])
    return d if new == cols else d.set_axis(new, axis=1)
