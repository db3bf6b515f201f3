"""asremlPlus's model-selection workflow on asr_py fits (``asr.plus``).

An ``asrtests`` object is asremlPlus's list of the current fit (``asreml.obj``), its Wald
table (``wald.tab``) and the log of tests and changes made so far (``test.summary``: terms,
DF, denDF, p, AIC, BIC, action). Here it is :class:`AsrTests`, a dict with those keys; the
functions return a new one and never change the one passed.

Tests (asremlPlus's definitions):

* REML likelihood-ratio test of a random term (:func:`REMLRT`): D = 2(ℓ₁ − ℓ₀) on
  DF = (#θ₁ − #bound₁) − (#θ₀ − #bound₀) (bound: constraint code in ``bound_exclusions``);
  p = P(χ²_DF > D), or with ``positive_zero=True`` (one variance tested at its boundary 0)
  p = ½ P(χ²₁ > D) (Self & Liang 1987, case 5); ``bound_test_parameters="one-and-one"``:
  p = 1 − ½[F_χ²₁(D) + F_χ²₂(D)] (case 6).
* A fixed term: the p-value of its row of the Wald table (asr_py: ``denDF="numeric"`` gives
  asreml's Kenward-Roger F tests, ``Pr(F)``: W = AI⁻¹, F scaled by λ, as asreml's).
* Information criteria (:func:`infoCriteria`): AIC = −2ℓ + 2(fixedDF + varDF),
  BIC = −2ℓ + (fixedDF + varDF) log(ν + fixedDF), ν = n − rank(X), with asreml's
  log-likelihood, which leaves out the 2π constant: ℓ = ℓ_R + ½ν log 2π (ℓ_R = ``fit.loglik``,
  the full REML log-likelihood) and fixedDF = 0; with ``IClikelihood="full"``
  ℓ = ℓ_R + ½ν log 2π − ½ log|C|, C = (X'V⁻¹X)⁻¹ the variance of the estimable fixed
  effects (Verbyla 2019), fixedDF = p: the ML log-likelihood at the REML estimates plus
  ½n log 2π.
  A binomial or Poisson GLMM with dispersion 1 (asremlPlus, after asreml 4.2): fixedDF = the
  estimable fixed effects, varDF = NBound = 0, AIC = D + 2 fixedDF, BIC = D + fixedDF
  log(ν + fixedDF), loglik = −D/2, D the fit's deviance; other families give NA (warned).

Differences from asremlPlus are listed in docs/asremlplus.md (log-likelihood constants,
the choice among several boundary terms, arguments not emulated).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.compat.alldiffs import (
    Alldiffs,
    addBacktransforms,
    allDifferences,
    as_alldiffs,
    attr,
    facRecast,
    facRename,
    is_alldiffs,
    linTransform,
    recalcLSD,
    redoErrorIntervals,
    renewClassify,
    sort_alldiffs,
    subset_alldiffs,
    validAlldiffs,
)
from asr_py.compat.asr_variogram import asr_varioGram
from asr_py.compat.choose import chooseModel
from asr_py.compat.estimatev import estimateV
from asr_py.compat.faccombine import facCombine
from asr_py.compat.lsd import pick
from asr_py.compat.lsdexplore import exploreLSDs
from asr_py.compat.lsdpick import pickLSDstatistics
from asr_py.compat.lsdsearch import findLSDminerrors
from asr_py.compat.pairtrans import pairdiffsTransform, ratioTransform
from asr_py.compat.plotlsds import plotLSDerrors, plotLSDs
from asr_py.compat.predictplus import plotPredictions, plotPvalues, predictPlus, sort
from asr_py.compat.predictpresent import predictPresent
from asr_py.compat.r2adj import R2adj
from asr_py.compat.rattrs import RFormula
from asr_py.compat.simulate_asreml import simulate, simulate_asreml
from asr_py.compat.variofaces import plotVariofaces, variofaces
from asr_py.compat.vpcodes import gammas_con, vparameters_con, vpc_char
from asr_py.errors import AsrError
from asr_py.results.wald import as_asreml_reports
from asr_py.warning_classes import AsrWarning

__all__ = ["AsrTests", "as_asrtests", "addto_test_summary", "REMLRT", "infoCriteria",
           "getTestPvalue", "getTestEntry", "getFormulae", "printFormulae", "iterate",
           "recalcWaldTab", "rmboundary", "testranfix", "testswapran", "testresidual",
           "changeTerms", "changeModelOnIC", "setvarianceterms",
           "Alldiffs", "allDifferences", "as_alldiffs", "is_alldiffs", "validAlldiffs",
           "redoErrorIntervals", "recalcLSD", "addBacktransforms", "sort_alldiffs", "sort",
           "renewClassify", "subset_alldiffs", "linTransform", "predictPlus", "plotPvalues",
           "plotPredictions",
           "estimateV", "chooseModel", "facCombine", "facRecast", "facRename", "attr",
           "findLSDminerrors", "exploreLSDs", "addSpatialModel", "ratioTransform",
           "pickLSDstatistics", "pairdiffsTransform", "R2adj", "plotLSDs", "plotLSDerrors",
           "predictPresent", "newfit", "reparamSigDevn",
           "SUMMARY_COLUMNS",
           "vpc_char", "vparameters_con",
           "gammas_con", "simulate", "simulate_asreml", "variofaces", "plotVariofaces",
           "asr_varioGram"]

#: asremlPlus's test.summary columns
SUMMARY_COLUMNS = ("terms", "DF", "denDF", "p", "AIC", "BIC", "action")
_BOUND = ("F", "B", "S", "C")
#: asremlPlus arguments that change nothing here (printing, asreml's own update mechanics)
_HARMLESS = {"trace", "update", "allow_unconverged", "allow_fixedcorrelation",
             "ignore_suffices", "bounds", "initial_values", "set_terms", "dDF_fault",
             "dDF_values", "recalc_wald"}


# ----- the asrtests object ------------------------------------------------------------------

class _LazyWald:
    """A fit's ``wald.tab`` computed when first read: asremlPlus computes it for every
    asrtests object, but a model-selection script reads few of them and each costs a
    Kenward-Roger/numeric denDF computation (dense in the records)."""

    __slots__ = ("fit", "denDF")

    def __init__(self, fit: Any, denDF: str) -> None:
        self.fit, self.denDF = fit, denDF

    def value(self) -> pd.DataFrame:
        return plus_wald_tab(_asreml_wald(self.fit, denDF=self.denDF))


class AsrTests(dict):  # type: ignore[type-arg]
    """asremlPlus's asrtests list: keys ``asreml.obj``, ``wald.tab``, ``test.summary``.
    The ``wald.tab`` of a new fit is computed when first read (:class:`_LazyWald`)."""

    def __getitem__(self, key: Any) -> Any:
        """The element ``key``; a name that is no key but the prefix of exactly one is that
        one (R's ``$`` partial matching: ``asrt$wald`` is ``asrt$wald.tab``)."""
        if isinstance(key, str) and not dict.__contains__(self, key):
            hits = [k for k in dict.keys(self) if isinstance(k, str) and k.startswith(key)]
            if len(hits) == 1:
                key = hits[0]
        v = super().__getitem__(key)
        if isinstance(v, _LazyWald):
            v = v.value()
            super().__setitem__(key, v)
        return v

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[k] for k in self]

    def items(self) -> list[tuple[Any, Any]]:  # type: ignore[override]
        return [(k, self[k]) for k in self]

    def __iter__(self) -> Any:
        # overridden so that dict(t) and {**t} read values through __getitem__ (CPython
        # copies a dict subclass's raw values when it keeps dict's own __iter__)
        return super().__iter__()

    def copy(self) -> AsrTests:
        return self.replaced()

    def replaced(self, **values: Any) -> AsrTests:
        """A copy with ``values`` replaced (keys as R names them: pass them as a dict
        splat, ``t.replaced(**{"test.summary": s})``); a lazy wald.tab stays lazy."""
        out = AsrTests()
        for k in dict.keys(self):
            dict.__setitem__(out, k, values.pop(k) if k in values else self.raw(k))
        for k, v in values.items():
            dict.__setitem__(out, k, v)
        return out

    def raw(self, key: Any) -> Any:
        """The stored value, a :class:`_LazyWald` left uncomputed."""
        return super().__getitem__(key)

    def __repr__(self) -> str:
        return (f"asrtests object\n{self['asreml.obj']!r}\n\nWald tests:\n{self['wald.tab']}"
                f"\n\nTest summary:\n{self['test.summary']}")


