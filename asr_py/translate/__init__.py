"""``translate()``: asreml-R scripts (asreml 3 and 4 syntax; .R, .Rmd, .qmd) -> Python using
asr_py and pandas.

A small R front end (:mod:`.lexer`, :mod:`.parser`: whole programs with functions, loops and
``if``), a printer for base R (:mod:`.printer`) and the asreml rewrites
(:mod:`.asreml_rules`). R Markdown/Quarto files keep their R chunks, prose as comments
(:mod:`.rmd`). Statements outside the supported subset are kept as
``# TODO(asr_py): ...`` comments with the original code; an ``asreml()`` argument that
cannot be translated gets a TODO of its own and the call is kept; nothing is dropped.
"""

from __future__ import annotations

from asr_py.errors import AsrError
from asr_py.translate import rlazy, rmd, rnormargs
from asr_py.translate.lexer import Tok, tokenize
from asr_py.translate.parser import Parser, R, Untranslatable

HEADER = "# Translated from asreml-R by asr_py.translate. Review every 'TODO(asr_py)' line.\n"


def statements(code: str) -> list[R]:
    """Top-level statements of R code (comments and blank lines as ``comment``/``blank``)."""
    return Parser(tokenize(code)).program()


def translate(r_code: str) -> str:
    """Translate R code with ``asreml()`` calls to Python using asr_py and pandas.

    ``r_code`` may be an R script or an R Markdown/Quarto document (its R chunks are
    translated, its prose kept as comments). Statements outside the supported subset are
    kept as ``# TODO(asr_py): ...`` comments with the original code. See docs/migration.md.
    """
    if not isinstance(r_code, str):
        raise AsrError("translate() needs the R code as a string",
                       hint="read the file first: translate(open('script.R').read())")
    if rmd.is_markdown(r_code):
        r_code = rmd.to_r(r_code)
    toks = tokenize(r_code)
    spans = [(t.start, t.end) for t in toks if t.kind == "comment"]
    from asr_py.translate.asreml_rules import Translator  # heavy: on first translate()

    tr = Translator(r_code, spans)
    program = Parser(toks).program()
    tr.defined, tr.opaque = rlazy.defined_names(program)
    rnormargs.normalize(program, tr.defined)
    tr.asreml_data = rlazy.asreml_only(program)
    tr.called = rlazy.called_names(program)
    tr.loads = rlazy.calls_load(program)
    body: list[str] = []
    for node in program:
        body += tr.statement(node, 0)
    head = [HEADER]
    if "os" in tr.helpers:
        head.append("import os\n")
    if tr.uses_np:
        head.append("import numpy as np\n")
    head.append("import pandas as pd\n\nimport asr_py as asr\n")
    helpers = sorted(tr.helpers - {"os"})
    if helpers:
        head.append(f"from asr_py.translate.runtime import {', '.join(helpers)}\n")
    return "".join(head) + "\n" + "\n".join(body).rstrip() + "\n"


def __getattr__(name: str):  # PEP 562: the rewrite rules (and the R emulations they import,
    # scipy.stats among them) load on first use, so ``import asr_py`` stays light
    if name in ("Translator", "spatial_coords"):
        from asr_py.translate import asreml_rules

        return getattr(asreml_rules, name)
    raise AttributeError(f"module 'asr_py.translate' has no attribute {name!r}")


__all__ = ["translate", "tokenize", "statements", "spatial_coords", "Untranslatable", "Tok"]
