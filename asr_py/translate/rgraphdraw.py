"""Drawing primitives shared by R's high- and low-level graphics calls on matplotlib:
points and lines of ``type`` p/l/b/o/c/h/s/S/n, R's axis ranges (``xaxs = "r"``: the data
range widened by 4 % on each side; ``"i"`` exactly), titles and axis labels as ``title()``
puts them, and R's argument names (``cex.main``) from Python's (``cex_main``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.translate import rgraphstyle as st
from asr_py.translate.rgraphdevice import state, text_size

__all__ = ["r_names", "opt", "draw_xy", "set_limits", "annotate", "finite", "font_weight"]

_MARKER_PT = 7.0        # pch 1 at cex 1: about 7 points across


def r_names(kw: dict[str, Any]) -> dict[str, Any]:
    """Python keyword names back to R's (``cex_main`` -> ``cex.main``, ``from_`` ->
    ``from``)."""
    return {k.rstrip("_").replace("_", "."): v for k, v in kw.items()}


def opt(o: dict[str, Any], name: str, default: Any = None) -> Any:
    """An argument, else the par() value, else ``default``."""
    v = o.get(name)
    if v is None:
        v = state.par.get(name, default)
    return default if v is None else v


def finite(v: Any) -> np.ndarray:
    a = np.asarray(v, dtype=float).ravel()
    return a[np.isfinite(a)]


def font_weight(font: Any) -> str:
    return "bold" if int(np.ravel(np.asarray(font, dtype=float))[0]) in (2, 4) else "normal"


def _first(v: Any, default: Any) -> Any:
    vals = st.as_list(v)
    return vals[0] if vals else default


def draw_xy(ax: Any, x: np.ndarray, y: np.ndarray, o: dict[str, Any], kind: str = "p"
            ) -> None:
    """Points/lines of ``x``, ``y`` as R's ``plot.xy`` with ``type`` ``kind``."""
    n = len(x)
    col = opt(o, "col", "black")
    lwd = st.linewidth(_first(opt(o, "lwd", 1), 1))
    lty = st.linestyle(_first(opt(o, "lty", "solid"), "solid"))
    line_col = st.color(_first(col, "black"))
    if kind == "n" or n == 0:
        return
    if kind in ("l", "b", "o", "c"):
        if line_col is not None:
            ax.plot(x, y, color=line_col, linewidth=lwd, linestyle=lty,
                    zorder=2)
    if kind in ("s", "S"):
        if line_col is not None:
            ax.step(x, y, where="post" if kind == "s" else "pre", color=line_col,
                    linewidth=lwd, linestyle=lty)
    if kind == "h":
        cols = [st.color(c) for c in st.recycle(col, n)]
        ax.vlines(x, 0, y, colors=[c or "none" for c in cols], linewidth=lwd, linestyles=lty)
    if kind in ("p", "b", "o"):
        _points(ax, x, y, o, col)


def _points(ax: Any, x: np.ndarray, y: np.ndarray, o: dict[str, Any], col: Any) -> None:
    n = len(x)
    pchs = st.recycle(opt(o, "pch", 1), n)
    cols = [st.color(c) for c in st.recycle(col, n)]
    bgs = [st.color(c) for c in st.recycle(o.get("bg") if o.get("bg") is not None
                                           else "none", n)]
    cexs = [float(c) for c in st.recycle(o.get("cex", 1.0), n)] if o.get("cex") is not None \
        else [1.0] * n
    groups: dict[Any, list[int]] = {}
    for i, p in enumerate(pchs):
        groups.setdefault(p if not st.is_na(p) else None, []).append(i)
    scale = float(state.par.get("cex") or 1)
    for p, idx in groups.items():
        if p is None:
            continue
        mk, by_col, by_bg, size = st.marker(p)
        ii = [i for i in idx if cols[i] is not None]
        if not ii:
            continue
        s = [(_MARKER_PT * size * cexs[i] * scale) ** 2 for i in ii]
        edge = [cols[i] for i in ii]
        face = edge if by_col else [bgs[i] for i in ii] if by_bg else "none"
        if mk in ("+", "x", ",") or mk.startswith("$"):
            ax.scatter(x[ii], y[ii], s=s, c=edge, marker=mk, linewidths=0.75, zorder=3)
        else:
            ax.scatter(x[ii], y[ii], s=s, marker=mk, facecolors=face, edgecolors=edge,
                       linewidths=0.75, zorder=3)


