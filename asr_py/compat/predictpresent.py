"""asremlPlus's ``predictPresent.asreml`` (R/reml4.v13.r): the predictions of each of a
set of model terms by :func:`~asr_py.compat.predictplus.predictPlus`, with a plot of each.

For a term its classify is its variables (functions removed: ``spl(x)`` is ``x``,
``at(A, 1)`` is ``A``). A term holding ``x_num`` (a covariate) or ``x_fac`` (the factor of
the covariate's values) is predicted at ``x_pred_values`` with ``term`` as its Wald-table
row; when the model has terms with ``x_num`` and terms with ``x_fac`` (a trend with
deviations), the other of the two is added to the classify. The result is an R list of
alldiffs objects named by the terms, ``:`` replaced by ``.`` (``xNitrogen.Variety``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from asr_py.compat.lsd import pick
from asr_py.compat.predictplus import plotPredictions, predictPlus
from asr_py.compat.rlist import RList, RNullList
from asr_py.errors import AsrError

__all__ = ["predictPresent"]

#: plotting arguments asremlPlus takes: accepted, without effect on the values
_PLOTTING = ("nonx_fac_order", "panels", "graphics_device", "interval_annotate", "titles",
             "colour_scheme", "save_plots", "ggplotFuncs", "level_length", "trace")
_FUNCTION = re.compile(r"^\s*[A-Za-z.][\w.]*\(\s*([A-Za-z.][\w.]*)")


def term_variables(term: str) -> list[str]:
    """asremlPlus's ``fac.getinTerm(term, rmfunction = TRUE)``: the variables of a term,
    a function call replaced by its first argument."""
    out = []
    for part in str(term).split(":"):
        m = _FUNCTION.match(part)
        out.append(m.group(1) if m else part.strip())
    return out


def _model_terms(fit: Any) -> list[str]:
    model = fit.model
    fixed = [t.label for t in model.fixed.terms if t.label != "(Intercept)"]
    theta = np.asarray(fit.result.theta, dtype=float)
    return fixed + [b.name for b in model.problem(theta).random]


def predictPresent(asreml_obj: Any, terms: Sequence[str] | str, x_num: str | None = None,
                   x_fac: str | None = None, x_pred_values: Any = None,
                   x_plot_values: Any = None, plots: str = "predictions",
                   error_intervals: str = "Confidence", **other: Any) -> RList:
    """asremlPlus's ``predictPresent.asreml`` (module docstring); the other arguments are
    predictPlus's (``wald_tab``, ``LSDtype``, ``sortFactor``, ...) or plot settings."""
    if "meanLSD_type" in other or "meanLSD.type" in other:
        raise AsrError("predictPresent(): meanLSD.type has been deprecated - use LSDtype")
    if "dDF_na" in other:
        raise AsrError("predictPresent(): the argument dDF.na has been deprecated; use "
                       "dDF.fault instead")
    if not hasattr(asreml_obj, "model") or not hasattr(asreml_obj, "result"):
        raise AsrError("predictPresent() needs an asr.asreml() fit, not "
                       f"{type(asreml_obj).__name__}")
    if x_pred_values is not None and x_plot_values is not None and \
            len(np.ravel(x_pred_values)) != len(np.ravel(x_plot_values)):
        raise AsrError("predictPresent(): x_pred_values and x_plot_values should be of equal "
                       "length")
    plot_opt = pick(plots, ("none", "predictions", "backtransforms", "both"), "plots")
    for k in _PLOTTING:
        other.pop(k, None)
    if other.get("sortNestingFactor") is None:
        other.pop("sortNestingFactor", None)
    terms = [terms] if isinstance(terms, str) else [str(t) for t in terms]
    has_fac = has_num = False            # asremlPlus's trend.terms.types
    for t in _model_terms(asreml_obj):
        parts = [p.strip() for p in t.split(":")]
        if x_fac is not None and x_fac in parts:
            has_fac = True
        elif x_num is not None and any(x_num in p for p in parts):
            has_num = True
    out = RNullList()
    for term in terms:
        facs = term_variables(term)
        classify = ":".join(facs)
        trend = (x_num is not None and x_num in facs) or (x_fac is not None and x_fac in facs)
        if trend:
            if has_num and has_fac:
                if x_num not in facs:
                    classify += f":{x_num}"
                elif x_fac not in facs:
                    classify += f":{x_fac}"
            diffs = predictPlus(asreml_obj, classify=classify, term=term, x_num=x_num,
                                x_fac=x_fac, x_pred_values=x_pred_values,
                                x_plot_values=x_plot_values, error_intervals=error_intervals,
                                **other)
        else:
            diffs = predictPlus(asreml_obj, classify=classify, x_num=x_num, x_fac=x_fac,
                                x_plot_values=x_plot_values, error_intervals=error_intervals,
                                **other)
        out[term.replace(":", ".")] = diffs
        if len(diffs["predictions"]) and plot_opt in ("predictions", "both"):
            plotPredictions(diffs["predictions"], classify=classify,
                            error_intervals=error_intervals)
    return out
