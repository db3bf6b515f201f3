"""R's base graphics in translated scripts, drawn with matplotlib (the ``plot`` extra).

The functions here are what the translation calls (``plot(x, y, main = "a")`` ->
``r_plot(x, y, main='a')``; R's dotted argument names with ``_``: ``cex_main``). Each follows
R's graphics model (:mod:`.rgraphdevice`: devices, pages, ``par``/``layout`` panels) and
returns R's value:

* ``hist()`` the histogram (``breaks``, ``counts``, ``density``, ``mids``; ``plot = FALSE``
  draws nothing), ``boxplot()`` its ``stats``/``n``/``conf``/``out``/``group``/``names``,
  ``barplot()`` the bars' midpoints, ``qqnorm()`` ``list(x, y)``, ``par()`` the old values,
  ``layout()`` the number of panels, ``dev.off()`` the next device; the rest NULL (None).
* ``plot()`` of an asreml fit draws asr_py's residual panels (asr_py.results.plots); of a
  variogram, asr_py's wireframe.

A value the translation could not compute (an :class:`~asr_py.translate.checks.Untranslated`)
among the arguments: nothing is drawn and that placeholder is the value. Without matplotlib
one note is printed and nothing is drawn (values are still computed). A drawing that fails
in matplotlib is a warning, never a stop: the script's computations go on.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate import rgraphdevice as dv
from asr_py.translate import rgraphhigh as hi
from asr_py.translate import rgraphlow as lo
from asr_py.translate.checks import Untranslated
from asr_py.translate.rgraphbox import barplot_mids, boxplot_values, draw_barplot
from asr_py.translate.rgraphdraw import r_names
from asr_py.translate.rgraphformula import formula_frame
from asr_py.translate.rgraphlattice import RTrellis
from asr_py.translate.rgraphvalues import (
    REcdf,
    RList,
    hist_values,
    numeric_values,
    qqnorm_values,
    r_pretty,
)

__all__ = ["r_plot", "r_hist", "r_boxplot", "r_barplot", "r_matplot", "r_curve", "r_pairs",
           "r_qqnorm", "r_qqline", "r_image", "r_lines", "r_points", "r_abline", "r_text",
           "r_mtext", "r_legend", "r_title", "r_axis", "r_box", "r_grid", "r_polygon",
           "r_segments", "r_arrows", "r_rect", "r_par", "r_layout", "r_dev_open",
           "r_dev_off", "r_graphics_off", "r_dev_cur", "r_plot_new", "r_pretty_values",
           "r_plot_fit", "r_xyplot"]


def _placeholder(*vals: Any) -> Untranslated | None:
    for v in vals:
        if isinstance(v, Untranslated):
            return v._use()
    return None


def _draw(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    if not dv.has_matplotlib():
        return None
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - a figure that fails must not stop the script
        dv.warn_once(f"fail:{name}:{type(exc).__name__}",
                     f"{name}(): not drawn ({type(exc).__name__}: {exc})")
        return None


def _src(r_src: Any, k: int) -> str | None:
    return r_src[k] if r_src is not None and k < len(r_src) else None


def _is_fit(x: Any) -> bool:
    return type(x).__name__ in ("AsremlFit", "GlmmFit") and hasattr(x, "resid")


def _is_variogram(x: Any) -> bool:
    return isinstance(x, pd.DataFrame) and "gamma" in x.columns and \
        x.attrs.get("row") is not None


def r_plot(x: Any = None, y: Any = None, *, formula: str | None = None, data: Any = None,
           env: Any = None, r_src: Any = None, **kw: Any) -> Any:
    """R's ``plot()`` (module docstring; rgraphhigh for each kind of ``x``)."""
    bad = _placeholder(x, y, data, *kw.values())
    if bad is not None:
        return bad
    o = r_names(kw)
    if formula is not None:
        yv, terms, names, yname, _ = formula_frame(formula, data, env)
        if yv is None:
            return r_plot(terms[0], r_src=[names[0]], **kw)
        for t, name in zip(terms, names):
            r_plot(t, yv, r_src=[name, yname], **kw)
        return None
    if _is_fit(x):
        _draw("plot", hi.draw_fit, x)
        return None
    if isinstance(x, RTrellis):
        _draw("plot", x.draw)
        return None
    if isinstance(x, REcdf):                  # plot.ecdf: steps with points at the jumps
        k = x.knots
        ys = x(k)
        xs = np.r_[k[0] - 0.04 * max(np.ptp(k), 1.0), k, k[-1] + 0.04 * max(np.ptp(k), 1.0)]
        _draw("plot", hi.plot_xy, xs, np.r_[0.0, ys, 1.0],
              {"main": f"ecdf({_src(r_src, 0) or 'x'})", "type": "s", "pch": 19, **o},
              "x", "Fn(x)")
        return None
    if type(x).__name__ == "RLm":
        _draw("plot", hi.draw_lm, x, o)
        return None
    if _is_variogram(x):
        _draw("plot", hi.draw_variogram, x)
        return None
    if isinstance(x, RList) and x.r_class == "histogram":
        _draw("plot", hi.draw_hist, x, o, x["xname"], f"Histogram of {x['xname']}")
        return None
    if isinstance(x, RList) and x.r_class == "density":
        xlab = f"N = {x['n']}   Bandwidth = {x['bw']:.4g}"
        o.setdefault("type", "l")
        _draw("plot", hi.plot_xy, x["x"], x["y"], {"main": x["call"], **o}, xlab, "Density")
        return None
    if callable(x) and not isinstance(x, (pd.Series, pd.DataFrame, np.ndarray)):
        o.setdefault("from", 0.0)
        o.setdefault("to", 1.0)
        _draw("plot", hi.draw_curve, x, o, "x", _src(r_src, 0) or "f")
        return None
    if isinstance(x, pd.DataFrame) and y is None:
        if x.attrs.get("r_class") == ["table"]:
            return r_barplot(x, **kw)
        _draw("plot", hi.draw_pairs, x, o)
        return None
    if isinstance(x, dict) and "x" in x and "y" in x and y is None:
        xs, ys = x["x"], x["y"]
        _draw("plot", hi.plot_xy, xs, ys, o, "x", "y")
        return None
    if y is None and hi.is_factor(x):
        _draw("plot", hi.draw_factor, x, o, _src(r_src, 0))
        return None
    if y is not None and hi.is_factor(x) and not hi.is_factor(y):
        b = boxplot_values([y], groups=x)
        _draw("plot", hi.draw_boxes, b, o, _src(r_src, 0), _src(r_src, 1))
        return None
    if y is None and isinstance(x, pd.Series) and x.name == "Freq":     # a one-way table
        o.setdefault("type", "h")
        o.setdefault("lwd", 2)
        ticks = list(x.index)
        _draw("plot", _table_plot, x, ticks, o, _src(r_src, 0))
        return None
    if y is None:
        _draw("plot", hi.plot_xy, None, x, o, "Index", _src(r_src, 0))
    else:
        _draw("plot", hi.plot_xy, x, y, o, _src(r_src, 0), _src(r_src, 1))
    return None


