"""R's ``boxplot()`` and ``barplot()``: their values and their drawing.

``boxplot(x, ...)`` draws one box per vector (a vector; several vectors; a data frame's
columns; ``y ~ g`` with ``data``: ``y`` split by the levels of ``g``, by the interaction
``a.b`` of several, the first varying fastest). Its value is R's: ``stats`` (5 × k:
whisker, hinges, median, whisker of :func:`rgraphvalues.boxplot_stats`), ``n``, ``conf``
(2 × k), ``out`` and ``group`` (the box of each outlier, from 1), ``names``.

``barplot(height)`` draws bars of ``width`` 1 separated by ``space`` 0.2 (a matrix: stacked
columns, or ``beside = TRUE`` groups with space ``c(0, 1)``); its value is the bars'
midpoints (``0.7, 1.9, 3.1, ...`` by default), a matrix for ``beside = TRUE``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.model.collate import sort_like_r
from asr_py.translate import rgraphstyle as st
from asr_py.translate.rgraphdraw import annotate
from asr_py.translate.rgraphvalues import RList, boxplot_stats, numeric_values
from asr_py.translate.rnumtext import r_double_text

__all__ = ["boxplot_values", "draw_boxplot", "barplot_mids", "draw_barplot", "levels_of",
           "split_by"]


def levels_of(g: Any) -> tuple[list[Any], np.ndarray]:
    """(R's levels of a grouping vector, each value's level code; -1 for missing)."""
    s = g if isinstance(g, pd.Series) else pd.Series(list(np.ravel(np.asarray(g, object))))
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories), s.cat.codes.to_numpy()
    vals = [v for v in pd.unique(s.dropna())]
    levels = sort_like_r(vals)
    pos = {v: i for i, v in enumerate(levels)}
    return levels, np.array([pos.get(v, -1) if not pd.isna(v) else -1 for v in s])


def _label(v: Any) -> str:
    """A level as R writes it (``as.character``: 4 not 4.0)."""
    if isinstance(v, (float, np.floating)):
        return r_double_text(float(v))
    return str(v)


def split_by(y: Any, groups: list[Any]) -> tuple[list[np.ndarray], list[str]]:
    """``split(y, interaction(groups))``: the vectors by level (first group fastest) and
    their names ``a.b``."""
    v = numeric_values(y, "y")
    codes = np.zeros(len(v), dtype=int)
    names = [""]
    mult = 1
    missing = np.zeros(len(v), dtype=bool)
    for g in groups:
        levs, c = levels_of(g)
        missing |= c < 0
        codes = codes + mult * np.where(c < 0, 0, c)
        names = [f"{a}.{_label(b)}" if a else _label(b) for b in levs for a in names]
        mult *= len(levs)
    out = [v[(codes == k) & ~missing] for k in range(mult)]
    return out, names


def boxplot_values(xs: list[Any], groups: Any = None, names: Any = None,
                   coef: float = 1.5) -> RList:
    """R's value of ``boxplot()`` (see the module docstring)."""
    if groups is not None:
        gl = groups if isinstance(groups, list) else [groups]
        vectors, auto = split_by(xs[0], gl)
    else:
        vectors, auto = [], []
        for x in xs:
            if isinstance(x, pd.DataFrame):
                vectors += [numeric_values(x[c], str(c)) for c in x.columns]
                auto += [str(c) for c in x.columns]
            elif isinstance(x, dict):
                vectors += [numeric_values(v, str(k)) for k, v in x.items()]
                auto += [str(k) for k in x]
            else:
                vectors.append(numeric_values(x))
                auto.append(str(getattr(x, "name", "")) if len(xs) > 1 and
                            getattr(x, "name", None) is not None else "")
    stats, ns, conf, out, grp = [], [], [], [], []
    for k, v in enumerate(vectors):
        b = boxplot_stats(v, coef)
        stats.append(b["stats"])
        ns.append(b["n"])
        conf.append(b["conf"])
        out += list(b["out"])
        grp += [k + 1] * len(b["out"])
    labels = [str(s) for s in st.as_list(names)] if names is not None else auto
    if len(vectors) == 1 and names is None and groups is None:
        labels = [""]
    return RList({"stats": np.column_stack(stats) if stats else np.zeros((5, 0)),
                  "n": np.array(ns, dtype=float), "conf": np.column_stack(conf) if conf
                  else np.zeros((2, 0)), "out": np.array(out, dtype=float),
                  "group": np.array(grp, dtype=float), "names": labels}, "list")


