"""AGHmatrix's ``Gmatrix()`` (method "VanRaden", any even ploidy) and ``Amatrix()`` (the
pedigree relationship of diploids and autopolyploids) for translated scripts.

``Gmatrix(SNPmatrix, method = "VanRaden", missingValue = -9, maf = 0, thresh.missing = 0.5,
ploidy = 2, ...)`` follows AGHmatrix's documented steps (its ``Mcheck``): values equal to
``missingValue`` are NA; markers whose missing rate is above ``thresh.missing`` are dropped
(when none is at or below it, all are kept, as AGHmatrix does); then markers with minor-allele
frequency min(f, 1 − f) < ``maf`` (f = column mean / ploidy); with ``rmv.mono`` the
monomorphic ones; NAs are imputed (``impute.method`` "mean", "mode", "global.mean",
"global.mode"). Diploids: p_j = (2 n₂ + n₁)/(2 n_obs) from the counts of 0/1/2 and
G = (X − 2p)(X − 2p)'/(2 Σ p_j(1 − p_j)) (VanRaden 2008). Ploidy > 2 (and ``ratio``):
G = ZZ'/Σ var(X_j), Z = X − column means (asr_py.genetics.polyploid). ``ASV = TRUE`` divides
by trace/(n − 1). Rows/columns are named by rownames(SNPmatrix).

``Amatrix(data, ploidy = 2, w = 0)``: data's first three columns are id, parent 1, parent 2
with "0" for an unknown parent; every parent must also be an id (AGHmatrix's verifyped).
A = 2v φ by Kerr et al. (2012)'s recursion (asr_py.genetics.polyploid), in the input order.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError, DataError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_Gmatrix", "r_Amatrix"]

_GMATRIX_FORMALS = ("SNPmatrix", "method", "missingValue", "maf", "thresh.missing",
                    "verify.posdef", "ploidy", "pseudo.diploid", "integer", "ratio",
                    "impute.method", "rmv.mono", "thresh.htzy", "ratio.check", "weights",
                    "ploidy.correction", "ASV")
_AMATRIX_FORMALS = ("data", "ploidy", "w", "verify", "dominance", "slater", "ASV")

#: R function -> (runtime function, formals, packages) for asreml_rules' _TMM_FUNCS
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Gmatrix": ("r_Gmatrix", _GMATRIX_FORMALS, ("AGHmatrix",)),
    "Amatrix": ("r_Amatrix", _AMATRIX_FORMALS, ("AGHmatrix",)),
}


def _mode(col: np.ndarray) -> float:
    """The most frequent value (the smallest of ties, as R's which.max(table(x)))."""
    vals, counts = np.unique(col[~np.isnan(col)], return_counts=True)
    return float(vals[np.argmax(counts)]) if vals.size else np.nan


def _mcheck(X: np.ndarray, names: list[str], *, ploidy: int, maf: float, thresh_missing: float,
            rmv_mono: bool, impute: str, thresh_htzy: float) -> tuple[np.ndarray, list[str]]:
    """AGHmatrix's Mcheck: missing-rate, MAF and monomorphic filters, then imputation."""
    keep = np.isnan(X).mean(axis=0) <= thresh_missing
    if keep.any():
        X, names = X[:, keep], [n for n, k in zip(names, keep, strict=True) if k]
    with np.errstate(invalid="ignore"):
        af = np.nanmean(X, axis=0) / ploidy if X.size else np.zeros(0)
    low = np.minimum(af, 1 - af) < maf
    X, names = X[:, ~low], [n for n, k in zip(names, low, strict=True) if not k]
    if rmv_mono:
        with np.errstate(invalid="ignore"):
            var = np.nanvar(X, axis=0, ddof=1)
        mono = ~(var > 0)
        X, names = X[:, ~mono], [n for n, k in zip(names, mono, strict=True) if not k]
    miss = np.isnan(X)
    if miss.any():
        if impute == "mean":
            fill = np.nanmean(X, axis=0)
        elif impute == "mode":
            fill = np.array([_mode(X[:, j]) for j in range(X.shape[1])])
        elif impute == "global.mean":
            fill = np.full(X.shape[1], np.nanmean(X))
        elif impute == "global.mode":
            fill = np.full(X.shape[1], _mode(X.ravel()))
        else:
            fill = None
        if fill is not None:
            r, c = np.nonzero(miss)
            X = X.copy()
            X[r, c] = fill[c]
    if thresh_htzy > 0:       # AGHmatrix keeps the markers BELOW the threshold here
        htz = ((X != 0) & (X != ploidy) & ~np.isnan(X)).sum(axis=0) / X.shape[0]
        low = htz < thresh_htzy
        if low.any():
            X, names = X[:, low], [n for n, k in zip(names, low, strict=True) if k]
    return X, names


def _markers(SNPmatrix: Any) -> tuple[np.ndarray, list[str] | None, list[str]]:
    """The marker matrix as floats, its row names (None without) and column names."""
    if isinstance(SNPmatrix, pd.DataFrame):
        try:
            X = SNPmatrix.to_numpy(dtype=float)
        except (TypeError, ValueError):
            bad = [c for c in SNPmatrix.columns
                   if not pd.api.types.is_numeric_dtype(SNPmatrix[c])][:3]
            raise AsrError(f"Gmatrix(): SNPmatrix has non-numeric columns {bad}",
                           hint="code genotypes as allele dosages 0..ploidy") from None
        rows = None if isinstance(SNPmatrix.index, pd.RangeIndex) else \
            [str(i) for i in SNPmatrix.index]
        return X, rows, [str(c) for c in SNPmatrix.columns]
    X = np.asarray(SNPmatrix, dtype=float)
    if X.ndim != 2:
        raise AsrError(f"Gmatrix(): SNPmatrix must be a matrix (individuals x markers), not "
                       f"shape {X.shape}")
    return X, None, [str(j + 1) for j in range(X.shape[1])]


def r_Gmatrix(SNPmatrix: Any = None, method: str = "VanRaden", missingValue: Any = -9,
              maf: float = 0.0, thresh_missing: float = 0.5, verify_posdef: bool = False,
              ploidy: int = 2, pseudo_diploid: bool = False, integer: bool = True,
              ratio: bool = False, impute_method: str = "mean", rmv_mono: bool = False,
              thresh_htzy: float = 0.0, ratio_check: bool = True, weights: Any = None,
              ploidy_correction: bool = False, ASV: bool = False) -> Any:
    """AGHmatrix's ``Gmatrix()`` (module docstring)."""
    from asr_py.genetics.polyploid import vanraden_polyploid

    if isinstance(SNPmatrix, Untranslated):
        return SNPmatrix._use()
    if SNPmatrix is None:
        raise AsrError("Gmatrix(): SNPmatrix is missing", hint="give the marker matrix")
    if ratio:
        method = "VanRaden"
    if method != "VanRaden":
        raise AsrError(f"Gmatrix(method = \"{method}\"): only method \"VanRaden\" is translated",
                       hint="the Yang/Su/Vitezica/Slater/Endelman matrices are not in asr_py")
    if pseudo_diploid:
        raise AsrError("Gmatrix(pseudo.diploid = TRUE) is not translated",
                       hint="use the default VanRaden polyploid parametrisation")
    ploidy = int(ploidy)
    if ploidy % 2 or not 2 <= ploidy <= 20:
        raise AsrError(f"Gmatrix(ploidy = {ploidy}): ploidy must be an even number 2..20")
    X, rows, names = _markers(SNPmatrix)
    all_names = list(names)
    if missingValue is not None and not pd.isna(missingValue):
        X = np.where(X == float(missingValue), np.nan, X)
    if not ratio:
        lo, hi = np.nanmin(X), np.nanmax(X)
        if hi > ploidy or lo < 0:
            raise AsrError(f"Gmatrix(): marker values must be dosages 0..{ploidy}, found "
                           f"[{lo:g}, {hi:g}]", hint=f"missing values are coded "
                           f"missingValue = {missingValue}; check the ploidy")
        if integer and not np.all(np.isnan(X) | (X == np.round(X))):
            raise AsrError("Gmatrix(): marker values are not whole numbers",
                           hint="integer = FALSE allows dosages that are not")
    elif np.nanmin(X) < 0 or np.nanmax(X) > 1:
        raise AsrError("Gmatrix(ratio = TRUE): values must be ratios in [0, 1]")
    if impute_method != "none" and (not ratio or ratio_check):
        X, names = _mcheck(X, names, ploidy=ploidy, maf=float(maf),
                           thresh_missing=float(thresh_missing), rmv_mono=bool(rmv_mono),
                           impute=str(impute_method), thresh_htzy=float(thresh_htzy))
    if X.shape[1] == 0:
        raise AsrError("Gmatrix(): no marker is left after the missing-data and MAF filters",
                       hint="lower maf= or raise thresh.missing=")
    w = None
    if weights is not None:
        wv = np.asarray(weights, dtype=float).ravel()
        if wv.size != len(all_names):
            raise AsrError(f"Gmatrix(): weights has {wv.size} values for {len(all_names)} "
                           "markers", hint="one weight per marker (column)")
        wmap = dict(zip(all_names, wv, strict=True))
        w = np.array([wmap[n] for n in names])
    if ploidy == 2 and not ratio:
        obs = ~np.isnan(X)
        nobs = obs.sum(axis=0)
        c1, c2 = (X == 1).sum(axis=0), (X == 2).sum(axis=0)
        c0 = (X == 0).sum(axis=0)
        p2 = np.where(nobs > 0, (2 * c2 + c1) / np.maximum(2 * nobs, 1), 0.0)
        p0 = np.where(nobs > 0, (2 * c0 + c1) / np.maximum(2 * nobs, 1), 0.0)
        denom = 2 * float(p0 @ p2)
        if denom <= 0:
            raise AsrError("Gmatrix(): the markers are monomorphic (2 sum pq = 0)")
        Z = np.where(obs, X - 2 * p2, 0.0)
        G = ((Z * w) @ Z.T if w is not None else Z @ Z.T) / denom
    else:
        G = vanraden_polyploid(X, ploidy=ploidy, ploidy_correction=bool(ploidy_correction),
                               ratio=bool(ratio), weights=w)
    if ASV:
        G = G / (np.trace(G) / (G.shape[0] - 1))
    if rows is None:
        return G
    return pd.DataFrame(G, index=rows, columns=rows)


def r_Amatrix(data: Any = None, ploidy: int = 2, w: float = 0.0, verify: bool = True,
              dominance: bool = False, slater: bool = False, ASV: bool = False) -> Any:
    """AGHmatrix's ``Amatrix()`` (module docstring)."""
    from asr_py.genetics.polyploid import polyploid_amatrix

    if isinstance(data, Untranslated):
        return data._use()
    if not isinstance(data, pd.DataFrame) or data.shape[1] != 3 or len(data) == 0:
        shape = getattr(data, "shape", None)
        raise AsrError(f"Amatrix(data): data must be a data frame of 3 columns (id, parent 1, "
                       f"parent 2), got {type(data).__name__} {shape or ''}".rstrip(),
                       hint="drop the other columns (data[, 1:3]); unknown parents are \"0\"")
    if dominance or slater:
        raise AsrError("Amatrix(dominance = TRUE / slater = TRUE) is not translated",
                       hint="the additive A (Kerr et al. 2012) is")
    ploidy = int(ploidy)

    def text(v: Any) -> str | None:
        if pd.isna(v):
            return "NA"
        t = str(v)
        if isinstance(v, float) and v.is_integer():
            t = str(int(v))
        return None if t == "0" else t

    ids = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
           for v in data.iloc[:, 0]]
    sire = [text(v) for v in data.iloc[:, 1]]
    dam = [text(v) for v in data.iloc[:, 2]]
    known = set(ids)
    for col, name in ((sire, "column 2"), (dam, "column 3")):
        bad = [(i, p) for i, p in zip(ids, col, strict=True) if p is not None and p not in known]
        if bad:
            i, p = bad[0]
            raise AsrError(f"Amatrix(): parent {p!r} ({name}, of {i!r}) is not listed as an "
                           f"individual ({len(bad)} such rows)",
                           hint="AGHmatrix needs every parent as a row with parents \"0\" "
                                "(unknown)")
    try:
        A = polyploid_amatrix(ids, sire, dam, ploidy=ploidy, w=float(w))
    except DataError as err:
        raise AsrError(f"Amatrix(): {err}") from None
    if ASV:
        A = A / (np.trace(A) / (A.shape[0] - 1))
    return pd.DataFrame(A, index=ids, columns=ids)
