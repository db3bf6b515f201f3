"""R's ``ncol(x)`` of a value without dimensions.

R defines ``ncol(x)`` as ``dim(x)[2L]``: a matrix or data frame gives its columns, while a
list (asremlPlus's alldiffs object, the ``list(pvalues, plots)`` plotPvalues returns) or a
vector has no ``dim`` and gives NULL. (``nrow`` is translated as ``len()``, the rows of the
data frames and matrices scripts ask it of.)
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

