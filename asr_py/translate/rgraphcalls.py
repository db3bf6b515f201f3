"""Translation of R's base-graphics calls to the runtime of :mod:`.rgraphics` (matplotlib).

``plot(x, y, main = "a", cex.main = 2)`` -> ``r_plot(x, y, main='a', cex_main=2,
r_src=['x', 'y'])``: arguments are matched to the function's formals as R does (exact,
partial, positional: rmatchargs); R's dotted names become ``_`` names; ``r_src`` carries the
R text of the data arguments (R's default axis labels: ``deparse(substitute(x))``). A
formula (``plot(y ~ x, data = d)``, ``boxplot(y ~ g, d)``) is passed as its text with the
calling frames (``env``) for variables not in ``data``. ``curve(expr)`` passes ``expr`` as a
function of ``x``. An argument the runtime does not use is dropped with a NOTE(asr_py) line
(the figure differs only in that detail); it never makes the statement a TODO.

``plot(fit)`` of an asreml fit -> ``r_plot_fit(fit)`` (asr_py's residual panels);
``plot(varioGram(fit))`` keeps its rule (asr.plot_variogram). The values of ``hist()``,
``boxplot()``, ``barplot()``, ``qqnorm()``, ``par()``, ``layout()``, ``dev.off()``,
``density()``, ``fivenum()``, ``boxplot.stats()``, ``ppoints()``, ``pretty()`` are R's.
"""
from __future__ import annotations

import keyword
import re
from typing import Any

from asr_py.translate import rggplot, rlme4
from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "translate", "statement", "PACKAGES"]