def _other(fn: str, other: Mapping[str, Any]) -> None:
    """Refuse asremlPlus arguments that would change the result and are not emulated."""
    bad = sorted(k for k in other if k not in _HARMLESS)
    if bad:
        raise AsrError(f"{fn}(): argument(s) {', '.join(bad)} not supported by asr.plus",
                       hint="see docs/asremlplus.md for the arguments each function takes")


def _check_fit(obj: Any, fn: str) -> None:
    if not hasattr(obj, "wald") or not hasattr(obj, "varcomp"):
        raise AsrError(f"{fn}() needs an asr.asreml() fit, not {type(obj).__name__}",
                       hint="pass the fit of an asr.asreml() call")


def _check_asrtests(obj: Any, fn: str) -> AsrTests:
    if not isinstance(obj, Mapping) or not {"asreml.obj", "wald.tab",
                                             "test.summary"} <= set(obj):
        raise AsrError(f"{fn}() needs an asrtests object, not {type(obj).__name__}",
                       hint="make one with asr.plus.as_asrtests(fit)")
    return obj.replaced() if isinstance(obj, AsrTests) else AsrTests(obj)


def _empty_summary() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("terms", "action") else float)
                         for c in SUMMARY_COLUMNS})


def addto_test_summary(test_summary: pd.DataFrame, terms: str, DF: float = 1,
                       denDF: float = np.nan, p: float = np.nan, AIC: float = np.nan,
                       BIC: float = np.nan, action: str = "Boundary") -> pd.DataFrame:
    """asremlPlus's ``addto.test.summary``: a copy of ``test_summary`` with one row added."""
    row = {"terms": terms, "DF": DF, "denDF": denDF, "p": p, "AIC": AIC, "BIC": BIC,
           "action": action}
    new = pd.DataFrame([{c: row.get(c, np.nan) for c in test_summary.columns}])
    if test_summary.empty:
        return new.astype({c: test_summary[c].dtype for c in test_summary.columns
                           if c not in ("terms", "action")}, errors="ignore")
    return pd.concat([test_summary, new], ignore_index=True)


def _asreml_wald(fit: Any, **kw: Any) -> pd.DataFrame:
    """``fit.wald(**kw)`` as asreml's ``wald()`` reports it to asremlPlus: denDF to one
    decimal place (:func:`asr_py.results.wald.as_asreml_reports`), so the test summary and
    the LSDs asremlPlus derives from that table use asreml's value. asreml's denDF
    "algebraic" (the same denominator df, computed algebraically) is "numeric" here."""
    if str(kw.get("denDF", "")).lower() == "algebraic":
        kw = {**kw, "denDF": "numeric"}
    return as_asreml_reports(fit.wald(**kw))


def plus_wald_tab(wald: pd.DataFrame) -> pd.DataFrame:
    """asremlPlus's ``wald.tab`` layout of asr_py's Wald table (asreml 4's ``wald()``
    columns): with F tests ``Df, denDF, F.inc, Pr`` (Pr of the incremental F) or, with
    conditional tests, ``Df, denDF, F.inc, F.con, Margin, Pr`` (denDF and Pr of the
    conditional F; Margin asreml's marginality code, blank, A, B, ...); without F
    tests ``Df, Sum of Sq, Wald statistic, Pr(Chisq)``. A table already so is kept."""
    cols = list(wald.columns)
    if "F.inc" not in cols or "Pr" in cols:
        return wald
    if "Pr(F.con)" in cols:      # asreml's F.inc/F.con: the F its Pr is of (F.adj, F.con.adj)
        return pd.DataFrame({"Df": wald["Df"], "denDF": wald["denDF.con"],
                             "F.inc": wald["F.adj"], "F.con": wald["F.con.adj"],
                             "Margin": wald["Margin"] if "Margin" in cols else "",
                             "Pr": wald["Pr(F.con)"]}, index=wald.index)
    if "Pr(F)" in cols:
        return pd.DataFrame({"Df": wald["Df"], "denDF": wald["denDF"], "F.inc": wald["F.adj"],
                             "Pr": wald["Pr(F)"]}, index=wald.index)
    return wald[[c for c in ("Df", "Sum of Sq", "Wald statistic", "Pr(Chisq)") if c in cols]]


def as_asrtests(asreml_obj: Any, wald_tab: pd.DataFrame | None = None,
                test_summary: pd.DataFrame | None = None, denDF: str = "numeric",
                label: str | None = None, IClikelihood: str = "none",
                bound_exclusions: Iterable[str] = _BOUND, **other: Any) -> AsrTests:
    """asremlPlus's ``as.asrtests``: the Wald table is computed when not given
    (``fit.wald(denDF=denDF)``), the test summary starts empty; a ``label`` adds a
    "Starting model" row (DF = fixedDF, denDF = varDF of :func:`infoCriteria`)."""
    _check_fit(asreml_obj, "as.asrtests")
    _other("as.asrtests", other)
    if wald_tab is None:
        wald_tab = _LazyWald(asreml_obj, denDF)
    elif isinstance(wald_tab, _LazyWald):
        if wald_tab.fit is not asreml_obj:
            wald_tab = _LazyWald(asreml_obj, denDF)
    elif not isinstance(wald_tab, pd.DataFrame) or "Df" not in wald_tab.columns:
        raise AsrError("as.asrtests(): wald_tab is not a Wald table (a DataFrame with a Df "
                       "column per fixed term)", hint="pass fit.wald(), or leave it out")
    else:
        wald_tab = plus_wald_tab(wald_tab)
    summary = _empty_summary() if test_summary is None else test_summary
    if label is not None:
        ic = _ic(asreml_obj, IClikelihood, bound_exclusions)
        if IClikelihood == "none":
            ic["varDF"] = infoCriteria(asreml_obj, bound_exclusions=bound_exclusions,
                                       warn=False)["varDF"].iloc[0]
        summary = addto_test_summary(summary, label, DF=ic["fixedDF"], denDF=ic["varDF"],
                                     AIC=ic["AIC"], BIC=ic["BIC"], action="Starting model")
    return AsrTests({"asreml.obj": asreml_obj, "wald.tab": wald_tab,
                     "test.summary": summary})


# ----- likelihood tests and information criteria ----------------------------------------------

def _codes(fit: Any) -> pd.Series:
    """Constraint code of each variance parameter (P, U, F, B, C), by component name."""
    return fit.varcomp["bound"].astype(str)


