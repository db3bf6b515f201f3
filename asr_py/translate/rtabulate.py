"""Base R's ``tabulate(bin, nbins = max(1, bin, na.rm = TRUE))`` (R 4 ``?tabulate``).

"tabulate takes the integer-valued vector bin and counts the number of times each integer
occurs in it": element k of the result is the number of values equal to k, for k in
1..nbins. A factor is tabulated by its codes (its position among the levels); numbers that
are not whole are truncated (``as.integer``); NA, and values outside 1..nbins (zero,
negative, beyond nbins) are ignored. Scripts use it for the most frequent value:
``ux[which.max(tabulate(match(x, ux)))]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_tabulate"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "tabulate": ("r_tabulate", ("bin", "nbins"), ("base",)),
}


def _codes(bin_: Any) -> np.ndarray:
    """The values as whole numbers (NaN where missing); a factor: its 1-based codes."""
    s = bin_ if isinstance(bin_, pd.Series) else pd.Series(
        np.ravel(np.asarray(bin_, dtype=object)) if np.ndim(bin_) else [bin_])
    if isinstance(s.dtype, pd.CategoricalDtype):
        c = s.cat.codes.to_numpy().astype(float) + 1
        return np.where(c > 0, c, np.nan)
    try:
        v = pd.to_numeric(s, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise AsrError("tabulate(): 'bin' must be numeric or a factor",
                       hint="R stops here too; count text with table(x)") from None
    return np.trunc(v)


def r_tabulate(bin: Any, nbins: Any = None) -> np.ndarray:  # noqa: A002 - R's name
    """``tabulate(bin, nbins)``: see the module docstring."""
    if isinstance(bin, Untranslated):
        return bin._use()  # type: ignore[return-value]
    v = _codes(bin)
    v = v[~np.isnan(v)]
    if nbins is None:
        nbins = int(max(1.0, v.max())) if v.size else 1
    n = int(np.ravel(np.asarray(nbins, dtype=float))[0])
    if n < 0:
        raise AsrError(f"tabulate(): invalid 'nbins' ({n})", hint="nbins counts bins: >= 0")
    keep = v[(v >= 1) & (v <= n)].astype(int)
    return np.bincount(keep - 1, minlength=n)[:n].astype(int)
