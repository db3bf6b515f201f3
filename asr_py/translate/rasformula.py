"""R's ``as.formula(x)`` of a value held in a variable or picked from a vector
(``as.formula(resids[k])``), for translated scripts.

asr_py takes model formulas as text, so ``as.formula`` of a string is the string. R's
``formula.character`` parses one string (``str2lang``): a length-1 character vector is that
string, a longer one is an error ("argument must be a character string"). A formula picked
from a vector (``resids[k]``, which the translation holds as a one-element list) is so
unwrapped here, where the fitting functions need a string.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_as_formula", "r_formula"]


def r_as_formula(x: Any) -> Any:
    """``as.formula(x)``: x's one string (see the module docstring); a formula value that is
    not text (a Python object standing for one) is returned as it is."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        items = list(np.asarray(x, dtype=object).ravel())
        if len(items) != 1:
            raise AsrError(f"as.formula(): {len(items)} values given, R parses one string",
                           hint="pick one: as.formula(forms[k])")
        x = items[0]
    if isinstance(x, np.str_):
        return str(x)
    return x


def r_formula(x: Any) -> Any:
    """``formula(x)`` of a variable: R's ``formula.character`` parses a string as
    ``as.formula`` does, ``formula.formula`` returns a formula unchanged; any other object
    (a fitted model: ``stats::formula.default`` looks for ``x$formula``, ``x$terms``,
    ``x$call$formula``) is refused here, not guessed."""
    x = r_as_formula(x)
    if isinstance(x, str):
        return x
    raise AsrError(f"formula() of a {type(x).__name__} is not translated",
                   hint="write the model's formula as text, e.g. 'y ~ x'")