def REMLRT(h0_asreml_obj: Any, h1_asreml_obj: Any, positive_zero: bool = False,
           bound_test_parameters: str = "none", DF: int | None = None,
           bound_exclusions: Iterable[str] = _BOUND, **other: Any) -> pd.DataFrame:
    """asremlPlus's ``REMLRT``: REML likelihood-ratio test of the simpler fit ``h0`` against
    ``h1`` (same fixed model); one row REMLRT, DF, p, NBound.h0, NBound.h1 (see the module
    docstring for DF and p)."""
    _other("REMLRT", other)
    for m in (h0_asreml_obj, h1_asreml_obj):
        _check_fit(m, "REMLRT")
    if set(h0_asreml_obj.model.fixed.names) != set(h1_asreml_obj.model.fixed.names):
        raise AsrError("REMLRT: the fixed models differ; REML likelihoods are not comparable",
                       hint="test random terms between fits with the same fixed model")
    opts = ("none", "onlybound", "one-and-one")
    if bound_test_parameters not in opts:
        raise AsrError(f"REMLRT: bound.test.parameters must be one of {opts}, not "
                       f"{bound_test_parameters!r}", hint="'onlybound' = positive.zero")
    opt = "onlybound" if positive_zero and bound_test_parameters == "none" \
        else bound_test_parameters
    excl = set(bound_exclusions)
    c0, c1 = _codes(h0_asreml_obj), _codes(h1_asreml_obj)
    nb0, nb1 = int(c0.isin(excl).sum()), int(c1.isin(excl).sum())
    df_calc = (len(c1) - nb1) - (len(c0) - nb0)
    df = df_calc if DF is None else DF
    if df == 0:
        warnings.warn("REMLRT: DF is zero: the models do not differ in the number of "
                      "(unbound) variance parameters", AsrWarning, stacklevel=2)
    elif df < 0:
        warnings.warn("REMLRT: negative DF: the second model (h1) is the simpler one",
                      AsrWarning, stacklevel=2)
    stat = 2 * (h1_asreml_obj.loglik - h0_asreml_obj.loglik)
    p = _remlrt_p(stat, df, opt)
    return pd.DataFrame({"REMLRT": [stat], "DF": [df], "p": [p], "NBound.h0": [nb0],
                         "NBound.h1": [nb1]})


def _remlrt_p(stat: float, df: int, opt: str) -> float:
    from scipy import stats

    if df <= 0:
        return float("nan")
    if opt == "none":
        return float(stats.chi2.sf(max(stat, 0.0), df))
    if stat < 1e-10:
        return 1.0
    if opt == "onlybound":
        if df != 1:
            warnings.warn("REMLRT on more than one positive variance parameter is not "
                          "available (p is NaN)", AsrWarning, stacklevel=3)
            return float("nan")
        return float(0.5 * stats.chi2.sf(stat, 1))
    if df != 2:
        raise AsrError("REMLRT: bound.test.parameters = 'one-and-one' needs DF = 2",
                       hint="it tests exactly two parameters")
    return float(1 - 0.5 * (stats.chi2.cdf(stat, 1) + stats.chi2.cdf(stat, 2)))


def infoCriteria(object: Any, DF: int | None = None,
                 bound_exclusions: Iterable[str] = _BOUND, IClikelihood: str = "REML",
                 fixedDF: int | None = None, varDF: int | None = None, *,
                 warn: bool = True, **other: Any) -> pd.DataFrame:
    """asremlPlus's ``infoCriteria``: fixedDF, varDF, NBound, AIC, BIC, loglik of a fit (or
    one row per fit of a list/dict of fits); see the module docstring."""
    _other("infoCriteria", other)
    if isinstance(object, Mapping) or isinstance(object, (list, tuple)):
        items = object.items() if isinstance(object, Mapping) else enumerate(object)
        rows = {k: infoCriteria(m, DF, bound_exclusions, IClikelihood, fixedDF, varDF,
                                warn=warn).iloc[0] for k, m in items}
        return pd.DataFrame(rows).T.infer_objects()
    _check_fit(object, "infoCriteria")
    family = getattr(object, "family", None)
    if family is not None and getattr(family, "name", "gaussian") != "gaussian":
        return _glm_info(object, family, warn)
    if IClikelihood not in ("REML", "full"):
        raise AsrError(f"infoCriteria: IClikelihood must be 'REML' or 'full', not "
                       f"{IClikelihood!r}", hint="'full' uses the full (ML) likelihood")
    codes = _codes(object)
    bound = codes.isin(set(bound_exclusions))
    nbound = int(bound.sum())
    if DF is None and varDF is None:
        var_df = len(codes) - nbound
        if nbound and warn:
            warnings.warn("infoCriteria: the following bound terms were discounted: "
                          + ", ".join(codes.index[bound]), AsrWarning, stacklevel=2)
    else:
        var_df = int(varDF if varDF is not None else DF)  # type: ignore[arg-type]
    nedf = float(object.result.n_minus_p)
    # asreml's log-likelihood leaves out the 2π constant: ℓ_R + ½ν log 2π
    loglik = float(object.loglik) + 0.5 * nedf * math.log(2 * math.pi)
    fixed_df = 0
    if IClikelihood == "full":
        logdet, p = _logdet_cfixed(object)
        fixed_df = p if fixedDF is None else int(fixedDF)
        loglik = loglik - 0.5 * logdet
    k = fixed_df + var_df
    return pd.DataFrame({"fixedDF": [fixed_df], "varDF": [var_df], "NBound": [nbound],
                         "AIC": [-2 * loglik + 2 * k],
                         "BIC": [-2 * loglik + k * math.log(nedf + fixed_df)],
                         "loglik": [loglik]})


def _glm_info(fit: Any, family: Any, warn: bool) -> pd.DataFrame:
    """infoCriteria of a non-Gaussian fit from its deviance (module docstring)."""
    if family.name in ("binomial", "poisson") and family.dispersion == 1:
        z = fit.coef_fixed["z.ratio"].to_numpy(dtype=float)
        fixed_df = int(np.sum(~np.isnan(z)))
        dev = float(fit.deviance)
        nedf = float(fit.result.n_minus_p)
        return pd.DataFrame({"fixedDF": [fixed_df], "varDF": [0], "NBound": [0],
                             "AIC": [dev + 2 * fixed_df],
                             "BIC": [dev + fixed_df * math.log(nedf + fixed_df)],
                             "loglik": [-dev / 2]})
    if warn:
        warnings.warn(f"infoCriteria are not available for {family.name} with dispersion "
                      f"{family.dispersion}; they have been set to NA", AsrWarning,
                      stacklevel=3)
    return pd.DataFrame({k: [np.nan] for k in ("fixedDF", "varDF", "NBound", "AIC", "BIC",
                                               "loglik")})


def _logdet_cfixed(fit: Any) -> tuple[float, int]:
    """log|C| of the variance matrix C = (X'V⁻¹X)⁻¹ of the estimable fixed effects."""
    v = fit.vcov_fixed
    keep = ~np.isnan(np.diag(v.to_numpy(dtype=float)))
    c = v.to_numpy(dtype=float)[np.ix_(keep, keep)]
    if not c.size:
        return 0.0, 0
    sign, logdet = np.linalg.slogdet(c)
    if sign <= 0:
        raise AsrError("infoCriteria(IClikelihood='full'): the variance matrix of the fixed "
                       "effects is not positive definite", hint="use IClikelihood='REML'")
    return float(logdet), int(keep.sum())


