"""reshape2's ``acast(data, formula, fun.aggregate = NULL, ..., value.var)`` (reshape2
``?cast``): "Use acast or dcast depending on whether you want vector/matrix/array output
or data frame output". For a two-sided formula ``a + b ~ c`` acast gives the matrix of
dcast's values: the rows named by the left-hand combinations, the columns by the
right-hand ones (several variables joined by ``_``: ``site + year`` gives "Crookston_1931"),
both in dcast's order (:mod:`asr_py.translate.rdcast`: sorted as R sorts factor levels),
and the same cells (NA where no record; ``fun.aggregate`` of several records, else their
count). The matrix is a data frame with row labels, as translated scripts hold named
matrices.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.translate import rdcast
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_acast", "translate"]

FUNCTIONS = frozenset({"acast", "reshape2::acast"})


def translate(tr: Any, e: R) -> str | None:
    """``r_acast(r_dcast(...), lhs)``; None for forms dcast's rule does not translate."""
    wide = rdcast.translate(tr, R("call", "dcast", e.args, left=e.left, start=e.start,
                                  end=e.end))
    if wide is None:
        return None
    got = rdcast.cast_call_args(e, ("data", "formula", "fun.aggregate", "...", "margins",
                                    "subset", "fill", "drop", "value.var"), "acast")
    if got is None:
        return None
    lhs = rdcast.formula_side_terms(got["formula"].left, "acast")
    return f"{tr.runtime('r_acast')}({wide}, {lhs!r})"


def r_acast(wide: Any, lhs: list[str]) -> Any:
    """The matrix of ``dcast()``'s data frame ``wide``: rows named by the ``lhs`` columns
    (joined by ``_``), those columns dropped."""
    if isinstance(wide, Untranslated):
        return wide._use()
    names = wide[lhs].astype(object).astype(str).agg("_".join, axis=1) if len(lhs) > 1 \
        else wide[lhs[0]].astype(object).map(str)
    out = wide.drop(columns=lhs)
    out.index = pd.Index(names.tolist())
    return out
