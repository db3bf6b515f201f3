"""dplyr's ``lag(x, n = 1L, default = NA)`` / ``lead(x, n = 1L, default = NA)`` (dplyr 1.x
``?lag``): x shifted by ``n`` positions, later (lag) or earlier (lead), the ``n`` positions
left open filled with ``default``; the length is x's. In ``mutate()`` of a grouped frame
the shift is within each group (the verb evaluates it group by group). Only when the script
loads dplyr (``library(dplyr)``, the tidyverse) or writes ``dplyr::lag``: base R's
``stats::lag`` of a vector is a time-series shift that leaves the values as they are.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, pkg_of

__all__ = ["FUNCTIONS", "r_lag", "translate"]

FUNCTIONS = frozenset({"lag", "lead", "dplyr::lag", "dplyr::lead"})
_DPLYR = re.compile(r"\b(?:library|require|requireNamespace)\(\s*['\"]?(?:dplyr|tidyverse)\b")


def r_lag(x: Any, n: Any = 1, default: Any = None, lead: bool = False) -> Any:
    """dplyr's ``lag(x, n, default)`` (``lead``: ``lead(...)``): see the module docstring."""
    if isinstance(x, Untranslated):
        return x._use()
    k = int(np.ravel(np.asarray(n, dtype=float))[0])
    if k < 0:
        raise AsrError(f"{'lead' if lead else 'lag'}(): `n` must be a positive integer "
                       "(dplyr's error)")
    s = x.reset_index(drop=True) if isinstance(x, pd.Series) else pd.Series(
        list(x) if isinstance(x, range | tuple) else np.ravel(np.asarray(x, dtype=object)
                                                              if isinstance(x, list) else x))
    if pd.api.types.is_object_dtype(s.dtype):
        s = s.infer_objects()
    out = s.shift(-k if lead else k)
    if default is not None and k:
        idx = slice(len(s) - k, None) if lead else slice(0, k)
        out = out.astype(object) if isinstance(default, str) else out
        out.iloc[idx] = default
    if isinstance(x, pd.Series):
        out.index, out.name = x.index, x.name
        return out
    return out.to_numpy()


def translate(tr: Any, e: R) -> str | None:
    """``lag(x, n, default)`` / ``lead(...)`` of dplyr; None for base R's stats::lag or other
    arguments (order_by)."""
    f = e.value
    pkg = pkg_of(e.left) if e.left is not None else ""
    if not (pkg == "dplyr" or f.startswith("dplyr::") or
            _DPLYR.search(str(getattr(tr, "code", "")))):
        return None
    got: dict[str, R] = {}
    free = ["x", "n", "default"]
    for n, a in e.args:
        if n is None and free:
            got[free.pop(0)] = a
        elif n in ("x", "n", "default") and n not in got:
            got[n] = a
        else:
            return None
    if "x" not in got:
        return None
    extra = "".join(f", {k}={tr.py(got[k])}" for k in ("n", "default") if k in got)
    lead = ", lead=True" if f.split("::")[-1] == "lead" else ""
    return f"{tr.runtime('r_lag')}({tr.py(got['x'])}{extra}{lead})"