_PREFIXES = ("graphics::", "grDevices::", "stats::", "base::", "lattice::")
#: R function -> (its formals in R's order, the runtime helper)
_FORMALS: dict[str, tuple[tuple[str, ...], str]] = {
    "plot": (("x", "y", "..."), "r_plot"),
    "hist": (("x", "breaks", "freq", "probability", "include.lowest", "right", "fuzz",
              "density", "angle", "col", "border", "main", "xlim", "ylim", "xlab", "ylab",
              "axes", "plot", "labels", "nclass", "warn.unused", "..."), "r_hist"),
    "boxplot": (("x", "...", "range", "width", "varwidth", "notch", "outline", "names",
                 "plot", "border", "col", "log", "pars", "ann", "horizontal", "add", "at",
                 "data", "subset", "na.action"), "r_boxplot"),
    "barplot": (("height", "width", "space", "names.arg", "legend.text", "beside", "horiz",
                 "density", "angle", "col", "border", "main", "sub", "xlab", "ylab", "xlim",
                 "ylim", "xpd", "log", "axes", "axisnames", "cex.axis", "cex.names",
                 "inside", "plot", "axis.lty", "offset", "add", "ann", "args.legend", "..."),
                "r_barplot"),
    "matplot": (("x", "y", "type", "lty", "lwd", "lend", "pch", "col", "cex", "bg", "xlab",
                 "ylab", "xlim", "ylim", "log", "...", "add", "verbose"), "r_matplot"),
    "curve": (("expr", "from", "to", "n", "add", "type", "xname", "xlab", "ylab", "log",
               "xlim", "..."), "r_curve"),
    "pairs": (("x", "...", "data", "subset", "na.action"), "r_pairs"),
    "qqnorm": (("y", "ylim", "main", "xlab", "ylab", "plot.it", "datax", "..."), "r_qqnorm"),
    "qqline": (("y", "datax", "distribution", "probs", "qtype", "..."), "r_qqline"),
    "image": (("x", "y", "z", "zlim", "xlim", "ylim", "col", "add", "xaxs", "yaxs", "xlab",
               "ylab", "breaks", "oldstyle", "useRaster", "..."), "r_image"),
    "lines": (("x", "y", "..."), "r_lines"),
    "points": (("x", "y", "..."), "r_points"),
    "rug": (("x", "ticksize", "side", "lwd", "col", "quiet", "..."), "r_rug"),
    "matlines": (("x", "y", "type", "lty", "lwd", "lend", "pch", "col", "..."), "r_matlines"),
    "matpoints": (("x", "y", "type", "lty", "lwd", "pch", "col", "..."), "r_matpoints"),
    "heatmap": (("x", "Rowv", "Colv", "distfun", "hclustfun", "reorderfun", "add.expr",
                 "symm", "revC", "scale", "na.rm", "margins", "ColSideColors",
                 "RowSideColors", "cexRow", "cexCol", "labRow", "labCol", "main", "xlab",
                 "ylab", "keep.dendro", "verbose", "..."), "r_heatmap"),
    "symbols": (("x", "y", "circles", "squares", "rectangles", "stars", "thermometers",
                 "boxplots", "inches", "add", "fg", "bg", "xlab", "ylab", "main", "xlim",
                 "ylim", "..."), "r_symbols"),
    "abline": (("a", "b", "h", "v", "reg", "coef", "untf", "..."), "r_abline"),
    "text": (("x", "y", "labels", "adj", "pos", "offset", "vfont", "cex", "col", "font",
              "..."), "r_text"),
    "mtext": (("text", "side", "line", "outer", "at", "adj", "padj", "cex", "col", "font",
               "..."), "r_mtext"),
    "legend": (("x", "y", "legend", "fill", "col", "border", "lty", "lwd", "pch", "angle",
                "density", "bty", "bg", "box.lwd", "box.lty", "box.col", "pt.bg", "cex",
                "pt.cex", "pt.lwd", "xjust", "yjust", "x.intersp", "y.intersp", "adj",
                "text.width", "text.col", "text.font", "merge", "trace", "plot", "ncol",
                "horiz", "title", "inset", "xpd", "title.col", "title.adj", "title.cex",
                "title.font", "seg.len"), "r_legend"),
    "title": (("main", "sub", "xlab", "ylab", "line", "outer", "..."), "r_title"),
    "axis": (("side", "at", "labels", "tick", "line", "pos", "outer", "font", "lty", "lwd",
              "lwd.ticks", "col", "col.ticks", "hadj", "padj", "gap.axis", "..."), "r_axis"),
    "box": (("which", "lty", "..."), "r_box"),
    "grid": (("nx", "ny", "col", "lty", "lwd", "equilogs"), "r_grid"),
    "polygon": (("x", "y", "density", "angle", "border", "col", "lty", "...", "fillOddEven"),
                "r_polygon"),
    "segments": (("x0", "y0", "x1", "y1", "col", "lty", "lwd", "..."), "r_segments"),
    "arrows": (("x0", "y0", "x1", "y1", "length", "angle", "code", "col", "lty", "lwd",
                "..."), "r_arrows"),
    "rect": (("xleft", "ybottom", "xright", "ytop", "density", "angle", "col", "border", "lty",
              "lwd", "..."), "r_rect"),
    "par": (("...", "no.readonly"), "r_par"),
    "layout": (("mat", "widths", "heights", "respect"), "r_layout"),
    "dev.off": (("which",), "r_dev_off"),
    "graphics.off": ((), "r_graphics_off"),
    "dev.cur": ((), "r_dev_cur"),
    "plot.new": ((), "r_plot_new"),
    "frame": ((), "r_plot_new"),
    "density": (("x", "bw", "adjust", "kernel", "weights", "window", "width", "give.Rkern",
                 "subdensity", "warnWbw", "n", "from", "to", "cut", "ext", "old.coords",
                 "na.rm", "..."), "r_density"),
    "fivenum": (("x", "na.rm"), "r_fivenum"),
    "boxplot.stats": (("x", "coef", "do.conf", "do.out"), "r_boxplot_stats"),
    "ppoints": (("n", "a"), "r_ppoints"),
    "ecdf": (("x",), "r_ecdf"),
    "pretty": (("x", "n", "min.n", "..."), "r_pretty_values"),
}
_DEVICES: dict[str, tuple[str, ...]] = {
    "pdf": ("file", "width", "height", "onefile", "family", "title", "fonts", "version",
            "paper", "encoding", "bg", "fg", "pointsize", "pagecentre", "colormodel",
            "useDingbats", "useKerning", "fillOddEven", "compress"),
    "png": ("filename", "width", "height", "units", "pointsize", "bg", "res", "...", "type",
            "antialias"),
    "jpeg": ("filename", "width", "height", "units", "pointsize", "quality", "bg", "res",
             "...", "type", "antialias"),
    "tiff": ("filename", "width", "height", "units", "pointsize", "compression", "bg", "res",
             "...", "type", "antialias"),
    "bmp": ("filename", "width", "height", "units", "pointsize", "bg", "res", "...", "type",
            "antialias"),
    "svg": ("filename", "width", "height", "pointsize", "onefile", "family", "bg",
            "antialias", "symbolfamily"),
    "dev.new": ("...",), "x11": ("...",), "X11": ("...",), "windows": ("...",),
    "quartz": ("...",), "win.graph": ("...",),
}
#: the arguments the runtime reads (others are dropped with a NOTE)
_USED = frozenset({
    "x", "y", "z", "main", "sub", "xlab", "ylab", "xlim", "ylim", "col", "pch", "lty", "lwd",
    "cex", "cex.main", "cex.lab", "cex.axis", "log", "type", "las", "axes", "ann", "bty",
    "xaxt", "yaxt", "bg", "border", "font.main", "col.main", "col.lab", "xaxs", "yaxs",
    "frame.plot", "adj", "srt", "pos", "labels", "horizontal", "names", "at", "freq",
    "probability", "add", "outer", "side", "line", "fill", "title", "ncol", "legend", "code",
    "angle", "h", "v", "a", "b", "reg", "coef", "breaks", "plot", "right", "include.lowest",
    "beside", "horiz", "space", "width", "names.arg", "range", "boxwex", "n", "from", "to",
    "plot.it", "datax", "mat", "widths", "heights", "respect", "which", "x0", "y0", "x1",
    "y1", "xleft", "ybottom", "xright", "ytop", "height", "expr", "text", "bw", "adjust",
    "kernel", "na.rm", "min.n", "data", "file", "filename", "units", "res", "pointsize",
    "no.readonly", "mfrow", "mfcol", "mar", "oma", "mex", "frame", "col.axis", "font",
    "xname", "do.conf", "do.out", "cut", "circles", "squares", "inches", "fg", "Rowv", "Colv",
    "symm", "scale", "ticksize"})