def testresidual(asrtests_obj: Any, terms: str, label: str = "R model",
                 simpler: bool = False, alpha: float = 0.05, positive_zero: bool = False,
                 bound_test_parameters: str = "none", denDF: str = "numeric",
                 IClikelihood: str = "none", checkboundaryonly: bool = False,
                 allow_fixedcorrelation: bool = True, **other: Any) -> AsrTests:
    """asremlPlus's ``testresidual``: refit with the residual model ``terms``
    (``"~ Row:ar1(Column)"``) and test by :func:`REMLRT` as :func:`testswapran` does."""
    _other("testresidual", other)
    t = _check_asrtests(asrtests_obj, "testresidual")
    if not isinstance(terms, str) or not terms.strip():
        raise AsrError("testresidual(): terms must be the new residual formula as text",
                       hint='e.g. "~ Row:ar1(Column)"')
    form = terms if terms.strip().startswith("~") else f"~ {terms}"
    changes = {"residual": form}
    if t["asreml.obj"].call.get("rcov") is not None:
        changes["rcov"] = None
    return _swap_test(t, changes, label, simpler, alpha, positive_zero,
                      bound_test_parameters, denDF, IClikelihood, checkboundaryonly,
                      allow_fixedcorrelation)


def _swap_test(t: AsrTests, changes: dict[str, Any], label: str, simpler: bool,
               alpha: float, positive_zero: bool, bound_test_parameters: str, denDF: str,
               IClikelihood: str, checkboundaryonly: bool,
               allow_fixedcorrelation: bool = True) -> AsrTests:
    """Refit with ``changes`` and keep the new model or not by a REML likelihood-ratio test
    (asremlPlus's testswapran/testresidual); a new fit with a fixed/bound correlation is
    not kept when ``allow_fixedcorrelation`` is FALSE."""
    fit, wald, summary = t["asreml.obj"], t.raw("wald.tab"), t["test.summary"]
    _warn_fixed(fit, allow_fixedcorrelation)
    new = fit.update(**changes)
    if not _fixed_correlation_ok(new, allow_fixedcorrelation):
        ic = _ic(fit, IClikelihood, _BOUND)
        summary = addto_test_summary(summary, label, DF=np.nan, AIC=ic["AIC"], BIC=ic["BIC"],
                                     action=_FIXED_CORR)
        return as_asrtests(fit, wald, summary, denDF=denDF)
    h0, h1 = (new, fit) if simpler else (fit, new)
    test = REMLRT(h0, h1, positive_zero=positive_zero,
                  bound_test_parameters=bound_test_parameters).iloc[0]
    p = float(test["p"]) if test["DF"] > 0 else float("nan")
    swap = (not math.isnan(p)) and (p > alpha if simpler else p <= alpha)
    action = "Swapped" if swap else "Unswapped" if simpler else "Rejected"
    if not new.converged:
        action += " - new unconverged"
    if swap:
        fit, wald = new, _LazyWald(new, denDF)
    ic = _ic(fit, IClikelihood, _BOUND)
    summary = addto_test_summary(summary, label, DF=float(test["DF"]), p=p, AIC=ic["AIC"],
                                 BIC=ic["BIC"], action=action)
    return _after(fit, wald, summary, denDF, checkboundaryonly, IClikelihood)


def setvarianceterms(call: Mapping[str, Any], terms: str | Iterable[str],
                     ignore_suffices: bool | Iterable[bool] = True,
                     bounds: str | Iterable[str] = "P",
                     initial_values: float | Iterable[float] | None = None,
                     **other: Any) -> Any:
    """asremlPlus's ``setvarianceterms(call, terms, ignore.suffices, bounds,
    initial.values)``: refit the model of ``call`` (a fit's ``call``, ``m$call`` in R) with
    the variance parameters ``terms`` given a constraint code (``bounds``: 'P' positive, 'U'
    unconstrained, 'F' fixed, ...) and optionally a start/fixed value. A term matches a
    component by its name, or with ``ignore_suffices`` by the name before asreml's ``!``
    suffix (``Row:Column!R`` is ``Row:Column``). As asremlPlus, the settings are recorded
    in the fit's ``call["setvparameters"]`` (set.terms, ignore.suffices, bounds,
    initial.values), merged with those of the call passed and kept by ``update()`` for
    the terms still fitted."""
    _other("setvarianceterms", other)
    if not isinstance(call, Mapping) or "fixed" not in call:
        raise AsrError("setvarianceterms() needs the call of an asr.asreml() fit (m.call)",
                       hint="pass fit.call, as asremlPlus takes m$call")
    names = [terms] if isinstance(terms, str) else list(terms)

    def each(x: Any, what: str) -> list[Any]:
        vals = [x] * len(names) if isinstance(x, (str, bool, int, float)) or x is None \
            else list(x)
        if len(vals) == 1:
            vals = vals * len(names)
        if len(vals) != len(names):
            raise AsrError(f"setvarianceterms(): {what} has {len(vals)} values for "
                           f"{len(names)} terms", hint="give one value or one per term")
        return vals

    ign, bnd, init = (each(ignore_suffices, "ignore.suffices"), each(bounds, "bounds"),
                      each(initial_values, "initial.values"))
    from asr_py.api import asreml

    kw = {k: v for k, v in call.items()
          if k not in ("params", "start_values", "setvparameters")}
    table = asreml(**kw, start_values=True)
    comps = list(table["Component"].astype(str))
    # terms set by earlier calls (asremlPlus's call$setvparameters) that are still fitted
    # and not set again now keep their setting
    old = setvparameters_kept(call.get("setvparameters"), comps)
    if old is not None:
        old = old[~old["set.terms"].isin(names)]
    sets = pd.DataFrame({"set.terms": names, "ignore.suffices": ign, "bounds": bnd,
                         "initial.values": [np.nan if v is None else v for v in init]})
    if old is not None and len(old):
        sets = pd.concat([old, sets], ignore_index=True)
    comp = table["Component"].astype(str)
    for term, ig, b, v in sets.itertuples(index=False):
        hit = _matches(comp, term, bool(ig))
        if not hit.any():
            raise AsrError(f"setvarianceterms(): no variance parameter {term!r}",
                           hint="the components are: " + ", ".join(comp))
        table.loc[hit, "Constraint"] = str(b)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            table.loc[hit, "Value"] = float(v)
    fit = asreml(**kw, params=table[["Component", "Value", "Constraint"]])
    fit.call["setvparameters"] = sets.reset_index(drop=True)
    return fit


def _matches(comp: pd.Series, term: str, ignore_suffices: bool) -> pd.Series:
    """Components named ``term`` or, with ``ignore_suffices``, whose name before asreml's
    ``!`` suffix is ``term``."""
    return (comp == term) | (ignore_suffices & (comp.str.split("!").str[0] == term))


def setvparameters_kept(sets: Any, components: list[str]) -> pd.DataFrame | None:
    """The rows of asremlPlus's ``call$setvparameters`` (set.terms, ignore.suffices, bounds,
    initial.values, as :func:`setvarianceterms` records them) whose term is still a variance
    parameter among ``components``; None when none is."""
    if not isinstance(sets, pd.DataFrame) or not len(sets):
        return None
    comp = pd.Series(components, dtype=str)
    keep = [bool(_matches(comp, str(t), bool(i)).any())
            for t, i in zip(sets["set.terms"], sets["ignore.suffices"])]
    out = sets[keep].reset_index(drop=True)
    return out if len(out) else None


def _fixed_correlation_ok(fit: Any, allow: bool) -> bool:
    """asremlPlus's isFixedCorrelOK: with ``allow`` FALSE, no correlation parameter (a
    varcomp row ``term!factor!cor``) is fixed, bound or singular (F, B, S)."""
    if allow:
        return True
    vc = fit.varcomp
    for name, code in zip(vc.index.astype(str), vc["bound"].astype(str)):
        last = name.split("!")[-1]
        if "!" in name and re.match(r"cor|rho|phi", last) and code in ("F", "B", "S"):
            return False
    return True


