"""asreml's ``coef(fit, pattern = "geno")``: the coefficients whose names match a regular
expression, as genomic-selection and clonal-trial scripts take the BLUPs of one term
(``as.matrix(coef(fit, pattern = "geno"))``, ``data.frame(coef(fit, pattern = "clone"))``).

R semantics kept (asreml-R ``coef.asreml(object, list = FALSE, pattern = NULL)``): the value
is a one-column matrix named ``effect`` whose rows are the effects (fixed, then random)
whose asreml names match ``pattern`` (R's ``grep()``: a regular expression searched
anywhere in the name, case-sensitive), each row named as asreml names it
(``(Intercept)``, ``Variety_V1``, ``vm(geno, Ginv)_G12``, ``Site_A:clone_C3``). No match
gives a 0 x 1 matrix. Here the matrix is a DataFrame with those row names (a labelled
matrix, :mod:`asr_py.translate.rmatrix`). Other forms of ``coef()`` (``coef(fit)$fixed``,
``coef(fit)$random``) are translated elsewhere; ``list = TRUE`` is not translated.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, Untranslatable
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "r_coef_pattern", "translate"]

FUNCTIONS = frozenset({"coef", "coefficients", "coef.asreml", "asreml::coef.asreml"})


def translate(tr: Any, e: R) -> str | None:
    """``coef(fit, pattern = p)`` of an asreml fit -> ``r_coef_pattern(fit, p)``; None for
    any other call (other objects, no pattern)."""
    args = [(n, a) for n, a in e.args if a.kind != "empty"]
    if not any(n == "pattern" for n, _ in args):
        return None
    try:
        got = match_args(("object", "list", "pattern"), args, "coef")
    except ArgMatchError:
        return None
    if "object" not in got or not tr.is_fit(got["object"]):
        return None
    if "list" in got and not (got["list"].kind == "name" and
                              got["list"].value in ("FALSE", "F")):
        raise Untranslatable("coef(fit, list = TRUE, pattern = )")
    extra = f", renamed={tr.term_renamed!r}" if tr.term_renamed else ""
    order = "'reverse'" if "reverse" in tr.coef_fixed else "'model'"
    return (f"{tr.runtime('r_coef_pattern')}({tr.py(got['object'])}, "
            f"{tr.py(got['pattern'])}, order={order}{extra})")


def r_coef_pattern(fit: Any, pattern: Any, order: str = "model",
                   renamed: dict[str, str] | None = None) -> pd.DataFrame:
    """``coef(fit, pattern = pattern)``: see the module docstring."""
    from asr_py.translate.rcoefrandom import r_coef_random

    if isinstance(fit, Untranslated):
        raise fit._needs_value("coef(fit, pattern = )")
    if isinstance(pattern, Untranslated):
        raise pattern._needs_value("coef(fit, pattern = )")
    pats = [pattern] if isinstance(pattern, str) else list(pattern)
    if len(pats) != 1 or not isinstance(pats[0], str):
        raise AsrError("coef(fit, pattern = ): pattern must be one regular expression",
                       hint="give one text, e.g. coef(fit, pattern = \"geno\")")
    try:
        rx = re.compile(pats[0])
    except re.error as err:
        raise AsrError(f"coef(fit, pattern = {pats[0]!r}): not a regular expression "
                       f"({err})", hint="escape ( ) [ ] . with \\\\ in R's text") from None
    fixed = fit.coef_fixed_all(order)["solution"]
    random = r_coef_random(fit, renamed)["solution"]
    both = pd.concat([fixed, random])
    keep = [bool(rx.search(str(n))) for n in both.index]
    return pd.DataFrame({"effect": both[keep].to_numpy(dtype=float)},
                        index=[str(n) for n in both.index[keep]])
