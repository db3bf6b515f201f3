"""biometryassist's ``multiple_comparisons(model.obj, classify, sig = 0.05, int.type = "ci",
trans = NULL, offset = NULL, power = NULL, decimals = 2, descending = FALSE, groups = TRUE,
plot = FALSE, ..., save = FALSE, savename = "predicted_values")`` of an asreml fit (and of
an aov/lm: emmeans' means, ``SED_ij = σ√(1/n_i + 1/n_j)``, the residual df, column ``df``),
as its R/mct.R and R/prediction_methods.R compute it (biometryassist 1.3.1; BiometryTraining's
older ``mct.out``: :mod:`asr_py.translate.rmctout`):

1. predictions ``p = predict(m, classify, sed = TRUE, ...)`` (``present =`` etc. passed on);
   aliased rows (NA prediction) are dropped, with a warning, and kept as the ``aliased``
   attribute (their classify levels joined by ':');
2. the denominator df ν: the ``denDF`` of the row of ``wald(m, ssType = "conditional",
   denDF = "default")`` named ``classify`` (as asreml reports it, one decimal), or ``dendf
   =`` a data frame (Source, denDF); a classify that is no fixed term takes the residual df
   n − rank(X) (with biometryassist's warning);
3. Tukey's HSD of each pair: ``HSD_ij = q(1 − sig; k, ν) / √2 · SED_ij`` (q the studentized
   range quantile, k the number of predictions); means i, j differ when
   ``|μ_i − μ_j| > HSD_ij``;
4. letters (multcompView's ``multcompLetters3(reversed = !descending)``): Piepho's
   insert-absorb letter sets over the means ordered by decreasing value, letters ordered by
   the first (largest) mean holding them, then reversed, so the smallest mean holds ``a``;
   a row's ``groups`` are its letters run together;
5. ``ci``: ``qt(1 − sig/2, ν)·se`` (``int.type = "ci"``), ``q(1 − sig; k, ν)/√2·se``
   (``"tukey"``), ``se`` (``"1se"``), ``2se`` (``"2se"``); ``low``/``up`` = μ ∓ ci, or with
   ``trans`` (sqrt, log, logit, power, inverse) the back-transformed ``PredictedValue``,
   its delta-method ``ApproxSE`` and the back-transformed ``low``/``up`` (``offset``
   subtracted);
6. rows ordered by predicted value (``descending`` reverses), the classify columns as
   factors in that order, numbers rounded to ``decimals``; columns: classify, predicted.value,
   std.error, groups, ci, [PredictedValue, ApproxSE], low, up; attributes ``ylab`` (the
   response), ``HSD`` (one number when all pairs share it, else the matrix) and
   ``aliased``.

Dashes in level names become '_' (with biometryassist's warning): its letters split
comparison names at '-'.
"""

from __future__ import annotations

import itertools
import math
import sys
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.rcld import letter_matrix
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "PACKAGES", "MctTable", "mct_letters", "r_multiple_comparisons",
           "translate"]

FUNCTIONS = frozenset({"multiple_comparisons", "biometryassist::multiple_comparisons",
                       "mct.out", "BiometryTraining::mct.out", "pairwise_comparisons",
                       "biometryassist::pairwise_comparisons"})
PACKAGES: frozenset[str] = frozenset()
_FORMALS = ("model.obj", "classify", "sig", "int.type", "trans", "offset", "power",
            "decimals", "descending", "groups", "plot", "label_height", "rotation", "save",
            "savename", "order", "pred.obj", "pred", "...")
#: BiometryTraining's mct.out (asr_py.translate.rmctout)
_MCT_OUT = ("model.obj", "pred.obj", "classify", "sig", "int.type", "trans", "offset",
            "decimals", "order", "plot", "label_height", "rotation", "save", "savename",
            "pred")
#: pairwise_comparisons (asr_py.translate.rpairwise)
_PAIRWISE = ("model.obj", "classify", "pairs", "contrasts", "adjust", "by", "sig",
             "include_means", "descending", "...")
