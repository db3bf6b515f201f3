"""ASRgenomics' ``qc.filtering()`` and ``kinship.diagnostics()`` (ASRgenomics 1.1, VSNi):
quality control of a marker matrix M (individuals x markers, coded 0/1/2, NA missing)
before ``G.matrix()``, and of the kinship matrix K it gives.

``qc.filtering(M, base = FALSE, na.string = NA, map, marker, chrom, pos, ref = NULL,
marker.callrate = 1, ind.callrate = 1, maf = 0, heterozygosity = 1, Fis = 1,
impute = FALSE, Mrecode = FALSE, plots = TRUE, digits = 2, message = TRUE)``:

* values equal to ``na.string`` (compared as R's ``%in%`` does, so ``"-1"`` matches -1)
  become NA; any value left other than 0, 1, 2 or NA is an error; markers with no
  observed value are dropped;
* then two rounds of, in this order (each a filter on the current matrix):
  markers whose proportion missing exceeds ``marker.callrate``; individuals whose
  proportion missing exceeds ``ind.callrate``; markers with MAF
  ``q = min(p, 1 - p)``, ``p = mean(M)/2`` over observed values, below ``maf``; markers
  whose observed heterozygosity ``ho = mean(M == 1)`` exceeds ``heterozygosity``; markers
  with ``|Fis| > Fis``, ``Fis = 1 - ho / he``, ``he = 2 p (1 - p)`` (0 where he is 0);
* ``impute = TRUE``: each missing value is its marker's mean, then M is rounded to
  ``digits``.

Returns a list ``M.clean`` (the filtered matrix), ``map`` (its rows for the kept markers),
and the plots (``plot.missing.ind``, ``plot.missing.SNP``, ``plot.heteroz``, ``plot.Fis``,
``plot.maf``: ggplot histograms in R, NULL here). A filter value of NA (a marker that lost
every observed value when individuals were dropped) drops the marker (R indexes with NA).
``base``/``ref``/``Mrecode`` stop as in ASRgenomics (``snp.recode()`` recodes).

``kinship.diagnostics(K, diagonal.thr.large = 1.2, diagonal.thr.small = 0.8,
duplicate.thr = 0.95, clean.diagonal = FALSE, clean.duplicate = FALSE, plots = TRUE,
sample.plot = 1, message = TRUE)``: reports the range and mean of diag(K) and of the
non-zero entries below the diagonal; ``list.diagonal`` the diagonal values above
``diagonal.thr.large`` or below ``diagonal.thr.small`` (column ``value``, named by
individual, largest first); ``list.duplicate`` the pairs i > j whose correlation
``K_ij / sqrt(K_ii K_jj)`` exceeds ``duplicate.thr`` (``Indiv.A`` = i, ``Indiv.B`` = j,
``Value``, ``Corr``, largest Corr first); each NULL when empty; ``clean.kinship`` K without
the flagged individuals (both of a duplicate pair) when asked, else NULL; the plots
(``plot.diag``, ``plot.offdiag``) are notes, not drawn.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.rlist import RList
from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_kinship_diagnostics", "r_qc_filtering"]

#: R function -> (runtime function, formals, packages) for asreml_rules' _TMM_FUNCS
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "qc.filtering": ("r_qc_filtering", (
        "M", "base", "na.string", "map", "marker", "chrom", "pos", "ref", "marker.callrate",
        "ind.callrate", "maf", "heterozygosity", "Fis", "impute", "Mrecode", "plots",
        "digits", "message"), ("ASRgenomics",)),
    "kinship.diagnostics": ("r_kinship_diagnostics", (
        "K", "diagonal.thr.large", "diagonal.thr.small", "duplicate.thr", "clean.diagonal",
        "clean.duplicate", "plots", "sample.plot", "message"), ("ASRgenomics",)),
}

_EPS = float(np.finfo(float).eps)


def _say(on: bool, text: str) -> None:
    if on:
        print(text, file=sys.stderr)


def _g(v: Any) -> str:
    """A number as R's message() shows it (1, not 1.0)."""
    try:
        return f"{float(v):.15g}"
    except (TypeError, ValueError):
        return str(v)


def _is_missing_code(na_string: Any) -> bool:
    """Whether na.string stands for R's NA (no extra missing code)."""
    if na_string is None:
        return True
    if isinstance(na_string, str):
        return na_string == "NA"
    try:
        return bool(pd.isna(na_string))
    except (TypeError, ValueError):
        return False


