"""The dae package's factor and matrix helpers used by asreml-R scripts (``asr.dae``).

* :func:`fac_combine` (``fac.combine``): one factor whose levels are the combinations of
  several factors' levels that occur, in standard order (the first factor slowest).
* :func:`fac_nested` (``fac.nested``): the units numbered 1, 2, ... within each level of a
  nesting factor; :func:`fac_gen` (``fac.gen``): a data frame of all combinations of
  factors' levels in standard order, each combination repeated ``each`` times;
  :func:`fac_multinested` (``fac.multinested``): one factor per level of a nesting factor;
  :func:`fac_recast` (``fac.recast``): new level values (merging levels), order, labels.
* :func:`as_numfac` (``as.numfac``): a factor's labels as numbers; :func:`fac_vcmat`
  (``fac.vcmat``): σ² ZZ' of a factor's incidence matrix Z; :func:`fac_sumop`
  (``fac.sumop``): ZZ'.
* dae's ``mat.*`` correlation and block matrices (:mod:`asr_py.compat.dae_mat`),
  re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.dae_mat import (  # noqa: F401 - re-exported
    _scalar,
    mat_ar1,
    mat_ar2,
    mat_ar3,
    mat_arma,
    mat_banded,
    mat_cor,
    mat_corg,
    mat_dirprod,
    mat_dirsum,
    mat_exp,
    mat_gau,
    mat_ginv,
    mat_I,
    mat_J,
    mat_ma1,
    mat_ma2,
    mat_sar,
    mat_sar2,
)
from asr_py.errors import AsrError

__all__ = ["as_numfac", "fac_ar1mat", "fac_vcmat", "fac_sumop", "fac_combine", "fac_nested",
           "fac_gen",
           "fac_multinested", "fac_recast", "mat_I", "mat_J", "mat_ar1", "mat_ar2",
           "mat_ar3", "mat_arma", "mat_banded", "mat_cor", "mat_corg", "mat_dirprod",
           "mat_dirsum", "mat_exp", "mat_gau", "mat_ginv", "mat_ma1", "mat_ma2", "mat_sar",
           "mat_sar2",
           "PStructure",
           "pstructure", "marginality"]


def _levels(x: pd.Series) -> list[Any]:
    if isinstance(x.dtype, pd.CategoricalDtype):
        return [v for v in x.cat.categories if (x == v).any()]
    vals = pd.unique(x.dropna())
    try:
        return sorted(vals, key=lambda v: (float(v), str(v)))
    except (TypeError, ValueError):
        return sorted(vals, key=str)


def fac_combine(factors: Sequence[Any] | pd.DataFrame, order: str = "standard",
                combine_levels: bool = False, sep: str = ",", **other: Any) -> pd.Series:
    """dae's ``fac.combine(factors, order = "standard", combine.levels = FALSE, sep = ",")``:
    the combinations of the factors' levels that occur, in standard order (first factor
    slowest; ``order="yates"``: first factor fastest); labels 1, 2, ... or, with
    ``combine_levels``, the levels joined by ``sep``. A missing value in any factor gives a
    missing value."""
    if other:
        raise AsrError(f"fac.combine(): argument(s) {', '.join(sorted(other))} not supported",
                       hint="fac.combine(factors, order, combine.levels, sep)")
    if isinstance(factors, pd.DataFrame):
        cols = [factors[c] for c in factors.columns]
    elif isinstance(factors, Mapping):          # R's as.list(d[c("A", "B")]): a named list
        cols = [pd.Series(f) for f in factors.values()]
    else:
        cols = [pd.Series(f) for f in factors]
    if not cols:
        raise AsrError("fac.combine(): no factors given", hint="fac.combine(list(A, B))")
    n = len(cols[0])
    if any(len(c) != n for c in cols):
        raise AsrError("fac.combine(): the factors have different lengths",
                       hint="give columns of one data frame")
    if order not in ("standard", "yates"):
        raise AsrError(f"fac.combine(): order must be 'standard' or 'yates', not {order!r}",
                       hint="'standard': the first factor varies slowest")
    cols = [c.reset_index(drop=True) for c in cols]
    codes = []
    for c in cols:
        lev = _levels(c)
        pos = {v: i for i, v in enumerate(lev)}
        codes.append(np.array([pos.get(v, -1) if not pd.isna(v) else -1 for v in c]))
    keys = codes if order == "standard" else codes[::-1]
    missing = np.any(np.stack(codes) < 0, axis=0)
    combos = sorted({tuple(int(k[i]) for k in keys) for i in range(n) if not missing[i]})
    number = {cmb: j for j, cmb in enumerate(combos)}
    labels = []
    for cmb in combos:
        idx = cmb if order == "standard" else cmb[::-1]
        if combine_levels:
            labels.append(sep.join(str(_levels(c)[i]) for c, i in zip(cols, idx)))
        else:
            labels.append(str(len(labels) + 1))
    out = [None if missing[i] else labels[number[tuple(int(k[i]) for k in keys)]]
           for i in range(n)]
    return pd.Series(pd.Categorical(out, categories=labels))


def _is_na(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def fac_nested(nesting_fac: Any, nested_levs: Any = None, nested_labs: Any = None,
               **other: Any) -> pd.Series:
    """dae's ``fac.nested(nesting.fac, nested.levs = NA, nested.labs = NA)``: unit i gets
    k when it is the k-th unit (in data order) with its level of ``nesting_fac``; levels
    ``nested_levs`` (default 1, ..., the largest count), labelled ``nested_labs`` (default
    the levels as text). A missing nesting value, or a count not among ``nested_levs``,
    gives a missing value. The result keeps the index of a Series given."""
    if other:
        raise AsrError(f"fac.nested(): argument(s) {', '.join(sorted(other))} not supported",
                       hint="fac.nested(nesting.fac, nested.levs, nested.labs); dae "
                            "replaced levels/labels by nested.levs/nested.labs")
    s = nesting_fac if isinstance(nesting_fac, pd.Series) else pd.Series(nesting_fac)
    seen: dict[Any, int] = {}
    count: list[int | None] = []
    for v in s:
        if _is_na(v):
            count.append(None)
            continue
        seen[v] = seen.get(v, 0) + 1
        count.append(seen[v])
    top = max(seen.values(), default=0)
    levs = list(range(1, top + 1)) if nested_levs is None else list(np.ravel(nested_levs))
    labs = [str(v) for v in levs] if nested_labs is None else [str(v) for v in
                                                                 np.ravel(nested_labs)]
    if len(labs) != len(levs):
        raise AsrError(f"fac.nested(): {len(labs)} nested.labs for {len(levs)} nested.levs",
                       hint="give one label per level")
    lab_of = {}
    for lv, lb in zip(levs, labs):
        lab_of.setdefault(float(lv), lb)
    out = [None if c is None else lab_of.get(float(c)) for c in count]
    return pd.Series(pd.Categorical(out, categories=list(dict.fromkeys(labs))), index=s.index)


def fac_gen(generate: Any, each: int = 1, times: int = 1, order: str = "standard") -> pd.DataFrame:
    """dae's ``fac.gen(generate, each = 1, times = 1, order = "standard")``: a data frame
    of all combinations of the factors' levels, the first factor varying slowest
    (``order="yates"``: fastest), each combination repeated ``each`` times consecutively
    and the whole pattern ``times`` times. A factor is given by its number of levels
    (levels 1..n), its numeric levels or its labels; in standard order an unnamed count
    after a factor repeats each of that factor's levels that many times (``list(A=2, 3)``;
    as a list of (name, value) pairs with name ``""`` or None)."""
    items = list(generate.items()) if isinstance(generate, dict) else [
        tuple(it) for it in generate]
    if not items:
        raise AsrError("fac.gen(): generate is empty", hint="fac.gen(list(A = 3, B = c('x', 'y')))")
    if order not in ("standard", "yates"):
        raise AsrError(f"fac.gen(): order must be 'standard' or 'yates', not {order!r}",
                       hint="'standard': the first factor varies slowest")
    seq = items if order == "standard" else items[::-1]
    facs: list[tuple[str, list[Any], bool]] = []
    reps: list[int] = []
    for name, val in seq:
        if not name:
            if not facs:
                raise AsrError("fac.gen(): generate must start with a factor name"
                               if order == "standard" else
                               "fac.gen(): generate must end with a factor name",
                               hint="use times= (standard) or each= (yates) instead")
            reps[-1] = int(_scalar(val, "fac.gen", "a repeat count"))
            continue
        v = list(np.ravel(np.asarray(val, dtype=object)))
        numeric = all(isinstance(x, (int, float, np.integer, np.floating))
                      and not isinstance(x, bool) for x in v)
        if len(v) == 1 and numeric:
            v = list(range(1, int(v[0]) + 1))
        elif len(v) == 1:
            v = [v[0]]
        facs.append((str(name), v, numeric))
        reps.append(1)
    if order == "yates":
        facs, reps = facs[::-1], reps[::-1]
    sizes = [len(v) for _, v, _ in facs]
    n = int(np.prod(sizes)) * int(np.prod(reps)) * int(each) * int(times)
    cols: dict[str, Any] = {}
    keach = int(each)
    counter = range(len(facs) - 1, -1, -1) if order == "standard" else range(len(facs))
    for i in counter:
        name, v, numeric = facs[i]
        keach *= reps[i]
        ktimes = n // (sizes[i] * keach)
        vals = np.tile(np.repeat(np.arange(sizes[i]), keach), ktimes)
        labels = [(_num_label(x) if numeric else str(x)) for x in v]
        cats = list(dict.fromkeys(labels))
        if numeric:     # R's factor() of numbers sorts its levels
            cats.sort(key=float)
        cols[name] = pd.Categorical([labels[k] for k in vals], categories=cats)
        keach *= sizes[i]
    return pd.DataFrame({name: cols[name] for name, _, _ in facs})


def _fac_levels(x: pd.Series) -> list[Any]:
    """A factor's levels: the categories of a categorical (all of them, as R keeps unused
    levels), else the sorted distinct values."""
    if isinstance(x.dtype, pd.CategoricalDtype):
        return list(x.cat.categories)
    return _levels(x)


def fac_multinested(nesting_fac: Any, nested_fac: Any = None, fac_prefix: str | None = None,
                    fac_levs: Sequence[Any] | None = None, fac_suffix: str | None = None,
                    nested_levs: Any = None, nested_labs: Any = None, outlevel: Any = 0,
                    outlabel: str = "rest", **other: Any) -> pd.DataFrame:
    """dae's ``fac.multinested``: for each level L of ``nesting_fac`` (but ``outlabel``) a
    factor, named prefix + L + suffix, that is ``outlabel`` on units not at L and, on the
    units at L, either the unit's count within L (1, 2, ...; :func:`fac_nested`) or, with
    ``nested_fac``, that factor's value. Levels: ``outlabel`` first, then the nested levels
    occurring within L in their factor order. Missing nesting (or nested) values stay
    missing."""
    if other:
        raise AsrError(f"fac.multinested(): argument(s) {', '.join(sorted(other))} not "
                       "supported", hint="fac.multinested(nesting.fac, nested.fac, fac.prefix)")
    nest = nesting_fac if isinstance(nesting_fac, pd.Series) else pd.Series(nesting_fac)
    levs = [v for v in _fac_levels(nest) if str(v) != str(outlabel)]
    names = [f"{fac_prefix or ''}{v}{fac_suffix or ''}" for v in (
        levs if fac_levs is None else list(fac_levs))]
    if len(names) != len(levs):
        raise AsrError(f"fac.multinested(): {len(names)} fac.levs for {len(levs)} levels of "
                       "the nesting factor", hint="give one name per level")
    missing = nest.isna().to_numpy()
    if nested_fac is None:
        count = fac_nested(nest).astype(object)          # "1", "2", ... within each level
        order = [str(v) for v in range(1, len(nest) + 1)]
        if nested_levs is not None:                       # the k-th unit gets nested_levs[k]
            order = [_num_label(v) if isinstance(v, (int, float, np.number)) else str(v)
                     for v in np.ravel(nested_levs)]
            count = pd.Series([None if pd.isna(c) else order[int(c) - 1] if int(c) <= len(
                order) else None for c in count], index=nest.index, dtype=object)
        inner = count
    else:
        nf = nested_fac if isinstance(nested_fac, pd.Series) else pd.Series(nested_fac)
        inner = nf.astype(object)
        order = [str(v) for v in _fac_levels(nf)]
        missing = missing | nf.isna().to_numpy()
    vals = [None if pd.isna(v) else str(v) for v in inner]
    cols: dict[str, pd.Series] = {}
    for lev, name in zip(levs, names):
        at = (nest.astype(str) == str(lev)).to_numpy() & ~missing
        seen = {vals[i] for i in np.nonzero(at)[0]}
        klevs = [v for v in order if v in seen]
        if nested_labs is None:
            labs = klevs
        else:
            labs = [str(x) for x in np.ravel(nested_labs)][:len(klevs)]
            if len(labs) != len(klevs):
                raise AsrError(f"fac.multinested(): {len(labs)} nested.labs for "
                               f"{len(klevs)} nested levels within {lev}")
        lab = dict(zip(klevs, labs))
        out = [None if missing[i] else lab[vals[i]] if at[i] else str(outlabel)
               for i in range(len(nest))]
        cats = list(dict.fromkeys([str(outlabel), *labs]))
        cols[name] = pd.Series(pd.Categorical(out, categories=cats), index=nest.index)
    return pd.DataFrame(cols, index=nest.index)


def fac_recast(factor: Any, newlevels: Any = None, levels_order: Any = None,
               newlabels: Any = None, **other: Any) -> pd.Series:
    """dae's ``fac.recast``: with ``newlevels`` (one per old level, in level order; equal
    values merge levels) each unit's level is replaced and the levels become the sorted
    distinct new values (R's ``factor()``); then ``levels_order`` orders the levels (it
    must hold each level once) and ``newlabels`` relabels them in that order."""
    if other:
        raise AsrError(f"fac.recast(): argument(s) {', '.join(sorted(other))} not supported",
                       hint="fac.recast(factor, newlevels, levels.order, newlabels)")
    s = factor if isinstance(factor, pd.Series) else pd.Series(factor)
    old = [str(v) for v in _fac_levels(s)]
    vals = [None if _is_na(v) else str(v) for v in s]
    if newlevels is not None:
        new = [str(v) for v in np.ravel(newlevels)]
        if len(new) != len(old):
            raise AsrError(f"fac.recast(): {len(new)} newlevels for {len(old)} levels of the "
                           "factor", hint="must supply a level for every level of the factor")
        to = dict(zip(old, new))
        vals = [None if v is None else to[v] for v in vals]
        old = _levels(pd.Series([v for v in vals if v is not None], dtype=object))
        old = [str(v) for v in old]
    labels = old
    if levels_order is not None or newlabels is not None:
        order = old if levels_order is None else [str(v) for v in np.ravel(levels_order)]
        if not set(old) <= set(order) or len(set(order)) < len(order):
            raise AsrError("fac.recast(): the set of levels.order must be unique and contain "
                           "all the levels in the factor being recast",
                           hint=f"the levels are: {', '.join(old)}")
        labels = order
        if newlabels is not None:
            labels = [str(v) for v in np.ravel(newlabels)]
            if len(labels) != len(old) or len(set(labels)) < len(labels):
                raise AsrError("fac.recast(): newlabels must be unique, one per level of the "
                               "factor being recast")
            vals = [None if v is None else dict(zip(order, labels))[v] for v in vals]
    return pd.Series(pd.Categorical(vals, categories=labels), index=s.index)


def _num_label(x: Any) -> str:
    """R's label of a numeric factor level: 10 not 10.0."""
    f = float(x)
    return str(int(f)) if f.is_integer() else repr(f)


