"""asremlPlus's ``exploreLSDs``: the distribution of the LSDs of all pairwise comparisons
(LSD_ij = t_{1−α/2, ν}·SED_ij) and how well each summary of them would serve as one LSD.

For the comparisons (overall, or within each combination of the ``LSDby`` factors), with
missing and zero SEDs removed as asremlPlus's ``rm.nazero`` does: the statistics c (their
number), min, quant10, quant25, mean (√mean LSD²), median, quant75, quant90, max (R's
default quantile, numpy's linear); for each statistic used as the LSD, its accuracy
(``LSDaccuracy``, :func:`asr_py.compat.lsd.lsd_accuracy`), its false positives
(|d| ≥ LSD but |d| < LSD_ij) and false negatives; the accuracy of each statistic for each
prediction's comparisons (per.pred.accuracy); a histogram of the LSDs with R's ``hist``
breaks (``pretty`` over the range, Sturges' number of classes) and the distinct LSDs to
``digits`` significant digits. Predictions that are all equal with equal standard errors
(a projection by linTransform) give asremlPlus's LSD of two independent predictions,
t·√2·se, and missing accuracies and counts.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from asr_py.compat.alldiffs import Alldiffs, _check, _combos
from asr_py.compat.lsd import ACCURACIES, ZERO_TOL, lsd_accuracy, pick, rm_nazero
from asr_py.compat.lsdsearch import lsd_inputs
from asr_py.compat.rlist import RList, RNullList
from asr_py.errors import AsrError
from asr_py.warning_classes import AsrWarning

__all__ = ["exploreLSDs", "r_pretty", "r_hist"]

LABS = ("min", "quant10", "quant25", "mean", "median", "quant75", "quant90", "max")
_EPS = float(np.finfo(float).eps)


def r_pretty(lo: float, hi: float, n: int = 5, min_n: int | None = None) -> np.ndarray:
    """R's ``pretty(c(lo, hi), n, min.n)`` with R's defaults (shrink.sml = 0.75,
    high.u.bias = 1.5, u5.bias = 2.75): R_pretty of src/appl/pretty.c, written once in
    :func:`asr_py.translate.rgraphvalues.r_pretty` (checked there against R's output)."""
    from asr_py.translate.rgraphvalues import r_pretty as pretty

    return pretty(lo, hi, n, min_n)


def r_hist(x: np.ndarray, breaks: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's ``hist(x, plot = FALSE, include.lowest = TRUE)``: (breaks, counts, mids); the
    classes are right-closed, the first also closed on the left; missing values dropped."""
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    if breaks is None:
        if v.size == 0:
            raise AsrError("exploreLSDs(): no finite LSD to make a histogram of")
        nclass = math.ceil(math.log2(v.size) + 1) if v.size else 1
        breaks = r_pretty(float(v.min()), float(v.max()), nclass, min_n=1)
    b = np.asarray(breaks, dtype=float)
    diddle = 1e-7 * (float(np.median(np.diff(b))) if b.size > 1 else 0.0)
    fuzzy = b + np.r_[-diddle, np.full(b.size - 1, diddle)]
    # R's classes are right-closed (numpy's histogram is left-closed)
    idx = np.searchsorted(fuzzy, v, side="left") - 1
    idx[v == fuzzy[0]] = 0
    ok = (idx >= 0) & (idx < b.size - 1)
    counts = np.bincount(idx[ok], minlength=b.size - 1)
    return b, counts, 0.5 * (b[1:] + b[:-1])


def _label(v: float) -> str:
    """R's as.character of a double (15 significant digits)."""
    return f"{v:.15g}"


def _signif(x: np.ndarray, digits: int) -> np.ndarray:
    """R's ``signif``."""
    out = np.asarray(x, dtype=float).copy()
    nz = np.isfinite(out) & (out != 0)
    p = digits - 1 - np.floor(np.log10(np.abs(out[nz])))
    out[nz] = np.round(out[nz] * 10.0 ** p) / 10.0 ** p
    return out


def _allstats(k: np.ndarray, d: np.ndarray, accuracy: str) -> dict[str, pd.DataFrame]:
    """asremlPlus's ``LSDallstats`` of the LSDs ``k`` (t already applied) and differences."""
    c = float(k.size)
    q = np.quantile(k, [0, 0.10, 0.25, 0.50, 0.75, 0.90, 1.0])
    vals = {"min": q[0], "quant10": q[1], "quant25": q[2],
            "mean": float(np.sqrt(np.mean(k * k))), "median": q[3], "quant75": q[4],
            "quant90": q[5], "max": q[6]}
    actual = np.abs(d) >= k
    fp = {lab: float(np.sum(~actual & (np.abs(d) >= v))) for lab, v in vals.items()}
    fn = {lab: float(np.sum(actual & ~(np.abs(d) >= v))) for lab, v in vals.items()}
    acc = {lab: lsd_accuracy(k, v, 1.0, accuracy) for lab, v in vals.items()}
    row = {"c": c}
    return {"statistics": pd.DataFrame([{**row, **vals}]),
            "accuracy": pd.DataFrame([{**row, **acc}]),
            "false.pos": pd.DataFrame([{**row, **fp}]),
            "false.neg": pd.DataFrame([{**row, **fn}])}


def _singular_stats(v: float) -> dict[str, pd.DataFrame]:
    na = {"c": 0.0, **dict.fromkeys(LABS, np.nan)}
    return {"statistics": pd.DataFrame([{"c": 0.0, **dict.fromkeys(LABS, v)}]),
            "accuracy": pd.DataFrame([na]), "false.pos": pd.DataFrame([na]),
            "false.neg": pd.DataFrame([na])}


def _pred_acc(L: np.ndarray, stats_row: pd.Series, accuracy: str, retain: bool,
              tol: float, labels: Sequence[str]) -> pd.DataFrame:
    """asremlPlus's ``LSDpred.acc`` for each statistic: each row's accuracy."""
    out = {}
    for lab in LABS:
        a = float(stats_row[lab])
        col = []
        for i in range(L.shape[0]):
            s, _ = rm_nazero(L[i], None, retain, tol)
            col.append(np.nan if np.isnan(a) else lsd_accuracy(s, a, 1.0, accuracy))
        out[lab] = col
    return pd.DataFrame(out, index=list(labels))


def _is_singular(k: np.ndarray, d: np.ndarray, se: np.ndarray, tol: float) -> bool:
    return (k.size == 1 and k[0] == 0 and np.unique(d).size == 1 and se.size > 0
            and float(np.ptp(se)) < tol)


def exploreLSDs(alldiffs_obj: Alldiffs, LSDtype: str = "overall",
                LSDby: Sequence[str] | str | None = None,
                LSDaccuracy: str = "maxAbsDeviation", alpha: float = 0.05, digits: int = 3,
                retain_zeroLSDs: bool = False, zero_tolerance: float = ZERO_TOL,
                plotHistogram: bool = False) -> RList:
    """asremlPlus's ``exploreLSDs.alldiffs`` (module docstring): a list with frequencies,
    distinct.vals, statistics, accuracy, false.pos, false.neg, per.pred.accuracy and LSD
    (the matrix t·SED). With LSDtype "factor.combinations" each of them has one row (or
    entry) per combination of the ``LSDby`` factors. ``plotHistogram`` is not drawn."""
    _check(alldiffs_obj, "exploreLSDs")
    acc = pick(LSDaccuracy, ACCURACIES, "LSDaccuracy")
    typ, pred, by, sed, t = lsd_inputs(alldiffs_obj, "exploreLSDs", LSDtype, LSDby, alpha)
    if plotHistogram:
        warnings.warn("exploreLSDs(plotHistogram=TRUE): the histogram is not drawn",
                      AsrWarning, stacklevel=2)
    sed_df = sed if isinstance(sed, pd.DataFrame) else pd.DataFrame(np.asarray(sed))
    L = t * sed_df.to_numpy(dtype=float)
    pv = pred["predicted.value"].to_numpy(dtype=float)
    dif = alldiffs_obj.get("differences")
    D = (np.asarray(dif, dtype=float) if dif is not None else pv[None, :] - pv[:, None])
    se = pred["standard.error"].to_numpy(dtype=float)
    labels = [str(x) for x in sed_df.index]
    n = L.shape[0]
    iu = np.triu_indices(n, 1)
    breaks, counts, mids = r_hist(L[iu])
    kw = dict(retain=retain_zeroLSDs, tol=zero_tolerance)
    if typ == "overall":
        k, d = rm_nazero(L[iu], D[iu], retain_zeroLSDs, zero_tolerance)
        Lout = L.copy()
        if _is_singular(k, d, se, zero_tolerance):
            v = t * np.sqrt(2.0) * float(se[0])
            Lout[iu] = v
            Lout[(iu[1], iu[0])] = v
            _, counts, mids = r_hist(Lout[iu])
            parts = _singular_stats(v)
            ppa = pd.DataFrame(np.nan, index=labels, columns=list(LABS))
            distinct = np.unique(_signif(Lout[iu], digits))
        else:
            parts = _allstats(k, d, acc)
            ppa = _pred_acc(L, parts["statistics"].iloc[0], acc, labels=labels, **kw)
            u = L[iu]
            distinct = np.unique(_signif(u[~np.isnan(u)], digits))
        out = RNullList({"frequencies": pd.Series(counts, index=[_label(m) for m in mids]),
                     "distinct.vals": distinct, **parts, "per.pred.accuracy": ppa,
                     "LSD": pd.DataFrame(Lout, index=sed_df.index, columns=sed_df.columns)})
    else:
        g = _combos(pred, by)
        levs = [str(x) for x in g.cat.categories]
        gs = g.astype(str).to_numpy()
        rows: dict[str, dict[str, pd.DataFrame]] = {}
        freq, distinct, ppas = {}, {}, []
        for lev in levs:
            idx = np.flatnonzero(gs == lev)
            sub = np.ix_(idx, idx)
            ju = np.triu_indices(idx.size, 1)
            k, d = rm_nazero(L[sub][ju], D[sub][ju], retain_zeroLSDs, zero_tolerance)
            distinct[lev] = np.unique(_signif(k, digits))
            if idx.size == 1 or _is_singular(k, d, se[idx], zero_tolerance):
                warnings.warn("LSD calculated for a single prediction - applies to two "
                              "independent predictions with the same standard error",
                              AsrWarning, stacklevel=2)
                rows[lev] = _singular_stats(t * np.sqrt(2.0) * float(se[idx[0]]))
                ppas.append(pd.DataFrame(np.nan, index=[labels[i] for i in idx]
                                         if idx.size == 1 else [lev], columns=list(LABS)))
                continue
            rows[lev] = _allstats(k, d, acc)
            ppas.append(_pred_acc(L[sub], rows[lev]["statistics"].iloc[0], acc,
                                  labels=[labels[i] for i in idx], **kw))
            freq[lev] = r_hist(L[sub][ju], breaks)[1]
        parts = {key: pd.concat([rows[lev][key] for lev in levs], ignore_index=True)
                 .set_axis(levs) for key in ("statistics", "accuracy", "false.pos",
                                             "false.neg")}
        out = RNullList({"frequencies": pd.DataFrame.from_dict(
                        freq, orient="index", columns=[_label(m) for m in mids]),
                     "distinct.vals": distinct, **parts,
                     "per.pred.accuracy": pd.concat(ppas),
                     "LSD": pd.DataFrame(L, index=sed_df.index, columns=sed_df.columns)})
    out.attrs = {"LSDtype": typ, "LSDby": by or None, "LSDaccuracy": acc, "alpha": alpha,
                 "retain.zeroLSDs": retain_zeroLSDs}
    return out
