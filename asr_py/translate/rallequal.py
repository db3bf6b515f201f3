"""Base R's ``all.equal(target, current, tolerance = 1.5e-8)`` in translated scripts.

R 4 ``?all.equal`` (``all.equal.numeric``, ``countEQ = FALSE``): TRUE when the values agree,
else a description of the difference. Numbers: over the elements that differ, the mean
relative difference ``sum|target - current| / sum|target|`` ("Mean relative difference:
x"), or the mean absolute difference when the mean ``|target|`` of those elements is not
above the tolerance ("Mean absolute difference: x"); equal when it is at most
``tolerance``. Missing values must sit at the same places ("'is.NA' value mismatch");
lengths must match ("Lengths (m, n) differ"). Text: "k string mismatch(es)"; logicals:
"k element mismatch(es)". Used as ``isTRUE(all.equal(a, b))`` or inside
``expect_true()``.

Not kept: R also compares attributes (names, dimnames, class) unless
``check.attributes = FALSE``; translated values hold them differently from R (a matrix
with dimnames is a labelled DataFrame, one without a plain array), so only the values and
the shape are compared, as asr_py.translate.checks' expect_equal does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_all_equal"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "all.equal": ("r_all_equal", ("target", "current", "tolerance", "check.attributes",
                                  "check.names", "scale"), ("base",)),
}

_TOL = 1.5e-8


def _flat(x: Any) -> np.ndarray:
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    if isinstance(x, dict):
        x = list(x.values())
    return np.asarray(x, dtype=object).ravel(order="F") if np.ndim(x) > 1 else \
        np.atleast_1d(np.asarray(x, dtype=object))


def _plural(k: int, what: str) -> str:
    return f"{k} {what}{'es' if k != 1 else ''}"


def r_all_equal(target: Any, current: Any, tolerance: float = _TOL,
                check_attributes: bool = True, check_names: bool = True,
                scale: float | None = None) -> Any:
    """``all.equal(target, current)``: True, or R's description of the difference."""
    for v in (target, current):
        if isinstance(v, Untranslated):
            return v._use()
    if np.ndim(target) == 2 and np.ndim(current) == 2 and \
            np.shape(target) != np.shape(current):
        return (f"Attributes: < Component \"dim\": dimensions {np.shape(target)} and "
                f"{np.shape(current)} differ >")
    t, c = _flat(target), _flat(current)
    if t.size != c.size:
        numeric = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                      for v in t)
        return f"{'Numeric: lengths' if numeric else 'Lengths'} ({t.size}, {c.size}) differ"
    if all(isinstance(v, str) for v in t) or all(isinstance(v, str) for v in c):
        bad = sum(str(a) != str(b) for a, b in zip(t, c))
        return True if bad == 0 else _plural(bad, "string mismatch")
    if all(isinstance(v, (bool, np.bool_)) for v in t):
        bad = sum(bool(a) != bool(b) for a, b in zip(t, c))
        return True if bad == 0 else _plural(bad, "element mismatch")
    a = pd.to_numeric(pd.Series(t), errors="coerce").to_numpy(float)
    b = pd.to_numeric(pd.Series(c), errors="coerce").to_numpy(float)
    na_a, na_b = np.isnan(a), np.isnan(b)
    if np.any(na_a != na_b):
        return f"'is.NA' value mismatch: {int(na_b.sum())} in current {int(na_a.sum())} " \
               "in target"
    keep = ~na_a & (a != b)
    a, b = a[keep], b[keep]
    if a.size == 0:
        return True
    xy = float(np.mean(np.abs(a - b)))
    if scale is None:
        xn = float(np.mean(np.abs(a)))
        what = "absolute"
        if np.isfinite(xn) and xn > tolerance:
            xy, what = xy / xn, "relative"
    else:
        xy = xy / float(scale)
        what = "absolute" if float(scale) == 1 else "scaled"
    if np.isnan(xy) or xy > tolerance:
        return f"Mean {what} difference: {xy:.7g}"
    return True
