"""Base R's ``sample()`` and ``sample.int()`` for translated scripts (R 4.x ``?sample``):

* ``sample(x, size, replace = FALSE, prob = NULL)``: ``size`` elements of x drawn without
  (or with) replacement, with weights ``prob`` when given; ``size`` defaults to
  ``length(x)`` (a permutation);
* a single number ``x >= 1`` means ``1:x`` (R's documented trap, kept: ``sample(5)`` is a
  permutation of 1..5); a factor keeps its levels' labels;
* ``sample.int(n, size = n, replace, prob)``: from ``1:n``.

Errors as R's: a sample larger than the population without replacement, prob of the wrong
length. The draws come from numpy's generator (``set.seed()`` seeds it), not R's stream, so
the numbers differ from R's; their distribution is the same.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["CALLS", "r_sample", "r_sample_int"]

#: R function -> (runtime helper, formals in R's order, packages): rpkgcalls.py
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "sample": ("r_sample", ("x", "size", "replace", "prob"), ("base",)),
    "sample.int": ("r_sample_int", ("n", "size", "replace", "prob", "useHash"), ("base",)),
}


def _draw(n: int, size: Any, replace: Any, prob: Any, what: str) -> np.ndarray:
    """0-based positions of ``size`` draws from n."""
    k = n if size is None else int(np.asarray(size).ravel()[0])
    rep = bool(np.asarray(replace).ravel()[0]) if replace is not None else False
    if k < 0:
        raise AsrError(f"{what}: invalid 'size' argument {k}")
    if not rep and k > n:
        raise AsrError(f"{what}: cannot take a sample larger than the population when "
                       f"'replace = FALSE' ({k} from {n})",
                       hint="use replace = TRUE, or a smaller size")
    p = None
    if prob is not None:
        p = np.asarray(prob, dtype=float).ravel()
        if len(p) != n:
            raise AsrError(f"{what}: incorrect number of probabilities ({len(p)} for {n})")
        if (p < 0).any() or not np.isfinite(p).all() or p.sum() <= 0:
            raise AsrError(f"{what}: prob must be finite, non-negative, not all zero")
        p = p / p.sum()
        if not rep and np.count_nonzero(p) < k:
            raise AsrError(f"{what}: too few positive probabilities")
    if n == 0:
        if k:
            raise AsrError(f"{what}: cannot sample from an empty population")
        return np.zeros(0, dtype=int)
    return np.random.choice(n, size=k, replace=rep, p=p)


def r_sample(x: Any, size: Any = None, replace: Any = False, prob: Any = None) -> Any:
    """R's ``sample(x, size, replace, prob)`` (see the module)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.DataFrame):
        raise AsrError("sample(): x is a data frame (R would sample its columns as a list)",
                       hint="sample rows with d[sample(nrow(d)), ]")
    if isinstance(x, dict):
        keys = list(x)
        pos = _draw(len(keys), size, replace, prob, "sample()")
        return {keys[i]: x[keys[i]] for i in pos} if not replace else [x[keys[i]] for i in pos]
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        pos = _draw(len(x), size, replace, prob, "sample()")
        return pd.Categorical(np.asarray(x)[pos], categories=x.cat.categories)
    a = np.asarray(x.to_numpy() if isinstance(x, (pd.Series, pd.Index)) else x)
    if a.size == 1 and a.dtype.kind in "iuf" and float(a.ravel()[0]) >= 1:
        # sample(n): a permutation of 1:n (R's rule for one number >= 1)
        return r_sample_int(float(a.ravel()[0]), size, replace, prob)
    a = a.ravel()
    pos = _draw(len(a), size, replace, prob, "sample()")
    return a[pos]


def r_sample_int(n: Any, size: Any = None, replace: Any = False, prob: Any = None,
                 useHash: Any = None) -> np.ndarray:  # noqa: N803 - R's name
    """R's ``sample.int(n, size, replace, prob)``: draws from 1..n."""
    m = int(np.floor(float(np.asarray(n).ravel()[0])))
    return _draw(m, size, replace, prob, "sample.int()") + 1