def _table_plot(x: pd.Series, ticks: list[Any], o: dict[str, Any], name: str | None) -> None:
    hi.plot_xy(np.arange(1, len(x) + 1, dtype=float), x.to_numpy(dtype=float), o, name,
               "Freq")
    ax = dv.state.current.axes if dv.state.current is not None else None
    if ax is not None:
        ax.set_xticks(np.arange(1, len(x) + 1), [str(t) for t in ticks])


def r_plot_fit(fit: Any) -> None:
    """``plot(fit)`` of an asreml fit: asr_py's residual panels on a page of their own."""
    _draw("plot", hi.draw_fit, fit)


def r_hist(x: Any = None, breaks: Any = "Sturges", *, plot: Any = True, right: Any = True,
           include_lowest: Any = True, r_src: Any = None, **kw: Any) -> Any:
    """``hist(x)``: R's histogram value; drawn unless ``plot = FALSE``."""
    bad = _placeholder(x, breaks, *kw.values())
    if bad is not None:
        return bad
    if isinstance(x, RList) and x.r_class == "histogram":
        h = x
    else:
        name = _src(r_src, 0) or "x"
        h = hist_values(x, breaks, bool(right), bool(include_lowest), name)
    if plot is not False:
        o = r_names(kw)
        _draw("hist", hi.draw_hist, h, o, h["xname"], f"Histogram of {h['xname']}")
    return h


def r_boxplot(*xs: Any, formula: str | None = None, data: Any = None, env: Any = None,
              plot: Any = True, range_: Any = 1.5, names: Any = None, r_src: Any = None,
              **kw: Any) -> Any:
    """``boxplot()``: R's value (stats, n, conf, out, group, names); drawn unless
    ``plot = FALSE``."""
    bad = _placeholder(*xs, data, *kw.values())
    if bad is not None:
        return bad
    o = r_names(kw)
    xlab = ylab = None
    if formula is not None:
        yv, terms, tnames, yname, _ = formula_frame(formula, data, env)
        b = boxplot_values([yv], groups=terms, names=names, coef=float(range_))
        xlab, ylab = " : ".join(tnames), yname
    else:
        items = list(xs)
        if len(items) == 1 and isinstance(items[0], (list, tuple)) and items[0] and \
                not np.isscalar(items[0][0]):
            items = list(items[0])            # boxplot(list(a, b))
        b = boxplot_values(items, names=names, coef=float(range_))
    if plot is not False:
        o["names"] = names
        _draw("boxplot", hi.draw_boxes, b, o, xlab, ylab)
    return b


