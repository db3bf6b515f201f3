"""asremlPlus's ``predictPlus`` and ``plotPvalues`` / ``plotPredictions`` on asr_py fits.

``predictPlus(fit, classify, wald_tab=...)`` predicts with ``fit.predict(classify, sed=True,
vcov=Vmatrix)`` and forms the :class:`~asr_py.compat.alldiffs.Alldiffs` object. The t
degrees of freedom are the Wald table's ``denDF`` of ``term`` (default the classify, factor
order ignored); without it, ``dDF_fault``: "residual" (ν = n − rank X, asreml's ``nedf``),
"maximum" (the largest denDF of the table), "supplied" (``dDF_values``), with a warning as
asremlPlus gives.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.alldiffs import (
    Alldiffs,
    allDifferences,
    as_alldiffs,
    classify_vars,
    linTransform,
    pvalues_table,
    redoErrorIntervals,
    sort_alldiffs,
)
from asr_py.compat.lsd import pick
from asr_py.compat.rattrs import PREDICT_HEADING
from asr_py.compat.rlist import RNullList
from asr_py.errors import AsrError
from asr_py.model.collate import sort_like_r
from asr_py.results.predict import unwrap_classify
from asr_py.warning_classes import AsrWarning

__all__ = ["predictPlus", "plotPvalues", "plotPredictions", "sort"]

#: predict options passed through to fit.predict
_PREDICT = ("levels", "present", "ignore", "average", "aliased", "parallel")


def _term_key(term: str) -> frozenset[str]:
    return frozenset(p for p in re.sub(r"[\s'\"]+", "", term).split(":") if p)


def _denominator(fit: Any, term: str, wald_tab: pd.DataFrame | None, dDF_fault: str,
                 dDF_values: Any) -> float:
    if wald_tab is not None and "denDF" in wald_tab.columns:
        rows = [i for i in wald_tab.index if _term_key(str(i)) == _term_key(term)]
        if rows:
            d = float(wald_tab.loc[rows[0], "denDF"])
            if np.isfinite(d):
                return d
        else:
            warnings.warn(f"predictPlus(): {term} is not a fixed term that has been fitted",
                          AsrWarning, stacklevel=3)
    opt = pick(dDF_fault, ("none", "residual", "maximum", "supplied"), "dDF_fault")
    warnings.warn(f"predictPlus(): denominator degrees of freedom obtained using dDF.fault "
                  f"method {opt}" + ("" if wald_tab is not None else
                                     " - no wald.tab supplied"), AsrWarning, stacklevel=3)
    if opt == "none":
        return np.nan
    if opt == "supplied":
        if dDF_values is None:
            raise AsrError("predictPlus(): dDF_fault='supplied' needs dDF_values")
        return float(np.ravel(dDF_values)[0])
    if opt == "maximum" and wald_tab is not None and "denDF" in wald_tab.columns:
        d = pd.to_numeric(wald_tab["denDF"].iloc[1:], errors="coerce").dropna()
        if len(d):
            return float(d.max())
    return float(fit.result.n_minus_p)


def _numeric_factor(pred: pd.DataFrame, x_fac: str, plot_values: Any) -> pd.DataFrame:
    """asremlPlus's ``x.fac``: the factor's column as numbers, its levels (dae's as.numfac)
    or, with ``x.plot.values``, the value given for each level in the levels' order."""
    col = pred[x_fac]
    levs = [str(v) for v in (col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype)
                             else pd.unique(col))]
    if plot_values is not None:
        vals = np.ravel(np.asarray(plot_values, dtype=float))
        if vals.size != len(levs):
            raise AsrError(f"predictPlus(): x_plot_values has {vals.size} values, {x_fac} has "
                           f"{len(levs)} levels")
        mapping = dict(zip(levs, vals))
    else:
        try:
            mapping = {lv: float(lv) for lv in levs}
        except ValueError as e:
            raise AsrError(f"predictPlus(): the levels of x_fac '{x_fac}' are not numeric in "
                           "nature", hint="give x_plot_values, one number per level") from e
    out = pred.copy()
    out.attrs = pred.attrs
    out[x_fac] = col.astype(str).map(mapping).astype(float)
    return out


