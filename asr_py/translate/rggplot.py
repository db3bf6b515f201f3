"""ggplot2 plots in translated scripts: a plot the translation does not draw.

A ggplot2 value only describes a graphic: ``p <- ggplot(d, aes(x, y)) + geom_point()``
computes nothing a later statement reads, and the graphic appears only when the plot is
printed (``print(p)``, ``p`` at top level, ``plot(p)``) or saved (``ggsave()``). asr_py
draws no ggplot2 graphics, so such a value is an :class:`RPlot`: a note holding the R
code of the plot. Printing it prints one line saying the plot is not drawn; ``ggsave()``
prints which file is not written; adding layers or combining plots (``p + theme_bw()``,
patchwork's ``p1 + p2``, ``p1 / p2``, ``p1 | p2``, ggpubr's ``ggarrange(p1, p2)``)
gives another note. Any other use of the value (``p$data``, ``ggplot_build(p)``, a
number or condition taken from it) is a use of a value R computed and the translation
does not: :class:`RPlot` is a :class:`~asr_py.translate.checks.Untranslated`, so it is
counted and, where Python needs the value, stops with that message.

Which expressions are plots (ggplot2's grammar, ``?ggplot``, ``?"+.gg"``):
``ggplot()``/``qplot()``/``autoplot()`` and the plot builders of ggpubr, GGally,
cowplot, patchwork, gridExtra and desplot; ``x + c`` where ``x`` is a plot or ``c`` a
ggplot2 component (``geom_*``, ``stat_*``, ``scale_*``, ``theme*``, ``labs``,
``facet_*``, ``coord_*``, ``guides``, ``annotate``, ``xlab``/``ylab``/``ggtitle``,
``xlim``/``ylim``); ``d %>% ggplot(...)``; a name the script bound to a plot. A
component on its own (``th <- theme_bw() + theme(...)``) is a note too (a component).
"""
from __future__ import annotations

import re
from typing import Any

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["PACKAGES", "PLOT_CALLS", "RPlot", "is_plot", "note_binding", "r_ggplot", "r_ggsave",
           "translate"]

#: packages that only build plots (their library() needs no TODO; a function of theirs
#: that computes something else gets its own TODO where called)
PACKAGES = frozenset({"ggplot2", "patchwork", "cowplot", "gridExtra", "ggpubr", "GGally",
                      "ggcorrplot", "desplot", "ggthemes", "ggrepel"})
#: functions whose value is a ggplot2 plot (or a grid of plots) and nothing else
PLOT_CALLS = frozenset({
    "ggplot", "qplot", "autoplot", "ggplotly",
    # ggpubr
    "ggarrange", "annotate_figure", "ggboxplot", "ggscatter", "ggbarplot", "gghistogram",
    "ggdensity", "ggline", "ggviolin", "ggqqplot", "ggdotplot", "ggstripchart", "ggerrorplot",
    "ggpar", "ggmaplot",
    # GGally, ggcorrplot, cowplot, patchwork, gridExtra, desplot
    "ggpairs", "ggcorr", "ggcorrplot", "plot_grid", "wrap_plots", "plot_annotation",
    "grid.arrange", "arrangeGrob", "desplot", "ggdesplot",
    # ASRgenomics' ggplot2 figures
    "kinship.heatmap"})
#: ggplot2 components: what ``+`` adds to a plot
_COMPONENT = re.compile(
    r"geom_\w+|stat_\w+|scale_\w+|theme|theme_\w+|labs|xlab|ylab|ggtitle|facet_\w+|"
    r"coord_\w+|guides|annotate|xlim|ylim|lims|expand_limits|position_\w+|"
    r"plot_layout|element_\w+")
#: operators that add to or combine ggplot2 plots (ggplot2's +, patchwork's + - / | * &)
_COMBINE = frozenset({"+", "-", "/", "|", "*", "&"})
_PIPES = frozenset({"%>%", "|>", "%T>%"})


def _fun(tr: Any, e: R) -> str | None:
    """The function a call names (without its ``pkg::``), or None for the script's own."""
    if e.kind != "call" or not e.value:
        return None
    f = e.value.split("::")[-1]
    return None if e.value in tr.functions or f in tr.functions else f