#: positional data arguments whose R text is a default axis label (r_src)
_DATA_ARGS = ("x", "y", "height", "expr")
_LATTICE = {"xyplot": ("x", "data", "allow.multiple", "outer", "auto.key", "aspect", "panel",
                       "prepanel", "scales", "strip", "groups", "xlab", "xlim", "ylab",
                       "ylim", "drop.unused.levels", "...", "lattice.options",
                       "default.scales", "default.prepanel", "subscripts", "subset")}
#: packages whose functions this module translates (their library() needs no TODO; a
#: function of theirs not here gets its own TODO where called)
PACKAGES = frozenset({"lattice", "graphics", "grDevices"})
FUNCTIONS = frozenset(_FORMALS) | frozenset(_DEVICES) | frozenset(_LATTICE) | frozenset(
    p + f for p in _PREFIXES for f in (*_FORMALS, *_DEVICES, *_LATTICE))


def _base(f: str) -> str:
    for p in _PREFIXES:
        if f.startswith(p):
            return f[len(p):]
    return f


def _pyname(n: str) -> str:
    py = n.replace(".", "_")
    if n == "range":
        return "range_"
    return py + "_" if keyword.iskeyword(py) else py


def _note(tr: Any, text: str) -> None:
    tr._note_once(f"# NOTE(asr_py): {text}")


def statement(tr: Any, e: R) -> str | None:
    """A graphics call as a statement (never printed: R's graphics return invisibly)."""
    if e.kind != "call" or e.value not in FUNCTIONS or e.value in tr.functions or \
            _base(e.value) in tr.functions or _ggplot(tr, e):
        return None
    if _base(e.value) in _LATTICE:             # R prints (draws) a top-level lattice plot
        got = translate(tr, e)
        return got[:-1] + ", draw=True)" if got and got.endswith(")") else got
    return translate(tr, e)


def _ggplot(tr: Any, e: R) -> bool:
    """``plot(p)`` of a ggplot2 plot: rggplot's rule (printing the plot's note)."""
    return _base(e.value) == "plot" and bool(e.args) and e.args[0][0] in (None, "x") and \
        rggplot.is_plot(tr, e.args[0][1], False)


def translate(tr: Any, e: R) -> str | None:
    """``e`` as a call of the graphics runtime; None for the forms other rules translate
    (``plot(varioGram(fit))``). Its expression()/bquote() labels are text (rplotmath)."""
    outer = getattr(tr, "plot_labels", False)
    tr.plot_labels = True
    try:
        return _translate(tr, e)
    finally:
        tr.plot_labels = outer


