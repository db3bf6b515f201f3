"""asreml's ``asr_varioGram`` (asreml 3: ``asreml.variogram``) of a data frame: the
empirical semivariogram of the values in its third column at the integer plot coordinates
of its first two (numbers, or factors whose labels are numbers, dae's ``as.numfac``),

    γ(h_x, h_y) = (1 / N(h)) Σ_{i<j at (|Δx|, |Δy|) = h} ½ (z_i − z_j)²

(:func:`asr_py.results.variogram.semivariogram`; missing values left out). One row per lag
h_x = 0..X−1, h_y = 0..Y−1 (h_y fastest), columns ``x``, ``y``, ``gamma``, ``np`` (the
number of pairs).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.results.variogram import semivariogram

__all__ = ["asr_varioGram"]


def _coords(col: pd.Series, name: str) -> np.ndarray:
    from asr_py.compat.dae import as_numfac

    v = as_numfac(pd.Series(np.asarray(col, dtype=object))).to_numpy(dtype=float)
    if not np.all(np.isfinite(v)) or np.any(np.abs(v - np.rint(v)) > 1e-9):
        raise AsrError(f"asr_varioGram: the values of column {name!r} are not whole numbers",
                       hint="the first two columns are the plot coordinates (row, column)")
    return np.rint(v).astype(np.int64)


def asr_varioGram(x: Any, y: Any = None, z: Any = None, **other: Any) -> pd.DataFrame:
    """asreml's ``asr_varioGram`` (asreml 3's ``asreml.variogram``) of a data frame (x, y, z),
    or of the three vectors x, y, z; see the module docstring."""
    if y is not None and z is not None and not isinstance(x, pd.DataFrame):
        x = pd.DataFrame({"x": np.asarray(x, dtype=object), "y": np.asarray(y, dtype=object),
                          "z": np.asarray(z, dtype=float)})
    if not isinstance(x, pd.DataFrame) or x.shape[1] < 3:
        raise AsrError("asr_varioGram: x must be a data frame of coordinates x, y and values z",
                       hint="e.g. asr_varioGram(df[c('Row', 'Column', 'residuals')])")
    if other:
        raise AsrError(f"asr_varioGram: argument(s) {', '.join(other)} not supported")
    z = pd.to_numeric(x.iloc[:, 2], errors="coerce").to_numpy(dtype=float)
    r, c = _coords(x.iloc[:, 0], str(x.columns[0])), _coords(x.iloc[:, 1], str(x.columns[1]))
    ok = np.isfinite(z)
    if ok.sum() < 2:
        raise AsrError("asr_varioGram: fewer than two values with coordinates")
    gamma, npairs = semivariogram(z[ok], r[ok], c[ok])
    hx, hy = np.indices(gamma.shape)
    return pd.DataFrame({"x": hx.ravel().astype(float), "y": hy.ravel().astype(float),
                         "gamma": gamma.ravel(), "np": npairs.ravel()})
