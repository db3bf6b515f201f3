"""R's ordinary linear models as translated scripts use them: ``lm()``, ``anova()`` of an lm
(sequential, type I sums of squares), ``model.matrix()``, and ``coef()`` / ``residuals()``
/ ``fitted()`` / ``summary()`` of an lm.

Teaching scripts fit ``lm(y ~ block + gen, data)`` beside ``asreml()`` (ANOVA estimators of
variance components, the design matrices X and Z of the mixed model equations); before this
module each of these calls became an untranslated placeholder that stopped the script.

The design matrix is R's: treatment contrasts (the first level of a factor dropped when the
intercept is in the model), a character column taken as a factor with its levels sorted, rows
with a missing value in a variable of the formula dropped (``na.omit``), and R's column names
(``(Intercept)``, ``block2``, ``block2:geng2``). Formulas are built by formulaic, which also
orders terms by degree as R's ``terms()`` does.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate import rformulaget

__all__ = ["RLm", "r_anova", "r_coef", "r_fitted", "r_lm", "r_model_matrix", "r_residuals"]

#: R calls translated by this module: the R function -> its helper here
FUNCTIONS = {"lm": "r_lm", "model.matrix": "r_model_matrix", "anova": "r_anova",
             "coef": "r_coef", "coefficients": "r_coef", "residuals": "r_residuals",
             "resid": "r_residuals", "fitted": "r_fitted", "fitted.values": "r_fitted",
             "hatvalues": "r_hatvalues", "rstandard": "r_rstandard"}


#: a syntactic R name (letters, digits, '.', '_'; not a number), not already in backticks
_NAME = re.compile(r"(?<![\w.`])([A-Za-z.][\w.]*)(?![\w.`])")


def _r_formula(formula: str, columns: Any = ()) -> str:
    """An R model formula in formulaic's syntax: ``factor(x)``/``as.factor(x)`` -> ``C(x)``,
    ``-1``/``+0`` kept (formulaic reads them as R does); a column name with a '.' in
    ``columns`` quoted in backticks (``log(Petal.Width)`` would be Python's attribute
    access inside a call; formulaic reads `` `Petal.Width` `` as the column)."""
    f = re.sub(r"\b(?:as\.)?factor\(", "C(", formula.strip())
    dotted = {str(c) for c in columns if "." in str(c)}
    if dotted:
        f = _NAME.sub(lambda m: f"`{m.group(1)}`" if m.group(1) in dotted else m.group(1), f)
    return _power_in_calls(f)


def _power_in_calls(f: str) -> str:
    """R's ``^`` inside a call (``I(x^2)``, ``log(x)^2`` in ``poly``...) is the power, Python's
    ``**`` (formulaic evaluates a call as Python, where ``^`` is exclusive or: ``5^2`` = 7);
    outside calls ``(a + b)^2`` stays formula crossing."""
    out, stack, quote = [], [], ""
    for k, ch in enumerate(f):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "`'\"":
            quote = ch
        elif ch == "(":
            j = k - 1
            stack.append(j >= 0 and (f[j].isalnum() or f[j] in "._`"))
        elif ch == ")" and stack:
            stack.pop()
        elif ch == "^" and any(stack):
            out.append("**")
            continue
        out.append(ch)
    return "".join(out)


def _r_name(col: str) -> str:
    """formulaic's column name as R's: ``Intercept`` -> ``(Intercept)``, ``gen[T.g2]`` ->
    ``geng2``, ``gen[g1]`` -> ``geng1``, ``C(x)[T.b]`` -> ``factor(x)b``."""
    if col == "Intercept":
        return "(Intercept)"
    col = col.replace("`", "").replace(" ** ", "^")    # undo _r_formula's quoting and power
    parts = []
    for p in col.split(":"):
        p = re.sub(r"^C\((.*)\)(?=\[)", r"factor(\1)", p)
        p = re.sub(r"\[(?:T\.)?(.*)\]$", r"\1", p)
        parts.append(p)
    return ":".join(parts)


def _design(formula: str, data: pd.DataFrame, keep_order: bool = False
            ) -> tuple[Any, Any, list[str]]:
    """(y or None, X as a formulaic ModelMatrix, the term label of each column); terms in
    R's order (by degree), or as written with ``keep_order`` (R's ``terms(f, keep.order =
    TRUE)``)."""
    import formulaic

    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"lm()/model.matrix(): data must be a data frame, not "
                       f"{type(data).__name__}", hint="give data = the data frame the "
                       "formula's variables are columns of")
    data = data.copy()
    for c in data.columns:      # a character column is a factor with sorted levels (R)
        if data[c].dtype == object and data[c].map(lambda v: isinstance(v, str) or
                                                   v is None or v != v).all():
            data[c] = pd.Categorical(data[c])
    try:
        rf = _r_formula(formula, data.columns)
        spec = formulaic.Formula(rf, _ordering="none") if keep_order else rf
        mm = formulaic.model_matrix(spec, data, na_action="drop")
    except Exception as err:  # noqa: BLE001 - formulaic raises many kinds
        raise AsrError(f"lm()/model.matrix(): cannot build the design matrix of "
                       f"{formula!r}: {err}", hint="the formula's variables must be "
                       "columns of data (factors, numbers)") from err
    if hasattr(mm, "rhs"):
        y, x = mm.lhs, mm.rhs
    else:
        y, x = None, mm
    terms = [""] * x.shape[1]
    for term, sl in x.model_spec.term_slices.items():
        for j in range(sl.start, sl.stop):
            terms[j] = "(Intercept)" if str(term) == "1" else _r_name(str(term))
    return y, x, terms


def r_model_matrix(formula: Any, data: pd.DataFrame | None = None, **_: Any) -> pd.DataFrame:
    """R's ``model.matrix(formula, data)`` (or of an lm): columns named as R names them."""
    if isinstance(formula, RLm):
        return formula.X.copy()
    if data is None:
        raise AsrError("model.matrix(): no data given", hint="model.matrix(formula, data)")
    _, x, _terms = _design(str(formula), data)
    out = pd.DataFrame(np.asarray(x, dtype=float), columns=[_r_name(c) for c in x.columns])
    return out


