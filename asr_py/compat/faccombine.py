"""asremlPlus's ``facCombine.alldiffs`` (R/alldiffs.v5.r 779-899): several classify
factors of an alldiffs object combined into one.

The new factor (named ``A_B`` for factors A and B with ``sep="_"``) is dae's
``fac.combine`` of the factors (levels: the combinations that occur, in standard order,
labelled by the levels joined with ``sep``); it takes the first factor's column in the
predictions and backtransforms and the others are dropped, as in the classify; the
matrices are relabelled. The LSDby follows: combining exactly the LSDby factors makes
the new factor the LSDby; combining some of them with others removes them from it (to
NULL, the LSDtype then "overall", with a warning) and the intervals are redone first.
Then the error intervals the predictions have are redone with the object's LSD settings.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.alldiffs import (
    Alldiffs,
    _check,
    _cls,
    _labels,
    _with_attr,
    classify_vars,
    redoErrorIntervals,
)
from asr_py.compat.dae import fac_combine
from asr_py.errors import AsrError
from asr_py.warning_classes import AsrWarning

__all__ = ["facCombine"]

_REDO_SETTINGS = ("LSDtype", "LSDby", "LSDstatistic", "LSDaccuracy", "avsed_tolerance",
                  "avsed.tolerance", "accuracy_threshold", "accuracy.threshold", "alpha")


def _intervals(pred: pd.DataFrame) -> str:
    """The kind of error intervals the predictions have (the last found, as asremlPlus)."""
    kind = "none"
    for k in ("StandardError", "Confidence", "halfLeastSignificant"):
        if any(f"{k}.limit" in c for c in pred.columns):
            kind = k
    return kind


def _redo(obj: Alldiffs, lsdtype: Any, lsdby: Any) -> Alldiffs:
    """redoErrorIntervals with the object's settings (R/alldiffs.v5.r 841-847, 893-898)."""
    if lsdtype is None or lsdtype == "supplied":
        return obj
    pa = obj["predictions"].attrs
    avsed = pa.get("avsed.tolerance", 0.25)
    avsed = getattr(avsed, "value", avsed)
    thr = pa.get("accuracy.threshold")
    thr = getattr(thr, "value", thr)
    a = obj.attrs
    return redoErrorIntervals(obj, error_intervals=_intervals(obj["predictions"]),
                              alpha=a.get("alpha") or 0.05,
                              avsed_tolerance=None if avsed is None or np.isnan(avsed)
                              else float(avsed),
                              accuracy_threshold=None if thr is None or np.isnan(thr)
                              else float(thr),
                              LSDtype=lsdtype, LSDby=lsdby,
                              LSDstatistic=a.get("LSDstatistic"),
                              LSDaccuracy=a.get("LSDaccuracy"))


def _combine_frame(frame: pd.DataFrame, factors: list[str], comb: pd.Series,
                   newfac: str) -> pd.DataFrame:
    """``frame`` with the first factor's column replaced by ``comb`` (named ``newfac``)
    and the other factors dropped, its attributes kept."""
    cols = [c for c in frame.columns if c not in factors[1:]]
    out = frame[cols].copy()
    out[factors[0]] = pd.Series(comb.array, index=out.index)
    out = out.rename(columns={factors[0]: newfac})
    out.attrs = frame.attrs
    return out


def facCombine(object: Alldiffs, factors: Sequence[str], order: str = "standard",
               combine_levels: bool = True, sep: str = "_", level_length: Any = None,
               **other: Any) -> Alldiffs:
    """asremlPlus's ``facCombine.alldiffs`` (module docstring)."""
    _check(object, "facCombine")
    bad = [k for k in other if k in _REDO_SETTINGS]
    if bad:
        raise AsrError(f"facCombine(): {', '.join(bad)} cannot be given here",
                       hint="to change LSDtype, LSDby, LSDstatistic, LSDaccuracy, "
                            "avsed.tolerance, accuracy.threshold or alpha use "
                            "redoErrorIntervals")
    if other:
        raise AsrError(f"facCombine(): argument(s) {', '.join(sorted(other))} not supported",
                       hint="facCombine(object, factors, order, combine_levels, sep)")
    if level_length is not None and not (isinstance(level_length, float)
                                         and np.isnan(level_length)):
        raise AsrError("facCombine(): level_length is not emulated",
                       hint="leave level_length at NA")
    facs = [factors] if isinstance(factors, str) else [str(f) for f in factors]
    pred = object["predictions"]
    missing = [f for f in facs if f not in pred.columns]
    if missing:
        raise AsrError(f"facCombine(): {', '.join(missing)} not in the predictions",
                       hint=f"columns: {', '.join(map(str, pred.columns))}")
    if len(facs) <= 1:
        raise AsrError("facCombine(): need at least two factors to combine")
    out = object.copy()
    a = out.attrs
    lsdtype, lsdby = a.get("LSDtype"), a.get("LSDby")
    if isinstance(lsdby, str):
        lsdby = [lsdby]
    if lsdby and any(f in lsdby for f in facs):
        if all(f in lsdby for f in facs) and len(facs) == len(lsdby):
            lsdby = sep.join(facs)
            a["LSDby"] = lsdby
            for comp in ("predictions", "backtransforms"):
                fr = out.get(comp)
                if fr is not None and fr.attrs.get("LSDby") is not None:
                    out[comp] = _with_attr(fr, "LSDby", lsdby)
        else:
            lsdby = [b for b in lsdby if b not in facs]
            if not lsdby:
                lsdtype, lsdby = "overall", None
                warnings.warn("Factor(s) in the set of factors to be combined have been "
                              "removed from the LSDby, reducing LSDby to NULL", AsrWarning,
                              stacklevel=2)
            else:
                warnings.warn("Factor(s) in the set of factors to be combined have been "
                              "removed from the LSDby, reducing LSDby to "
                              f"{','.join(lsdby)}", AsrWarning, stacklevel=2)
            out = _redo(out, lsdtype, lsdby)
    pred = out["predictions"]
    comb = fac_combine(pred[facs], order=order, combine_levels=combine_levels, sep=sep)
    newfac = sep.join(facs)
    out["predictions"] = _combine_frame(pred, facs, comb, newfac)
    if out.get("backtransforms") is not None:
        out["backtransforms"] = _combine_frame(out["backtransforms"], facs, comb, newfac)
    cls = classify_vars(_cls(out))
    cls = [newfac if v == facs[0] else v for v in cls if v not in facs[1:]]
    out.attrs["classify"] = ":".join(cls)
    labs = _labels(out["predictions"], out.attrs["classify"])
    for k in ("vcov", "differences", "p.differences", "sed"):
        m = out.get(k)
        if m is not None:
            out[k] = pd.DataFrame(m.to_numpy(), index=labs, columns=labs)
    return _redo(out, lsdtype, lsdby)