def _data_levels(pred: pd.DataFrame, fit: Any, classify: str) -> pd.DataFrame:
    """Classify factors with the level order of the data's categorical columns (R's factor
    levels), so that predictions sort in asremlPlus's standard order."""
    data = getattr(fit, "call", {}).get("data")
    if not isinstance(data, pd.DataFrame):
        return pred
    out = pred
    for v in classify_vars(classify):
        if v in data.columns and v in pred.columns and \
                isinstance(data[v].dtype, pd.CategoricalDtype):
            cats = [str(c) for c in data[v].cat.categories]
            vals = pred[v].astype(str)
            if set(vals) <= set(cats):
                if out is pred:
                    out = pred.copy()
                    out.attrs = pred.attrs
                out[v] = pd.Categorical(vals, categories=[c for c in cats if c in set(vals)])
    return out


def _require_estimable(pred: pd.DataFrame, classify: str, sed: bool, vcov: bool) -> None:
    """asreml's ``predict`` returns no ``sed``/``vcov`` component when no predicted value is
    estimable, and asremlPlus's predictPlus then stops (its predictASR4, R/reml4.v13.r:
    the variance matrix is checked first when both are asked for)."""
    if not (sed or vcov) or len(pred) == 0 or pred["predicted.value"].notna().any():
        return
    what = "the variance matrix of the predictions" if vcov else \
        "the sed component for the predictions"
    raise AsrError(f"predict.asreml has not returned {what} as requested\n(possibly no "
                   f"estimable predicted values): every prediction of {classify!r} is "
                   "aliased", hint="predict a classify whose cells the fixed model "
                   "estimates (e.g. add the covariate the factor is nested in)")