def as_numfac(factor: Any, center: bool = False, scale: bool = False) -> pd.Series:
    """dae's ``as.numfac``: the labels of a factor as numbers (a label that is not a number
    gives a missing value), optionally centred and scaled as R's ``scale``."""
    s = pd.Series(factor)
    out = pd.to_numeric(s.astype("string"), errors="coerce").astype(float)
    if center:
        out = out - out.mean()
    if scale:
        out = out / out.std(ddof=1)
    return out


def fac_ar1mat(factor: Any, rho: float) -> np.ndarray:
    """dae's ``fac.ar1mat``: the n × n matrix ρ^|x_i − x_j|, n the length of ``factor`` and
    x its labels as numbers (:func:`as_numfac`): the AR(1) correlation between units by
    the distance of their levels."""
    r = _scalar(rho, "fac.ar1mat", "rho")
    x = as_numfac(factor).to_numpy(dtype=float)
    if np.isnan(x).any():
        raise AsrError("fac.ar1mat(): the factor's labels must be numbers (dae converts "
                       "them with as.numfac)", hint="e.g. a factor of row or column numbers")
    return r ** np.abs(x[:, None] - x[None, :])


def fac_vcmat(factor: Any, sigma2: float) -> np.ndarray:
    """dae's ``fac.vcmat``: σ² ZZ', Z the n × levels incidence matrix of ``factor``
    (element (i, j) is σ² when units i and j have the same level, else 0)."""
    s = pd.Series(factor).astype("string").to_numpy()
    return float(sigma2) * (s[:, None] == s[None, :]).astype(float)


