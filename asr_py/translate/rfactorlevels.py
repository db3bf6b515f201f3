"""Base R's ``factor(x, levels, labels = levels, exclude = NA, ordered = is.ordered(x))``
and ``ordered(x, levels, labels)`` with levels or labels given (R 4 ``?factor``).

A translated script holds ``factor(x)``/``as.factor(x)`` of a column as a pandas
Categorical on R's sorted levels (:func:`asr_py.translate.rfactor.r_as_factor`), and a
factor whose levels the script sets as a Categorical in that order; asr.asreml codes the
categories in their order (:func:`asr_py.model.data.level_labels`). Factors made
otherwise (``mutate_at(d, cols, as.factor)``, ...) are held as their text labels, which
asr.asreml sorts as R does. R's algorithm:

* ``x`` is compared as text: ``as.character(x)`` (28.0 -> "28", TRUE -> "TRUE");
* ``levels`` defaults to the distinct values of ``x`` in increasing order (a factor's
  levels in use, in its order); given, they are taken ``as.character`` and must be
  distinct ("factor level [2] is duplicated");
* levels found in ``exclude`` are dropped (the default ``exclude = NA`` drops missing
  values; ``exclude = NULL`` keeps NA as a level of its own, placed last);
* each value becomes the level it matches, or NA when it matches none;
* ``labels`` renames the levels: one label a level (duplicated labels merge levels:
  "map different values of x to the same factor level"), or one string ``L`` giving
  ``L1, L2, ...``; any other length is R's error "invalid 'labels'; length m should be
  1 or n".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FORMALS", "r_factor", "r_ordered", "sets_levels", "translate"]

#: R's formals of the two functions, in R's order
FORMALS: dict[str, tuple[str, ...]] = {
    "factor": ("x", "levels", "labels", "exclude", "ordered", "nmax"),
    "ordered": ("x", "levels", "labels"),
}
_RUNTIME = {"factor": "r_factor", "ordered": "r_ordered"}


class _Missing:
    """An argument the call leaves out (R's ``missing(levels)``)."""


_MISSING: Any = _Missing()


def _text(v: Any) -> str | None:
    """R's ``as.character`` of one value; None for NA."""
    from asr_py.translate.runtime import _r_label

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return _r_label(v)


def _vector(v: Any) -> list[Any]:
    if isinstance(v, pd.Series | pd.Index | np.ndarray | list | tuple | range |
                  pd.api.extensions.ExtensionArray):     # unique(x) of text: an ExtensionArray
        return list(v)
    if isinstance(v, pd.DataFrame):
        raise AsrError("factor(): levels/labels/exclude must be a vector, not a data frame",
                       hint="pick a column: d$x or d[['x']]")
    return [v]


def _default_levels(s: pd.Series) -> list[str]:
    """R's default: ``unique(x)`` sorted (a factor: its levels in use, in order)."""
    from asr_py.model.data import level_labels

    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in level_labels(s)]
    if pd.api.types.is_bool_dtype(s):
        return [lab for lab in ("FALSE", "TRUE") if lab in {_text(v) for v in s.dropna()}]
    if pd.api.types.is_numeric_dtype(s):
        return [str(_text(v)) for v in np.sort(s.dropna().unique().astype(float))]
    return list(level_labels(s.dropna().map(_text)))


def r_factor(x: Any, levels: Any = _MISSING, labels: Any = _MISSING, exclude: Any = np.nan,
             ordered: Any = _MISSING, nmax: Any = None) -> pd.Series:
    """R's ``factor()``: see the module docstring. A Series keeps its index and name."""
    from asr_py.translate.runtime import NA_LEVEL

    for v in (x, levels, labels, exclude):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[no-any-return]
    s = x if isinstance(x, pd.Series) else pd.Series(
        np.asarray(x).ravel() if isinstance(x, np.ndarray) else _vector(x))
    if ordered is _MISSING:
        ordered = isinstance(s.dtype, pd.CategoricalDtype) and bool(s.cat.ordered)
    values = [_text(v) for v in (s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype)
                                 else s)]
    if levels is _MISSING:
        levs: list[str | None] = list(_default_levels(s))
        if any(v is None for v in values):
            levs.append(None)               # unique() keeps NA: exclude decides (below)
    else:
        levs = [_text(v) for v in _vector(levels)]
        seen: set[str | None] = set()
        for k, lev in enumerate(levs, 1):
            if lev in seen:
                raise AsrError(f"factor(): factor level [{k}] is duplicated ({lev!r})",
                               hint="R stops here too: each level may be given once")
            seen.add(lev)
    drop = set() if exclude is None else {_text(v) for v in _vector(exclude)}
    levs = [lev for lev in levs if lev not in drop]
    pos = {lev: k for k, lev in enumerate(levs)}
    codes = np.array([pos.get(v, -1) for v in values], dtype=int)
    names = [NA_LEVEL if lev is None else lev for lev in levs]
    if labels is not _MISSING:
        labs = [_text(v) for v in _vector(labels)]
        if len(labs) == 1 and len(levs) != 1:
            names = [f"{labs[0]}{k}" for k in range(1, len(levs) + 1)]
        elif len(labs) == len(levs):
            names = [NA_LEVEL if lab is None else lab for lab in labs]
            uniq = list(dict.fromkeys(names))
            remap = np.array([uniq.index(n) for n in names] + [-1], dtype=int)
            codes, names = remap[codes], uniq       # -1 indexes the trailing -1: NA stays NA
        else:
            raise AsrError(f"factor(): invalid 'labels'; length {len(labs)} should be 1 or "
                           f"{len(levs)}", hint="give one label a level (in the levels' "
                           "order) or one prefix")
    cat = pd.Categorical.from_codes(codes, categories=names, ordered=bool(ordered))
    return pd.Series(cat, index=s.index, name=s.name)


def r_ordered(x: Any, levels: Any = _MISSING, labels: Any = _MISSING) -> pd.Series:
    """R's ``ordered(x, levels, labels)``: ``factor(x, levels, labels, ordered = TRUE)``."""
    return r_factor(x, levels=levels, labels=labels, ordered=True)


def sets_levels(f: str, args: list[tuple[str | None, R]]) -> bool:
    """Whether the call ``f(args)`` (factor or ordered) sets levels, labels or exclude: a
    second positional argument, or one of them named (R's partial names too)."""
    if f not in FORMALS:
        return False
    try:
        got = match_args(FORMALS[f], [(n, a) for n, a in args if a.kind != "empty"], f)
    except ArgMatchError:
        return False
    return "x" in got and any(k in got for k in ("levels", "labels", "exclude"))


def translate(tr: Any, f: str, args: list[tuple[str | None, R]]) -> str:
    """``r_factor(x, levels=..., ...)`` of the call (R's argument matching)."""
    got = match_args(FORMALS[f], [(n, a) for n, a in args if a.kind != "empty"], f)
    parts = [tr.series(got["x"])]
    for k in FORMALS[f][1:]:
        if k in got and k != "nmax":
            a = got[k]
            val = "None" if a.kind == "name" and a.value == "NULL" else tr.py(a)
            parts.append(f"{k}={val}")
    return f"{tr.runtime(_RUNTIME[f])}({', '.join(parts)})"
