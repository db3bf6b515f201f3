"""asremlPlus's ``pickLSDstatistics.alldiffs``: for each set of comparisons (one overall, or
one per combination of the ``LSDby`` factors), the LSD statistic whose LSD makes the fewest
errors in the pairwise comparisons, from :func:`~asr_py.compat.lsdexplore.exploreLSDs`'s
``false.pos`` and ``false.neg`` tables (columns min, quant10, quant25, mean, median,
quant75, quant90, max; asremlPlus R/alldiffs.v5.r):

* a statistic with no false positive and no false negative: the first such (column order);
* otherwise, with ``false.pos.wt`` NULL: among the statistics with the fewest false
  positives p, the first with the fewest false negatives n;
* with ``false.pos.wt`` w: the first minimising w·p + n (ties: the fewest p, first);
* a set whose errors are all NA (a single prediction): "min".

"quant" is written "q" (``q75``), as asremlPlus's ``gsub("quant", "q", .)``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.lsd import ZERO_TOL
from asr_py.compat.lsdexplore import exploreLSDs

__all__ = ["pickLSDstatistics", "pick_from_errors"]


def _pick_row(fp: pd.Series, fn: pd.Series, wt: float | None) -> str:
    """The statistic picked for one set of comparisons (the module docstring's rules)."""
    pos, neg = fp.to_numpy(dtype=float), fn.to_numpy(dtype=float)
    names = [str(c) for c in fp.index]
    none = (pos == 0) & (neg == 0)
    if np.all(np.isnan(pos) | np.isnan(neg)):
        return "min"
    if none.any():
        k = int(np.flatnonzero(none)[0])
    elif wt is None:
        cand = np.flatnonzero(pos == np.nanmin(pos))
        k = int(cand[np.flatnonzero(neg[cand] == np.nanmin(neg[cand]))[0]])
    else:
        tot = pos * float(wt) + neg
        cand = np.flatnonzero(tot == np.nanmin(tot))
        k = int(cand[np.flatnonzero(pos[cand] == np.nanmin(pos[cand]))[0]])
    return names[k].replace("quant", "q")


def pick_from_errors(false_pos: pd.DataFrame, false_neg: pd.DataFrame,
                     false_pos_wt: float | None = None) -> np.ndarray:
    """The statistic picked for each row of exploreLSDs' ``false.pos``/``false.neg`` (their
    count column ``c`` left out) as a character vector."""
    fp = false_pos.drop(columns=["c"], errors="ignore")
    fn = false_neg.drop(columns=["c"], errors="ignore")
    return np.array([_pick_row(fp.iloc[i], fn.iloc[i], false_pos_wt)
                     for i in range(len(fn))], dtype=object)


def pickLSDstatistics(alldiffs_obj: Any, LSDtype: str = "overall",
                      LSDby: Sequence[str] | str | None = None, alpha: float = 0.05,
                      digits: int = 3, false_pos_wt: float | None = None,
                      retain_zeroLSDs: bool = False, zero_tolerance: float = ZERO_TOL,
                      **_: Any) -> np.ndarray:
    """asremlPlus's ``pickLSDstatistics.alldiffs`` (module docstring): one statistic per set
    of comparisons, "min", "q10", "q25", "mean", "median", "q75", "q90" or "max"."""
    errs = exploreLSDs(alldiffs_obj, LSDtype=LSDtype, LSDby=LSDby, alpha=alpha,
                       digits=digits, retain_zeroLSDs=retain_zeroLSDs,
                       zero_tolerance=zero_tolerance)
    return pick_from_errors(errs["false.pos"], errs["false.neg"], false_pos_wt)
