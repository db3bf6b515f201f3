"""R's high-level graphics calls on matplotlib: each starts a plot (``plot.new()``: the next
panel of ``par(mfrow)``/``layout()``, a new page when full) and draws in it.

* ``plot(x, y)`` (``plot.default``): points/lines of ``type``; ``plot(x)`` against the
  index 1..n; ``plot(y ~ x, data)``; a factor ``x``: bars of its counts (``plot.factor``),
  with numeric ``y`` boxes of ``y`` by ``x``; a data frame: ``pairs()``; a ``density()``
  value: its curve (``main`` ``density.default(x = ...)``); a ``hist()`` value: the
  histogram; a function: ``curve()``; an ``ecdf``: its steps; a one-way ``table``: type "h"
  bars.
* ``hist`` (bars of ``counts`` or, with ``freq = FALSE``, of ``density``), ``matplot`` (a
  column each, ``pch`` 1, 2, ..., colours 1..6 and ``lty`` 1..5 recycled), ``curve(expr,
  from, to, n = 101)``, ``pairs`` (every pair of columns, names on the diagonal),
  ``qqnorm`` (``ppoints`` quantiles against the sorted data), ``image`` (cells of ``z`` at
  ``x``, ``y``, R's colours ``hcl.colors(12, "YlOrRd", rev = TRUE)``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate import rgraphstyle as st
from asr_py.translate.rgraphbox import draw_barplot, draw_boxplot, levels_of
from asr_py.translate.rgraphdevice import plot_new, state, text_size
from asr_py.translate.rgraphdraw import annotate, draw_xy, set_limits
from asr_py.translate.rgraphvalues import RList, numeric_values, qqnorm_values

__all__ = ["plot_xy", "draw_hist", "draw_matplot", "draw_pairs", "draw_image", "is_factor",
           "draw_fit"]


def is_factor(v: Any) -> bool:
    """A factor or character vector (R plots it as categories)."""
    if isinstance(v, pd.Series):
        return isinstance(v.dtype, pd.CategoricalDtype) or v.dtype == object and \
            v.map(lambda a: isinstance(a, str)).any()
    if isinstance(v, (list, tuple, np.ndarray)):
        vals = list(np.ravel(np.asarray(v, dtype=object)))
        return bool(vals) and all(isinstance(a, str) for a in vals if a is not None)
    return False


def plot_xy(x: Any, y: Any, o: dict[str, Any], xlab: Any, ylab: Any) -> None:
    """``plot.default``: points or lines of ``type``, then the title and labels."""
    ax = plot_new()
    xs = numeric_values(x, "x") if x is not None else None
    ys = numeric_values(y, "y")
    if xs is None:
        xs = np.arange(1, len(ys) + 1, dtype=float)
    n = max(len(xs), len(ys))
    if len(xs) != len(ys):
        if min(len(xs), len(ys)) == 0 or n % min(len(xs), len(ys)):
            raise ValueError("'x' and 'y' lengths differ")
        xs, ys = np.resize(xs, n), np.resize(ys, n)
    set_limits(ax, xs, ys, o)
    draw_xy(ax, xs, ys, o, str(o.get("type") or "p"))
    annotate(ax, o, xlab=xlab, ylab=ylab)


def draw_hist(h: RList, o: dict[str, Any], xlab: Any, main: Any) -> None:
    """Bars of a histogram value (``freq``: counts when the breaks are equidistant)."""
    ax = plot_new()
    b = np.asarray(h["breaks"], dtype=float)
    freq = o.get("freq")
    if freq is None:
        freq = not o.get("probability", False) and bool(h["equidist"])
    top = np.asarray(h["counts"] if freq else h["density"], dtype=float)
    col = st.color(st.as_list(o.get("col"))[0]) if o.get("col") is not None else "none"
    border = st.color(st.as_list(o.get("border"))[0]) if o.get("border") is not None \
        else "black"
    ax.bar(b[:-1], top, np.diff(b), align="edge", color=col or "none",
           edgecolor=border or "none", linewidth=0.75)
    lim = {"xlim": o.get("xlim", (b[0], b[-1])), "ylim": o.get("ylim", (0, top.max()
                                                                         if top.size else 1))}
    set_limits(ax, b, top, {**o, **lim})
    if o.get("labels") is True:
        for xm, t in zip(h["mids"], top):
            ax.text(xm, t, f"{t:g}", ha="center", va="bottom", fontsize=text_size(0.8))
    annotate(ax, o, xlab=xlab, ylab="Frequency" if freq else "Density", main=main)


def draw_matplot(x: Any, y: Any, o: dict[str, Any], xlab: Any, ylab: Any) -> None:
    """``matplot(x, y)``: one series per column."""
    ax = plot_new()
    ym = _matrix(y)
    xm = _matrix(x) if x is not None else np.arange(1, ym.shape[0] + 1, dtype=float)[:, None]
    k = max(ym.shape[1], xm.shape[1])
    set_limits(ax, xm, ym, o)
    kind = st.as_list(o.get("type") or "p")
    pch = st.as_list(o.get("pch")) or [str(i) for i in range(1, 10)] + ["0"]
    col = st.as_list(o.get("col")) or list(range(1, 7))
    lty = st.as_list(o.get("lty")) or list(range(1, 6))
    lwd = st.as_list(o.get("lwd")) or [1]
    for j in range(k):
        oj = {**o, "pch": pch[j % len(pch)], "col": col[j % len(col)],
              "lty": lty[j % len(lty)], "lwd": lwd[j % len(lwd)]}
        draw_xy(ax, xm[:, j % xm.shape[1]], ym[:, j % ym.shape[1]], oj,
                str(kind[j % len(kind)]))
    annotate(ax, o, xlab=xlab, ylab=ylab)


def _matrix(v: Any) -> np.ndarray:
    if isinstance(v, pd.DataFrame):
        return v.to_numpy(dtype=float)
    a = np.asarray(v, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def draw_pairs(d: Any, o: dict[str, Any]) -> None:
    """``pairs(d)``: a page of k × k panels, each column against each other."""
    from asr_py.translate.rgraphdevice import whole_page

    frame = d if isinstance(d, pd.DataFrame) else pd.DataFrame(_matrix(d))
    cols = [c for c in frame.columns]
    k = len(cols)
    fig = whole_page()
    labels = st.as_list(o.get("labels")) or [str(c) for c in cols]
    for i in range(k):
        for j in range(k):
            ax = fig.add_subplot(k, k, i * k + j + 1)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == j:
                ax.text(0.5, 0.5, labels[i], ha="center", va="center",
                        fontsize=text_size(1.5 if k < 5 else 1.0), transform=ax.transAxes)
                continue
            xs, ys = (_codes(frame[cols[j]]), _codes(frame[cols[i]]))
            draw_xy(ax, xs, ys, o, "p")
    if o.get("main") is not None:
        fig.suptitle(str(o["main"]), fontweight="bold")


def _codes(v: pd.Series) -> np.ndarray:
    if is_factor(v):
        return levels_of(v)[1].astype(float)
    return numeric_values(v)


def draw_image(x: Any, y: Any, z: Any, o: dict[str, Any], xlab: Any, ylab: Any) -> None:
    """``image(x, y, z)``: cells of ``z`` (rows along x) in ``col`` (12 heat colours)."""
    ax = plot_new()
    zm = _matrix(z)
    nx, ny = zm.shape
    xs = np.linspace(0, 1, nx) if x is None else numeric_values(x)
    ys = np.linspace(0, 1, ny) if y is None else numeric_values(y)
    cols = st.as_list(o.get("col"))
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([st.color(c) for c in cols]) if cols else "YlOrRd_r"
    ax.pcolormesh(_edges(xs), _edges(ys), zm.T, cmap=cmap, shading="flat")
    annotate(ax, o, xlab=xlab, ylab=ylab)


def _edges(c: np.ndarray) -> np.ndarray:
    if c.size < 2:
        return np.r_[c - 0.5, c + 0.5]
    mid = (c[1:] + c[:-1]) / 2
    return np.r_[c[0] - (mid[0] - c[0]), mid, c[-1] + (c[-1] - mid[-1])]


def draw_factor(x: Any, o: dict[str, Any], xlab: Any) -> np.ndarray:
    """``plot(factor)``: bars of the level counts; the bars' midpoints."""
    from asr_py.translate.rgraphbox import barplot_mids

    levels, codes = levels_of(x)
    counts = np.bincount(codes[codes >= 0], minlength=len(levels)).astype(float)
    mids = barplot_mids(counts)
    ax = plot_new()
    draw_barplot(ax, counts, mids, {**o, "xlab": o.get("xlab", xlab)},
                 [str(v) for v in levels])
    return mids


