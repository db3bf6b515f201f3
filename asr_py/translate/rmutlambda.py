"""dplyr's ``mutate_at(d, vars(x), list(~ expr))`` (also ``~ expr`` alone and the older
``funs(expr)``): a purrr-style lambda whose ``.`` (or ``.x``) is each selected column.

dplyr inlines such a formula into the data mask (``as_inlined_function``), so its other
bare names are columns of the data first: ``list(~ ifelse(geno %in% ids, NA, .))`` reads
the column ``geno`` and the variable ``ids``. The translation is a Python function of the
data with the column bound to ``.``, evaluated by :func:`r_mutate_at_mask` for each
selected column in turn (a later column sees the earlier ones changed, as mutate()).
A named list (new columns ``x_name``) or several functions are left untranslated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["lambda_fun", "r_mutate_at_mask", "translate_at"]

_MASK = "_mask"


def _body(fun: R) -> R | None:
    """The expression of a one-function ``.funs``: ``~ e``, ``list(~ e)``, ``funs(e)``."""
    if fun.kind == "call" and fun.value in ("list", "funs") and len(fun.args) == 1 and \
            fun.args[0][0] is None:
        inner = fun.args[0][1]
        if fun.value == "funs":
            return inner if inner.kind != "formula" else _body(inner)
        return _body(inner) if inner.kind == "formula" else None
    if fun.kind == "formula" and fun.left is None and fun.right is not None:
        return fun.right
    return None


def _uses_dot(e: R) -> bool:
    if e.kind == "name" and e.value in (".", ".x"):
        return True
    kids = [e.left, e.right, e.alt, *(a for _, a in e.args), *e.body]
    return any(k is not None and _uses_dot(k) for k in kids)


def lambda_fun(tr: Any, fun: R) -> str | None:
    """``lambda _mask: <expr>`` for a purrr lambda of mutate_at (None: not one)."""
    body = _body(fun)
    if body is None or not _uses_dot(body):
        return None
    old = tr.data_cols
    tr.data_cols = _MASK
    try:
        text = tr.py(body)
    finally:
        tr.data_cols = old
    return f"lambda {_MASK}: {text}"


def r_mutate_at_mask(df: Any, sel: list[Any], fn: Callable[[pd.DataFrame], Any]
                     ) -> pd.DataFrame:
    """``mutate_at(df, sel, ~ expr)``: each selected column replaced by ``fn`` of the data
    with that column as ``.`` / ``.x`` (one value is recycled; another length an error)."""
    if isinstance(df, Untranslated):
        return df._use()  # type: ignore[return-value]
    from asr_py.translate.rdplyr import _env, columns

    out = df.copy()
    for c, _ in columns(df, sel, _env()):
        mask = out.assign(**{".": out[c], ".x": out[c]})
        val = fn(mask)
        arr = np.asarray(val.to_numpy() if isinstance(val, pd.Series) else val, dtype=object)
        if arr.size not in (1, len(out)):
            raise AsrError(f"mutate_at(): the function gives {arr.size} values for the column "
                           f"{c!r} of {len(out)} rows",
                           hint="dplyr needs one value per row (or one)")
        new = pd.Series(np.resize(arr, len(out)), index=out.index, name=c)
        out[c] = new.infer_objects()
    return out


def translate_at(tr: Any, data: str, target: R, fun: R) -> str | None:
    """The Python of ``mutate_at(data, target, fun)`` with ``fun`` a purrr lambda (None:
    not one of this module's forms)."""
    from asr_py.translate.rdplyr import spec

    lam = lambda_fun(tr, fun)
    if lam is None:
        return None
    if target.kind == "call" and target.value == "vars":
        if not target.args:
            return data
        sel = ", ".join(spec(tr, a, None) for _, a in target.args)
    else:
        sel = spec(tr, target)
    return f"{tr.runtime('r_mutate_at_mask')}({data}, [{sel}], {lam})"
