"""asremlPlus's ``findLSDminerrors``: the LSD value that misjudges fewest comparisons.

For a set of pairwise comparisons with LSD_ij = t·SED_ij and differences d_ij, an
approximate LSD L declares a difference significant when |d_ij| ≥ L; the actual test when
|d_ij| ≥ LSD_ij. With falsePos(L) = #(¬actual ∧ |d| ≥ L), falseNeg(L) = #(actual ∧ |d| < L)
the criterion is w·falsePos + falseNeg (w = ``false_pos_wt``). asremlPlus's search, kept
as is: a grid of ``nvalues`` + 1 points over [min LSD, max LSD], the smallest L with the
least criterion and then the fewest false positives, then steps of 0.1/``nvalues`` (in
the LSD's units) below it while the criterion and false positives stay the same. One set
of comparisons overall (LSDtype "overall") or per combination of the ``LSDby`` factors;
a set with one prediction (or only zero SEDs) gets t·√2·se and missing counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.compat.alldiffs import Alldiffs, _check, _combos, _sed_from_vcov
from asr_py.compat.lsd import ZERO_TOL, pick
from asr_py.errors import AsrError

__all__ = ["findLSDminerrors"]

_COLS = ["LSD", "false.pos", "false.neg", "false.criterion"]


def _counts(L: float, lsd: np.ndarray, dif: np.ndarray, actual: np.ndarray,
            wt: float) -> tuple[float, float, float]:
    approx = np.abs(dif) >= L
    ok = ~np.isnan(actual)
    act = actual.astype(bool) & ok
    fp = float(np.sum(ok & ~act & approx))
    fn = float(np.sum(act & ~approx))
    return fp, fn, fp * wt + fn


def _search(lsd: np.ndarray, dif: np.ndarray, actual: np.ndarray, wt: float, nvalues: int,
            tol: float) -> list[float]:
    lo, hi = float(np.min(lsd)), float(np.max(lsd))
    if not hi - lo > tol:
        return [lo, np.nan, np.nan, np.nan]
    step = 1.0 / nvalues
    grid = [lo + s * (hi - lo) for s in np.arange(nvalues + 1) * step]
    rows = [(L, *_counts(L, lsd, dif, actual, wt)) for L in grid]
    crit = min(r[3] for r in rows)
    best = [r for r in rows if r[3] == crit]
    fpmin = min(r[1] for r in best)
    opt = [r for r in best if r[1] == fpmin][0]
    if opt[0] > lo:
        test, stepval = opt[0], 0.1 * step
        for _ in range(10):
            test -= stepval
            fp, _fn, c = _counts(test, lsd, dif, actual, wt)
            if c != opt[3] or fp != opt[1]:
                break
        L = test + stepval
        opt = (L, *_counts(L, lsd, dif, actual, wt))
    return list(opt)


def lsd_inputs(alldiffs_obj: Alldiffs, fn: str, LSDtype: str,
               LSDby: Sequence[str] | str | None,
               alpha: float) -> tuple[str, pd.DataFrame, list[str], object, float]:
    """What asremlPlus's LSD searches check and take from an alldiffs object: the LSDtype
    ("overall" or "factor.combinations", the latter needing LSDby), the predictions, the
    LSDby columns, the SED matrix (from vcov when absent) and t_{1-α/2, tdf}."""
    typ = pick(LSDtype, ("overall", "factor.combinations"), "LSDtype")
    pred = alldiffs_obj["predictions"]
    by = [] if LSDby is None else [LSDby] if isinstance(LSDby, str) else list(LSDby)
    bad = [b for b in by if b not in pred.columns]
    if bad:
        raise AsrError(f"{fn}(): LSDby {bad} are not columns of the predictions",
                       hint="LSDby names classify variables")
    if typ == "factor.combinations" and not by:
        raise AsrError(f"{fn}(): LSDtype 'factor.combinations' needs LSDby")
    sed = alldiffs_obj.get("sed")
    if sed is None:
        if alldiffs_obj.get("vcov") is None:
            raise AsrError(f"{fn}(): neither the vcov nor the sed component is present",
                           hint="predictPlus(..., Vmatrix=True)")
        sed = _sed_from_vcov(alldiffs_obj["vcov"])
    tdf = alldiffs_obj.attrs.get("tdf")
    if tdf is None or not np.isfinite(tdf):
        raise AsrError(f"{fn}(): the degrees of freedom of the t-distribution are not "
                       "available - LSDs cannot be calculated")
    return typ, pred, by, sed, float(stats.t.ppf(1 - alpha / 2, tdf))


def findLSDminerrors(alldiffs_obj: Alldiffs, LSDtype: str = "overall",
                     LSDby: Sequence[str] | str | None = None, alpha: float = 0.05,
                     false_pos_wt: float | Sequence[float] = 10, nvalues: int = 100,
                     retain_zeroLSDs: bool = False, zero_tolerance: float = ZERO_TOL,
                     trace: bool = False) -> pd.DataFrame:
    """asremlPlus's ``findLSDminerrors.alldiffs`` (module docstring): a data frame with one
    row per set of comparisons ("overall" or the LSDby combinations) and columns LSD,
    false.pos, false.neg, false.criterion."""
    _check(alldiffs_obj, "findLSDminerrors")
    typ, pred, by, sed, t = lsd_inputs(alldiffs_obj, "findLSDminerrors", LSDtype, LSDby,
                                       alpha)
    S = np.asarray(sed, dtype=float)
    pv = pred["predicted.value"].to_numpy(dtype=float)
    D = alldiffs_obj["differences"].to_numpy(dtype=float) if alldiffs_obj.get(
        "differences") is not None else pv[None, :] - pv[:, None]
    se = pred["standard.error"].to_numpy(dtype=float)
    n = len(pv)
    if typ == "overall":
        sets = {"overall": np.arange(n)}
    else:
        g = _combos(pred, by)
        sets = {str(lev): np.flatnonzero(g.astype(str).to_numpy() == str(lev))
                for lev in g.cat.categories}
    wts = np.ravel(np.asarray(false_pos_wt, dtype=float))
    if wts.size == 1:
        wts = np.repeat(wts, len(sets))
    if wts.size != len(sets):
        raise AsrError(f"findLSDminerrors(): false.pos.wt must have 1 or the number of "
                       f"combinations ({len(sets)}) of the LSDby factors")
    out = {}
    for (lab, idx), wt in zip(sets.items(), wts):
        if idx.size <= 1 and typ != "overall":
            out[lab] = [t * np.sqrt(2.0) * float(se[idx[0]]) if idx.size else np.nan,
                        np.nan, np.nan, np.nan]
            continue
        iu = np.triu_indices(idx.size, 1)
        lsd = (t * S[np.ix_(idx, idx)])[iu]
        dif = D[np.ix_(idx, idx)][iu]
        keep = ~np.isnan(lsd)
        lsd, dif = lsd[keep], dif[keep]
        single = False
        if not retain_zeroLSDs:
            nz = np.abs(lsd) > zero_tolerance
            if not nz.any():
                lsd, dif, single = np.zeros(1), np.zeros(1), True
            else:
                lsd, dif = lsd[nz], dif[nz]
        if (single or lsd.size == 1 and lsd[0] == 0) and \
                np.ptp(se[idx]) < zero_tolerance:
            lsd = np.array([t * np.sqrt(2.0) * float(se[idx[0]])])
        actual = (np.abs(dif) >= lsd).astype(float)
        out[lab] = _search(lsd, dif, actual, float(wt), int(nvalues), zero_tolerance)
    res = pd.DataFrame.from_dict(out, orient="index", columns=_COLS)
    res.attrs = {"LSDtype": typ, "LSDby": LSDby, "alpha": alpha,
                 "retain.zeroLSDs": retain_zeroLSDs}
    return res
