"""Base R's ``rank(x, na.last = TRUE, ties.method = "average")`` for translated scripts.

The rank of each value among ``x`` (1 = smallest); ties by ``ties.method``: "average" (the
mean of their positions, R's default), "first" (in order of appearance), "last", "min",
"max". ``na.last = TRUE`` ranks the missing values after the others, in their order;
``"keep"`` gives them NA; ``FALSE`` ranks them first. "random" is refused (R draws).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["r_rank", "translate"]

_METHODS = ("average", "first", "last", "max", "min")


def r_rank(x: Any, na_last: Any = True, ties_method: str = "average") -> Any:
    """``rank(x, na.last, ties.method)`` (see the module docstring); a Series keeps its
    labels, as R keeps names."""
    if isinstance(x, Untranslated):
        return x._use()
    method = next((m for m in _METHODS if m.startswith(str(ties_method))), None)
    if method is None:
        raise AsrError(f"rank(): ties.method = {ties_method!r} is not supported",
                       hint="average, first, last, min or max")
    s = pd.Series(x if isinstance(x, pd.Series) else list(np.ravel(np.asarray(x,
                                                                          dtype=object))))
    vals = pd.to_numeric(s, errors="coerce") if s.map(
        lambda v: v is None or isinstance(v, (int, float, np.number))).all() else s
    na = pd.isna(vals).to_numpy()
    ok = np.flatnonzero(~na)
    r = np.full(len(s), np.nan)
    if method == "last":           # R: the last of tied values gets the smallest rank
        rev = pd.Series(vals.to_numpy()[ok][::-1])
        r[ok] = rev.rank(method="first").to_numpy()[::-1]
    else:
        r[ok] = pd.Series(vals.to_numpy()[ok]).rank(
            method="first" if method == "first" else method).to_numpy()
    n_ok, miss = len(ok), np.flatnonzero(na)
    if na_last is True:
        r[miss] = n_ok + np.arange(1, len(miss) + 1)
    elif na_last is False:
        r[ok] += len(miss)
        r[miss] = np.arange(1, len(miss) + 1)
    elif na_last != "keep":
        raise AsrError(f"rank(): na.last = {na_last!r} is not supported",
                       hint='TRUE, FALSE or "keep"')
    out = r if method == "average" or np.isnan(r).any() else r.astype(int)
    return pd.Series(out, index=s.index) if isinstance(x, pd.Series) else out


def translate(tr: Any, e: R) -> str | None:
    """``rank(x, ties.method = "min")``; None for other arguments."""
    pos = [a for n, a in e.args if n is None]
    if len(pos) != 1:
        return None
    parts = [tr.py(pos[0])]
    for n, a in e.args:
        if n is None:
            continue
        if n == "ties.method" or "ties.method".startswith(n) and n.startswith("ties"):
            parts.append(f"ties_method={tr.py(a)}")
        elif n == "na.last":
            parts.append(f"na_last={tr.py(a)}")
        else:
            return None
    return f"{tr.runtime('r_rank')}({', '.join(parts)})"