def draw_boxplot(ax: Any, b: RList, o: dict[str, Any], xlab: Any = None,
                 ylab: Any = None) -> None:
    """Boxes of R's stats (so the figure shows R's numbers), outliers as ``pch`` 1."""
    s = np.asarray(b["stats"])
    k = s.shape[1]
    at = np.asarray(o["at"], dtype=float) if o.get("at") is not None else np.arange(1, k + 1)
    out, grp = np.asarray(b["out"]), np.asarray(b["group"]).astype(int)
    boxes = [{"whislo": s[0, j], "q1": s[1, j], "med": s[2, j], "q3": s[3, j],
              "whishi": s[4, j], "fliers": out[grp == j + 1],
              "label": b["names"][j] if j < len(b["names"]) else ""} for j in range(k)
             if np.all(np.isfinite(s[:, j]))]
    pos = [at[j] for j in range(k) if np.all(np.isfinite(s[:, j]))]
    horiz = bool(o.get("horizontal"))
    fills = [st.color(c) for c in st.recycle(o.get("col"), len(boxes))] \
        if o.get("col") is not None else []
    kw = {"positions": pos, "widths": float(np.ravel(o.get("boxwex", 0.8))[0]),
          "patch_artist": True,
          "flierprops": {"marker": "o", "markerfacecolor": "none",
                         "markeredgecolor": "black"},
          "medianprops": {"color": "black", "linewidth": 2.0},
          "whiskerprops": {"linestyle": (0, (4, 4))}}
    try:                                   # matplotlib >= 3.10: orientation, not vert
        bp = ax.bxp(boxes, orientation="horizontal" if horiz else "vertical", **kw)
    except TypeError:
        bp = ax.bxp(boxes, vert=not horiz, **kw)
    for j, patch in enumerate(bp["boxes"]):
        patch.set_facecolor(fills[j] if j < len(fills) and fills[j] else "none")
    names = [str(x["label"]) for x in boxes]
    if o.get("names") is not None or any(names):
        (ax.set_yticks if horiz else ax.set_xticks)(pos, names)
    if o.get("log"):
        (ax.set_xscale if horiz else ax.set_yscale)("log")
    if o.get("ylim") is not None and not horiz:
        ax.set_ylim(*np.asarray(o["ylim"], dtype=float)[:2])
    annotate(ax, o, xlab=xlab, ylab=ylab)


def barplot_mids(height: Any, beside: bool = False, space: Any = None, width: Any = 1.0
                 ) -> np.ndarray:
    """The bars' midpoints (R's value of ``barplot()``)."""
    h = np.asarray(height.to_numpy() if hasattr(height, "to_numpy") else height, dtype=float)
    w = float(np.ravel(np.asarray(width, dtype=float))[0])
    if h.ndim == 2 and beside:
        nr, nc = h.shape
        sp = np.asarray([0.0, 1.0] if space is None else np.ravel(space), dtype=float)
        within, between = (sp[0], sp[1]) if sp.size > 1 else (sp[0], sp[0])
        mids = np.zeros((nr, nc))
        pos = 0.0
        for c in range(nc):
            for r in range(nr):
                pos += (between if r == 0 else within) * w
                mids[r, c] = pos + w / 2
                pos += w
        return mids
    n = h.shape[1] if h.ndim == 2 else h.size
    sp = 0.2 if space is None else float(np.ravel(np.asarray(space, dtype=float))[0])
    return np.array([(k + 1) * sp * w + k * w + w / 2 for k in range(n)])


def draw_barplot(ax: Any, height: Any, mids: np.ndarray, o: dict[str, Any],
                 names: list[str] | None) -> None:
    """Bars at ``mids`` (stacked for a matrix unless beside), labelled by ``names``."""
    h = np.asarray(height.to_numpy() if hasattr(height, "to_numpy") else height, dtype=float)
    w = float(np.ravel(np.asarray(o.get("width", 1.0), dtype=float))[0])
    horiz = bool(o.get("horiz"))
    bar = ax.barh if horiz else ax.bar
    cols = st.as_list(o.get("col"))
    border = st.color(_first(o.get("border"), "black"))
    if h.ndim == 2 and not o.get("beside"):
        base = np.zeros(h.shape[1])
        for r in range(h.shape[0]):
            grey = f"{0.3 + 0.6 * r / max(1, h.shape[0] - 1):.2f}"     # R's gray.colors
            c = st.color(cols[r % len(cols)]) if cols else grey
            bar(mids, h[r], w, base, color=c, edgecolor=border)
            base = base + h[r]
        top = base
    else:
        flat, pos = h.ravel(order="F"), np.ravel(mids, order="F")
        if h.ndim == 2 and cols:       # beside: a colour per row
            cs = [st.color(cols[i % h.shape[0] % len(cols)]) for i in range(flat.size)]
        else:
            cs = [st.color(c) for c in st.recycle(cols, flat.size)] if cols else ["#BEBEBE"] * \
                flat.size
        bar(pos, flat, w, color=cs, edgecolor=border)
        top = flat
    if names:
        ticks = mids if np.ndim(mids) == 1 else np.asarray(mids).mean(axis=0)
        (ax.set_yticks if horiz else ax.set_xticks)(ticks, names)
    lim = o.get("ylim") if not horiz else o.get("xlim")
    hi = float(np.nanmax(np.r_[top, 0])) if np.size(top) else 1.0
    lo = float(np.nanmin(np.r_[h.ravel(), 0])) if h.size else 0.0
    lims = tuple(np.asarray(lim, dtype=float)[:2]) if lim is not None else (lo, hi * 1.04)
    (ax.set_xlim if horiz else ax.set_ylim)(*lims)
    annotate(ax, o)


def _first(v: Any, default: Any) -> Any:
    vals = st.as_list(v)
    return vals[0] if vals else default


