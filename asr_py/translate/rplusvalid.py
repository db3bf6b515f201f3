"""asremlPlus's checks scripts assert with ``testthat::expect_true``/``expect_false``:

* ``validAsrtests(object)`` (R/asremlPlusObjUtils.r): TRUE for an asrtests object (a list
  with the components asreml.obj, wald.tab and test.summary), else a character vector
  starting "Error in validAsrtests : " with the reasons (text, so ``expect_true`` of it
  fails, as in R);
* ``isCompoundSymmetric(object)`` of a matrix (R/asremlPlus.r's isCompoundSymmetric.matrix):
  FALSE unless it is symmetric (R's ``isSymmetric``: square, equal to its transpose to
  100·eps relatively, row and column names identical) with every diagonal element within
  1e-8 of the first and every upper off-diagonal element within 1e-8 of the first.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_is_compound_symmetric", "r_valid_asrtests"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "validAsrtests": ("r_valid_asrtests", ("object",), ("asremlPlus",)),
    "isCompoundSymmetric": ("r_is_compound_symmetric", ("object", "tol"), ("asremlPlus",)),
}

_PARTS = ("asreml.obj", "wald.tab", "test.summary")


def r_valid_asrtests(object: Any) -> Any:
    """``validAsrtests(object)``: True, or R's character vector of reasons."""
    from asr_py.compat.asremlplus import AsrTests

    if isinstance(object, Untranslated):
        return object._use()
    reasons = []
    if object is None or not isinstance(object, AsrTests):
        reasons.append("\n  must supply an object of class asrtests")
    if not isinstance(object, dict) or not all(k in object for k in _PARTS):
        reasons.append("\n  object is not a list with named components asreml.obj, "
                       "wald.tab and test.summary")
    return True if not reasons else np.array(["Error in validAsrtests : ", *reasons],
                                             dtype="O")


def r_is_compound_symmetric(object: Any, tol: Any = None) -> Any:
    """``isCompoundSymmetric(object)`` of a matrix (module docstring)."""
    if isinstance(object, Untranslated):
        return object._use()
    m = np.asarray(object.toarray() if hasattr(object, "toarray") else object, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return False
    if isinstance(object, pd.DataFrame) and \
            [str(v) for v in object.index] != [str(v) for v in object.columns]:
        return False
    eps = 100 * np.finfo(float).eps if tol is None else float(tol)
    scale = float(np.mean(np.abs(m))) or 1.0
    if float(np.mean(np.abs(m - m.T))) / scale >= eps:       # all.equal's relative test
        return False
    d = np.diag(m)
    off = m[np.triu_indices_from(m, 1)]
    return bool(np.all(np.abs(d[1:] - d[0]) < 1e-8) and
                (off.size == 0 or np.all(np.abs(off[1:] - off[0]) < 1e-8)))
