"""R's low-level graphics calls: they add to the current plot (``plot.new has not been
called yet`` when there is none: a warning here, and nothing drawn).

``lines``/``points`` (``type`` as plot's), ``abline(a, b)``, ``abline(h = , v = )``,
``abline(lm_fit)`` (its intercept and slope), ``text(x, y, labels, pos, adj)``,
``mtext(text, side, line)`` (in the margin, ``side`` 1 below, 2 left, 3 above, 4 right),
``legend(x, legend, col, pch, lty, fill)`` (x a keyword such as ``"topright"``), ``title``,
``axis(side, at, labels)``, ``box()``, ``grid()``, ``polygon``, ``segments``, ``arrows``,
``rect``, ``qqline(y)`` (through the first and third quartiles of ``y`` and of the normal).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.results.plots import qq_points
from asr_py.translate import rgraphstyle as st
from asr_py.translate.rgraphdevice import text_size
from asr_py.translate.rgraphdraw import draw_xy, opt, title
from asr_py.translate.rgraphvalues import numeric_values

__all__ = ["add_lines", "add_abline", "add_text", "add_mtext", "add_legend", "add_axis",
           "add_box", "add_grid", "add_polygon", "add_segments", "add_rect", "add_qqline",
           "add_title", "xy_of"]

_LEGEND_POS = {"topright": "upper right", "topleft": "upper left", "top": "upper center",
               "bottomright": "lower right", "bottomleft": "lower left",
               "bottom": "lower center", "right": "center right", "left": "center left",
               "center": "center"}


def xy_of(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """R's ``xy.coords``: ``(x, y)``; ``y`` missing: x against 1..n, or a two-column /
    ``list(x, y)`` / density value's coordinates."""
    if y is None:
        if isinstance(x, dict) and "x" in x and "y" in x:
            return numeric_values(x["x"]), numeric_values(x["y"])
        if hasattr(x, "columns") and len(x.columns) >= 2:
            return numeric_values(x.iloc[:, 0]), numeric_values(x.iloc[:, 1])
        ys = numeric_values(x)
        return np.arange(1, len(ys) + 1, dtype=float), ys
    xs, ys = numeric_values(x, "x"), numeric_values(y, "y")
    if len(xs) != len(ys) and min(len(xs), len(ys)) > 0:
        n = max(len(xs), len(ys))
        xs, ys = np.resize(xs, n), np.resize(ys, n)
    return xs, ys


def add_lines(ax: Any, x: Any, y: Any, o: dict[str, Any], kind: str) -> None:
    xs, ys = xy_of(x, y)
    draw_xy(ax, xs, ys, o, str(o.get("type") or kind))


def _line_kw(o: dict[str, Any], k: int = 0) -> dict[str, Any]:
    cols = st.as_list(opt(o, "col", "black"))
    ltys = st.as_list(opt(o, "lty", "solid"))
    lwds = st.as_list(opt(o, "lwd", 1))
    return {"color": st.color(cols[k % len(cols)]) or "none",
            "linestyle": st.linestyle(ltys[k % len(ltys)]),
            "linewidth": st.linewidth(lwds[k % len(lwds)])}


def add_abline(ax: Any, a: Any, b: Any, h: Any, v: Any, o: dict[str, Any]) -> None:
    """``abline``: lines ``y = a + b x`` (``a`` a fit: its two coefficients), ``h``, ``v``."""
    k = 0
    for val in st.as_list(h):
        ax.axhline(float(val), **_line_kw(o, k))
        k += 1
    for val in st.as_list(v):
        ax.axvline(float(val), **_line_kw(o, k))
        k += 1
    if a is not None:
        if b is None:
            coef = _coefficients(a)
            a, b = coef[0], coef[1]
        if ax.get_xscale() == "log" or ax.get_yscale() == "log":
            xs = np.logspace(*np.log10(ax.get_xlim()), 100) if ax.get_xscale() == "log" \
                else np.linspace(*ax.get_xlim(), 100)
            ax.plot(xs, float(a) + float(b) * xs, scalex=False, scaley=False, **_line_kw(o))
        else:
            ax.axline((0.0, float(a)), slope=float(b), **_line_kw(o))


def _coefficients(fit: Any) -> np.ndarray:
    for attr in ("coefficients", "params", "coef_"):
        c = getattr(fit, attr, None)
        if c is not None and not callable(c):
            return np.asarray(c, dtype=float).ravel()
    if isinstance(fit, dict) and "coefficients" in fit:
        return np.asarray(fit["coefficients"], dtype=float).ravel()
    vals = numeric_values(fit, "abline(a)")
    if vals.size < 2:
        raise ValueError("abline(a): a needs two values (intercept and slope)")
    return vals


