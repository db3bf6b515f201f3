"""asremlPlus's ``addSpatialModel`` for a local correlation model (``spatial.model="corr"``).

asremlPlus's ``fitCorrMod`` adds correlated row and column effects to the random model of
an asrtests object in steps, each an asremlPlus ``changeTerms`` refit (one section, the
default ``corr.funcs = c("ar1", "ar1")``; ``row.corrFitfirst`` swaps the order):

1. a random ``units`` term is dropped;
2. ``f1(row):col`` is added (replacing ``row:col`` when that is a random term);
3. when a correlation was fitted in step 2 (its correlation parameter neither bound, fixed
   nor singular): ``f1(row):f2(col)`` replaces ``f1(row):col``; otherwise ``row:f2(col)``
   is added (replacing ``row:col``);
4. when no correlation has been fitted, ``f1(row):f2(col)`` is tried jointly (with
   ``allow.corrsJointFit``);
5. unless ``checkboundaryonly``, boundary terms are removed (``rmboundary``).

Each step adds asremlPlus's test-summary row (``Try ar1(row)``, ...). Not emulated (a clear
error): sections, ``corb`` functions (their nugget/order search), the TPPS and TPNCSS
spline models, and asremlPlus's retries of singular fits (chk4SingularSpatTerms).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from asr_py.compat.asremlplus import (
    _check_asrtests,
    _find,
    _random_terms,
    changeTerms,
    rmboundary,
)
from asr_py.errors import AsrError

__all__ = ["addSpatialModel"]

#: asreml's correlation functions of a factor (dimension given by the factor's levels)
_FACTOR_CORR = ("ar1", "ar2", "ar3", "sar", "sar2", "ma1", "ma2", "arma", "cor", "corb",
                "corg", "diag", "us", "ante", "chol", "fa", "rr")
#: asreml's metric correlation functions (of a numeric covariate)
_MET_CORR = ("exp", "gau", "lvr", "iexp", "igau", "ieuc", "sph", "cir", "aexp", "agau",
             "mtrn")
#: functions meaning "no correlation"
_ID = ("", "id", "idv", "idh")
#: codes of a parameter that is not estimated freely (asremlPlus's all.bounds.excl)
_NOT_FREE = ("B", "S", "?", "F")


def _spec(func: str, factor: str, covar: str) -> str:
    """asremlPlus's makeCorrSpec1D: ``func(factor)`` (``func(covar)`` for a metric one)."""
    if func in _ID:
        return factor
    return f"{func}({covar if func in _MET_CORR else factor})"


def _corr_fitted(t: Any) -> bool:
    """asremlPlus's setCorrTerm: a random term has a correlation parameter (a varcomp row
    ``term!factor!cor``, asreml's naming; not a ``!var`` row, not the residual's) that is
    estimated freely (its code none of B, S, ?, F)."""
    fit = t["asreml.obj"]
    vc = fit.varcomp
    res = str(getattr(getattr(fit.model, "residual", None), "label", "units"))
    for name, code in zip(vc.index.astype(str), vc["bound"].astype(str)):
        parts = name.split("!")
        if len(parts) >= 3 and parts[0] != res and parts[-1] != "var" and \
                code not in _NOT_FREE:
            return True
    return False


def _drop_if_fitted(t: Any, term: str) -> str | None:
    terms = _random_terms(t["asreml.obj"])
    k = _find(term, terms)
    return terms[k] if k >= 0 else None


