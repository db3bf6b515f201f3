"""LMMsolver's ``LMMsolve()`` for translated scripts, for the models that are asreml models:
fixed terms, random factors and their interactions, ``group = list(Q = <columns>)`` with
``grp(Q)``, ``ginverse = list(gen = Ginv)``, ``weights``, and ``residual = ~ g`` (a
residual variance per level of g, asreml's ``dsum(~ units | g)``). The model is fitted by
:func:`asr_py.asreml`; REML is REML, so the estimates are LMMsolver's (to its tolerance).

The object answers what scripts read of it, in LMMsolver's layout:

* ``$logL``: LMMsolver's restricted log-likelihood −½(log|R| + log|G| + log|C| + y'Py),
  which is asreml's ``loglik`` (no 2π constant; LMMsolver's own example compares the two);
  ``$constantREML`` = −½ log(2π)(n − p); ``logLik(obj, includeConstant = TRUE)`` is their
  sum, lme4's REML log-likelihood; ``deviance(obj)`` is the residual sum of squares
  (``relative = TRUE``) or −2 logLik.
* ``coef(obj)``: a list by term of named vectors, LMMsolver's names (``gen_g1``,
  ``rep_1:Row_2``, ``QTL_M1``; a fixed factor's reference level is 0); ``se = TRUE``
  gives data frames (coef, value, se, zRatio). ``fitted()``, ``residuals()``.
* ``$C``: the mixed model equations' matrix U'R⁻¹U + diag(0, G⁻¹/σ²), columns: R's
  model.matrix of the fixed formula, then each random term's levels (``solve(C)`` holds
  the BLUEs' covariance and the BLUPs' prediction error variances);
  ``predict(obj, newdata)``: X b + Z u at newdata's rows.
* ``$theta``: the precisions (1/variance) of the random terms, then of the residual(s);
  ``summary(obj, which = "variances")``: the variances by term.

Not emulated: P-splines ``spl1D()``/``spl2D()``/``spl3D()`` (``spline =``), non-Gaussian
families and ``offset`` (a clear error); the effective dimensions ``$ED``/``summary(obj)``,
``$C`` and ``predict()`` with interaction or covariate random terms, ``se.fit = TRUE`` (a
placeholder, printed as such, an error where a computation needs its value).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["LMMsolveFit", "r_LMMsolve"]

_NOT = {"ED": "the effective dimensions $ED", "EDdf": "the effective dimensions table",
        "EDmax": "the effective dimensions $EDmax", "EDnominal": "$EDnominal"}


class _Terms(dict):
    """``coef(obj)``: a list by term; a term the fit does not have is an error naming the
    terms (R's ``$`` gives NULL, which the script's next step then fails on)."""

    def __missing__(self, key: str) -> Any:
        raise AsrError(f"coef(LMMsolve fit)${key}: the fit has no term {key!r} (R gives "
                       "NULL here)", hint=f"its terms: {', '.join(map(str, self))}; a "
                       "group= entry is a term only when random names it as grp(...)")


class LMMsolveFit(dict):
    """The value of ``LMMsolve()``: a dict of LMMsolver's components (see the module)."""

    fit: Any
    data: pd.DataFrame
    labels: dict[str, str]          # asreml term -> LMMsolver label
    group: dict[str, list[str]]

    def __missing__(self, key: str) -> Any:
        if key == "C":
            return self._mme()
        if key in _NOT:
            # a placeholder, as for any value not translated: printed as such, an error
            # with this message where a computation needs it
            return Untranslated(f"LMMsolve(...)${key}: {_NOT[key]} is not emulated",
                                key)._use()
        raise AsrError(f"LMMsolve(...)${key}: no such component here",
                       hint=f"components: {', '.join(sorted(self))}")

    # ----- generics (coef(), fitted(), residuals(), logLik(), deviance(), summary()) -----
    @property
    def loglik(self) -> float:
        """``logLik(obj)``: lme4's REML log-likelihood (logL + constantREML)."""
        return float(self["logL"] + self["constantREML"])

    def logLik(self, includeConstant: bool = True) -> float:  # noqa: N802, N803 - R's
        """LMMsolver's ``logLik(obj, includeConstant)``."""
        return self.loglik if includeConstant else float(self["logL"])

    def deviance(self, relative: bool = True, includeConstant: bool = True) -> float:  # noqa: N803
        """LMMsolver's ``deviance(obj, relative, includeConstant)``."""
        if relative:
            return float(self["deviance"])
        return -2.0 * self.logLik(includeConstant)

    def coef(self, se: bool = False) -> dict[str, Any]:
        """LMMsolver's ``coef(obj, se)`` (see the module)."""
        m = self.fit
        est = pd.concat([m.coef_fixed, m.coef_random])
        out: dict[str, Any] = _Terms()
        for label, names in self._layout().items():
            vals = [(nm, est.loc[a, "solution"] if a in est.index else 0.0,
                     est.loc[a, "std.error"] if a in est.index else np.nan)
                    for nm, a in names]
            if se:
                v = np.array([x[1] for x in vals], dtype=float)
                s = np.array([x[2] for x in vals], dtype=float)
                with np.errstate(all="ignore"):
                    out[label] = pd.DataFrame({"coef": [x[0] for x in vals], "value": v,
                                               "se": s, "zRatio": v / s})
            else:
                out[label] = pd.Series([x[1] for x in vals], index=[x[0] for x in vals],
                                       dtype=float)
        return out

    def describe(self, which: str = "dimensions") -> pd.DataFrame:
        """``summary(obj, which)``: only ``"variances"`` is emulated."""
        if which != "variances":
            return Untranslated("summary(LMMsolve fit): the effective dimensions table is "
                                "not emulated", "summary")._use()  # type: ignore[return-value]
        return self["VarDf"].copy()

    summary = describe

    # ----- the mixed model equations, predictions --------------------------------------
    def _designs(self, d: pd.DataFrame) -> tuple[np.ndarray, list[tuple[np.ndarray, Any]]]:
        """X (R's model.matrix of the fixed formula) and, by random term, (Z, G⁻¹ of the
        term's correlation); None when a term has no LMMsolver layout here."""
        from asr_py.translate.rlm import r_model_matrix

        data = d.copy()
        for c in self.data.columns:              # the fit's factor levels, also for newdata
            if c in data.columns and not _is_numeric(self.data[c]):
                data[c] = pd.Categorical(data[c].astype(str),
                                         categories=_levels(self.data[c]))
        X = r_model_matrix(self["fixed_formula"], data.assign(
            **{self["response"]: 0.0} if self["response"] not in data else {}))
        zs: list[tuple[np.ndarray, Any]] = []
        for label in self.labels.values():
            if label in self.group:
                Z = data[self.group[label]].to_numpy(dtype=float)
                zs.append((Z, np.eye(Z.shape[1])))
            elif label in self.ginv:
                rel = self.ginv[label]
                Z = (data[label].astype(str).to_numpy()[:, None] ==
                     np.array(rel.ids)[None, :]).astype(float)
                zs.append((Z, np.asarray(rel.matrix, dtype=float)))
            elif label in data.columns and not _is_numeric(self.data[label]):
                lv = _levels(self.data[label])
                Z = (data[label].astype(str).to_numpy()[:, None] ==
                     np.array(lv)[None, :]).astype(float)
                zs.append((Z, np.eye(len(lv))))
            else:
                zs.append((None, None))           # type: ignore[arg-type]
        return X.to_numpy(dtype=float), zs

    def _mme(self) -> Any:
        """LMMsolver's ``$C``: U'R⁻¹U + diag(0, G⁻¹/σ²) with U = [X Z₁ Z₂ ...], R⁻¹ the
        weights over the residual variance(s) (dense here; LMMsolver's is a spam matrix)."""
        X, zs = self._designs(self.data)
        if any(z is None for z, _ in zs):
            return Untranslated("LMMsolve(...)$C of an interaction or a covariate random "
                                "term is not emulated", "C")._use()
        U = np.hstack([X] + [z for z, _ in zs])
        rinv = self["rweights"]
        blocks = [np.zeros((X.shape[1], X.shape[1]))] + [
            g / v for (_, g), v in zip(zs, self["VarDf"]["Variance"])]
        import scipy.linalg as sla

        return U.T @ (U * rinv[:, None]) + sla.block_diag(*blocks)

    def predict(self, newdata: pd.DataFrame | None = None, se_fit: bool = False,
                **_: Any) -> Any:
        """LMMsolver's ``predict(obj, newdata)``: X b + Z u at the rows of newdata."""
        if se_fit:
            return Untranslated("predict(LMMsolve fit, se.fit = TRUE) is not emulated",
                                "predict")._use()
        if newdata is None:
            return self["yhat"].copy()
        X, zs = self._designs(pd.DataFrame(newdata))
        if any(z is None for z, _ in zs):
            return Untranslated("predict(LMMsolve fit) with an interaction or covariate "
                                "random term is not emulated", "predict")._use()
        b = self.fit.coef_fixed["solution"].reindex(self["fixed_names"]).fillna(0.0)
        out = X @ b.to_numpy(dtype=float)
        cf = self.coef()
        for (z, _), label in zip(zs, self.labels.values()):
            out = out + z @ cf[label].to_numpy(dtype=float)
        return out

    def _layout(self) -> dict[str, list[tuple[str, str]]]:
        """LMMsolver's label -> [(its coefficient name, asreml's name)] by term."""
        m, d = self.fit, self.data
        out: dict[str, list[tuple[str, str]]] = {}
        fixed_names = list(m.coef_fixed.index)
        for term in self["fixed_terms"]:
            if term == "(Intercept)":
                out[term] = [("(Intercept)", "(Intercept)")]
            elif ":" not in term and term in d.columns and not _is_numeric(d[term]):
                out[term] = [(f"{term}_{lv}", f"{term}_{lv}") for lv in _levels(d[term])]
            elif term in fixed_names:
                out[term] = [(term, term)]
            else:
                raise AsrError(f"coef(LMMsolve fit): the fixed term {term} has no "
                               "LMMsolver layout here", hint="read the asreml fit's "
                                                         "coef_fixed instead")
        rnd = list(m.coef_random.index)
        for term, label in self.labels.items():
            if label in self.group:
                out[label] = [(f"{label}_{c}", f"{term}_{c}") for c in self.group[label]]
                continue
            rows = []
            for a in rnd:
                if not a.startswith(term + "_"):
                    continue
                levels = a[len(term) + 1:].split(":")
                parts = label.split(":")
                if len(levels) != len(parts):
                    continue
                rows.append((":".join(f"{p}_{lv}" for p, lv in zip(parts, levels)), a))
            out[label] = rows
        return out


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype)


