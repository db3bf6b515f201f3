"""asreml's constraint codes of the variance parameters, as a fit object carries them.

asreml 4.2's ``fit$vparameters.con`` is a character vector of the status letters, named by
the parameters (``fit$vparameters``'s names and order, the fixed residual scale ``<term>!R``
included): asremlPlus reads it so under asreml 4.2 (R/REMLRTIC.v4.r: ``bound <-
asreml.obj$vparameters.con`` when ``asr4.2``, else ``vpc.char(asreml.obj)``;
R/reml4.v13.r: ``vparameters.con[...] %in% c("F","B","S")``) and its 4.2 tests compare it
with letters (tests/testthat/test42Selection.r: ``vpR == "B"``, ``%in% c("B", "F")``).
asreml 4.0/4.1 held integer codes there, which asremlPlus's ``vpc.char(fit)`` turns into the
letters with asreml's ``guzpfx`` table (R/asremlPlusUtilities.r: "asreml functions that have
been removed from asreml v4.2")::

    code   0    1    2    3    4    5    6    7
    char  " "  "P"  "?"  "U"  "F"  "C"  "S"  "B"

P positive (a variance kept ≥ 0), U unconstrained, F fixed, C constrained (equal to
another), S singular, B on the boundary. asreml 3's ``fit$gammas.con`` holds the integer
codes, but its *names* are the words ("Positive", "Unconstrained", "Fixed", "Constrained",
"Singular", "Boundary"): asremlPlus 3 reads ``names(fit$gammas.con)`` for the status and
``names(fit$gammas)`` for the parameters.

The status is the fit's (``summary(fit).varcomp['bound']``): a variance estimated at its
bound is B, a parameter held at its value F.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["vparameters_con", "gammas_con", "vpc_char", "CODES", "WORDS"]

#: asreml's integer code of each constraint letter (guzpfx's table read backwards)
CODES = {" ": 0, "P": 1, "?": 2, "U": 3, "F": 4, "C": 5, "S": 6, "B": 7}
#: asreml 3's word for each letter (the names of ``gammas.con``)
WORDS = {"P": "Positive", "?": "?", "U": "Unconstrained", "F": "Fixed", "C": "Constrained",
         "S": "Singular", "B": "Boundary", " ": " "}


def _letters(fit: Any) -> pd.Series:
    """The status letter of each variance parameter, in ``fit$vparameters`` order and names
    (the fixed residual scale ``!R`` is F)."""
    from asr_py.translate.runtime import r_vparameters

    if not hasattr(fit, "result") or not hasattr(fit, "params"):
        from asr_py.errors import AsrError
        raise AsrError(f"vparameters.con / vpc.char need an asr.asreml() fit, not "
                       f"{type(fit).__name__}", hint="pass the fit of asr.asreml()")
    from asr_py.compat.vpnames import asreml_param_names

    vp = r_vparameters(fit)
    names = asreml_param_names(getattr(fit, "model", None), list(fit.params["Component"]))
    status = dict(zip(names, (str(c).upper() or " " for c in fit.result.constraints)))
    return pd.Series([status.get(n, "F") for n in vp.index], index=list(vp.index),
                     name="vpc", dtype=object)


def vparameters_con(fit: Any) -> pd.Series:
    """asreml 4.2's ``fit$vparameters.con``: the constraint letters, named by the
    parameters."""
    return _letters(fit).rename("vparameters.con")


def vpc_char(object: Any) -> pd.Series:  # noqa: A002 - asremlPlus's argument name
    """asremlPlus's ``vpc.char(fit)``: the constraint letters (P, U, F, C, S, B), named by
    the parameters."""
    return _letters(object).rename("vpc.char")


def gammas_con(fit: Any) -> pd.Series:
    """asreml 3's ``fit$gammas.con``: the integer codes, named by the constraint words
    ("Positive", "Boundary", ...); ``names(fit$gammas)`` are the parameters."""
    ch = _letters(fit)
    return pd.Series([CODES.get(c, 2) for c in ch], index=[WORDS.get(c, "?") for c in ch],
                     name="gammas.con")
