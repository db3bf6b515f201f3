"""Base-R vector functions met in agronomy/MET scripts (eighth pass B): ``which()``,
``complete.cases()``, ``cor(x, y, use =, method =)`` and ``stopifnot()``, with R's results
(1-based positions, NA handling) and clear errors."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated


def _untranslated(*xs: Any) -> Any:
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    return None


def r_which(x: Any) -> Any:
    """R's ``which(x)``: the 1-based positions of the TRUE values (NA counts as FALSE); a
    named logical vector (a Series with labels, a dict) keeps the names."""
    u = _untranslated(x)
    if u is not None:
        return u
    if isinstance(x, dict):
        keys, vals = list(x.keys()), list(x.values())
    elif isinstance(x, pd.Series):
        keys = None if isinstance(x.index, pd.RangeIndex) else list(x.index)
        vals = list(x)
    else:
        keys, vals = None, list(np.atleast_1d(np.asarray(x, dtype=object)).ravel())
    pos = [i + 1 for i, v in enumerate(vals) if v is True or isinstance(v, np.bool_) and v]
    bad = [v for v in vals if not (isinstance(v, (bool, np.bool_)) or v is None or
                                   isinstance(v, float) and np.isnan(v))]
    if bad:
        raise AsrError(f"which(): argument is not logical (found {bad[0]!r})",
                       hint="which() takes a logical vector, e.g. which(x > 0)")
    if keys is not None:
        return pd.Series(pos, index=[keys[p - 1] for p in pos])
    return pos


def r_complete_cases(*xs: Any) -> np.ndarray:
    """R's ``complete.cases(d, ...)``: TRUE for the rows with no missing value in any of the
    arguments (data frames, matrices or vectors of one length)."""
    u = _untranslated(*xs)
    if u is not None:
        return u  # type: ignore[no-any-return]
    masks = []
    for x in xs:
        if isinstance(x, pd.DataFrame):
            masks.append(~x.isna().any(axis=1).to_numpy())
        else:
            a = pd.DataFrame(np.asarray(x, dtype=object))
            masks.append(~a.isna().any(axis=1).to_numpy())
    if not masks:
        raise AsrError("complete.cases(): no argument", hint="give a data frame or vectors")
    if len({len(m) for m in masks}) > 1:
        raise AsrError("complete.cases(): the arguments have different numbers of rows "
                       f"({', '.join(str(len(m)) for m in masks)})",
                       hint="give vectors of one length")
    out = masks[0]
    for m in masks[1:]:
        out = out & m
    return out


def r_cor(x: Any, y: Any = None, use: str = "everything", method: str = "pearson") -> Any:
    """R's ``cor(x, y, use, method)`` of two vectors (pearson, spearman or kendall); ``use =
    "complete.obs"``/``"pairwise.complete.obs"`` drops the pairs with a missing value, the
    default gives NA when any is missing. ``cor(d)`` of a data frame or matrix: the
    correlation matrix."""
    u = _untranslated(x, y)
    if u is not None:
        return u
    if method not in ("pearson", "spearman", "kendall"):
        raise AsrError(f"cor(method = {method!r}): not a method R knows",
                       hint="'pearson', 'spearman' or 'kendall'")
    if use not in ("everything", "all.obs", "complete.obs", "na.or.complete",
                   "pairwise.complete.obs"):
        raise AsrError(f"cor(use = {use!r}): not a choice R knows",
                       hint="'everything', 'complete.obs' or 'pairwise.complete.obs'")
    if y is None:
        d = pd.DataFrame(np.asarray(x, dtype=float)) if not isinstance(x, pd.DataFrame) \
            else x.astype(float)
        if use in ("complete.obs", "na.or.complete"):
            d = d.dropna()
        elif use in ("everything", "all.obs") and d.isna().to_numpy().any():
            if use == "all.obs":
                raise AsrError("cor(use = 'all.obs'): missing values", hint="use = 'complete.obs'")
        return d.corr(method=method)
    a = pd.Series(np.asarray(x, dtype=float)).reset_index(drop=True)
    b = pd.Series(np.asarray(y, dtype=float)).reset_index(drop=True)
    if len(a) != len(b):
        raise AsrError(f"cor(x, y): x has {len(a)} values, y {len(b)}",
                       hint="x and y must be of one length")
    missing = a.isna() | b.isna()
    if missing.any():
        if use == "all.obs":
            raise AsrError("cor(use = 'all.obs'): missing values", hint="use = 'complete.obs'")
        if use == "everything":
            return float("nan")
        a, b = a[~missing], b[~missing]
    return float(a.corr(b, method=method))


def r_stopifnot(*conds: Any) -> None:
    """R's ``stopifnot(...)``: an error naming the first condition that is not all TRUE."""
    for i, c in enumerate(conds, 1):
        if isinstance(c, Untranslated):
            continue                      # a check of something not translated: skipped
        vals = list(np.atleast_1d(np.asarray(c, dtype=object)).ravel()) if not isinstance(
            c, (bool, np.bool_)) else [c]
        if not all(v is True or isinstance(v, np.bool_) and v for v in vals):
            raise AsrError(f"stopifnot(): condition {i} is not all TRUE",
                           hint="the script checks its input here; see its R code")
