"""ggplot2 plots as values (rggplot.py), checked against ggplot2's documented semantics:

* ``?ggplot`` / ``?"+.gg"``: ``ggplot()`` initialises a plot object and ``+`` adds
  components (geoms, scales, themes, labels, facets) to it; the value is a description of
  a graphic, nothing else: "ggplot() ... is almost always followed by + to add components";
* ``?print.ggplot``: "Generally, you do not need to print or plot a ggplot2 plot
  explicitly: the default top-level print method will do this for you" -- printing (or
  ``plot(p)``, or auto-printing ``p`` at top level) is the only moment a graphic is drawn;
* ``?ggsave``: ``ggsave(filename, plot = last_plot(), ...)`` writes the plot to the file
  and returns the file name invisibly;
* patchwork's ``p1 + p2``, ``p1 | p2``, ``p1 / p2`` combine plots into one plot.

So a translated script keeps the plot's R code in a note that prints "not drawn", never
a placeholder use, while any other use of the value (``p$data``) still is one.
"""
from __future__ import annotations

import pytest
from _translate_fixtures import run_py

from asr_py.translate import translate
from asr_py.translate.checks import _USES, UntranslatedValueError
from asr_py.translate.runtime import r_ggplot, r_ggsave


def _run(code: str, **env: object) -> dict:
    return run_py(translate(code), **{"__name__": "__translated__", **env})


def test_plot_value_keeps_its_code_and_adds_layers() -> None:
    code = ("library(ggplot2)\n"
            "p <- ggplot(d, aes(x, y)) + geom_point()\n"
            "p <- p + labs(title = 'a') + theme_bw()\n")
    py = translate(code)
    assert "# TODO(asr_py):" not in py and "untranslated(" not in py
    ns = _run(code)
    # ggplot2's + appends the components to the plot: the whole plot's code, in order
    assert ns["p"].what == ("ggplot(d, aes(x, y)) + geom_point() + labs(title = 'a') + "
                            "theme_bw()")


def test_printing_a_plot_draws_nothing_here_and_uses_no_placeholder(capsys) -> None:
    before = _USES[0]
    _run("p <- ggplot(d, aes(x)) + geom_histogram()\np\nprint(p)\nplot(p)\n"
         "ggplot(d, aes(x)) + geom_density()\n")
    out = capsys.readouterr().out.splitlines()
    # each of the four prints (auto-print, print(), plot(), a top-level plot) says so
    assert len(out) == 4 and all("not drawn" in ln for ln in out)
    assert "geom_density()" in out[3]
    assert _USES[0] == before


def test_ggsave_says_the_file_is_not_written(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _run("p <- ggplot(d, aes(x)) + geom_histogram()\n"
         "for (k in 1:2) ggsave(paste0('fig', k, '.png'), p, width = 5)\n"
         "ggsave(filename = 'all.pdf', plot = p)\n")
    out = capsys.readouterr().out
    for f in ("fig1.png", "fig2.png", "all.pdf"):
        assert f"'{f}' not written" in out
        assert not (tmp_path / f).exists()


def test_patchwork_and_ggpubr_combine_plots() -> None:
    ns = _run("p1 <- ggplot(d) + geom_point(aes(x, y))\np2 <- p1 + facet_wrap(~g)\n"
              "both <- (p1 | p2) / p1\ng <- ggpubr::ggarrange(p1, p2, ncol = 2)\n"
              "h <- d %>% ggplot(aes(x)) + geom_bar()\n")
    a = "ggplot(d) + geom_point(aes(x, y))"
    assert ns["both"].what == f"({a} | ({a} + facet_wrap(~g))) / ({a})"
    assert ns["g"].what == "ggpubr::ggarrange(p1, p2, ncol = 2)"
    assert ns["h"].what == "d %>% ggplot(aes(x)) + geom_bar()"


def test_anything_added_to_a_plot_is_part_of_it() -> None:
    # ggpubr's fill_palette() is no ggplot2 component, but + of a plot is ggplot2's +.gg
    ns = _run("p <- ggplot(d, aes(x)) + geom_bar() + fill_palette('jco')\n")
    assert ns["p"].what == "ggplot(d, aes(x)) + geom_bar() + fill_palette('jco')"


def test_a_plot_from_the_scripts_own_function_gets_its_layers() -> None:
    ns = _run("mk <- function(df) {\n  ggplot(df, aes(x)) + geom_bar()\n}\n"
              "m <- mk(d) + theme_classic()\n", d=None)
    assert ns["m"].what == "ggplot(df, aes(x)) + geom_bar() + theme_classic()"


def test_other_uses_of_a_plot_are_placeholder_uses() -> None:
    # p$data is the data frame ggplot2 stores: the translation does not have it
    before = _USES[0]
    ns = _run("p <- ggplot(d, aes(x)) + geom_histogram()\nk <- p$data\n")
    assert _USES[0] == before + 1
    with pytest.raises(UntranslatedValueError, match="ggplot2 plot"):
        bool(ns["k"])


def test_arithmetic_and_the_scripts_own_functions_are_not_plots() -> None:
    ns = _run("theme <- function(a) a * 2\nx <- 1\ny <- 2\nz <- x + y\nw <- x + theme(3)\n")
    assert ns["z"] == 3 and ns["w"] == 7


def test_runtime_note_and_combination() -> None:
    p = r_ggplot("ggplot(d) + geom_point()")
    both = p + r_ggplot("labs(x = 'a')", component=True)
    assert both.what == "ggplot(d) + geom_point() + labs(x = 'a')"
    assert "not drawn" in repr(both) and "labs(x = 'a')" in str(both)
    assert (p | p).what == "ggplot(d) + geom_point() | (ggplot(d) + geom_point())"
    assert ((p | p) & r_ggplot("theme_bw()", True)).what == \
        "(ggplot(d) + geom_point() | (ggplot(d) + geom_point())) & theme_bw()"
    assert r_ggsave("a.png") is None           # R returns the file name invisibly
