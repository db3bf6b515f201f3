"""R's NULL from ``d$x`` when ``d`` lacks ``x``: a column or element the script names only
once (it never creates it, a formula never uses it) is read with ``r_dollar`` (None when
absent, as R's NULL) instead of ``d['x']`` (a KeyError); NULL in a summary is
``numeric(0)`` (:func:`r_null_vec`: ``sum(NULL)`` is 0, ``mean(NULL)`` NA)."""
from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = ["named_once", "r_null_vec"]


def named_once(code: str, name: str) -> bool:
    """Whether ``name`` appears once in the R ``code`` (as a word: not part of a longer
    name), so nothing in the script makes or uses it elsewhere."""
    pat = r"(?<![\w.])" + re.escape(name) + r"(?![\w.])"
    return len(re.findall(pat, code)) == 1


def r_null_vec(x: Any) -> Any:
    """``x``, with R's NULL (None) as ``numeric(0)`` (an empty float array) for a summary."""
    return np.array([], dtype=float) if x is None else x
