"""R's ``structure(.Data, ...)``: ``.Data`` with the attributes given (base::structure).

R renames the old special names (``.Dim`` dim, ``.Dimnames`` dimnames, ``.Names`` names,
``.Label`` levels) and sets the attributes as ``attributes<-`` does, ``dim`` first. Here:

* ``class`` with "factor" and ``levels``: the integer codes become that factor
  (``structure(c(2L, 1L), levels = c("a", "b"), class = "factor")``, as dput() writes one);
* ``class`` with "data.frame" on a list: a data frame of its columns; ``row.names`` R's
  compact ``c(NA, -n)`` (1..n) or the row names;
* ``dim``, ``dimnames``, ``names``, ``levels``, ``class``, any other attribute: as their
  replacement functions (``dim<-``, ``dimnames<-``, ``names<-``, ``class<-``, ``attr<-``)
  set them, e.g. asreml's ``structure(Ginv, INVERSE = TRUE)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_structure", "translate"]

FUNCTIONS = frozenset({"structure", "base::structure"})
_SPECIAL = {".Dim": "dim", ".Dimnames": "dimnames", ".Names": "names", ".Label": "levels"}


def translate(tr: Any, e: R) -> str | None:
    """``structure(x, a = v, ...)`` -> ``r_structure(x, {'a': v, ...})``."""
    data = [a for n, a in e.args if n in (None, ".Data")]
    attrs = [(n, a) for n, a in e.args if n not in (None, ".Data")]
    if len(data) != 1:
        return None
    items = ", ".join(f"{n!r}: {tr.py(a)}" for n, a in attrs)
    return f"{tr.runtime('r_structure')}({tr.py(data[0])}, {{{items}}})"


def _texts(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else [str(x) for x in v]


def _factor(codes: Any, levels: Any) -> pd.Series:
    labs = _texts(levels)
    vals = np.asarray(codes.to_numpy() if isinstance(codes, pd.Series) else codes, dtype=float)
    vals = np.atleast_1d(vals)
    bad = ~np.isnan(vals) & ((vals < 1) | (vals > len(labs)) | (vals != np.round(vals)))
    if bad.any():
        raise AsrError(f"structure(..., class = \"factor\"): code {vals[bad][0]:g} is not one "
                       f"of the {len(labs)} levels' numbers",
                       hint="a factor's codes are 1..length(levels)")
    codes0 = np.where(np.isnan(vals), -1, vals - 1).astype(int)
    return pd.Series(pd.Categorical.from_codes(codes0, categories=labs))


def _frame(x: Any, row_names: Any) -> pd.DataFrame:
    from asr_py.translate.runtime import r_data_frame

    cols = dict(x) if isinstance(x, dict) else {f"V{k + 1}": v for k, v in enumerate(x)}
    out = r_data_frame(cols).reset_index(drop=True)
    if row_names is None:
        return out
    rn = [row_names] if np.isscalar(row_names) else list(row_names)
    if len(rn) == 2 and rn[0] is None or len(rn) == 2 and isinstance(rn[0], float) and \
            np.isnan(rn[0]):
        return out                                       # R's compact c(NA, -n): 1..n
    if all(isinstance(r, (int, np.integer)) for r in rn):
        return out                                       # 1..n given in full
    if len(rn) != len(out):
        raise AsrError(f"structure(..., row.names =): {len(rn)} row names for {len(out)} rows",
                       hint="give one row name per row")
    return out.set_axis([str(r) for r in rn], axis=0)


def r_structure(x: Any, attrs: dict[str, Any]) -> Any:
    """``structure(x, ...)``: see the module docstring."""
    from asr_py.translate.rbase import r_set_attr
    from asr_py.translate.rsetattrs import r_set_class, r_set_dim
    from asr_py.translate.runtime import set_names
    from asr_py.translate.rvector import r_set_dimnames

    for v in (x, *attrs.values()):
        if isinstance(v, Untranslated):
            return v._use()
    at = {_SPECIAL.get(k, k): v for k, v in attrs.items()}
    cls = _texts(at["class"]) if at.get("class") is not None else []
    out = x
    if "dim" in at:
        out = r_set_dim(out, at.pop("dim"))
    if "factor" in cls and "levels" in at:
        out = _factor(out, at.pop("levels"))
        at.pop("class")
        if "ordered" in cls:
            out = pd.Series(out.cat.as_ordered())
    if "data.frame" in cls and isinstance(out, (dict, list)):
        out = _frame(out, at.pop("row.names", None))
        if cls == ["data.frame"]:
            at.pop("class")
    for k, v in at.items():
        if k == "names":
            out = set_names(out, v)
        elif k == "dimnames":
            out = r_set_dimnames(out, v)
        elif k == "class":
            out = r_set_class(out, v)
        else:
            out = r_set_attr(out, k, v)
    return out