class RLm:
    """An R ``lm`` fit: ``fit["coefficients"]``, ``["residuals"]``, ``["fitted.values"]``,
    ``["df.residual"]``, ``["rank"]`` as R's ``fit$...``; ``describe()`` is ``summary()``."""

    def __init__(self, formula: str, data: pd.DataFrame, weights: Any = None,
                 keep_order: bool = False) -> None:
        y, x, terms = _design(formula, data, keep_order)
        if y is None or y.shape[1] != 1:
            lhs = formula.split("~")[0].strip().strip("`")
            if isinstance(data, pd.DataFrame) and lhs in data.columns and \
                    not pd.api.types.is_numeric_dtype(data[lhs]):
                bad = [v for v in pd.unique(data[lhs].dropna())
                       if pd.isna(pd.to_numeric(pd.Series([v]), errors="coerce")[0])][:3]
                raise AsrError(f"lm(): the response {lhs!r} is not numeric (values such as "
                               f"{bad!r}; R reads such a column as text and its lm() fails "
                               "too)", hint="as.numeric(d$y) turns the text into NA")
            raise AsrError(f"lm(): {formula!r} needs one response left of ~",
                           hint="lm(y ~ a + b, data)")
        self.formula = formula
        self.data, self._spec = data, x.model_spec      # emmeans() reuses them
        self.X = pd.DataFrame(np.asarray(x, dtype=float),
                              columns=[_r_name(c) for c in x.columns])
        self.terms = terms
        self.y = np.asarray(y, dtype=float).ravel()
        n = self.y.size
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).ravel()
        if w.size != n:
            w = w[np.asarray(x.index)] if w.size == len(data) else w
        if w.size != n:
            raise AsrError("lm(): weights and data differ in length", hint="one weight a row")
        self.w = w
        sw = np.sqrt(w)
        xw, yw = self.X.to_numpy() * sw[:, None], self.y * sw
        # R's lm: pivoted QR; columns aliased with earlier ones get NA coefficients
        keep: list[int] = []
        for j in range(xw.shape[1]):
            trial = xw[:, keep + [j]]
            if np.linalg.matrix_rank(trial, tol=1e-7 * max(1.0, np.abs(trial).max())) \
                    == len(keep) + 1:
                keep.append(j)
        beta = np.full(xw.shape[1], np.nan)
        if keep:
            beta[keep] = np.linalg.lstsq(xw[:, keep], yw, rcond=None)[0]
        self.keep = keep
        self.rank = len(keep)
        fitted = self.X.to_numpy()[:, keep] @ beta[keep] if keep else np.zeros(n)
        self.coefficients = pd.Series(beta, index=self.X.columns)
        self.fitted_values = pd.Series(fitted, index=pd.RangeIndex(1, n + 1).astype(str))
        self.residuals = pd.Series(self.y - fitted, index=self.fitted_values.index)
        self.df_residual = n - self.rank
        self._xw, self._yw = xw, yw

    def __getitem__(self, key: str) -> Any:
        named = {"coefficients": self.coefficients, "residuals": self.residuals,
                 "fitted.values": self.fitted_values, "df.residual": self.df_residual,
                 "rank": self.rank, "weights": self.w}
        hits = [k for k in named if k == key] or [k for k in named if k.startswith(key)]
        if len(hits) != 1:
            raise AsrError(f"lm fit has no component {key!r}",
                           hint=f"one of {', '.join(named)}")
        return named[hits[0]]

    @property
    def sigma(self) -> float:
        """The residual standard error."""
        rss = float(np.sum(self.w * self.residuals.to_numpy() ** 2))
        return float(np.sqrt(rss / self.df_residual)) if self.df_residual > 0 else np.nan

    @property
    def loglik(self) -> float:
        """R's ``logLik(lm)``: the Gaussian log-likelihood at the ML variance RSS/n."""
        n = self.y.size
        rss = float(np.sum(self.w * self.residuals.to_numpy() ** 2))
        return float(-n / 2 * (np.log(2 * np.pi * rss / n) + 1) + 0.5 * np.sum(np.log(self.w)))

    @property
    def aic(self) -> float:
        """R's ``AIC(lm)``: -2 logLik + 2 (rank + 1)."""
        return -2 * self.loglik + 2 * (self.rank + 1)

    @property
    def bic(self) -> float:
        """R's ``BIC(lm)``: -2 logLik + log(n) (rank + 1)."""
        return -2 * self.loglik + np.log(self.y.size) * (self.rank + 1)

    def anova(self) -> pd.DataFrame:
        """R's ``anova(lm)``: sequential (type I) sums of squares of the terms in formula
        order, then the residuals."""
        rows, names = [], []
        xw, yw = self._xw, self._yw
        done: list[int] = []
        rss_prev = float(yw @ yw)
        order = list(dict.fromkeys(self.terms))
        mse_df = self.df_residual
        rss_full = float(np.sum(self.w * self.residuals.to_numpy() ** 2))
        for t in order:
            cols = [j for j, tt in enumerate(self.terms) if tt == t and j in self.keep]
            new = done + cols
            if new:
                b = np.linalg.lstsq(xw[:, new], yw, rcond=None)[0]
                rss = float(np.sum((yw - xw[:, new] @ b) ** 2))
            else:
                rss = float(yw @ yw)
            df = len(cols)
            done = new
            if t == "(Intercept)":
                rss_prev = rss
                continue
            if df:
                rows.append((df, rss_prev - rss))
                names.append(t)
            rss_prev = rss
        ms_e = rss_full / mse_df if mse_df > 0 else np.nan
        out = pd.DataFrame(
            {"Df": [r[0] for r in rows] + [mse_df],
             "Sum Sq": [r[1] for r in rows] + [rss_full]}, index=names + ["Residuals"])
        out["Mean Sq"] = out["Sum Sq"] / out["Df"]
        f = out["Mean Sq"] / ms_e
        f.iloc[-1] = np.nan
        out["F value"] = f
        p = stats.f.sf(f, out["Df"], mse_df)
        out["Pr(>F)"] = p
        out.loc["Residuals", "Pr(>F)"] = np.nan
        return out

    def describe(self) -> dict[str, Any]:
        """R's ``summary(lm)``: ``["coefficients"]`` (Estimate, Std. Error, t value,
        Pr(>|t|)), ``["sigma"]``, ``["r.squared"]``, ``["adj.r.squared"]``, ``["df"]``."""
        xk = self._xw[:, self.keep]
        cov = np.linalg.inv(xk.T @ xk) * self.sigma ** 2
        est = self.coefficients.iloc[self.keep]
        se = np.sqrt(np.diag(cov))
        t = est.to_numpy() / se
        tab = pd.DataFrame({"Estimate": est.to_numpy(), "Std. Error": se, "t value": t,
                            "Pr(>|t|)": 2 * stats.t.sf(np.abs(t), self.df_residual)},
                           index=est.index)
        yw = self._yw
        inter = "(Intercept)" in self.terms
        tss = float(np.sum(self.w * (self.y - np.average(self.y, weights=self.w)) ** 2)) \
            if inter else float(yw @ yw)
        rss = float(np.sum(self.w * self.residuals.to_numpy() ** 2))
        r2 = 1 - rss / tss if tss > 0 else np.nan
        n_int = 1 if inter else 0
        adj = 1 - (1 - r2) * (self.y.size - n_int) / self.df_residual \
            if self.df_residual > 0 else np.nan
        return {"coefficients": tab, "sigma": self.sigma, "r.squared": r2,
                "adj.r.squared": adj, "df": (self.rank, self.df_residual, len(self.keep))}

    def __repr__(self) -> str:
        return f"lm({self.formula})\n\nCoefficients:\n{self.coefficients.to_string()}"


