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
no package other than asreml and data-free helpers (dplyr, ggplot2, ...), gets no such
rewriting, except for asreml's own example data sets (:data:`ASREML_DATA`): asreml's
DESCRIPTION has ``LazyData: true``, and tutorials fit ``library(asreml); asreml(...,
data = oats)`` with no data() call. Besides the value of an assignment and ``data =``, a
never-defined name indexed as a data frame (``gv_df[gv_df$env == 1, ]``, ``gv_df$env``) is
read this way.
"""

from __future__ import annotations

from asr_py.translate.parser import R
from asr_py.translate.parser import walk as _walk

#: calls after which any name may exist
_OPAQUE = ("attach", "source", "sys.source", "list2env", "eval", "evalq",
           "lazyLoad", "get", "mget")
#: R's base constants that are not data sets
_BASE = {"letters", "LETTERS", "month.name", "month.abb", "pi", "T", "F", ".Machine"}


#: attached packages that bring no data sets a script reads by name
_NO_DATA = {"asreml", "asremlPlus", "dae", "dplyr", "tidyr", "tidyverse", "ggplot2",
            "magrittr", "readxl", "readr", "data.table", "stats", "utils", "methods",
            "lattice", "plyr", "reshape", "reshape2", "Matrix", "stringr", "purrr",
            "tibble", "knitr", "rmarkdown", "here", "devtools", "testthat", "pacman"}


#: asreml's example data sets a script reads by name after library(asreml) (LazyData), as
#: its documentation and tutorials name them: oats, harvey (VSNi knowledge base pages),
#: harvey.ped (the Biosci vpredict note: ainverse(harvey.ped)), cheese, cheese.cat (asreml
#: 4.1 reference manual index), nin89 (Emi Tanaka's 2016 post), wheat, grassUV (asreml's
#: data as VSNC/vsnc ships them; Norberg's wheat_asreml.R, agriutilities' vignette), orange
#: (asremlPlus's test41Orange.r, "data from asreml examples"). Read wherever the script
#: uses the name (``ainverse(harvey.ped)``), not only as data.
ASREML_DATA = frozenset({"oats", "harvey", "harvey.ped", "cheese", "cheese.cat", "nin89",
                         "wheat", "grassUV", "orange"})


def called_names(program: list[R]) -> set[str]:
    """Names the program calls as functions (``h <- harmonic.mean; h(x)``: h is a function,
    so harmonic.mean is not a data set)."""
    return {e.value for e in _walk(program) if e.kind == "call" and e.value}


def calls_load(program: list[R]) -> bool:
    """Whether the program calls ``load()``, which binds names it does not spell (found by
    ``r_lazy`` in the scope, but the corpus runner cannot tell them from data files)."""
    return any(e.kind == "call" and e.value in ("load", "base::load") for e in _walk(program))


def defined_names(program: list[R]) -> tuple[set[str], bool]:
    """Every name the R program defines anywhere (assignments, function parameters, for
    variables, ``data(x)``, ``assign("x", ...)``), and whether bare names are to be left
    alone: the program may define names it does not spell (an opaque call of
    :data:`_OPAQUE`) or attaches no package that may bring data sets."""
    names, opaque, attached = _scan(program)
    return names, opaque or not (attached - _NO_DATA)


def asreml_only(program: list[R]) -> bool:
    """Whether the program attaches asreml and no other package that brings data sets, and
    makes no opaque call: then a never-defined :data:`ASREML_DATA` name is asreml's data."""
    _, opaque, attached = _scan(program)
    return not opaque and "asreml" in attached and not attached - _NO_DATA


def _scan(program: list[R]) -> tuple[set[str], bool, set[str]]:
    """The names the program defines, whether it makes an opaque call, the packages it
    attaches."""
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
    return names, opaque, attached


def lazy_data_name(e: R, defined: set[str], opaque: bool, known: set[str],
                   asreml_data: bool = False) -> str | None:
    """The data set name when ``e`` is a bare name the program never defines (R finds it in
    an attached package's data); None otherwise. ``known``: names translate itself binds
    (R constants, the script's functions); ``asreml_data``: the program attaches asreml and
    no other data package, so only asreml's own data sets (:data:`ASREML_DATA`) count."""
    if e.kind != "name" or e.value in defined or e.value in known or e.value in _BASE:
        return None
    if opaque and not (asreml_data and e.value in ASREML_DATA):
        return None
    return e.value
