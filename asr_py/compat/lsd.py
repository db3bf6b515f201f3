"""Least significant differences (asremlPlus's ``LSDstats``), from the standard errors of
the pairwise differences (SED) of predictions:

    LSD_ij = t_{1−α/2, ν} · SED_ij,
    minLSD = t·min SED,  meanLSD = t·√(mean SED²),  maxLSD = t·max SED,

the assigned LSD the chosen statistic (``mean``, ``minimum``, ``maximum``, ``median`` or the
quantile ``q10``/``q25``/``q75``/``q90`` of t·SED, R's default quantile = numpy's linear),
its accuracy (``maxAbsDeviation``: max|t·SED − LSD|/LSD; ``maxDeviation``; ``q90Deviation``;
``RootMeanSqDeviation``) and the comparisons it misjudges: falsePos (|d| ≥ LSD but
|d| < t·SED) and falseNeg (the converse). SEDs that are missing or, relative to the
largest, below ``zero_tolerance`` (predictions that are the same) are left out unless
``retain_zero`` (asremlPlus's ``rm.nazero``); equal predictions with equal standard
errors get the LSD of two independent predictions, t·√2·se.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.warning_classes import AsrWarning

__all__ = ["LSD_COLUMNS", "STATISTICS", "ACCURACIES", "lsd_accuracy", "lsd_stats", "lsd_table",
           "pick", "rm_nazero"]

LSD_COLUMNS = ("c", "minLSD", "meanLSD", "maxLSD", "assignedLSD", "accuracyLSD", "falsePos",
               "falseNeg")
STATISTICS = ("minimum", "q10", "q25", "median", "mean", "q75", "q90", "maximum")
ACCURACIES = ("maxAbsDeviation", "maxDeviation", "q90Deviation", "RootMeanSqDeviation")
ZERO_TOL = float(np.finfo(float).eps ** 0.5)


def pick(value: str, options: Sequence[str], what: str) -> str:
    """R's partial matching of an option (``"Stand"`` is ``"StandardError"``)."""
    hits = [o for o in options if o == value] or [o for o in options if o.startswith(value)]
    if len(hits) != 1:
        raise AsrError(f"{what}={value!r} is not one of {', '.join(options)}")
    return hits[0]


def pick_statistics(value: Any, what: str = "LSDstatistic") -> str | list[str]:
    """LSDstatistic: one statistic, or (asremlPlus) one per LSDby combination, in the
    combinations' order; each partially matched (``"med"`` is ``"median"``)."""
    if isinstance(value, str):
        return pick(value, STATISTICS, what)
    vals = [pick(str(v), STATISTICS, what) for v in np.ravel(np.asarray(value, dtype=object))]
    return vals[0] if len(vals) == 1 else vals


def rm_nazero(sed: np.ndarray, dif: np.ndarray | None = None, retain_zero: bool = False,
              zero_tol: float = ZERO_TOL) -> tuple[np.ndarray, np.ndarray]:
    """asremlPlus's ``rm.nazero``: the SEDs (and differences) without missing values and,
    unless ``retain_zero``, without SEDs that are zero relative to the largest
    (``sed/max(sed) <= zero_tol``); when no SED is above ``zero_tol`` (all predictions the
    same, or no comparison at all) a single zero SED with a zero difference stands for them."""
    s = np.asarray(sed, dtype=float).ravel()
    d = (np.zeros_like(s) if dif is None else np.asarray(dif, dtype=float).ravel())
    ok = ~np.isnan(s)
    s, d = s[ok], d[ok]
    if retain_zero:
        return s, d
    top = s.max() if s.size else np.nan
    if not top > zero_tol:
        return np.zeros(1), np.zeros(1)
    keep = s / top > zero_tol
    return s[keep], d[keep]


def _singular(s: np.ndarray, d: np.ndarray, se: np.ndarray | None, zero_tol: float) -> bool:
    """asremlPlus's test for comparisons that are all of equal predictions with equal
    standard errors (a single zero SED left by :func:`rm_nazero`, one difference, standard
    errors within ``zero_tol``): their LSD is that of two independent predictions."""
    if se is None or s.size != 1 or s[0] != 0 or np.unique(d).size != 1:
        return False
    e = np.asarray(se, dtype=float)
    return e.size > 0 and float(np.ptp(e)) < zero_tol


def _two_independent(t: float, se: float) -> dict[str, float]:
    """The LSD row of a single prediction: t·√2·se, c = 0 (asremlPlus warns likewise)."""
    warnings.warn("LSD calculated for a single prediction - applies to two independent "
                  "predictions with the same standard error", AsrWarning, stacklevel=5)
    v = t * np.sqrt(2.0) * float(se)
    return {"c": 0.0, "minLSD": v, "meanLSD": v, "maxLSD": v, "assignedLSD": v,
            "accuracyLSD": np.nan, "falsePos": np.nan, "falseNeg": np.nan}


def lsd_accuracy(sed: np.ndarray, assigned: float, t: float,
                 accuracy: str = "maxAbsDeviation") -> float:
    """The accuracy of an assigned LSD for comparisons with SEDs ``sed`` (module docstring);
    NaN when there are none or the LSD is not positive."""
    s = np.asarray(sed, dtype=float)
    if s.size == 0 or not assigned > 0:
        return np.nan
    dev = t * s - assigned
    return float({"maxAbsDeviation": lambda: np.max(np.abs(dev)),
                  "maxDeviation": lambda: np.max(dev),
                  "q90Deviation": lambda: np.quantile(dev, 0.9),
                  "RootMeanSqDeviation": lambda: np.sqrt(np.mean(dev * dev))}[accuracy]()
                 / assigned)