def r_barplot(height: Any, *, names_arg: Any = None, beside: Any = False, space: Any = None,
              width: Any = 1.0, plot: Any = True, r_src: Any = None, **kw: Any) -> Any:
    """``barplot(height)``: the bars' midpoints (R's value)."""
    bad = _placeholder(height, names_arg, *kw.values())
    if bad is not None:
        return bad
    h = height
    names = None
    if isinstance(h, dict):                  # a named vector: c(a = 3, b = 5)
        names, h = [str(k) for k in h], np.asarray(list(h.values()), dtype=float)
    elif isinstance(h, pd.Series):
        names = [str(v) for v in h.index] if not isinstance(h.index, pd.RangeIndex) else None
        h = h.to_numpy(dtype=float)
    elif isinstance(h, pd.DataFrame):
        names = [str(c) for c in h.columns]
        h = h.to_numpy(dtype=float)
    else:
        h = np.asarray(h, dtype=float)
    if names_arg is not None:
        names = [str(v) for v in np.ravel(np.asarray(names_arg, dtype=object))]
    mids = barplot_mids(h, bool(beside), space, width)
    if plot is not False:
        o = {**r_names(kw), "beside": bool(beside), "width": width}
        _draw("barplot", _barplot, h, mids, o, names)
    return mids


def _barplot(h: np.ndarray, mids: np.ndarray, o: dict[str, Any], names: Any) -> None:
    draw_barplot(dv.plot_new(), h, mids, o, names)


def r_matplot(x: Any, y: Any = None, *, r_src: Any = None, **kw: Any) -> None:
    """``matplot(x, y)``: a series per column."""
    bad = _placeholder(x, y, *kw.values())
    if bad is not None:
        return bad
    if y is None:
        x, y = None, x
    _draw("matplot", hi.draw_matplot, x, y, r_names(kw), _src(r_src, 0), _src(r_src, 1))
    return None


def r_curve(f: Any, from_: Any = None, to: Any = None, n: Any = 101, *, add: Any = False,
            r_src: Any = None, **kw: Any) -> Any:
    """``curve(expr, from, to, n)`` (the translation passes ``expr`` as a function of x):
    R's value ``list(x, y)``."""
    bad = _placeholder(f, from_, to, *kw.values())
    if bad is not None:
        return bad
    o = {**r_names(kw), "from": from_, "to": to, "n": n, "add": add}
    got = _draw("curve", hi.draw_curve, f, o, "x", _src(r_src, 0))
    if got is None:
        xs = np.linspace(float(0 if from_ is None else from_), float(1 if to is None else to),
                         int(n))
        got = (xs, np.array([float(f(v)) for v in xs]))
    return RList({"x": got[0], "y": got[1]}, "list")


def r_pairs(x: Any = None, *, formula: str | None = None, data: Any = None, env: Any = None,
            r_src: Any = None, **kw: Any) -> None:
    """``pairs(d)`` / ``pairs(~ a + b, data)``."""
    bad = _placeholder(x, data, *kw.values())
    if bad is not None:
        return bad
    if formula is not None:
        _, terms, names, _, _ = formula_frame(formula, data, env)
        x = pd.DataFrame({n: t for n, t in zip(names, terms)})
    _draw("pairs", hi.draw_pairs, x, r_names(kw))
    return None


def r_qqnorm(y: Any, *, plot_it: Any = True, datax: Any = False, r_src: Any = None,
             **kw: Any) -> Any:
    """``qqnorm(y)``: R's ``list(x, y)``; drawn unless ``plot.it = FALSE``."""
    bad = _placeholder(y, *kw.values())
    if bad is not None:
        return bad
    q = qqnorm_values(y)
    if plot_it is not False:
        o = {"main": "Normal Q-Q Plot", **r_names(kw)}
        xs, ys = (q["y"], q["x"]) if datax else (q["x"], q["y"])
        labs = ("Sample Quantiles", "Theoretical Quantiles") if datax else \
            ("Theoretical Quantiles", "Sample Quantiles")
        _draw("qqnorm", hi.plot_xy, xs, ys, o, *labs)
    return q


