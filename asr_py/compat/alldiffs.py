"""asremlPlus's ``alldiffs`` object: predictions with all their pairwise differences.

For predictions p̂ (vector, variance matrix W) of the classify combinations:

* differences D_ij = p̂_i − p̂_j, SED_ij = √(W_ii + W_jj − 2W_ij) (when only W is given);
* p.differences P_ij = 2 P(t_ν > |D_ij| / SED_ij), ν the t degrees of freedom (``tdf``);
* the LSD component (:mod:`asr_py.compat.lsd`), overall, per combination of ``LSDby``
  factors or per prediction;
* error intervals on the predictions: ``Confidence`` p̂ ± t_{1−α/2,ν} se, ``StandardError``
  p̂ ± se, ``halfLeastSignificant`` p̂ ± LSD/2 (reverting to confidence intervals, with a
  warning, when (maxLSD − minLSD)/meanLSD exceeds ``avsed_tolerance``);
* backtransforms of a power/offset/scale transformation z = (scale·y + offset)^p (p = 0: log):
  y = (z^{1/p} − offset)/scale with the delta-method se |dy/dz|·se(z), intervals transformed
  likewise.

:class:`Alldiffs` is a dict with asremlPlus's components (``predictions``, ``vcov``,
``differences``, ``p.differences``, ``sed``, ``LSD``, ``backtransforms``) and R's attributes
in ``.attrs`` (``response``, ``classify``, ``term``, ``tdf``, ``alpha``, ``LSDtype``, ...).
Matrices are DataFrames labelled by the classify levels joined with ``,`` (dae's
``fac.combine``). Functions return new objects; the one passed is not changed.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.compat.lsd import (
    ACCURACIES,
    ZERO_TOL,
    lsd_accuracy,
    lsd_table,
    pick,
    pick_statistics,
    rm_nazero,
)
from asr_py.compat.rattrs import (
    FRAME_INTERNAL,
    R_OWN,
    attributes,
    lintrans_heading,
    user_attrs,
    with_attrs,
)
from asr_py.compat.rlist import RList
from asr_py.errors import AsrError
from asr_py.results.predict import unwrap_classify
from asr_py.warning_classes import AsrWarning

__all__ = ["Alldiffs", "allDifferences", "as_alldiffs", "is_alldiffs", "validAlldiffs",
           "redoErrorIntervals", "recalcLSD", "addBacktransforms", "sort_alldiffs",
           "renewClassify", "subset_alldiffs", "linTransform", "pvalues_table", "pairs_table",
           "classify_vars", "facRecast",
           "facRename", "attr", "INTERVALS",
           "LSDTYPES", "COMPONENTS"]

COMPONENTS = ("predictions", "vcov", "differences", "p.differences", "sed", "LSD",
              "backtransforms")
INTERVALS = ("none", "Confidence", "StandardError", "halfLeastSignificant")
LSDTYPES = ("overall", "factor.combinations", "per.prediction", "supplied")


class Alldiffs(RList):
    """asremlPlus's alldiffs list (see the module docstring); R's attributes in ``attrs``;
    components by name or a unique prefix of it (R's ``diffs$pred``)."""

    def __init__(self, *args: Any, attrs: Mapping[str, Any] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.attrs: dict[str, Any] = dict(attrs or {})

    def copy(self) -> Alldiffs:  # type: ignore[override]
        return Alldiffs({k: (v.copy() if hasattr(v, "copy") else v) for k, v in self.items()},
                        attrs=dict(self.attrs))

    def __repr__(self) -> str:
        out = [f"alldiffs object for {self.attrs.get('response', '')} "
               f"(classify {self.attrs.get('classify', '')}, tdf {self.attrs.get('tdf')})",
               "", "Predictions:", repr(self["predictions"])]
        if self.get("LSD") is not None:
            out += ["", "LSD values:", repr(self["LSD"])]
        if self.get("backtransforms") is not None:
            out += ["", "Backtransforms:", repr(self["backtransforms"])]
        return "\n".join(out)


def one_text(x: Any, fn: str, arg: str) -> Any:
    """R's length-1 character vector as its text (``c("A:B")`` -> ``"A:B"``); a longer
    vector is an error naming ``fn`` and ``arg``; anything else is returned unchanged."""
    if isinstance(x, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        vals = list(x)
        if len(vals) != 1:
            raise AsrError(f"{fn}(): {arg} must be one character string, got {len(vals)} "
                           f"values {vals!r}", hint=f'give {arg} = "A:B" (one text)')
        return vals[0]
    return x


def classify_vars(classify: str) -> list[str]:
    """The variables of a classify (``"A:B"`` and ``"(A:B)"`` -> ["A", "B"]); "(Intercept)"
    has none, nor has "Intercept" (asreml 4.2's name of that classify)."""
    if str(classify).strip() in ("Intercept", "(Intercept)"):
        return []
    return [v.strip() for v in unwrap_classify(str(classify)).split(":") if v.strip() and
            v.strip() != "(Intercept)"]


def _labels(pred: pd.DataFrame, classify: str) -> list[str]:
    vs = classify_vars(classify)
    if not vs:
        return ["(Intercept)"] * len(pred)
    return [",".join(str(v) for v in row) for row in pred[vs].itertuples(index=False)]


def _as_frame(m: Any, labels: list[str]) -> pd.DataFrame:
    a = np.asarray(m, dtype=float)
    if a.shape != (len(labels), len(labels)):
        raise AsrError(f"a {a.shape} matrix does not fit {len(labels)} predictions",
                       hint="vcov and sed need one row and column per prediction")
    return pd.DataFrame(a, index=labels, columns=labels)


def _standardise(predictions: pd.DataFrame, classify: str) -> pd.DataFrame:
    """asremlPlus's predictions frame: classify columns (factors), predicted.value,
    standard.error, est.status (asreml's std.error/status renamed)."""
    p = predictions.copy()
    p = p.rename(columns={"std.error": "standard.error", "status": "est.status"})
    vs = classify_vars(classify)
    missing = [c for c in [*vs, "predicted.value", "standard.error"] if c not in p.columns]
    if missing:
        raise AsrError(f"predictions have no column(s) {', '.join(missing)}",
                       hint="give asreml's predictions (classify columns, predicted.value, "
                            "std.error/standard.error, status)")
    if "est.status" not in p.columns:
        p["est.status"] = "Estimable"
    for v in vs:
        if not isinstance(p[v].dtype, pd.CategoricalDtype) and \
                not pd.api.types.is_numeric_dtype(p[v]):
            p[v] = pd.Categorical(p[v].astype(str), categories=list(dict.fromkeys(
                p[v].astype(str))))
    rest = [c for c in p.columns if c not in vs]
    kept = {k: v for k, v in predictions.attrs.items()
            if k not in FRAME_INTERNAL or k == "r_class"}
    p = p[vs + rest].reset_index(drop=True)
    p.attrs = kept          # as.alldiffs keeps the predictions' R attributes (heading)
    # as.predictions.frame's class (R/alldiffs.v5.r 159)
    p.attrs["r_class"] = ["predictions.frame", "asreml.predict", "data.frame"]
    return p


def as_alldiffs(predictions: pd.DataFrame, vcov: Any = None, differences: Any = None,
                p_differences: Any = None, sed: Any = None, LSD: pd.DataFrame | None = None,
                backtransforms: pd.DataFrame | None = None, response: str | None = None,
                response_title: str | None = None, term: str | None = None,
                classify: str | None = None, tdf: float | None = None, alpha: float = 0.05,
                **other: Any) -> Alldiffs:
    """asremlPlus's ``as.alldiffs``: the object from its components, nothing computed.
    Attributes not given stay unset (NULL in R: ``attributes()`` of
    ``as.alldiffs(pvals, sed = sed, tdf = df)`` are names, tdf, alpha and class); without
    ``classify`` the classify variables are the prediction columns before predicted.value."""
    _refuse("as_alldiffs", other)
    cls = classify if classify is not None else _inferred_classify(predictions)
    pred = _standardise(predictions, cls)
    labs = _labels(pred, cls)
    comps: dict[str, Any] = {"predictions": pred}
    for k, v in (("vcov", vcov), ("differences", differences), ("p.differences",
                 p_differences), ("sed", sed)):
        comps[k] = None if v is None else _as_frame(v, labs)
    comps["LSD"], comps["backtransforms"] = LSD, backtransforms
    return Alldiffs(comps, attrs={"response": response, "response.title": response_title,
                                  "term": term, "classify": classify, "tdf": tdf,
                                  "alpha": alpha})


def _inferred_classify(predictions: pd.DataFrame) -> str:
    """The columns before predicted.value, as asreml's predictions have them."""
    cols = list(predictions.columns)
    if "predicted.value" not in cols or cols.index("predicted.value") == 0:
        raise AsrError("as_alldiffs(): classify= is missing", hint="e.g. classify='A:B'")
    return ":".join(map(str, cols[:cols.index("predicted.value")]))


def _cls(obj: Alldiffs) -> str:
    """The classify of an alldiffs object: its attribute, else the prediction columns
    before predicted.value."""
    c = obj.attrs.get("classify")
    return c if c is not None else _inferred_classify(obj["predictions"])


def is_alldiffs(obj: Any) -> bool:
    """asremlPlus's ``is.alldiffs``."""
    return isinstance(obj, Alldiffs)


def validAlldiffs(obj: Any) -> bool | str:
    """asremlPlus's ``validAlldiffs``: True, or a message saying what is wrong."""
    if not isinstance(obj, Alldiffs):
        return f"object is a {type(obj).__name__}, not an alldiffs object"
    pred = obj.get("predictions")
    if not isinstance(pred, pd.DataFrame):
        return "the predictions component is not a data frame"
    need = ["predicted.value", "standard.error", "est.status"]
    if any(c not in pred.columns for c in need):
        return "the predictions component lacks one of " + ", ".join(need)
    n = len(pred)
    for k in ("vcov", "differences", "p.differences", "sed"):
        m = obj.get(k)
        if m is not None and np.shape(m) != (n, n):
            return f"the {k} component is not {n} x {n}, the number of predictions"
    return True


def _refuse(fn: str, other: Mapping[str, Any], harmless: Sequence[str] = ()) -> None:
    bad = sorted(k for k in other if k not in {"tables", "level_length", "trace",
                                               "titles", *harmless})
    if bad:
        raise AsrError(f"{fn}(): argument(s) {', '.join(bad)} not supported by asr.plus",
                       hint="see docs/asremlplus.md for the arguments each function takes")


def _dots(other: Mapping[str, Any], fn: str, callee: Any = None,
          formals: Sequence[str] = ()) -> dict[str, Any]:
    """R's ``...``: an argument ``fn`` does not take (not one of its asremlPlus ``formals``)
    goes on to ``callee`` when asremlPlus passes its ``...`` down; one no function takes is
    dropped by R (a misspelt ``LSDtstatistic``; linTransform's ``transform.power``, which it
    reads from the backtransforms instead): warned about and dropped here too."""
    import inspect

    known = set(formals) | (set(inspect.signature(callee).parameters) if callee else set()) | {
        "tables", "level_length", "trace", "titles", "wald_tab", "retain_zeroLSDs",
        "zero_tolerance"}
    out = {}
    for k, v in other.items():
        if k in known:
            out[k] = v
        else:
            warnings.warn(f"{fn}(): argument {k!r} is not one asremlPlus takes; R passes it "
                          "through ... and no function uses it, so it is ignored", AsrWarning,
                          stacklevel=3)
    return out


def _sed_from_vcov(v: pd.DataFrame) -> pd.DataFrame:
    """SED_ij = √(V_ii + V_jj − 2V_ij); a variance of a difference at the rounding level of
    that subtraction (8·n·ε times the magnitudes subtracted) is zero: its square root
    (≈1e-9 for variances near 1e-2) would otherwise pass as a real SED and become the
    minimum LSD of predictions that are equal, as after a projection by linTransform."""
    w = v.to_numpy(dtype=float)
    d = np.diag(w)
    var = d[:, None] + d[None, :] - 2 * w
    scale = np.abs(d)[:, None] + np.abs(d)[None, :] + 2 * np.abs(w)
    var[var <= 8 * max(w.shape[0], 8) * np.finfo(float).eps * scale] = 0.0
    with np.errstate(invalid="ignore"):
        s = np.sqrt(np.clip(var, 0.0, None))
    np.fill_diagonal(s, np.nan)
    return pd.DataFrame(s, index=v.index, columns=v.columns)


def _combos(pred: pd.DataFrame, by: list[str]) -> pd.Series:
    """The combinations of the ``by`` columns ("a,b"), as a categorical in standard order
    (the first factor's levels slowest)."""
    lab = pd.Series([",".join(str(x) for x in r) for r in pred[by].itertuples(index=False)])
    codes = [pred[b].cat.codes.to_numpy() if isinstance(pred[b].dtype, pd.CategoricalDtype)
             else pd.factorize(pred[b], sort=True)[0] for b in by]
    order = np.lexsort(codes[::-1])
    return pd.Series(pd.Categorical(lab, categories=list(dict.fromkeys(lab.iloc[order]))))


def _lsd(obj: Alldiffs) -> pd.DataFrame | None:
    a = obj.attrs
    tdf, sed = a.get("tdf"), obj.get("sed")
    if sed is None or tdf is None or not np.isfinite(tdf):
        return None
    t = float(stats.t.ppf(1 - a.get("alpha", 0.05) / 2, tdf))
    typ, by = a.get("LSDtype", "overall"), a.get("LSDby")
    pred = obj["predictions"]
    groups = None
    supplied = _supplied(a.get("LSDsupplied"), by) if typ == "supplied" else None
    if typ == "factor.combinations" or (typ == "supplied" and by):
        if not by:
            raise AsrError("LSDtype='factor.combinations' needs LSDby (the factors within "
                           "whose combinations predictions are compared)")
        by = [by] if isinstance(by, str) else list(by)
        bad = [b for b in by if b not in pred.columns]
        if bad:
            raise AsrError(f"LSDby {bad} are not columns of the predictions",
                           hint="LSDby names classify variables")
        groups = _combos(pred, by)
    return lsd_table(sed.to_numpy(), obj["differences"].to_numpy(), t, groups,
                     per_prediction=typ == "per.prediction", labels=list(sed.index),
                     statistic=a.get("LSDstatistic", "mean"),
                     accuracy=a.get("LSDaccuracy", "maxAbsDeviation"),
                     retain_zero=a.get("retain.zeroLSDs", False),
                     zero_tol=a.get("zero.tolerance", ZERO_TOL),
                     se=pred["standard.error"].to_numpy(dtype=float), supplied=supplied)


def _supplied(x: Any, by: Any) -> dict[str, float]:
    """asremlPlus's LSDsupplied as {LSD row label: value}: a named vector (Series, dict),
    a one-column data frame with the labels as row names, or a data frame of the LSDby
    columns followed by the LSD values; without LSDby the one label is "overall"."""
    if x is None:
        raise AsrError("LSDtype='supplied' needs LSDsupplied", hint="LSDsupplied = "
                       "a value named 'overall', or one per LSDby combination")
    by = [by] if isinstance(by, str) else list(by or [])
    if isinstance(x, pd.DataFrame):
        if x.shape[1] > 1:
            if list(x.columns[:-1]) != by:
                raise AsrError("LSDsupplied: a data frame with more than one column should "
                               "have a column for each element of LSDby followed by a column "
                               "of LSD values", hint=f"LSDby is {by}")
            return {",".join(str(v) for v in r[:-1]): float(r[-1])
                    for r in x.itertuples(index=False)}
        x = x.iloc[:, 0]
    if isinstance(x, Mapping):
        out = {str(k): float(v) for k, v in x.items()}
    elif isinstance(x, pd.Series) and not isinstance(x.index, pd.RangeIndex):
        out = {str(k): float(v) for k, v in x.items()}
    else:
        raise AsrError("LSDsupplied must name its values by the LSDby combinations, or "
                       "'overall' when there is no LSDby",
                       hint="e.g. pd.Series([18.5], index=['overall'])")
    if not by and list(out) != ["overall"]:
        raise AsrError(f"LSDsupplied without LSDby should be one value named 'overall', not "
                       f"{list(out)}")
    return out


def allDifferences(predictions: pd.DataFrame, classify: str, vcov: Any = None,
                   sed: Any = None, tdf: float | None = None, alpha: float = 0.05,
                   LSDtype: str = "overall", LSDby: Sequence[str] | str | None = None,
                   LSDstatistic: str = "mean", LSDaccuracy: str = "maxAbsDeviation",
                   retain_zeroLSDs: bool = False, zero_tolerance: float = ZERO_TOL,
                   response: str | None = None, response_title: str | None = None,
                   term: str | None = None, inestimable_rm: bool = True,
                   pairwise: bool = True, transform_power: float = 1, offset: float = 0,
                   scale: float = 1, transform_function: str = "identity",
                   sortFactor: str | None = None,
                   sortParallelToCombo: Mapping[str, Any] | None = None,
                   sortOrder: Sequence[str] | None = None, decreasing: bool = False,
                   **other: Any) -> Alldiffs:
    """asremlPlus's ``allDifferences``: differences, SEDs, p-values and LSDs of predictions
    (module docstring); inestimable predictions are dropped (``inestimable_rm``)."""
    _refuse("allDifferences", other)
    obj = as_alldiffs(predictions, vcov=vcov, sed=sed, response=response,
                      response_title=response_title or response, term=term or classify,
                      classify=classify, tdf=tdf, alpha=alpha)
    obj.attrs.update({"LSDtype": pick(LSDtype, LSDTYPES, "LSDtype"),
                      "LSDby": LSDby, "LSDstatistic": pick_statistics(LSDstatistic),
                      "LSDaccuracy": pick(LSDaccuracy, ACCURACIES, "LSDaccuracy"),
                      "retain.zeroLSDs": retain_zeroLSDs, "zero.tolerance": zero_tolerance})
    obj = _reorder(obj, obj["predictions"], classify)   # standard order of the classify
    pred = obj["predictions"]
    est = (pred["est.status"].astype(str) == "Estimable").to_numpy()
    if inestimable_rm and not est.all():
        keep = np.flatnonzero(est)
        obj["predictions"] = pred.iloc[keep].reset_index(drop=True)
        for k in ("vcov", "sed"):
            if obj[k] is not None:
                obj[k] = obj[k].iloc[keep, keep]
    if pairwise:
        if obj["sed"] is None:
            if obj["vcov"] is None:
                raise AsrError("allDifferences(): neither sed nor vcov given",
                               hint="predict with sed=True (or vcov=True)")
            obj["sed"] = _sed_from_vcov(obj["vcov"])
        labs = list(obj["sed"].index)
        pv = obj["predictions"]["predicted.value"].to_numpy(dtype=float)
        obj["differences"] = pd.DataFrame(pv[:, None] - pv[None, :], index=labs, columns=labs)
        s = obj["sed"].to_numpy().copy()
        np.fill_diagonal(s, np.nan)
        obj["sed"] = pd.DataFrame(s, index=labs, columns=labs)
        if tdf is None or not np.isfinite(tdf):
            warnings.warn("allDifferences(): the degrees of freedom of the t-distribution are "
                          "not available - p-values and LSDs not calculated", AsrWarning,
                          stacklevel=2)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                p = 2 * stats.t.sf(np.abs(obj["differences"].to_numpy()) / s, tdf)
            obj["p.differences"] = pd.DataFrame(p, index=labs, columns=labs)
            obj["LSD"] = _lsd(obj)
    obj = addBacktransforms(obj, transform_power=transform_power, offset=offset, scale=scale,
                            transform_function=transform_function)
    if sortFactor is not None:
        obj = sort_alldiffs(obj, decreasing=decreasing, sortFactor=sortFactor,
                            sortParallelToCombo=sortParallelToCombo, sortOrder=sortOrder)
    return obj


def recalcLSD(alldiffs_obj: Alldiffs, LSDtype: str = "overall",
              LSDby: Sequence[str] | str | None = None, LSDstatistic: str = "mean",
              LSDaccuracy: str = "maxAbsDeviation", alpha: float | None = None,
              **other: Any) -> Alldiffs:
    """asremlPlus's ``recalcLSD``: the LSD component for a new LSDtype/LSDby/statistic."""
    _check(alldiffs_obj, "recalcLSD")
    _refuse("recalcLSD", other, ("retain_zeroLSDs", "zero_tolerance"))
    obj = alldiffs_obj.copy()
    obj.attrs.update({"LSDtype": pick(LSDtype, LSDTYPES, "LSDtype"), "LSDby": LSDby,
                      "LSDstatistic": pick_statistics(LSDstatistic),
                      "LSDaccuracy": pick(LSDaccuracy, ACCURACIES, "LSDaccuracy")})
    if alpha is not None:
        obj.attrs["alpha"] = alpha
    obj["LSD"] = _lsd(obj)
    return obj


def _check(obj: Any, fn: str) -> None:
    ok = validAlldiffs(obj)
    if ok is not True:
        raise AsrError(f"{fn}(): {ok}", hint="make one with asr.plus.predictPlus or "
                                             "asr.plus.allDifferences")


def _drop_intervals(pred: pd.DataFrame) -> pd.DataFrame:
    return pred[[c for c in pred.columns if not c.startswith(("lower.", "upper."))]]


def _status_last(pred: pd.DataFrame) -> pd.DataFrame:
    if "est.status" in pred.columns:
        pred = pred[[c for c in pred.columns if c != "est.status"] + ["est.status"]]
    return pred


def redoErrorIntervals(alldiffs_obj: Alldiffs, error_intervals: str = "Confidence",
                       alpha: float = 0.05, avsed_tolerance: float | None = 0.25,
                       LSDtype: str | None = None, LSDby: Sequence[str] | str | None = None,
                       LSDstatistic: str | None = None, LSDaccuracy: str | None = None,
                       accuracy_threshold: float | None = None, LSDsupplied: Any = None,
                       **other: Any) -> Alldiffs:
    """asremlPlus's ``redoErrorIntervals``: replace the predictions' error intervals
    (``lower.<type>.limit``, ``upper.<type>.limit``; module docstring). With
    halfLeastSignificant intervals and an ``accuracy_threshold``, an ``LSDwarning`` column
    says whether the assigned LSD's accuracy for that prediction's comparisons (all, or
    those within its LSDby combination) exceeds the threshold."""
    _check(alldiffs_obj, "redoErrorIntervals")
    other = _dots(other, "redoErrorIntervals", allDifferences)
    _refuse("redoErrorIntervals", other, ("wald_tab", "retain_zeroLSDs", "zero_tolerance"))
    kind = pick(error_intervals, INTERVALS, "error_intervals")
    obj = alldiffs_obj.copy()
    a = obj.attrs
    a["alpha"] = alpha
    a["LSDtype"] = pick(LSDtype, LSDTYPES, "LSDtype") if LSDtype else a.get("LSDtype",
                                                                            "overall")
    if a["LSDtype"] == "factor.combinations" and LSDby is None:
        LSDby = a.get("LSDby")
    a["LSDby"] = LSDby if a["LSDtype"] in ("factor.combinations", "supplied") else None
    if LSDsupplied is not None and a["LSDtype"] != "supplied":
        warnings.warn("LSDsupplied is not NULL and LSDtype in not set to supplied - "
                      "LSDsupplied will be ignored.", AsrWarning, stacklevel=2)
    a.pop("LSDsupplied", None)
    if a["LSDtype"] == "supplied":
        a["LSDsupplied"] = LSDsupplied
    # asremlPlus's defaults, not the object's: LSDstatistic "mean", LSDaccuracy
    # "maxAbsDeviation" (R/alldiffs.v5.r 1740-1790; set on the object at 2095-2099)
    a["LSDstatistic"] = pick_statistics(LSDstatistic or "mean")
    a["LSDaccuracy"] = pick(LSDaccuracy or "maxAbsDeviation", ACCURACIES, "LSDaccuracy")
    if obj.get("sed") is None and obj.get("vcov") is not None:
        obj["sed"] = _sed_from_vcov(obj["vcov"])
    if obj.get("sed") is not None and obj.get("differences") is None:
        pv = obj["predictions"]["predicted.value"].to_numpy(dtype=float)
        obj["differences"] = pd.DataFrame(pv[:, None] - pv[None, :], index=obj["sed"].index,
                                          columns=obj["sed"].columns)
    if obj.get("sed") is not None:
        obj["LSD"] = _lsd(obj)
    pred0 = obj["predictions"]
    heading = pred0.attrs.get("heading")
    pred = _drop_intervals(pred0).copy()
    # R's x[, -cols] dropping the old intervals keeps only row.names and class (base R's
    # `[.data.frame` with i missing: .subset(x, j)); within() adding new ones keeps all
    kept = ({"r_class": pred0.attrs.get("r_class")} if len(pred.columns) < len(pred0.columns)
            else user_attrs(pred0) | {"r_class": pred0.attrs.get("r_class")})
    tdf = a.get("tdf")
    if kind in ("Confidence", "halfLeastSignificant") and (tdf is None or not np.isfinite(tdf)):
        warnings.warn("redoErrorIntervals(): the degrees of freedom of the t-distribution are "
                      "not available - reverting to standard errors", AsrWarning, stacklevel=2)
        kind = "StandardError"
    pv = pred["predicted.value"].to_numpy(dtype=float)
    se = pred["standard.error"].to_numpy(dtype=float)
    half: np.ndarray | None = None
    if kind == "halfLeastSignificant" and len(pred) > 1:
        if obj.get("LSD") is None:
            raise AsrError("redoErrorIntervals(): halfLeastSignificant intervals need the sed "
                           "or vcov component")
        lsd = obj["LSD"]
        rng = ((lsd["maxLSD"] - lsd["minLSD"]).abs() / lsd["meanLSD"]).fillna(0.0)
        if avsed_tolerance is not None and np.isfinite(avsed_tolerance) and \
                (rng > avsed_tolerance).any():
            warnings.warn("redoErrorIntervals(): the avsed.tolerance is exceeded - reverting "
                          "to confidence intervals", AsrWarning, stacklevel=2)
            kind = "Confidence"
        elif a["LSDtype"] == "overall" or (a["LSDtype"] == "supplied" and not a["LSDby"]):
            half = np.full(len(pred), float(lsd["assignedLSD"].iloc[0]))
        elif a["LSDtype"] == "per.prediction":
            half = lsd["assignedLSD"].to_numpy(dtype=float)
        else:
            by = [a["LSDby"]] if isinstance(a["LSDby"], str) else list(a["LSDby"])
            g = [",".join(str(x) for x in r) for r in pred[by].itertuples(index=False)]
            half = lsd["assignedLSD"].reindex(g).to_numpy(dtype=float)
        if half is not None:
            half = np.where(half < a.get("zero.tolerance", ZERO_TOL), np.nan, half)
    if kind == "StandardError":
        lo, up = pv - se, pv + se
    elif kind == "Confidence":
        t = float(stats.t.ppf(1 - alpha / 2, tdf))
        lo, up = pv - t * se, pv + t * se
    elif kind == "halfLeastSignificant" and half is not None:
        lo, up = pv - half / 2, pv + half / 2
    else:
        lo = up = None
    if lo is not None:
        pred[f"upper.{kind}.limit"] = up
        pred[f"lower.{kind}.limit"] = lo
    thr = np.nan if accuracy_threshold is None else float(accuracy_threshold)
    if kind == "halfLeastSignificant" and half is not None and np.isfinite(thr):
        pred["LSDwarning"] = _pred_accuracy(obj, half) > thr
    pred = _status_last(pred)
    if kind == "halfLeastSignificant" and half is not None:
        if a["LSDtype"] == "factor.combinations" or (a["LSDtype"] == "supplied"
                                                      and a["LSDby"]):
            kept = {"r_class": kept.get("r_class")}     # its merge keeps heading and class
        kept.update(_lsd_attrs(obj, avsed_tolerance, accuracy_threshold))
    kept["heading"] = heading               # R/alldiffs.v5.r 2100
    obj["predictions"] = with_attrs(pred, kept)
    return addBacktransforms(obj, **_transform_of(obj))


def _lsd_attrs(obj: Alldiffs, avsed_tolerance: float | None,
               accuracy_threshold: float | None) -> dict[str, Any]:
    """asremlPlus's attributes of predictions with halfLeastSignificant intervals
    (R/alldiffs.v5.r 2054-2063): the LSD settings (a NULL LSDby is no attribute; a NULL
    tolerance or threshold is R's NA) and ``LSDvalues``, the assigned LSDs: one number
    (overall), one per prediction (per.prediction), or named by the LSDby combinations
    (factor.combinations, 2011-2012)."""
    a = obj.attrs
    lsd = obj.get("LSD")
    vals: Any = None
    if lsd is not None:
        assigned = lsd["assignedLSD"].to_numpy(dtype=float)
        if a.get("LSDtype") == "per.prediction":
            vals = assigned
        elif a.get("LSDtype") == "factor.combinations" or (
                a.get("LSDtype") == "supplied" and a.get("LSDby")):
            vals = pd.Series(assigned, index=[str(k) for k in lsd.index])
        else:
            vals = float(assigned[0])
    return {"LSDtype": a.get("LSDtype"), "LSDby": a.get("LSDby"),
            "LSDstatistic": a.get("LSDstatistic"), "LSDaccuracy": a.get("LSDaccuracy"),
            "avsed.tolerance": np.nan if avsed_tolerance is None else avsed_tolerance,
            "accuracy.threshold": np.nan if accuracy_threshold is None
            else accuracy_threshold, "LSDvalues": vals}


def _pred_accuracy(obj: Alldiffs, assigned: np.ndarray) -> np.ndarray:
    """Each prediction's accuracy of its assigned LSD over its comparisons: with all others
    (overall, per.prediction) or within its LSDby combination (asremlPlus's LSDpred.acc and
    sliceAccs)."""
    a = obj.attrs
    sed = obj["sed"].to_numpy()
    t = float(stats.t.ppf(1 - a.get("alpha", 0.05) / 2, a["tdf"]))
    n = sed.shape[0]
    if a["LSDtype"] == "factor.combinations" or (a["LSDtype"] == "supplied" and a["LSDby"]):
        by = [a["LSDby"]] if isinstance(a["LSDby"], str) else list(a["LSDby"])
        g = _combos(obj["predictions"], by).astype(str).to_numpy()
    else:
        g = np.zeros(n)
    out = np.empty(n)
    tol = a.get("zero.tolerance", ZERO_TOL)
    for i in range(n):
        o = (g == g[i]) & (np.arange(n) != i)
        if not o.any():     # a prediction alone in its combination: no accuracy
            out[i] = np.nan
            continue
        s, _ = rm_nazero(sed[i, o], None, a.get("retain.zeroLSDs", False), tol)
        out[i] = lsd_accuracy(s, assigned[i], t, a.get("LSDaccuracy", "maxAbsDeviation"))
    return out


def _transform_of(obj: Alldiffs) -> dict[str, Any]:
    """The transformation to backtransform with: the backtransforms component's attributes
    (as asremlPlus reads them, R/alldiffs.v5.r 1759-1770), else the object's settings."""
    bt = obj.get("backtransforms")
    a = obj.attrs
    if bt is not None and bt.attrs.get("transform.power") is not None:
        a = bt.attrs
    return {"transform_power": a.get("transform.power", 1), "offset": a.get("offset", 0),
            "scale": a.get("scale", 1),
            "transform_function": a.get("transform.function", "identity")}


#: inverse links of asremlPlus's transform.function (other than identity and log)
_INVERSE_LINK = {
    "inverse": lambda v: 1.0 / v,
    "sqrt": lambda v: v ** 2,
    "logit": lambda v: 1.0 / (1.0 + np.exp(-v)),
    "probit": lambda v: stats.norm.cdf(v),
    "cloglog": lambda v: 1.0 - np.exp(-np.exp(v)),
}


def addBacktransforms(alldiffs_obj: Alldiffs, transform_power: float = 1, offset: float = 0,
                      scale: float = 1, transform_function: str = "identity",
                      **other: Any) -> Alldiffs:
    """asremlPlus's ``addBacktransforms``: the predictions, their intervals and approximate
    se on the original scale of z = (scale·y + offset)^p (module docstring), or of a link
    ``transform_function`` ("log", "inverse", "sqrt", "logit", "probit", "cloglog"): the
    inverse link of the predictions and intervals; their standard.error is the predictions'
    ``approx.se`` column when there is one, else NA (as asremlPlus). The inverse link is
    applied to both limits (asremlPlus's code leaves inverse/sqrt untransformed and
    mistypes logit's upper limit; these give the mathematical backtransform)."""
    _refuse("addBacktransforms", other)
    obj = alldiffs_obj.copy()
    func = pick(transform_function, ("identity", "log", *_INVERSE_LINK), "transform_function")
    trans = transform_power != 1 or offset != 0 or scale != 1
    if func not in ("identity", "log") and trans:
        raise AsrError("addBacktransforms(): give transform_function or transform_power/"
                       "offset/scale, not both", hint=f"transform_function='{func}'")
    if func == "log":
        if transform_power != 1:
            raise AsrError("addBacktransforms(): give transform_function='log' or "
                           "transform_power, not both")
        transform_power = 0
    if func in _INVERSE_LINK:
        obj.attrs.update({"transform.power": 1, "offset": 0, "scale": 1,
                          "transform.function": func})
        obj["backtransforms"] = _bt_attrs(_link_backtransforms(obj, func), obj, 1, 0, 1, func)
        return obj
    obj.attrs.update({"transform.power": transform_power, "offset": offset, "scale": scale,
                      "transform.function": "identity"})
    if transform_power == 1 and offset == 0 and scale == 1:
        obj["backtransforms"] = None
        return obj
    bt = obj["predictions"].copy().rename(columns={"predicted.value":
                                                   "backtransformed.predictions"})
    z = obj["predictions"]["predicted.value"].to_numpy(dtype=float)
    se = obj["predictions"]["standard.error"].to_numpy(dtype=float)

    def inv(v: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.exp(v) if transform_power == 0 else np.power(v, 1.0 / transform_power)
        return (w - offset) / scale

    y0 = np.exp(z) if transform_power == 0 else np.power(z, 1.0 / transform_power)
    with np.errstate(invalid="ignore", divide="ignore"):
        dydz = y0 if transform_power == 0 else y0 / (transform_power * z)
    bt["backtransformed.predictions"] = inv(z)
    bt["standard.error"] = np.abs(dydz) * se / scale
    for c in bt.columns:
        if c.startswith(("lower.", "upper.")):
            bt[c] = inv(bt[c].to_numpy(dtype=float))
    obj["backtransforms"] = _bt_attrs(bt, obj, transform_power, offset, scale, "identity")
    return obj


def _bt_attrs(bt: pd.DataFrame | None, obj: Alldiffs, power: float, offset: float,
              scale: float, func: str) -> pd.DataFrame | None:
    """A backtransforms frame's R attributes (R/alldiffs.v5.r 2533, 2720-2730): the
    predictions' attributes but LSDvalues, then the transformation."""
    if bt is None:
        return None
    pa = obj["predictions"].attrs
    keep = {k: v for k, v in pa.items() if k != "LSDvalues" and (
        k not in FRAME_INTERNAL or k == "r_class")}
    keep.update({"transform.power": power, "offset": offset, "scale": scale,
                 "transform.function": func})
    return with_attrs(bt, keep)


def _link_backtransforms(obj: Alldiffs, func: str) -> pd.DataFrame | None:
    """The backtransforms table of a link ``func``: inverse link of the predicted values
    and interval limits; standard.error from an ``approx.se`` column, else from the saved
    backtransforms of the same ``func`` (as asremlPlus), else NA. asreml's
    transformed.value/approx.se columns of a GLM's predictions, when transformed.value is
    the backtransform, are dropped from ``obj``'s predictions (asremlPlus does); otherwise a
    warning and standard.error NA."""
    pred = obj["predictions"]
    if len(pred) == 0:
        return None
    inv = _INVERSE_LINK[func]
    bt = pred.copy().rename(columns={"predicted.value": "backtransformed.predictions"})
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        bt["backtransformed.predictions"] = inv(pred["predicted.value"].to_numpy(float))
        for c in bt.columns:
            if c.startswith(("lower.", "upper.")):
                bt[c] = inv(bt[c].to_numpy(dtype=float))
    approx = pred["approx.se"].to_numpy(float) if "approx.se" in pred else np.nan
    old = obj.get("backtransforms")
    if "approx.se" not in pred and isinstance(old, pd.DataFrame) and len(old) == len(pred) \
            and old.attrs.get("transform.function") == func and "standard.error" in old:
        approx = old["standard.error"].to_numpy(float)  # saved ones (R/alldiffs.v5.r:2513-2523)
    if "transformed.value" in pred:     # asreml's GLM columns (R/alldiffs.v5.r:2645-2668)
        same = np.allclose(bt["backtransformed.predictions"].to_numpy(float),
                           pred["transformed.value"].to_numpy(float), rtol=0.0,
                           atol=np.sqrt(np.finfo(float).eps), equal_nan=True)
        if not same:
            warnings.warn("The column transformed value inserted by asreml is not the same as "
                          "the column backtransformed prediction obtained using the inverse "
                          "transform.function", AsrWarning, stacklevel=3)
            approx = np.nan
        else:           # duplicates: asremlPlus removes them from the predictions too
            obj["predictions"] = pred.drop(columns=[c for c in ("transformed.value",
                                                                "approx.se") if c in pred])
    if "standard.error" in bt.columns:
        bt["standard.error"] = approx
    return bt.drop(columns=[c for c in ("transformed.value", "approx.se") if c in bt])


def _recast(obj: Alldiffs, factor: str, levels: list[str]) -> Alldiffs:
    """The predictions in standard order after the levels of ``factor`` are reordered."""
    out = obj.copy()
    pred = out["predictions"].copy()
    pred[factor] = pd.Categorical(pred[factor].astype(str), categories=levels)
    out = _reorder(out, pred, _cls(out))
    if out.get("LSD") is not None and out.attrs.get("LSDtype") == "factor.combinations":
        lsd = _lsd(out)             # asremlPlus's facRecast recalculates the LSD component:
        if lsd is not None:         # its rows follow the LSDby combinations' new order
            out["LSD"] = lsd
    return out


def _reorder(obj: Alldiffs, pred: pd.DataFrame, classify: str) -> Alldiffs:
    vs = classify_vars(classify)
    key = pred[vs].copy()
    for v in vs:
        key[v] = key[v].cat.codes if isinstance(key[v].dtype, pd.CategoricalDtype) else key[v]
    order = np.lexsort([key[v].to_numpy() for v in reversed(vs)]) if vs else \
        np.arange(len(pred))
    pred = pred.iloc[order]
    rest = [c for c in pred.columns if c not in vs]
    obj["predictions"] = pred[vs + rest].reset_index(drop=True)
    labs = _labels(obj["predictions"], classify)
    obj.attrs["classify"] = classify
    for k in ("vcov", "differences", "p.differences", "sed"):
        m = obj.get(k)
        if m is not None:
            a = m.to_numpy()[np.ix_(order, order)]
            obj[k] = pd.DataFrame(a, index=labs, columns=labs)
    if obj.get("LSD") is not None and obj.attrs.get("LSDtype") == "per.prediction":
        lsd = obj["LSD"].iloc[order].copy()
        lsd.index = labs
        obj["LSD"] = lsd
    if obj.get("backtransforms") is not None:
        bt = obj["backtransforms"].iloc[order]
        bt = bt[[c for c in vs if c in bt.columns] +
                [c for c in bt.columns if c not in vs]].reset_index(drop=True)
        for v in vs:        # the classify factors as the predictions have them (levels, labels)
            if v in bt.columns and len(bt) == len(obj["predictions"]):
                bt[v] = pd.Series(obj["predictions"][v].array, index=bt.index)
        obj["backtransforms"] = bt
    return obj


def sort_alldiffs(x: Alldiffs, decreasing: bool = False, classify: str | None = None,
                  sortFactor: str | None = None,
                  sortParallelToCombo: Mapping[str, Any] | None = None,
                  sortNestingFactor: str | None = None,
                  sortOrder: Sequence[str] | None = None, **other: Any) -> Alldiffs:
    """asremlPlus's ``sort.alldiffs``: reorder the levels of ``sortFactor`` by the predicted
    values at one combination of the other classify variables (``sortParallelToCombo``,
    default the first prediction's), or as ``sortOrder``; all components follow. The new
    level order is ``attrs['sortOrder']``."""
    _check(x, "sort")
    _refuse("sort", other)
    cls = classify or _cls(x)
    vs = classify_vars(cls)
    pred = x["predictions"]
    if sortFactor is None:
        if len(vs) != 1:
            raise AsrError("sort(): the classify has several variables - give sortFactor")
        sortFactor = vs[0]
    if sortFactor not in vs:
        raise AsrError(f"sort(): sortFactor '{sortFactor}' is not in the classify {cls}")
    levs = [str(v) for v in (pred[sortFactor].cat.categories if isinstance(
        pred[sortFactor].dtype, pd.CategoricalDtype) else pd.unique(pred[sortFactor]))]
    if sortOrder is not None:
        new = [str(s) for s in sortOrder]
        if sorted(new) != sorted(levs):
            raise AsrError("sort(): sortOrder must hold each level of "
                           f"{sortFactor} once", hint=f"levels: {', '.join(levs)}")
    else:
        if sortNestingFactor is not None and (sortNestingFactor not in vs or
                                              sortNestingFactor == sortFactor):
            raise AsrError(f"sort(): sortNestingFactor '{sortNestingFactor}' must be another "
                           f"variable of the classify {cls}")
        others = [v for v in vs if v not in (sortFactor, sortNestingFactor)]
        combo = dict(sortParallelToCombo or {v: str(pred[v].iloc[0]) for v in others})
        if sorted(combo) != sorted(others):
            raise AsrError("sort(): sortParallelToCombo needs one value for each classify "
                           "variable except sortFactor (and sortNestingFactor)",
                           hint=f"variables: {others}")
        sub = np.ones(len(pred), bool)
        for v, val in combo.items():
            sub &= (pred[v].astype(str) == str(val[0] if isinstance(val, (list, tuple))
                                              else val)).to_numpy()
        s = pred.loc[sub].copy()
        val = s["predicted.value"].to_numpy(dtype=float)
        s["_key"] = -val if decreasing else val
        # sortNestingFactor: sort within each of its levels, the levels in their order
        keys = ([sortNestingFactor, "_key"] if sortNestingFactor is not None else ["_key"])
        s = s.sort_values(keys, kind="stable")
        new = list(dict.fromkeys(str(v) for v in s[sortFactor]))
        new += [lv for lv in levs if lv not in new]
    out = _recast(x, sortFactor, new)
    out.attrs.update({"sortFactor": sortFactor, "sortOrder": new, "classify": cls})
    return out


def renewClassify(alldiffs_obj: Alldiffs, newclassify: str,
                  sortFactor: str | None = None,
                  sortParallelToCombo: Mapping[str, Any] | None = None,
                  sortNestingFactor: str | None = None,
                  sortOrder: Sequence[str] | None = None, decreasing: bool = False,
                  **other: Any) -> Alldiffs:
    """asremlPlus's ``renewClassify``: the same predictions in the standard order of a new
    classify (the same variables in another order, ``"A:B"`` -> ``"B:A"``, or predictions
    columns that still identify each prediction once), then sorted when ``sortFactor``."""
    _check(alldiffs_obj, "renewClassify")
    _refuse("renewClassify", other)
    newclassify = one_text(newclassify, "renewClassify", "newclassify")
    new = classify_vars(newclassify)
    pred = alldiffs_obj["predictions"]
    bad = [v for v in new if v not in pred.columns]
    if bad:
        raise AsrError(f"renewClassify(): {bad} are not columns of the predictions",
                       hint=f"classify: {alldiffs_obj.attrs['classify']}")
    if new and pred[new].astype(str).duplicated().any():
        raise AsrError(f"renewClassify(): '{newclassify}' does not identify each prediction "
                       "once", hint="give all the classify variables, in the new order")
    out = alldiffs_obj.copy()
    out = _reorder(out, out["predictions"], newclassify)
    if out.get("LSD") is not None and out.attrs.get("LSDtype") == "per.prediction":
        out["LSD"] = _lsd(out)
    if sortFactor is not None:
        out = sort_alldiffs(out, decreasing=decreasing, sortFactor=sortFactor,
                            sortParallelToCombo=sortParallelToCombo,
                            sortNestingFactor=sortNestingFactor, sortOrder=sortOrder)
    return out


def linTransform(alldiffs_obj: Alldiffs, linear_transformation: Any, alpha: float = 0.05,
                 error_intervals: str = "Confidence", EGLS_linTransform: bool = True,
                 Vmatrix: bool = False, classify: str | None = None,
                 LSDtype: str | None = None, LSDby: Sequence[str] | str | None = None,
                 LSDstatistic: str | None = None, LSDaccuracy: str | None = None,
                 avsed_tolerance: float | None = 0.25, accuracy_threshold: float | None = None,
                 **other: Any) -> Alldiffs:
    """asremlPlus's ``linTransform``. A matrix L: the combinations Lp̂ with variance L W L'
    (labelled by L's row names, else 1, 2, ...). A model formula (``"~ A + B"``, text) of
    the classify variables: the predictions projected onto that submodel, Qp̂ with variance
    Q W Q', Q = X(X'W⁻X)⁻X'W⁻ (``EGLS_linTransform``; else the orthogonal projector
    X(X'X)⁻X'), X the submodel's design on the predictions. Needs the vcov component."""
    _check(alldiffs_obj, "linTransform")
    other = _dots(other, "linTransform", formals=(
        "term", "LSDsupplied", "response", "response_title", "x_num", "x_fac", "pairwise",
        "inestimable_rm", "wald_tab"))                # asremlPlus's formals we do not take
    _refuse("linTransform", other, ("wald_tab",))
    if classify is not None and sorted(classify_vars(classify)) != sorted(
            classify_vars(_cls(alldiffs_obj))):
        raise AsrError(f"linTransform(): classify '{classify}' is not the alldiffs object's "
                       f"classify '{alldiffs_obj.attrs['classify']}'")
    if alldiffs_obj.get("vcov") is None:
        raise AsrError("linTransform(): the alldiffs object has no vcov component",
                       hint="predictPlus(..., Vmatrix=True)")
    W = alldiffs_obj["vcov"].to_numpy()
    a = alldiffs_obj.attrs
    pred = alldiffs_obj["predictions"]
    pv = pred["predicted.value"].to_numpy(dtype=float)
    if isinstance(linear_transformation, str):
        import formulaic

        rhs = linear_transformation.split("~", 1)[-1]
        try:
            X = np.asarray(formulaic.model_matrix("~ " + rhs, pred), dtype=float)
        except Exception as e:  # noqa: BLE001 - formulaic's errors name the problem
            raise AsrError(f"linTransform(): cannot form the submodel {linear_transformation!r} "
                           f"on the predictions: {e}",
                           hint="use the classify variables in the formula") from e
        G = np.linalg.pinv(W) if EGLS_linTransform else np.eye(len(pv))
        L = X @ np.linalg.pinv(X.T @ G @ X) @ X.T @ G
        cls = _cls(alldiffs_obj)
        frame = pred[classify_vars(cls)].copy()
    else:
        L = np.asarray(linear_transformation, dtype=float)
        if L.ndim != 2 or L.shape[1] != W.shape[0]:
            raise AsrError(f"linTransform(): L has {L.shape[-1]} columns, there are "
                           f"{W.shape[0]} predictions")
        names = (list(map(str, linear_transformation.index))
                 if isinstance(linear_transformation, pd.DataFrame)
                 else [str(i + 1) for i in range(L.shape[0])])
        frame = pd.DataFrame({"Combination": pd.Categorical(names, categories=names)})
        cls = "Combination"
    p = L @ pv
    V = L @ W @ L.T
    p[np.abs(p) < ZERO_TOL] = 0.0
    frame["predicted.value"] = p
    frame["standard.error"] = np.sqrt(np.clip(np.diag(V), 0.0, None))
    frame["est.status"] = "Estimable"
    frame.attrs = {"heading": lintrans_heading(pred.attrs.get("heading"), cls != "Combination",
                                               EGLS_linTransform),
                   "r_class": pred.attrs.get("r_class")}
    out = allDifferences(frame, cls, vcov=V, tdf=a.get("tdf"), alpha=alpha,
                         response=a.get("response"), term=a.get("term"),
                         LSDtype=LSDtype or "overall", LSDby=LSDby,
                         LSDstatistic=LSDstatistic or "mean",
                         LSDaccuracy=LSDaccuracy or "maxAbsDeviation",
                         **_lintransform_scale(alldiffs_obj, submodel=cls != "Combination"))
    out = redoErrorIntervals(out, error_intervals=error_intervals, alpha=alpha,
                             LSDstatistic=LSDstatistic, LSDaccuracy=LSDaccuracy,
                             avsed_tolerance=avsed_tolerance,
                             accuracy_threshold=accuracy_threshold)
    if not Vmatrix:
        out["vcov"] = None
    return out


def _lintransform_scale(alldiffs_obj: Alldiffs, submodel: bool) -> dict[str, Any]:
    """The transformation linTransform's result is backtransformed with: asremlPlus 4 reads
    ``transform.power``, ``offset``, ``scale`` (and, for a matrix L, ``transform.function``)
    from the backtransforms component of the alldiffs object (R/alldiffs.v5.r,
    linTransform.alldiffs); none when it has no backtransforms (the identity)."""
    if alldiffs_obj.get("backtransforms") is None:
        return {}
    out = _transform_of(alldiffs_obj)
    if submodel:
        out["transform_function"] = "identity"
    return out


def pvalues_table(alldiffs_obj: Alldiffs, sections: Sequence[str] | None = None,
                  triangles: str = "both") -> pd.DataFrame:
    """asremlPlus's plotPvalues data (its ``$pvalues``): the p.differences melted by
    :func:`pairs_table` into Rows, Columns, p."""
    _check(alldiffs_obj, "plotPvalues")
    P = alldiffs_obj.get("p.differences")
    if P is None:
        raise AsrError("plotPvalues(): the alldiffs object has no p.differences",
                       hint="it needs tdf (wald_tab=) and sed")
    return pairs_table(alldiffs_obj, P, "p", sections, triangles, "plotPvalues")


def pairs_table(alldiffs_obj: Alldiffs, values: pd.DataFrame, name: str,
                sections: Sequence[str] | None = None, triangles: str = "both",
                fn: str = "plotPvalues") -> pd.DataFrame:
    """A matrix over the pairs of predictions (p.differences, LSDs, ...) melted as
    asremlPlus's plot functions do: one row per ordered pair (Rows, Columns, ``name``; the
    diagonal as the matrix has it), the lower (``triangles = "upper"``) or upper ("lower")
    triangle set to NA. With ``sections``: Rows and Columns are the other classify
    variables' combinations and ``sections1``/``sections2`` the sections' combination of
    the row and the column prediction."""
    tri = pick(triangles, ("both", "upper", "lower"), "triangles")
    a = values.to_numpy().copy()
    if a.dtype.kind in "biuf":
        a = a.astype(float)
    n = a.shape[0]
    if tri == "upper":
        a[np.tril_indices(n, -1)] = np.nan
    elif tri == "lower":
        a[np.triu_indices(n, 1)] = np.nan
    labs = list(values.index)
    rows, cols = np.tile(np.arange(n), n), np.repeat(np.arange(n), n)   # R's melt order
    out = pd.DataFrame({"Rows": pd.Categorical([labs[i] for i in rows], categories=labs),
                        "Columns": pd.Categorical([labs[j] for j in cols], categories=labs),
                        name: a.ravel(order="F")})
    if sections:
        pred = alldiffs_obj["predictions"]
        secs = list(sections)
        vs = classify_vars(_cls(alldiffs_obj))
        bad = [v for v in secs if v not in vs]
        if bad:
            raise AsrError(f"{fn}(): sections {bad} are not classify variables",
                           hint=f"classify: {alldiffs_obj.attrs['classify']}")
        rest = [v for v in vs if v not in secs]
        sec = _combos(pred, secs)
        pair = _combos(pred, rest) if rest else pd.Series(pd.Categorical([""] * n))
        out["Rows"] = pd.Categorical(pair.astype(str).to_numpy()[rows],
                                     categories=pair.cat.categories)
        out["Columns"] = pd.Categorical(pair.astype(str).to_numpy()[cols],
                                        categories=pair.cat.categories)
        out["sections1"] = pd.Categorical(sec.astype(str).to_numpy()[rows],
                                          categories=sec.cat.categories)
        out["sections2"] = pd.Categorical(sec.astype(str).to_numpy()[cols],
                                          categories=sec.cat.categories)
    return out


def facRecast(object: Alldiffs, factor: str, levels_order: Sequence[Any] | None = None,
              newlabels: Sequence[Any] | None = None, **other: Any) -> Alldiffs:
    """asremlPlus's ``facRecast.alldiffs``: reorder (``levels_order``) and/or relabel
    (``newlabels``, one per level in the current order) the levels of one classify factor;
    all components follow the predictions' new standard order."""
    _check(object, "facRecast")
    _refuse("facRecast", other)
    pred = object["predictions"]
    if factor not in pred.columns:
        raise AsrError(f"facRecast(): '{factor}' is not a column of the predictions")
    col = pred[factor]
    levs = [str(v) for v in (col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype)
                             else pd.unique(col))]
    out = object
    if levels_order is not None:
        new = [str(v) for v in levels_order]
        if sorted(set(new)) != sorted(levs) or len(new) != len(levs):
            raise AsrError("facRecast(): levels_order must hold each level of "
                           f"{factor} once", hint=f"levels: {', '.join(levs)}")
        out = _recast(out, factor, new)
        levs = new
    if newlabels is not None:
        lab = [str(v) for v in newlabels]
        if len(set(lab)) != len(levs) or len(lab) != len(levs):
            raise AsrError(f"facRecast(): newlabels must be {len(levs)} distinct labels, one "
                           f"per level of {factor}")
        out = out.copy()
        p = out["predictions"].copy()
        p[factor] = pd.Categorical(p[factor].astype(str).map(dict(zip(levs, lab))),
                                   categories=lab)
        out = _reorder(out, p, _cls(out))
    return _relabel_lsd(out)


def _relabel_lsd(out: Alldiffs) -> Alldiffs:
    """facRecast's LSD component recalculated for the recast factor and the predictions'
    LSDvalues renamed after it (R/alldiffs.v5.r 1008-1029)."""
    a = out.attrs
    if out.get("LSD") is None or out.get("sed") is None or a.get("LSDtype") == "supplied":
        return out
    lsd = _lsd(out)
    if lsd is None:
        return out
    out["LSD"] = lsd
    pred = out["predictions"]
    if pred.attrs.get("LSDvalues") is not None:
        stat = pred.attrs.get("LSDstatistic") or "mean"
        name = f"{str(stat).replace('imum', '')}LSD"
        if name in lsd.columns:
            vals = pd.Series(lsd[name].to_numpy(dtype=float), index=[str(i) for i in lsd.index])
            out["predictions"] = with_attrs(pred.copy(), {**user_attrs(pred),
                                                          "r_class": pred.attrs.get("r_class"),
                                                          "LSDvalues": vals})
    return out


def facRename(object: Alldiffs, factor_names: Sequence[str] | str,
              newnames: Sequence[str] | str, **other: Any) -> Alldiffs:
    """asremlPlus's ``facRename.alldiffs``: rename classify variables everywhere (the
    predictions' and backtransforms' columns, classify, LSDby, sortFactor)."""
    _check(object, "facRename")
    _refuse("facRename", other)
    old = [factor_names] if isinstance(factor_names, str) else list(factor_names)
    new = [newnames] if isinstance(newnames, str) else list(newnames)
    if len(old) != len(new):
        raise AsrError("facRename(): factor_names and newnames must have the same length")
    bad = [f for f in old if f not in object["predictions"].columns]
    if bad:
        raise AsrError(f"facRename(): {bad} are not columns of the predictions")
    ren = dict(zip(old, new))
    out = object.copy()
    out["predictions"] = out["predictions"].rename(columns=ren)
    if out.get("backtransforms") is not None:
        out["backtransforms"] = out["backtransforms"].rename(columns=ren)
    a = out.attrs
    a["classify"] = ":".join(ren.get(v, v) for v in classify_vars(_cls(object)))
    by: list[str] | None = None
    if a.get("LSDby") and out.get("LSD") is not None:
        by = [a["LSDby"]] if isinstance(a["LSDby"], str) else list(a["LSDby"])
        by = a["LSDby"] = [ren.get(b, b) for b in by]
        # R/alldiffs.v5.r 1045-1072: the frames' LSDby follow (the backtransforms' is NULL
        # without an LSD component and LSDby)
        out["predictions"] = _with_attr(out["predictions"], "LSDby", by)
    if out.get("backtransforms") is not None:
        out["backtransforms"] = _with_attr(out["backtransforms"], "LSDby", by)
    if a.get("sortFactor"):
        a["sortFactor"] = ren.get(a["sortFactor"], a["sortFactor"])
    return out


def _with_attr(frame: pd.DataFrame, name: str, value: Any) -> pd.DataFrame:
    """``frame`` with R attribute ``name`` set to ``value`` (None removes it)."""
    return with_attrs(frame, {**user_attrs(frame), "r_class": frame.attrs.get("r_class"),
                              name: value})


def attr(x: Any, which: str, exact: bool = False) -> Any:
    """R's ``attr(x, which)`` for alldiffs objects and data frames: the attribute, or None
    (R's NULL) when absent; ``"names"`` gives the names (keys, columns)."""
    if which in R_OWN:
        own = attributes(x)
        return None if own is None else own.get(which)
    attrs = user_attrs(x)
    if which == "INVERSE" and "inverse" in attrs:     # asreml's flag (translate's attr<-)
        return attrs["inverse"]
    if which in attrs or exact:
        return attrs.get(which)
    hits = [k for k in attrs if str(k).startswith(which)]
    return attrs[hits[0]] if len(hits) == 1 else None


def subset_alldiffs(x: Alldiffs, subset: Any = None,
                    rmClassifyVars: Sequence[str] | str | None = None,
                    **other: Any) -> Alldiffs:
    """asremlPlus's ``subset.alldiffs``: keep the predictions where ``subset`` is TRUE (a
    logical vector over the predictions, or a function of the predictions frame giving one;
    NA counts as FALSE) with the matching rows and columns of vcov, differences,
    p.differences and sed, unused factor levels dropped and the LSD recalculated (unless
    supplied); ``rmClassifyVars`` then drops classify variables whose removal leaves the
    predictions uniquely indexed, relabelling the matrices."""
    _check(x, "subset.alldiffs")
    for arg in ("select", "drop"):
        if arg in other:
            raise AsrError(f"subset.alldiffs(): {arg} is not supported in subset.alldiffs",
                           hint="as in asremlPlus")
    _refuse("subset.alldiffs", other)
    out = x.copy()
    pred = out["predictions"]
    if subset is None and rmClassifyVars is None:
        warnings.warn("neither subset or rmClassifyVars have been set", AsrWarning,
                      stacklevel=2)
    if subset is not None:
        cond = subset(pred) if callable(subset) else subset
        vals = np.asarray(cond.to_numpy() if isinstance(cond, pd.Series) else cond,
                          dtype=object).ravel()
        if vals.size == 1:
            vals = np.repeat(vals, len(pred))
        if vals.size != len(pred) or not all(isinstance(v, (bool, np.bool_)) or pd.isna(v)
                                             for v in vals):
            raise AsrError("subset.alldiffs(): 'subset' must be logical, one value per "
                           f"prediction ({len(pred)})", hint="e.g. subset = A == 'N1'")
        keep = np.flatnonzero([bool(v) and not pd.isna(v) for v in vals])
        new = pred.iloc[keep].reset_index(drop=True)
        for c in new.columns:
            if isinstance(new[c].dtype, pd.CategoricalDtype):
                new[c] = new[c].cat.remove_unused_categories()
        out["predictions"] = new
        for comp in ("vcov", "differences", "p.differences", "sed"):
            m = out.get(comp)
            if isinstance(m, pd.DataFrame):
                out[comp] = m.iloc[keep, keep]
            elif m is not None:
                out[comp] = np.asarray(m)[np.ix_(keep, keep)]
        if isinstance(out.get("backtransforms"), pd.DataFrame):
            out["backtransforms"] = out["backtransforms"].iloc[keep].reset_index(drop=True)
        if out.get("sed") is not None:
            lsdtype = out.attrs.get("LSDtype") or "overall"
            if lsdtype != "supplied":
                out = recalcLSD(out, LSDtype=lsdtype, LSDby=out.attrs.get("LSDby"),
                                LSDstatistic=out.attrs.get("LSDstatistic") or "mean",
                                alpha=out.attrs.get("alpha") or 0.05)
    if rmClassifyVars is not None:
        rm = [rmClassifyVars] if isinstance(rmClassifyVars, str) else list(rmClassifyVars)
        classify = out.attrs.get("classify")
        if classify is None:
            raise AsrError("subset.alldiffs(): the alldiffs object has no classify attribute")
        cvars = classify_vars(str(classify))
        if not all(v in cvars for v in rm):
            raise AsrError("subset.alldiffs(): not all the rmClassifyVars are in the classify "
                           f"{classify!r}", hint=f"its variables are {cvars}")
        newclass = [v for v in cvars if v not in rm]
        pred = out["predictions"]
        if newclass and pred[newclass].duplicated().any():
            raise AsrError("subset.alldiffs(): the classify variables remaining after "
                           "rmClassifyVars excluded do not uniquely index the predictions")
        out["predictions"] = pred.drop(columns=rm)
        if isinstance(out.get("backtransforms"), pd.DataFrame):
            out["backtransforms"] = out["backtransforms"].drop(
                columns=[c for c in rm if c in out["backtransforms"].columns])
        newcl = ":".join(newclass) if newclass else "(Intercept)"
        out.attrs["classify"] = newcl
        labels = _labels(out["predictions"], newcl)
        for comp in ("vcov", "differences", "p.differences", "sed"):
            m = out.get(comp)
            if isinstance(m, pd.DataFrame):
                out[comp] = pd.DataFrame(m.to_numpy(), index=labels, columns=labels)
    return out
