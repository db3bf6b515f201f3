"""asremlPlus's checks scripts assert with ``testthat::expect_true``/``expect_false``:

* ``validAsrtests(object)`` (R/asremlPlusObjUtils.r): TRUE for an asrtests object (a list
  with the components asreml.obj, wald.tab and test.summary), else a character vector
  starting "Error in validAsrtests : " with the reasons (text, so ``expect_true`` of it
  fails, as in R);
* ``isCompoundSymmetric(object)`` of a matrix (R/asremlPlus.r's isCompoundSymmetric.matrix):
  FALSE unless it is symmetric (R's ``isSymmetric``: square, equal to its transpose to
  100·eps relatively, row and column names identical) with every diagonal element within
  1e-8 of the first and every upper off-diagonal element within 1e-8 of the first;
* ``as.predictions.frame(data, classify, predictions, se, est.status, interval.type,
  interval.names)`` (R/alldiffs.v5.r): the named columns renamed predicted.value,
  standard.error, est.status (and the interval limits), the classify's text columns made
  factors (levels in order of appearance), est.status "Estimable" ("Aliased" where the
  prediction is NA) when absent, class predictions.frame; ``is.predictions.frame(x)`` and
  ``validPredictionsFrame(x)`` (TRUE, or the reasons) check that.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "r_as_predictions_frame", "r_is_compound_symmetric",
           "r_is_predictions_frame", "r_valid_asrtests", "r_valid_predictions_frame"]

#: R function -> (runtime helper, formals in R's order, packages it may be called from)
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "validAsrtests": ("r_valid_asrtests", ("object",), ("asremlPlus",)),
    "isCompoundSymmetric": ("r_is_compound_symmetric", ("object", "tol"), ("asremlPlus",)),
    "is.predictions.frame": ("r_is_predictions_frame", ("object",), ("asremlPlus",)),
    "validPredictionsFrame": ("r_valid_predictions_frame", ("object",), ("asremlPlus",)),
    "as.predictions.frame": ("r_as_predictions_frame", (
        "data", "classify", "predictions", "se", "est.status", "interval.type",
        "interval.names"), ("asremlPlus",)),
}
_PRED_CLASS = ["predictions.frame", "asreml.predict", "data.frame"]
_INTERVALS = {"SE": "StandardError", "CI": "Confidence", "halfLSD": "halfLeastSignificant"}

_PARTS = ("asreml.obj", "wald.tab", "test.summary")


def r_valid_asrtests(object: Any) -> Any:
    """``validAsrtests(object)``: True, or R's character vector of reasons."""
    from asr_py.compat.asremlplus import AsrTests

    if isinstance(object, Untranslated):
        return object._use()
    reasons = []
    if object is None or not isinstance(object, AsrTests):
        reasons.append("\n  must supply an object of class asrtests")
    if not isinstance(object, dict) or not all(k in object for k in _PARTS):
        reasons.append("\n  object is not a list with named components asreml.obj, "
                       "wald.tab and test.summary")
    return True if not reasons else np.array(["Error in validAsrtests : ", *reasons],
                                             dtype="O")


def r_is_compound_symmetric(object: Any, tol: Any = None) -> Any:
    """``isCompoundSymmetric(object)`` of a matrix (module docstring)."""
    if isinstance(object, Untranslated):
        return object._use()
    m = np.asarray(object.toarray() if hasattr(object, "toarray") else object, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return False
    if isinstance(object, pd.DataFrame) and \
            [str(v) for v in object.index] != [str(v) for v in object.columns]:
        return False
    eps = 100 * np.finfo(float).eps if tol is None else float(tol)
    scale = float(np.mean(np.abs(m))) or 1.0
    if float(np.mean(np.abs(m - m.T))) / scale >= eps:       # all.equal's relative test
        return False
    d = np.diag(m)
    off = m[np.triu_indices_from(m, 1)]
    return bool(np.all(np.abs(d[1:] - d[0]) < 1e-8) and
                (off.size == 0 or np.all(np.abs(off[1:] - off[0]) < 1e-8)))


def r_is_predictions_frame(object: Any) -> Any:
    """``is.predictions.frame(object)``: a data frame of class predictions.frame."""
    if isinstance(object, Untranslated):
        return object._use()
    return isinstance(object, pd.DataFrame) and \
        "predictions.frame" in (object.attrs.get("r_class") or [])


def r_valid_predictions_frame(object: Any) -> Any:
    """``validPredictionsFrame(object)``: True, or R's character vector of reasons."""
    if isinstance(object, Untranslated):
        return object._use()
    reasons = []
    if not isinstance(object, pd.DataFrame):
        reasons.append("\n  Predictions.frame is not a data.frame")
    cols = set(map(str, getattr(object, "columns", [])))
    if not cols & {"predicted.value", "backtransformed.predictions"} or \
            not {"standard.error", "est.status"} <= cols:
        reasons += ["\n  Predictions.frame does not include the expected column names",
                    "\n  (must be predicted.value or backtransformed.predictions, "
                    "standard.error and est.status\n - not std.error and status)"]
    return True if not reasons else np.array(["Error in validPredictionsFrame : ",
                                              *reasons], dtype="O")


def r_as_predictions_frame(data: Any, classify: Any = None, predictions: Any = None,
                           se: Any = None, est_status: Any = None, interval_type: Any = None,
                           interval_names: Any = None) -> Any:
    """``as.predictions.frame(...)`` (module docstring)."""
    from asr_py.errors import AsrError

    if isinstance(data, Untranslated):
        return data._use()
    if not isinstance(data, pd.DataFrame):
        raise AsrError("as.predictions.frame(): data must be a data frame",
                       hint="pass the predictions' data frame (predict(...)$pvals)")
    d = data.copy()
    if classify is not None:
        for v in str(classify).split(":"):
            v = v.strip()
            if v in d.columns and (d[v].dtype == object or pd.api.types.is_string_dtype(
                    d[v].dtype)) and not isinstance(d[v].dtype, pd.CategoricalDtype):
                d[v] = pd.Categorical(d[v], categories=list(dict.fromkeys(d[v].dropna())))

    def rename(old: Any, new: str, unless: set[str]) -> None:
        if old is not None and not unless & set(d.columns) and str(old) in d.columns:
            d.rename(columns={str(old): new}, inplace=True)

    rename(predictions, "predicted.value", {"predicted.value", "backtransformed.predictions"})
    rename(se, "standard.error", {"standard.error"})
    rename(est_status, "est.status", {"est.status"})
    if interval_type is not None:
        kind = _INTERVALS.get(str(interval_type))
        names = list(np.atleast_1d(interval_names)) if interval_names is not None else []
        if kind is None:
            raise AsrError(f"as.predictions.frame(): interval.type {interval_type!r}",
                           hint="CI, SE or halfLSD")
        if len(names) != 2:
            raise AsrError("The number of interval names does not equal 2")
        new = [f"lower.{kind}.limit", f"upper.{kind}.limit"]
        if not set(new) <= set(d.columns):
            d = d.rename(columns=dict(zip(map(str, names), new)))
    if "est.status" not in d.columns:
        val = d["predicted.value"] if "predicted.value" in d.columns else \
            d.get("backtransformed.predictions")
        d["est.status"] = np.where(pd.isna(val), "Aliased", "Estimable") \
            if val is not None else "Estimable"
    d.attrs["r_class"] = list(_PRED_CLASS)
    ok = r_valid_predictions_frame(d)
    if ok is not True:
        raise AsrError("".join(map(str, ok)))
    return d
