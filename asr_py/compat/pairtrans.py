"""asremlPlus's transforms of the predictions in an alldiffs object pairing two levels of
one classify factor within each combination of the others (asremlPlus R/pairTrans.r).

* :func:`ratioTransform`: for each numerator level n and denominator level d of
  ``ratio_factor``, the ratios θ = a/b of the predictions a (level n) and b (level d) at each
  combination of the other classify factors, with Fieller's confidence limits
  (t = t_{1−α/2, tdf}, or z without tdf; V the 2×2 variance matrix of (a, b)):
  g = t²V_bb/b², s = √(V_aa − 2θV_ab + θ²V_bb − g(V_aa − V_ab²/V_bb)),
  limits (θ − gV_ab/V_bb ∓ t s/b)/(1 − g), both NA when the upper is below the lower
  (an unbounded set when b is not significant).
* :func:`pairdiffsTransform`: the differences a − b, by :func:`linTransform` with the
  contrast matrix L (one row per combination of the other factors holding both levels:
  +1 at a, −1 at b), their error intervals and LSDs redone as asked.

Both return an R named list, named ``"n,d"`` (``outer(first, second, paste, sep=",")``):
an entry is NULL (None) when a level is not among the predictions or n equals d.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.compat.alldiffs import (
    INTERVALS,
    Alldiffs,
    _check,
    _cls,
    classify_vars,
    linTransform,
    redoErrorIntervals,
    renewClassify,
    sort_alldiffs,
)
from asr_py.compat.lsd import pick
from asr_py.compat.rlist import RNullList
from asr_py.errors import AsrError

__all__ = ["ratioTransform", "pairdiffsTransform", "fieller_ratio"]


def fieller_ratio(a: float, b: float, v: np.ndarray, t: float) -> tuple[float, float, float]:
    """The ratio a/b and its Fieller limits (upper, lower) for the 2×2 variance matrix ``v``
    of (a, b) and the quantile ``t`` (module docstring); NaN limits when the set is not an
    interval."""
    theta = a / b
    g = t * t * v[1, 1] / b ** 2
    with np.errstate(invalid="ignore"):
        se = np.sqrt(v[0, 0] - 2 * theta * v[0, 1] + theta ** 2 * v[1, 1]
                     - g * (v[0, 0] - v[0, 1] ** 2 / v[1, 1]))
    mid = theta - g * v[0, 1] / v[1, 1]
    ucl = (mid + t / b * se) / (1 - g)
    lcl = (mid - t / b * se) / (1 - g)
    if np.isfinite(ucl) and np.isfinite(lcl) and ucl < lcl:
        ucl = lcl = np.nan
    return float(theta), float(ucl), float(lcl)


def _levels(s: pd.Series) -> list[str]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(v) for v in s.cat.categories]
    return [str(v) for v in pd.unique(s.dropna())]


def _texts(x: Any, fn: str, arg: str) -> list[str]:
    vals = [x] if isinstance(x, (str, int, float)) else list(x)
    if not vals:
        raise AsrError(f"{fn}(): {arg} holds no level")
    return [str(v) for v in vals]


def _t_quantile(obj: Alldiffs, alpha: float) -> float:
    """asremlPlus's t: t_{1−α/2} on the object's tdf, the normal quantile without one."""
    tdf = obj.attrs.get("tdf")
    if tdf is None or not np.isfinite(float(tdf)):
        return float(stats.norm.ppf(1 - alpha / 2))
    return float(stats.t.ppf(1 - alpha / 2, float(tdf)))


def _prepare(obj: Alldiffs, factor: str, first: list[str], second: list[str], fn: str,
             arg: str) -> tuple[Alldiffs, list[str], list[str]]:
    """The object in standard order, the other classify factors; checks as asremlPlus."""
    _check(obj, fn)
    classify = _cls(obj)
    facs = classify_vars(classify)
    if isinstance(factor, (list, tuple)) or factor not in facs:
        raise AsrError(f"{fn}(): {arg} must specify a single factor that is in the classify "
                       f"of the alldiffs object", hint=f"classify: {classify}")
    obj = renewClassify(obj, classify)
    pred = obj["predictions"]
    levs = _levels(pred[factor])
    bad = [v for v in first + second if v not in levs]
    if bad:
        raise AsrError(f"{fn}(): {bad} are not levels of {factor} in the alldiffs object",
                       hint=f"levels: {', '.join(levs)}")
    return obj, [f for f in facs if f != factor], levs


def _level_pairs(lev: np.ndarray, groups: list[tuple[tuple[str, ...], np.ndarray]],
                 first: Sequence[str], second: Sequence[str]
                 ) -> Iterator[tuple[str, str, str,
                                     list[tuple[tuple[str, ...], np.ndarray, np.ndarray]]
                                     | None]]:
    """The pairs (``"f,s"``, f, s) (``second`` slowest, as asremlPlus names them) with, for each
    combination of the other factors (``groups``), the rows holding level f and level s of
    the pair factor (``lev``); None for a pair with a level absent or twice the same level."""
    present = set(lev)
    for s in second:
        for f in first:
            name = f"{f},{s}"
            if f not in present or s not in present or f == s:
                yield name, f, s, None
                continue
            yield name, f, s, [(vals, idx[lev[idx] == f], idx[lev[idx] == s])
                               for vals, idx in groups]


def _groups(pred: pd.DataFrame, indx: list[str]) -> list[tuple[tuple[str, ...], np.ndarray]]:
    """The combinations of ``indx`` present, in R's ``split(lex.order = TRUE)`` order (the
    first factor slowest, each in its level order), with the rows of each."""
    if not indx:
        return [((), np.arange(len(pred)))]
    codes = []
    for v in indx:
        s = pred[v]
        codes.append(s.cat.codes.to_numpy() if isinstance(s.dtype, pd.CategoricalDtype)
                     else pd.Categorical(s.astype(str), categories=_levels(s)).codes)
    key = np.stack(codes, axis=1)
    out: dict[tuple[int, ...], list[int]] = {}
    for i in np.lexsort([key[:, j] for j in reversed(range(len(indx)))]):
        out.setdefault(tuple(key[i]), []).append(int(i))
    return [(tuple(str(pred[v].iloc[rows[0]]) for v in indx), np.array(rows))
            for rows in out.values()]


def _factor(values: list[Any], like: pd.Series) -> pd.Categorical:
    return pd.Categorical([None if v is None else str(v) for v in values],
                          categories=_levels(like))


def ratioTransform(alldiffs_obj: Alldiffs, ratio_factor: str, numerator_levels: Any,
                   denominator_levels: Any, method: str = "Fieller", alpha: float = 0.05,
                   response: str | None = None, response_title: str | None = None,
                   tables: str | Sequence[str] = "predictions", **other: Any) -> RNullList:
    """asremlPlus's ``ratioTransform.alldiffs`` (module docstring): a list of predictions
    frames (the other classify factors, ``predicted.value`` the ratio, ``standard.error``
    NA, ``upper/lower.Confidence.limit`` Fieller's limits, ``est.status``). Needs vcov."""
    pick(method, ("Fieller",), "method")
    if other:
        raise AsrError(f"ratioTransform(): unknown argument(s) {', '.join(sorted(other))}")
    num = _texts(numerator_levels, "ratioTransform", "numerator_levels")
    den = _texts(denominator_levels, "ratioTransform", "denominator_levels")
    if alldiffs_obj.get("vcov") is None:
        raise AsrError("ratioTransform(): the alldiffs object must have a non-null vcov "
                       "component", hint="use Vmatrix = TRUE when forming the alldiffs object")
    obj, indx, _ = _prepare(alldiffs_obj, ratio_factor, num, den, "ratioTransform",
                            "ratio_factor")
    t = _t_quantile(obj, alpha)
    a = obj.attrs
    pred = obj["predictions"]
    W = obj["vcov"].to_numpy(dtype=float)
    pv = pred["predicted.value"].to_numpy(dtype=float)
    lev = pred[ratio_factor].astype(str).to_numpy()
    out = RNullList()
    for name, _, _, matches in _level_pairs(lev, _groups(pred, indx), num, den):
        if matches is None:
            out[name] = None
            continue
        rows = []
        for vals, i, j in matches:
            r = (np.nan, np.nan, np.nan)
            if len(i) == 1 and len(j) == 1:
                k = [int(i[0]), int(j[0])]
                r = fieller_ratio(pv[k[0]], pv[k[1]], W[np.ix_(k, k)], t)
            rows.append((*vals, *r))
        frame = pd.DataFrame({v: _factor([r[c] for r in rows], pred[v])
                              for c, v in enumerate(indx)})
        c = len(indx)
        frame["predicted.value"] = [r[c] for r in rows]
        frame["standard.error"] = np.nan
        frame["upper.Confidence.limit"] = [r[c + 1] for r in rows]
        frame["lower.Confidence.limit"] = [r[c + 2] for r in rows]
        frame["est.status"] = "Estimable"
        frame.attrs = {"response": response or a.get("response"),
                       "response.title": response_title or a.get("response.title"),
                       "r_class": ["predictions.frame", "data.frame"]}
        sf = a.get("sortFactor")
        if sf is not None and sf != ratio_factor and sf in indx:
            frame = _sorted_frame(frame, indx, sf, a.get("sortOrder"))
        out[name] = frame
    opts = [tables] if isinstance(tables, str) else list(tables)
    if opts == ["predictions"]:
        print(f"\n\n#### Table(s) of ratio predictions and confidence limits for "
              f"{response or a.get('response')}\n")
        print(out)
    return out


def _sorted_frame(frame: pd.DataFrame, indx: list[str], sort_factor: str,
                  order: Sequence[str] | None) -> pd.DataFrame:
    """The ratios in the order of the alldiffs object's sorted ``sort_factor`` levels."""
    if order is None:
        return frame
    attrs = dict(frame.attrs)
    out = frame.copy()
    out[sort_factor] = pd.Categorical(out[sort_factor].astype(str),
                                      categories=[str(v) for v in order])
    keys = [out[v].cat.codes.to_numpy() for v in reversed(indx)]
    out = out.iloc[np.lexsort(keys)].reset_index(drop=True)
    out.attrs = attrs | {"sortFactor": sort_factor, "sortOrder": list(order)}
    return out


def pairdiffsTransform(alldiffs_obj: Alldiffs, pairs_factor: str, first_levels: Any,
                       second_levels: Any, Vmatrix: bool = False,
                       error_intervals: str = "Confidence", avsed_tolerance: float = 0.25,
                       accuracy_threshold: float | None = None, LSDtype: str = "overall",
                       LSDsupplied: Any = None, LSDby: Sequence[str] | str | None = None,
                       LSDstatistic: str = "mean", LSDaccuracy: str = "maxAbsDeviation",
                       response: str | None = None, response_title: str | None = None,
                       tables: str | Sequence[str] = "all", pairwise: bool = True,
                       alpha: float = 0.05, **other: Any) -> RNullList:
    """asremlPlus's ``pairdiffsTransform.alldiffs`` (module docstring): a list of alldiffs
    objects for the differences first − second of ``pairs_factor``'s levels within each
    combination of the other classify factors (their classify), with ``error_intervals``
    and the LSDs as asked. Needs the vcov component."""
    if "meanLSD_type" in other or "meanLSD.type" in other:
        raise AsrError("pairdiffsTransform(): meanLSD.type has been deprecated - use LSDtype")
    if other:
        raise AsrError(f"pairdiffsTransform(): unknown argument(s) {', '.join(sorted(other))}")
    kind = pick(error_intervals, INTERVALS, "error_intervals")
    first = _texts(first_levels, "pairdiffsTransform", "first_levels")
    second = _texts(second_levels, "pairdiffsTransform", "second_levels")
    if alldiffs_obj.get("vcov") is None:
        raise AsrError("pairdiffsTransform(): the alldiffs object has no vcov component",
                       hint="use Vmatrix = TRUE when forming the alldiffs object")
    obj, indx, _ = _prepare(alldiffs_obj, pairs_factor, first, second, "pairdiffsTransform",
                            "pairs_factor")
    if not indx:
        raise AsrError("pairdiffsTransform(): the classify has no factor besides "
                       f"{pairs_factor} to pair its levels within")
    obj.attrs["alpha"] = alpha
    sort_factor = obj.attrs.get("sortFactor")
    pred = obj["predictions"]
    lev = pred[pairs_factor].astype(str).to_numpy()
    out = RNullList()
    for name, f, s, matches in _level_pairs(lev, _groups(pred, indx), first, second):
        if matches is None:
            out[name] = None
            continue
        rows, labels, combos = [], [], []
        for vals, i, j in matches:
            if len(i) == 1 and len(j) == 1:
                row = np.zeros(len(pred))
                row[i[0]], row[j[0]] = 1.0, -1.0
                rows.append(row)
                labels.append(",".join(vals))
                combos.append(vals)
        if not rows:
            raise AsrError(f"pairdiffsTransform(): no combination of {', '.join(indx)} "
                           f"holds both level {f} and level {s} of {pairs_factor}")
        L = pd.DataFrame(np.array(rows), index=labels)
        diffs = linTransform(obj, L, Vmatrix=Vmatrix, error_intervals="Confidence",
                             avsed_tolerance=avsed_tolerance,
                             accuracy_threshold=accuracy_threshold, alpha=alpha)
        p = diffs["predictions"]
        facs = pd.DataFrame(
            {v: (pd.Categorical(labels, categories=labels) if len(indx) == 1
                 else _factor([c[k] for c in combos], pred[v]))
             for k, v in enumerate(indx)})
        attrs = dict(p.attrs)
        p = pd.concat([facs, p.drop(columns="Combination").reset_index(drop=True)],
                      axis=1)
        p.attrs = attrs
        diffs["predictions"] = p
        diffs = renewClassify(diffs, ":".join(indx))
        diffs = redoErrorIntervals(diffs, error_intervals=kind, alpha=alpha,
                                   avsed_tolerance=avsed_tolerance,
                                   accuracy_threshold=accuracy_threshold,
                                   LSDtype=LSDtype, LSDby=LSDby, LSDsupplied=LSDsupplied,
                                   LSDstatistic=LSDstatistic, LSDaccuracy=LSDaccuracy)
        if sort_factor is not None and sort_factor != pairs_factor and sort_factor in indx:
            diffs = sort_alldiffs(diffs, sortFactor=sort_factor,
                                  sortOrder=diffs.attrs.get("sortOrder"))
        if response is not None:
            diffs.attrs["response"] = response
        if response_title is not None:
            diffs.attrs["response.title"] = response_title
        out[name] = diffs
    opts = [tables] if isinstance(tables, str) else list(tables)
    if opts != ["none"]:
        for name, d in out.items():
            if d is not None:
                print(f"\n\n#### {name}\n")
                print(d)
    return out
