"""dplyr's vector functions ``na_if()`` and ``case_when()``, tidyr's ``replace_na()`` (in
``mutate()`` too).

Semantics (dplyr 1.1 ``?na_if``, ``?case_when``):

* ``na_if(x, y)``: ``x`` with the elements equal to ``y`` set to NA; ``y`` is one value or a
  vector as long as ``x``; the type of ``x`` is kept (a character column stays character, a
  factor keeps its levels). ``mutate(across(cols, ~ as.numeric(na_if(., "."))))`` is the
  usual idiom for a column with ``"."`` for missing values.
* ``case_when(c1 ~ v1, c2 ~ v2, ..., .default = d)``: for each element, the value of the
  first condition that is TRUE (an NA condition counts as FALSE); ``.default`` (or NA) where
  none is; ``TRUE ~ v`` as the last pair is the old spelling of ``.default``. Conditions and
  values are one value or as long as the longest (else an error, as in dplyr); the values
  must share a type (numbers with numbers, text with text, logical with logical: dplyr stops
  at ``Can't combine <character> and <double>``, so does this).
* ``replace_na(x, value)``: the NAs of a vector replaced by one value; ``replace_na(d,
  list(a = 0, b = "?"))``: those of each named column of a data frame (other columns as they
  are; a name that is not a column is an error here, tidyr ignores it silently).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["FUNCTIONS", "r_case_when", "r_na_if", "r_replace_na", "translate"]

_NAMES = ("na_if", "case_when")
FUNCTIONS = frozenset({*_NAMES, *("dplyr::" + f for f in _NAMES), "replace_na",
                       "tidyr::replace_na"})


def translate(tr: Any, e: R) -> str | None:
    """The Python of ``na_if(x, y)`` / ``case_when(...)``; None (a TODO) for other forms."""
    f = e.value.split("::", 1)[-1]
    args = e.args
    if f == "replace_na":
        pos = [a for n, a in args if n is None]
        named = {n: a for n, a in args if n is not None}
        if set(named) - {"data", "replace"} or len(args) != 2:
            return None
        bound = dict(zip([k for k in ("data", "replace") if k not in named], pos))
        bound.update(named)
        rep = bound["replace"]
        if rep.kind == "call" and rep.value == "list":
            if any(n is None for n, _ in rep.args):
                return None
            val = "{" + ", ".join(f"{n!r}: {tr.py(a)}" for n, a in rep.args) + "}"
        else:
            val = tr.py(rep)
        return f"{tr.runtime('r_replace_na')}({tr.py(bound['data'])}, {val})"
    if f == "na_if":
        bound: dict[str, R] = {}
        pos = [a for n, a in args if n is None]
        bound.update(zip(("x", "y"), pos))
        for n, a in args:
            if n is not None:
                if n not in ("x", "y") or n in bound:
                    return None
                bound[n] = a
        if set(bound) != {"x", "y"} or len(args) != 2:
            return None
        return f"{tr.runtime('r_na_if')}({tr.py(bound['x'])}, {tr.py(bound['y'])})"
    pairs: list[str] = []
    default = None
    for n, a in args:
        if n == ".default":
            default = tr.py(a)
        elif n is None and a.kind == "formula" and a.left is not None and a.right is not None:
            pairs.append(f"({tr.py(a.left)}, {tr.py(a.right)})")
        else:
            return None                 # .ptype/.size, or a pair spliced with !!!: a TODO
    if not pairs:
        return None
    extra = f", default={default}" if default is not None else ""
    return f"{tr.runtime('r_case_when')}([{', '.join(pairs)}]{extra})"


# ----- runtime ---------------------------------------------------------------------------------
def _placeholder(*xs: Any) -> Any:
    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    return None


def _is_na(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or isinstance(v, float) and np.isnan(v)


def r_na_if(x: Any, y: Any) -> Any:
    """dplyr's ``na_if(x, y)``: see the module's docstring."""
    got = _placeholder(x, y)
    if got is not None:
        return got
    if isinstance(x, pd.DataFrame):
        raise AsrError("na_if(): x must be a vector, not a data frame",
                       hint="na_if(d$col, '.'), or mutate(d, across(cols, ~ na_if(., '.')))")
    ys = np.asarray(y.to_numpy() if isinstance(y, pd.Series) else y, dtype=object)
    if ys.ndim > 1:
        raise AsrError("na_if(): y must be one value or a vector")
    if isinstance(x, pd.Series):
        n = len(x)
    else:
        n = np.size(x)
    if ys.ndim == 1 and ys.size not in (1, n):
        raise AsrError(f"na_if(): y has length {ys.size}; x has length {n}",
                       hint="y must be one value or as long as x")
    yv = ys.reshape(-1)[0] if ys.size == 1 else ys
    if isinstance(x, pd.Series):
        vals = x.astype(object).to_numpy() if isinstance(x.dtype, pd.CategoricalDtype) \
            else x.to_numpy(dtype=object)
        hit = np.array([not _is_na(v) and not _is_na(w) and v == w
                        for v, w in zip(vals, np.broadcast_to(yv, (n,)))], dtype=bool)
        return x.mask(hit) if hit.any() else x.copy()
    scalar = np.ndim(x) == 0
    arr = np.array([x] if scalar else list(x), dtype=object)
    hit = np.array([not _is_na(v) and not _is_na(w) and v == w
                    for v, w in zip(arr, np.broadcast_to(yv, (arr.size,)))], dtype=bool)
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
           for v in arr if not _is_na(v)):
        out = np.array([np.nan if _is_na(v) else v for v in arr], dtype=float)
        out[hit] = np.nan
    else:
        out = arr.copy()
        out[hit] = None
    return out[0] if scalar else out


def _kind(v: np.ndarray) -> str | None:
    """'num', 'str', 'bool' (or None: all NA) of the non-NA elements of ``v``."""
    kinds = set()
    for x in v:
        if _is_na(x):
            continue
        if isinstance(x, (bool, np.bool_)):
            kinds.add("bool")
        elif isinstance(x, (int, float, np.integer, np.floating)):
            kinds.add("num")
        elif isinstance(x, str):
            kinds.add("str")
        else:
            kinds.add(type(x).__name__)
    if len(kinds) > 1:
        raise AsrError("case_when(): the values mix " + " and ".join(sorted(kinds)),
                       hint="dplyr stops here too (Can't combine ...): give every "
                            "right-hand side the same type, e.g. as.character()")
    return kinds.pop() if kinds else None


def _values(x: Any) -> np.ndarray:
    if isinstance(x, pd.Series):
        return (x.astype(object) if isinstance(x.dtype, pd.CategoricalDtype)
                else x).to_numpy(dtype=object)
    return np.array([x] if np.ndim(x) == 0 else list(x), dtype=object)


def r_case_when(pairs: list[tuple[Any, Any]], default: Any = None) -> Any:
    """dplyr's ``case_when(cond ~ value, ..., .default = d)``: see the module's docstring."""
    flat = [v for p in pairs for v in p] + [default]
    got = _placeholder(*flat)
    if got is not None:
        return got
    index = next((v.index for v in flat if isinstance(v, pd.Series)), None)
    conds = [_values(c) for c, _ in pairs]
    vals = [_values(v) for _, v in pairs]
    dflt = _values(default)
    n = max(len(v) for v in [*conds, *vals, dflt])
    for i, v in enumerate([*conds, *vals, dflt]):
        if len(v) not in (1, n):
            what = f"condition {i + 1}" if i < len(conds) else (
                f"value {i - len(conds) + 1}" if i < 2 * len(conds) else ".default")
            raise AsrError(f"case_when(): {what} has length {len(v)}, the others {n}",
                           hint="each condition and value must be one value or as long as "
                                "the longest")
    for i, c in enumerate(conds):
        if any(not _is_na(x) and not isinstance(x, (bool, np.bool_)) for x in c):
            raise AsrError(f"case_when(): condition {i + 1} is not logical",
                           hint="the left of each ~ must be TRUE/FALSE, e.g. x > 1")
    kinds = {k for k in (_kind(v) for v in [*vals, dflt]) if k is not None}
    if len(kinds) > 1:
        raise AsrError("case_when(): the values mix " + " and ".join(sorted(kinds)),
                       hint="dplyr stops here too (Can't combine ...): give every "
                            "right-hand side the same type, e.g. as.character()")
    kind = kinds.pop() if kinds else None
    out = np.broadcast_to(dflt, (n,)).copy() if len(dflt) == 1 else dflt.copy()
    done = np.zeros(n, dtype=bool)
    for c, v in zip(conds, vals):
        cb = np.array([bool(x) if not _is_na(x) else False for x in np.broadcast_to(c, (n,))])
        hit = cb & ~done
        out[hit] = np.broadcast_to(v, (n,))[hit]
        done |= hit
    if kind == "num":
        res: Any = np.array([np.nan if _is_na(x) else x for x in out], dtype=float)
        if not np.isnan(res).any() and all(
                isinstance(x, (int, np.integer)) for x in out):
            res = res.astype(int)
    elif kind == "bool" and not any(_is_na(x) for x in out):
        res = out.astype(bool)
    else:
        res = np.array([None if _is_na(x) else x for x in out], dtype=object)
    if index is not None and len(index) == n:
        return pd.Series(res, index=index)
    return res


def r_replace_na(x: Any, replace: Any) -> Any:
    """tidyr's ``replace_na()``: see the module's docstring."""
    got = _placeholder(x, replace)
    if got is not None:
        return got
    if isinstance(x, pd.DataFrame):
        if not isinstance(replace, dict):
            raise AsrError("replace_na(): for a data frame, replace must be a list of "
                           "column = value", hint='replace_na(d, list(a = 0, b = "?"))')
        out = x.copy()
        for col, v in replace.items():
            if col not in out.columns:
                raise AsrError(f"replace_na(): no column {col!r} in the data",
                               hint="columns: " + ", ".join(map(str, out.columns[:12])))
            out[col] = r_replace_na(out[col], v)
        return out
    if np.ndim(replace) != 0:
        raise AsrError("replace_na(): replace must be one value for a vector",
                       hint="replace_na(x, 0)")
    if isinstance(x, pd.Series):
        if isinstance(x.dtype, pd.CategoricalDtype) and x.isna().any() and \
                replace not in x.cat.categories:
            x = x.cat.add_categories([replace])
        return x.fillna(replace) if x.isna().any() else x.copy()
    if np.ndim(x) == 0:
        return replace if _is_na(x) else x
    arr = np.array(list(x), dtype=object)
    out = np.array([replace if _is_na(v) else v for v in arr], dtype=object)
    try:
        return out.astype(float) if all(isinstance(v, (int, float, np.integer, np.floating))
                                        and not isinstance(v, bool) for v in out) else out
    except (TypeError, ValueError):
        return out