def predictPlus(asreml_obj: Any, classify: str, term: str | None = None,
                inestimable_rm: bool = True, linear_transformation: Any = None,
                error_intervals: str = "Confidence", alpha: float = 0.05,
                wald_tab: pd.DataFrame | None = None, dDF_fault: str = "residual",
                dDF_values: Any = None, pairwise: bool = True, Vmatrix: bool = False,
                avsed_tolerance: float | None = 0.25, LSDtype: str = "overall",
                LSDby: Sequence[str] | str | None = None, LSDstatistic: str = "mean",
                LSDaccuracy: str = "maxAbsDeviation", accuracy_threshold: float | None = None,
                x_num: str | None = None, x_fac: str | None = None,
                x_pred_values: Any = None, x_plot_values: Any = None,
                transform_power: float = 1, offset: float = 0, scale: float = 1,
                transform_function: str = "identity",
                sortFactor: str | None = None,
                sortParallelToCombo: Mapping[str, Any] | None = None,
                sortOrder: Sequence[str] | None = None, decreasing: bool = False,
                EGLS_linTransform: bool = True, LSDsupplied: Any = None,
                **other: Any) -> Alldiffs:
    """asremlPlus's ``predictPlus.asreml``: predictions of ``classify`` as an alldiffs
    object with error intervals (module docstring of :mod:`asr_py.compat.alldiffs`).
    With ``linear_transformation`` (a matrix L or a submodel formula of the classify
    variables) the result is :func:`~asr_py.compat.alldiffs.linTransform` of those
    predictions (Lp̂ with variance L W L', W their variance matrix), as asremlPlus does."""
    if not hasattr(asreml_obj, "predict") or not hasattr(asreml_obj, "wald"):
        raise AsrError(f"predictPlus() needs an asr.asreml() fit, not "
                       f"{type(asreml_obj).__name__}", hint="pass the fit of asr.asreml()")
    passed = {k: other.pop(k) for k in _PREDICT if k in other}
    for k in ("tables", "trace", "titles", "pworkspace", "workspace"):
        other.pop(k, None)              # printing and asreml's memory: no effect on values
    LSDtype = _legacy_lsd_type(other, LSDtype)
    if other:
        raise AsrError(f"predictPlus(): argument(s) {', '.join(sorted(other))} not supported "
                       "by asr.plus", hint="see docs/asremlplus.md")
    lintrans = linear_transformation is not None
    if x_num is not None and x_num in classify_vars(classify) and x_pred_values is not None:
        passed.setdefault("levels", {})
        passed["levels"] = {**passed["levels"], x_num: list(np.ravel(x_pred_values))}
    kind = pick(error_intervals, ("none", "Confidence", "StandardError",
                                  "halfLeastSignificant"), "error_intervals")
    if kind == "halfLeastSignificant":
        pairwise = True
    classify = unwrap_classify(classify)
    intercept = classify.strip() in ("(Intercept)", "Intercept")
    if intercept:
        classify = "(Intercept)"
        if lintrans:
            raise AsrError("predictPlus(): a linear_transformation of the (Intercept) "
                           "prediction", hint="predict a classify of factors to transform")
    get_vcov = (Vmatrix or lintrans) and not intercept
    pred = asreml_obj.predict(classify, sed=pairwise and not intercept,
                              vcov=get_vcov, **passed)
    _require_estimable(pred, classify, sed=pairwise and not intercept, vcov=get_vcov)
    sed = pred.attrs.get("sed") if pairwise and not intercept else None
    vc = pred.attrs.get("vcov") if get_vcov else None
    pred = _data_levels(pred, asreml_obj, classify)
    pred.attrs.setdefault("heading", [PREDICT_HEADING])     # asreml's notes on the table
    pred.attrs.setdefault("r_class", ["predictions.frame", "asreml.predict", "data.frame"])
    # asremlPlus recodes x_fac as numbers only when x_num is not in the classify
    # (R/reml4.v13.r 3489, 3538-3562); with x_num it stays a factor beside it
    if x_fac is not None and x_fac in classify_vars(classify) and x_fac in pred.columns \
            and (x_num is None or x_num not in classify_vars(classify)):
        pred = _numeric_factor(pred, x_fac, x_plot_values)
    tdf = _denominator(asreml_obj, term or classify, wald_tab, dDF_fault, dDF_values)
    fixed = asreml_obj.call.get("fixed", "") if hasattr(asreml_obj, "call") else ""
    response = str(fixed).split("~")[0].strip() or None
    supplied = str(LSDtype) == "supplied"       # LSDsupplied: set by redoErrorIntervals
    obj = allDifferences(pred, classify, vcov=vc, sed=sed, tdf=tdf, alpha=alpha,
                         LSDtype="overall" if supplied else LSDtype,
                         LSDby=None if supplied else LSDby, LSDstatistic=LSDstatistic,
                         LSDaccuracy=LSDaccuracy, response=response, term=term or classify,
                         inestimable_rm=inestimable_rm, pairwise=pairwise and not intercept)
    obj.attrs.update({"transform.power": transform_power, "offset": offset, "scale": scale,
                      "transform.function": transform_function})
    if lintrans:
        if supplied:
            raise AsrError("predictPlus(): LSDtype='supplied' with a linear_transformation is "
                           "not emulated", hint="call linTransform() and then "
                           "redoErrorIntervals(LSDtype='supplied', LSDsupplied=...)")
        obj = linTransform(obj, linear_transformation, alpha=alpha, error_intervals=kind,
                           EGLS_linTransform=EGLS_linTransform, Vmatrix=Vmatrix,
                           LSDtype=LSDtype, LSDby=LSDby, LSDstatistic=LSDstatistic,
                           LSDaccuracy=LSDaccuracy, avsed_tolerance=avsed_tolerance,
                           accuracy_threshold=accuracy_threshold)
        if sortFactor is not None:
            obj = sort_alldiffs(obj, decreasing=decreasing, sortFactor=sortFactor,
                                sortParallelToCombo=sortParallelToCombo, sortOrder=sortOrder)
        return obj
    more = ({"LSDtype": "supplied", "LSDby": LSDby, "LSDsupplied": LSDsupplied}
            if supplied else {})
    if LSDsupplied is not None and not supplied:
        more = {"LSDsupplied": LSDsupplied}      # redoErrorIntervals warns it is ignored
    obj = redoErrorIntervals(obj, error_intervals=kind, alpha=alpha,
                             LSDstatistic=LSDstatistic, LSDaccuracy=LSDaccuracy,
                             avsed_tolerance=avsed_tolerance,
                             accuracy_threshold=accuracy_threshold, **more)
    if sortFactor is not None:
        obj = sort_alldiffs(obj, decreasing=decreasing, sortFactor=sortFactor,
                            sortParallelToCombo=sortParallelToCombo, sortOrder=sortOrder)
    return obj