def _levels(s: pd.Series) -> list[str]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories if (s == c).any()]
    return sorted({str(v) for v in s.dropna()})


def _formula(f: Any, what: str) -> str | None:
    if f is None:
        return None
    if isinstance(f, Untranslated):
        return f._use()  # type: ignore[return-value]
    if not isinstance(f, str):
        raise AsrError(f"LMMsolve({what} = ): a formula is needed, got {type(f).__name__}",
                       hint=f"LMMsolve(..., {what} = ~ term)")
    return f.strip()


def _terms(rhs: str) -> list[str]:
    """The '+'-separated terms of a formula's right-hand side (no parentheses split)."""
    out, depth, cur = [], 0, ""
    for ch in rhs:
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "+" and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return [t for t in out if t]


def r_LMMsolve(fixed: Any, random: Any = None, spline: Any = None,  # noqa: N802 - R's name
               group: Any = None, ginverse: Any = None, weights: Any = None,
               data: Any = None, residual: Any = None, family: Any = None, offset: Any = 0,
               tolerance: float = 1e-6, trace: bool = False, maxit: int = 250,
               theta: Any = None, grpTheta: Any = None) -> LMMsolveFit:  # noqa: N803
    """LMMsolver's ``LMMsolve()`` fitted by asreml's REML (see the module)."""
    import asr_py as asr
    from asr_py.genetics.relmatrix import RelMatrix

    for v in (fixed, random, data, group, ginverse):
        if isinstance(v, Untranslated):
            return v._use()  # type: ignore[return-value]
    if spline is not None:
        raise AsrError("LMMsolve(spline = ): LMMsolver's P-splines (spl1D/spl2D/spl3D) are "
                       "not available in asr_py", hint="fit the model without the spline, "
                       "or with asreml's spl(x) smoothing spline in random (a different "
                       "basis: not LMMsolver's numbers)")
    if family is not None and getattr(family, "get", lambda k, d=None: d)("family",
                                                                          "gaussian") \
            not in ("gaussian", None):
        raise AsrError("LMMsolve(family = ): only the Gaussian family is emulated",
                       hint="use asr.asreml(..., family=asr.asr_binomial()) for GLMMs")
    if np.any(np.asarray(offset, dtype=float) != 0):
        raise AsrError("LMMsolve(offset = ): not emulated", hint="subtract it from y")
    if not isinstance(data, pd.DataFrame):
        raise AsrError("LMMsolve(): 'data' must be a data frame", hint="data = df")
    fx = _formula(fixed, "fixed")
    assert fx is not None
    lhs, _, rhs = fx.partition("~")
    if not lhs.strip():
        raise AsrError(f"LMMsolve(fixed = {fx}): no response", hint="fixed = y ~ x")
    d = data.copy()
    y = lhs.strip()
    d = d[d[y].notna()].reset_index(drop=True)      # LMMsolver drops missing responses
    fterms = _terms(rhs)
    intercept = not any(t in ("-1", "0") for t in fterms)
    fterms = [t for t in fterms if t not in ("1", "-1", "0")]
    fixed_terms = (["(Intercept)"] if intercept else []) + [t.replace("-1", "").strip()
                                                            for t in fterms]
    grp: dict[str, list[str]] = {}
    if group is not None:
        for k, cols in dict(group).items():
            idx = np.atleast_1d(np.asarray(cols))
            grp[str(k)] = [str(d.columns[int(i) - 1]) if np.issubdtype(idx.dtype, np.number)
                           else str(i) for i in idx]
    mats: dict[str, Any] = {}
    labels: dict[str, str] = {}
    rterms: list[str] = []
    rf = _formula(random, "random")
    for t in _terms(rf.lstrip("~")) if rf else []:
        g = re.fullmatch(r"grp\(\s*([\w.]+)\s*\)", t)
        if g:
            if g.group(1) not in grp:
                raise AsrError(f"LMMsolve(random = ~ {t}): {g.group(1)} is not in group",
                               hint=f"group = list({g.group(1)} = <columns>)")
            rterms.append(t)
            labels[t] = g.group(1)
        elif ginverse is not None and t in dict(ginverse):
            M = dict(ginverse)[t]
            if isinstance(M, pd.DataFrame):
                ids = tuple(str(i) for i in M.index)
                arr = M.to_numpy(dtype=float)
            else:
                arr = np.asarray(M.toarray() if hasattr(M, "toarray") else M, dtype=float)
                ids = tuple(_levels(d[t]))
                if arr.shape[0] != len(ids):
                    raise AsrError(f"LMMsolve(ginverse = list({t} = )): a {arr.shape[0]} x "
                                   f"{arr.shape[1]} matrix for {len(ids)} levels of {t}",
                                   hint="give the matrix dimnames (the levels)")
            key = f"Ginv_{re.sub(r'[^A-Za-z0-9_]', '_', t)}"
            mats[key] = RelMatrix(matrix=arr, ids=ids, inverse=True, kind="Ginv")
            term = f"vm({t}, {key})"
            rterms.append(term)
            labels[term] = t
        else:
            rterms.append(t)
            labels[t] = t
    res = _formula(residual, "residual")
    resid = None
    if res:
        gname = res.lstrip("~").strip()
        if not re.fullmatch(r"[\w.]+", gname):
            raise AsrError(f"LMMsolve(residual = {res}): only ~ factor is emulated",
                           hint="residual = ~ g: a residual variance per level of g")
        resid = f"~ dsum(~ units | {gname})"
    kw: dict[str, Any] = {"data": d, **mats}
    if grp:
        kw["group"] = grp
    if weights is not None:
        kw["weights"] = str(weights)
    m = asr.asreml(fixed=fx, random=("~ " + " + ".join(rterms)) if rterms else None,
                   residual=resid, **kw)
    from asr_py.translate.runtime import r_loglik

    logl = r_loglik(m)
    n_p = float(m.result.n_minus_p)
    vc = m.varcomp
    # LMMsolver's order: the random terms as written, then the residual variance(s)
    order = [t for t in rterms if t in vc.index] + [i for i in vc.index if i not in rterms]
    vc = vc.loc[order]
    var = pd.DataFrame({"VarComp": [labels.get(str(i), str(i)) for i in vc.index],
                        "Variance": vc["component"].to_numpy(dtype=float)})
    fitted = np.asarray(m.fitted, dtype=float)
    # R⁻¹'s diagonal: weight / the residual variance of the record's group
    wts = d[str(weights)].to_numpy(dtype=float) if weights is not None else np.ones(len(d))
    if res:
        gcol = res.lstrip("~").strip()
        comp = m.varcomp["component"]
        sig = d[gcol].astype(str).map(
            lambda lv: next((float(comp[i]) for i in comp.index
                             if str(i).startswith(f"{gcol}_{lv}!")), np.nan)).to_numpy()
    else:
        sig = np.full(len(d), float(m.varcomp.loc["units!R", "component"])
                      if "units!R" in m.varcomp.index else np.nan)
    rweights = wts / sig
    yv = d[y].to_numpy(dtype=float)
    w = d[str(weights)].to_numpy(dtype=float) if weights is not None else np.ones(len(yv))
    out = LMMsolveFit(logL=logl, constantREML=-0.5 * np.log(2 * np.pi) * n_p,
                      deviance=float(np.sum(w * (yv - fitted) ** 2)), yhat=fitted,
                      residuals=yv - fitted, VarDf=var,
                      theta=1.0 / vc["component"].to_numpy(dtype=float),
                      fixed_terms=fixed_terms, nIter=getattr(m, "iterations", None),
                      fixed_formula=fx, response=y, rweights=rweights,
                      fixed_names=_fixed_names(fx, d))
    out.fit, out.data, out.labels, out.group = m, d, labels, grp
    out.ginv = {labels[t]: mats[k] for t in rterms for k in mats if t == f"vm({labels[t]}, {k})"}
    return out


def _fixed_names(fx: str, d: pd.DataFrame) -> list[str]:
    """asreml's names of R's model.matrix columns (``block2`` -> ``block_2``)."""
    from asr_py.translate.rlm import r_model_matrix

    cols = list(r_model_matrix(fx, d).columns)
    facs = sorted((c for c in d.columns if not _is_numeric(d[c])), key=len, reverse=True)
    out = []
    for c in cols:
        parts = []
        for p in c.split(":"):
            f = next((f for f in facs if p.startswith(f) and p != f), None)
            parts.append(f"{f}_{p[len(f):]}" if f else p)
        out.append(":".join(parts))
    return out