def _range(v: np.ndarray, lim: Any, style: str, log: bool) -> tuple[float, float] | None:
    if lim is not None:
        lo, hi = (float(a) for a in np.asarray(lim, dtype=float).ravel()[:2])
    else:
        f = finite(v)
        if log:
            f = f[f > 0]
        if f.size == 0:
            return None
        lo, hi = float(f.min()), float(f.max())
    if log and lo > 0 and hi > 0:
        a, b = np.log10(lo), np.log10(hi)
        if style != "i":
            d = (b - a) * 0.04 or 0.04
            a, b = a - d, b + d
        return 10 ** a, 10 ** b
    if lo == hi:
        d = abs(lo) * 0.4 if lo else 0.4         # R's widening of a single value
        lo, hi = lo - d, hi + d
    if style != "i":
        d = (hi - lo) * 0.04
        lo, hi = lo - d, hi + d
    return lo, hi


def set_limits(ax: Any, x: Any, y: Any, o: dict[str, Any]) -> None:
    """R's axis ranges (``xlim``, ``ylim``, ``log``, ``xaxs``/``yaxs``) on ``ax``."""
    log = str(o.get("log") or "")
    if "x" in log:
        ax.set_xscale("log")
    if "y" in log:
        ax.set_yscale("log")
    xr = _range(np.asarray(x, dtype=float), o.get("xlim"), str(opt(o, "xaxs", "r")),
                "x" in log)
    yr = _range(np.asarray(y, dtype=float), o.get("ylim"), str(opt(o, "yaxs", "r")),
                "y" in log)
    if xr is not None:
        ax.set_xlim(*xr)
    if yr is not None:
        ax.set_ylim(*yr)


def annotate(ax: Any, o: dict[str, Any], xlab: Any = None, ylab: Any = None,
             main: Any = None) -> None:
    """Title and axis labels (``main``, ``sub``, ``xlab``, ``ylab``; ``ann = FALSE`` none),
    tick labels' direction (``las``), ``axes = FALSE``, ``frame.plot``/``bty``."""
    las = int(_first(opt(o, "las", 0), 0))
    ax.tick_params(axis="y", labelrotation=90 if las in (0, 3) else 0)
    ax.tick_params(axis="x", labelrotation=90 if las in (2, 3) else 0)
    if o.get("axes") is False:
        ax.set_xticks([])
        ax.set_yticks([])
    if o.get("xaxt") == "n":
        ax.set_xticks([])
    if o.get("yaxt") == "n":
        ax.set_yticks([])
    bty = str(o.get("bty") or state.par.get("bty") or "o")
    frame = o.get("frame.plot", o.get("frame"))
    if frame is False or bty == "n" or (o.get("axes") is False and frame is not True):
        for s in ax.spines.values():
            s.set_visible(False)
    elif bty == "l":
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
    if o.get("ann") is False:
        return
    title(ax, o, main=o.get("main", main), sub=o.get("sub"), xlab=o.get("xlab", xlab),
          ylab=o.get("ylab", ylab))


def _text(v: Any) -> str | None:
    if v is None or v is False:
        return None
    vals = st.as_list(v)
    if not vals or st.is_na(vals[0]):
        return None
    return "\n".join(str(s) for s in vals)


def title(ax: Any, o: dict[str, Any], main: Any = None, sub: Any = None, xlab: Any = None,
          ylab: Any = None) -> None:
    """R's ``title()``: ``main`` above the plot (bold, ``cex.main`` 1.2), ``sub`` below the
    x label, the axis labels."""
    if (t := _text(main)) is not None:
        ax.set_title(t, fontsize=text_size(opt(o, "cex.main", 1.2)),
                     fontweight=font_weight(opt(o, "font.main", 2)),
                     color=st.color(opt(o, "col.main", "black")))
    if (t := _text(xlab)) is not None:
        ax.set_xlabel(t, fontsize=text_size(opt(o, "cex.lab", 1)),
                      color=st.color(opt(o, "col.lab", "black")))
    if (t := _text(ylab)) is not None:
        ax.set_ylabel(t, fontsize=text_size(opt(o, "cex.lab", 1)),
                      color=st.color(opt(o, "col.lab", "black")))
    if (t := _text(sub)) is not None:
        cur = ax.get_xlabel()
        ax.set_xlabel(f"{cur}\n{t}" if cur else t, fontsize=text_size(opt(o, "cex.lab", 1)))
