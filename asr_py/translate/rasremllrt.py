"""VSNC's ``asreml.lrt(m1, m2)`` (packages vsnc and learnasreml, R/asreml.lrt.R): a REML
likelihood-ratio test of two asreml fits with the same fixed model.

The fit with more variance components is the full one; REMLLRT = 2(ℓ_full − ℓ_reduced),
DF = the difference in the number of variance components (rows of ``summary()$varcomp``),
P_value = round(1 − F_χ²(REMLLRT; DF), 4); the result is a one-row data frame
``REMLLRT, DF, P_value``. As the R function, different fixed models (term labels) give the
text "Fixed models must be the same" instead of a test, and a missing first fit "Please
choose the asreml object". No boundary correction (the function has none).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from scipy import stats

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import bind_formals

__all__ = ["FUNCTIONS", "PACKAGES", "r_asreml_lrt", "translate"]

FUNCTIONS = frozenset({"asreml.lrt", "vsnc::asreml.lrt", "learnasreml::asreml.lrt"})
#: library() of these needs no TODO: their asreml helpers asreml.lrt() and pin() (as
#: vpredict) translate; other functions get their own TODO where called
PACKAGES = frozenset({"vsnc", "learnasreml"})
_FORMALS = ("m1", "m2")


def translate(tr: Any, e: Any) -> str | None:
    """``asreml.lrt(m1, m2)`` -> ``r_asreml_lrt(m1, m2)``."""
    got = bind_formals(_FORMALS, e.args)
    if got is None or "m1" not in got:
        return None
    args = ", ".join(tr.py(got[k]) for k in _FORMALS if k in got)
    return f"{tr.runtime('r_asreml_lrt')}({args})"


def _fixed_labels(m: Any) -> set[str]:
    from asr_py.formula import expand, parse_formula

    text = m.call.get("fixed")
    return {str(t) for t in expand(parse_formula(text), "fixed").terms}


def r_asreml_lrt(m1: Any = None, m2: Any = None) -> pd.DataFrame | str:
    """vsnc's ``asreml.lrt``: see the module docstring."""
    for m in (m1, m2):
        if isinstance(m, Untranslated):
            return m._use()  # type: ignore[no-any-return]
    if m1 is None:
        return "Please choose the asreml object"
    if _fixed_labels(m1) != _fixed_labels(m2):
        return "Fixed models must be the same"
    full, reduced = (m1, m2) if len(m1.varcomp) > len(m2.varcomp) else (m2, m1)
    lrt = 2 * (full.loglik - reduced.loglik)
    df = len(full.varcomp) - len(reduced.varcomp)
    p = round(float(stats.chi2.sf(lrt, df)), 4)
    return pd.DataFrame({"REMLLRT": [lrt], "DF": [df], "P_value": [p]})
