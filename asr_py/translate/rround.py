"""base R's ``round(x, digits)`` (R >= 4.0.0).

R rounds to the representable number closest to x among the two decimal candidates
``lo = floor(x 10^d) / 10^d`` and ``hi = ceil(x 10^d) / 10^d``; only a true tie (equal
distances in double arithmetic) goes to the even last digit (IEC 60559, ?Round). So the rule
applies to the number x is, not to its printed decimals: ``round(0.15, 1)`` is 0.1 (0.15 is
0.1499999...), where numpy's ``np.round`` (x 10^d, then rint) gives 0.2; ``round(2.5)`` is 2,
``round(-1.5)`` is -2, ``round(0.5)`` is 0. Negative digits round to tens, hundreds, ...
The sign is set aside first (round(-x) = -round(x)).
Missing values stay missing; a Series keeps its index. ``digits`` may be a vector: one
value per element, x and digits recycled to the longer (R's Math2 group).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["r_round"]


def _round(x: np.ndarray, d: int) -> np.ndarray:
    """Rounds |x| and restores the sign; x already holding more than 15 significant digits
    at ``d`` decimals (DBL_DIG) is returned as it is."""
    if d == 0:
        return np.rint(x)
    sgn, a = np.sign(x), np.abs(x)
    p = 10.0 ** d
    with np.errstate(divide="ignore", invalid="ignore"):
        y = a * p
        lo, hi = np.floor(y) / p, np.ceil(y) / p
        odd = np.fmod(np.floor(y), 2.0) == 1
        out = np.where((hi - a < a - lo) | ((hi - a == a - lo) & odd), hi, lo)
        if d > 0:
            full = (np.floor(np.log2(a)) + 0.5) * np.log10(2.0) + d > 15
            out = np.where(full, a, out)
    return np.where(np.isfinite(x) & (x != 0), sgn * out, x)


def r_round(x: Any, digits: Any = 0) -> Any:
    """R's ``round(x, digits)``: see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    ds = np.asarray(digits, dtype=float).ravel()
    if ds.size > 1 and not isinstance(x, pd.DataFrame):
        # one digits value per element, both recycled to the longer (R's Math2 group)
        vals = np.atleast_1d(np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x,
                                        dtype=float)).ravel()
        n = max(vals.size, ds.size)
        vals, ds = np.resize(vals, n), np.resize(ds, n)
        out = np.array([_round(np.array([v]), int(k))[0] for v, k in zip(vals, ds)])
        return pd.Series(out, index=x.index, name=x.name) if isinstance(x, pd.Series) and \
            len(x) == n else out
    d = int(ds[0])
    if isinstance(x, pd.DataFrame):
        num = x.select_dtypes("number").columns
        out = x.copy()
        for c in num:
            out[c] = _round(out[c].to_numpy(float), d)
        return out
    if isinstance(x, pd.Series):
        return pd.Series(_round(x.to_numpy(float), d), index=x.index, name=x.name)
    arr = np.asarray(x, dtype=float)
    got = _round(np.atleast_1d(arr), d)
    if arr.ndim == 0:
        v = float(got[0])
        return v
    return got.reshape(arr.shape)
