"""forcats' level orders: ``fct_inseq(f)`` (by the levels' numeric values), ``fct_inorder(f)``
(by first appearance), ``fct_infreq(f)`` (by frequency, most frequent first) and
``fct_rev(f)`` (reversed). The result is a categorical column whose categories are the new
level order (asr.asreml takes a categorical's categories as the factor's levels)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_fct", "translate"]

#: forcats calls done here (with forcats:: or without)
FUNCTIONS = ("fct_inseq", "fct_inorder", "fct_infreq", "fct_rev")


def _levels(s: pd.Series) -> list[Any]:
    """R's levels of ``s`` as a factor: a categorical's categories; text sorted otherwise."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sorted(pd.unique(s.dropna()), key=lambda v: (str(type(v)), v))


def r_fct(how: str, f: Any) -> pd.Series:
    """forcats' ``fct_<how>(f)``: ``f`` (a column, vector or factor) as a categorical with
    its levels in the new order (module docstring)."""
    if how not in ("inseq", "inorder", "infreq", "rev"):
        raise AsrError(f"fct_{how}(): not one of forcats' fct_inseq/inorder/infreq/rev")
    s = f if isinstance(f, pd.Series) else pd.Series(list(np.ravel(np.asarray(f, dtype=object))))
    levels = _levels(s)
    if how == "inseq":
        nums = pd.to_numeric(pd.Series([str(v) for v in levels], dtype=object), errors="coerce")
        if nums.isna().all() and levels:
            raise AsrError("fct_inseq(): no level is a number",
                           hint="fct_inseq orders levels by their numeric value; "
                                "fct_inorder or factor(levels =) order others")
        order = np.argsort(nums.fillna(np.inf).to_numpy(float), kind="stable")
        levels = [levels[i] for i in order]         # numbers first, the others after
    elif how == "inorder":
        levels = [v for v in pd.unique(s.dropna())]
    elif how == "infreq":
        counts = s.dropna().value_counts(sort=False)
        n = [int(counts.get(v, 0)) for v in levels]
        order = np.argsort(-np.asarray(n), kind="stable")   # ties keep the level order
        levels = [levels[i] for i in order]
    else:
        levels = levels[::-1]
    values = s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s
    return pd.Series(pd.Categorical(values, categories=levels), index=s.index, name=s.name)


def translate(tr: Any, e: R) -> str | None:
    """``fct_inseq(x)`` and the others of :data:`FUNCTIONS` with one argument (``f``)."""
    name = e.value.split("::")[-1]
    args = [a for n, a in e.args if n in (None, "f", ".f")]
    if name not in FUNCTIONS or len(args) != 1 or len(e.args) != 1:
        return None
    return f"{tr.runtime('r_fct')}({name[4:]!r}, {tr.py(args[0])})"
