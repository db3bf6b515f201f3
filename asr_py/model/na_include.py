"""asreml's ``na.method(x = "include")`` (``na_action={'x': 'include'}``): a record with a
missing explanatory value stays in the fit and that variable contributes nothing to it.

* a covariate's missing value is set to 0 (the usual use: a covariate defined only within
  some levels of a factor, as in ``at(AMF, "plus"):per.col``);
* a factor's missing value gives the record an empty row in the design of every term with
  that factor (asreml's MVINCLUDE: "Consider the DESIGN matrix mu Male Female: 1 1 0 for a
  male, 1 0 1 for a female, 1 0 0 for an unknown", ASReml mailing list, Oct 2008). In a
  fixed factor's term the missing records then form a class of their own (the intercept is
  no longer the sum of the factor's columns); in a random term they get no effect. The
  factor gains no level (no prediction for it): R's ``factor(x, exclude = NULL)`` is the
  way to make NA a level.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def include_missing_x(data: pd.DataFrame, used: list[str], factors: Iterable[str] = ()
                      ) -> tuple[pd.DataFrame, list[str], str]:
    """A copy of ``data`` whose used numeric columns have missing values set to 0; the used
    factor columns with missing values (kept missing: their records get empty design rows,
    see the module docstring); and a note saying what was included (empty when nothing was
    missing). ``data`` itself is not changed."""
    filled: list[str] = []
    kept: list[str] = []
    out = data
    facs = set(factors)
    for c in used:
        if c not in data.columns:
            continue
        miss = data[c].isna()
        if not miss.any():
            continue
        if c in facs or not pd.api.types.is_numeric_dtype(data[c]) or \
                pd.api.types.is_bool_dtype(data[c]):
            kept.append(c)
            filled.append(f"factor {c} ({int(miss.sum())}: no effect of it on those records)")
            continue
        if out is data:
            out = data.copy()
        out[c] = data[c].fillna(0)
        filled.append(f"covariate {c} ({int(miss.sum())}: set to 0)")
    note = ("missing explanatory values included (na_action x='include'): " + ", ".join(filled)
            if filled else "")
    return out, kept, note
