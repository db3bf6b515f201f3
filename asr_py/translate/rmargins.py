"""R's ``rowSums()``, ``colSums()``, ``rowMeans()``, ``colMeans()`` for translated scripts.

A data frame gives a Series named by its row names (rows) or column names (columns), as R's
named vector; a matrix (numpy array) gives an array, or a Series when it is a labelled
DataFrame. ``na.rm = TRUE`` skips missing values (a row of only NA: sum 0, mean NaN, as R).
``dims`` other than 1 is refused (it only matters for arrays of three or more dimensions).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_colMeans", "r_colSums", "r_rowMeans", "r_rowSums"]


def _margin(name: str, x: Any, axis: int, mean: bool, na_rm: bool, dims: int) -> Any:
    if isinstance(x, Untranslated):
        return x._use()
    if dims != 1:
        raise AsrError(f"{name}(dims = {dims}): only dims = 1 is translated",
                       hint="dims > 1 sums over arrays of three or more dimensions")
    frame = x if isinstance(x, pd.DataFrame) else None
    a = np.asarray(x.to_numpy() if frame is not None else x.toarray()
                   if hasattr(x, "toarray") else x)
    if a.ndim != 2:
        raise AsrError(f"{name}(x): x has {a.ndim} dimension(s); R needs a matrix or a data "
                       "frame ('x' must be an array of at least two dimensions)",
                       hint="sum() or mean() of a vector")
    try:
        a = a.astype(float)
    except (TypeError, ValueError):
        bad = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])] if frame is not None else []
        raise AsrError(f"{name}(x): 'x' must be numeric" +
                       (f" (column(s) {bad[:4]} are not)" if bad else ""),
                       hint="select the numeric columns first, e.g. x[, c(\"a\", \"b\")]"
                       ) from None
    if na_rm:
        out = np.nanmean(a, axis=axis) if mean else np.nansum(a, axis=axis)
    else:
        out = a.mean(axis=axis) if mean else a.sum(axis=axis)
    if frame is not None:
        labels = frame.index if axis == 1 else frame.columns
        return pd.Series(out, index=labels)
    return out


def r_rowSums(x: Any, na_rm: bool = False, dims: int = 1) -> Any:  # noqa: N802 - R's name
    """R's ``rowSums(x, na.rm, dims)``."""
    return _margin("rowSums", x, 1, False, na_rm, dims)


def r_colSums(x: Any, na_rm: bool = False, dims: int = 1) -> Any:  # noqa: N802 - R's name
    """R's ``colSums(x, na.rm, dims)``."""
    return _margin("colSums", x, 0, False, na_rm, dims)


def r_rowMeans(x: Any, na_rm: bool = False, dims: int = 1) -> Any:  # noqa: N802 - R's name
    """R's ``rowMeans(x, na.rm, dims)``."""
    return _margin("rowMeans", x, 1, True, na_rm, dims)


def r_colMeans(x: Any, na_rm: bool = False, dims: int = 1) -> Any:  # noqa: N802 - R's name
    """R's ``colMeans(x, na.rm, dims)``."""
    return _margin("colMeans", x, 0, True, na_rm, dims)


#: R function -> (runtime function, its formals, packages it may be called from), the
#: layout of asreml_rules._TMM_FUNCS
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    f: (f"r_{f}", ("x", "na.rm", "dims"), ("base", "Matrix"))
    for f in ("rowSums", "colSums", "rowMeans", "colMeans")}