def r_lm(formula: Any, data: pd.DataFrame | None = None, weights: Any = None,
         keep_order: bool = False, **_: Any) -> RLm:
    """R's ``lm(formula, data, weights)`` (the formula as its R text); ``keep_order``: the
    terms in the order written (``lm(terms(f, keep.order = TRUE), data)``: what anova()'s
    sequential sums of squares follow)."""
    if data is None:
        raise AsrError("lm(): no data given", hint="lm(y ~ x, data = d)")
    if not isinstance(formula, str) or "~" not in formula:
        raise AsrError(f"lm(): the formula is {formula!r}, not a model formula",
                       hint="lm(y ~ x, data = d), or a formula built by reformulate()/"
                            "as.formula(paste(...))")
    return RLm(formula, data, weights, keep_order)


def _other(what: str, obj: Any, **kw: Any) -> Any:
    from asr_py.translate.rlmmsolver import LMMsolveFit
    from asr_py.translate.runtime import untranslated

    if isinstance(obj, LMMsolveFit) and what == "coef()":     # LMMsolve(): coef(obj, se)
        return obj.coef(**kw)
    if isinstance(obj, LMMsolveFit) and what in ("fitted()", "residuals()"):
        return obj["yhat" if what == "fitted()" else "residuals"].copy()

    return untranslated(f"{what} of {type(obj).__name__}", "value")


