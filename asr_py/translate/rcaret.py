"""caret's ``createFolds()`` for translated scripts (cross-validation folds), as caret
documents it (``?createFolds``):

* a numeric ``y`` is first grouped by its quantiles: ``cuts = floor(n / k)`` clipped to
  ``[2, 5]``, the groups ``cut(y, unique(quantile(y, seq(0, 1, length = cuts))),
  include.lowest = TRUE)``, so the folds are balanced over y's distribution;
* within each group (a factor's levels) the folds ``1..k`` are dealt as evenly as possible
  (``n_g %/% k`` rounds of ``1:k`` plus ``n_g %% k`` folds drawn without replacement, the whole
  shuffled); a group smaller than k draws its folds without replacement; with ``k >= n``
  each observation is its own fold;
* ``list = TRUE``: the row numbers (1-based) of each fold, named ``Fold1``... (zero-padded to
  one width: ``Fold01`` with ten or more folds); ``returnTrain = TRUE``: the other rows;
  ``list = FALSE``: the fold of each observation.

The draws come from numpy's generator (``set.seed()`` seeds it), not R's stream: the folds
are random in R too, so a script's numbers compare with R's only in distribution.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["CALLS", "r_createFolds"]

#: R function -> (runtime helper, formals in R's order, packages): rpkgcalls.py
CALLS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "createFolds": ("r_createFolds", ("y", "k", "list", "returnTrain"), ("caret",)),
}


def _groups(y: Any) -> np.ndarray:
    """The stratum of each observation (see the module): quantile groups of a numeric y,
    the levels of anything else."""
    s = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y.to_numpy())
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        v = s.to_numpy(dtype=float)
        if np.isnan(v).any():
            raise AsrError("createFolds(): y has missing values",
                           hint="caret's quantile() stops on them too; drop the NAs first")
        return v
    return s.astype(str).to_numpy()


def r_createFolds(y: Any, k: Any = 10, list: Any = True,  # noqa: N802, A002 - caret's names
                  returnTrain: Any = False) -> Any:  # noqa: N803
    """caret's ``createFolds(y, k, list, returnTrain)`` (see the module)."""
    if isinstance(y, Untranslated):
        return y._use()
    k = int(round(float(np.asarray(k).ravel()[0])))
    if k < 1:
        raise AsrError(f"createFolds(): k must be a positive number of folds, got {k}")
    g = _groups(y)
    n = len(g)
    if g.dtype.kind == "f":
        cuts = min(max(n // k, 2), 5)
        breaks = np.unique(np.quantile(g, np.linspace(0.0, 1.0, cuts)))
        # cut(include.lowest = TRUE): (b0, b1] with b0 itself in the first interval
        g = np.clip(np.searchsorted(breaks, g, side="left"), 1, max(len(breaks) - 1, 1))
    folds = np.zeros(n, dtype=int)
    if k < n:
        for level in np.unique(g):
            where = np.flatnonzero(g == level)
            m = len(where)
            if m // k > 0:
                seq = np.tile(np.arange(1, k + 1), m // k)
                if m % k:
                    seq = np.concatenate([seq, np.random.choice(np.arange(1, k + 1), m % k,
                                                                replace=False)])
                folds[where] = np.random.permutation(seq)
            else:
                folds[where] = np.random.choice(np.arange(1, k + 1), m, replace=False)
    else:
        folds = np.arange(1, n + 1)
    if not bool(np.asarray(list).ravel()[0]):
        return folds
    present = np.unique(folds)
    width = len(str(len(present)))
    rows = np.arange(1, n + 1)
    out = {f"Fold{str(i + 1).zfill(width)}": rows[folds == f] for i, f in enumerate(present)}
    if bool(np.asarray(returnTrain).ravel()[0]):
        out = {name: np.setdiff1d(rows, idx) for name, idx in out.items()}
    return out