def draw_boxes(b: RList, o: dict[str, Any], xlab: Any, ylab: Any) -> None:
    ax = plot_new()
    draw_boxplot(ax, b, o, xlab, ylab)


def draw_curve(f: Any, o: dict[str, Any], xlab: Any, ylab: Any) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """``curve(expr, from, to, n)``: ``f`` at ``n`` points; adds to the plot if ``add``."""
    lo = o.get("from")
    hi = o.get("to")
    ax = state.current.axes if (o.get("add") and state.current is not None) else None
    if lo is None or hi is None:
        if ax is not None:
            a, b = ax.get_xlim()
        else:
            a, b = 0.0, 1.0
        lo = a if lo is None else lo
        hi = b if hi is None else hi
    n = int(o.get("n") or 101)
    xs = np.linspace(float(lo), float(hi), n)
    ys = np.asarray(f(xs), dtype=float)
    if ys.ndim == 0 or ys.size != n:
        ys = np.array([float(f(v)) for v in xs])
    if ax is None:
        ax = plot_new()
        set_limits(ax, xs, ys, o)
        draw_xy(ax, xs, ys, o, str(o.get("type") or "l"))
        annotate(ax, o, xlab=xlab, ylab=ylab)
    else:
        draw_xy(ax, xs, ys, o, str(o.get("type") or "l"))
    return xs, ys


