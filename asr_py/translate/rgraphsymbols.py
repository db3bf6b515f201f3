"""R's ``symbols(x, y, circles = r)`` / ``symbols(x, y, squares = s)``: a circle (square)
at each point (graphics::symbols).

``circles`` are radii, ``squares`` side lengths. ``inches = TRUE`` scales them so the
largest is one inch, a number that many inches, ``FALSE`` leaves them in x-axis units.
``fg`` is the outline colour (``col`` too), ``bg`` the fill (none by default), ``lwd``
the outline width. Without ``add = TRUE`` a new plot is set up first, as
``plot(x, y, type = "n")`` with R's labels (the source text of ``x`` and ``y``).
Other symbols (rectangles, stars, thermometers, boxplots) are left as TODOs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.errors import AsrError
from asr_py.translate import rgraphstyle as st
from asr_py.translate.rgraphlow import xy_of
from asr_py.translate.rgraphvalues import numeric_values

__all__ = ["add_symbols", "r_symbols"]


def r_symbols(x: Any, y: Any = None, circles: Any = None, squares: Any = None,
              inches: Any = True, add: Any = False, *, r_src: Any = None, **kw: Any) -> Any:
    """``symbols(x, y, circles =, squares =, inches =, add =, fg =, bg =, ...)``."""
    from asr_py.translate.rgraphics import _low, _placeholder, r_names, r_plot

    bad = _placeholder(x, y, circles, squares, inches, *kw.values())
    if bad is not None:
        return bad
    if (circles is None) == (squares is None):
        raise AsrError("symbols(): give exactly one of circles = or squares =",
                       hint="symbols(x, y, circles = r) draws a circle of radius r at each "
                            "point")
    o = r_names(kw)
    if not _flag(add):
        keep = {k: v for k, v in kw.items() if k not in ("fg", "bg", "lwd", "col")}
        r_plot(x, y, type="n", r_src=r_src, **keep)
    kind = "circles" if circles is not None else "squares"
    _low("symbols", add_symbols, x, y, circles if circles is not None else squares, kind,
         inches, o)
    return None


def _flag(v: Any) -> bool:
    v = v[0] if isinstance(v, (list, tuple)) and len(v) == 1 else v
    return bool(v)


def add_symbols(ax: Any, x: Any, y: Any, sizes: Any, kind: str, inches: Any,
                o: dict[str, Any]) -> None:
    """Draw the symbols on ``ax`` (see the module docstring)."""
    from matplotlib.collections import EllipseCollection

    xs, ys = xy_of(x, y)
    size = np.abs(np.resize(numeric_values(sizes, kind), len(xs)))
    fg = st.as_list(o.get("fg", o.get("col", "black")))
    bg = o.get("bg")
    edge = [st.color(fg[k % len(fg)]) or "none" for k in range(len(xs))]
    face: Any = "none" if bg is None else [
        st.color(st.as_list(bg)[k % len(st.as_list(bg))]) or "none" for k in range(len(xs))]
    lwd = st.linewidth(st.as_list(o.get("lwd", 1))[0])
    inch = inches[0] if isinstance(inches, (list, tuple)) and len(inches) == 1 else inches
    dim = 2 * size if kind == "circles" else size       # a symbol's width
    if inch is False and kind == "squares":               # x-axis units, as points
        x0, x1 = ax.get_xlim()
        per = ax.bbox.width / ax.figure.dpi * 72.0 / abs(x1 - x0)   # points per x unit
        ax.scatter(xs, ys, s=(dim * per) ** 2, marker="s", facecolors=face, edgecolors=edge,
                   linewidths=lwd, zorder=3)
        return
    if inch is False:                                     # x-axis units
        coll = EllipseCollection(dim, dim, np.zeros(len(xs)), units="x",
                                 offsets=np.c_[xs, ys], offset_transform=ax.transData,
                                 facecolors=face, edgecolors=edge, linewidths=lwd)
        ax.add_collection(coll)
        return
    big = float(np.nanmax(size)) if size.size and np.nanmax(size) > 0 else 1.0
    scale = (1.0 if inch is True else float(inch)) / big          # inches per unit
    points = dim * scale * 72.0                                     # width in points
    ax.scatter(xs, ys, s=points ** 2, marker="o" if kind == "circles" else "s",
               facecolors=face, edgecolors=edge, linewidths=lwd, zorder=3)
