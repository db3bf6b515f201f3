"""stats' ``heatmap(x, Rowv, Colv, symm = FALSE, scale, na.rm = TRUE, ...)``.

R's defaults (stats::heatmap): the rows are clustered by ``hclust(dist(x))`` (Euclidean
distances, complete linkage) and the dendrogram reordered by ``reorder(dd, rowMeans(x))``
(at each merge the branch whose summed weight is smaller first); the columns likewise on
``t(x)`` with ``colMeans``, or as the rows when ``symm = TRUE`` (then ``scale`` defaults to
"none", else "row"). ``Rowv = NA`` / ``Colv = NA`` keep the order. The value is R's
invisible ``list(rowInd, colInd, Rowv = NULL, Colv = NULL)`` (the dendrograms are not
kept). The picture: ``x[rowInd, colInd]`` (centred and scaled by row or column as asked)
in R's 12 heat colours, row names on the right, column names below; the dendrograms are
not drawn (a NOTE).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.rlist import RList
from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["dendrogram_order", "r_heatmap"]


def dendrogram_order(x: np.ndarray, weights: np.ndarray) -> list[int]:
    """``order.dendrogram(reorder(as.dendrogram(hclust(dist(x))), weights))`` (0-based)."""
    from scipy.cluster.hierarchy import linkage

    n = x.shape[0]
    if n < 2:
        return list(range(n))
    z = linkage(x, method="complete", metric="euclidean")
    # node k (n.. 2n-2): its two children, in R's hclust order (a singleton before a
    # cluster, singletons by number, clusters by when they were made)
    kids: dict[int, tuple[int, int]] = {}
    for k, (a, b, _, _) in enumerate(z):
        a, b = int(a), int(b)
        if (a >= n) == (b >= n):
            a, b = min(a, b), max(a, b)
        elif a >= n:
            a, b = b, a
        kids[n + k] = (a, b)
    total: dict[int, float] = {i: float(weights[i]) for i in range(n)}
    order: dict[int, list[int]] = {i: [i] for i in range(n)}
    for node in range(n, 2 * n - 1):
        a, b = kids[node]
        total[node] = total[a] + total[b]          # reorder's agglo.FUN = sum
        first, second = (a, b) if total[a] <= total[b] else (b, a)
        order[node] = order[first] + order[second]
    return order[2 * n - 2]


def _matrix(x: Any) -> tuple[np.ndarray, list[str], list[str]]:
    if isinstance(x, pd.DataFrame):
        vals = x.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        rows = [str(i) for i in x.index] if not isinstance(x.index, pd.RangeIndex) else \
            [str(i + 1) for i in range(len(x))]
        return vals, rows, [str(c) for c in x.columns]
    m = np.asarray(x, dtype=float)
    if m.ndim != 2:
        raise AsrError("heatmap(x): x must be a numeric matrix",
                       hint="give a matrix or a data frame of numbers (as.matrix(d))")
    return m, [str(i + 1) for i in range(m.shape[0])], [str(j + 1) for j in range(m.shape[1])]


def _is_na(v: Any) -> bool:
    return v is not None and np.isscalar(v) and isinstance(v, float) and np.isnan(v)


def _weights(v: Any, means: np.ndarray) -> np.ndarray:
    """Rowv/Colv: NULL or TRUE reorder by the means, FALSE keeps hclust's order (equal
    weights), a vector gives the weights."""
    if v is None or v is True:
        return means
    if v is False:
        return np.zeros_like(means)
    w = np.asarray(v, dtype=float).ravel()
    if w.size != means.size:
        raise AsrError(f"heatmap(Rowv/Colv = ): {w.size} weights for {means.size} rows",
                       hint="one weight per row (column), or NA for no dendrogram")
    return w


def r_heatmap(x: Any, Rowv: Any = None, Colv: Any = None, symm: Any = False,  # noqa: N803
              scale: Any = None, na_rm: Any = True, main: Any = None, xlab: Any = None,
              ylab: Any = None, **kw: Any) -> Any:
    """``heatmap(x, ...)``: see the module docstring."""
    from asr_py.translate.rgraphics import _draw, _placeholder

    bad = _placeholder(x, Rowv, Colv)
    if bad is not None:
        return bad
    if isinstance(x, Untranslated):
        return x._use()
    m, rnames, cnames = _matrix(x)
    nr, nc = m.shape
    if nr < 2 or nc < 2:
        raise AsrError(f"heatmap(x): x has {nr} rows and {nc} columns",
                       hint="'x' must have at least 2 rows and 2 columns (R's error)")
    sym = bool(symm)
    how = str(scale) if scale is not None else ("none" if sym else "row")
    if how not in ("row", "column", "none"):
        raise AsrError(f"heatmap(scale = {how!r})", hint='"row", "column" or "none"')
    with np.errstate(invalid="ignore"):
        row_w = np.nanmean(m, axis=1) if na_rm else m.mean(axis=1)
        col_w = np.nanmean(m, axis=0) if na_rm else m.mean(axis=0)
    rows = list(range(nr)) if _is_na(Rowv) else dendrogram_order(np.nan_to_num(m),
                                                                   _weights(Rowv, row_w))
    if sym and Colv is None:
        if nr != nc:
            raise AsrError("heatmap(symm = TRUE): x is not square",
                           hint="symm = TRUE is for a square (symmetric) matrix")
        cols = rows
    else:
        cols = list(range(nc)) if _is_na(Colv) else \
            dendrogram_order(np.nan_to_num(m.T), _weights(Colv, col_w))
    shown = m.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        if how == "row":
            shown = (shown - np.nanmean(shown, 1, keepdims=True)) / \
                np.nanstd(shown, 1, ddof=1, keepdims=True)
        elif how == "column":
            shown = (shown - np.nanmean(shown, 0, keepdims=True)) / \
                np.nanstd(shown, 0, ddof=1, keepdims=True)
    shown = shown[np.ix_(rows, cols)]
    _draw("heatmap", _picture, shown, [rnames[i] for i in rows], [cnames[j] for j in cols],
          {"main": main, "xlab": xlab, "ylab": ylab})
    return RList({"rowInd": [i + 1 for i in rows], "colInd": [j + 1 for j in cols],
                  "Rowv": None, "Colv": None})


def _picture(z: np.ndarray, rlab: list[str], clab: list[str], o: dict[str, Any]) -> None:
    from matplotlib.colors import ListedColormap

    from asr_py.translate import rgraphstyle as st
    from asr_py.translate.rgraphdevice import plot_new

    ax = plot_new()
    heat = ["#FF0000", "#FF2000", "#FF4000", "#FF6000", "#FF8000", "#FF9F00", "#FFBF00",
            "#FFDF00", "#FFFF00", "#FFFF2A", "#FFFF80", "#FFFFD5"]      # heat.colors(12)
    cmap = ListedColormap([st.color(c) for c in heat])
    ax.pcolormesh(np.arange(z.shape[1] + 1), np.arange(z.shape[0] + 1), z, cmap=cmap)
    ax.set_xticks(np.arange(z.shape[1]) + 0.5, clab, rotation=90)
    ax.set_yticks(np.arange(z.shape[0]) + 0.5, rlab)
    ax.yaxis.tick_right()
    for name in ("main", "xlab", "ylab"):
        if o.get(name) is not None:
            {"main": ax.set_title, "xlab": ax.set_xlabel, "ylab": ax.set_ylabel}[name](
                str(o[name]))
