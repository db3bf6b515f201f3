"""R's ``ncol(x)`` and ``nrow(x)`` of a value without dimensions.

R defines ``ncol(x)`` as ``dim(x)[2L]`` and ``nrow(x)`` as ``dim(x)[1L]``: a matrix or data
frame gives its columns/rows, while a list (asremlPlus's alldiffs object, the
``list(pvalues, plots)`` plotPvalues returns) has no ``dim`` and gives NULL, as does NULL.
``nrow`` of a one-dimensional array or Series keeps its length: translate may hold a
one-column matrix or data frame that way, so only R lists (dict, list, tuple) give NULL.
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


def r_nrow(x: Any) -> Any:
    """R's ``nrow(x)``: the rows of a matrix/data frame; NULL (None) for a list or NULL."""
    if isinstance(x, Untranslated):
        return x._use()
    dims = _dims(x)
    if dims is not None:
        return dims[0]
    if x is None or isinstance(x, dict | list | tuple):
        return None
    return len(x)


def r_ncol(x: Any) -> Any:
    """R's ``ncol(x)``: the columns of a matrix/data frame; NULL (None) for a list or a
    vector, which have no dimensions."""
    if isinstance(x, Untranslated):
        return x._use()
    dims = _dims(x)
    return None if dims is None else dims[1]