def fac_sumop(factor: Any) -> np.ndarray:
    """dae's ``fac.sumop``: the summation matrix ZZ' of ``factor`` (Z its n × levels
    incidence matrix; ZZ'y sums y over each unit's level): element (i, j) is 1 when units i
    and j have the same level, else 0."""
    return fac_vcmat(factor, 1.0)


class PStructure(dict):  # type: ignore[type-arg]
    """dae's pstructure object, reduced to what scripts use here: the terms of the formula
    (``terms``) and their ``marginality`` matrix."""


def pstructure(formula: str, data: Any = None, **other: Any) -> PStructure:
    """dae's ``pstructure``, for its marginality only: the terms of ``formula`` (R's
    expansion of ``*``, ``/``, ``+``; the intercept left out) and M[i, j] = 1 when the factors
    of term i are a subset of those of term j (term i is marginal to term j). dae's
    projectors, aliasing and nesting checks are not computed."""
    import formulaic

    text = str(formula).split("~", 1)[-1].strip()
    try:
        terms = [t for t in formulaic.Formula(text) if str(t) != "1"]
    except Exception as e:  # noqa: BLE001 - formulaic's message says what is wrong
        raise AsrError(f"pstructure(): cannot expand the formula {formula!r}: {e}") from e
    names = [str(t) for t in terms]
    facs = [{str(f) for f in t.factors} for t in terms]
    M = pd.DataFrame([[int(a <= b) for b in facs] for a in facs], index=names, columns=names)
    return PStructure(terms=names, marginality=M, formula=str(formula))


def marginality(object: Any, **other: Any) -> pd.DataFrame:
    """dae's ``marginality`` of a :func:`pstructure`: the terms' marginality matrix."""
    if not isinstance(object, PStructure):
        raise AsrError(f"marginality() needs a pstructure object, not {type(object).__name__}",
                       hint="make one with asr.dae.pstructure('~ A*B', data)")
    return object["marginality"].copy()
