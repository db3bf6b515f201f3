"""R's low-level marks added to the current plot: ``rug(x, ticksize = 0.03, side = 1)``
(a tick at each value along an axis, ``ticksize`` a fraction of the plot region, negative
outwards) and ``matlines(x, y)`` / ``matpoints(x, y)`` (``matplot(x, y, add = TRUE)`` with
``type = "l"`` / ``"p"``: a series per column, matplot's colours, line types and symbols)."""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_py.translate import rgraphstyle as st
from asr_py.translate.rgraphdraw import draw_xy
from asr_py.translate.rgraphvalues import numeric_values

__all__ = ["add_matlines", "add_rug", "r_matlines", "r_matpoints", "r_rug"]


def add_rug(ax: Any, x: Any, o: dict[str, Any]) -> None:
    from matplotlib.transforms import blended_transform_factory

    vals = numeric_values(x, "x")
    vals = vals[np.isfinite(vals)]
    side = int(np.ravel(o.get("side", 1))[0])
    size = float(np.ravel(o.get("ticksize", 0.03))[0])
    col = st.color(st.as_list(o.get("col", "black"))[0]) or "black"
    lwd = st.linewidth(st.as_list(o.get("lwd", 0.5))[0])
    if side in (1, 3):
        tr = blended_transform_factory(ax.transData, ax.transAxes)
        base = 0.0 if side == 1 else 1.0
        ax.vlines(vals, base, base + (size if side == 1 else -size), transform=tr,
                  colors=col, linewidth=lwd, clip_on=False)
    else:
        tr = blended_transform_factory(ax.transAxes, ax.transData)
        base = 0.0 if side == 2 else 1.0
        ax.hlines(vals, base, base + (size if side == 2 else -size), transform=tr,
                  colors=col, linewidth=lwd, clip_on=False)


def add_matlines(ax: Any, x: Any, y: Any, o: dict[str, Any], kind: str) -> None:
    from asr_py.translate.rgraphhigh import _matrix

    if y is None:
        x, y = None, x
    ym = _matrix(y)
    xm = _matrix(x) if x is not None else np.arange(1, ym.shape[0] + 1, dtype=float)[:, None]
    pch = st.as_list(o.get("pch")) or [str(i) for i in range(1, 10)] + ["0"]
    col = st.as_list(o.get("col")) or list(range(1, 7))
    lty = st.as_list(o.get("lty")) or list(range(1, 6))
    lwd = st.as_list(o.get("lwd")) or [1]
    types = st.as_list(o.get("type")) or [kind]
    for j in range(max(ym.shape[1], xm.shape[1])):
        oj = {**o, "pch": pch[j % len(pch)], "col": col[j % len(col)],
              "lty": lty[j % len(lty)], "lwd": lwd[j % len(lwd)]}
        draw_xy(ax, xm[:, j % xm.shape[1]], ym[:, j % ym.shape[1]], oj,
                str(types[j % len(types)]))


def r_rug(x: Any, *, r_src: Any = None, **kw: Any) -> Any:
    """``rug(x, ticksize, side, lwd, col)``."""
    from asr_py.translate.rgraphics import _low, _placeholder, r_names

    bad = _placeholder(x, *kw.values())
    if bad is not None:
        return bad
    _low("rug", add_rug, x, r_names(kw))
    return None


def _mat(name: str, kind: str, x: Any, y: Any, kw: dict[str, Any]) -> Any:
    from asr_py.translate.rgraphics import _low, _placeholder, r_names

    bad = _placeholder(x, y, *kw.values())
    if bad is not None:
        return bad
    _low(name, add_matlines, x, y, r_names(kw), kind)
    return None


def r_matlines(x: Any, y: Any = None, *, r_src: Any = None, **kw: Any) -> Any:
    """``matlines(x, y)``: matplot(x, y, type = "l", add = TRUE)."""
    return _mat("matlines", "l", x, y, kw)


def r_matpoints(x: Any, y: Any = None, *, r_src: Any = None, **kw: Any) -> Any:
    """``matpoints(x, y)``: matplot(x, y, type = "p", add = TRUE)."""
    return _mat("matpoints", "p", x, y, kw)