def _translate(tr: Any, e: R) -> str | None:
    f = _base(e.value)
    if f in tr.functions:
        return None
    args = [(n, a) for n, a in e.args if a.kind != "empty"]
    if f in _DEVICES:
        return _device(tr, f, args)
    if f in _LATTICE:
        return _lattice(tr, f, args)
    if f == "pairs" and rlme4._emm_arg(e) and re.search(r"\b(emmeans|lsmeans)\b",
                                                       str(getattr(tr, "code", ""))):
        return None                 # emmeans' pairs() of a grid (rlme4)
    formals, helper = _FORMALS[f]
    if f == "plot":
        first = args[0][1] if args and args[0][0] in (None, "x") else None
        if first is not None and _ggplot(tr, e):
            return None
        if first is not None and first.kind == "call" and first.value in (
                "varioGram", "varioGram.asreml"):
            # the fit's variogram table (asreml_rules' variogram()), drawn on the device
            # by asr.plot_variogram (rgraphhigh.draw_variogram)
            return f"{tr.runtime('r_plot')}({tr.variogram(first)})"
        if first is not None and tr.is_fit(first):
            for n, a in args[1:]:
                _note(tr, f"plot({n or ''}{' = ' if n else ''}{tr.src(a)}) of an asreml fit "
                          "is not used: asr_py draws its residual panels")
            return f"{tr.runtime('r_plot_fit')}({tr.py(first)})"
    if f in ("plot", "boxplot", "pairs") and args and args[0][1].kind == "formula" and \
            args[0][0] in (None, "x", "formula"):
        return _formula_call(tr, f, helper, formals, args)
    try:
        got = match_args(formals, args, f)
    except ArgMatchError as err:
        raise Untranslatable(f"{f}(): {err}") from None
    pos: list[str] = []
    parts: list[str] = []
    src: list[str] = []
    if f == "curve" and "expr" in got:
        pos.append(_curve_fun(tr, got.pop("expr"), got.pop("xname", None)))
    for name in formals:
        if name == "..." or name not in got:
            continue
        a = got[name]
        if name in _DATA_ARGS:
            src.append(tr.src(a))
        if name not in _USED:
            _note(tr, f"{f}({name} = {tr.src(a)}) is not drawn by asr_py's graphics: ignored")
        elif f == "boxplot" and name == "x":
            pos.append(tr.py(a))
        elif f == "heatmap" and name in ("Rowv", "Colv") and a.kind == "name" and \
                a.value == "NA":
            parts.append(f"{name}={tr.np('np.nan')}")     # NA: no dendrogram (not NULL)
        else:
            parts.append(f"{_pyname(name)}={tr.py(a)}")
    for n, a in got.get("...", []):
        if n is None:
            if f == "par":                        # par(op): the saved values back
                pos.append(tr.py(a))
            elif f == "boxplot":                  # boxplot(a, b): a box each
                src.append(tr.src(a))
                pos.append(tr.py(a))
            else:
                _note(tr, f"{f}(): an unnamed extra argument ({tr.src(a)}) is ignored")
            continue
        if f == "par" or n in _USED:
            parts.append(f"{_pyname(n)}={tr.py(a)}" if _pyname(n).isidentifier()
                         else f"**{{{n!r}: {tr.py(a)}}}")
        else:
            _note(tr, f"{f}({n} = {tr.src(a)}) is not drawn by asr_py's graphics: ignored")
    if f == "symbols" and not {"circles", "squares"} & set(got):
        raise Untranslatable("symbols() of rectangles, stars, thermometers or boxplots")
    if src and f in ("plot", "hist", "boxplot", "barplot", "matplot", "curve", "qqnorm",
                     "symbols"):
        parts.append(f"r_src={src!r}")
    if f == "density" and got.get("x") is not None:
        parts.append(f"xname={tr.src(got['x'])!r}")
    return f"{tr.runtime(helper)}({', '.join(pos + parts)})"


def _curve_fun(tr: Any, expr: R, xname: R | None) -> str:
    """curve's ``expr``: a function's name as that function, an expression as a lambda."""
    var = xname.value if xname is not None and xname.kind == "str" else "x"
    if expr.kind == "name" and expr.value != var and (expr.value in tr.functions or
                                                      expr.value in tr.assigned):
        return tr.py(expr)                  # curve(f): the script's function
    if expr.kind == "name" and expr.value != var:         # curve(sin): sin(x)
        expr = R("call", expr.value, [(None, R("name", var))], start=expr.start,
                 end=expr.end)
    pyvar = var.replace(".", "_")
    added = var not in tr.assigned
    tr.assigned.add(var)
    try:
        body = tr.py(expr)
    finally:
        if added:
            tr.assigned.discard(var)
    return f"(lambda {pyvar}: {body})"


