"""nlme's ``lme()`` fits for translated scripts, on asr_py's REML engine.

Scripts comparing asreml with nlme fit ``lme(fixed, data, random = ~ 1 | g)`` and read
``logLik()``, ``VarCorr()``, ``fixef()``, ``ranef()``, ``summary()``. The linear mixed model
``y = Xb + Zu + e`` of an lme without variance functions or correlation structures is the
one lme4 fits (nlme and lme4 maximise the same REML likelihood), so the model is fitted as
the lmer formula it equals (:mod:`asr_py.compat.lme4`) and read out in nlme's layout:

* ``random = ~ 1 | g`` -> ``(1 | g)``; ``~ x | g`` (pdLogChol/pdSymm, an unstructured
  intercept-slope covariance) -> ``(x | g)``; ``~ 1 | a/b`` and ``list(a = ~ 1, b = ~ 1)``
  (b nested in a) -> ``(1 | a) + (1 | a:b)``; ``list(g = pdDiag(~ x))`` -> ``(x || g)``;
* ``weights = varIdent(form = ~ 1 | s)`` (one residual variance per level of ``s``:
  ``var(e_i) = sigma^2 delta_s(i)^2``, ``delta`` = 1 for the first level met) is fitted
  by :func:`asr_py.asreml` with ``residual = ~ dsum(~ units | s)``;
* ``correlation = corAR1(form = ~ 1 | g)`` (``rho^|i - j|`` between the i-th and j-th
  records of a group, in data order; no form: the innermost random group) ->
  ``residual = ~ g:ar1(position)``; ``corAR1(form = ~ t | g)`` (integer t, every value
  from min to max present) -> ``g:ar1(t)``; ``corCAR1(form = ~ t | g)``
  (``phi^|t_i - t_j|``) -> ``g:exp(t)``; ``corCompSymm(form = ~ 1 | g)`` -> ``g:cor()``
  (rnlmeresid.py).

``logLik()`` is the full REML (or ML) log-likelihood, nlme's = lme4's:
``-1/2 [(n - p) log 2pi + log|V| + log|X'V^-1 X| + r'V^-1 r]`` (REML);
``VarCorr()`` nlme's table (rows: each level's terms, then Residual; columns Variance and
StdDev, Corr for correlated terms); ``summary()$tTable`` has nlme's denominator DF (a
fixed column is estimated at the outermost grouping level within whose groups it is
constant; DF at level i = groups_i - groups_(i-1) - columns estimated there; the intercept
takes the innermost level's DF).

Other variance functions (varPower, varExp, ...), correlation structures (corARMA,
corSymm, spatial), varIdent together with a correlation, pdIdent/pdCompSymm
blocks and groupedData's implicit ``random`` raise an :class:`~asr_py.errors.AsrError`
saying so.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.compat.lme4 import LmerFit, _split_top
from asr_py.errors import AsrError
from asr_py.translate.rnlmecrit import NlmeCriteria, gls_solve
from asr_py.translate.rnlmeresid import (
    _arg,
    _call,
    _cor_struct,
    _var_ident,
    residual_matrix,
    residual_spec,
)

__all__ = ["LmeFit", "NlmeStruct", "lme_anova", "r_grouped_data", "r_lme", "r_nlme_struct"]

_NAME = r"[A-Za-z.][\w.]*"


class NlmeStruct(str):
    """An nlme variance function / correlation structure / pd class call, held as its R
    text (``varIdent(form = ~ 1 | s)``): lme() reads it."""


def r_nlme_struct(text: str) -> NlmeStruct:
    """``varIdent(...)``, ``corAR1(...)``, ``pdDiag(...)`` bound to a name."""
    return NlmeStruct(" ".join(str(text).split()))


def r_grouped_data(formula: str, data: Any) -> Any:
    """nlme's ``groupedData(y ~ x | g, data)``: the data (a copy), its formula kept in
    ``attrs["formula"]``; lme()/gls() here take their model from their own arguments."""
    from asr_py.compat.lme4 import _untranslated

    if _untranslated(data) is not None:
        return _untranslated(data)
    if not isinstance(data, pd.DataFrame):
        raise AsrError("groupedData(): data must be a data frame",
                       hint="groupedData(y ~ x | g, data = d)")
    out = data.copy()
    out.attrs["formula"] = " ".join(str(formula).split())
    return out


def _bar(lhs: str, groups: list[str], diag: bool = False) -> list[str]:
    """lmer bars for ``lhs | g1/g2/...`` (nested groups: g1, g1:g2, ...)."""
    lhs = lhs.strip() or "1"
    sep = "||" if diag and lhs not in ("1", "0 + 1") else "|"
    return [f"({lhs} {sep} {':'.join(groups[:k + 1])})" for k in range(len(groups))]


def _random_bars(random: str, where: str) -> tuple[list[str], list[list[str]]]:
    """(lmer bars, grouping levels outer to inner) of lme's ``random``."""
    text = " ".join(str(random).split())
    hint = ("random = ~ 1 | g, ~ x | g, ~ 1 | a/b, list(a = ~ 1, b = ~ 1) or "
            "list(g = pdDiag(~ x))")
    got = _call(text)
    if got is not None and got[0] == "list":
        bars: list[str] = []
        groups: list[str] = []
        for part in (p for _, p in _split_top(got[1], ",")):
            m = re.match(rf"\s*({_NAME})\s*=\s*(.*)", part, flags=re.S)
            if not m:
                raise AsrError(f"{where}: random = list(...) needs named elements "
                               f"({part.strip()!r})", hint=hint)
            g, spec = m.group(1), m.group(2).strip()
            groups.append(g)
            lhs, diag = _pd_lhs(spec, where, hint)
            bars.append(_bar(lhs, groups, diag)[-1])
        return bars, [groups[:k + 1] for k in range(len(groups))]
    if got is not None:
        lhs_rhs = _arg(got[1], "object", 0) or ""
        if "|" not in lhs_rhs:
            raise AsrError(f"{where}: random = {text} has no grouping factor", hint=hint)
    if not text.startswith("~") or "|" not in text:
        raise AsrError(f"{where}: random = {text!r}: the grouping factor is not given "
                       "(nlme takes it from a groupedData's formula, not translated)",
                       hint=hint)
    lhs, _, rhs = text[1:].partition("|")
    groups = [g.strip() for g in rhs.split("/")]
    if not all(re.fullmatch(_NAME, g) for g in groups):
        raise AsrError(f"{where}: grouping {rhs.strip()!r} is not a factor or a/b nesting",
                       hint=hint)
    return _bar(lhs, groups), [groups[:k + 1] for k in range(len(groups))]