def _plots(tr: Any) -> set[str]:
    plots: set[str] = tr.__dict__.setdefault("plots", set())
    return plots


def is_component(tr: Any, e: R) -> bool:
    """``e`` is a ggplot2 component (``theme_bw()``, ``geom_point()``, ...) or a sum of them."""
    if e.kind == "paren" and e.args:
        return is_component(tr, e.args[0][1])
    if e.kind == "bin" and e.value == "+" and e.left is not None and e.right is not None:
        return is_component(tr, e.left) and is_component(tr, e.right)
    f = _fun(tr, e)
    return f is not None and _COMPONENT.fullmatch(f) is not None


def is_plot(tr: Any, e: R, top: bool = True) -> bool:
    """``e`` is a ggplot2 plot (see the module docstring); a bare name counts only inside
    a larger expression (``top`` False): alone it is just read."""
    if e.kind == "paren" and e.args:
        return is_plot(tr, e.args[0][1], top)
    if e.kind == "name":
        return not top and e.value in _plots(tr)
    if e.kind == "bin" and e.left is not None and e.right is not None:
        if e.value in _PIPES:
            return e.right.kind == "call" and _fun(tr, e.right) in PLOT_CALLS
        if e.value in _COMBINE:
            left, right = e.left, e.right
            if e.value == "+" and is_plot(tr, left, False):
                return True           # ggplot2's +.gg: whatever is added, a plot results
            if e.value == "+" and is_component(tr, right):
                return is_plot(tr, left, False) or is_component(tr, left) or \
                    _maybe_plot(tr, left)
            return is_plot(tr, left, False) and (is_plot(tr, right, False) or
                                                 is_component(tr, right))
        return False
    return _fun(tr, e) in PLOT_CALLS


def _maybe_plot(tr: Any, e: R) -> bool:
    """``x`` in ``x + geom_point()``: only a plot can take a ggplot2 component, so any
    value there (``plots[[i]]``, ``f(d)``) is one, numbers excepted."""
    return e.kind in ("name", "index", "dollar", "call") and \
        not (e.kind == "call" and _fun(tr, e) in ("c", "sum", "mean", "length", "nrow"))


def translate(tr: Any, e: R) -> str | None:
    """A plot or component expression -> ``r_ggplot('<R code>')``; ``plot(p)`` of a plot ->
    ``print(p)``; ``ggsave(...)`` -> ``r_ggsave(filename, plot)``; None otherwise."""
    f = _fun(tr, e)
    if f == "ggsave":
        return _ggsave(tr, e)
    if f == "do.call" and e.args and e.args[0][0] in (None, "what") and \
            e.args[0][1].kind in ("name", "str") and \
            e.args[0][1].value.split("::")[-1] in PLOT_CALLS:
        return f"{tr.runtime('r_ggplot')}({tr.src(e)!r})"    # do.call(grid.arrange, ps)
    if f == "plot" and len(e.args) == 1 and e.args[0][0] in (None, "x") and \
            is_plot(tr, e.args[0][1], False):
        return f"print({tr.py(e.args[0][1])})"
    if e.kind == "name" or not (is_plot(tr, e) or is_component(tr, e)):
        return None
    return _code(tr, e)


def _code(tr: Any, e: R) -> str:
    """Python for the plot expression ``e``: the plots it names are read (``p + labs()``
    -> ``p + r_ggplot('labs()', component=True)``), the rest is R code in a note."""
    if e.kind == "paren" and e.args:
        return _code(tr, e.args[0][1])
    if e.kind == "name" and e.value in _plots(tr):
        return tr.py(e)
    if e.kind == "bin" and e.value in _COMBINE and e.left is not None and \
            e.right is not None and (_names_plot(tr, e.left) or _names_plot(tr, e.right)):
        return f"({_code(tr, e.left)} {e.value} {_code(tr, e.right)})"
    if e.kind == "bin" and e.value == "+" and e.left is not None and e.right is not None \
            and is_component(tr, e.right) and not is_plot(tr, e.left, False) and \
            not is_component(tr, e.left) and e.left.kind != "name":
        # f(d) + theme_bw(), plots[[i]] + labs(): the plot is the value of the left side
        return f"({tr.py(e.left)} + {_code(tr, e.right)})"
    extra = ", component=True" if is_component(tr, e) else ""
    return f"{tr.runtime('r_ggplot')}({tr.src(e)!r}{extra})"


