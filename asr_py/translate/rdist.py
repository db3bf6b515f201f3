"""R's ``dist()`` (stats) for translated scripts: distances between the rows of a matrix.

Scripts build similarity kernels from it (``G <- as.matrix(dist(W)); 1 - G/max(G)``) and
fit them with ``vm(genotype, G)``. The result is the full symmetric matrix that
``as.matrix(dist(x))`` gives, named by the row names of ``x`` ("1".."n" without them);
NA entries are skipped and the sum scaled up, as R does.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError

__all__ = ["r_dist_matrix"]

_METHODS = ("euclidean", "maximum", "manhattan", "canberra", "binary", "minkowski")


def r_dist_matrix(x: Any, method: str = "euclidean", diag: Any = False, upper: Any = False,
           p: float = 2.0) -> pd.DataFrame:
    """``as.matrix(dist(x, method, p = p))``: the n x n distances between rows of ``x``."""
    from asr_py.translate.checks import Untranslated

    if isinstance(x, Untranslated):
        return x._use()
    hits = [m for m in _METHODS if m.startswith(str(method))]
    if len(hits) != 1:
        raise AsrError(f"dist(method = {method!r}): not one of {', '.join(_METHODS)}",
                       hint="R's dist() methods are matched by their first letters")
    how = hits[0]
    if isinstance(x, pd.DataFrame) and not isinstance(x.index, pd.RangeIndex):
        names = [str(i) for i in x.index]
    else:
        names = [str(i + 1) for i in range(len(x))]
    m = np.asarray(x, dtype=float)
    if m.ndim == 1:
        m = m[:, None]
    n, k = m.shape
    out = np.zeros((n, n))
    for i in range(n):
        d = m - m[i]
        ok = ~np.isnan(d)
        cnt = ok.sum(axis=1)
        a = np.where(ok, np.abs(d), 0.0)
        if how == "euclidean":
            v = np.sqrt(np.sum(a ** 2, axis=1) * k / np.maximum(cnt, 1))
        elif how == "manhattan":
            v = np.sum(a, axis=1) * k / np.maximum(cnt, 1)
        elif how == "maximum":
            v = np.max(np.where(ok, a, -np.inf), axis=1)
        elif how == "minkowski":
            v = (np.sum(a ** p, axis=1) * k / np.maximum(cnt, 1)) ** (1.0 / p)
        elif how == "canberra":
            s = np.abs(m) + np.abs(m[i])
            with np.errstate(all="ignore"):
                t = np.where(ok & (s > 0), a / np.where(s > 0, s, 1.0), 0.0)
            v = np.sum(t, axis=1) * k / np.maximum(cnt, 1)
        else:                                               # binary: non-zero = 'on'
            on, oi = (m != 0) & ~np.isnan(m), (m[i] != 0) & ~np.isnan(m[i])
            either = (on | oi) & ok
            with np.errstate(all="ignore"):
                v = np.where(either.sum(axis=1) > 0,
                             (either & ~(on & oi)).sum(axis=1) / either.sum(axis=1), 0.0)
        v = np.where(cnt == 0, np.nan, v)
        out[i] = v
    np.fill_diagonal(out, 0.0)
    return pd.DataFrame(out, index=names, columns=names)
