"""A random term made only of numeric columns: asreml fits it as a random covariate (one
random regression coefficient, variance σ² on x·x'), which is rarely what was meant when
the column holds labels: ids or codes that ``pd.read_csv`` read as numbers (MOTHER, BYEAR,
Block 1/2/3). Such a term fits one slope where a variance per level was wanted, and the
fit is silently different (a variance near zero, a lower log-likelihood), so it is said
with an :class:`~asr_py.warning_classes.AsrWarning`, not only in ``m.diagnostics``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from asr_py.formula.ast import Name


def numeric_term_note(names: list[Name], frame: pd.DataFrame) -> str:
    """The warning for a random term whose parts are the numeric columns ``names``; it says
    when the values look like labels (whole numbers, several repeated: ids or codes)."""
    written = ":".join(n.name for n in names)
    what = ("a numeric column" if len(names) == 1 else "a product of numeric columns")
    note = (f"random term '{written}' is {what}: it is fitted as a covariate (one random "
            f"slope), not as a factor with a variance per level")
    labelled = [n.name for n in names if _looks_like_labels(frame[n.name])]
    if labelled:
        cols = ", ".join(repr(c) for c in labelled)
        note += (f"; {cols} {'holds' if len(labelled) == 1 else 'hold'} whole numbers "
                 "repeated over records, like ids or codes read as numbers (pd.read_csv does "
                 "that)")
    cols = [n.name for n in names]
    fac = ":".join(f"fac({c})" for c in cols)
    listed = ", ".join(f"'{c}'" for c in cols)
    dtypes = ", ".join(f"'{c}': str" for c in cols)
    return (note + f". For a factor write {fac} or factors=[{listed}], or read the "
            f"column{'s' if len(cols) > 1 else ''} as text: pd.read_csv(..., "
            f"dtype={{{dtypes}}})")


def _looks_like_labels(col: pd.Series) -> bool:
    """Whole numbers with at least one value repeated: codes or ids rather than a measured
    covariate (a covariate of distinct values per record has no repeats to share a level)."""
    v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0 or not np.all(v == np.round(v)):
        return False
    return bool(np.unique(v).size < v.size)
