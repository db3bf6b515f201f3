"""BiometryTraining's ``mct.out(model.obj, pred.obj, classify, sig = 0.05, int.type = "ci",
trans = NA, offset = NA, decimals = 2, order = "default", plot = FALSE, ..., save = FALSE,
savename = "predicted_values", pred)``, biometryassist's predecessor (its R/mct.R at
5f5f36d), where it differs from :mod:`asr_py.translate.rmct`:

* an asreml fit's predictions are the given ``pred.obj`` (``predict(m, classify, sed =
  TRUE)``); an lm/aov's are emmeans' means with one SED for all pairs, the largest
  (predictmeans' first "Standard Error of Differences"), column ``Df``;
* ``ci = qt(1 − sig, ν)·se`` (the one-sided quantile mct.out uses), or se, 2se;
* ``order``: "ascending"/"increasing" (letters from the smallest mean, rows by increasing
  mean), "descending"/"decreasing" (letters from the largest, rows decreasing), "default"
  (letters from the largest mean; rows in the order of the treatment names, ICU's root
  collation as stringi's ``stri_order``: ``0_cwt`` before ``0.2_cwt``; the letters
  then relabelled as its ``levels(groups) <- sort(levs)[order(levs)]`` does);
* ``trans`` needs ``offset`` (an error otherwise); columns ``PredictedValue``, ``ApproxSE``
  come before ``ci``; ``aliased`` is one string, the levels joined by ", ".
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_mct_out"]

_ORDERS = ("ascending", "descending", "increasing", "decreasing", "default")


def _ordering(order: str) -> str:
    hits = [o for o in _ORDERS if str(order) in o]
    if len(hits) != 1:
        raise AsrError("order must be one of 'ascending', 'increasing', 'descending', "
                       "'decreasing' or 'default'", hint="order = 'descending'")
    return hits[0]


#: CLDR root collation's order of spaces and punctuation (stringi's stri_order default)
_PUNCT = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def _icu_key(text: str) -> tuple[tuple[int, ...], str]:
    """A sort key following ICU's root collation (stringi's ``stri_order``) for spaces,
    punctuation, digits and Latin letters: punctuation < digits < letters, letters
    case-blind first, lower case before upper case on ties."""
    prim = []
    for ch in text:
        if ch in _PUNCT:
            prim.append((0, _PUNCT.index(ch)))
        elif ch.isdigit():
            prim.append((1, ord(ch)))
        elif ch.isalpha():
            prim.append((2, ord(ch.lower())))
        else:
            prim.append((3, ord(ch)))
    return tuple(x for pair in prim for x in pair), text.swapcase()


def _relabel(groups: list[str]) -> list[str]:
    """``g <- factor(g); levs <- unique(g); levels(g) <- sort(levs)[order(levs)]``."""
    levs = list(dict.fromkeys(groups))
    srt = sorted(levs)
    new = [srt[k] for k in sorted(range(len(levs)), key=lambda i: levs[i])]
    old = sorted(set(groups))
    return [dict(zip(old, new, strict=True))[g] for g in groups]


def _asreml_part(model_obj: Any, pred_obj: Any, classify: str
                 ) -> tuple[pd.DataFrame, np.ndarray, float, Any, str]:
    from asr_py.translate.rmct import _denominator_df, _response

    if not isinstance(pred_obj, pd.DataFrame) or "sed" not in pred_obj.attrs:
        raise AsrError("Prediction object (pred.obj) must be created with argument sed = "
                       "TRUE.", hint="pred.obj <- predict(m, classify = ..., sed = TRUE)")
    pv = np.asarray(pred_obj["predicted.value"], dtype=float)
    sed = np.asarray(pred_obj.attrs["sed"], dtype=float)
    pp = pred_obj.drop(columns=[c for c in ("status",) if c in pred_obj.columns])
    pp = pp.reset_index(drop=True)
    pp.attrs = {}
    aliased = None
    bad = np.isnan(pv)
    if bad.any():
        keys = [c for c in pp.columns if c not in ("predicted.value", "std.error")]
        aliased = ", ".join(":".join(str(pp.at[i, c]) for c in keys)
                            for i in np.flatnonzero(bad))
        pp, sed = pp.loc[~bad].reset_index(drop=True), sed[np.ix_(~bad, ~bad)]
        warnings.warn(f"Some levels of {classify} are aliased. They have been removed from "
                      f"predicted output.\n  Aliased levels are: {aliased}\n  These levels "
                      "are saved in the output object.", stacklevel=3)
    ndf = _denominator_df(model_obj, classify, None)
    return pp, sed, ndf, aliased, _response(model_obj)


def _lm_part(model_obj: Any, classify: str
             ) -> tuple[pd.DataFrame, np.ndarray, float, Any, str]:
    from asr_py.translate.rmct import _lm_predictions

    pp, sed, ndf, aliased = _lm_predictions(model_obj, classify)
    one = np.nanmax(sed) if sed.size > 1 else math.nan
    sed = np.full_like(sed, one)
    np.fill_diagonal(sed, np.nan)
    pp = pp.rename(columns={"df": "Df"})
    return pp, sed, ndf, aliased, model_obj.formula.split("~", 1)[0].strip()


def r_mct_out(model_obj: Any, pred_obj: Any = None, classify: Any = None, sig: float = 0.05,
              int_type: str = "ci", trans: Any = None, offset: Any = None,
              decimals: int = 2, order: str = "default", plot: bool = False,
              label_height: float = 0.1, rotation: float = 0, save: bool = False,
              savename: str = "predicted_values", pred: Any = None) -> Any:
    """BiometryTraining's ``mct.out``: see the module docstring."""
    from asr_py.translate.rlm import RLm
    from asr_py.translate.rmct import _back_transform, _r_round, mct_letters

    if isinstance(model_obj, Untranslated):
        return model_obj._use()
    if pred is not None:
        warnings.warn("Argument pred has been deprecated and will be removed in a future "
                      "version. Please use classify instead.", stacklevel=2)
        classify = pred
    if not isinstance(classify, str):
        raise AsrError("mct.out(): classify must name a model term",
                       hint="mct.out(m, pred.obj, classify = 'Variety')")
    sig = float(sig)
    if sig > 0.5:
        warnings.warn(f"Significance level given by sig is high. Perhaps you meant "
                      f"{1 - sig:g}?", stacklevel=2)
    trans = None if trans is None or (isinstance(trans, float) and math.isnan(trans)) \
        else str(trans)
    if isinstance(model_obj, RLm):
        pp, sed, ndf, aliased, ylab = _lm_part(model_obj, classify)
    elif hasattr(model_obj, "predict") and hasattr(model_obj, "varcomp"):
        if pred_obj is None:
            raise AsrError("You must provide a prediction object in pred.obj",
                           hint="mct.out(m, predict(m, classify = 'A', sed = TRUE), 'A')")
        pp, sed, ndf, aliased, ylab = _asreml_part(model_obj, pred_obj, classify)
    else:
        raise AsrError(f"Models of type {type(model_obj).__name__} are not supported.",
                       hint="an asreml, aov or lm fit")
    vars_ = classify.split(":")
    names = ["_".join(str(pp.at[i, v]) for v in vars_) for i in range(len(pp))]
    first = pp.columns[0]
    dashed = [s for s in map(str, pp[first]) if "-" in s]
    if dashed:
        what = ("The treatment levels " + ", ".join(dashed) if len(dashed) > 1 else
                "The treatment level " + dashed[0])
        warnings.warn(what + " contained '-', which has been replaced in the final output "
                             "with '_'", stacklevel=2)
        pp[first] = pp[first].astype(str).str.replace("-", "_", regex=False)
        names = [s.replace("-", "_") for s in names]
    k = len(pp)
    mu = pp["predicted.value"].to_numpy(dtype=float)
    q = float(stats.studentized_range.ppf(1 - sig, k, ndf)) if k > 1 else math.nan
    differ = np.abs(mu[:, None] - mu[None, :]) > q / math.sqrt(2) * sed
    np.fill_diagonal(differ, False)
    ordering = _ordering(order)
    up = ordering in ("ascending", "increasing")
    pp["groups"] = mct_letters(names, mu, differ, descending=not up)
    pp["Names"] = names
    pp = pp.sort_values("Names", kind="stable").reset_index(drop=True)   # merge(pp, rr)
    it = str(int_type)
    if it not in ("ci", "1se", "2se"):
        raise AsrError(f"mct.out(): int.type {int_type!r} gives no interval",
                       hint="int.type = 'ci', '1se' or '2se'")
    ci = {"ci": stats.t.isf(sig, ndf), "1se": 1.0, "2se": 2.0}[it] * pp["std.error"]
    if trans is not None:
        if offset is None or (isinstance(offset, float) and math.isnan(offset)):
            raise AsrError("Please supply an offset value for the transformation using the "
                           "'offset' argument. If an offset was not applied, use a value of "
                           "0 for the offset argument.", hint="offset = 0")
        pp["ci"] = ci
        _back_transform(pp, trans, float(offset), None)
        pp = pp[[c for c in pp.columns if c != "ci"][:-4] +
                ["PredictedValue", "ApproxSE", "ci", "low", "up"]]
    else:
        pp["ci"] = ci
        pp["low"], pp["up"] = pp["predicted.value"] - ci, pp["predicted.value"] + ci
    if ordering == "default":
        key = sorted(range(len(pp)), key=lambda i: _icu_key(str(pp.at[i, "Names"])))
        pp = pp.iloc[key].reset_index(drop=True)
        pp["groups"] = _relabel(list(pp["groups"]))
    else:
        val = pp["predicted.value"].to_numpy(dtype=float)
        pp = pp.iloc[np.argsort(val if up else -val, kind="stable")].reset_index(drop=True)
    pp = pp.drop(columns="Names")
    for v in vars_:
        pp[v] = pd.Categorical(pp[v].astype(str),
                               categories=list(dict.fromkeys(pp[v].astype(str))))
    for c in pp.columns:
        if pd.api.types.is_float_dtype(pp[c]):
            pp[c] = _r_round(pp[c].to_numpy(dtype=float), int(decimals))
    if save:
        pp.to_csv(f"{savename}.csv", index=False)
    pp.attrs["ylab"] = ylab[ylab.find("(") + 1:ylab.rfind(")")] if "(" in ylab else ylab
    pp.attrs["class"] = ["mct", "data.frame"]
    if aliased is not None:
        pp.attrs["aliased"] = aliased
    return pp