def _low(name: str, fn: Callable[..., Any], *args: Any) -> None:
    if not dv.has_matplotlib():
        return
    ax = dv.current_axes(name)
    if ax is not None:
        _draw(name, fn, ax, *args)


def r_qqline(y: Any, *, r_src: Any = None, **kw: Any) -> Any:
    bad = _placeholder(y, *kw.values())
    if bad is not None:
        return bad
    _low("qqline", lo.add_qqline, y, r_names(kw))
    return None


def r_image(x: Any = None, y: Any = None, z: Any = None, *, r_src: Any = None,
            **kw: Any) -> Any:
    """``image(z)`` / ``image(x, y, z)``."""
    bad = _placeholder(x, y, z, *kw.values())
    if bad is not None:
        return bad
    if z is None:
        x, z = None, x
    _draw("image", hi.draw_image, x, y, z, r_names(kw), None, None)
    return None


def r_lines(x: Any, y: Any = None, *, r_src: Any = None, **kw: Any) -> Any:
    bad = _placeholder(x, y, *kw.values())
    if bad is not None:
        return bad
    _low("lines", lo.add_lines, x, y, r_names(kw), "l")
    return None


def r_points(x: Any, y: Any = None, *, r_src: Any = None, **kw: Any) -> Any:
    bad = _placeholder(x, y, *kw.values())
    if bad is not None:
        return bad
    _low("points", lo.add_lines, x, y, r_names(kw), "p")
    return None


def r_abline(a: Any = None, b: Any = None, h: Any = None, v: Any = None, *, reg: Any = None,
             coef: Any = None, r_src: Any = None, **kw: Any) -> Any:
    bad = _placeholder(a, b, h, v, reg, coef, *kw.values())
    if bad is not None:
        return bad
    a = reg if reg is not None else coef if coef is not None else a
    _low("abline", lo.add_abline, a, b, h, v, r_names(kw))
    return None


def r_text(x: Any, y: Any = None, labels: Any = None, *, r_src: Any = None, **kw: Any) -> Any:
    bad = _placeholder(x, y, labels, *kw.values())
    if bad is not None:
        return bad
    _low("text", lo.add_text, x, y, labels, r_names(kw))
    return None


def r_mtext(text: Any = "", side: Any = 3, line: Any = 0, *, r_src: Any = None,
            **kw: Any) -> Any:
    bad = _placeholder(text, side, line, *kw.values())
    if bad is not None:
        return bad
    _low("mtext", lo.add_mtext, text, {**r_names(kw), "side": side, "line": line})
    return None


def r_legend(x: Any = None, y: Any = None, legend: Any = None, *, r_src: Any = None,
             **kw: Any) -> Any:
    bad = _placeholder(x, y, legend, *kw.values())
    if bad is not None:
        return bad
    if legend is None and y is not None and not isinstance(x, (int, float)):
        legend, y = y, None                   # legend("topright", c("a", "b"))
    _low("legend", lo.add_legend, x, y, legend, r_names(kw))
    return None


def r_title(main: Any = None, sub: Any = None, xlab: Any = None, ylab: Any = None, *,
            r_src: Any = None, **kw: Any) -> Any:
    bad = _placeholder(main, sub, xlab, ylab, *kw.values())
    if bad is not None:
        return bad
    o = {**r_names(kw), "main": main, "sub": sub, "xlab": xlab, "ylab": ylab}
    if o.get("outer") and dv.state.current is not None and dv.state.current.fig is not None:
        if main is not None:
            _draw("title", dv.state.current.fig.suptitle, str(main))
        return None
    _low("title", lo.add_title, o)
    return None


def r_axis(side: Any = 1, at: Any = None, labels: Any = True, *, r_src: Any = None,
           **kw: Any) -> Any:
    bad = _placeholder(side, at, labels, *kw.values())
    if bad is not None:
        return bad
    _low("axis", lo.add_axis, side, at, labels, r_names(kw))
    return None


def r_box(*args: Any, r_src: Any = None, **kw: Any) -> None:
    _low("box", lo.add_box, r_names(kw))


def r_grid(*args: Any, r_src: Any = None, **kw: Any) -> None:
    _low("grid", lo.add_grid, r_names(kw))


def r_polygon(x: Any, y: Any = None, *, r_src: Any = None, **kw: Any) -> Any:
    bad = _placeholder(x, y, *kw.values())
    if bad is not None:
        return bad
    _low("polygon", lo.add_polygon, x, y, r_names(kw))
    return None


def r_segments(x0: Any, y0: Any, x1: Any = None, y1: Any = None, *, r_src: Any = None,
               **kw: Any) -> Any:
    bad = _placeholder(x0, y0, x1, y1, *kw.values())
    if bad is not None:
        return bad
    _low("segments", lo.add_segments, x0, y0, x1, y1, r_names(kw))
    return None


