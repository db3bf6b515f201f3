"""janitor's ``remove_empty(dat, which = c("rows", "cols"), cutoff = 1)`` in translated
scripts (janitor ``?remove_empty``): removes the rows and/or columns of a data frame whose
values are all missing (NA). ``cutoff`` (janitor >= 2.1) is the proportion of missing
values at or above which a row/column is removed (1: all missing). Both are removed when
``which`` is not given (janitor then says so in a message). A missing value is R's NA: an
empty string is a value (janitor's rule; ``read.csv(na.strings = "")`` makes it NA). The
data frame passed is not changed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_remove_empty"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "remove_empty": ("r_remove_empty", ("dat", "which", "cutoff", "quiet"), ("janitor",)),
}


def r_remove_empty(dat: Any, which: Any = None, cutoff: float = 1.0,
                   quiet: bool = True) -> Any:
    """``remove_empty(dat, which, cutoff)``: see the module docstring."""
    if isinstance(dat, Untranslated):
        return dat._use()
    if not isinstance(dat, pd.DataFrame):
        raise AsrError(f"remove_empty(): a data frame is needed, not {type(dat).__name__}",
                       hint="janitor's remove_empty(dat, which = c('rows', 'cols'))")
    what = ["rows", "cols"] if which is None else [which] if isinstance(which, str) \
        else list(which)
    bad = [w for w in what if w not in ("rows", "cols")]
    if bad:
        raise AsrError(f"remove_empty(which = {bad[0]!r}): which is 'rows' and/or 'cols'",
                       hint="remove_empty(dat, which = c('rows', 'cols'))")
    cut = float(cutoff)
    if not 0 < cut <= 1:
        raise AsrError(f"remove_empty(cutoff = {cutoff}): cutoff must be > 0 and <= 1")
    out = dat
    miss = out.isna()
    if "rows" in what and out.shape[1]:
        out = out.loc[~(miss.mean(axis=1) >= cut)]
        miss = out.isna()
    if "cols" in what and len(out):
        out = out.loc[:, ~(miss.mean(axis=0) >= cut)]
    elif "cols" in what:
        out = out.iloc[:, :0] if cut == 1 else out
    return out.copy()
