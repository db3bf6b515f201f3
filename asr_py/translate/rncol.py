"""R's ``ncol(x)`` and ``nrow(x)`` of a value without dimensions.

R defines ``ncol(x)`` as ``dim(x)[2L]`` and ``nrow(x)`` as ``dim(x)[1L]``: a matrix or data
frame gives its extent, while a list (asremlPlus's alldiffs object, the
``list(pvalues, plots)`` plotPvalues returns) or a vector has no ``dim`` and gives NULL.
"""

from __future__ import annotations

from typing import Any

from asr_py.translate.checks import Untranslated


def _dims(x: Any) -> tuple[int, ...] | None:
    """R's ``dim(x)`` of a translated value: the shape of a 2-D value, None otherwise."""
    shape = getattr(x, "shape", None)
    if isinstance(shape, tuple) and len(shape) >= 2:
        return tuple(int(s) for s in shape)
    return None


def r_ncol(x: Any) -> Any:
    """R's ``ncol(x)``: the columns of a matrix/data frame; NULL (None) for a list or a
    vector, which have no dimensions."""
    if isinstance(x, Untranslated):
        return x._use()
    dims = _dims(x)
    return None if dims is None else dims[1]


def r_nrow(x: Any) -> Any:
    """R's ``nrow(x)`` of a value: the rows of a matrix/data frame, NULL (None) for an R
    list (a dict here); a 1-D value keeps its length (translations may hold a one-column
    R matrix as a vector)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, dict):
        return None
    dims = _dims(x)
    return len(x) if dims is None else dims[0]