def _warn_fixed(fit: Any, allow: bool, singular: bool = False) -> None:
    """asremlPlus's warning for a supplied fit whose correlation is fixed or bound."""
    if not _fixed_correlation_ok(fit, allow):
        what = "bound, singular or fixed" if singular else "bound or fixed"
        warnings.warn(f"The estimated value of one or more correlations in the supplied "
                      f"asreml fit for {_response(fit)} is {what} and allow.fixedcorrelation "
                      "is FALSE", AsrWarning, stacklevel=3)


_FIXED_CORR = "Unchanged - fixed correlation"


def _ic(fit: Any, lik: str, bound_exclusions: Iterable[str]) -> dict[str, float]:
    if lik == "none":
        return {"fixedDF": np.nan, "varDF": np.nan, "AIC": np.nan, "BIC": np.nan}
    row = infoCriteria(fit, bound_exclusions=bound_exclusions, IClikelihood=lik,
                       warn=False).iloc[0]
    return {k: float(row[k]) for k in ("fixedDF", "varDF", "AIC", "BIC")}


# ----- looking things up ----------------------------------------------------------------------

def _norm_term(term: str) -> tuple[str, ...]:
    """A term as the sorted tuple of its ':' factors, spaces and quotes ignored
    (asremlPlus's findterm: ``B:A`` is ``A:B``; asreml labels ``at(AMF, "plus")`` as
    ``at(AMF, plus)``, the form scripts pass to testranfix)."""
    text = re.sub(r"[\s\"']+", "", str(term))
    parts, depth, last = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ":" and depth == 0:
            parts.append(text[last:i])
            last = i + 1
    parts.append(text[last:])
    return tuple(sorted(parts))


def _find(term: str, labels: Iterable[str]) -> int:
    """Index of the last label that is ``term`` (factor order ignored), -1 if none."""
    key = _norm_term(term)
    hits = [i for i, lab in enumerate(labels) if _norm_term(lab) == key]
    return hits[-1] if hits else -1


def getTestEntry(asrtests_obj: Any, label: str, error_absent: bool = True
                 ) -> pd.DataFrame | None:
    """asremlPlus's ``getTestEntry``: the last test.summary row for ``label`` (a term, in
    any factor order, or a label with spaces matched exactly)."""
    ts = _check_asrtests(asrtests_obj, "getTestEntry")["test.summary"]
    terms = [str(t) for t in ts["terms"]]
    if " " in label:
        hits = [i for i, t in enumerate(terms) if t == label]
        k = hits[-1] if hits else -1
    else:
        k = _find(label, [t if " " not in t else "\0" for t in terms])
    if k < 0:
        if error_absent:
            raise AsrError(f"{label!r} not found in the test.summary of the asrtests object",
                           hint=f"its terms are: {', '.join(terms) or '(none)'}")
        return None
    return ts.iloc[[k]]


def getTestPvalue(asrtests_obj: Any, label: str) -> float:
    """asremlPlus's ``getTestPvalue``: the p of the last test.summary row for ``label``."""
    entry = getTestEntry(asrtests_obj, label)
    assert entry is not None
    return float(entry["p"].iloc[0])


_FORMULAE = ("fixed", "random", "residual", "sparse")


class _Formulae(dict):  # type: ignore[type-arg]
    """getFormulae's result; asreml 3 scripts read the residual formula as ``$rcov``."""

    def __missing__(self, key: str) -> str | None:
        if key == "rcov" and "residual" in self:
            return self["residual"]
        raise KeyError(key)


def _expanded(text: str, kind: str) -> str:
    """R's ``update.formula(f, ~ .)``: the formula with its terms expanded."""
    from asr_py.formula import expand, parse_formula

    tl = expand(parse_formula(text), "fixed" if kind == "fixed" else "random")
    lhs = text.split("~", 1)[0].strip() if kind == "fixed" else ""
    terms = [str(t) for t in tl.terms]
    if kind == "fixed" and not tl.intercept:
        terms.append("-1")
    terms = terms or ["1"]
    return f"{lhs} ~ {' + '.join(terms)}".strip()


def getFormulae(asreml_obj: Any, which: Iterable[str] | str = ("fixed", "random",
                                                               "residual"),
                expanded: bool = False) -> dict[str, str | None]:
    """asremlPlus's ``getFormulae``: the fit's model formulas (text) by kind, in the order
    asked (``which`` may be "all": fixed, random, residual, sparse); a kind the fit lacks is
    None (R's NULL). ``expanded``: the terms expanded as R's ``update.formula(f, ~ .)``."""
    _check_fit(asreml_obj, "getFormulae")
    which = [which] if isinstance(which, str) else list(which)
    bad = [w for w in which if w not in (*_FORMULAE, "all", "rcov")]
    if bad:
        raise AsrError(f"getFormulae: which must be among {', '.join(_FORMULAE)} or 'all', "
                       f"not {', '.join(map(repr, bad))}")
    if "all" in which:
        which = list(_FORMULAE)
    call = asreml_obj.call
    out: dict[str, str | None] = _Formulae()
    for w in which:
        text = call.get(w) or (call.get("rcov") if w == "residual" else None) or \
            (call.get("residual") if w == "rcov" else None)
        out[w] = _expanded(text, w) if text is not None and expanded else text
        if out[w] is not None:          # R's formula: as.character() gives c("~", ...)
            out[w] = RFormula(out[w])
    return out


def printFormulae(asreml_obj: Any, which: Iterable[str] | str = ("fixed", "random",
                                                                 "residual"),
                  expanded: bool = False) -> list[str]:
    """asremlPlus's ``printFormulae``: one line "kind: formula" per kind asked (NULL for
    one the fit lacks), printed and returned."""
    lines = [f"{k}: {'NULL' if v is None else v}"
             for k, v in getFormulae(asreml_obj, which, expanded).items()]
    print("\n\n#### Formulae from asreml object\n\n" + "\n".join(lines) + "\n")
    return lines


def _random_terms(fit: Any) -> list[str]:
    from asr_py.formula import expand, parse_formula

    text = fit.call.get("random")
    if not text:
        return []
    return [str(t) for t in expand(parse_formula(text), "random").terms]


# ----- refits ------------------------------------------------------------------------------

def iterate(asrtests_obj: Any, denDF: str = "numeric", **other: Any) -> AsrTests:
    """asremlPlus's ``iterate``: refit from the current estimates (more iterations)."""
    _other("iterate", other)
    t = _check_asrtests(asrtests_obj, "iterate")
    fit = t["asreml.obj"].update()
    return as_asrtests(fit, None, t["test.summary"], denDF=denDF)