def add_text(ax: Any, x: Any, y: Any, labels: Any, o: dict[str, Any]) -> None:
    xs, ys = xy_of(x, y)
    n = len(xs)
    labs = [str(v) for v in st.recycle(labels if labels is not None else
                                       list(range(1, n + 1)), n)]
    cols = st.recycle(opt(o, "col", "black"), n)
    cex = st.recycle(o.get("cex", 1), n)
    pos = o.get("pos")
    adj = st.as_list(o.get("adj")) or [0.5, 0.5]
    ha = {0: "left", 0.5: "center", 1: "right"}.get(float(adj[0]), "center")
    va = "center" if len(adj) < 2 else {0: "bottom", 0.5: "center", 1: "top"}.get(
        float(adj[1]), "center")
    off = {1: (0, -1, "center", "top"), 2: (-1, 0, "right", "center"),
           3: (0, 1, "center", "bottom"), 4: (1, 0, "left", "center")}
    for i in range(n):
        if not (np.isfinite(xs[i]) and np.isfinite(ys[i])):
            continue
        kw: dict[str, Any] = {"ha": ha, "va": va}
        xy_off = (0, 0)
        if pos is not None:
            p = int(st.recycle(pos, n)[i])
            dx, dy, kw["ha"], kw["va"] = off.get(p, (0, 0, "center", "center"))
            xy_off = (dx * 4, dy * 4)
        ax.annotate(labs[i], (xs[i], ys[i]), xytext=xy_off, textcoords="offset points",
                    color=st.color(cols[i]) or "none", fontsize=text_size(cex[i]),
                    rotation=float(o.get("srt") or 0), **kw)


def add_mtext(ax: Any, text: Any, o: dict[str, Any]) -> None:
    side = int(st.as_list(o.get("side", 3))[0])
    line = float(st.as_list(o.get("line", 0))[0])
    outer = bool(o.get("outer"))
    s = "\n".join(str(t) for t in st.as_list(text))
    size = text_size(o.get("cex", 1))
    where = ax.figure if outer else ax
    trans = where.transFigure if outer else ax.transAxes
    off = (line + 0.5) * size * 1.2
    adj = o.get("adj", o.get("at"))
    frac = 0.5 if adj is None or o.get("at") is not None else float(st.as_list(adj)[0])
    spec = {1: ((frac, 0), (0, -off), "center", "top", 0),
            2: ((0, frac), (-off, 0), "right", "center", 90),
            3: ((frac, 1), (0, off), "center", "bottom", 0),
            4: ((1, frac), (off, 0), "left", "center", 270)}[side if side in (1, 2, 3, 4)
                                                               else 3]
    xy, delta, ha, va, rot = spec
    ax.annotate(s, xy, xycoords=trans, xytext=delta, textcoords="offset points", ha=ha,
                va=va, rotation=rot, fontsize=size, color=st.color(opt(o, "col", "black")),
                annotation_clip=False)


