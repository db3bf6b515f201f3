"""asremlPlus's plots of an alldiffs object's LSDs (asremlPlus R/plotLSDs.r): the data
they plot, and one heat map per section.

* :func:`plotLSDs`: the LSD of each pair of predictions, t_{1−α/2, tdf} · SED_ij, melted
  into Rows, Columns, LSDs (:func:`~asr_py.compat.alldiffs.pairs_table`).
* :func:`plotLSDerrors`: for each pair, whether judging it by the assigned LSD (the LSD
  component's ``assignedLSD``: overall, or of the pair's LSDby combination, NA for pairs in
  different combinations; or, with ``useIntervals``, by whether the error intervals
  overlap) agrees with its p-value (p ≤ α): ``"Ok"``, ``"FN"`` (significant, not by the
  LSD), ``"FP"`` (by the LSD, not significant) or ``"na"`` (diagonal, no LSD).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.compat.alldiffs import Alldiffs, _check, _combos, pairs_table, sort_alldiffs
from asr_py.compat.rlist import RList, RNullList
from asr_py.errors import AsrError

__all__ = ["plotLSDs", "plotLSDerrors"]

#: plot styling arguments asremlPlus takes: accepted, without effect here
_STYLE = ("gridspacing", "factors_per_grid", "title", "axis_labels", "axis_text_size", "sep",
          "colours", "ggplotFuncs", "printPlot")


def _prepared(object: Alldiffs, fn: str, other: Mapping[str, Any],
              sort: Mapping[str, Any]) -> Alldiffs:
    _check(object, fn)
    bad = [k for k in other if k not in _STYLE]
    if bad:
        raise AsrError(f"{fn}(): unknown argument(s) {', '.join(sorted(bad))}")
    if object.get("sed") is None:
        raise AsrError(f"{fn}(): the sed component of object cannot be NULL",
                       hint="form the alldiffs object with pairwise = TRUE")
    if np.all(np.isnan(object["sed"].to_numpy(dtype=float))):
        raise AsrError(f"{fn}(): all sed values are NA")
    if object.attrs.get("tdf") is None:
        raise AsrError(f"{fn}(): the degrees of freedom of the t-distribution are not "
                       "available in the alldiffs object - LSDs cannot be calculated")
    if sort.get("sortFactor") is not None:
        object = sort_alldiffs(object, **sort)
    return object


def _figures(tab: pd.DataFrame, value: str, sections: Sequence[str] | None,
             title: str, show: bool) -> dict[str, Any]:
    """One heat map of ``value`` per section (all pairs without sections); None entries
    when ``show`` is False or matplotlib is not installed."""
    parts = ({"1": tab} if not sections else
             {str(lev): tab[(tab["sections1"] == lev) & (tab["sections2"] == lev)]
              for lev in tab["sections1"].cat.categories})
    if not show:
        return dict.fromkeys(parts)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return dict.fromkeys(parts)
    out = {}
    for lev, part in parts.items():
        vals = part[value]
        if not pd.api.types.is_numeric_dtype(vals):
            vals = pd.Categorical(vals.fillna("na"), categories=["Ok", "FN", "FP", "na"]).codes
        wide = pd.DataFrame({"r": part["Rows"].to_numpy(), "c": part["Columns"].to_numpy(),
                             "v": np.asarray(vals, dtype=float)}).pivot_table(
            index="r", columns="c", values="v", dropna=False, observed=True, aggfunc="first")
        fig, ax = plt.subplots()
        im = ax.imshow(wide.to_numpy(dtype=float))
        ax.set_title(title if not sections else f"{title} for {', '.join(sections)} = {lev}")
        fig.colorbar(im, ax=ax, label=value)
        plt.close(fig)
        out[lev] = fig
    return out


def plotLSDs(object: Alldiffs, alpha: float = 0.05, sections: Sequence[str] | str | None = None,
             triangles: str = "both", show: bool = True, sortFactor: str | None = None,
             sortParallelToCombo: Mapping[str, Any] | None = None,
             sortNestingFactor: str | None = None, sortOrder: Sequence[str] | None = None,
             decreasing: bool = False, **other: Any) -> RList:
    """asremlPlus's ``plotLSDs.alldiffs`` (module docstring): ``LSDs``, the long table
    (Rows, Columns, LSDs; ``sections1``/``sections2`` with ``sections``) and ``plots``."""
    sections = [sections] if isinstance(sections, str) else sections
    object = _prepared(object, "plotLSDs", other, dict(
        sortFactor=sortFactor, sortParallelToCombo=sortParallelToCombo,
        sortNestingFactor=sortNestingFactor, sortOrder=sortOrder, decreasing=decreasing))
    t = float(stats.t.ppf(1 - alpha / 2, float(object.attrs["tdf"])))
    tab = pairs_table(object, t * object["sed"], "LSDs", sections, triangles, "plotLSDs")
    return RNullList(LSDs=tab, plots=_figures(tab, "LSDs", sections, "Plot of LSDs", show))


def _assigned(object: Alldiffs) -> np.ndarray:
    """The assigned LSD of each pair (NA on the diagonal and between LSDby combinations)."""
    lsd = object.get("LSD")
    if lsd is None or "assignedLSD" not in lsd.columns:
        raise AsrError("plotLSDerrors(): the alldiffs object has no LSD component",
                       hint="recalcLSD() or redoErrorIntervals() first")
    n = object["sed"].shape[0]
    if str(lsd.index[0]) == "overall":
        out = np.full((n, n), float(lsd["assignedLSD"].iloc[0]))
    else:
        by = object.attrs.get("LSDby")
        if by is None:
            raise AsrError("plotLSDerrors(): the LSDby attribute of the alldiffs object is "
                           "NULL", hint="the LSD component must be overall or per LSDby "
                                        "combination")
        combos = _combos(object["predictions"], [by] if isinstance(by, str) else list(by))
        combos = combos.astype(str).to_numpy()
        out = np.full((n, n), np.nan)
        for lev, val in lsd["assignedLSD"].items():
            k = combos == str(lev)
            if not k.any():
                raise AsrError("plotLSDerrors(): no elements of the sed component correspond "
                               f"to the LSD for {lev}")
            out[np.ix_(k, k)] = float(val)
    np.fill_diagonal(out, np.nan)
    return out


def _by_intervals(pred: pd.DataFrame) -> np.ndarray:
    """Pairs whose error intervals do not overlap (NA on the diagonal)."""
    lims = [c for c in pred.columns if c.endswith(".limit")]
    if len(lims) != 2:
        raise AsrError("plotLSDerrors(): useIntervals needs exactly two columns whose names "
                       f"end with .limit, the predictions have {lims}")
    lo = pred[[c for c in lims if c.startswith("lower.")][0]].to_numpy(dtype=float)
    up = pred[[c for c in lims if c.startswith("upper.")][0]].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        sig = ((lo[:, None] >= up[None, :]) | (up[:, None] <= lo[None, :])).astype(float)
    np.fill_diagonal(sig, np.nan)
    return sig


def plotLSDerrors(object: Alldiffs, alpha: float = 0.05, useIntervals: bool = False,
                  sections: Sequence[str] | str | None = None, triangles: str = "both",
                  show: bool = True, sortFactor: str | None = None,
                  sortParallelToCombo: Mapping[str, Any] | None = None,
                  sortNestingFactor: str | None = None, sortOrder: Sequence[str] | None = None,
                  decreasing: bool = False, **other: Any) -> RList:
    """asremlPlus's ``plotLSDerrors.alldiffs`` (module docstring): ``LSDresults``, the long
    table (Rows, Columns, LSDresults; sections as plotLSDs) and ``plots``."""
    sections = [sections] if isinstance(sections, str) else sections
    object = _prepared(object, "plotLSDerrors", other, dict(
        sortFactor=sortFactor, sortParallelToCombo=sortParallelToCombo,
        sortNestingFactor=sortNestingFactor, sortOrder=sortOrder, decreasing=decreasing))
    P = object.get("p.differences")
    if P is None:
        raise AsrError("plotLSDerrors(): the alldiffs object has no p.differences")
    p = P.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        actual, not_actual = p <= alpha, p > alpha      # a NA p-value is neither (R's NA)
        if useIntervals:
            approx = _by_intervals(object["predictions"])
        else:
            lsd = _assigned(object)
            d = np.abs(object["differences"].to_numpy(dtype=float))
            approx = np.where(np.isnan(lsd), np.nan, (d >= lsd).astype(float))
    known = ~np.isnan(approx)
    res = np.where(known, "Ok", "na").astype("O")
    res[known & actual & (approx == 0)] = "FN"
    res[known & not_actual & (approx == 1)] = "FP"
    frame = pd.DataFrame(res, index=object["sed"].index, columns=object["sed"].columns)
    tab = pairs_table(object, frame, "LSDresults", sections, triangles, "plotLSDerrors")
    return RNullList(LSDresults=tab,
                 plots=_figures(tab, "LSDresults", sections, "Plot of LSD errors", show))