def lsd_stats(sed: np.ndarray, dif: np.ndarray, t: float, statistic: str = "mean",
              accuracy: str = "maxAbsDeviation", retain_zero: bool = False,
              zero_tol: float = ZERO_TOL, assigned: float | None = None,
              se: np.ndarray | None = None) -> dict[str, float]:
    """One row of LSD statistics for the comparisons with SEDs ``sed``, differences ``dif``;
    ``assigned``: a supplied LSD (LSDtype "supplied") instead of ``statistic``'s. ``se``:
    the standard errors of the predictions compared; when they are equal and so are the
    predictions (every SED zero, as after a projection by linTransform), the row is
    asremlPlus's LSD of two independent predictions, t·√2·se, with c = 0 (a supplied LSD
    keeps its value)."""
    s, d = rm_nazero(sed, dif, retain_zero, zero_tol)
    if _singular(s, d, se, zero_tol):
        row = _two_independent(t, np.asarray(se, dtype=float).ravel()[0])
        if assigned is not None:
            row["assignedLSD"] = float(assigned)
        return row
    row = dict.fromkeys(LSD_COLUMNS, np.nan)
    row["c"] = float(s.size)
    if s.size == 0:
        return row
    row.update(minLSD=t * s.min(), meanLSD=t * np.sqrt(np.mean(s * s)), maxLSD=t * s.max())
    q = {"q10": 0.10, "q25": 0.25, "median": 0.5, "q75": 0.75, "q90": 0.90}
    a = (t * np.quantile(s, q[statistic]) if statistic in q else
         row[{"minimum": "minLSD", "mean": "meanLSD", "maximum": "maxLSD"}[statistic]])
    if assigned is not None:
        a = float(assigned)
    row["assignedLSD"] = a
    row["accuracyLSD"] = lsd_accuracy(s, a, t, accuracy)
    actual = np.abs(d) >= t * s
    approx = np.abs(d) >= a
    row["falsePos"] = float(np.sum(~actual & approx))
    row["falseNeg"] = float(np.sum(actual & ~approx))
    return row


def lsd_table(sed: np.ndarray, dif: np.ndarray, t: float, groups: pd.Series | None,
              per_prediction: bool = False, labels: Sequence[str] = (),
              statistic: str | Sequence[str] = "mean", accuracy: str = "maxAbsDeviation",
              retain_zero: bool = False, zero_tol: float = ZERO_TOL,
              se: np.ndarray | None = None,
              supplied: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The LSD component: one "overall" row (``groups`` None), one row per level of
    ``groups`` (comparisons within it: LSDtype "factor.combinations"), or one row per
    prediction (its comparisons with all others: "per.prediction"). A combination holding
    a single prediction gets asremlPlus's LSD of two independent predictions with its
    standard error, t·√2·se (c = 0, with a warning), and so does a row whose predictions
    are all equal with equal standard errors (``se``). ``supplied``: the assigned LSD of each
    row by its label (LSDtype "supplied"); the accuracy and false significances are those
    of the supplied value."""
    n = sed.shape[0]
    iu = np.triu_indices(n, 1)
    several = not isinstance(statistic, str)
    if several and (groups is None or per_prediction):
        raise AsrError("several LSDstatistic values need LSDtype='factor.combinations' "
                       "(one per LSDby combination)", hint="give one LSDstatistic")
    kw: dict[str, Any] = dict(statistic=statistic, accuracy=accuracy,
                              retain_zero=retain_zero, zero_tol=zero_tol)

    def given(label: str) -> dict[str, Any]:
        if supplied is None:
            return {}
        if label not in supplied:
            raise AsrError(f"LSDsupplied has no value for {label!r}",
                           hint="name the values by the LSDby combinations ('a,b'), or "
                                "'overall' without LSDby")
        return {"assigned": float(supplied[label])}
    if per_prediction:
        rows = {}
        for i in range(n):
            o = np.arange(n) != i
            rows[labels[i]] = lsd_stats(sed[i, o], dif[i, o], t, **kw, **given(labels[i]))
        return pd.DataFrame.from_dict(rows, orient="index")[list(LSD_COLUMNS)]
    if groups is None:
        row = lsd_stats(sed[iu], dif[iu], t, **kw, **given("overall"), se=se)
        if supplied is not None and row["c"] == 0 and se is not None:
            row["assignedLSD"] = row["meanLSD"]     # asremlPlus overwrites a supplied LSD
        return pd.DataFrame([row],
                            index=["overall"])[
            list(LSD_COLUMNS)]
    g = groups.astype(str).to_numpy()
    levels = (list(groups.cat.categories) if isinstance(groups.dtype, pd.CategoricalDtype)
              else list(pd.unique(g)))
    if several and len(statistic) != len(levels):
        raise AsrError(f"{len(statistic)} LSDstatistic values for {len(levels)} LSDby "
                       "combinations", hint="give one statistic, or one per combination")
    rows = {}
    for k, lev in enumerate(levels):
        if several:
            kw["statistic"] = statistic[k]
        idx = np.flatnonzero(g == lev)
        if idx.size == 1 and se is not None:
            rows[str(lev)] = _two_independent(t, se[idx[0]])
            rows[str(lev)]["assignedLSD"] = given(str(lev)).get(
                "assigned", rows[str(lev)]["assignedLSD"])     # a supplied LSD stays
            continue
        ju = np.triu_indices(idx.size, 1)
        sub = np.ix_(idx, idx)
        rows[str(lev)] = lsd_stats(sed[sub][ju], dif[sub][ju], t, **kw, **given(str(lev)),
                                   se=None if se is None else se[idx])
    return pd.DataFrame.from_dict(rows, orient="index")[list(LSD_COLUMNS)]