def add_legend(ax: Any, x: Any, y: Any, legend: Any, o: dict[str, Any]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    labels = [str(v) for v in st.as_list(legend)]
    n = len(labels)
    handles = []
    fills = st.recycle(o.get("fill"), n) if o.get("fill") is not None else None
    cols = st.recycle(o.get("col", "black"), n)
    pchs = st.recycle(o.get("pch"), n) if o.get("pch") is not None else None
    ltys = st.recycle(o.get("lty"), n) if o.get("lty") is not None else None
    lwds = st.recycle(o.get("lwd", 1), n)
    for i in range(n):
        if fills is not None:
            handles.append(Patch(facecolor=st.color(fills[i]) or "none", edgecolor="black"))
            continue
        mk, by_col, _, _ = st.marker(pchs[i]) if pchs is not None else ("None", 0, 0, 1)
        c = st.color(cols[i]) or "none"
        handles.append(Line2D([], [], color=c, marker=mk,
                              markerfacecolor=c if by_col else "none",
                              linestyle=st.linestyle(ltys[i]) if ltys is not None else "None",
                              linewidth=st.linewidth(lwds[i])))
    kw: dict[str, Any] = {"fontsize": text_size(o.get("cex", 1)),
                          "frameon": o.get("bty") != "n"}
    if o.get("title") is not None:
        kw["title"] = str(o["title"])
    if o.get("ncol") is not None:
        kw["ncol"] = int(o["ncol"])
    if isinstance(x, str):
        kw["loc"] = _LEGEND_POS.get(x, "best")
    elif x is not None:
        xv = float(st.as_list(x)[0])
        yv = float(st.as_list(y)[0]) if y is not None else ax.get_ylim()[1]
        kw["loc"] = "upper left"
        kw["bbox_to_anchor"] = (xv, yv)
        kw["bbox_transform"] = ax.transData
    ax.legend(handles, labels, **kw)


def add_axis(ax: Any, side: Any, at: Any, labels: Any, o: dict[str, Any]) -> None:
    s = int(st.as_list(side)[0]) if side is not None else 1
    target = ax if s in (1, 2) else (ax.secondary_xaxis("top") if s == 3 else
                                     ax.secondary_yaxis("right"))
    set_ticks = target.set_xticks if s in (1, 3) else target.set_yticks
    if at is not None:
        ticks = numeric_values(at, "at")
        if labels is None or labels is True:
            set_ticks(ticks)
        elif labels is False:
            set_ticks(ticks, [""] * len(ticks))
        else:
            set_ticks(ticks, [str(v) for v in st.recycle(labels, len(ticks))])
    las = int(st.as_list(opt(o, "las", 0))[0])
    rot = 90 if (s in (1, 3) and las in (2, 3)) or (s in (2, 4) and las in (0, 3)) else 0
    target.tick_params(axis="x" if s in (1, 3) else "y", labelrotation=rot,
                       labelsize=text_size(o.get("cex.axis", 1)))


def add_box(ax: Any, o: dict[str, Any]) -> None:
    for sp in ax.spines.values():
        sp.set_visible(True)
        sp.set_color(st.color(st.as_list(o.get("col", "black"))[0]) or "black")


def add_grid(ax: Any, o: dict[str, Any]) -> None:
    ax.grid(True, color=st.color(st.as_list(o.get("col", "lightgray"))[0]) or "lightgray",
            linestyle=st.linestyle(st.as_list(o.get("lty", "dotted"))[0]),
            linewidth=st.linewidth(st.as_list(o.get("lwd", 1))[0]))


def add_polygon(ax: Any, x: Any, y: Any, o: dict[str, Any]) -> None:
    xs, ys = xy_of(x, y)
    col = o.get("col")
    ax.fill(xs, ys, facecolor=st.color(st.as_list(col)[0]) if col is not None else "none",
            edgecolor=st.color(st.as_list(o.get("border", "black"))[0]) or "none",
            linewidth=st.linewidth(st.as_list(o.get("lwd", 1))[0]))


def add_segments(ax: Any, x0: Any, y0: Any, x1: Any, y1: Any, o: dict[str, Any],
                 arrows: bool = False) -> None:
    a = [numeric_values(v) for v in (x0, y0, x1 if x1 is not None else x0,
                                     y1 if y1 is not None else y0)]
    n = max(len(v) for v in a)
    a = [np.resize(v, n) for v in a]
    code = int(st.as_list(o.get("code", 2))[0])
    angle = float(st.as_list(o.get("angle", 30))[0])
    for i in range(n):
        kw = _line_kw(o, i)
        if arrows and angle >= 80:        # error bars: arrows(..., angle = 90, code = 3)
            ax.plot([a[0][i], a[2][i]], [a[1][i], a[3][i]], **kw)
            style = "|-|" if code == 3 else "-|" if code == 2 else "|-"
            ax.annotate("", (a[2][i], a[3][i]), (a[0][i], a[1][i]),
                        arrowprops={"arrowstyle": style, "color": kw["color"],
                                    "linewidth": kw["linewidth"], "shrinkA": 0,
                                    "shrinkB": 0})
        elif arrows:
            style = "<->" if code == 3 else "->" if code == 2 else "<-"
            ax.annotate("", (a[2][i], a[3][i]), (a[0][i], a[1][i]),
                        arrowprops={"arrowstyle": style, "color": kw["color"],
                                    "linewidth": kw["linewidth"], "shrinkA": 0,
                                    "shrinkB": 0})
        else:
            ax.plot([a[0][i], a[2][i]], [a[1][i], a[3][i]], **kw)


def add_rect(ax: Any, x0: Any, y0: Any, x1: Any, y1: Any, o: dict[str, Any]) -> None:
    from matplotlib.patches import Rectangle

    a = [numeric_values(v) for v in (x0, y0, x1, y1)]
    n = max(len(v) for v in a)
    a = [np.resize(v, n) for v in a]
    cols = st.recycle(o.get("col"), n) if o.get("col") is not None else [None] * n
    for i in range(n):
        ax.add_patch(Rectangle((a[0][i], a[1][i]), a[2][i] - a[0][i], a[3][i] - a[1][i],
                               facecolor=st.color(cols[i]) if cols[i] is not None else "none",
                               edgecolor=st.color(st.as_list(o.get("border", "black"))[0])
                               or "none"))


def add_qqline(ax: Any, y: Any, o: dict[str, Any]) -> None:
    """``qqline(y)``: through (Φ⁻¹(.25), Q1) and (Φ⁻¹(.75), Q3) of ``y`` (type 7)."""
    v = numeric_values(y, "y")
    _, _, a, b = qq_points(v[~np.isnan(v)])
    ax.axline((0.0, a), slope=b, **_line_kw(o))


def add_title(ax: Any, o: dict[str, Any]) -> None:
    title(ax, o, o.get("main"), o.get("sub"), o.get("xlab"), o.get("ylab"))