#: predict.asreml() arguments passed on through multiple_comparisons' ...
_PREDICT = {"present": "present", "ignore": "ignore", "only": "only", "average": "average",
            "levels": "levels", "aliased": "aliased", "parallel": "parallel"}
#: predict arguments without effect on the predictions
_HARMLESS = {"pvals", "trace", "maxit", "maxiter", "workspace", "pworkspace", "sed", "vcov"}
_RESERVED = ("predicted.value", "std.error", "Df", "groups", "PredictedValue", "ApproxSE",
             "ci", "low", "up")
_LETTERS = [*"abcdefghijklmnopqrstuvwxyz", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "."]


class _TukeyPvalues:
    """Tukey p-values P(q_{k,ν} > √2 |μ_i − μ_j| / SED_ij), 1 on the diagonal, computed
    when first read (the studentized range's tail costs ~7 ms a pair)."""

    def __init__(self, mu: np.ndarray, sed: np.ndarray, ndf: float, names: list[str]) -> None:
        self.mu, self.sed, self.ndf, self.names = mu, sed, ndf, names
        self._value: pd.DataFrame | None = None

    def __call__(self) -> pd.DataFrame:
        if self._value is None:
            k = len(self.mu)
            pval = np.ones((k, k))
            if k > 1:
                iu = np.triu_indices(k, 1)
                qs = np.abs(self.mu[iu[0]] - self.mu[iu[1]]) / self.sed[iu] * math.sqrt(2)
                pval[iu] = stats.studentized_range.sf(qs, k, self.ndf)
                pval[(iu[1], iu[0])] = pval[iu]
            self._value = pd.DataFrame(pval, index=self.names, columns=self.names)
        return self._value


class MctTable(pd.DataFrame):
    """biometryassist 1.3.1's result (a data frame of class ``mct``) that also answers
    1.5.0's list elements: ``x$predictions`` (the table), ``x$pairwise_pvalues`` (Tukey
    p-values ``P(q_{k,ν} > √2 |μ_i − μ_j| / SED_ij)``, 1 on the diagonal, treatment-name
    dimnames in prediction order), ``x$hsd``, ``x$sig_level``, ``x$comparison_method``,
    ``x$aliased``."""

    _LIST = ("predictions", "pairwise_pvalues", "hsd", "sig_level", "comparison_method",
             "aliased")

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str) and key in self._LIST and key not in self.columns:
            if key == "predictions":
                return pd.DataFrame(self)
            pv = self.attrs.get("pvalues")
            return {"pairwise_pvalues": pv() if callable(pv) else pv,
                    "hsd": self.attrs.get("HSD"), "sig_level": self.attrs.get("sig"),
                    "comparison_method": "tukey",
                    "aliased": self.attrs.get("aliased")}[key]
        return super().__getitem__(key)


def translate(tr: Any, e: Any) -> str | None:
    """``multiple_comparisons(m, classify = "A", ...)`` -> ``r_multiple_comparisons(m,
    classify='A', ...)`` (R's positional order and partial names; ``...`` by name)."""
    name = str(e.value).split("::")[-1]
    formals = {"mct.out": _MCT_OUT, "pairwise_comparisons": _PAIRWISE}.get(name, _FORMALS)
    try:
        got = match_args(formals, e.args, name)
    except ArgMatchError:
        return None
    dots = got.pop("...", [])
    if any(n is None for n, _ in dots) or "model.obj" not in got:
        return None
    kw = [f"{k.replace('.', '_')}={tr.py(got[k])}" for k in formals
          if k in got and k != "model.obj" and got[k].kind != "empty"]
    kw += [f"{n.replace('.', '_')}={tr.py(a)}" for n, a in dots]
    fn = {"mct.out": "r_mct_out", "pairwise_comparisons": "r_pairwise_comparisons"}.get(
        name, "r_multiple_comparisons")
    return (f"{tr.runtime(fn)}({tr.py(got['model.obj'])}"
            f"{''.join(', ' + k for k in kw)})")


