"""forcats' ``fct_relevel(.f, ..., after = 0L)`` (forcats 1.0 ``?fct_relevel``): "Reorder
factor levels by hand".

The levels given (strings, as separate arguments or vectors) move, in that order, to the
front; "any levels not mentioned will be left in their existing order, by default after
the explicitly mentioned levels" (``after = n`` puts them after the n-th other level,
``after = Inf`` at the end). A level ``.f`` does not have is forcats' warning "Unknown
levels in `f`" and is ignored. A column that is not a factor yet is one with R's sorted
levels first (:func:`~asr_py.translate.rfactorlevels.r_factor`). The result is a
Categorical whose categories are the new order (asr.asreml codes them in that order).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_fct_relevel", "translate"]

FUNCTIONS = frozenset({"fct_relevel", "forcats::fct_relevel"})


def translate(tr: Any, e: R) -> str | None:
    """``r_fct_relevel(f, [levels...], after=)``; None when a level argument is a function
    (``fct_relevel(f, sort)``) or the call has other named arguments."""
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    f = named.pop(".f", None) or (pos.pop(0) if pos else None)
    after = named.pop("after", None)
    if f is None or named or any(a.kind in ("function", "formula") or a.kind == "name" and
                                 a.value in ("sort", "rev", "toupper", "tolower")
                                 for a in pos):
        return None
    levels = ", ".join(tr.py(a) for a in pos)
    extra = f", after={tr.py(after)}" if after is not None else ""
    return f"{tr.runtime('r_fct_relevel')}({tr.series(f)}, [{levels}]{extra})"


def _flat(vals: list[Any]) -> list[str]:
    out: list[str] = []
    for v in vals:
        if isinstance(v, str):
            out.append(v)
        else:
            out += [str(x) for x in np.ravel(np.asarray(list(v) if isinstance(
                v, pd.Series | pd.Index | range | tuple) else v, dtype=object))]
    return out


def r_fct_relevel(f: Any, levels: list[Any], after: Any = 0) -> pd.Series:
    """``fct_relevel(f, levels..., after)``: see the module docstring."""
    from asr_py.translate.rfactorlevels import r_factor

    for v in (f, *levels):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    fac = f if isinstance(f, pd.Series) and isinstance(f.dtype, pd.CategoricalDtype) \
        else r_factor(f)                     # a factor keeps its levels, used or not
    old = [str(c) for c in fac.cat.categories]
    move = list(dict.fromkeys(_flat(levels)))
    unknown = [lev for lev in move if lev not in old]
    if unknown:
        warnings.warn(f"fct_relevel(): unknown levels in `f`: {', '.join(unknown)}",
                      stacklevel=2)
    move = [lev for lev in move if lev in old]
    rest = [lev for lev in old if lev not in move]
    a = float(np.ravel(np.asarray(after, dtype=float))[0])
    if np.isnan(a) or a < 0:
        raise AsrError(f"fct_relevel(): 'after' must be >= 0, not {after!r}")
    k = len(rest) if np.isinf(a) else min(int(a), len(rest))
    new = rest[:k] + move + rest[k:]
    return fac.cat.reorder_categories([fac.cat.categories[old.index(lev)] for lev in new])