def _formula_call(tr: Any, f: str, helper: str, formals: tuple[str, ...],
                  args: list[tuple[str | None, R]]) -> str:
    form = args[0][1]
    rest = args[1:]
    parts = [f"formula={tr.src(form)!r}"]
    data = [a for n, a in rest if n == "data"]
    if not data and rest and rest[0][0] is None:
        data, rest = [rest[0][1]], rest[1:]     # boxplot(y ~ g, d): data second
    else:
        rest = [(n, a) for n, a in rest if n != "data"]
    if data:
        parts.append(f"data={tr.py(data[0])}")
    parts.append("env=[locals(), globals()]")
    for n, a in rest:
        if n is None:
            _note(tr, f"{f}(): an unnamed extra argument ({tr.src(a)}) is ignored")
        elif n in ("subset", "na.action"):
            raise Untranslatable(f"{f}(formula, {n} = )")
        elif n in _USED:
            parts.append(f"{_pyname(n)}={tr.py(a)}")
        else:
            _note(tr, f"{f}({n} = {tr.src(a)}) is not drawn by asr_py's graphics: ignored")
    return f"{tr.runtime(helper)}({', '.join(parts)})"


def _device(tr: Any, f: str, args: list[tuple[str | None, R]]) -> str:
    formals = _DEVICES[f]
    try:
        got = match_args(formals, args, f)
    except ArgMatchError as err:
        raise Untranslatable(f"{f}(): {err}") from None
    parts = [repr(f)]
    for name in formals:
        if name == "..." or name not in got:
            continue
        if name in ("file", "filename"):
            parts.append(f"file={tr.py(got[name])}")
        elif name in ("width", "height", "units", "res", "pointsize"):
            parts.append(f"{name}={tr.py(got[name])}")
        else:
            _note(tr, f"{f}({name} = {tr.src(got[name])}) is not used by asr_py's "
                      "graphics: ignored")
    for n, a in got.get("...", []):
        if f in ("png", "jpeg", "tiff", "bmp") or n is None:
            _note(tr, f"{f}({n or ''}{' = ' if n else ''}{tr.src(a)}) is not used by "
                      "asr_py's graphics: ignored")
        else:                 # dev.new(width = 7): sizes of a screen window
            _note(tr, f"{f}({n} = {tr.src(a)}): a screen window's setting, ignored")
    return f"{tr.runtime('r_dev_open')}({', '.join(parts)})"


def _lattice(tr: Any, f: str, args: list[tuple[str | None, R]]) -> str:
    """``xyplot(y ~ x | g, data, groups = h, ...)``: the formula and ``groups`` as text
    (lattice looks them up in ``data``), the data, the arguments rgraphlattice reads."""
    try:
        got = match_args(_LATTICE[f], args, f)
    except ArgMatchError as err:
        raise Untranslatable(f"{f}(): {err}") from None
    form = got.get("x")
    if form is None or form.kind != "formula":
        raise Untranslatable(f"{f}() of something other than a formula")
    if "subset" in got:
        raise Untranslatable(f"{f}(subset = )")
    parts = [f"formula={tr.src(form)!r}"]
    if "data" in got:
        parts.append(f"data={tr.py(got['data'])}")
    parts.append("env=[locals(), globals()]")
    if "groups" in got:
        parts.append(f"groups={tr.src(got['groups'])!r}")
    named = [(n, got[n]) for n in _LATTICE[f] if n in got and n not in (
        "x", "data", "groups", "...")] + list(got.get("...", []))
    for n, a in named:
        if n in ("xlab", "ylab", "main", "type", "layout", "col", "pch", "lty", "lwd", "cex",
                 "auto.key"):
            parts.append(f"{_pyname(n)}={tr.py(a)}")
        else:
            _note(tr, f"{f}({n or ''}{' = ' if n else ''}{tr.src(a)}) is not drawn by "
                      "asr_py's graphics: ignored")
    return f"{tr.runtime('r_xyplot')}({', '.join(parts)})"