def mct_letters(names: list[str], means: np.ndarray, differ: np.ndarray,
                descending: bool = False, factor_order: list[str] | None = None) -> list[str]:
    """multcompView's ``multcompLetters3(reversed = !descending)`` letters of each mean:
    ``differ[i, j]`` True when means i and j differ; the means are ordered by decreasing
    value (ties in ``factor_order``, default sorted names) before the insert-absorb letters
    are formed and ordered."""
    n = len(names)
    ref = factor_order if factor_order is not None else sorted(names)
    rank = {nm: k for k, nm in enumerate(ref)}
    lv = sorted(range(n), key=lambda i: rank[names[i]])          # tapply's level order
    order = sorted(lv, key=lambda i: -means[i])                  # order(decreasing = TRUE)
    pos = {i: k for k, i in enumerate(order)}
    pairs = sorted((min(pos[i], pos[j]), max(pos[i], pos[j]))
                   for i in range(n) for j in range(i) if differ[i, j])
    m = letter_matrix(n, pairs)
    if not descending:
        m = m[:, ::-1]
    from asr_py.translate.rcld import _letter_names

    ltr = _letter_names(m.shape[1], _LETTERS)
    return ["".join(ltr[c] for c in range(m.shape[1]) if m[pos[i], c]) for i in range(n)]


def _qtukey(p: float, k: int, df: float) -> float:
    return float(stats.studentized_range.ppf(p, k, df))


def _term_labels(fit: Any) -> list[str]:
    model = fit.model
    out = [str(t.label) for t in model.fixed.terms]
    out += [str(t.label) for t in getattr(model, "random", [])]
    return out


def _response(fit: Any) -> str:
    fixed = fit.call.get("fixed") if isinstance(getattr(fit, "call", None), dict) else None
    return str(fixed).split("~", 1)[0].strip() if isinstance(fixed, str) else ""


def _denominator_df(fit: Any, classify: str, dendf: Any) -> float:
    if dendf is None:
        from asr_py.translate.runtime import r_wald

        w = r_wald(fit, denDF="default", ssType="conditional")
        table = pd.DataFrame({"Source": [str(s) for s in w.index],
                              "denDF": np.asarray(w["denDF"], dtype=float)})
    else:
        table = pd.DataFrame(dendf)
        if not {"Source", "denDF"} <= set(table.columns):
            raise AsrError("multiple_comparisons(): dendf must have columns Source and denDF",
                           hint="dendf = data.frame(Source = ..., denDF = ...)")
    hit = table.loc[table["Source"].astype(str) == classify, "denDF"]
    if len(hit):
        return float(hit.iloc[0])
    warnings.warn(f"{classify} is not a fixed term in the model. The denominator degrees of "
                  "freedom are estimated using the residual degrees of freedom. This may be "
                  "inaccurate.", stacklevel=3)
    return float(fit.result.n_minus_p)


def _asreml_predictions(fit: Any, classify: str, dots: dict[str, Any]
                        ) -> tuple[pd.DataFrame, np.ndarray, list[str] | None]:
    if classify not in _term_labels(fit):
        raise AsrError(f"{classify} is not a term in the model. Please check model "
                       "specification.", hint="classify names a fixed or random term, e.g. "
                                               "classify = 'Variety' or 'A:B'")
    kw = {_PREDICT[k]: v for k, v in dots.items() if k in _PREDICT}
    p = fit.predict(classify=classify, sed=True, **kw)
    pv = np.asarray(p["predicted.value"], dtype=float)
    if np.isnan(pv).all() and np.isnan(np.asarray(p["std.error"], dtype=float)).all():
        raise AsrError("All predicted values are aliased. Perhaps you need the `present` "
                       "argument?", hint="present = c('A', 'B') averages over the "
                                         "combinations present in the data")
    sed = np.asarray(p.attrs["sed"], dtype=float).copy()
    pp = p.drop(columns=[c for c in ("status",) if c in p.columns]).reset_index(drop=True)
    pp.attrs = {}
    keys = [c for c in pp.columns if c not in ("predicted.value", "std.error")]
    aliased = [":".join(str(pp.at[i, c]) for c in keys) for i in np.flatnonzero(np.isnan(pv))]
    if "present" in kw:
        aliased = sorted(aliased + _absent(fit, pp, keys), key=_grid_rank(fit, keys))
    bad = np.isnan(pv)
    if aliased:
        if len(aliased) > 1:
            msg = (f"Some levels of {classify} are aliased. They have been removed from "
                   f"predicted output.\n  Aliased levels are: {', '.join(aliased)}.\n  These "
                   "levels are saved in the output object.")
        else:
            msg = (f"A level of {classify} is aliased. It has been removed from predicted "
                   f"output.\n  Aliased level is: {aliased[0]}.\n  This level is saved as an "
                   "attribute of the output object.")
        pp = pp.loc[~bad].reset_index(drop=True)
        for c in keys:
            if isinstance(pp[c].dtype, pd.CategoricalDtype):
                pp[c] = pp[c].cat.remove_unused_categories()
        sed = sed[np.ix_(~bad, ~bad)]
        warnings.warn(msg, stacklevel=3)
    return pp, sed, aliased or None


