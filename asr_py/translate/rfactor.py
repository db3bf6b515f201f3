"""R's ``as.numeric(f)`` of a factor is the factor's codes (1, 2, ... in the order of its
levels), not the numbers its labels spell. asr_py's translations hold a factor column as
its text labels, so the translator remembers which data-frame columns the script made
factors (``d$x <- factor(d$x)``, ``d[cols] <- lapply(d[cols], factor)``) and translates
``as.numeric(d$x)`` of those as :func:`r_factor_codes`."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R

__all__ = ["is_factor", "note", "r_factor_codes"]

_FACTOR = ("factor", "as.factor", "ordered", "as.ordered")


def _state(tr: Any) -> tuple[set[tuple[str, str]], dict[str, list[str]]]:
    return (tr.__dict__.setdefault("factor_cols", set()),
            tr.__dict__.setdefault("str_vectors", {}))


def _strings(e: R, strs: dict[str, list[str]]) -> list[str] | None:
    """The column names ``e`` spells: "a", c("a", "b"), or a variable holding such a c()."""
    if e.kind == "str":
        return [e.value]
    if e.kind == "call" and e.value == "c" and e.args and all(
            n is None and a.kind == "str" for n, a in e.args):
        return [a.value for _, a in e.args]
    if e.kind == "name":
        return strs.get(e.value)
    return None


def _makes_factor(r: R) -> bool:
    from asr_py.translate.rfactorlevels import sets_levels

    return r.kind == "call" and r.value in _FACTOR and (
        sum(n is None for n, _ in r.args) == 1 and
        all(n in (None, "levels", "labels", "ordered") for n, _ in r.args) or
        sets_levels(r.value, r.args))


def note(tr: Any, target: R, r: R) -> None:
    """Update which columns are factors after the assignment ``target <- r``."""
    fac, strs = _state(tr)
    if target.kind in ("name", "str"):
        name = target.value
        strs.pop(name, None)
        got = _strings(r, {}) if r.kind == "call" else None
        if got is not None:
            strs[name] = got
        old = {(d, c) for d, c in fac if d == name}
        fac -= old
        if r.kind == "name":        # d2 <- d: the same columns
            fac |= {(name, c) for d, c in set(fac) if d == r.value}
        elif _makes_factor(r):      # f <- factor(x): the variable itself
            fac.add((name, ""))
        elif r.kind == "call" and r.value in ("data.frame", "tibble", "data.table"):
            # data.frame(g = factor(x), ...), or text columns with stringsAsFactors = TRUE
            named = dict((n, a) for n, a in r.args if n is not None)
            saf = named.get("stringsAsFactors")
            text = saf is not None and saf.kind == "name" and saf.value in ("TRUE", "T")
            fac |= {(name, n) for n, a in r.args if n is not None and n != "stringsAsFactors"
                    and (_makes_factor(a) or text and _text_vector(a))}
        return
    if target.kind == "dollar" and target.left is not None and target.left.kind == "name":
        key = (target.left.value, target.value)
        fac.discard(key)
        if _makes_factor(r):
            fac.add(key)
        return
    if target.kind == "index" and target.value == "[" and target.left is not None and \
            target.left.kind == "name":
        sel = [a for _, a in target.args]
        if len(sel) == 2 and sel[0].kind == "empty":
            sel = sel[1:]
        cols = _strings(sel[0], strs) if len(sel) == 1 else None
        if cols is None:
            return
        d = target.left.value
        fac -= {(d, c) for c in cols}
        if r.kind == "call" and r.value in ("lapply", "sapply") and len(r.args) == 2:
            fun = dict(r.args).get("FUN", r.args[1][1])
            if fun.kind == "name" and fun.value in _FACTOR:
                fac |= {(d, c) for c in cols}


def _text_vector(e: R) -> bool:
    """A literal text value or ``c()`` of them."""
    return e.kind == "str" or e.kind == "call" and e.value == "c" and bool(e.args) and all(
        a.kind == "str" for _, a in e.args)


def is_factor(tr: Any, e: R) -> bool:
    """Whether ``e`` is ``d$x`` of a column the script made a factor, or a call that makes
    one (``factor(x)``, ``as.factor(x)``: ``as.numeric(factor(x))`` is R's level codes)."""
    if e.kind == "call" and e.value in ("factor", "as.factor", "base::factor",
                                        "base::as.factor"):
        return True
    fac, _ = _state(tr)
    if e.kind == "name":
        return (e.value, "") in fac
    return e.kind == "dollar" and e.left is not None and e.left.kind == "name" and \
        (e.left.value, e.value) in fac


def r_factor_codes(x: Any) -> Any:
    """R's ``as.numeric(f)`` of a factor ``f`` (held as its labels): each value's position
    among the factor's levels (R's order: numbers numerically, text alphabetically), NA for
    a missing value."""
    if isinstance(x, Untranslated):
        return x._use()
    from asr_py.translate.runtime import r_labels, r_levels

    s = x if isinstance(x, pd.Series) else pd.Series(x)
    pos = {lab: float(i + 1) for i, lab in enumerate(r_levels(s))}
    lab = r_labels(s)
    out = pd.Series([np.nan if pd.isna(v) else pos.get(str(v), np.nan) for v in lab],
                    index=s.index, name=s.name, dtype=float)
    return out if isinstance(x, pd.Series) else out.to_numpy()


def r_as_factor(x: Any, na_level: bool = False) -> Any:
    """R's ``factor(x)`` (``na_level``: ``as.factor(x)``) of a column or vector: a pandas
    Categorical whose categories are R's levels (the sorted labels, numbers in numeric
    order), so a row subset keeps the levels no row uses, as R's factor does (asr.asreml
    codes only the levels with records either way). ``as.factor`` of a factor is that
    factor; ``factor`` of a factor drops its unused levels, keeping their order."""
    from asr_py.translate.runtime import r_labels, r_levels

    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        if na_level:
            return x
        from asr_py.translate.runtime import NA_LEVEL

        if NA_LEVEL in list(x.cat.categories):     # factor(f) drops f's NA level (R)
            x = x.cat.remove_categories([NA_LEVEL])
        return x.cat.remove_unused_categories()
    labels = r_labels(x, na_level=na_level)
    if not isinstance(labels, pd.Series):
        return labels
    return labels.astype(pd.CategoricalDtype(r_levels(labels)))
