"""R's ``aov()``: the analysis of variance of a linear model, with ``Error()`` strata
(multistratum ANOVA, ``stats::aov`` returning an ``aovlist``) and ``summary()`` of both.

Without ``Error()`` an aov is an lm (:class:`~asr_py.translate.rlm.RLm`) whose summary is
the sequential (type I) ANOVA table. With ``y ~ treatments + Error(e)`` R first fits the
error model ``y ~ e`` (intercept first, then e's terms in order): its sequential QR splits
R^n into orthogonal strata, one a term of e whose columns add rank (the space they add to
the earlier terms'), and the rest, ``Within``. Stratum s has an orthonormal basis Q_s and
projector P_s = Q_s Q_s'. In each stratum the treatment model is fitted to (Q_s'y, Q_s'X):
columns with ||P_s x_j||^2 <= 1e-5 are dropped (R's ``colSums(xi^2) > 1e-5``), the rest
orthogonalised in order (aliased ones add nothing, as lm.fit's pivoting); a term's sum of
squares in s is the sum of its squared effects, the stratum's residual SS is
||P_s y||^2 - sum of all effects^2 on dim(s) - rank_s df, and F = MS_term / MS_residual of
the same stratum. Inner products are all that enter, so P_s y and P_s X stand for the
rotated data (the Within basis is never formed). Weights multiply y, X and the error
design by sqrt(w), as R's ``aov`` does.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate import rformulaget
from asr_py.translate.rlm import RLm, _design, _r_name

__all__ = ["RAov", "RAovList", "r_aov"]

#: R calls translated by this module: the R function -> its helper here
FUNCTIONS = {"aov": "r_aov"}

_RANK_TOL = 1e-7         # lm.fit's tol: a column adds rank when its residual norm exceeds it
_ZERO_COL = 1e-5         # aov's colSums(xi^2) > 1e-5: a column present in a stratum


def _split_error(formula: str) -> tuple[str, str | None]:
    """(the formula without its ``Error()`` term, the Error() term's inside or None)."""
    m = re.search(r"(\+\s*)?\bError\s*\(", formula)
    if m is None:
        return formula, None
    depth, i = 1, m.end()
    while i < len(formula) and depth:
        depth += {"(": 1, ")": -1}.get(formula[i], 0)
        i += 1
    if depth:
        raise AsrError(f"aov(): unbalanced parentheses in Error() of {formula!r}",
                       hint="aov(y ~ treatments + Error(block/plot), data)")
    inner = formula[m.end():i - 1].strip()
    rest = (formula[:m.start()] + formula[i:]).strip()
    if re.search(r"\bError\s*\(", rest):
        raise AsrError(f"aov(): {formula!r} has more than one Error() term (R: 'there "
                       "are 2 Error terms: only 1 is allowed')",
                       hint="one Error() term, e.g. Error(block/plot)")
    lhs, _, rhs = rest.partition("~")
    rhs = re.sub(r"^\s*\+\s*", "", rhs).strip() or "1"
    return f"{lhs.strip()} ~ {rhs}", inner


def _no_intercept(rhs: str) -> bool:
    """A model formula's right side drops the intercept (``- 1`` or ``+ 0``)."""
    return bool(re.search(r"-\s*1\b|\+\s*0\b|^\s*0\s*\+", rhs))


def _padded(names: list[str]) -> list[str]:
    """R's ``format()`` of row names: left-justified to the longest (summary.aov's rows)."""
    width = max((len(n) for n in names), default=0)
    return [n.ljust(width) for n in names]


def _anova_table(ss: list[tuple[str, int, float]], rdf: int, rss: float) -> pd.DataFrame:
    """summary.aov's table: Df, Sum Sq, Mean Sq of each term with effects, then Residuals
    (when it has df); F value and Pr(>F) only when the residual has df."""
    names = [t for t, _, _ in ss] + (["Residuals"] if rdf > 0 else [])
    df = [d for _, d, _ in ss] + ([rdf] if rdf > 0 else [])
    sq = [s for _, _, s in ss] + ([rss] if rdf > 0 else [])
    out = pd.DataFrame({"Df": np.asarray(df, dtype=float), "Sum Sq": sq},
                       index=_padded(names))
    out["Mean Sq"] = out["Sum Sq"] / out["Df"]
    if rdf > 0:
        ms_e = rss / rdf
        f = out["Mean Sq"].to_numpy() / ms_e
        p = stats.f.sf(f, out["Df"].to_numpy(), rdf)
        f[-1], p[-1] = np.nan, np.nan
        out["F value"], out["Pr(>F)"] = f, p
    return out


def _format_table(t: pd.DataFrame) -> str:
    """A table as R prints an anova one: numbers to 4-5 significant digits, blanks for NA."""
    cols = {}
    for c in t.columns:
        v = t[c].to_numpy(dtype=float)
        if c == "Df":
            cols[c] = ["" if np.isnan(x) else f"{int(x)}" for x in v]
        elif c == "Pr(>F)":
            cols[c] = ["" if np.isnan(x) else f"{x:.3g}" for x in v]
        else:
            cols[c] = ["" if np.isnan(x) else f"{x:.5g}" for x in v]
    return pd.DataFrame(cols, index=t.index).to_string()


class AovTables(list):  # type: ignore[type-arg]
    """R's ``summary(aov)`` (class summary.aov): a list of one ANOVA table, so
    ``summary(fit)[[1]]`` is the table."""

    def __repr__(self) -> str:
        return "\n".join(_format_table(t) for t in self)

    __str__ = __repr__


class AovSummary(dict):  # type: ignore[type-arg]
    """R's ``summary(aovlist)``: the strata's :class:`AovTables` by name (``"Error:
    block"``, ``"Error: Within"``), so ``summary(fit)[["Error: Within"]][[1]]`` is a table."""

    def __repr__(self) -> str:
        return "\n".join(f"\n{name}\n{tabs!r}" for name, tabs in self.items())

    __str__ = __repr__


class RAov(RLm):
    """An ``aov`` fit without Error(): R's lm with ``summary()`` the ANOVA table."""

    def describe(self) -> AovTables:  # type: ignore[override]
        """R's ``summary(aov)``: a one-element list of the sequential ANOVA table."""
        t = self.anova()
        t.index = _padded([str(i) for i in t.index])
        if self.df_residual <= 0:
            t = t[["Df", "Sum Sq", "Mean Sq"]].iloc[:-1]
        return AovTables([t])

    def __repr__(self) -> str:
        return f"aov({self.formula})\n\n{_format_table(self.anova())}"


class AovStratum:
    """One stratum of an aovlist: its treatment fit on (Q_s'y, Q_s'X)."""

    def __init__(self, name: str, dim: int, effects: list[tuple[str, str, float]],
                 coefficients: pd.Series, sum_sq_y: float,
                 cov_unscaled: np.ndarray | None = None) -> None:
        self.name, self.dim = name, dim
        self.effects = effects                 # (term, column, effect) in order
        self.coefficients = coefficients
        self.rank = len(effects)
        self.df_residual = dim - self.rank
        self.rss = max(sum_sq_y - sum(e * e for _, _, e in effects), 0.0)
        #: (X_s'X_s)^-1 of the stratum's estimated columns (the coefficients' order)
        self.cov_unscaled = np.zeros((0, 0)) if cov_unscaled is None else cov_unscaled

    def vcov(self) -> pd.DataFrame:
        """R's ``vcov(fit[[stratum]])``: s^2 (X_s'X_s)^-1, s^2 = RSS_s / df_s (NaN when the
        stratum has no residual df)."""
        s2 = self.rss / self.df_residual if self.df_residual > 0 else np.nan
        return pd.DataFrame(s2 * self.cov_unscaled, index=self.coefficients.index,
                            columns=self.coefficients.index)

    def table(self) -> pd.DataFrame:
        """summary.aov of the stratum: its terms (no intercept row) and Residuals."""
        terms: dict[str, list[float]] = {}
        for t, _, e in self.effects:
            if t != "(Intercept)":
                terms.setdefault(t, []).append(e * e)
        ss = [(t, len(v), float(sum(v))) for t, v in terms.items()]
        return _anova_table(ss, self.df_residual, self.rss)

    def __getitem__(self, key: str) -> Any:
        named = {"coefficients": self.coefficients, "df.residual": self.df_residual,
                 "rank": self.rank}
        hits = [k for k in named if k == key] or [k for k in named if k.startswith(key)]
        if len(hits) != 1:
            raise AsrError(f"aov stratum {self.name!r} has no component {key!r}",
                           hint=f"one of {', '.join(named)}")
        return named[hits[0]]


class RAovList(dict):  # type: ignore[type-arg]
    """R's ``aovlist``: the strata by name (``"(Intercept)"``, the Error() terms,
    ``"Within"``), each an :class:`AovStratum`; ``describe()`` is ``summary()``."""

    def __init__(self, formula: str, strata: dict[str, AovStratum]) -> None:
        super().__init__(strata)
        self.formula = formula

    def describe(self) -> AovSummary:
        """R's ``summary(aovlist)``: ``"Error: <stratum>"`` -> [its ANOVA table], the
        intercept stratum left out (as summary.aovlist does)."""
        return AovSummary({f"Error: {k}": AovTables([s.table()]) for k, s in self.items()
                           if k != "(Intercept)"})

    def __repr__(self) -> str:
        return f"aov({self.formula})\n" + repr(self.describe())

    def emm_basis(self) -> tuple[np.ndarray, np.ndarray, list[int], Any]:
        """emmeans' basis of an aovlist (intra-block analysis): each coefficient is taken
        from the LAST stratum that estimates it (Within first, then up), with that
        stratum's covariance block; the intercept from the "(Intercept)" stratum with
        variance MS_1 / N (MS_1: the first error stratum's residual mean square). Returns
        (beta, V, the estimated columns, df function): a linear function k'beta has df by
        Satterthwaite over the strata, (sum_s v_s)^2 / sum_s (v_s^2 / df_s), v_s = k_s'V_s
        k_s the part of its variance from stratum s."""
        ncol = self.X.shape[1]
        names = [n for n in self if n != "(Intercept)"]
        col_of = {c: j for j, c in enumerate(self._columns())}
        beta = np.full(ncol, np.nan)
        V = np.zeros((ncol, ncol))
        owner: dict[str, list[int]] = {n: [] for n in names}
        blocks: dict[str, np.ndarray] = {}
        for n in reversed(names):
            st = self[n]
            b = st.coefficients.dropna()
            vc = st.vcov().loc[b.index, b.index].to_numpy()
            pos = [col_of[c] for c in b.index]
            take = [k for k, j in enumerate(pos) if np.isnan(beta[j])]
            owner[n] = [pos[k] for k in take]
            blocks[n] = vc[np.ix_(take, take)]
            for k in take:
                beta[pos[k]] = b.iloc[k]
            V[np.ix_(owner[n], owner[n])] = blocks[n]
        first = names[0] if names else None
        if "(Intercept)" in self and len(self["(Intercept)"].coefficients) and first:
            j0 = col_of[self["(Intercept)"].coefficients.index[0]]
            beta[j0] = float(self["(Intercept)"].coefficients.iloc[0])
            st = self[first]
            ms = st.rss / st.df_residual if st.df_residual > 0 else np.nan
            V[j0, j0] = ms / sum(s.dim for s in self.values())
            k = len(owner[first])
            grown = np.zeros((k + 1, k + 1))
            grown[1:, 1:] = blocks[first]
            grown[0, 0] = V[j0, j0]
            owner[first] = [j0, *owner[first]]
            blocks[first] = grown
        keep = [j for j in range(ncol) if not np.isnan(beta[j])]
        at = {j: i for i, j in enumerate(keep)}
        dfs = {n: float(self[n].df_residual) if self[n].df_residual > 0 else -1.0
               for n in names}

        def dffun(L: np.ndarray) -> np.ndarray:
            out = []
            for row in np.atleast_2d(np.asarray(L, dtype=float)):
                v = np.array([float(row[[at[j] for j in owner[n]]] @ blocks[n] @
                                    row[[at[j] for j in owner[n]]]) for n in names])
                den = float(np.sum(v ** 2 / np.array([dfs[n] for n in names])))
                out.append(float(np.sum(v)) ** 2 / den if den != 0 else np.nan)
            return np.array(out, dtype=float)

        return beta[keep], V[np.ix_(keep, keep)], keep, dffun

    def _columns(self) -> list[str]:
        """The treatment model matrix's column names (R's: "(Intercept)", "Aa2", ...)."""
        return list(self._colnames)


def _rows(data: pd.DataFrame, formulas: list[str]) -> pd.Index:
    """The rows with no missing value in any variable of the formulas (R's na.omit of
    the model frame)."""
    keep = data.index
    for f in formulas:
        y, x, _ = _design(f, data)
        keep = keep.intersection(x.index)
        if y is not None:
            keep = keep.intersection(y.index)
    return keep


def _orthonormal_add(basis: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the part of span(cols) orthogonal to span(basis)."""
    r = cols - basis @ (basis.T @ cols) if basis.shape[1] else cols.copy()
    r = r - basis @ (basis.T @ r) if basis.shape[1] else r      # reorthogonalise
    if not r.size:
        return np.zeros((cols.shape[0], 0))
    u, s, _ = np.linalg.svd(r, full_matrices=False)
    scale = max(float(np.linalg.norm(cols, axis=0).max()), 1.0)
    return u[:, s > _RANK_TOL * scale]


def _stratum_fit(name: str, proj: Any, dim: int, y: np.ndarray, x: np.ndarray,
                 cols: list[str], terms: list[str]) -> AovStratum:
    """The treatment columns fitted in one stratum, in order (Gram-Schmidt, aliased
    columns skipped); ``proj(v)`` is P_s v."""
    py, px = proj(y), proj(x)
    effects: list[tuple[str, str, float]] = []
    q: list[np.ndarray] = []
    used: list[int] = []
    for j in range(px.shape[1]):
        v = px[:, j]
        norm0 = float(v @ v)
        if norm0 <= _ZERO_COL:
            continue
        r = v.copy()
        for _ in range(2):
            for qq in q:
                r -= (qq @ r) * qq
        nr = float(np.sqrt(r @ r))
        if nr <= _RANK_TOL * np.sqrt(norm0):
            continue
        qv = r / nr
        q.append(qv)
        used.append(j)
        effects.append((terms[j], cols[j], float(qv @ py)))
    beta = np.full(len(cols), np.nan)
    cov = np.zeros((0, 0))
    if used:
        beta[used] = np.linalg.lstsq(px[:, used], py, rcond=None)[0]
        xu = px[:, used]
        cov = np.linalg.inv(xu.T @ xu)
    coef = pd.Series(beta, index=cols).iloc[used] if used else pd.Series(dtype=float)
    return AovStratum(name, dim, effects, coef, float(py @ py), cov)


def _aovlist(treat: str, error: str, data: pd.DataFrame, weights: Any) -> RAovList:
    """The multistratum fit of ``treat + Error(error)`` (see the module docstring)."""
    lhs, _, rhs = treat.partition("~")
    eform = f"{lhs.strip()} ~ {error}" + (" - 1" if _no_intercept(rhs) else "")
    rows = _rows(data, [treat, eform])
    sub = data.loc[rows]
    y, x, terms = _design(treat, sub)
    if y is None or y.shape[1] != 1:
        raise AsrError(f"aov(): {treat!r} needs one response left of ~ (a multi-response "
                       "aov with Error() strata is not done here)",
                       hint="aov(y ~ treatments + Error(block), data), one response at a time")
    _, e, eterms = _design(eform, sub)
    n = len(rows)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.size == len(data) and w.size != n:
        w = w[data.index.get_indexer(rows)]
    if w.size != n:
        raise AsrError("aov(): weights and data differ in length", hint="one weight a row")
    sw = np.sqrt(w)
    yv = np.asarray(y, dtype=float).ravel() * sw
    xv = np.asarray(x, dtype=float) * sw[:, None]
    ev = np.asarray(e, dtype=float) * sw[:, None]
    cols = [_r_name(c) for c in x.columns]
    basis = np.zeros((n, 0))
    strata: dict[str, AovStratum] = {}
    for t in dict.fromkeys(eterms):
        idx = [j for j, tt in enumerate(eterms) if tt == t]
        q = _orthonormal_add(basis, ev[:, idx])
        if not q.shape[1]:
            continue
        basis = np.hstack([basis, q])
        strata[t] = _stratum_fit(t, lambda v, q=q: q @ (q.T @ v), q.shape[1], yv, xv,
                                 cols, terms)
    if basis.shape[1] < ev.shape[1]:
        warnings.warn("Error() model is singular", stacklevel=3)
    if n > basis.shape[1]:
        strata["Within"] = _stratum_fit(
            "Within", lambda v: v - basis @ (basis.T @ v), n - basis.shape[1], yv, xv,
            cols, terms)
    out = RAovList(f"{treat} + Error({error})", strata)
    out.data, out._spec, out.X = sub, x.model_spec, np.asarray(x, dtype=float)
    out._colnames = cols
    out.response = lhs.strip().strip("`")
    return out


def r_aov(formula: Any, data: pd.DataFrame | None = None, weights: Any = None,
          **_: Any) -> RAov | RAovList:
    """R's ``aov(formula, data, weights)``: an :class:`RAov` (an lm whose summary is its
    ANOVA table), or with ``+ Error(e)`` in the formula an :class:`RAovList` of strata."""
    if data is None:
        raise AsrError("aov(): no data given", hint="aov(y ~ x + Error(block), data = d)")
    if not isinstance(data, pd.DataFrame):
        raise AsrError(f"aov(): data must be a data frame, not {type(data).__name__}",
                       hint="aov(y ~ x + Error(block), data = d)")
    if not isinstance(formula, str) or "~" not in formula:
        raise AsrError(f"aov(): the formula is {formula!r}, not a model formula",
                       hint="aov(y ~ x + Error(block/plot), data = d)")
    treat, error = _split_error(formula)
    if error is None:
        fit = RAov(formula, data, weights)
        return fit
    return _aovlist(treat, error, data, weights)


def translate(printer: Any, e: Any) -> str | None:
    """The Python of an ``aov()`` call (formula as its R text), or None (then the call
    stays an untranslated placeholder): arguments other than formula, data, weights are
    R's defaults only (projections, qr, contrasts are not done here)."""
    if e.value not in FUNCTIONS or e.value in getattr(printer, "functions", ()):
        return None
    args: list[str] = []
    pos = 0
    for n, a in e.args:
        key = n if n is not None else ("formula", "data")[pos] if pos < 2 else None
        if n is None:
            pos += 1
        if key is None or key not in ("formula", "data", "weights"):
            if key in ("qr",) or n == "qr":
                continue
            return None
        if key == "formula":
            if a.kind == "formula":
                args.append(f"formula={rformulaget.translate(printer, a) or repr(printer.src(a))}")
            elif a.kind == "name":
                args.append(f"formula={printer.py(a)}")
            else:
                return None
        else:
            args.append(f"{key}={printer.py(a)}")
    return f"{printer.runtime(FUNCTIONS[e.value])}(" + ", ".join(args) + ")"