def _code_mask(M: pd.DataFrame, na_string: Any) -> np.ndarray:
    """Cells equal to na.string as R's ``M %in% na.string`` (both as text, a number as R
    prints it: -1 and "-1" match)."""
    try:
        num = float(na_string)
    except (TypeError, ValueError):
        num = None
    vals = M.to_numpy(dtype=object)
    if num is not None:
        as_num = pd.DataFrame(vals).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        return np.isclose(as_num, num, rtol=0, atol=0) & ~np.isnan(as_num)
    text = str(na_string)
    return np.vectorize(lambda v: str(v) == text, otypes=[bool])(vals)


def _maf(X: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        p = np.nanmean(X, axis=0) / 2.0 if X.shape[0] else np.full(X.shape[1], np.nan)
    return np.minimum(p, 1.0 - p)


def _ho(X: np.ndarray) -> np.ndarray:
    obs = ~np.isnan(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(obs, X == 1, False).sum(axis=0) / obs.sum(axis=0)


def _fis(X: np.ndarray) -> np.ndarray:
    q = _maf(X)
    he = 2.0 * (1.0 - q) * q
    ho = _ho(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isnan(he) | (he == 0), 0.0, 1.0 - ho / he)


def _keep(test: np.ndarray) -> np.ndarray:
    """A filter's TRUE entries (an NA entry, a marker left with no observed value: dropped)."""
    return np.asarray(test, dtype=bool) & ~pd.isna(test)


def _check_rate(value: float, what: str) -> float:
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise AsrError(f"qc.filtering(): specification of {what} must be between 0 and 1 "
                       f"(got {value!r})")
    return v


def r_qc_filtering(M: Any = None, base: bool = False, na_string: Any = np.nan,
                   map: Any = None, marker: Any = None, chrom: Any = None,  # noqa: A002
                   pos: Any = None, ref: Any = None, marker_callrate: float = 1.0,
                   ind_callrate: float = 1.0, maf: float = 0.0, heterozygosity: float = 1.0,
                   Fis: float = 1.0, impute: bool = False, Mrecode: bool = False,  # noqa: N803
                   plots: bool = True, digits: int = 2, message: bool = True) -> Any:
    """ASRgenomics' ``qc.filtering()`` (module docstring)."""
    if isinstance(M, Untranslated):
        return M._use()
    if ref is not None or bool(base) or bool(Mrecode):
        raise AsrError("qc.filtering(): the recoding (base, ref, Mrecode) has been deprecated "
                       "in ASRgenomics", hint="recode the markers first with snp.recode()")
    if not isinstance(M, pd.DataFrame) or M.ndim != 2:
        raise AsrError("qc.filtering(): M should be a valid object of class matrix "
                       "(individuals x markers) with row and column names")
    if isinstance(M.columns, pd.RangeIndex):
        raise AsrError("qc.filtering(): marker names not assigned to columns of matrix M",
                       hint="set them first: colnames(M) <- marker ids")
    if isinstance(M.index, pd.RangeIndex):
        raise AsrError("qc.filtering(): individuals names not assigned to rows of matrix M",
                       hint="set them first: rownames(M) <- ids (read.table(row.names = 1))")
    mcr = _check_rate(marker_callrate, "marker.callrate")
    icr = _check_rate(ind_callrate, "ind.callrate")
    q_min = _check_rate(maf, "maf")
    fis_max = _check_rate(Fis, "Fis")
    h_max = _check_rate(heterozygosity, "heterozygosity")
    if map is not None:
        if marker is None:
            raise AsrError("qc.filtering(): 'marker' must be provided if 'map' is provided")
        for name, arg in (("marker", marker), ("chrom", chrom), ("pos", pos)):
            if arg is not None and arg not in map.columns:
                raise AsrError(f"qc.filtering(): value provided to argument '{name}' does "
                               "not correspond to a variable in 'map'")
        if [str(v) for v in map[marker]] != [str(c) for c in M.columns]:
            raise AsrError("qc.filtering(): map[[marker]] and colnames(M) must be identical")
    rows = [str(i) for i in M.index]
    cols = [str(c) for c in M.columns]
    _say(message, f"Initial marker matrix M contains {len(rows)} individuals and "
                  f"{len(cols)} markers.")
    vals = M.copy()
    if not _is_missing_code(na_string):
        mask = _code_mask(vals, na_string)
        _say(message, f"A total of {int(mask.sum())} values were identified as missing with "
                      f"the string {na_string} and were replaced by NA.")
        vals = vals.mask(mask)
    X = vals.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isnan(X) & ~np.isin(X, (0.0, 1.0, 2.0))
    bad |= np.isnan(X) & ~vals.isna().to_numpy()        # text that is no number
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise AsrError("qc.filtering(): data must be in numeric format: 0, 1, 2 and NA "
                       f"(individual {rows[r]!r}, marker {cols[c]!r} holds "
                       f"{vals.iat[r, c]!r})", hint="na.string = names the missing code")
    rows_a, cols_a = np.array(rows, dtype=object), np.array(cols, dtype=object)
    all_na = np.isnan(X).all(axis=0)
    if all_na.any():
        X, cols_a = X[:, ~all_na], cols_a[~all_na]
        _say(message, f"A total of {int(all_na.sum())} markers were removed for only having "
                      "missing data.")
    out = {"mk": 0, "id": 0, "maf": 0, "h": 0, "fis": 0}
    for _ in range(2):
        if mcr < 1:
            keep = _keep(np.isnan(X).mean(axis=0) <= mcr) if X.shape[0] else \
                np.ones(X.shape[1], dtype=bool)
            out["mk"] += int((~keep).sum())
            X, cols_a = X[:, keep], cols_a[keep]
        if icr < 1:
            keep = _keep(np.isnan(X).mean(axis=1) <= icr) if X.shape[1] else \
                np.ones(X.shape[0], dtype=bool)
            out["id"] += int((~keep).sum())
            X, rows_a = X[keep, :], rows_a[keep]
        if q_min > 0:
            q = _maf(X)
            keep = _keep(q > q_min - _EPS)
            out["maf"] += int((~keep & ~np.isnan(q)).sum())
            X, cols_a = X[:, keep], cols_a[keep]
        if h_max < 1:
            h = _ho(X)
            keep = _keep(h <= h_max)
            out["h"] += int((~keep & ~np.isnan(h)).sum())
            X, cols_a = X[:, keep], cols_a[keep]
        if fis_max < 1:
            f = _fis(X)
            keep = _keep(np.abs(f) <= fis_max)
            out["fis"] += int((~keep & ~np.isnan(f)).sum())
            X, cols_a = X[:, keep], cols_a[keep]
    _say(message, f"A total of {out['mk']} markers were removed because their proportion of "
                  f"missing values was equal or larger than {_g(marker_callrate)}.")
    _say(message, f"A total of {out['id']} individuals were removed because their proportion "
                  f"of missing values was equal or larger than {_g(ind_callrate)}.")
    _say(message, f"A total of {out['maf']} markers were removed because their MAF was "
                  f"smaller than {_g(maf)}.")
    _say(message, f"A total of {out['h']} markers were removed because their heterozygosity "
                  f"was larger than {_g(heterozygosity)}.")
    _say(message, f"A total of {out['fis']} markers were removed because their |F| was "
                  f"larger than {_g(Fis)}.")
    _say(message, f"Final cleaned marker matrix M contains {X.shape[0]} individuals and "
                  f"{X.shape[1]} markers.")
    if bool(impute):
        n_miss = int(np.isnan(X).sum())
        if n_miss == 0:
            _say(message, "No imputation was performed as there are no missing marker data.")
        else:
            with np.errstate(invalid="ignore"):
                means = np.nanmean(X, axis=0)
            X = np.where(np.isnan(X), means[None, :], X)
            X = np.round(X, int(digits))
            _say(message, f"A total of {n_miss} missing values were imputed.")
    clean = pd.DataFrame(X, index=list(rows_a), columns=list(cols_a))
    if map is not None:
        pos_of = {str(v): i for i, v in enumerate(map[marker])}
        map = map.iloc[[pos_of[c] for c in cols_a if c in pos_of]]
    shown = bool(plots)
    return RList({"M.clean": clean, "map": map,
                  "plot.missing.ind": _plot("histogram of the missing data per individual",
                                            shown),
                  "plot.missing.SNP": _plot("histogram of the missing data per SNP", shown),
                  "plot.heteroz": _plot("histogram of the heterozygotes", shown),
                  "plot.Fis": _plot("histogram of Fis", shown),
                  "plot.maf": _plot("histogram of the minor allele frequency", shown)})


def _plot(what: str, shown: bool) -> Any:
    """ASRgenomics' ggplot2 figure: a note (asr_py draws no ggplot2 graphics); NULL when
    plots = FALSE."""
    from asr_py.translate.rggplot import RPlot

    return RPlot(f"ASRgenomics' {what}") if shown else None


def r_kinship_diagnostics(K: Any = None, diagonal_thr_large: float = 1.2,
                          diagonal_thr_small: float = 0.8, duplicate_thr: float = 0.95,
                          clean_diagonal: bool = False, clean_duplicate: bool = False,
                          plots: bool = True, sample_plot: float = 1.0,
                          message: bool = True) -> Any:
    """ASRgenomics' ``kinship.diagnostics()`` (module docstring)."""
    from asr_py.translate.rasrgenomicskin import _named_square

    if isinstance(K, Untranslated):
        return K._use()
    Km, ids = _named_square(K, "K", "kinship.diagnostics")
    if not 0.0 <= float(duplicate_thr) <= 1.0:
        raise AsrError("kinship.diagnostics(): specification of duplicate.thr must be "
                       "between 0 and 1")
    if float(diagonal_thr_large) < float(diagonal_thr_small):
        raise AsrError("kinship.diagnostics(): value of diagonal.thr.large has to be equal "
                       "or larger than diagonal.thr.small")
    if float(diagonal_thr_large) < 0 or float(diagonal_thr_small) < 0:
        raise AsrError("kinship.diagnostics(): values of diagonal.thr.large and "
                       "diagonal.thr.small have to be both positive")
    if not 0.0 < float(sample_plot) <= 1.0:
        raise AsrError("kinship.diagnostics(): values of sample.plot must be between 0 and 1")
    n = len(ids)
    d = np.diag(Km).copy()
    r, c = np.tril_indices(n, k=-1)
    v = Km[r, c]
    nz = v != 0                                   # full2sparse() drops the zeros
    r, c, v = r[nz], c[nz], v[nz]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = v / np.sqrt(d[r] * d[c])
    _say(message, f"Matrix dimension is: {n}x{n}")
    _say(message, f"Range diagonal values: {_g(round(float(np.nanmin(d)), 5))} to "
                  f"{_g(round(float(np.nanmax(d)), 5))}")
    _say(message, f"Mean diagonal values: {_g(round(float(np.nanmean(d)), 5))}")
    if v.size:
        _say(message, f"Range off-diagonal values: {_g(round(float(np.nanmin(v)), 5))} to "
                      f"{_g(round(float(np.nanmax(v)), 5))}")
        _say(message, f"Mean off-diagonal values: {_g(round(float(np.nanmean(v)), 5))}")
    big, small = float(diagonal_thr_large), float(diagonal_thr_small)
    flag = (d > big) | (d < small)
    order = np.argsort(-d[flag], kind="stable")
    diag_ids = [ids[i] for i in np.flatnonzero(flag)[order]]
    list_diag = pd.DataFrame({"value": d[flag][order]}, index=diag_ids)
    dup = corr > float(duplicate_thr)
    list_dup = pd.DataFrame({"Indiv.A": [ids[i] for i in r[dup]],
                             "Indiv.B": [ids[j] for j in c[dup]],
                             "Value": v[dup], "Corr": corr[dup]})
    list_dup = list_dup.iloc[np.argsort(-list_dup["Corr"].to_numpy(), kind="stable")]
    list_dup = list_dup.reset_index(drop=True)
    drop: list[str] = []
    if bool(clean_diagonal):
        if len(diag_ids):
            drop += diag_ids
        else:
            _say(message, "No individuals filtered out by the diagonal thresholds, as none "
                          "were found.")
    if bool(clean_duplicate):
        if len(list_dup):
            drop += list(dict.fromkeys(list(list_dup["Indiv.A"]) + list(list_dup["Indiv.B"])))
        else:
            _say(message, f"No individuals filtered by duplicate.thr = {_g(duplicate_thr)}, "
                          "as none were found.")
    kclean = None
    if drop:
        keep = [i for i, x in enumerate(ids) if x not in set(drop)]
        kclean = pd.DataFrame(Km[np.ix_(keep, keep)], index=[ids[i] for i in keep],
                              columns=[ids[i] for i in keep])
    _say(message, f"There are {int(flag.sum())} extreme diagonal values, outside < "
                  f"{_g(small)} and > {_g(big)}")
    _say(message, f"There are {len(list_dup)} records of possible duplicates, based on: "
                  f"k(i,j)/sqrt[k(i,i)*k(j,j)] >  {_g(duplicate_thr)}")
    shown = bool(plots)
    return RList({"list.diagonal": list_diag if len(list_diag) else None,
                  "list.duplicate": list_dup if len(list_dup) else None,
                  "clean.kinship": kclean,
                  "plot.diag": _plot("histogram and boxplot of the diagonal of K", shown),
                  "plot.offdiag": _plot("histogram and boxplot of the off-diagonal of K",
                                        shown)})