def _pvalue_figure(tab: pd.DataFrame, title: str | None) -> Any:
    """A heat map of one table's p-values (matplotlib), or None without matplotlib."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    wide = tab.pivot_table(index="Rows", columns="Columns", values="p", dropna=False,
                           observed=True, aggfunc="first")
    fig, ax = plt.subplots()
    im = ax.imshow(wide.to_numpy(dtype=float), vmin=0, vmax=1, cmap="RdYlBu")
    ax.set_xticks(range(wide.shape[1]), [str(c) for c in wide.columns], rotation=90,
                  fontsize=6)
    ax.set_yticks(range(wide.shape[0]), [str(r) for r in wide.index], fontsize=6)
    if title:
        ax.set_title(title)
    fig.colorbar(im, ax=ax, label="p")
    plt.close(fig)
    return fig


def plotPvalues(object: Any, sections: Sequence[str] | str | None = None, show: bool = True,
                triangles: str = "both", title: str | None = None,
                sortFactor: str | None = None,
                sortParallelToCombo: Mapping[str, Any] | None = None,
                sortNestingFactor: str | None = None, sortOrder: Sequence[str] | None = None,
                decreasing: bool = False, **other: Any) -> Any:
    """asremlPlus's ``plotPvalues``. Of an alldiffs object (sorted first when
    ``sortFactor``): a dict with ``pvalues``, the long table of
    :func:`~asr_py.compat.alldiffs.pvalues_table` (``sections``, ``triangles``), and
    ``plots``, one heat map per section (matplotlib figures; None when matplotlib is not
    installed or ``show`` is False). Of a data frame (plotPvalues.data.frame, its columns
    named by ``x``, ``y``, ``p``): that table as Rows, Columns, p. Plot styling arguments
    are accepted and ignored."""
    if isinstance(sections, str):
        sections = [sections]
    if isinstance(object, pd.DataFrame):   # plotPvalues.data.frame: the long table given
        x, y, p = (other.pop(k, d) for k, d in (("x", "Rows"), ("y", "Columns"), ("p", "p")))
        bad = [c for c in (x, y, p) if c not in object.columns]
        if bad:
            raise AsrError(f"plotPvalues(): the data frame has no column(s) {', '.join(bad)}",
                           hint="give x=, y= and p= naming its columns (default Rows, "
                                "Columns, p)")
        tab = object.rename(columns={x: "Rows", y: "Columns", p: "p"})[["Rows", "Columns",
                                                                       "p"]]
        if show:
            _pvalue_figure(tab, title)
        return tab
    if sortFactor is not None:
        object = sort_alldiffs(object, decreasing=decreasing, sortFactor=sortFactor,
                               sortParallelToCombo=sortParallelToCombo,
                               sortNestingFactor=sortNestingFactor, sortOrder=sortOrder)
    tab = pvalues_table(object, sections, triangles)
    plots: dict[str, Any] = {}
    if not sections:
        plots["1"] = _pvalue_figure(tab, title) if show else None
    else:
        for lev in tab["sections1"].cat.categories:
            part = tab[(tab["sections1"] == lev) & (tab["sections2"] == lev)]
            plots[str(lev)] = _pvalue_figure(part, f"{title or 'Plot of p-values'} - "
                                             f"{', '.join(sections)} = {lev}") if show else None
    return RNullList(pvalues=tab, plots=plots)


def plotPredictions(data: pd.DataFrame, classify: str | None = None,
                    y: str = "predicted.value", error_intervals: str = "Confidence",
                    show: bool = True, **other: Any) -> pd.DataFrame:
    """asremlPlus's ``plotPredictions``: the predictions (with their ``lower.*``/``upper.*``
    limits) as plotted; drawn when matplotlib is installed and ``show``. Plot styling
    arguments are accepted and ignored."""
    if isinstance(data, Alldiffs):
        data = data["predictions"]
    if not isinstance(data, pd.DataFrame) or y not in data.columns:
        raise AsrError(f"plotPredictions(): data must be a predictions frame with column "
                       f"'{y}'", hint="pass diffs['predictions']")
    if show:
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            return data
        fig, ax = plt.subplots()
        x = np.arange(len(data))
        ax.plot(x, data[y].to_numpy(dtype=float), "o")
        lo = [c for c in data.columns if c.startswith("lower.")]
        up = [c for c in data.columns if c.startswith("upper.")]
        if lo and up:
            ax.vlines(x, data[lo[0]].to_numpy(dtype=float), data[up[0]].to_numpy(dtype=float))
        plt.close(fig)
    return data


def sort(x: Any, decreasing: bool = False, **kw: Any) -> Any:
    """R's ``sort``: an alldiffs object by :func:`~asr_py.compat.alldiffs.sort_alldiffs`,
    anything else as R sorts a vector (missing values dropped)."""
    if isinstance(x, Alldiffs):
        return sort_alldiffs(x, decreasing=decreasing, **kw)
    if isinstance(x, pd.DataFrame) and "predicted.value" in x.columns:  # sort.predictions.frame
        if not kw.get("classify"):
            raise AsrError("sort(): sorting a predictions frame needs classify=")
        cls = kw.pop("classify")
        tmp = as_alldiffs(x, classify=cls)
        out = sort_alldiffs(tmp, decreasing=decreasing, **kw)
        pred = out["predictions"]
        pred.attrs = {"sortFactor": out.attrs["sortFactor"],
                      "sortOrder": out.attrs["sortOrder"]}
        return pred
    na_last = kw.pop("na_last", None)
    if kw:
        raise AsrError(f"sort(): argument(s) {', '.join(sorted(kw))} apply only to alldiffs "
                       "objects")
    named = isinstance(x, pd.Series) and len(x) and all(isinstance(i, str) for i in x.index)
    items = list(zip(x.index, x.tolist())) if named else \
        list(enumerate(x.tolist() if hasattr(x, "tolist") else list(x)))
    na = [(k, v) for k, v in items if v is None or isinstance(v, float) and np.isnan(v)]
    items = [(k, v) for k, v in items if not (v is None or isinstance(v, float) and
                                              np.isnan(v))]
    rank = {v: i for i, v in enumerate(sort_like_r(list(dict.fromkeys(v for _, v in items)),
                                                   reverse=decreasing))}
    items = sorted(items, key=lambda kv: rank[kv[1]])     # stable: ties keep their order
    if na_last is not None:         # R: na.last = TRUE puts NA last, FALSE first, NA drops
        items = items + na if na_last else na + items
    if named:       # a named vector (a table) keeps its names (R's x[order(x)])
        return pd.Series([v for _, v in items], index=[k for k, _ in items], name=x.name)
    return [v for _, v in items]


def _legacy_lsd_type(other: dict[str, Any], lsd_type: str) -> str:
    """asremlPlus before 4.3 named ``LSDtype`` ``meanLSD.type`` (values ``"overall"``,
    ``"factor.combination"``, ``"per.prediction"``, partially matched as LSDtype is); 4.3 and
    later stop on it ("meanLSD.type has been deprecated - use LSDtype"). A script written for
    the older version gets its meaning, with a warning saying the new name."""
    old = other.pop("meanLSD_type", other.pop("meanLSD.type", None))
    if old is None:
        return lsd_type
    if lsd_type != "overall":
        raise AsrError("predictPlus(): both meanLSD.type and LSDtype given",
                       hint="meanLSD.type is asremlPlus < 4.3's name of LSDtype: keep LSDtype")
    warnings.warn(f"predictPlus(): meanLSD.type = {old!r} read as LSDtype = {old!r} "
                  "(asremlPlus 4.3 renamed the argument and stops on the old name)",
                  AsrWarning, stacklevel=3)
    return str(old)