def _pd_lhs(spec: str, where: str, hint: str) -> tuple[str, bool]:
    """(terms, diagonal?) of one list element: ``~ 1``, ``~ x``, ``pdDiag(~ x)``,
    ``pdSymm(~ x)``/``pdLogChol(~ x)``."""
    got = _call(spec)
    if got is None:
        if not spec.startswith("~"):
            raise AsrError(f"{where}: random element {spec!r} is not a formula", hint=hint)
        return spec[1:].strip(), False
    pd_name, inside = got
    form = (_arg(inside, "form", 1) if _arg(inside, "value", 0) is None or
            not str(_arg(inside, "value", 0)).startswith("~") else _arg(inside, "value", 0))
    if form is None or not form.startswith("~"):
        raise AsrError(f"{where}: {spec!r}: no formula", hint=hint)
    if pd_name == "pdDiag":
        return form[1:].strip(), True
    if pd_name in ("pdSymm", "pdLogChol", "pdNatural"):
        return form[1:].strip(), False
    raise AsrError(f"{where}: {pd_name}() random effects are not fitted here",
                   hint="pdSymm/pdLogChol (unstructured) and pdDiag are; pdIdent/"
                        "pdCompSymm/pdBlocked are not")


class LmeFit(NlmeCriteria, LmerFit):
    """An nlme ``lme`` object: ``fixef()``, ``ranef()``, ``VarCorr()``, ``loglik``,
    ``describe()`` (= ``summary()``) in nlme's layout."""

    def __init__(self, fixed: str, data: pd.DataFrame, random: str, method: str = "REML",
                 weights: Any = None, correlation: Any = None, where: str = "lme()") -> None:
        if method not in ("REML", "ML"):
            raise AsrError(f"{where}: method = {method!r}", hint='method = "REML" or "ML"')
        fixed = " ".join(str(fixed).split())
        if "~" not in fixed or not fixed.split("~", 1)[0].strip():
            raise AsrError(f"{where}: fixed = {fixed!r} is not a two-sided formula",
                           hint="lme(y ~ x, data, random = ~ 1 | g)")
        bars, self.levels_nlme = _random_bars(random, where)
        self.random_text = " ".join(str(random).split())
        self.strata = _var_ident(weights, where)
        self.cor = _cor_struct(correlation, where)
        if self.strata is not None and self.cor is not None:
            raise AsrError(f"{where}: varIdent weights together with a correlation "
                           "structure are not fitted here",
                           hint="one of weights = varIdent(...) or correlation = corAR1(...)")
        super().__init__(f"{fixed} + {' + '.join(bars)}", data, REML=method == "REML",
                         where=where)
        self.fixed_formula = fixed
        self.delta: pd.Series | None = None
        self.phi: float | None = None
        if self.strata is not None or self.cor is not None:
            self._refit_residual(where)

    # ----- varIdent / corAR1 / corCAR1: the residual covariance ---------------------------
    def _refit_residual(self, where: str) -> None:
        """Refit with asreml's residual for nlme's structure (rnlmeresid.py)."""
        import asr_py as asr

        if any(len(b.cols) != 1 or b.cols[0] != "(Intercept)" for b in self.bars):
            raise AsrError(f"{where}: weights/correlation with random slopes are not "
                           "fitted here", hint="random intercepts (~ 1 | g, ~ 1 | a/b) are")
        if self.cor is not None and self.cor[2] is None:   # the innermost random groups
            inner = ":".join(self.levels_nlme[-1])
            self.cor = (self.cor[0], self.cor[1],
                        next(b.key for b in self.bars if b.grp == inner))
        d, residual, self._pos = residual_spec(self.data, self.strata, self.cor, where)
        self.data = d
        terms = [b.key for b in self.bars]
        self.fit = asr.asreml(f"{self.y_name} ~ {self.fixed}", "~ " + " + ".join(terms),
                              residual=residual, data=d, method="REML" if self.REML else "ML")
        self._solve_general()

    def _r_matrix(self) -> tuple[np.ndarray, float, int]:
        """(R, sigma^2, number of residual parameters) at the fitted parameters."""
        R, s2, nres, self.delta, self.phi = residual_matrix(
            self.fit.varcomp, self.data, self.strata, self.cor, self._pos)
        return R, s2, nres

    def _solve_general(self) -> None:
        """GLS fixed effects, BLUPs and the full log-likelihood at the fitted variance
        parameters: V = Z G Z' + R (dense); b = (X'V^-1X)^-1 X'V^-1 y, u = G Z'V^-1 (y - Xb)."""
        vc = self.fit.varcomp
        d = self.data
        X, y = self.X, self.y
        n = len(y)
        blocks = []
        gvars = []
        for b in self.bars:
            lab = d[b.key].astype(str).to_numpy()
            Zb = (lab[:, None] == np.array(b.levels)[None, :]).astype(float)
            row = [i for i in vc.index if str(i) == b.key]
            blocks.append(Zb)
            gvars.append(float(vc.loc[row[0], "component"]) if row else 0.0)
        Z = np.hstack(blocks) if blocks else np.zeros((n, 0))
        G = np.diag(np.concatenate([np.full(B.shape[1], g) for B, g in zip(blocks, gvars)]))
        R, s2, nres = self._r_matrix()
        V = Z @ G @ Z.T + R
        Xm = X.to_numpy(float)
        beta, Ci, Vi, r, self._dev = gls_solve(Xm, y, V, self.REML)
        self.X, self.beta, self._vcov = X, beta, Ci
        self.b = G @ Z.T @ Vi @ r
        self._fitted = Xm @ beta + Z @ self.b
        self.sigma = math.sqrt(s2)
        self._gvars = gvars
        # nlme's AIC counts: fixed effects, variances, sigma and the residual structure's
        self.npar = Xm.shape[1] + len(gvars) + nres

    # ----- nlme's accessors ---------------------------------------------------------------
    def _variances(self) -> list[tuple[Any, np.ndarray]]:
        """(bar, covariance matrix of its terms) per random term, outer level first."""
        if self.strata is not None or self.cor is not None:   # refitted: _solve_general
            return [(b, np.array([[g]])) for b, g in zip(self.bars, self._gvars)]
        s2 = self.sigma ** 2
        return [(b, th @ th.T * s2) for b, th in zip(self.bars, self._tmats())]

    def _outer_first(self) -> list[tuple[Any, np.ndarray]]:
        order = {":".join(g): k for k, g in enumerate(self.levels_nlme)}
        return sorted(self._variances(), key=lambda t: order.get(t[0].grp, 0))

    def VarCorr(self) -> pd.DataFrame:  # type: ignore[override]  # noqa: N802 - nlme's
        """nlme's ``VarCorr(m)``: Variance and StdDev per random term (Corr beside
        correlated ones), one header row ``g =`` per level when there are several, the
        residual last."""
        rows, names, corr = [], [], False
        terms = self._outer_first()
        many = len(terms) > 1
        for b, sig in terms:
            if many:
                rows.append((np.nan, np.nan, np.nan))
                names.append(f"{b.factors[-1]} =")
            q = len(b.cols)
            for i in range(q):
                c = np.nan
                if i > 0:
                    den = math.sqrt(sig[0, 0] * sig[i, i])
                    c, corr = (sig[0, i] / den if den > 0 else np.nan), True
                rows.append((sig[i, i], math.sqrt(max(sig[i, i], 0)), c))
                names.append(b.cols[i])
        rows.append((self.sigma ** 2, self.sigma, np.nan))
        names.append("Residual")
        out = pd.DataFrame(rows, index=names, columns=["Variance", "StdDev", "Corr"])
        return out if corr else out.drop(columns="Corr")

    def ranef(self, condVar: bool = False) -> Any:  # type: ignore[override]
        """nlme's ``ranef(m)``: one level: a frame (rows the groups, columns the terms);
        several: a dict of them, outer level first."""
        out: dict[str, pd.DataFrame] = {}
        off = 0
        for b in self.bars:
            q, nl = len(b.cols), len(b.levels)
            vals = self.b[off:off + nl * q].reshape(nl, q)
            off += nl * q
            idx = [lv.replace(":", "/") for lv in b.levels]
            out[b.factors[-1]] = pd.DataFrame(vals, index=idx, columns=b.cols)
        order = [g[-1] for g in self.levels_nlme]
        out = {k: out[k] for k in order if k in out}
        return next(iter(out.values())) if len(out) == 1 else out

    def fixed_df(self) -> pd.Series:
        """nlme's denominator DF of each fixed effect (see the module docstring)."""
        d = self.data
        n = len(d)
        groups = [1] + [int(d[list(g)].astype(str).agg(":".join, axis=1).nunique())
                        for g in self.levels_nlme] + [n]
        X = self.X
        level = {}
        for c in X.columns:
            if c == "(Intercept)":
                continue
            for k, g in enumerate(self.levels_nlme, start=1):
                key = d[list(g)].astype(str).agg(":".join, axis=1)
                if (X[c].groupby(key.to_numpy()).nunique() <= 1).all():
                    level[c] = k
                    break
            else:
                level[c] = len(self.levels_nlme) + 1
        df = {k: groups[k] - groups[k - 1] - sum(v == k for v in level.values())
              for k in range(1, len(groups))}
        return pd.Series({c: df[level.get(c, len(groups) - 1)] for c in X.columns},
                         dtype=int)

    def t_table(self) -> pd.DataFrame:
        """``summary(m)$tTable``: Value, Std.Error, DF, t-value, p-value."""
        se = np.sqrt(np.diag(self._vcov))
        t = self.beta / se
        dfs = self.fixed_df().to_numpy()
        return pd.DataFrame({"Value": self.beta, "Std.Error": se, "DF": dfs, "t-value": t,
                             "p-value": 2 * stats.t.sf(np.abs(t), dfs)},
                            index=self.X.columns)

    def anova(self) -> pd.DataFrame:
        """nlme's ``anova(m)`` of one fit: sequential F tests of the fixed terms
        (numDF, denDF, F-value, p-value), the intercept first: with ``C = vcov(b)`` and
        ``L'L = C^-1`` (upper Cholesky factor ``L``), a term's F is the sum of squares of its
        entries of ``L b`` over its columns; denDF is its columns' nlme DF."""
        prec = np.linalg.inv(self._vcov)
        effects = np.linalg.cholesky(prec).T @ self.beta
        dfs = self.fixed_df()
        rows, names = [], []
        for t in dict.fromkeys(self._terms):
            idx = [j for j, tt in enumerate(self._terms) if tt == t]
            f = float(np.sum(effects[idx] ** 2)) / len(idx)
            den = int(dfs.iloc[idx].max())
            rows.append((len(idx), den, f, float(stats.f.sf(f, len(idx), den))))
            names.append(t)
        return pd.DataFrame(rows, index=names,
                            columns=["numDF", "denDF", "F-value", "p-value"])

    def describe(self) -> dict[str, Any]:
        """``summary(m)``: tTable, logLik, AIC, BIC, sigma, VarCorr, ngrps."""
        return {"tTable": self.t_table(), "logLik": self.loglik, "AIC": self.aic,
                "BIC": self.bic, "sigma": self.sigma, "varcor": self.VarCorr(),
                "ngrps": self.ngrps(), "coefficients": self.t_table()}

    def __getitem__(self, key: str) -> Any:
        """``m$sigma``, ``m$logLik``, ``m$coefficients`` (list(fixed, random)),
        ``m$varFix`` (covariance of the fixed effects), ``m$fixDF``, ``m$data``."""
        from asr_py.translate.rnlmegls import model_struct

        named = {"sigma": lambda: self.sigma, "logLik": lambda: self.loglik,
                 "modelStruct": lambda: model_struct(self.cor, self.phi, self.delta),
                 "coefficients": lambda: {"fixed": self.fixef(), "random": self.ranef()},
                 "varFix": self.vcov, "fixDF": lambda: {"X": self.fixed_df()},
                 "data": lambda: self.data}
        if key in named:
            return named[key]()
        raise AsrError(f"an lme fit has no component {key!r} here",
                       hint="use fixef(m), ranef(m), VarCorr(m), logLik(m), summary(m)")

    def __repr__(self) -> str:
        return (f"Linear mixed-effects model fit by {'REML' if self.REML else 'ML'}\n"
                f"  Data: ...\n  Log-{'restricted-' if self.REML else ''}likelihood: "
                f"{self.loglik:.4f}\n  Fixed: {self.fixed_formula}\n"
                f"{self.fixef().to_string()}\n\nRandom effects:\n Formula: "
                f"{self.random_text}\n{self.VarCorr().to_string()}\n\nNumber of "
                f"Observations: {self.n}")