def _is_lmer(obj: Any) -> bool:
    from asr_py.compat.lme4 import LmerFit

    return isinstance(obj, LmerFit)


def r_anova(obj: Any, *more: Any, **_: Any) -> Any:
    """R's ``anova()``: the sequential ANOVA table of an lm, lme4's LRT table of lmer fits;
    of anything else, a placeholder of the untranslated value (as before)."""
    if isinstance(obj, RLm) and not more:
        return obj.anova()
    from asr_py.translate.rnlmefit import LmeFit, lme_anova
    from asr_py.translate.rnlmegls import GlsFit

    if isinstance(obj, LmeFit):         # nlme's anova (rnlmefit.py)
        return lme_anova(obj, *more)
    if isinstance(obj, GlsFit) and not more:
        return obj.anova()
    if _is_lmer(obj):
        from asr_py.compat.lme4 import anova

        return anova(obj, *more)
    return _other("anova()", obj)


def r_coef(obj: Any, **_: Any) -> Any:
    """R's ``coef()`` of an lm, lmer or gls fit (a placeholder for other objects)."""
    from asr_py.translate.rnlmegls import GlsFit

    if _is_lmer(obj) or isinstance(obj, GlsFit):
        return obj.coef()
    return obj.coefficients.copy() if isinstance(obj, RLm) else _other("coef()", obj, **_)


def r_residuals(obj: Any, scaled: bool = False, **_: Any) -> Any:
    """R's ``residuals()`` of an lm or an lmer fit (a placeholder for other objects); an
    lmer fit's with ``scaled = TRUE`` divided by the residual standard deviation (lme4's
    residuals.merMod), an asreml fit's response residuals (a function's parameter)."""
    from asr_py.results.fit import AsremlFit

    if _is_lmer(obj):
        return obj.residuals / obj.sigma if scaled else obj.residuals
    if isinstance(obj, AsremlFit) and not scaled:
        return obj.residuals
    return obj.residuals.copy() if isinstance(obj, RLm) else _other("residuals()", obj)


def r_fitted(obj: Any, **_: Any) -> Any:
    """R's ``fitted()`` of an lm or an lmer fit (a placeholder for other objects)."""
    if _is_lmer(obj):
        return obj.fitted
    return obj.fitted_values.copy() if isinstance(obj, RLm) else _other("fitted()", obj)


def r_hatvalues(obj: Any, **_: Any) -> Any:
    """R's ``hatvalues(lm)``: the diagonal of the (weighted) hat matrix, by record."""
    if not isinstance(obj, RLm):
        return _other("hatvalues()", obj)
    xk = obj._xw[:, obj.keep]
    if not obj.keep:
        return pd.Series(np.zeros(obj.y.size), index=obj.residuals.index)
    q, _ = np.linalg.qr(xk)
    return pd.Series(np.sum(q * q, axis=1), index=obj.residuals.index)