def _names_plot(tr: Any, e: R) -> bool:
    """``e`` reads a name bound to a plot (through ggplot2's and patchwork's operators)."""
    if e.kind == "paren" and e.args:
        return _names_plot(tr, e.args[0][1])
    if e.kind == "name":
        return e.value in _plots(tr)
    return e.kind == "bin" and e.value in _COMBINE and e.left is not None and \
        e.right is not None and (_names_plot(tr, e.left) or _names_plot(tr, e.right))


def _ggsave(tr: Any, e: R) -> str:
    """``ggsave(filename, plot = last_plot(), ...)``: the file name (when Python can compute
    it) and the plot; the device arguments (width, dpi, ...) change nothing here."""
    pos = [a for n, a in e.args if n is None]
    named = {n: a for n, a in e.args if n is not None}
    fname = named.get("filename") or named.get("file") or (pos.pop(0) if pos else None)
    plot = named.get("plot") or (pos.pop(0) if pos else None)
    parts = []
    if fname is not None:
        try:
            parts.append(tr.py(fname))
        except Exception:   # noqa: BLE001 - a name Python cannot compute: say its R code
            parts.append(repr(tr.src(fname)))
    if plot is not None and plot.kind == "name" and plot.value in _plots(tr):
        parts.append(f"plot={tr.py(plot)}")
    return f"{tr.runtime('r_ggsave')}({', '.join(parts)})"


def note_binding(tr: Any, name: str, r: R) -> None:
    """Record that ``name <- r`` binds a plot (or component), or forget it."""
    plots = _plots(tr)
    if is_plot(tr, r, False) or is_component(tr, r):
        plots.add(name)
    else:
        plots.discard(name)


#: what an :class:`RPlot` made of several plots is (patchwork's p1 | p2)
_COMBINED = "a combination of ggplot2 plots"


class RPlot(Untranslated):
    """A ggplot2 plot (or component) asr_py does not draw: its R code, printed as a note."""

    __slots__ = ()

    def __init__(self, code: str, component: bool = False) -> None:
        super().__init__(code, "a ggplot2 component" if component else "a ggplot2 plot")

    def __repr__(self) -> str:
        code = self.what if len(self.what) <= 100 else self.what[:97] + "..."
        return f"[{self.name} not drawn (asr_py draws no ggplot2 graphics): {code}]"

    __str__ = __repr__

    def _combine(self, other: object, op: str, left: bool = True) -> RPlot:
        """ggplot2's ``p + layer`` or patchwork's ``p1 | p2``: another plot note (a plot
        combined with a whole plot is written in parentheses, as R groups it)."""
        if isinstance(other, Untranslated) and not isinstance(other, RPlot):
            other._use()              # a placeholder added to a plot: its value is needed
        mine = f"({self.what})" if self.name == _COMBINED else self.what
        o = repr(other)
        combined = False
        if isinstance(other, RPlot):
            combined = not other.name.endswith("component")
            o = f"({other.what})" if combined else other.what
        out = RPlot(f"{mine} {op} {o}" if left else f"{o} {op} {mine}")
        if combined or self.name == _COMBINED:
            out.name = _COMBINED
        return out

    def __add__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "+")

    def __radd__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "+", left=False)

    def __truediv__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "/")

    def __or__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "|")

    def __and__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "&")

    def __sub__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "-")

    def __mul__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "*")

    def __rtruediv__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "/", left=False)

    def __ror__(self, other: object) -> RPlot:  # type: ignore[override]
        return self._combine(other, "|", left=False)


def r_ggplot(code: str, component: bool = False) -> RPlot:
    """The value of the ggplot2 expression ``code``: a note (the plot is not drawn)."""
    return RPlot(code, component)


def r_ggsave(filename: object = None, plot: object = None) -> None:
    """ggplot2's ``ggsave()``: says which file is not written (R writes the plot there)."""
    what = f"{filename!r} " if isinstance(filename, str) else ""
    print(f"[ggsave(): {what}not written (asr_py draws no ggplot2 graphics)]")
