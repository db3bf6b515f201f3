"""R's ``unique(x)``: of a data frame (``d %>% select(a, b) %>% unique()``) its distinct rows,
the first of each, with their row names (unique.data.frame); of a matrix its distinct rows
too; of a vector or column its distinct values in order of first appearance (``pd.unique``,
missing values kept once).

``unique(x, incomparables, fromLast = FALSE)`` (unique.default): values listed in
``incomparables`` are never matched, so every occurrence is kept (``FALSE``, the default, means
all values compare); ``fromLast = TRUE`` keeps the last of each value, in the original order.
A data frame or matrix with ``incomparables`` is R's error "incomparables != FALSE is not used
(yet)"."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["r_unique", "translate"]


def r_unique(x: Any, incomparables: Any = False, fromLast: bool = False) -> Any:  # noqa: N803
    """``unique(x)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    plain = incomparables is False
    keep = "last" if fromLast else "first"
    if isinstance(x, pd.DataFrame) or isinstance(x, np.ndarray) and x.ndim == 2:
        if not plain:
            raise AsrError("unique() of a data frame or matrix: incomparables != FALSE is not "
                           "used in R (its error too); drop the incomparables argument")
        if isinstance(x, pd.DataFrame):
            return x.drop_duplicates(keep=keep)
        return pd.DataFrame(x).drop_duplicates(keep=keep).to_numpy()
    if not plain or fromLast:
        return _unique_vector(x, incomparables, fromLast)
    if isinstance(x, (list, tuple, range)):
        x = pd.Series(list(x))          # c(3, 1, 3): pd.unique refuses a list
    elif isinstance(x, (str, bytes, int, float, bool, np.generic)):
        x = pd.Series([x])              # one value (R: a vector of length 1) is itself
    return pd.unique(x)


def _unique_vector(x: Any, incomparables: Any, from_last: bool) -> Any:
    """Distinct values of a vector, every ``incomparables`` value kept, the first (or last)
    of the others, in the order of the vector."""
    vals = list(x) if not isinstance(x, (str, bytes, int, float, bool, np.generic)) else [x]
    skip = set() if incomparables is False else set(
        [incomparables] if np.ndim(incomparables) == 0 else list(incomparables))
    order = range(len(vals) - 1, -1, -1) if from_last else range(len(vals))
    seen: set[Any] = set()
    kept: list[int] = []
    for i in order:
        v = vals[i]
        key = "NA" if v is None or isinstance(v, float) and np.isnan(v) else v
        if v in skip or key not in seen:
            kept.append(i)
            if v not in skip:
                seen.add(key)
    out = [vals[i] for i in sorted(kept)]
    return pd.Series(out).to_numpy() if isinstance(x, (pd.Series, np.ndarray)) else out


def translate(tr: Any, e: R) -> str | None:
    """``unique(x)`` of an expression that may be a data frame (not a column ``d$x``)."""
    from asr_py.translate.rmatchargs import match_args
    try:
        got = match_args(("x", "incomparables", "fromLast", "nmax"), e.args, "unique")
    except Exception:       # an argument unique() does not have: left to the default path
        return None
    x = got.get("x")
    if x is None:
        return None
    extra = {k: a for k, a in got.items() if k in ("incomparables", "fromLast")}
    if not extra and (x.kind == "dollar" or x.kind == "index" and x.value == "[["):
        return None                         # a column: pd.unique, as before
    more = "".join(f", {k}={tr.py(a)}" for k, a in extra.items())
    return f"{tr.runtime('r_unique')}({tr.py(x)}{more})"