def r_rstandard(obj: Any, **_: Any) -> Any:
    """R's ``rstandard(lm)``: residuals over sigma * sqrt(w^-1 (1 - h)); NaN where the hat
    value is 1 (R's rstandard gives NaN for those)."""
    if not isinstance(obj, RLm):
        return _other("rstandard()", obj)
    h = r_hatvalues(obj).to_numpy()
    e = obj.residuals.to_numpy() * np.sqrt(obj.w)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = e / (obj.sigma * np.sqrt(1.0 - h))
    r[~np.isfinite(r)] = np.nan
    return pd.Series(r, index=obj.residuals.index)


def _unwrap_terms(e: Any) -> tuple[Any, bool | None]:
    """``lm(terms(f, keep.order = TRUE), data)`` -> (``lm(f, data)``, True); a call with
    no terms() -> (it, False); terms() with arguments other than keep.order -> (e, None)."""
    from dataclasses import replace

    for k, (n, a) in enumerate(e.args):
        if n not in (None, "formula") or a.kind != "call" or a.value != "terms":
            continue
        inner = [x for m, x in a.args if m in (None, "x")]
        flags = [x for m, x in a.args if m == "keep.order"]
        if len(inner) != 1 or len(flags) + len(inner) != len(a.args) or \
                inner[0].kind != "formula" or \
                any(x.kind != "name" or x.value not in ("TRUE", "T", "FALSE", "F")
                    for x in flags):
            return e, None
        keep = bool(flags) and flags[0].value in ("TRUE", "T")
        args = list(e.args)
        args[k] = (n, inner[0])
        return replace(e, args=args), keep
    return e, False


def translate(printer: Any, e: Any) -> str | None:
    """The Python of a call to one of :data:`FUNCTIONS`, or None (then other rules apply).
    The formula argument is passed as its R text."""
    f = e.value
    if f not in FUNCTIONS or f in getattr(printer, "functions", ()):
        return None
    if f not in ("lm", "model.matrix"):
        # coef()/anova()/... of a name bound to an lm() fit (or of lm(...) itself); of
        # other objects (lmer, LMMsolve fits) the call stays untranslated, as before
        obj = next((a for n, a in e.args if n in (None, "object", "x")), None)
        known = getattr(printer, "lm_fits", set())
        param = f in ("residuals", "resid", "fitted") and obj is not None and \
            obj.kind == "name" and obj.value in getattr(printer, "params", ())
        if obj is None or not (obj.kind == "name" and obj.value in known or param or
                               obj.kind == "call" and obj.value in ("lm", "lmer")):
            return None
    args = []
    literal = False                      # a formula (or its text) is given
    keep: bool | None = False
    if f == "lm":
        e, keep = _unwrap_terms(e)
        if keep is None:
            return None                  # terms(f, <other arguments>): not done here
    for n, a in e.args:
        if n == "se" and f in ("coef", "coefficients"):
            args.append(("se", printer.py(a)))       # LMMsolver's coef(obj, se = TRUE)
            continue
        if n == "scaled" and f in ("residuals", "resid"):
            args.append(("scaled", printer.py(a)))   # lme4's residuals(m, scaled = TRUE)
            continue
        if n is not None and n not in ("formula", "data", "weights", "object", "x"):
            if f in ("lm", "model.matrix") and n in ("na.action", "subset", "contrasts",
                                                     "offset", "method", "model"):
                return None      # not done here: the placeholder and its TODO
            continue
        key = {"object": None, "x": None}.get(n or "", n)
        literal = literal or a.kind in ("formula", "str")
        if a.kind == "formula":      # its text (get(trait) ~ x: built when run)
            args.append((key, rformulaget.translate(printer, a) or repr(printer.src(a))))
        else:
            args.append((key, printer.py(a)))
    form = next((a for n, a in e.args if n == "formula"), None) or \
        next((a for n, a in e.args if n is None), None)
    if f in ("lm", "model.matrix") and not literal:
        # a formula held in a variable (reformulate(), as.formula(paste(...)): its text)
        if f == "lm" and not (form is not None and form.kind == "name"):
            return None
    if keep:
        args.append(("keep_order", "True"))
    helper = printer.runtime(FUNCTIONS[f])
    return f"{helper}(" + ", ".join(v if k is None else f"{k}={v}" for k, v in args) + ")"
