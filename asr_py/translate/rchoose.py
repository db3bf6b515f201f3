"""Two small base R functions of test scripts and pipelines: ``choose(n, k)``, the binomial
coefficient n! / (k! (n - k)!) (R's ``?choose``: vectorised, k rounded to a whole number, 0
for k < 0; for a non-integer n, n (n - 1) ... (n - k + 1) / k!), and ``is.unsorted(x,
na.rm = FALSE, strictly = FALSE)``: whether x is NOT in increasing order (non-decreasing;
``strictly``: increasing), NA when x holds NA and ``na.rm`` is FALSE."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_choose", "r_is_unsorted", "translate"]

FUNCTIONS = frozenset({"choose", "is.unsorted"})


def _values(x: Any) -> np.ndarray:
    if isinstance(x, pd.Series | pd.Index):
        return x.to_numpy()
    if isinstance(x, dict):
        return np.asarray(list(x.values()))
    return np.ravel(np.asarray(list(x) if isinstance(x, range | tuple) else x))


def _choose1(n: float, k: float) -> float:
    """n (n - 1) ... (n - k + 1) / k! for a whole k (0 below 0); a negative n by
    (-1)^k choose(k - n - 1, k)."""
    if np.isnan(n) or np.isnan(k):
        return np.nan
    if k < 0:
        return 0.0
    if k <= 30:
        out = 1.0
        for j in range(int(k)):
            out *= (n - j) / (j + 1)
        return out
    if n < 0:
        return float((-1) ** int(k) * special.binom(k - n - 1, k))
    return float(special.binom(n, k))


def r_choose(n: Any, k: Any) -> Any:
    """R's ``choose(n, k)`` (see the module docstring); one value for scalar arguments."""
    for v in (n, k):
        if isinstance(v, Untranslated):
            return v._use()
    nv, kv = _values(n).astype(float), _values(k).astype(float)
    if not nv.size or not kv.size:
        return np.array([], dtype=float)
    m = max(nv.size, kv.size)
    nv, kv = np.resize(nv, m), np.resize(np.round(kv), m)
    out = np.array([_choose1(a, b) for a, b in zip(nv, kv)], dtype=float)
    out = np.where(np.isnan(nv) | np.isnan(kv), np.nan, out)
    whole = np.isfinite(nv) & (nv == np.round(nv))
    out = np.where(whole, np.round(out), out)            # exact for whole n, as R's
    return float(out[0]) if np.ndim(n) == 0 and np.ndim(k) == 0 else out


def r_is_unsorted(x: Any, na_rm: bool = False, strictly: bool = False) -> Any:
    """R's ``is.unsorted(x, na.rm, strictly)`` (see the module docstring)."""
    if isinstance(x, Untranslated):
        return x._use()
    v = _values(x)
    miss = pd.isna(v)
    if miss.any():
        if not na_rm:
            return None                                  # R's NA
        v = v[~miss]
    if v.size < 2:
        return False
    try:
        a, b = v[:-1], v[1:]
        bad = (a >= b) if strictly else (a > b)
    except TypeError as exc:
        raise AsrError("is.unsorted(): x mixes values that do not compare (text and "
                       "numbers)", hint="convert x to one type first") from exc
    return bool(np.any(bad))


def translate(tr: Any, e: R) -> str | None:
    """``choose(n, k)`` and ``is.unsorted(x, na.rm, strictly)`` -> the runtime helpers;
    None for other arguments."""
    args = [(n, a) for n, a in e.args if a.kind != "empty"]
    try:
        if e.value == "choose":
            got = match_args(("n", "k"), args, "choose")
            if set(got) != {"n", "k"}:
                return None
            return f"{tr.runtime('r_choose')}({tr.py(got['n'])}, {tr.py(got['k'])})"
        got = match_args(("x", "na.rm", "strictly"), args, "is.unsorted")
    except ArgMatchError:
        return None
    if "x" not in got:
        return None
    extra = "".join(f", {k.replace('.', '_')}={tr.py(got[k])}" for k in ("na.rm", "strictly")
                    if k in got)
    return f"{tr.runtime('r_is_unsorted')}({tr.py(got['x'])}{extra})"