def r_arrows(x0: Any, y0: Any, x1: Any = None, y1: Any = None, *, r_src: Any = None,
             **kw: Any) -> Any:
    bad = _placeholder(x0, y0, x1, y1, *kw.values())
    if bad is not None:
        return bad
    _low("arrows", lo.add_segments, x0, y0, x1, y1, r_names(kw), True)
    return None


def r_rect(xleft: Any, ybottom: Any, xright: Any, ytop: Any, *, r_src: Any = None,
           **kw: Any) -> Any:
    bad = _placeholder(xleft, ybottom, xright, ytop, *kw.values())
    if bad is not None:
        return bad
    _low("rect", lo.add_rect, xleft, ybottom, xright, ytop, r_names(kw))
    return None


def r_par(*args: Any, **kw: Any) -> Any:
    """``par()``: sets (the device opened first, as R does) and returns the old values."""
    bad = _placeholder(*args, *kw.values())
    if bad is not None:
        return bad
    sets = bool(kw) and set(kw) - {"no_readonly"} or any(isinstance(a, dict) for a in args)
    if sets and dv.state.current is None and dv.has_matplotlib():
        dv.open_device("pdf", "Rplots.pdf")
    return dv.par(*args, **kw)


def r_layout(mat: Any, widths: Any = None, heights: Any = None, respect: Any = False
             ) -> Any:
    """``layout(mat, widths, heights)``: the number of panels."""
    bad = _placeholder(mat, widths, heights)
    if bad is not None:
        return bad
    if dv.state.current is None and dv.has_matplotlib():
        dv.open_device("pdf", "Rplots.pdf")
    return dv.layout(mat, widths, heights, respect)


def r_dev_open(kind: str, file: Any = None, width: Any = None, height: Any = None,
               units: Any = "px", res: Any = None, pointsize: Any = None, **kw: Any) -> None:
    """``pdf(file)``, ``png(file)``, ``jpeg``, ``tiff``, ``bmp``, ``svg``; ``dev.new()``,
    ``x11()``, ``windows()`` open another Rplots.pdf page device as Rscript does."""
    bad = _placeholder(file, width, height, res)
    if bad is not None:
        return bad
    if not dv.has_matplotlib():
        return None
    file = kw.get("filename", file)
    if kind in ("dev.new", "x11", "X11", "windows", "quartz", "win.graph"):
        kind, file = "pdf", None if any(d.file == "Rplots.pdf" for d in dv.state.devices) \
            else "Rplots.pdf"
        if file is None:
            file = f"Rplots{len(dv.state.devices)}.pdf"
        width = height = None
    dv.open_device(kind, None if file is None else str(file), _num(width), _num(height),
                   str(units), _num(res), _num(pointsize))
    return None


def _num(v: Any) -> float | None:
    if v is None:
        return None
    return float(np.ravel(np.asarray(v, dtype=float))[0])


def r_dev_off(which: Any = None) -> Any:
    """``dev.off()``: the device is written and closed; R's value, the next device."""
    if not dv.has_matplotlib():
        return dv.dev_cur()
    return dv.dev_off(which)


def r_graphics_off() -> None:
    if dv.has_matplotlib():
        dv.graphics_off()


def r_dev_cur() -> Any:
    """``dev.cur()``: the current device's number, named by its kind."""
    return dv.dev_cur()


def r_plot_new() -> None:
    """``plot.new()`` / ``frame()``: an empty panel."""
    if dv.has_matplotlib():
        _draw("plot.new", _empty_panel)


def _empty_panel() -> None:
    ax = dv.plot_new()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)


def r_pretty_values(x: Any, n: Any = 5, min_n: Any = None) -> np.ndarray:
    """``pretty(x, n)``: R's round break points covering ``range(x)``."""
    v = numeric_values(x, "x")
    v = v[np.isfinite(v)]
    mn = None if min_n is None else int(min_n)
    return r_pretty(float(v.min()), float(v.max()), int(n), mn)


def r_xyplot(formula: Any = None, data: Any = None, *, env: Any = None, draw: bool = False,
             groups: Any = None, r_src: Any = None, **kw: Any) -> Any:
    """lattice's ``xyplot()``: the plot (rgraphlattice.RTrellis), drawn now when ``draw``
    (a top-level call, which R prints) or when printed."""
    bad = _placeholder(formula, data, *kw.values())
    if bad is not None:
        return bad
    t = RTrellis(str(formula), data, env, {**r_names(kw), "groups": groups})
    if draw:
        _draw("xyplot", t.draw)
    return t