def lme_anova(*fits: LmeFit) -> pd.DataFrame:
    """nlme's ``anova(m1, m2, ...)``: each model's df (parameters), AIC, BIC, logLik in the
    order given, and the likelihood-ratio test of each against the one before
    (``L.Ratio = 2 |logLik_i - logLik_(i-1)|`` on ``|df_i - df_(i-1)|`` degrees of
    freedom). REML fits are compared as fitted (nlme does not refit them by ML; their
    comparison is meaningful only when the fixed effects are the same)."""
    if len(fits) == 1:
        return fits[0].anova()
    if len({m.n for m in fits}) > 1:
        raise AsrError("anova(): the models were not fitted to the same number of records",
                       hint="fit them to the same rows")
    if len({m.REML for m in fits}) > 1:
        raise AsrError("anova(): REML and ML fits cannot be compared",
                       hint='fit every model with the same method = "REML" or "ML"')
    rows = []
    for k, m in enumerate(fits):
        row: dict[str, Any] = {"Model": k + 1, "df": m.npar, "AIC": m.aic, "BIC": m.bic,
                               "logLik": m.loglik, "Test": "", "L.Ratio": np.nan,
                               "p-value": np.nan}
        if k:
            prev = fits[k - 1]
            ddf = abs(m.npar - prev.npar)
            lr = 2 * abs(m.loglik - prev.loglik)
            row.update({"Test": f"{k} vs {k + 1}", "L.Ratio": lr,
                        "p-value": float(stats.chi2.sf(lr, ddf)) if ddf else np.nan})
        rows.append(row)
    return pd.DataFrame(rows, index=[f"MODEL{k + 1}" for k in range(len(fits))])


def r_lme(fixed: Any, data: Any = None, random: Any = None, correlation: Any = None,
          weights: Any = None, method: str = "REML", **options: Any) -> LmeFit:
    """nlme's ``lme(fixed, data, random, correlation, weights, method)`` (formulas and
    structures as their R text)."""
    from asr_py.compat.lme4 import _untranslated

    if _untranslated(data) is not None:
        return _untranslated(data)      # type: ignore[no-any-return]
    bad = [k for k in options if k not in ("control", "na_action", "keep_data")]
    if bad:
        raise AsrError(f"lme(): argument(s) {', '.join(bad)} not translated",
                       hint="lme(fixed, data, random, weights = varIdent(...), method)")
    if not isinstance(data, pd.DataFrame):
        raise AsrError("lme(): data must be a data frame",
                       hint="lme(y ~ x, data = d, random = ~ 1 | g)")
    if random is None:
        raise AsrError("lme(): no random = given (nlme takes it from a groupedData's "
                       "formula, which is not translated)",
                       hint="write random = ~ 1 | g explicitly")
    return LmeFit(str(fixed), data, str(random), method=str(method), weights=weights,
                  correlation=correlation)