def addSpatialModel(asrtests_obj: Any, spatial_model: str = "TPPS",
                    sections: str | None = None, row_covar: str = "cRow",
                    col_covar: str = "cCol", row_factor: str = "Row",
                    col_factor: str = "Col",
                    corr_funcs: Sequence[str] = ("ar1", "ar1"),
                    corr_orders: Sequence[int] = (0, 0), row_corrFitfirst: bool = True,
                    allow_corrsJointFit: bool = True, nugget_variance: bool = True,
                    checkboundaryonly: bool = False, IClikelihood: str = "full",
                    maxit: int = 30, **other: Any) -> Any:
    """asremlPlus's ``addSpatialModel(spatial.model = "corr")`` on an asrtests object
    (module docstring); other spatial models and sections raise an error."""
    fn = "addSpatialModel"
    t = _check_asrtests(asrtests_obj, fn)
    model = str(spatial_model)
    if model != "corr":
        raise AsrError(f"{fn}(): spatial.model = '{model}' is not emulated by asr.plus "
                       "(only 'corr', a local correlation model)",
                       hint="fit the spline model with asr.asreml() directly, or use "
                            "spatial.model = 'corr'")
    if sections is not None:
        raise AsrError(f"{fn}(): sections = '{sections}' is not emulated",
                       hint="fit one section at a time")
    for k in ("trace", "update", "allow_unconverged", "allow_fixedcorrelation",
              "which_IC", "dropFixed", "dropRandom"):
        other.pop(k, None)      # no effect on the emulated path (changeTerms accepts)
    if other:
        raise AsrError(f"{fn}(): argument(s) {', '.join(sorted(other))} not supported by "
                       "asr.plus", hint="see docs/asremlplus.md")
    funcs = [str(f) for f in (list(corr_funcs) if not isinstance(corr_funcs, str)
                              else [corr_funcs])]
    if len(funcs) != 2:
        raise AsrError(f"{fn}(): corr.funcs must give two functions (rows, columns), got "
                       f"{funcs}", hint='corr.funcs = c("ar1", "ar1")')
    unknown = [f for f in funcs if f not in _FACTOR_CORR + _MET_CORR + _ID]
    if unknown:
        raise AsrError(f"{fn}(): corr.funcs {unknown} are not asreml correlation functions",
                       hint='e.g. corr.funcs = c("ar1", "ar1")')
    if any(f.startswith("corb") for f in funcs):
        raise AsrError(f"{fn}(): corr.funcs 'corb' (its nugget and order search) is not "
                       "emulated", hint='use corr.funcs = c("ar1", "ar1")')
    if all(f in _ID for f in funcs):
        raise AsrError(f"{fn}(): both correlation functions are id or equivalent",
                       hint='e.g. corr.funcs = c("ar1", "")')
    fit = t["asreml.obj"]
    data = (getattr(fit, "call", None) or {}).get("data")
    if isinstance(data, pd.DataFrame):
        need = [row_factor, col_factor] + [c for f, c in zip(funcs, (row_covar, col_covar))
                                          if f in _MET_CORR]
        missing = [c for c in need if c not in data.columns]
        if missing:
            raise AsrError(f"{fn}(): {missing} are not columns of the fit's data",
                           hint="give row.factor/col.factor (and row.covar/col.covar) as "
                                "the data's column names")
    facs = [row_factor, col_factor]
    rterms = [_spec(funcs[0], row_factor, row_covar), _spec(funcs[1], col_factor, col_covar)]
    if not row_corrFitfirst:
        facs, rterms, funcs = facs[::-1], rterms[::-1], funcs[::-1]
    spat_var = f"{facs[0]}:{facs[1]}"
    common = {"IClikelihood": IClikelihood, "checkboundaryonly": True}

    if _find("units", _random_terms(fit)) >= 0:
        t = changeTerms(t, dropRandom="units", label="Remove random units term", **common)
    corr = False
    term1 = f"{rterms[0]}:{facs[1]}"
    if funcs[0] not in _ID:
        t = changeTerms(t, addRandom=term1, dropRandom=_drop_if_fitted(t, spat_var),
                        label=f"Try {rterms[0]}", **common)
        corr = _corr_fitted(t)
    if funcs[1] not in _ID:
        lab = f"Try {rterms[1]}"
        if corr:
            t = changeTerms(t, addRandom=f"{rterms[0]}:{rterms[1]}",
                            dropRandom=_drop_if_fitted(t, term1), label=lab, **common)
        else:
            t = changeTerms(t, addRandom=f"{facs[0]}:{rterms[1]}",
                            dropRandom=_drop_if_fitted(t, spat_var), label=lab, **common)
        corr = _corr_fitted(t)
    if not corr and allow_corrsJointFit and not any(f in _ID for f in funcs):
        t = changeTerms(t, addRandom=f"{rterms[0]}:{rterms[1]}",
                        dropRandom=_drop_if_fitted(t, spat_var),
                        label=f"Try {rterms[0]} and {rterms[1]}", **common)
    if not checkboundaryonly:
        t = rmboundary(t, IClikelihood=IClikelihood)
    return t
