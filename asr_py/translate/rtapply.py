"""R's ``tapply(X, INDEX, FUN)`` with two grouping factors: ``INDEX`` a list of two
vectors (``list(d$gen, d$env)``) or a data frame of two columns (``d[, c("gen", "env")]``).

R's result is the table ``T[i, j] = FUN(X[f1 == level_i & f2 == level_j])``: rows the
levels of the first factor, columns those of the second (each factor's level order: a
factor's levels, else the sorted values, as ``factor()`` makes them), NA for a
combination no row has; rows whose group label is missing are left out. FUN must give one
value per cell (R simplifies the result to a matrix then); ``FUN = I`` on cells of one
value gives that value. The typical use is a genotype x environment table of means for a
GGE biplot or a stability analysis. More than two factors (an array) is an error.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.data import level_labels

__all__ = ["factors_of", "r_tapply_table"]


def factors_of(index: Any, n: int) -> list[pd.Series] | None:
    """The grouping factors when ``index`` holds several (a data frame of several
    columns, a list/dict of vectors of length n); None for a single factor."""
    if isinstance(index, pd.DataFrame):
        cols = [index.iloc[:, k] for k in range(index.shape[1])]
        return cols if len(cols) > 1 else None
    parts: Sequence[Any] | None = None
    if isinstance(index, dict):
        parts = list(index.values())
    elif isinstance(index, (list, tuple)):
        parts = list(index)
    if not parts or len(parts) < 2 or not all(
            isinstance(p, (pd.Series, pd.Index, np.ndarray, list, tuple)) and len(p) == n
            for p in parts):
        return None
    return [p.reset_index(drop=True) if isinstance(p, pd.Series) else pd.Series(list(p))
            for p in parts]


def _labels(f: pd.Series) -> tuple[pd.Series, list[str]]:
    """Each row's group label (None when missing) and the levels in R's order."""
    def lab(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    labs = f.map(lab)
    if isinstance(f.dtype, pd.CategoricalDtype):
        order = [str(c) for c in f.cat.categories]
    else:
        order = list(level_labels(f))
    return labs, order


def _scalar(v: Any, where: str) -> float:
    a = np.atleast_1d(np.asarray(v, dtype=float))
    if a.size != 1:
        raise AsrError(f"tapply(): FUN gives {a.size} values for {where}",
                       hint="with two factors asr_py translates a FUN of one value per "
                            "cell (mean, sum, length, ...)")
    return float(a[0])


def r_tapply_table(x: Any, factors: list[pd.Series], fun: Callable[[np.ndarray], Any]
                   ) -> pd.DataFrame:
    """``tapply(x, list(f1, f2), fun)`` (module docstring)."""
    xs = pd.Series(np.asarray(x)).reset_index(drop=True)
    if len(factors) != 2:
        raise AsrError(f"tapply(): {len(factors)} grouping factors give an array",
                       hint="asr_py translates tapply() with one or two factors")
    if any(len(f) != len(xs) for f in factors):
        raise AsrError("tapply(): the grouping factors and X differ in length",
                       hint=f"X has {len(xs)} values; every factor needs as many")
    (l1, o1), (l2, o2) = _labels(factors[0]), _labels(factors[1])
    out = pd.DataFrame(np.nan, index=o1, columns=o2)
    ok = l1.notna() & l2.notna()
    for (a, b), part in xs[ok].groupby([l1[ok], l2[ok]], sort=False):
        out.loc[a, b] = _scalar(fun(part.to_numpy()), f"cell ({a}, {b})")
    return out
