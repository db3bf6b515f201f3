"""base R's ``rowsum(x, group, reorder = TRUE, na.rm = FALSE)`` (R 4 ``?rowsum``): the
column sums of ``x`` (a vector: one column) within each group, one row per distinct group,
named by it; with ``reorder`` the groups sorted as ``sort(unique(group))`` sorts them (a
factor by its level order, only the levels present; text in R's collation), else in order
of first appearance. An NA in a group's values gives NA unless ``na.rm``. A matrix result
(a data frame for a data frame ``x``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.collate import sort_like_r
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_rowsum"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "rowsum": ("r_rowsum", ("x", "group", "reorder", "na.rm"), ("base",)),
}


def _groups(group: Any, reorder: bool) -> tuple[list[Any], list[Any]]:
    """Each element's group key (NA as None) and the ordered distinct keys."""
    if isinstance(group, pd.Series) and isinstance(group.dtype, pd.CategoricalDtype):
        keys = [None if pd.isna(v) else v for v in group]
        present = set(keys)
        order = [lv for lv in group.cat.categories if lv in present] if reorder else \
            list(dict.fromkeys(keys))
        if None in present and reorder:
            order.append(None)
        return keys, order
    vals = group.to_numpy() if isinstance(group, pd.Series | pd.Index) else \
        np.asarray(group, dtype=object)
    keys = [None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v)
            for v in np.ravel(vals)]
    uniq = list(dict.fromkeys(keys))
    if reorder:
        known = sort_like_r([k for k in uniq if k is not None])
        uniq = known + ([None] if None in uniq else [])
    return keys, uniq


def _label(v: Any) -> str:
    from asr_py.translate.runtime import r_labels

    return "NA" if v is None else str(list(r_labels(pd.Series([v], dtype=object)))[0])


def r_rowsum(x: Any, group: Any, reorder: bool = True, na_rm: bool = False,
             **dotted: Any) -> pd.DataFrame:
    """``rowsum(x, group, reorder, na.rm)``: see the module docstring."""
    na_rm = bool(dotted.pop("na.rm", na_rm))
    if dotted:
        raise AsrError(f"rowsum(): argument(s) {', '.join(dotted)} not supported")
    for v in (x, group):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    frame = isinstance(x, pd.DataFrame) and "matrix" not in (x.attrs.get("r_class") or [])
    if isinstance(x, pd.DataFrame):
        mat, cols = x.to_numpy(dtype=float), list(x.columns)
    else:
        arr = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x, dtype=float)
        mat = arr.reshape(-1, 1) if arr.ndim <= 1 else arr
        cols = list(range(mat.shape[1])) if arr.ndim == 2 else [0]
    keys, order = _groups(group, bool(reorder))
    if len(keys) != mat.shape[0]:
        raise AsrError(f"rowsum(): incorrect length for 'group' ({len(keys)} for "
                       f"{mat.shape[0]} rows; R's error)")
    pos = {k: i for i, k in enumerate(order)}
    out = np.zeros((len(order), mat.shape[1]))
    for r, k in enumerate(keys):
        row = mat[r]
        if na_rm:
            row = np.where(np.isnan(row), 0.0, row)
        out[pos[k]] += row
    res = pd.DataFrame(out, index=[_label(k) for k in order], columns=cols)
    if not frame:
        res.attrs["r_class"] = ["matrix", "array"]
    return res
