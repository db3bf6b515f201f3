"""dplyr's ``coalesce()`` and ``cur_column()`` for translated scripts.

``coalesce(x, y, ...)`` (dplyr 1.1 ``?coalesce``): element by element, the first value that is
not missing, looking at x, then y, ...; each argument is as long as x or of length one
(recycled); the result is as long as x (a Series keeps x's index and name).

``cur_column()`` (``?context``): inside ``across()``, the name of the column its function is
being applied to; :func:`r_mutate_at` (rdplyr.py) sets it for each column through
:func:`current_column`, with the data frame as the data mask: there ``get("b")`` finds
column b first (renv.r_get reads :func:`mask_column`), as R's get() finds a data mask's
column before the script's variables.

``across(..., .names = "{.col}_new")``: a glue specification, text with R expressions in
braces evaluated for each column (``.col`` its name, ``.fn`` the function's, "1" for one
unnamed function): :func:`glue_names` translates it to a Python function of the name.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["CALLS", "current_column", "glue_names", "mask_column", "r_coalesce", "r_cur_column"]

#: R function -> (runtime helper, formals, packages): rpkgcalls.py
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "coalesce": ("r_coalesce", ("...",), ("dplyr",)),
    "cur_column": ("r_cur_column", (), ("dplyr",)),
}

_COLUMN: list[tuple[str, pd.DataFrame | None]] = []


def r_coalesce(*xs: Any) -> Any:
    """dplyr's ``coalesce(x, y, ...)`` (module docstring)."""
    for v in xs:
        if isinstance(v, Untranslated):
            return v._use()
    if not xs:
        raise AsrError("coalesce() needs at least one vector", hint="coalesce(x, 0)")
    first = xs[0]
    n = len(first) if isinstance(first, pd.Series | np.ndarray | list | tuple) else 1
    out = pd.Series(first, copy=True) if isinstance(first, pd.Series) else \
        pd.Series(np.resize(np.asarray(first, dtype=object), n))
    out = out.astype(object)
    for k, v in enumerate(xs[1:], start=2):
        vals = v.to_numpy() if isinstance(v, pd.Series) else np.asarray(v, dtype=object)
        vals = np.atleast_1d(vals)
        if vals.size not in (1, n):
            raise AsrError(f"coalesce(): argument {k} has {vals.size} values, not {n} or 1",
                           hint="give vectors as long as the first, or single values")
        fill = np.resize(vals, n)
        miss = out.isna().to_numpy()
        out[miss] = fill[miss]
    res = out.infer_objects()
    if isinstance(first, pd.Series):
        return res
    return res.to_numpy()


@contextmanager
def current_column(name: str, data: pd.DataFrame | None = None) -> Iterator[None]:
    """While applying across()'s function to column ``name`` of ``data``: cur_column()
    gives the name, get() the data's columns."""
    _COLUMN.append((str(name), data))
    try:
        yield
    finally:
        _COLUMN.pop()


def mask_column(name: str) -> pd.Series | None:
    """Column ``name`` of the data across() is working on (None outside it, or no such
    column)."""
    if _COLUMN and _COLUMN[-1][1] is not None and name in _COLUMN[-1][1].columns:
        return _COLUMN[-1][1][name]
    return None


def r_cur_column() -> str:
    """dplyr's ``cur_column()`` (module docstring)."""
    if not _COLUMN:
        raise AsrError("cur_column() must be used inside across()",
                       hint="use it in the function across() applies to each column")
    return _COLUMN[-1][0]


def _glue_rename(e: Any) -> Any:
    """``e`` with glue's ``.col`` and ``.fn`` as the Python names of the function below."""
    if e.kind == "name" and e.value in (".col", ".fn"):
        return dataclasses.replace(e, value="dot_col_" if e.value == ".col" else "dot_fn_")
    return dataclasses.replace(
        e, args=[(n, _glue_rename(a)) for n, a in e.args],
        left=_glue_rename(e.left) if e.left is not None else None,
        right=_glue_rename(e.right) if e.right is not None else None,
        alt=_glue_rename(e.alt) if e.alt is not None else None,
        body=[_glue_rename(b) for b in e.body])


def glue_names(tr: Any, spec: Any) -> str | None:
    """across()'s ``.names`` glue text as ``lambda dot_col_, dot_fn_='1': ...`` (module
    docstring); None when it is not a text or an expression does not translate."""
    from asr_py.translate.parser import Untranslatable, parse_expr

    if spec.kind != "str":
        return None
    parts = []
    for k, piece in enumerate(re.split(r"\{([^{}]*)\}", spec.value)):
        if k % 2 == 0:
            if piece:
                parts.append(repr(piece))
            continue
        try:
            parts.append(f"str({tr.py(_glue_rename(parse_expr(piece)))})")
        except Untranslatable:
            return None
    return f"(lambda dot_col_, dot_fn_='1': ''.join([{', '.join(parts)}]))"