def _factor_levels(fit: Any, keys: list[str]) -> list[list[str]] | None:
    levels = dict(getattr(getattr(fit.model, "context", None), "levels", {}) or {})
    if not all(c in levels for c in keys):
        return None
    return [[str(v) for v in levels[c]] for c in keys]


def _absent(fit: Any, pp: pd.DataFrame, keys: list[str]) -> list[str]:
    """Classify combinations asreml lists (as NA, aliased) under ``present =`` and
    asr_py's predict leaves out: those of the factors' levels absent from the table."""
    lv = _factor_levels(fit, keys)
    if lv is None:
        return []
    have = {tuple(str(pp.at[i, c]) for c in keys) for i in range(len(pp))}
    return [":".join(g) for g in itertools.product(*lv) if g not in have]


def _grid_rank(fit: Any, keys: list[str]) -> Any:
    """Sort key of 'a:b' names in asreml's order (the first factor varying slowest)."""
    pos = [{v: k for k, v in enumerate(lv)} for lv in (_factor_levels(fit, keys) or [])]
    return lambda name: tuple(p.get(x, -1) for p, x in zip(pos, name.split(":"), strict=False))


def _lm_predictions(fit: Any, classify: str) -> tuple[pd.DataFrame, np.ndarray, float,
                                                     list[str] | None]:
    """An lm/aov fit (biometryassist's get_predictions.lm): emmeans' means of classify,
    ``SED_ij = σ √(1/n_i + 1/n_j)`` (n: records of each mean, emmeans' ``.wgt.``), the
    residual df."""
    from asr_py.compat.emmeans import emmeans

    vars_ = classify.split(":")
    terms = [str(t) for t in getattr(fit, "terms", [])]
    if terms and classify not in terms:
        raise AsrError(f"{classify} is not a term in the model. Please check model "
                       "specification.", hint="classify names a term of the formula")
    em = pd.DataFrame(emmeans(fit, vars_)).reset_index(drop=True)
    pp = em[[*vars_, "emmean", "SE", "df"]].rename(
        columns={"emmean": "predicted.value", "SE": "std.error"})
    y = fit.formula.split("~", 1)[0].strip()
    d = fit.data
    used = d[[c for c in [y, *vars_] if c in d.columns]].dropna()
    counts = used.groupby([used[v].astype(str) for v in vars_], observed=True).size()
    n = np.array([float(counts.get(tuple(str(pp.at[i, v]) for v in vars_) if len(vars_) > 1
                                   else str(pp.at[i, vars_[0]]), np.nan))
                  for i in range(len(pp))])
    sed = float(fit.sigma) * np.sqrt(1 / n[:, None] + 1 / n[None, :])
    np.fill_diagonal(sed, np.nan)
    pv = pp["predicted.value"].to_numpy(dtype=float)
    aliased = None
    bad = np.isnan(pv)
    if bad.any():
        aliased = [":".join(str(pp.at[i, v]) for v in vars_) for i in np.flatnonzero(bad)]
        pp = pp.loc[~bad].reset_index(drop=True)
        sed = sed[np.ix_(~bad, ~bad)]
        warnings.warn(f"Some levels of {classify} are aliased. They have been removed from "
                      f"predicted output.\n  Aliased levels are: {', '.join(aliased)}.",
                      stacklevel=3)
    return pp, sed, float(pp["df"].iloc[0]), aliased


