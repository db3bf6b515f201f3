"""Base R's ``levels(f) <- value`` and ``levels(f)[i] <- value`` (``?levels``, and the
R Language Definition's subset assignment: ``levels(f)[i] <- v`` is
``f <- `levels<-`(f, `[<-`(levels(f), i, v))``).

``levels<-.factor`` renames the levels in their order: the records of level k take
``value[k]``; equal new names merge their levels, the new levels being the distinct
non-missing names in order of first appearance (an NA name makes its records NA); extra
names are extra, unused levels; fewer names than levels is R's error "number of levels
differs". A list ``value`` (several old levels named per new one) is not read here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated


def _name(v: Any) -> str | None:
    if v is None or isinstance(v, float) and np.isnan(v) or v is pd.NA:
        return None
    return str(v)


def r_set_levels(x: Any, value: Any) -> pd.Series:
    """``levels(x) <- value`` of a factor ``x`` (text labels or a Categorical); returns the
    new factor as a Categorical (its categories asr.asreml's level order)."""
    for v in (x, value):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[no-any-return]
    from asr_py.translate.runtime import r_levels

    if isinstance(value, dict):
        raise ValueError("levels(x) <- list(...): merging named groups of levels is not "
                         "translated; give one new name per level (a character vector)")
    old = r_levels(x)
    new = [_name(v) for v in (np.atleast_1d(np.asarray(value, dtype=object)).tolist()
                              if not isinstance(value, str) else [value])]
    if len(new) < len(old):
        raise ValueError(f"levels(x) <- value: number of levels differs ({len(new)} names "
                         f"for {len(old)} levels; R's error)")
    s = x if isinstance(x, pd.Series) else pd.Series(x)
    to = {o: new[k] for k, o in enumerate(old)}
    text = s.astype(object).where(s.isna(), s.astype(str))
    labels = [None if _name(v) is None else to.get(str(v)) for v in text]
    cats = list(dict.fromkeys(v for v in new if v is not None))
    return pd.Series(pd.Categorical(labels, categories=cats), index=s.index, name=s.name)
