"""lattice's ``xyplot(y ~ x | g, data, groups, type)`` on matplotlib.

A lattice call makes a trellis object that is drawn when printed (a top-level call is
printed, so drawn at once; ``p <- xyplot(...)`` draws at ``print(p)``/``plot(p)``). The
page has a panel per level of the conditioning variables ``g`` (their interaction), filled
left to right from the bottom row up (lattice's ``as.table = FALSE``; ``layout = c(cols,
rows)``), each headed by a strip with its level; ``groups`` (looked up in ``data`` like the
formula's variables) draws a series per level in lattice's superpose colours
(``#0080ff``, ``#ff00ff``, ``darkgreen``, ``#ff0000``, ``orange``, ``#00ff00``, ``brown``);
``type`` any of "p" (points), "l", "b", "o", "h", "r" (the least-squares line of each series).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate import rgraphstyle as st
from asr_py.translate.rgraphbox import levels_of, split_by
from asr_py.translate.rgraphdraw import draw_xy
from asr_py.translate.rgraphformula import formula_frame, term
from asr_py.translate.rgraphvalues import numeric_values

__all__ = ["RTrellis", "SUPERPOSE"]

SUPERPOSE = ["#0080ff", "#ff00ff", "darkgreen", "#ff0000", "orange", "#00ff00", "brown"]


class RTrellis:
    """A lattice plot: drawn by :meth:`draw` (printing it draws it, as R's print does)."""

    def __init__(self, formula: str, data: Any, env: Any, opts: dict[str, Any]) -> None:
        self.formula, self.data, self.env, self.opts = formula, data, env, opts
        self.drawn = False

    def __str__(self) -> str:
        from asr_py.translate.rgraphics import _draw

        _draw("xyplot", self.draw)
        return f"<lattice plot: xyplot({self.formula})>"

    __repr__ = __str__

    def draw(self) -> None:
        from asr_py.translate.rgraphdevice import whole_page

        o = self.opts
        y, terms, names, yname, cond = formula_frame(self.formula, self.data, self.env,
                                                     keep_na=True)
        x = terms[0]
        groups = None
        if o.get("groups") is not None:
            groups = term(str(o["groups"]), self.data, _envs(self.env))
        keep = (x.notna() & y.notna()).to_numpy() if y is not None else x.notna().to_numpy()
        cond_vals = [term(c, self.data, _envs(self.env)) for c in cond]
        if cond_vals:
            idx = np.arange(len(x), dtype=float)
            parts, labels = split_by(idx, cond_vals)
        else:
            parts, labels = [np.arange(len(x), dtype=float)], [""]
        k = len(parts)
        lay = o.get("layout")
        if lay is not None:
            nc, nr = (int(v) for v in np.ravel(np.asarray(lay, dtype=float))[:2])
            nc = max(nc, 1)
            nr = max(nr, math.ceil(k / nc))
        else:
            nc = math.ceil(math.sqrt(k))
            nr = math.ceil(k / nc)
        fig = whole_page()
        xs_all = numeric_values(x if not _is_cat(x) else levels_of(x)[1], "x")
        ys_all = numeric_values(y, "y") if y is not None else np.zeros(len(x))
        share = None
        kinds = [str(t) for t in st.as_list(o.get("type") or "p")]
        glev, gcode = levels_of(groups) if groups is not None else ([None], np.zeros(len(x),
                                                                                     int))
        cols = st.as_list(o.get("col")) or SUPERPOSE
        pchs = st.as_list(o.get("pch")) or [1]
        for p, (rows, lab) in enumerate(zip(parts, labels)):
            r, c = divmod(p, nc)
            ax = fig.add_subplot(nr, nc, (nr - 1 - r % nr) * nc + c + 1, sharex=share,
                                 sharey=share)
            share = share or ax
            rows = rows.astype(int)
            rows = rows[keep[rows]]
            for g in range(len(glev)):
                sel = rows[gcode[rows] == g] if groups is not None else rows
                og = {"col": cols[g % len(cols)], "pch": pchs[g % len(pchs)],
                      "lty": o.get("lty"), "lwd": o.get("lwd"), "cex": o.get("cex")}
                xs, ys = xs_all[sel], ys_all[sel]
                for kind in kinds:
                    if kind == "r" and xs.size > 1 and np.ptp(xs) > 0:
                        b, a = np.polyfit(xs, ys, 1)
                        ax.axline((0.0, float(a)), slope=float(b),
                                  color=st.color(og["col"]))
                    elif kind in ("p", "l", "b", "o", "h", "s", "S"):
                        draw_xy(ax, xs, ys, og, kind)
            if lab:
                ax.set_title(lab, fontsize=9, backgroundcolor="#ffe5cc")
        fig.supxlabel(str(o.get("xlab", names[0])))
        fig.supylabel(str(o.get("ylab", yname)))
        if o.get("main") is not None:
            fig.suptitle(str(o["main"]), fontweight="bold")
        if o.get("auto.key") not in (None, False) and groups is not None:
            from matplotlib.lines import Line2D

            handles = [Line2D([], [], color=st.color(cols[g % len(cols)]), marker="o",
                              markerfacecolor="none", linestyle="None")
                       for g in range(len(glev))]
            top = 0.94 if o.get("main") is not None else 1.0
            fig.legend(handles, [str(v) for v in glev], loc="upper center", frameon=False,
                       ncol=min(len(glev), 5), bbox_to_anchor=(0.5, top))
        self.drawn = True


def _is_cat(v: pd.Series) -> bool:
    return isinstance(v.dtype, pd.CategoricalDtype) or v.dtype == object


def _envs(env: Any) -> list[Any]:
    return [e for e in (env if isinstance(env, (list, tuple)) else [env]) if e is not None]