def draw_fit(fit: Any) -> None:
    """``plot(fit)`` of an asreml fit: asr_py's four residual panels on one page."""
    from asr_py.results.plots import plot_residuals
    from asr_py.translate.rgraphdevice import whole_page

    fig = whole_page()
    axes = [fig.add_subplot(2, 2, k) for k in range(1, 5)]
    plot_residuals(fit, "all", ax=axes)
    fig.subplots_adjust(hspace=0.4, wspace=0.3)     # (tight_layout would render twice)


def draw_variogram(obj: Any, row: str | None = None, col: str | None = None) -> None:
    """``plot(varioGram(fit))``: asr_py's variogram wireframe on one page."""
    from asr_py.results.variogram import plot_variogram
    from asr_py.translate.rgraphdevice import whole_page

    fig = whole_page()
    ax = fig.add_subplot(1, 1, 1, projection="3d")
    args = [a for a in (row, col) if a is not None]
    plot_variogram(obj, *args, ax=ax)


def draw_lm(fit: Any, o: dict[str, Any]) -> None:
    """``plot(lm_fit)`` (R's ``plot.lm``, ``which = c(1, 2, 3, 5)``), a panel each:
    residuals against fitted values; the normal Q-Q plot of the standardised residuals
    ``r_i = e_i sqrt(w_i) / (s sqrt(1 - h_ii))``; ``sqrt(|r_i|)`` against fitted values;
    ``r_i`` against the leverages ``h_ii`` (the diagonal of the weighted hat matrix)."""
    xw = np.asarray(fit._xw)[:, fit.keep]
    q, _ = np.linalg.qr(xw)
    h = np.sum(q * q, axis=1)
    e = np.asarray(fit.residuals, dtype=float)
    f = np.asarray(fit.fitted_values, dtype=float)
    s = float(np.sqrt(np.sum(fit.w * e ** 2) / max(1, fit.df_residual)))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = e * np.sqrt(fit.w) / (s * np.sqrt(1 - h))
    z = qqnorm_values(r)["x"]
    panels = [(f, e, "Fitted values", "Residuals", "Residuals vs Fitted", 0.0),
              (z, r, "Theoretical Quantiles", "Standardized residuals", "Normal Q-Q", None),
              (f, np.sqrt(np.abs(r)), "Fitted values", "\u221a|Standardized residuals|",
               "Scale-Location", None),
              (h, r, "Leverage", "Standardized residuals", "Residuals vs Leverage", 0.0)]
    for xs, ys, xl, yl, name, hline in panels:
        ax = plot_new()
        set_limits(ax, xs, ys, o)
        draw_xy(ax, xs, ys, o, "p")
        if hline is not None:
            ax.axhline(hline, color="gray", linestyle=(0, (1, 3)))
        if name == "Normal Q-Q":
            from asr_py.results.plots import qq_points

            _, _, a, b = qq_points(r[np.isfinite(r)])
            ax.axline((0.0, a), slope=b, color="gray", linestyle=(0, (1, 3)))
        annotate(ax, {**o, "main": o.get("main", name)}, xlab=xl, ylab=yl)