def _check_sig(sig: float) -> None:
    if sig >= 0.5:
        if 1 <= sig < 50:
            raise AsrError(f"Significance level given by `sig` is high. Perhaps you meant "
                           f"{sig / 100:g}?", hint="sig = 0.05 for 5%")
        if sig >= 50:
            raise AsrError(f"Significance level given by `sig` is high. Perhaps you meant "
                           f"{1 - sig / 100:g}?", hint="sig = 0.05 for 5%")
        warnings.warn(f"Significance level given by `sig` is high. Perhaps you meant "
                      f"{1 - sig:g}?", stacklevel=3)


def _back_transform(pp: pd.DataFrame, trans: str, offset: float | None,
                    power: float | None) -> None:
    if offset is None:
        warnings.warn("Offset value assumed to be 0. Change with `offset` argument.",
                      stacklevel=3)
        offset = 0.0
    mu, se, ci = pp["predicted.value"], pp["std.error"], pp["ci"]
    if trans == "sqrt":
        pv = mu ** 2 - offset
        ase = 2 * se.abs() * np.sqrt(pv)
        low, up = (mu - ci) ** 2 - offset, (mu + ci) ** 2 - offset
    elif trans == "log":
        pv = np.exp(mu) - offset
        ase = se.abs() * pv
        low, up = np.exp(mu - ci) - offset, np.exp(mu + ci) - offset
    elif trans == "logit":
        pv = 1 / (1 + np.exp(-mu))
        ase = pv * (1 - pv) * se.abs()
        low, up = 1 / (1 + np.exp(-(mu - ci))), 1 / (1 + np.exp(-(mu + ci)))
    elif trans == "power":
        if power is None:
            raise AsrError("multiple_comparisons(trans = 'power') needs `power`",
                           hint="power = 0.5 for a square-root-like transformation")
        pv = mu ** (1 / power) - offset
        ase = se / (power * pv ** (power - 1)).abs()
        low, up = (mu - ci) ** (1 / power) - offset, (mu + ci) ** (1 / power) - offset
    elif trans == "inverse":
        pv = 1 / mu
        ase = se.abs() * pv ** 2
        low, up = 1 / (mu - ci), 1 / (mu + ci)
    else:
        raise AsrError(f"multiple_comparisons(): unknown trans {trans!r}",
                       hint="trans = 'sqrt', 'log', 'logit', 'power' or 'inverse'")
    pp["PredictedValue"], pp["ApproxSE"], pp["low"], pp["up"] = pv, ase, low, up


def _r_round(x: np.ndarray, digits: int) -> np.ndarray:
    """R's (≥ 4.0) ``round(x, digits)``: of the two neighbours ⌊x·10^d⌋/10^d and
    ⌈x·10^d⌉/10^d the one nearer to x as doubles (2200.085 -> 2200.08, where x·100 rounds
    up), an exact tie to the even one."""
    p = 10.0 ** digits
    with np.errstate(invalid="ignore"):
        f = np.floor(x * p)
        lo, hi = f / p, np.ceil(x * p) / p
        d_lo, d_hi = x - lo, hi - x
        out = np.where(d_lo < d_hi, lo, np.where(d_hi < d_lo, hi,
                                                  np.where(f % 2 == 0, lo, hi)))
    return np.where(np.isfinite(x), out, x)


