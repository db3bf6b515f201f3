"""R's lazy-loaded data sets in translated scripts.

An R package's data sets are visible by name once the package is attached (``LazyData``):
``library(agridat); dat <- john.alpha``, a package demo's ``df <- PrSpa`` or ``asreml(...,
data = barley)``, with no ``data()`` call. In Python the name is undefined. When a script
reads a bare name as a data frame (the value of an assignment, or ``data =``) that it never
defines anywhere, translate reads it as R's ``data(name)`` would (``runtime.r_lazy``: the
name's value if the Python scope has it, else ``runtime.r_data``: a file
``name.csv``/``.rda``/``.RData``/``.rds``/``.txt`` next to the script or under ``data/``,
which is where a package's own demos and tests find it); when there is no such file the
script stops there with an error naming the data set and how to export it from R.

A name ``load()`` binds is found in the scope by ``r_lazy`` first, so ``load()`` does not
stop the rewriting. A script that may create names translate cannot see (``attach()``,
``source()``, ``assign()`` of a computed name, ``eval()``, ``list2env()``), or that attaches
no package other than data-free helpers (dplyr, ggplot2, ...), gets no such rewriting.
asreml itself has ``LazyData: true`` (its DESCRIPTION): ``library(asreml); asreml(yield ~
Variety, ..., data = oats)`` reads its example data (oats, nin89, wheat, harvey, ...) by name,
as tutorials do. Besides the value of an assignment and ``data =``, a never-defined name indexed
as a data frame (``gv_df[gv_df$env == 1, ]``, ``gv_df$env``) is read this way.
"""

from __future__ import annotations

from collections.abc import Iterable

from asr_py.translate.parser import R

#: calls after which any name may exist
_OPAQUE = ("attach", "source", "sys.source", "list2env", "eval", "evalq",
           "lazyLoad", "get", "mget")
#: R's base constants that are not data sets
_BASE = {"letters", "LETTERS", "month.name", "month.abb", "pi", "T", "F", ".Machine"}


def _walk(nodes: Iterable[R]) -> Iterable[R]:
    stack = list(nodes)
    while stack:
        e = stack.pop()
        yield e
        stack.extend(a for _, a in e.args if isinstance(a, R))
        stack.extend(x for x in (e.left, e.right, e.alt) if x is not None)
        stack.extend(e.body)


#: attached packages that bring no data sets a script reads by name
_NO_DATA = {"asremlPlus", "dae", "dplyr", "tidyr", "tidyverse", "ggplot2",
            "magrittr", "readxl", "readr", "data.table", "stats", "utils", "methods",
            "lattice", "plyr", "reshape", "reshape2", "Matrix", "stringr", "purrr",
            "tibble", "knitr", "rmarkdown", "here", "devtools", "testthat", "pacman"}


def called_names(program: list[R]) -> set[str]:
    """Names the program calls as functions (``h <- harmonic.mean; h(x)``: h is a function,
    so harmonic.mean is not a data set)."""
    return {e.value for e in _walk(program) if e.kind == "call" and e.value}


def defined_names(program: list[R]) -> tuple[set[str], bool]:
    """Every name the R program defines anywhere (assignments, function parameters, for
    variables, ``data(x)``, ``assign("x", ...)``), and whether bare names are to be left
    alone: the program may define names it does not spell (an opaque call of
    :data:`_OPAQUE`) or attaches no package that may bring data sets."""
    names: set[str] = set()
    opaque = False
    attached: set[str] = set()
    for e in _walk(program):
        if e.kind == "call" and e.value in ("library", "require") and e.args and \
                e.args[0][1].kind in ("name", "str"):
            attached.add(e.args[0][1].value)
        if e.kind == "bin" and e.value in ("<-", "=", "<<-", "in") and e.left is not None \
                and e.left.kind in ("name", "str"):
            names.add(e.left.value)
        elif e.kind == "bin" and e.value in ("->", "->>") and e.right is not None \
                and e.right.kind in ("name", "str"):
            names.add(e.right.value)
        elif e.kind == "function":
            names.update(n for n, _ in e.args if n)
        elif e.kind == "call" and e.value == "data":
            names.update(a.value for n, a in e.args if n is None and a.kind in ("name", "str"))
        elif e.kind == "call" and e.value == "assign":
            first = e.args[0][1] if e.args else None
            if first is not None and first.kind == "str":
                names.add(first.value)
            else:
                opaque = True
        elif e.kind == "call" and e.value in _OPAQUE:
            opaque = True
    return names, opaque or not (attached - _NO_DATA)


def lazy_data_name(e: R, defined: set[str], opaque: bool, known: set[str]) -> str | None:
    """The data set name when ``e`` is a bare name the program never defines (R finds it in
    an attached package's data); None otherwise. ``known``: names translate itself binds
    (R constants, the script's functions)."""
    if opaque or e.kind != "name" or e.value in defined or e.value in known or \
            e.value in _BASE:
        return None
    return e.value
