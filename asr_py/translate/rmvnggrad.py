"""mvngGrAd's moving grid adjustment ``movingGrid()`` for translated scripts (written from the
package's documentation: ``?movingGrid``, ``?movG-class`` and its vignette, Technow 2011).

Each entry i sits in a cell (row r_i, column c_i) of the field. Its grid G_i holds the cells

* ``shapeCross = list(down, up, left, right)``: (r_i + k, c_i) for k in ``down``,
  (r_i − k, c_i) for k in ``up``, (r_i, c_i − k) for k in ``left``, (r_i, c_i + k) for k in
  ``right`` (the same column, resp. row; an element NULL: none that way);
* ``layers``: for each k, the four diagonal cells (r_i ± k, c_i ± k) ("circular" layers: a
  complete grid holds ``length(unlist(shapeCross)) + 4 length(layers)`` cells);
* the centre cell itself when ``excludeCenter = FALSE``.

The moving mean ``x_i`` is the mean of the observed values in G_i that exist (cells outside
the field, without an entry, or with NA are left out; ``nValues`` counts the rest). With
``b`` the slope of the least-squares line ``p_obs = a + b x`` (entries with both values) and
``x̄`` the mean of all x_i, the adjusted value is

    p_adj,i = p_obs,i − b (x_i − x̄)

(NA where p_obs,i is NA). The value is the ``movG`` object's slots: ``adjustedPhe``,
``observedPhe``, ``movingMean``, ``nValues``, ``row``, ``col``, ``correlation`` (Pearson's r
of x and p_obs), ``maxValues`` and ``b``; read with ``x@adjustedPhe`` (``r_slot``) or
``fitted(x)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["CALLS", "MovG", "r_moving_grid"]

#: R function -> (runtime helper, formals, packages): rpkgcalls.py
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "movingGrid": ("r_moving_grid", ("rows", "columns", "obsPhe", "shapeCross", "layers",
                                     "excludeCenter"), ("mvngGrAd",)),
}


@dataclass
class MovG:
    """mvngGrAd's ``movG`` object (module docstring)."""

    row: np.ndarray
    col: np.ndarray
    observedPhe: np.ndarray
    adjustedPhe: np.ndarray
    movingMean: np.ndarray
    nValues: np.ndarray
    correlation: float
    maxValues: int
    b: float

    def r_slot(self, name: str) -> Any:
        if name not in self.__dataclass_fields__:
            raise AsrError(f"a movG object has no slot {name!r}", hint="its slots: " +
                           ", ".join(self.__dataclass_fields__))
        return getattr(self, name)

    def __getitem__(self, name: str) -> Any:
        return self.r_slot(name)


def _steps(v: Any, what: str) -> list[int]:
    """The distances of one direction (NULL: none), each a positive whole number, once."""
    if v is None:
        return []
    arr = np.atleast_1d(np.asarray(list(v) if isinstance(v, range) else v, dtype=float))
    arr = arr[~np.isnan(arr)]
    if (arr <= 0).any() or (arr != np.round(arr)).any() or len(set(arr)) != arr.size:
        raise AsrError(f"movingGrid(): {what} must hold distinct positive whole numbers, "
                       f"not {arr.tolist()}", hint="e.g. shapeCross = list(1, 1, 1:4, 1:4)")
    return [int(k) for k in arr]


def _cross(shape: Any) -> list[list[int]]:
    if isinstance(shape, dict):
        parts = list(shape.values())
    elif isinstance(shape, list | tuple):
        parts = list(shape)
    else:
        raise AsrError("movingGrid(): shapeCross must be a list of four (down, up, left, "
                       "right)", hint="shapeCross = list(1, 1, 1:4, 1:4)")
    if len(parts) != 4:
        raise AsrError(f"movingGrid(): shapeCross has {len(parts)} elements, not 4 (down, "
                       "up, left, right)", hint="use NULL for no cells in a direction")
    return [_steps(p, f"shapeCross[[{k + 1}]]") for k, p in enumerate(parts)]


def _whole(v: Any, what: str) -> np.ndarray:
    arr = np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v, dtype=float).ravel()
    if np.isnan(arr).any() or (arr != np.round(arr)).any():
        raise AsrError(f"movingGrid(): {what} must be whole numbers without NA",
                       hint="give the row and column numbers as integers (as.numeric of a "
                       "factor's labels)")
    return arr.astype(np.int64)


def r_moving_grid(rows: Any, columns: Any, obsPhe: Any, shapeCross: Any,  # noqa: N803
                  layers: Any = None, excludeCenter: bool = True) -> MovG:  # noqa: N803
    """mvngGrAd's ``movingGrid()`` (module docstring)."""
    for v in (rows, columns, obsPhe, shapeCross, layers):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[no-any-return]
    r, c = _whole(rows, "rows"), _whole(columns, "columns")
    y = np.asarray(obsPhe.to_numpy() if isinstance(obsPhe, pd.Series) else obsPhe,
                   dtype=float).ravel()
    if not (r.size == c.size == y.size):
        raise AsrError(f"movingGrid(): rows ({r.size}), columns ({c.size}) and obsPhe "
                       f"({y.size}) must have one value per entry", hint="give the three "
                       "vectors of the same entries")
    down, up, left, right = _cross(shapeCross)
    lay = _steps(layers, "layers")
    offsets = [(k, 0) for k in down] + [(-k, 0) for k in up] + [(0, -k) for k in left] + \
        [(0, k) for k in right] + [(s * k, t * k) for k in lay for s in (1, -1)
                                   for t in (1, -1)]
    if not excludeCenter:
        offsets.append((0, 0))
    if not offsets:
        raise AsrError("movingGrid(): the grid holds no cell",
                       hint="give shapeCross or layers (or excludeCenter = FALSE)")
    cell: dict[tuple[int, int], float] = {}
    for i, key in enumerate(zip(r.tolist(), c.tolist())):
        if key in cell:
            raise AsrError(f"movingGrid(): two entries in row {key[0]}, column {key[1]}",
                           hint="each entry needs its own cell")
        cell[key] = y[i]
    x = np.full(y.size, np.nan)
    nv = np.zeros(y.size, dtype=np.int64)
    for i, (ri, ci) in enumerate(zip(r.tolist(), c.tolist())):
        vals = [cell[(ri + dr, ci + dc)] for dr, dc in offsets
                if (ri + dr, ci + dc) in cell]
        vals = [v for v in vals if not np.isnan(v)]
        nv[i] = len(vals)
        if vals:
            x[i] = float(np.mean(vals))
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 2 or np.var(x[ok]) == 0:
        raise AsrError("movingGrid(): too few entries with a moving mean to fit the "
                       "adjustment", hint="check the grid's shape against the field's size")
    xc = x[ok] - x[ok].mean()
    b = float(xc @ (y[ok] - y[ok].mean()) / (xc @ xc))        # lm(p_obs ~ x)'s slope
    corr = float(np.corrcoef(x[ok], y[ok])[0, 1])
    adj = y - b * (x - np.nanmean(x))
    return MovG(row=r, col=c, observedPhe=y, adjustedPhe=adj, movingMean=x, nValues=nv,
                correlation=corr, maxValues=len(offsets), b=b)