def recalcWaldTab(asrtests_obj: Any, recalc_wald: bool = False, denDF: str = "numeric",
                  dDF_fault: str = "none", dDF_values: Any = None,
                  **other: Any) -> pd.DataFrame:
    """asremlPlus's ``recalcWaldTab`` (R/reml4.v13.r): the asrtests object's Wald table
    (``recalc_wald``: recomputed from its fit with ``denDF``) with each denominator df that
    is missing, infinite or below 0.01 replaced as ``dDF_fault`` says ("none": NA;
    "residual": the residual df; "maximum": the largest denDF of the other terms, the
    residual df when all are faulty; "supplied": ``dDF_values``, one per row), no denDF
    column filled likewise, and ``Pr`` recomputed from the F (F.con when present)."""
    _other("recalcWaldTab", other)
    t = _check_asrtests(asrtests_obj, "recalcWaldTab")
    fit = t["asreml.obj"]
    wald = None if recalc_wald else t["wald.tab"]
    if wald is None:
        wald = plus_wald_tab(_asreml_wald(fit, denDF=denDF))
    opt = pick(dDF_fault, ("none", "residual", "maximum", "supplied"), "dDF_fault")
    n = len(wald)
    if opt == "supplied":
        if dDF_values is None:
            raise AsrError("recalcWaldTab(): dDF_fault='supplied' needs dDF_values",
                           hint="give dDF_values, one per row of the Wald table")
        values = np.ravel(np.asarray(dDF_values, dtype=float))
        if values.size != n:
            raise AsrError(f"recalcWaldTab(): {values.size} dDF_values for the {n} terms of "
                           "the Wald table", hint="give one value per row of the Wald table")
    out = wald.copy()
    if n == 0:
        warnings.warn("recalcWaldTab(): Wald.tab is empty - probably the calculations have "
                      "failed", AsrWarning, stacklevel=2)
        return out
    nedf = float(fit.result.n_minus_p)
    if "denDF" not in out.columns:
        if opt == "supplied":
            out.insert(1, "denDF", values)
        elif opt in ("residual", "maximum"):
            out.insert(1, "denDF", nedf)
    else:
        d = pd.to_numeric(out["denDF"], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            fault = ~np.isfinite(d) | (d < 0.01)
        if fault.any():
            d = d.copy()
            if opt == "supplied":
                d[fault] = values[fault]
            elif opt == "maximum" and not fault.all() and (~np.isnan(d[1:])).any():
                d[fault] = np.nanmax(d[1:])          # R: max(denDF[-1], na.rm = TRUE)
            elif opt in ("maximum", "residual"):
                d[fault] = nedf
            else:
                d[fault] = np.nan
            out["denDF"] = d
    if "denDF" in out.columns and "Pr" in out.columns:
        f = out["F.con"] if "F.con" in out.columns else out["F.inc"]
        with np.errstate(invalid="ignore"):
            out["Pr"] = stats.f.sf(pd.to_numeric(f, errors="coerce").to_numpy(dtype=float),
                                   out["Df"].to_numpy(dtype=float),
                                   out["denDF"].to_numpy(dtype=float))
    return out


def _response(fit: Any) -> str:
    return str(fit.call.get("fixed", "")).split("~")[0].strip() or "the response"


def rmboundary(asrtests_obj: Any, checkboundaryonly: bool = False,
               IClikelihood: str = "none", **other: Any) -> AsrTests:
    """asremlPlus's ``rmboundary``: remove random terms whose variance is at a boundary
    (code B/S), one at a time (the smallest estimate first), refitting after each and adding
    a "Boundary" row per term; bound parameters of the residual or of structured terms that
    cannot be removed are reported in a warning. With ``checkboundaryonly`` only the warning."""
    _other("rmboundary", other)
    t = _check_asrtests(asrtests_obj, "rmboundary")
    fit, summary, wald = t["asreml.obj"], t["test.summary"], t.raw("wald.tab")
    reml0 = fit.loglik
    unremovable: list[str] = []
    for _ in range(len(_random_terms(fit)) + 1):
        vc = fit.varcomp
        bound = vc[vc["bound"].isin(["B", "S"])]
        if bound.empty:
            break
        terms = _random_terms(fit)
        removable: list[tuple[float, str]] = []
        for name, comp in zip(bound.index, bound["component"]):
            k = _find(str(name).split("!")[0], terms)
            if k < 0:
                unremovable.append(str(name))
            else:
                removable.append((abs(float(comp)), terms[k]))
        if not removable:
            break
        if checkboundaryonly:
            warnings.warn(f"In analysing {_response(fit)}, the following term(s) were "
                          f"boundary/singular, but not removed because checkboundaryonly = "
                          f"TRUE: {'; '.join(x for _, x in removable)}", AsrWarning,
                          stacklevel=2)
            break
        term = min(removable)[1]
        ic = _ic(fit, IClikelihood, _BOUND)
        summary = addto_test_summary(summary, term, DF=1, AIC=ic["AIC"], BIC=ic["BIC"],
                                     action="Boundary")
        fit = fit.update(random=f"~ . - {term}")
        wald = None
    if unremovable:
        warnings.warn(f"In analysing {_response(fit)}, cannot remove the following "
                      f"boundary/singular term(s): {'; '.join(dict.fromkeys(unremovable))}",
                      AsrWarning, stacklevel=2)
    change = abs(reml0 - fit.loglik) / abs(reml0) * 100 if reml0 else 0.0
    if change > 1:
        warnings.warn(f"Removing boundary terms has changed the log likelihood by {change:.3g}%",
                      AsrWarning, stacklevel=2)
    return as_asrtests(fit, wald, summary)


def _after(fit: Any, wald: pd.DataFrame | None, summary: pd.DataFrame, denDF: str,
           checkboundaryonly: bool, IClikelihood: str) -> AsrTests:
    """asremlPlus's tail of every test: check for (and remove) boundary terms, new wald."""
    out = rmboundary(as_asrtests(fit, wald, summary, denDF=denDF),
                     checkboundaryonly=checkboundaryonly, IClikelihood=IClikelihood)
    return out


def _at_levels(arg: str) -> int:
    """How many levels the second argument of ``at(f, ...)`` names: ``c(1:5)`` 5,
    ``c(3, 5, 7)`` 3, ``'a'`` or ``8`` 1 (R's ``c()`` of numbers, ranges and strings)."""
    arg = arg.strip()
    if not (arg.startswith("c(") and arg.endswith(")")):
        return 1
    n = 0
    for piece in _split_top(arg[2:-1]):
        m = re.fullmatch(r"\s*(-?\d+)\s*:\s*(-?\d+)\s*", piece)
        n += abs(int(m.group(2)) - int(m.group(1))) + 1 if m else int(bool(piece.strip()))
    return n


def _split_top(text: str) -> list[str]:
    """``text`` split at the commas outside brackets and quotes."""
    out, depth, cur, quote = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        cur += ch
    return out + [cur]


def _one_term(fit: Any, term: str) -> None:
    """asremlPlus's checks of testranfix's ``term`` (R/reml4.v13.r, testranfix.asrtests): one
    term of R's ``terms(~ term)``, and an ``at(f, levels)`` naming one level only (several
    levels make several terms)."""
    from asr_py.formula import expand, parse_formula

    where = f"In analysing {_response(fit)}"
    try:
        labels = [str(x) for x in expand(parse_formula("~ " + term), "random").terms]
    except Exception as e:  # noqa: BLE001 - the parser's message says what is wrong
        raise AsrError(f"testranfix(): cannot read the term {term!r}: {e}",
                       hint='give one model term, e.g. "Variety" or "at(Site, 1):Block"') from e
    if len(labels) != 1:
        raise AsrError(f"{where}, multiple terms not allowed in testranfix.asrtests "
                       f"({term!r} is {', '.join(labels)})", hint="test one term at a time")
    for m in re.finditer(r"\bat\(", term):
        depth, i = 1, m.end()
        while i < len(term) and depth:
            depth += (term[i] == "(") - (term[i] == ")")
            i += 1
        args = _split_top(term[m.end():i - 1])
        if len(args) > 1 and _at_levels(args[1]) > 1:
            raise AsrError(f"{where}, an at term involving multiple levels will result in "
                           "multiple terms and cannot be tested in testranfix.asrtests",
                           hint=f"test each level's term on its own, e.g. at({args[0].strip()}"
                                ", <one level>)")


def testranfix(asrtests_obj: Any, term: str, alpha: float = 0.05,
               drop_ran_ns: bool = True, positive_zero: bool = False,
               bound_test_parameters: str = "none", drop_fix_ns: bool = False,
               denDF: str = "numeric", IClikelihood: str = "none",
               checkboundaryonly: bool = False, REMLDF: int | None = None,
               ssType: str = "incremental", allow_fixedcorrelation: bool = True,
               **other: Any) -> AsrTests:
    """asremlPlus's ``testranfix``: test one term. A random term: :func:`REMLRT` of the fit
    without it; dropped when p > alpha and ``drop_ran_ns`` ("Dropped", else "Retained";
    "Significant"/"Nonsignificant" when not dropping). A fixed term: its Wald p-value
    (``ssType`` 'incremental' or 'conditional' sums of squares);
    dropped when p > alpha and ``drop_fix_ns``. A term in neither model: "Absent". Then
    boundary terms are removed (:func:`rmboundary`)."""
    _other("testranfix", other)
    t = _check_asrtests(asrtests_obj, "testranfix")
    fit, wald, summary = t["asreml.obj"], t.raw("wald.tab"), t["test.summary"]
    if not isinstance(term, str) or not term.strip():
        raise AsrError("testranfix(): term must be one term as text", hint='e.g. "Row"')
    _warn_fixed(fit, allow_fixedcorrelation)
    _one_term(fit, term)
    ic = _ic(fit, IClikelihood, _BOUND)
    rterms = _random_terms(fit)
    k = _find(term, rterms)
    if k < 0:
        wald = _asreml_wald(fit, denDF=denDF, ssType=ssType)
        j = _find(term, [str(x) for x in wald.index])
        if j < 0:
            summary = addto_test_summary(summary, term, DF=ic["fixedDF"], denDF=ic["varDF"],
                                         AIC=ic["AIC"], BIC=ic["BIC"], action="Absent")
            return as_asrtests(fit, wald, summary, denDF=denDF)
        row = wald.iloc[j]
        label = str(wald.index[j])
        con = "Pr(F.con)" in wald.columns         # conditional F when asked for
        pcol = "Pr(F.con)" if con else "Pr(F)" if "Pr(F)" in wald.columns else "Pr(Chisq)"
        dcol = "denDF.con" if con else "denDF"
        p = float(row[pcol])
        den = float(row[dcol]) if dcol in wald.columns else np.nan
        ndf = float(row["Df"])
        if math.isnan(p):
            action = "Absent"
        elif p <= alpha:
            action = "Retained" if drop_fix_ns else "Significant"
        elif drop_fix_ns:
            fterms = fit.model.fixed.terms       # Wald row (asreml's name) -> formula text
            own = [t.label for t in fterms]
            names = [t.name or t.label for t in fterms]
            k = names.index(label) if label in names else _find(label, own)
            fit = fit.update(fixed=f". ~ . - {own[k] if k >= 0 else label}")
            wald = _asreml_wald(fit, denDF=denDF, ssType=ssType)
            action = "Dropped" if fit.converged else "Dropped - unconverged"
            ic = _ic(fit, IClikelihood, _BOUND)
        else:
            action = "Nonsignificant"
        summary = addto_test_summary(summary, label, DF=ndf, denDF=den, p=p, AIC=ic["AIC"],
                                     BIC=ic["BIC"], action=action)
        if action.startswith("Dropped"):
            return _after(fit, wald, summary, denDF, checkboundaryonly, IClikelihood)
        return as_asrtests(fit, wald, summary, denDF=denDF)
    new = fit.update(random=f"~ . - {rterms[k]}")
    if not _fixed_correlation_ok(new, allow_fixedcorrelation):   # asremlPlus keeps the fit
        summary = addto_test_summary(summary, term, DF=ic["fixedDF"], denDF=ic["varDF"],
                                     AIC=ic["AIC"], BIC=ic["BIC"], action=_FIXED_CORR)
        return as_asrtests(fit, wald, summary, denDF=denDF)
    test = REMLRT(new, fit, positive_zero=positive_zero,
                  bound_test_parameters=bound_test_parameters, DF=REMLDF).iloc[0]
    p = float(test["p"]) if test["DF"] > 0 else float("nan")
    if math.isnan(p) or p <= alpha:
        action = "Retained" if drop_ran_ns else "Significant"
    elif drop_ran_ns:
        action, fit, wald = "Dropped", new, _LazyWald(new, denDF)
        ic = _ic(fit, IClikelihood, _BOUND)
    else:
        action = "Nonsignificant"
    if not new.converged:
        action += " - new unconverged"
    summary = addto_test_summary(summary, term, DF=float(test["DF"]), p=p, AIC=ic["AIC"],
                                 BIC=ic["BIC"], action=action)
    return _after(fit, wald, summary, denDF, checkboundaryonly, IClikelihood)


def _changed_formulas(fit: Any, dropFixed: str | None, addFixed: str | None,
                      dropRandom: str | None, addRandom: str | None,
                      newResidual: str | None) -> tuple[dict[str, Any], list[str]]:
    """update() arguments and the model parts they change (asremlPlus's action text)."""
    changes: dict[str, Any] = {}
    parts: list[str] = []
    from asr_py.compat.atlevels import formula_terms, match_at_levels

    data = fit.call.get("data")                  # at(f, "b") <-> at(f, 2): the model's text
    fixed_own, random_own = formula_terms(fit, "fixed"), formula_terms(fit, "random")
    dropFixed, addFixed = (match_at_levels(x, fixed_own, data) if x else x
                           for x in (dropFixed, addFixed))
    dropRandom, addRandom = (match_at_levels(x, random_own, data) if x else x
                             for x in (dropRandom, addRandom))
    if dropFixed or addFixed:
        form = ". ~ ." + (f" - ({dropFixed})" if dropFixed else "") + (
            f" + ({addFixed})" if addFixed else "")
        changes["fixed"] = form
        parts.append("fixed")
    has_random = bool(fit.call.get("random"))
    if dropRandom and not has_random:
        warnings.warn("No random terms to drop", AsrWarning, stacklevel=3)
        dropRandom = None
    if dropRandom or addRandom:
        if not has_random:
            changes["random"] = f"~ {addRandom}"
        else:
            changes["random"] = "~ ." + (f" - ({dropRandom})" if dropRandom else "") + (
                f" + ({addRandom})" if addRandom else "")
        parts.append("random")
    if newResidual is not None:
        res = newResidual.strip()
        changes["residual"] = None if re.fullmatch(r"-\s*\(?\s*1\s*\)?", res) else f"~ {res}"
        if fit.call.get("rcov") is not None:
            changes["rcov"] = None
        parts.append("residual")
    return changes, parts


def changeTerms(asrtests_obj: Any, dropFixed: str | None = None, addFixed: str | None = None,
                dropRandom: str | None = None, addRandom: str | None = None,
                newResidual: str | None = None, label: str = "Changed terms",
                denDF: str = "numeric", IClikelihood: str = "none",
                checkboundaryonly: bool = False, allow_fixedcorrelation: bool = True,
                **other: Any) -> AsrTests:
    """asremlPlus's ``changeTerms``: refit with terms dropped from/added to the fixed and
    random models and/or a new residual model (``"-(1)"``: the default residual), from the
    current estimates; a row ``label`` with action "Changed fixed, random, residual" (the
    parts changed) is added, then boundary terms are removed (:func:`rmboundary`). With
    ``allow_fixedcorrelation`` FALSE a new fit whose correlation is fixed, bound or singular
    is not kept ("Unchanged - fixed correlation")."""
    _other("changeTerms", other)
    t = _check_asrtests(asrtests_obj, "changeTerms")
    fit, summary = t["asreml.obj"], t["test.summary"]
    _warn_fixed(fit, allow_fixedcorrelation)
    given = [x for x in (dropFixed, addFixed, dropRandom, addRandom, newResidual)
             if x is not None]
    if not given:
        raise AsrError("changeTerms(): no terms to drop or add were given",
                       hint="give dropFixed=, addFixed=, dropRandom=, addRandom= or "
                            "newResidual=")
    if any(not isinstance(x, str) or x.strip().startswith("~") for x in given):
        raise AsrError("changeTerms(): terms are given as text without a leading ~",
                       hint='e.g. addRandom = "Row + Column"')
    changes, parts = _changed_formulas(fit, dropFixed, addFixed, dropRandom, addRandom,
                                       newResidual)
    if not parts:
        ic = _ic(fit, IClikelihood, _BOUND)
        summary = addto_test_summary(summary, label, DF=ic["fixedDF"], denDF=ic["varDF"],
                                     AIC=ic["AIC"], BIC=ic["BIC"], action="No changes")
        return as_asrtests(fit, t.raw("wald.tab"), summary, denDF=denDF)
    old, fit = fit, fit.update(**changes)
    if not _fixed_correlation_ok(fit, allow_fixedcorrelation):
        ic = _ic(old, IClikelihood, _BOUND)
        summary = addto_test_summary(summary, label, DF=ic["fixedDF"], denDF=ic["varDF"],
                                     AIC=ic["AIC"], BIC=ic["BIC"], action=_FIXED_CORR)
        return as_asrtests(old, t.raw("wald.tab"), summary, denDF=denDF)
    action = "Changed " + ", ".join(parts)
    if not fit.converged:
        action += " - old uncoverged"        # asremlPlus's wording
    ic = _ic(fit, IClikelihood, _BOUND)
    summary = addto_test_summary(summary, label, DF=ic["fixedDF"], denDF=ic["varDF"],
                                 AIC=ic["AIC"], BIC=ic["BIC"], action=action)
    return _after(fit, None, summary, denDF, checkboundaryonly, IClikelihood)


def testswapran(asrtests_obj: Any, oldterms: str, newterms: str,
                label: str = "Swap in random model", simpler: bool = False,
                alpha: float = 0.05, positive_zero: bool = False,
                bound_test_parameters: str = "none", denDF: str = "numeric",
                IClikelihood: str = "none", checkboundaryonly: bool = False,
                allow_fixedcorrelation: bool = True, **other: Any) -> AsrTests:
    """asremlPlus's ``testswapran``: replace ``oldterms`` by ``newterms`` in the random model
    and test by :func:`REMLRT` (the new model the more complex one unless ``simpler``); the
    swap is kept ("Swapped") when the more complex model is significantly better (or, with
    ``simpler``, when the simpler new model is not significantly worse), else "Rejected"
    ("Unswapped" with ``simpler``)."""
    _other("testswapran", other)
    t = _check_asrtests(asrtests_obj, "testswapran")
    return _swap_test(t, {"random": f"~ . - ({oldterms}) + ({newterms})"}, label, simpler,
                      alpha, positive_zero, bound_test_parameters, denDF, IClikelihood,
                      checkboundaryonly, allow_fixedcorrelation)


def _model_terms(text: str | None, kind: str) -> list[str]:
    """The terms of a fixed or random model text (R's expansion of * / +)."""
    from asr_py.formula import expand, parse_formula

    if not text:
        return []
    body = str(text).split("~", 1)[-1]
    return [str(t) for t in expand(parse_formula(f"~ {body}"), kind).terms]


def changeModelOnIC(asrtests_obj: Any, dropFixed: str | None = None,
                    addFixed: str | None = None, dropRandom: str | None = None,
                    addRandom: str | None = None, newResidual: str | None = None,
                    allow_absentDropTerms: bool = False, label: str = "Changed terms",
                    which_IC: str = "AIC", IClikelihood: str = "REML",
                    denDF: str = "numeric", checkboundaryonly: bool = False,
                    bound_exclusions: Iterable[str] = _BOUND,
                    allow_fixedcorrelation: bool = True, **other: Any) -> AsrTests:
    """asremlPlus's ``changeModelOnIC``: change the model as :func:`changeTerms` does and
    keep the change when it lowers the chosen information criterion, ΔIC = IC_new − IC_old
    < 0 ("Swapped", else "Unswapped"; " - old/new/both unconverged" appended as asremlPlus
    does). The ``label`` row holds the differences new − old of fixedDF (DF), varDF
    (denDF), AIC and BIC. A term to drop that is not in the model gives an "Absent" row and
    no change, unless ``allow_absentDropTerms``."""
    _other("changeModelOnIC", other)
    t = _check_asrtests(asrtests_obj, "changeModelOnIC")
    lik = {"reml": "REML", "full": "full"}.get(str(IClikelihood).lower())
    ic_type = {"aic": "AIC", "bic": "BIC"}.get(str(which_IC).lower())
    if lik is None:
        raise AsrError(f"changeModelOnIC(): IClikelihood must be 'REML' or 'full', not "
                       f"{IClikelihood!r}", hint="'none' is not allowed here")
    if ic_type is None:
        raise AsrError(f"changeModelOnIC(): which.IC must be 'AIC' or 'BIC', not {which_IC!r}",
                       hint='which.IC = "BIC"')
    fit = t["asreml.obj"]
    bound = tuple(bound_exclusions)
    old = _ic(fit, lik, bound)
    absent = False
    if not allow_absentDropTerms:
        for drop, kind in ((dropFixed, "fixed"), (dropRandom, "random")):
            if drop:
                have = _model_terms(fit.call.get(kind), kind)
                absent |= any(_find(x, have) < 0 for x in _model_terms(drop, kind))
    if absent:
        summary = addto_test_summary(t["test.summary"], label, DF=np.nan, action="Absent")
        return t.replaced(**{"test.summary": summary})
    nlines = len(t["test.summary"])
    new = changeTerms(t, dropFixed=dropFixed, addFixed=addFixed, dropRandom=dropRandom,
                      addRandom=addRandom, newResidual=newResidual, label=label,
                      denDF=denDF, IClikelihood=IClikelihood,
                      checkboundaryonly=checkboundaryonly,
                      allow_fixedcorrelation=allow_fixedcorrelation)
    new_fit = new["asreml.obj"]
    ic_new = _ic(new_fit, lik, bound)
    diff = {k: ic_new[k] - old[k] for k in old}
    action = "Swapped" if diff[ic_type] < 0 else "Unswapped"
    fixed_corr = any(new["test.summary"]["action"].iloc[nlines:] == _FIXED_CORR)
    if fixed_corr:
        action = _FIXED_CORR
    elif not fit.converged and not new_fit.converged:
        action += " - both unconverged"
    elif not fit.converged:
        action += " - old unconverged"
    elif not new_fit.converged:
        action += " - new unconverged"
    summary = new["test.summary"].copy()
    rows = [i for i in range(nlines, len(summary)) if summary["terms"].iloc[i] == label
            and summary["action"].iloc[i] != "Boundary"]
    for col, key in (("DF", "fixedDF"), ("denDF", "varDF"), ("AIC", "AIC"), ("BIC", "BIC")):
        summary.loc[summary.index[rows], col] = diff[key]
    summary.loc[summary.index[rows], "action"] = action
    kept = new if action.startswith("Swapped") else t
    return kept.replaced(**{"test.summary": summary})


# asremlPlus's spatial models (asr_py.compat.spatial builds on the functions above)
from asr_py.compat.reparam import newfit, reparamSigDevn  # noqa: E402
from asr_py.compat.spatial import addSpatialModel  # noqa: E402
