"""stats' ``cov2cor(V)`` in translated scripts (genetic correlations from an estimated
covariance matrix): its translation rule and runtime.

R semantics kept (R 4.2 ``?cov2cor``): ``D^-1/2 V D^-1/2`` with D the diagonal of V, row and
column names kept, the diagonal set to exactly 1; a zero or missing variance gives NaN in its
row and column (R warns that the result is doubtful). V must be square.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

if TYPE_CHECKING:
    from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_cov2cor", "translate"]

FUNCTIONS = frozenset({"cov2cor", "stats::cov2cor"})


def translate(tr: Any, e: R) -> str | None:
    """``cov2cor(V)`` -> ``r_cov2cor(V)`` (None: not this rule's form)."""
    args = [(n, a) for n, a in e.args if a.kind != "empty"]
    if len(args) != 1 or args[0][0] not in (None, "V"):
        return None
    return f"{tr.runtime('r_cov2cor')}({tr.py(args[0][1])})"


def r_cov2cor(v: Any) -> Any:
    """R's ``cov2cor(V)``: see the module's docstring."""
    if isinstance(v, Untranslated):
        return v._use()
    a = np.asarray(v.to_numpy() if isinstance(v, pd.DataFrame) else v, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise AsrError(f"cov2cor(): V must be a square matrix, not of shape {a.shape}",
                       hint="give the covariance matrix (e.g. built from varcomp)")
    d = np.diag(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(d > 0, 1.0 / np.sqrt(d), np.nan)
    out = a * s[:, None] * s[None, :]
    ok = d > 0
    out[ok, ok] = 1.0
    if isinstance(v, pd.DataFrame):
        return pd.DataFrame(out, index=v.index, columns=v.columns)
    return out
