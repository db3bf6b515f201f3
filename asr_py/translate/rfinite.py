"""R's ``is.finite(x)`` and ``is.infinite(x)`` in translated scripts: their rule and runtime.

R semantics kept (base R ``?is.finite``): element-wise over a vector, the result a logical
vector of its length (a Series keeps its index, so ``d[is.finite(d$y), ]`` selects rows).
``is.finite``: TRUE for a number that is neither missing (NA/NaN) nor infinite; for a
logical, integer or factor, TRUE where it is not NA; for character, always FALSE.
``is.infinite``: TRUE exactly for ``Inf``/``-Inf``. A data frame or list is an error in R
("default method not implemented for type 'list'"), here too. ``NULL`` gives ``logical(0)``.
A factor the translation keeps as text (``factor(c("a", NA))`` of literals) reads as text:
FALSE everywhere, where R gives TRUE for its non-missing codes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_is_finite", "translate"]

FUNCTIONS = frozenset({"is.finite", "is.infinite", "base::is.finite", "base::is.infinite"})


def translate(tr: Any, e: R) -> str | None:
    """``is.finite(x)`` -> ``r_is_finite(x)``, ``is.infinite(x)`` -> ``r_is_finite(x,
    infinite=True)``; None for other forms."""
    if len(e.args) != 1 or e.args[0][0] not in (None, "x"):
        return None
    inf = ", infinite=True" if e.value.endswith("infinite") else ""
    return f"{tr.runtime('r_is_finite')}({tr.py(e.args[0][1])}{inf})"


def _flags(s: pd.Series, infinite: bool) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype):
        return np.zeros(len(s), bool) if infinite else s.notna().to_numpy(bool)
    if pd.api.types.is_numeric_dtype(s.dtype):
        v = s.to_numpy(float, na_value=np.nan)
        return np.isinf(v) if infinite else np.isfinite(v)
    # object: element by element (text is never finite; numbers as above)
    out = np.zeros(len(s), bool)
    for i, x in enumerate(s):
        if isinstance(x, (bool, np.bool_)):
            out[i] = not infinite
        elif isinstance(x, (int, float, np.integer, np.floating)):
            out[i] = bool(np.isinf(x)) if infinite else bool(np.isfinite(x))
    return out


def r_is_finite(x: Any, infinite: bool = False) -> Any:
    """``is.finite(x)`` (``is.infinite(x)`` with ``infinite``): see the module docstring."""
    what = "is.infinite" if infinite else "is.finite"
    if isinstance(x, Untranslated):
        return x._use()
    if x is None:
        return np.array([], dtype=bool)
    if isinstance(x, (pd.DataFrame, dict)):
        raise AsrError(f"{what}(): default method not implemented for a "
                       f"{'data frame' if isinstance(x, pd.DataFrame) else 'list'}",
                       hint=f"apply it to a column: {what}(d$y), or sapply(d, {what})")
    if isinstance(x, pd.Series):
        return pd.Series(_flags(x, infinite), index=x.index, name=x.name)
    if isinstance(x, (list, tuple, range, np.ndarray, pd.Index)):
        return _flags(pd.Series(list(np.ravel(np.asarray(x, dtype=object)))
                                if isinstance(x, np.ndarray) and x.ndim > 1 else list(x)),
                      infinite)
    return bool(_flags(pd.Series([x]), infinite)[0])