def _ci_consistency_note(pp: pd.DataFrame) -> None:
    low = (pp["predicted.value"] - pp["ci"]).to_numpy()
    up = (pp["predicted.value"] + pp["ci"]).to_numpy()
    groups = [set(str(g)) for g in pp["groups"]]
    n = len(pp)
    for i in range(n):
        for j in range(i + 1, n):
            if max(low[i], low[j]) > min(up[i], up[j]) and groups[i] & groups[j]:
                print("Note: Some treatments sharing the same letter group have "
                      "non-overlapping confidence intervals.\nThis is expected behavior as "
                      "regular confidence intervals estimate individual mean precision,\n"
                      "while Tukey's HSD controls family-wise error rates. For visual "
                      "consistency with letter groups,\nconsider using 'int.type = \"tukey\"' "
                      "to display Tukey comparison intervals.", file=sys.stderr)
                return


def r_multiple_comparisons(model_obj: Any, classify: Any = None, sig: float = 0.05,
                           int_type: str = "ci", trans: str | None = None,
                           offset: float | None = None, power: float | None = None,
                           decimals: int = 2, descending: bool = False, groups: bool = True,
                           plot: bool = False, label_height: float = 0.1,
                           rotation: float = 0, save: bool = False,
                           savename: str = "predicted_values", order: Any = None,
                           pred_obj: Any = None, pred: Any = None,
                           **dots: Any) -> Any:
    """biometryassist's ``multiple_comparisons`` of an asreml fit: see the module docstring.
    Returns the table (a DataFrame) with ``attrs`` ``ylab``, ``HSD`` and ``aliased``."""
    if isinstance(model_obj, Untranslated):
        return model_obj._use()
    if classify is None and pred is not None:
        warnings.warn("Argument `pred` has been deprecated and will be removed in a future "
                      "version. Please use `classify` instead.", stacklevel=2)
        classify = pred
    if not isinstance(classify, str):
        raise AsrError("multiple_comparisons(): classify must name a model term",
                       hint="multiple_comparisons(m, classify = 'Variety')")
    if order is not None:
        warnings.warn("Argument `order` has been deprecated and will be removed in a future "
                      "version. Please use `descending` instead.", stacklevel=2)
        if isinstance(order, str) and order.lower() in ("descending", "decreasing"):
            descending = True
    if pred_obj is not None:
        warnings.warn("Argument `pred.obj` has been deprecated and will be removed in a "
                      "future version. Predictions are now performed internally in the "
                      "function.", stacklevel=2)
    if "letters" in dots:
        groups = bool(dots.pop("letters"))
    if str(dots.pop("adjust", "tukey")).lower() != "tukey":     # biometryassist 1.5.0
        raise AsrError("multiple_comparisons(adjust = ...): only Tukey's HSD is translated",
                       hint="adjust = 'tukey' (the default)")
    unknown = [k for k in dots if k not in _PREDICT and k not in _HARMLESS and k != "dendf"]
    if unknown:
        raise AsrError(f"multiple_comparisons(): argument(s) {', '.join(unknown)} not "
                       "supported", hint="predict arguments present, ignore, only, average, "
                                         "levels, aliased, parallel and dendf are")
    sig = float(sig)
    _check_sig(sig)
    vars_ = classify.split(":")
    bad = [v for v in vars_ if v in _RESERVED]
    if bad:
        raise AsrError(f"Invalid column name. Please change the name of column(s): "
                       f"{', '.join(bad)}", hint="rename the factor in the data and refit")
    from asr_py.translate.rlm import RLm

    is_lm = isinstance(model_obj, RLm)
    if not is_lm and not (hasattr(model_obj, "predict") and hasattr(model_obj, "varcomp")):
        raise AsrError("model.obj must be a linear (mixed) model object. Supported here: "
                       "asreml, aov, lm", hint="model.obj <- asreml(...) or aov(y ~ f, d)")
    ylab = (model_obj.formula.split("~", 1)[0].strip() if is_lm else
            _response(model_obj))
    if "(" in ylab and trans is None:
        warnings.warn(f"The response variable appears to be transformed in the model "
                      f"formula: {ylab}.\nPlease specify the 'trans' argument if you want "
                      "back-transformed predictions.", stacklevel=2)
    if is_lm:
        pp, sed, ndf, aliased = _lm_predictions(model_obj, classify)
    else:
        pp, sed, aliased = _asreml_predictions(model_obj, classify, dots)
        ndf = _denominator_df(model_obj, classify, dots.get("dendf"))

    # treatment names (dashes become '_': multcompView splits comparisons at '-')
    names = ["_".join(str(pp.at[i, v]) for v in vars_) for i in range(len(pp))]
    first = pp.columns[0]
    dashed = sorted({s for s in [*map(str, pp[first]), *names] if "-" in s},
                    key=[*map(str, pp[first]), *names].index)
    if dashed:
        what = ("The treatment levels " + ", ".join(dashed) if len(dashed) > 1 else
                "The treatment level " + dashed[0])
        warnings.warn(what + " contained '-', which has been replaced in the final output "
                             "with '_'", stacklevel=2)
        col = pp[first].astype(str).str.replace("-", "_", regex=False)
        pp[first] = col
        names = [s.replace("-", "_") for s in names]

    k = len(pp)
    mu = pp["predicted.value"].to_numpy(dtype=float)
    q = _qtukey(1 - sig, k, ndf) if k > 1 else math.nan
    crit = q / math.sqrt(2) * sed
    differ = np.abs(mu[:, None] - mu[None, :]) > crit
    np.fill_diagonal(differ, False)
    names0 = list(names)
    if groups:
        single = len(vars_) == 1 and isinstance(pp[vars_[0]].dtype, pd.CategoricalDtype)
        levels = [str(c) for c in pp[vars_[0]].cat.categories] if single else None
        if levels is not None and dashed:
            levels = [s.replace("-", "_") for s in levels]
        pp["groups"] = mct_letters(names, mu, differ, descending, levels)
        sort_key = np.argsort(np.array(names, dtype=object), kind="stable")  # merge(by = Names)
        pp = pp.iloc[sort_key].reset_index(drop=True)
    it = str(int_type).lower()
    if it == "ci":
        pp["ci"] = stats.t.isf(sig / 2, ndf) * pp["std.error"]
    elif it == "tukey":
        pp["ci"] = q / math.sqrt(2) * pp["std.error"]
    elif it == "1se":
        pp["ci"] = pp["std.error"]
    elif it == "2se":
        pp["ci"] = 2 * pp["std.error"]
    else:
        raise AsrError("Invalid int.type. Use 'ci', 'tukey', '1se', or '2se'.",
                       hint="int.type = 'ci'")
    if trans is not None:
        _back_transform(pp, str(trans), offset, power)
    else:
        pp["low"] = pp["predicted.value"] - pp["ci"]
        pp["up"] = pp["predicted.value"] + pp["ci"]
    val = pp["predicted.value"].to_numpy(dtype=float)
    idx = np.argsort(-val if descending else val, kind="stable")
    pp = pp.iloc[idx].reset_index(drop=True)
    for v in vars_:
        seen = list(dict.fromkeys(pp[v].astype(str)))
        pp[v] = pd.Categorical(pp[v].astype(str), categories=seen)
    for c in pp.columns:
        if pd.api.types.is_float_dtype(pp[c]):
            pp[c] = _r_round(pp[c].to_numpy(dtype=float), int(decimals))
    if save:
        pp.to_csv(f"{savename}.csv", index=False)
    if groups and it == "ci":
        _ci_consistency_note(pp)
    pp.attrs["ylab"] = ylab
    if aliased is not None:
        pp.attrs["aliased"] = aliased
    off = crit[~np.eye(k, dtype=bool)] if k > 1 else np.array([math.nan])
    if off.size and np.nanvar(off, ddof=1 if off.size > 1 else 0) < 1e-10:
        pp.attrs["HSD"] = float(off[0])
    else:
        pp.attrs["HSD"] = pd.DataFrame(crit, index=names0, columns=names0)
    pp.attrs["class"] = ["mct", "data.frame"]
    pp.attrs["sig"] = sig
    pp.attrs["pvalues"] = _TukeyPvalues(mu, sed, ndf, names0)
    out = MctTable(pp)
    out.attrs = pp.attrs
    return out
