"""nlme's ``gls()`` fits for translated scripts: ``y = Xb + e``, ``var(e) = R``.

``gls(model, data, correlation, weights, method, na.action)`` with ``R`` one of nlme's
residual structures fitted on asreml's residual formula (rnlmeresid.py: varIdent, corAR1,
corCAR1, corCompSymm; without either, ``R = sigma^2 I``), by :func:`asr_py.asreml` with no
random term. At the fitted parameters (dense ``R``):
``b = (X'R^-1X)^-1 X'R^-1 y``, ``Cov(b) = (X'R^-1X)^-1`` and the full log-likelihood
``-1/2 [(n - p) log 2pi + log|R| + log|X'R^-1X| + r'R^-1 r]`` (REML; ML without the
``X'R^-1X`` term and with n), nlme's ``logLik()``. ``anova()`` gives nlme's sequential F
tests (denominator df n - p), ``summary()$tTable`` Value, Std.Error, t-value, p-value.
A correlation's group must be given in its form (gls has no random groups to default to).
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.rnlmecrit import NlmeCriteria, gls_solve
from asr_py.translate.rnlmeresid import (
    _cor_struct,
    _var_ident,
    residual_matrix,
    residual_spec,
)

__all__ = ["GlsFit", "NlmeParams", "model_struct", "r_gls"]

_NAME = r"[A-Za-z.][\w.]*"


class NlmeParams(dict):
    """``m$modelStruct$corStruct`` / ``$varStruct``: the structure's estimates by nlme's
    name (Rho of corCompSymm, Phi of corAR1/corCAR1; varIdent's SD ratios by level);
    ``describe()`` (= ``summary()``) and ``coef()`` give them as a Series."""

    def __init__(self, kind: str, values: dict[str, float]) -> None:
        super().__init__(values)
        self.kind = kind

    def describe(self) -> pd.Series:
        return pd.Series(dict(self), name=self.kind, dtype=float)

    def coef(self, unconstrained: bool = True) -> pd.Series:
        if unconstrained:
            raise AsrError("coef(corStruct) on nlme's unconstrained scale is not given here",
                           hint="coef(x, unconstrained = FALSE)")
        return self.describe()

    def __repr__(self) -> str:
        return f"{self.kind} parameter estimate(s):\n{self.describe().to_string()}"


def model_struct(cor: tuple[str, str | None, str | None] | None,
                 phi: float | pd.Series | None,
                 delta: pd.Series | None) -> dict[str, NlmeParams]:
    """``m$modelStruct``: corStruct and/or varStruct of the fitted residual."""
    out: dict[str, NlmeParams] = {}
    if cor is not None and isinstance(phi, pd.Series):      # corSymm: cor(k,l) each
        out["corStruct"] = NlmeParams(cor[0], {str(k): float(v) for k, v in phi.items()})
    elif cor is not None and phi is not None:
        out["corStruct"] = NlmeParams(cor[0], {"Rho" if cor[0] == "corCompSymm" else "Phi":
                                               phi})
    if delta is not None:
        out["varStruct"] = NlmeParams("varIdent", {str(k): float(v)
                                                   for k, v in delta.items()})
    return out


class GlsFit(NlmeCriteria):
    """An nlme ``gls`` object: ``coef()``, ``loglik``, ``aic``, ``bic``, ``anova()``,
    ``describe()`` (= ``summary()``), ``sigma``, ``vcov()``."""

    def __init__(self, model: str, data: pd.DataFrame, correlation: Any = None,
                 weights: Any = None, method: str = "REML", na_omit: bool = False,
                 where: str = "gls()") -> None:
        import asr_py as asr
        from asr_py.translate.rlm import _design, _r_name

        if method not in ("REML", "ML"):
            raise AsrError(f"{where}: method = {method!r}", hint='method = "REML" or "ML"')
        if not isinstance(data, pd.DataFrame):
            raise AsrError(f"{where}: data must be a data frame",
                           hint="gls(y ~ x, data = d, correlation = corAR1(form = ~ 1 | g))")
        self.formula = " ".join(str(model).split())
        self.REML = method == "REML"
        self.strata = _var_ident(weights, where)
        self.cor = _cor_struct(correlation, where)
        if self.cor is not None and self.cor[2] is None:
            raise AsrError(f"{where}: {self.cor[0]}() without form = ~ 1 | g",
                           hint="gls has no random groups: give the group in form")
        if self.strata is not None and self.cor is not None:
            raise AsrError(f"{where}: varIdent weights together with a correlation "
                           "structure are not fitted here")
        cols = set(map(str, data.columns))
        used = [v for v in re.findall(_NAME, self.formula) if v in cols]
        if self.strata is not None:
            used.append(self.strata)
        if self.cor is not None:
            used += [x for x in self.cor[1:] if x is not None]
        used = list(dict.fromkeys(used))
        incomplete = data[used].isna().any(axis=1)
        if incomplete.any() and not na_omit:
            raise AsrError(f"{where}: {int(incomplete.sum())} records have missing values "
                           f"in {', '.join(used)} (nlme's default na.action = na.fail)",
                           hint="na.action = na.omit drops them")
        d = data.loc[~incomplete].copy()
        yv, x, terms = _design(self.formula, d)
        self.y = np.asarray(yv, float).ravel()
        self.X = pd.DataFrame(np.asarray(x, float), columns=[_r_name(c) for c in x.columns],
                              index=d.index)
        self._terms = list(terms)
        self.n, self.p = self.X.shape
        if self.strata is None and self.cor is None:
            self._pos = None
            R, s2, nres = None, None, 1
            self.delta = self.phi = None
        else:
            d, residual, self._pos = residual_spec(d, self.strata, self.cor, where)
            self.fit = asr.asreml(self.formula, None, residual=residual, data=d,
                                  method=method)
            R, s2, nres, self.delta, self.phi = residual_matrix(
                self.fit.varcomp, d, self.strata, self.cor, self._pos)
        self.data = d
        self._solve(R, s2, nres)

    def _solve(self, R: np.ndarray | None, s2: float | None, nres: int) -> None:
        X, y, n, p = self.X.to_numpy(), self.y, self.n, self.p
        if R is None:           # R = sigma^2 I: ordinary least squares, sigma^2 = RSS/(n-p)
            beta, *_ = np.linalg.lstsq(X, y, rcond=None)
            rss = float(np.sum((y - X @ beta) ** 2))
            s2 = rss / (n - p if self.REML else n)
            R = s2 * np.eye(n)
        beta, Ci, _, r, self._dev = gls_solve(X, y, R, self.REML)
        self.beta, self._vcov, self.sigma = beta, Ci, math.sqrt(float(s2))
        self.npar = p + nres
        self.residuals = pd.Series(r, index=self.X.index)
        self.fitted = pd.Series(X @ beta, index=self.X.index)

    def coef(self) -> pd.Series:
        """``coef(m)``: the fixed effects."""
        return pd.Series(self.beta, index=self.X.columns)

    def vcov(self) -> pd.DataFrame:
        return pd.DataFrame(self._vcov, index=self.X.columns, columns=self.X.columns)

    def t_table(self) -> pd.DataFrame:
        """``summary(m)$tTable``: Value, Std.Error, t-value, p-value (df n - p)."""
        se = np.sqrt(np.diag(self._vcov))
        t = self.beta / se
        return pd.DataFrame({"Value": self.beta, "Std.Error": se, "t-value": t,
                             "p-value": 2 * stats.t.sf(np.abs(t), self.n - self.p)},
                            index=self.X.columns)

    def anova(self) -> pd.DataFrame:
        """nlme's ``anova(m)``: sequential F tests (numDF, F-value, p-value; denominator
        df n - p) from the upper Cholesky factor L of ``Cov(b)^-1``: a term's F is the sum
        of squares of its entries of ``L b`` over its columns."""
        effects = np.linalg.cholesky(np.linalg.inv(self._vcov)).T @ self.beta
        rows, names = [], []
        den = self.n - self.p
        for t in dict.fromkeys(self._terms):
            idx = [j for j, tt in enumerate(self._terms) if tt == t]
            f = float(np.sum(effects[idx] ** 2)) / len(idx)
            rows.append((len(idx), f, float(stats.f.sf(f, len(idx), den))))
            names.append(t)
        out = pd.DataFrame(rows, index=names, columns=["numDF", "F-value", "p-value"])
        out.attrs["denDF"] = den
        return out

    def describe(self) -> dict[str, Any]:
        """``summary(m)``: tTable, logLik, AIC, BIC, sigma, corStruct/varStruct values."""
        return {"tTable": self.t_table(), "coefficients": self.t_table(),
                "logLik": self.loglik, "AIC": self.aic, "BIC": self.bic,
                "sigma": self.sigma, "phi": self.phi, "delta": self.delta}

    def __getitem__(self, key: str) -> Any:
        named = {"sigma": lambda: self.sigma, "logLik": lambda: self.loglik,
                 "coefficients": self.coef, "varBeta": self.vcov,
                 "modelStruct": lambda: model_struct(self.cor, self.phi, self.delta),
                 "residuals": lambda: self.residuals, "fitted": lambda: self.fitted}
        if key in named:
            return named[key]()
        raise AsrError(f"a gls fit has no component {key!r} here",
                       hint="use coef(m), logLik(m), anova(m), summary(m)")

    def __repr__(self) -> str:
        extra = "" if self.phi is None else (
            "\nCorrelation parameters:\n" + self.phi.round(4).to_string()
            if isinstance(self.phi, pd.Series) else
            f"\nCorrelation parameter: {self.phi:.4f}")
        if self.delta is not None:
            extra = f"\nVariance function (varIdent):\n{self.delta.to_string()}"
        return (f"Generalized least squares fit by {'REML' if self.REML else 'ML'}\n"
                f"  Model: {self.formula}\n  Log-{'restricted-' if self.REML else ''}"
                f"likelihood: {self.loglik:.4f}\n\nCoefficients:\n"
                f"{self.coef().to_string()}{extra}\nResidual standard error: "
                f"{self.sigma:.5g}\nDegrees of freedom: {self.n} total; "
                f"{self.n - self.p} residual")


def r_gls(model: Any, data: Any = None, correlation: Any = None, weights: Any = None,
          method: str = "REML", na_action: Any = None, **options: Any) -> GlsFit:
    """nlme's ``gls(model, data, correlation, weights, method, na.action)`` (formulas
    and structures as their R text)."""
    from asr_py.compat.lme4 import _untranslated

    if _untranslated(data) is not None:
        return _untranslated(data)      # type: ignore[no-any-return]
    bad = [k for k in options if k not in ("control", "verbose")]
    if bad:
        raise AsrError(f"gls(): argument(s) {', '.join(bad)} not translated",
                       hint="gls(model, data, correlation, weights, method, na.action)")
    return GlsFit(str(model), data, correlation=correlation, weights=weights,
                  method=str(method),
                  na_omit=str(na_action).split("::")[-1] in ("na.omit", "na.exclude"))
