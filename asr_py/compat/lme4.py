"""lme4's ``lmer()`` (and lme4breeding's ``lmebreed()``) on asr_py's REML engine.

Teaching and comparison scripts fit the same model with lme4 and asreml side by side. This
module reads lme4's formula language, fits the model with :func:`asr_py.asreml` (the
variance parameters), then solves lme4's penalised least squares problem at those parameters
so that every accessor has lme4's layout and meaning:

* random terms ``(1 | g)``, ``(1 | g:h)``, ``(1 | g/h)`` (= ``(1 | g) + (1 | g:h)``),
  ``(x | g)`` (correlated intercept and slope: ``us`` over a ``str()`` term), ``(x || g)``
  (uncorrelated), ``(0 + x | g)``, ``(0 + f | g)`` for a factor f (``us(f):g``); the
  grouping factors of ``relmat = list(g = K)`` (lme4breeding) get the covariance ``K``
  (``vm()``), as ``Z* = Z L`` with ``K = L L'``;
* terms are ordered by decreasing number of levels, as lme4 orders them;
* ``sigma()`` and the log-likelihood are lme4's profiled ones (``pwrss / (n - p)`` for REML);
  AIC/BIC count the fixed effects, the covariance parameters and the residual variance;
* ``ranef(condVar = TRUE)`` gives lme4's conditional variances (given the fixed effects);
* ``anova(m1, m2)`` refits REML fits by ML, as lme4 does, and tests them by LRT.

What lme4 has and asr_py cannot fit (``glmer`` families, ``nlmer``, a factor slope beside
an intercept, ``weights``/``offset``) raises an :class:`~asr_py.errors.AsrError`
naming it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats

from asr_py.errors import AsrError

__all__ = ["LmerFit", "Ranef", "VarCorr", "VarCorrFrame", "anova", "fixef", "getME", "glmer",
           "isSingular", "lmebreed", "lmer", "ngrps", "nlmer", "nobs", "predict", "ranef",
           "sigma", "vcov", "deviance"]

_NAME = r"[A-Za-z.][\w.]*"


@dataclass
class _Bar:
    """One random-effects term ``(cols | group)`` after lme4's expansion."""
    cols: list[str]                 # '(Intercept)' and covariate column names
    factors: list[str]              # grouping factors: ['g'] or ['g', 'h'] for g:h
    relmat: Any = None
    levels: list[str] = field(default_factory=list)
    fslope: str | None = None       # (0 + f | g): the factor f
    flevels: list[str] = field(default_factory=list)
    key: str = ""                   # the grouping column built in the data (lme4g<k>)

    @property
    def grp(self) -> str:
        return ":".join(self.factors)


def _split_top(text: str, seps: str = "+-") -> list[tuple[str, str]]:
    """(sign, term) pairs of ``text`` split on top-level ``+``/``-``."""
    out, depth, cur, sign = [], 0, "", "+"
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if depth == 0 and ch in seps:
            if cur.strip():
                out.append((sign, cur.strip()))
            cur, sign = "", ch
            continue
        cur += ch
    if cur.strip():
        out.append((sign, cur.strip()))
    return out


def _bars(term: str, where: str) -> list[_Bar] | None:
    """The bars of a parenthesised random term, or None when ``term`` is not one."""
    if not (term.startswith("(") and term.endswith(")")):
        return None
    inner = term[1:-1].strip()
    depth, pos = 0, -1
    for i, ch in enumerate(inner):
        depth += ch in "(["
        depth -= ch in ")]"
        if depth == 0 and ch == "|":
            pos = i
            break
    if pos < 0:
        return None
    double = inner[pos + 1:pos + 2] == "|"
    lhs, rhs = inner[:pos].strip(), inner[pos + (2 if double else 1):].strip()
    intercept, covs = True, []
    for sign, t in _split_top(lhs):
        if t in ("0", "-1") or (sign == "-" and t == "1"):
            intercept = False
        elif t == "1":
            intercept = True
        elif re.fullmatch(_NAME, t) and sign == "+":
            covs.append(t)
        else:
            raise AsrError(f"{where}: the random term {term!r} has {t!r} left of '|'; "
                           "only an intercept and numeric columns are fitted here",
                           hint="write (1 | g), (x | g), (0 + x | g) or (x || g) with x a "
                                "numeric column of data")
    cols = (["(Intercept)"] if intercept else []) + covs
    if not cols:
        raise AsrError(f"{where}: the random term {term!r} has no effect left of '|'",
                       hint="(1 | g) is a random intercept per level of g")
    groups: list[list[str]] = []
    parts = [p.strip() for p in rhs.split("/")]
    for i in range(len(parts)):     # g/h -> g and g:h (lme4's order: g:h first after sort)
        facs = [f.strip() for p in parts[:i + 1] for f in p.split(":")]
        if not all(re.fullmatch(_NAME, f) for f in facs):
            raise AsrError(f"{where}: the grouping factor {rhs!r} of {term!r} is not a "
                           "column name or an interaction of column names",
                           hint="make the grouping factor a column of data first")
        groups.append(facs)
    out = []
    for facs in groups:
        if double:      # (x || g): (1 | g) + (0 + x | g)
            out += [_Bar([c], facs) for c in cols]
        else:
            out.append(_Bar(list(cols), facs))
    return out


def _parse(formula: str, where: str) -> tuple[str, str, list[_Bar]]:
    """(response, fixed right-hand side, bars) of an lme4 formula."""
    text = " ".join(str(formula).replace("`", "").split())     # `name`: a column name
    if "~" not in text:
        raise AsrError(f"{where}: {formula!r} is not a model formula",
                       hint="lmer(y ~ x + (1 | g), data)")
    lhs, rhs = (s.strip() for s in text.split("~", 1))
    if not lhs:
        raise AsrError(f"{where}: {formula!r} has no response", hint="y ~ x + (1 | g)")
    fixed: list[str] = []
    bars: list[_Bar] = []
    for sign, t in _split_top(rhs):
        got = _bars(t, where)
        if got is None:
            fixed.append(t if sign == "+" else f"- {t}")
        else:
            if sign == "-":
                raise AsrError(f"{where}: a random term cannot be subtracted ({t!r})")
            bars += got
    if not bars:
        raise AsrError(f"{where}: {formula!r} has no random term",
                       hint="lme4 needs one (1 | g); for a fixed-effects model use lm()")
    fx = " + ".join(fixed).replace("+ -", "-") if fixed else "1"
    return lhs, fx, bars


def _levels(col: pd.Series) -> list[str]:
    """A grouping factor's levels in R's order: a categorical's categories, else sorted
    (numbers numerically), as ``factor()``."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        used = set(col.dropna().astype(str))
        return [str(c) for c in col.cat.categories if str(c) in used]
    vals = col.dropna().unique()
    try:
        vals = sorted(vals, key=float)
    except (TypeError, ValueError):
        vals = sorted(vals, key=str)
    return [str(_num_label(v)) for v in vals]


def _num_label(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _labels(col: pd.Series) -> pd.Series:
    return col.map(lambda v: str(_num_label(v)))


def _relmat_factor(K: Any, levels: list[str], grp: str) -> np.ndarray:
    """L with K[levels, levels] = L L' (eigen factor: K may be singular)."""
    if hasattr(K, "_use"):          # an untranslated placeholder
        K = K._use()
    if hasattr(K, "matrix") and hasattr(K, "ids"):
        if getattr(K, "inverse", False):
            raise AsrError(f"relmat for {grp!r} is an inverse matrix",
                           hint="lmebreed takes the relationship matrix itself")
        mat = K.matrix.toarray() if hasattr(K.matrix, "toarray") else np.asarray(K.matrix)
        K = pd.DataFrame(mat, index=[str(i) for i in K.ids], columns=[str(i) for i in K.ids])
    if not isinstance(K, pd.DataFrame):
        raise AsrError(f"relmat for {grp!r} has no row names (got {type(K).__name__})",
                       hint="give a matrix whose row and column names are the levels of "
                            f"{grp}")
    K = K.copy()
    K.index = [str(_num_label(i)) for i in K.index]
    K.columns = [str(_num_label(i)) for i in K.columns]
    missing = [lv for lv in levels if lv not in K.index]
    if missing:
        raise AsrError(f"relmat for {grp!r}: levels {missing[:5]} of the data are not in the "
                       "matrix", hint="the matrix's row names must cover every level")
    sub = K.loc[levels, levels].to_numpy(dtype=float)
    w, v = np.linalg.eigh((sub + sub.T) / 2)
    if w.min() < -1e-8 * max(1.0, w.max()):
        raise AsrError(f"relmat for {grp!r} is not positive semi-definite",
                       hint="a relationship matrix has no negative eigenvalues")
    return v * np.sqrt(np.clip(w, 0, None))


def _factor(sigma: np.ndarray) -> np.ndarray:
    """Lower-triangular T with T T' = sigma; a zero pivot (a variance at its boundary) gives
    a zero column, as lme4's theta at 0."""
    q = sigma.shape[0]
    t = np.zeros((q, q))
    tol = 1e-12 * max(1.0, float(np.max(np.abs(np.diag(sigma)))))
    for j in range(q):
        piv = sigma[j, j] - t[j, :j] @ t[j, :j]
        if piv <= tol:
            continue
        t[j, j] = math.sqrt(piv)
        for i in range(j + 1, q):
            t[i, j] = (sigma[i, j] - t[i, :j] @ t[j, :j]) / t[j, j]
    return t


class DevianceCriteria:
    """``logLik``, ``AIC`` and ``BIC`` from a fit's ``_dev`` (−2ℓ, REML or ML), ``npar`` and
    ``n``: ℓ = −dev/2, AIC = dev + 2k, BIC = dev + k log n (lme4's)."""

    _dev: float
    npar: int
    n: int

    @property
    def loglik(self) -> float:
        """``logLik(m)``: REML or ML log-likelihood as lme4's."""
        return -self._dev / 2

    @property
    def aic(self) -> float:
        return self._dev + 2 * self.npar

    @property
    def bic(self) -> float:
        return self._dev + math.log(self.n) * self.npar


class LmerFit(DevianceCriteria):
    """An lme4 ``merMod``: accessors named as lme4's (``fixef()``, ``ranef()``,
    ``VarCorr()``, ``sigma``, ``loglik``, ``aic``, ``bic``, ``describe()`` = ``summary()``).

    ``fit`` is the underlying :class:`asr_py.AsremlFit` (variance parameters by AI-REML)."""

    def __init__(self, formula: str, data: pd.DataFrame, REML: bool = True,
                 relmat: dict[str, Any] | None = None, where: str = "lmer()") -> None:
        import asr_py as asr

        if not isinstance(data, pd.DataFrame):
            raise AsrError(f"{where}: data must be a data frame, not {type(data).__name__}",
                           hint="data = the data frame the formula's variables are columns of")
        self.formula, self.REML, self.where = " ".join(str(formula).split()), bool(REML), where
        y, fixed, bars = _parse(self.formula, where)
        relmat = dict(relmat or {})
        cols = set(map(str, data.columns))
        used = [v for v in re.findall(_NAME, f"{y} ~ {fixed}") if v in cols]
        for b in bars:
            for c in b.cols[1 if b.cols[0] == "(Intercept)" else 0:]:
                if c not in cols:
                    raise AsrError(f"{where}: {c!r} is not a column of data")
                if not pd.api.types.is_numeric_dtype(data[c]) and b.cols != [c]:
                    raise AsrError(f"{where}: the random slope {c!r} is not numeric",
                                   hint="a factor f is fitted alone, (0 + f | g) (an "
                                        "unstructured covariance across f's levels), or "
                                        "as (1 | g:f)")
            for f in b.factors:
                if f not in cols:
                    raise AsrError(f"{where}: grouping factor {f!r} is not a column of data")
            used += b.cols[1 if b.cols[0] == "(Intercept)" else 0:] + b.factors
        unknown = [g for g in relmat if g not in {b.grp for b in bars}]
        if unknown:
            raise AsrError(f"{where}: relmat names {unknown}, not a grouping factor of the "
                           "formula", hint="relmat = list(g = K) with g in (1 | g)")
        used = list(dict.fromkeys(used))
        self._frame_cols, self._y_text = used, y
        d = data.loc[data[used].notna().all(axis=1)].copy() if used else data.copy()
        d.index = [str(_num_label(i + 1)) if isinstance(i, (int, np.integer)) else str(i)
                   for i in d.index]
        y = _response_column(d, y, cols, where)
        for b in bars:
            if len(b.factors) == 1:
                b.levels = _levels(d[b.factors[0]])
                lab = _labels(d[b.factors[0]])
            else:
                labs = [_labels(d[f]) for f in b.factors]
                order = [{lv: i for i, lv in enumerate(_levels(d[f]))} for f in b.factors]
                lab = labs[0].str.cat(labs[1:], sep=":")
                keys = {":".join(t): tuple(o[x] for o, x in zip(order, t))
                        for t in zip(*labs)}
                b.levels = sorted(keys, key=keys.get)
            if len(b.cols) == 1 and b.cols[0] != "(Intercept)" and \
                    not pd.api.types.is_numeric_dtype(d[b.cols[0]]):
                # (0 + f | g): one effect per level of f in each level of g (us(f):g)
                b.fslope = b.cols[0]
                b.flevels = _levels(d[b.fslope])
                b.cols = [f"{b.fslope}{lv}" for lv in b.flevels]
            b.relmat = relmat.get(b.grp)
            if b.relmat is not None and b.cols != ["(Intercept)"]:
                raise AsrError(f"{where}: relmat on {b.grp!r} with random slopes is not "
                               "fitted here", hint="use (1 | g) for a term with a relmat")
            b._lab = lab.to_numpy()     # type: ignore[attr-defined]
        bars.sort(key=lambda b: -len(b.levels))     # lme4: most levels first
        terms, mats = [], {}
        for k, b in enumerate(bars, 1):
            b.key = f"lme4g{k}"
            d[b.key] = b._lab                     # type: ignore[attr-defined]
            q = len(b.cols)
            if b.fslope is not None:
                terms.append(f"us({b.fslope}):{b.key}")
            elif b.relmat is not None:
                mats[f"K{k}"] = pd.DataFrame(b.relmat._use() if hasattr(b.relmat, "_use")
                                             else b.relmat)
                _relmat_factor(b.relmat, b.levels, b.grp)     # checks
                terms.append(f"vm({b.key}, K{k})")
            elif q == 1 and b.cols[0] == "(Intercept)":
                terms.append(b.key)
            elif q == 1:
                terms.append(f"{b.cols[0]}:{b.key}")
            else:
                inner = " + ".join(b.key if c == "(Intercept)" else f"{c}:{b.key}"
                                   for c in b.cols)
                terms.append(f"str(~ {inner}, ~ us({q}):id({b.key}))")
        self.bars, self.data, self.y_name, self.fixed = bars, d, y, fixed
        method = "REML" if self.REML else "ML"
        self.fit = asr.asreml(f"{y} ~ {fixed}", "~ " + " + ".join(terms), data=d,
                              method=method, **mats)
        # a variance at its boundary: lme4's estimate is 0, which is the model without
        # the term (asr_py holds a boundary variance at a positive value, as asreml);
        # pbkrtest's Kenward-Roger still counts it (emmeans' df): kr_fit keeps every term
        self.kr_fit = self.fit
        for _ in range(len(terms)):
            vc = self.fit.varcomp
            dropped = [t for b, t in zip(bars, terms) if len(b.cols) == 1 and any(
                re.search(rf"(?<![\w.]){b.key}(?![\w.])", str(lab)) and
                str(vc.loc[lab, "bound"]) == "B" for lab in vc.index)]
            if not dropped:
                break
            terms = [t for t in terms if t not in dropped]
            mats = {k: v for k, v in mats.items() if any(f", {k})" in t for t in terms)}
            self.fit = asr.asreml(f"{y} ~ {fixed}", "~ " + " + ".join(terms) if terms
                                  else None, data=d, method=method, **mats)
        self._solve()

    # ----- lme4's penalised least squares at the fitted variance parameters ---------------
    def _solve(self) -> None:
        from asr_py.translate.rlm import _design

        vc = self.fit.varcomp["component"]
        s2 = float(vc.loc["units!R"]) if "units!R" in vc.index else float(vc.iloc[-1])
        yv, x, terms = _design(f"{self.y_name} ~ {self.fixed}", self.data)
        self._spec = x.model_spec
        X = np.asarray(x, dtype=float)
        names = list(pd.DataFrame(X, columns=[self._rname(c) for c in x.columns]).columns)
        keep: list[int] = []        # lme4 drops columns aliased with earlier ones
        for j in range(X.shape[1]):
            if np.linalg.matrix_rank(X[:, keep + [j]], tol=1e-7 * max(1.0, np.abs(X).max())) \
                    == len(keep) + 1:
                keep.append(j)
        self.X = pd.DataFrame(X[:, keep], columns=[names[j] for j in keep],
                              index=self.data.index)
        self._terms = [terms[j] for j in keep]
        self._x_all, self._keep = X, keep      # emmeans(): estimability on every column
        self.y = np.asarray(yv, dtype=float).ravel()
        n = self.y.size
        zs, lams, self.thetas = [], [], []
        for b in self.bars:
            rows = [i for i, lab in enumerate(vc.index)
                    if re.search(rf"(?<![\w.]){b.key}(?![\w.])", str(lab))]
            q = len(b.cols)
            sig = np.zeros((q, q))
            if q == 1:
                sig[0, 0] = float(vc.iloc[rows[0]]) if rows else 0.0    # dropped: 0
            else:
                for r in rows:
                    i, j = self._us_pos(b, str(vc.index[r]))
                    sig[i, j] = sig[j, i] = float(vc.iloc[r])
            t = _factor(sig / s2)
            self.thetas.append(t.T[np.triu_indices(q)])     # lower triangle, by column
            pos = {lv: i for i, lv in enumerate(b.levels)}
            idx = np.array([pos[v] for v in b._lab])        # type: ignore[attr-defined]
            z = np.zeros((n, len(b.levels) * q))
            for j, c in enumerate(b.cols):
                if b.fslope is not None:
                    val = (_labels(self.data[b.fslope]) == b.flevels[j]).to_numpy(float)
                else:
                    val = np.ones(n) if c == "(Intercept)" else self.data[c].to_numpy(float)
                z[np.arange(n), idx * q + j] = val
            zs.append(z)
            left = _relmat_factor(b.relmat, b.levels, b.grp) if b.relmat is not None \
                else np.eye(len(b.levels))
            lams.append(np.kron(left, t))
        self.Z = np.hstack(zs)
        self.Lambda = linalg.block_diag(*lams)
        A = self.Z @ self.Lambda
        Xk = self.X.to_numpy()
        p, q = Xk.shape[1], A.shape[1]
        M = np.block([[A.T @ A + np.eye(q), A.T @ Xk], [Xk.T @ A, Xk.T @ Xk]])
        rhs = np.concatenate([A.T @ self.y, Xk.T @ self.y])
        sol = linalg.solve(M, rhs, assume_a="pos")
        us, beta = sol[:q], sol[q:]
        self.beta = beta
        self.b = self.Lambda @ us
        fitted = Xk @ beta + self.Z @ self.b
        pwrss = float(np.sum((self.y - fitted) ** 2) + us @ us)
        denom = n - p if self.REML else n
        self.sigma = math.sqrt(pwrss / denom)
        self._fitted = fitted
        Minv = linalg.inv(M)
        self._vcov = Minv[q:, q:] * self.sigma ** 2
        L = A.T @ A + np.eye(q)
        self._condvar = self.Lambda @ linalg.inv(L) @ self.Lambda.T * self.sigma ** 2
        ld_l = 2 * np.sum(np.log(np.diag(linalg.cholesky(L))))
        RX = Xk.T @ Xk - Xk.T @ A @ linalg.solve(L, A.T @ Xk, assume_a="pos")
        ld_x = 2 * np.sum(np.log(np.diag(linalg.cholesky(RX)))) if p else 0.0
        if self.REML:
            self._dev = ld_l + ld_x + denom * (1 + math.log(2 * math.pi * pwrss / denom))
        else:
            self._dev = ld_l + n * (1 + math.log(2 * math.pi * pwrss / n))
        self._ml_dev = ld_l + n * (1 + math.log(2 * math.pi * pwrss / n))
        self.n, self.p = n, p
        self.npar = p + sum(len(b.cols) * (len(b.cols) + 1) // 2 for b in self.bars) + 1

    @staticmethod
    def _us_pos(b: _Bar, label: str) -> tuple[int, int]:
        """(i, j) of a us() parameter from its varcomp label: ``..._2:1`` of a str() term,
        ``f:key!f_A:B`` of us(f):key (the levels A, B of f)."""
        if b.fslope is None:
            i, j = (int(v) - 1 for v in label.rsplit("_", 1)[1].split(":"))
            return i, j
        tail = label.split("!", 1)[1][len(b.fslope) + 1:]
        pos = {lv: k for k, lv in enumerate(b.flevels)}
        for cut in [m.start() for m in re.finditer(":", tail)]:
            a, c = tail[:cut], tail[cut + 1:]
            if a in pos and c in pos:
                return pos[a], pos[c]
        raise AsrError(f"cannot read the us() parameter {label!r}")    # pragma: no cover

    @staticmethod
    def _rname(col: str) -> str:
        from asr_py.translate.rlm import _r_name

        return _r_name(col)

    # ----- accessors ---------------------------------------------------------------------
    def fixef(self) -> pd.Series:
        """``fixef(m)``: the fixed effects named as lme4 names them."""
        return pd.Series(self.beta, index=self.X.columns)

    def vcov(self) -> pd.DataFrame:
        """``vcov(m)``: covariance matrix of the fixed effects."""
        return pd.DataFrame(self._vcov, index=self.X.columns, columns=self.X.columns)

    def ranef(self, condVar: bool = True) -> Ranef:
        """``ranef(m)``: one frame per grouping factor (rows its levels, columns the
        terms); with condVar, ``.condsd`` holds the conditional standard deviations."""
        out: dict[str, pd.DataFrame] = {}
        sds: dict[str, pd.DataFrame] = {}
        post: dict[str, list[np.ndarray]] = {}
        off = 0
        var = np.diag(self._condvar)
        for b in self.bars:
            q, nl = len(b.cols), len(b.levels)
            vals = self.b[off:off + nl * q].reshape(nl, q)
            sd = np.sqrt(np.clip(var[off:off + nl * q], 0, None)).reshape(nl, q)
            off += nl * q
            f = pd.DataFrame(vals, index=b.levels, columns=b.cols)
            s = pd.DataFrame(sd, index=b.levels, columns=b.cols)
            if condVar:     # attr(ranef(m)$g, "postVar"): q x q x levels (q = 1: a vector)
                cv = self._condvar[off - nl * q:off, off - nl * q:off]
                pv = np.stack([cv[i * q:(i + 1) * q, i * q:(i + 1) * q] for i in range(nl)],
                              axis=2)
                post.setdefault(b.grp, []).append(pv[0, 0, :] if q == 1 else pv)
            if b.grp in out:        # two terms of one factor: one frame (lme4's ranef)
                f.columns = [c if c not in out[b.grp].columns else f"{c}.1" for c in f.columns]
                s.columns = f.columns
                out[b.grp] = pd.concat([out[b.grp], f], axis=1)
                sds[b.grp] = pd.concat([sds[b.grp], s], axis=1)
            else:
                out[b.grp], sds[b.grp] = f, s
        for g, pv in post.items():  # lists: pandas compares attrs when combining frames
            out[g].attrs["postVar"] = pv[0].tolist() if len(pv) == 1 else [
                x.tolist() for x in pv]
        r = Ranef(out)
        r.condsd = sds if condVar else None
        labels = [lv if len(b.cols) == 1 else f"{lv}:{c}"
                  for b in self.bars for lv in b.levels for c in b.cols]
        # lme4breeding's attr(ranef(m), "condVarMat"): all conditional (co)variances
        r.attrs = {"condVarMat": pd.DataFrame(self._condvar, index=labels, columns=labels)}
        return r

    def VarCorr(self) -> VarCorrFrame:
        """``as.data.frame(VarCorr(m))``: grp, var1, var2, vcov, sdcor (sd of variances,
        correlations of covariances), the residual last."""
        rows: list[tuple[Any, ...]] = []
        seen: dict[str, int] = {}
        s2 = self.sigma ** 2
        for b, th in zip(self.bars, self._tmats()):
            grp = b.grp
            if grp in seen:
                seen[grp] += 1
                grp = f"{grp}.{seen[grp] - 1}"
            else:
                seen[grp] = 1
            sig = th @ th.T * s2
            q = len(b.cols)
            for i in range(q):
                rows.append((grp, b.cols[i], None, sig[i, i], math.sqrt(max(sig[i, i], 0))))
            for i in range(q):
                for j in range(i + 1, q):
                    den = math.sqrt(sig[i, i] * sig[j, j])
                    rows.append((grp, b.cols[i], b.cols[j], sig[i, j],
                                 sig[i, j] / den if den > 0 else np.nan))
        rows.append(("Residual", None, None, s2, self.sigma))
        out = VarCorrFrame(rows, columns=["grp", "var1", "var2", "vcov", "sdcor"])
        out.mats = {}
        seen2: dict[str, int] = {}
        for b, th in zip(self.bars, self._tmats()):
            grp = b.grp if b.grp not in seen2 else f"{b.grp}.{seen2[b.grp]}"
            seen2[b.grp] = seen2.get(b.grp, 0) + 1
            out.mats[grp] = pd.DataFrame(th @ th.T * s2, index=b.cols, columns=b.cols)
        out.attrs["sc"] = self.sigma       # attr(VarCorr(m), "sc"): the residual sd
        return out

    def _tmats(self) -> list[np.ndarray]:
        out = []
        for b, th in zip(self.bars, self.thetas):
            q = len(b.cols)
            t = np.zeros((q, q))
            t.T[np.triu_indices(q)] = th
            out.append(t)
        return out

    @property
    def theta(self) -> np.ndarray:
        """lme4's theta: the relative covariance factors' lower triangles, column-wise."""
        return np.concatenate(self.thetas)

    @property
    def REMLcrit(self) -> float:
        return self._dev

    @property
    def deviance(self) -> float:
        """``deviance(m)``: -2 log-likelihood (for a REML fit, the ML criterion at the REML
        estimates)."""
        return self._ml_dev

    @property
    def fitted(self) -> pd.Series:
        return pd.Series(self._fitted, index=self.data.index)

    @property
    def residuals(self) -> pd.Series:
        return pd.Series(self.y - self._fitted, index=self.data.index)

    def nobs(self) -> int:
        return self.n

    def ngrps(self) -> pd.Series:
        out: dict[str, int] = {}
        for b in self.bars:
            out.setdefault(b.grp, len(b.levels))
        return pd.Series(out)

    def coef(self) -> dict[str, pd.DataFrame]:
        """``coef(m)``: per grouping factor, fixed effects plus that factor's ranef."""
        fe = self.fixef()
        out = {}
        for g, r in self.ranef(condVar=False).items():
            f = pd.DataFrame([fe.to_numpy()] * len(r), index=r.index, columns=fe.index)
            for c in r.columns:
                if c in f.columns:
                    f[c] = f[c] + r[c].fillna(0)
                else:
                    f[c] = r[c]
            out[g] = f
        return out

    def predict(self, newdata: pd.DataFrame | None = None, re_form: Any = None,
                allow_new_levels: bool = False) -> pd.Series:
        """``predict(m, newdata, re.form)``: with random effects (``re.form = NULL``) or
        without (``re.form = NA``/``~0``)."""
        no_re = re_form is not None and (
            (isinstance(re_form, float) and math.isnan(re_form)) or
            str(re_form).replace(" ", "") in ("~0", "~1", "NA", "nan"))
        if newdata is None:
            fx = self.X.to_numpy() @ self.beta
            return pd.Series(fx if no_re else self._fitted, index=self.data.index)
        X = np.asarray(self._spec.get_model_matrix(newdata), dtype=float)
        if X.shape[1] != len(self.beta):
            X = X[:, [j for j, c in enumerate(self._spec.column_names)
                      if self._rname(c) in self.X.columns]]
        out = X @ self.beta
        if not no_re:
            off = 0
            for b in self.bars:
                q, nl = len(b.cols), len(b.levels)
                bb = self.b[off:off + nl * q].reshape(nl, q)
                off += nl * q
                lab = _labels(newdata[b.factors[0]]) if len(b.factors) == 1 else \
                    _labels(newdata[b.factors[0]]).str.cat(
                        [_labels(newdata[f]) for f in b.factors[1:]], sep=":")
                pos = {lv: i for i, lv in enumerate(b.levels)}
                for r, lv in enumerate(lab):
                    if lv not in pos:
                        if not allow_new_levels:
                            raise AsrError(f"predict(): new level {lv!r} of {b.grp}",
                                           hint="allow.new.levels = TRUE predicts it at 0")
                        continue
                    for j, c in enumerate(b.cols):
                        v = 1.0 if c == "(Intercept)" else float(newdata[c].iloc[r])
                        out[r] += v * bb[pos[lv], j]
        return pd.Series(out, index=newdata.index)

    def getME(self, name: str) -> Any:
        """``getME(m, name)``: X, Z, Zt, theta, beta, Lambda, y, n, p, q, sigma."""
        got = {"X": lambda: self.X.copy(), "Z": lambda: self.Z.copy(),
               "Zt": lambda: self.Z.T.copy(), "theta": lambda: self.theta,
               "beta": lambda: self.beta.copy(), "Lambda": lambda: self.Lambda.copy(),
               "y": lambda: self.y.copy(), "n": lambda: self.n, "p": lambda: self.p,
               "q": lambda: self.Z.shape[1], "sigma": lambda: self.sigma,
               "devcomp": lambda: {"dims": {"n": self.n, "p": self.p}},
               "flist": lambda: {b.grp: b.levels for b in self.bars}}
        if name not in got:
            raise AsrError(f"getME(): {name!r} is not available",
                           hint=f"one of {', '.join(got)}")
        return got[name]()

    def describe(self) -> dict[str, Any]:
        """``summary(m)``: coefficients (Estimate, Std. Error, t value), sigma, varcor,
        logLik, AICtab, ngrps."""
        se = np.sqrt(np.diag(self._vcov))
        tab = pd.DataFrame({"Estimate": self.beta, "Std. Error": se,
                            "t value": self.beta / se}, index=self.X.columns)
        return {"coefficients": tab, "sigma": self.sigma, "varcor": self.VarCorr(),
                "logLik": self.loglik, "ngrps": self.ngrps(),
                "AICtab": pd.Series({"AIC": self.aic, "BIC": self.bic,
                                     "logLik": self.loglik, "deviance": self.deviance})}

    def anova(self) -> pd.DataFrame:
        """lme4's ``anova(m)`` of one fit: sequential (type I) sums of squares of the fixed
        terms from the Cholesky factor of the fixed effects' precision (npar, Sum Sq,
        Mean Sq, F value; no denominator df, as lme4)."""
        prec = np.linalg.inv(self._vcov) * self.sigma ** 2     # RX' RX
        effects = np.linalg.cholesky(prec).T @ self.beta
        rows, names = [], []
        for t in dict.fromkeys(self._terms):
            if t == "(Intercept)":
                continue
            idx = [j for j, tt in enumerate(self._terms) if tt == t]
            ss = float(np.sum(effects[idx] ** 2))
            rows.append((len(idx), ss, ss / len(idx), ss / len(idx) / self.sigma ** 2))
            names.append(t)
        return pd.DataFrame(rows, index=names,
                            columns=["npar", "Sum Sq", "Mean Sq", "F value"])

    def isSingular(self, tol: float = 1e-4) -> bool:  # noqa: N802 - lme4's name
        """``isSingular(m)``: a variance at 0 or a correlation at +-1 (a zero diagonal of a
        relative covariance factor), as lme4's test."""
        return any(np.any(np.abs(np.diag(t)) < tol) for t in self._tmats())

    def refit_ml(self) -> LmerFit:
        """The same model fitted by maximum likelihood (as anova() does)."""
        if not self.REML:
            return self
        relmat = {b.grp: b.relmat for b in self.bars if b.relmat is not None}
        cols = [c for c in self.data.columns if not re.fullmatch(r"lme4g\d+", str(c))]
        return LmerFit(self.formula, self.data[cols], REML=False, relmat=relmat,
                       where=self.where)

    def model_frame(self) -> pd.DataFrame:
        """lme4's ``m@frame`` (model.frame): the formula's variables on the records fitted
        (complete cases), the response first (an expression response by its text)."""
        cols = [c for c in self._frame_cols if c in self.data.columns]
        out = self.data[cols].copy()
        if self.y_name not in cols and self.y_name in self.data.columns:
            out.insert(0, self._y_text, self.data[self.y_name])
        elif self.y_name in cols:
            out = out[[self.y_name] + [c for c in cols if c != self.y_name]]
        return out

    def __getitem__(self, key: str) -> Any:
        named = {"coefficients": self.fixef, "fixef": self.fixef, "frame": self.model_frame}
        if key in named:
            return named[key]()
        raise AsrError(f"an lmer fit has no component {key!r}",
                       hint="use fixef(m), ranef(m), VarCorr(m), summary(m)$coefficients")

    def __repr__(self) -> str:
        kind = "REML criterion" if self.REML else "deviance"
        vc = self.VarCorr()
        return (f"Linear mixed model fit by {'REML' if self.REML else 'maximum likelihood'}"
                f" ['lmerMod']\nFormula: {self.formula}\n{kind} at convergence: "
                f"{self._dev:.4f}\nRandom effects:\n{vc.to_string(index=False)}\n"
                f"Number of obs: {self.n}, groups: "
                f"{', '.join(f'{k}, {v}' for k, v in self.ngrps().items())}\n"
                f"Fixed Effects:\n{self.fixef().to_string()}")


class VarCorrFrame(pd.DataFrame):
    """``VarCorr(m)``: as ``as.data.frame(VarCorr(m))`` (grp, var1, var2, vcov, sdcor);
    ``vc["g"]`` (R's ``VarCorr(m)$g``) is the covariance matrix of g's terms (one term: a
    Series of its variance); ``attrs["sc"]`` the residual standard deviation."""

    _metadata = ["mats"]

    @property
    def _constructor(self) -> type:
        return pd.DataFrame

    def __getitem__(self, key: Any) -> Any:
        mats = getattr(self, "mats", None) or {}
        if isinstance(key, str) and key not in self.columns and key in mats:
            m = mats[key]
            if m.shape == (1, 1):
                return pd.Series([float(m.iloc[0, 0])], index=list(m.index))
            return m.copy()
        return super().__getitem__(key)


class Ranef(dict):
    """``ranef(m)``: a dict of frames by grouping factor; :meth:`to_frame` is
    ``as.data.frame(ranef(m, condVar = TRUE))`` (grpvar, term, grp, condval, condsd)."""

    condsd: dict[str, pd.DataFrame] | None = None
    attrs: dict[str, Any] = {}      # noqa: RUF012 - set per instance by LmerFit.ranef

    def to_frame(self) -> pd.DataFrame:
        parts = []
        for g, f in self.items():
            for c in f.columns:
                sd = self.condsd[g][c].to_numpy() if self.condsd else np.full(len(f), np.nan)
                parts.append(pd.DataFrame({"grpvar": g, "term": c, "grp": f.index,
                                           "condval": f[c].to_numpy(), "condsd": sd}))
        return pd.concat(parts, ignore_index=True)


def lmer(formula: Any, data: pd.DataFrame | None = None, REML: bool = True,
         **options: Any) -> LmerFit:
    """lme4's ``lmer(formula, data, REML = TRUE)`` (the formula as its R text)."""
    if _untranslated(data) is not None:
        return _untranslated(data)
    _check_options("lmer()", options)
    if data is None:
        raise AsrError("lmer(): no data given", hint="lmer(y ~ x + (1 | g), data = d)")
    return LmerFit(str(formula), data, REML=REML, where="lmer()")


def _response_column(d: pd.DataFrame, y: str, cols: set[str], where: str) -> str:
    """The response of ``y ~ ...``: a column's name as it is; an expression of columns
    (``PlantHeight + EarHeight ~``, ``log(y) ~``) evaluated on the rows of ``d`` into a
    column ``lme4y`` of ``d``, as R's model.frame() evaluates the left-hand side."""
    if y in cols or not re.search(r"[-+*/^()]", y):
        return y
    names = [v for v in re.findall(_NAME, y) if not re.fullmatch(r"[\d.]+", v)]
    funcs = set(re.findall(r"([A-Za-z_][\w.]*)\s*\(", y))
    missing = [v for v in names if v not in cols and v not in funcs]
    if missing or funcs - _RESPONSE_FUNCS:
        raise AsrError(f"{where}: the response {y!r} is not an expression of columns "
                       f"this emulation evaluates", hint="columns combined by + - * / ^ "
                       "and log/exp/sqrt/abs; or make the column first (d$y <- ...)")
    try:
        d["lme4y"] = pd.to_numeric(d.eval(y.replace("^", "**"), engine="python"))
    except Exception as exc:            # a syntax R reads and pandas does not
        raise AsrError(f"{where}: could not evaluate the response {y!r} ({exc})",
                       hint="make the response column first (d$y <- ...)") from exc
    return "lme4y"


#: functions an lme4 response expression may call here (R's and pandas.eval's alike)
_RESPONSE_FUNCS = frozenset({"log", "exp", "sqrt", "abs", "log10"})


def lmebreed(formula: Any, data: pd.DataFrame | None = None, relmat: Any = None,
             REML: bool = True, **options: Any) -> LmerFit:
    """lme4breeding's ``lmebreed(formula, relmat = list(g = K), data)`` (also ``lmeb``)."""
    if _untranslated(data) is not None:
        return _untranslated(data)
    _check_options("lmebreed()", options)
    if data is None:
        raise AsrError("lmebreed(): no data given",
                       hint="lmebreed(y ~ x + (1 | g), relmat = list(g = K), data = d)")
    if relmat is not None and not isinstance(relmat, dict):
        raise AsrError("lmebreed(): relmat must be a named list of matrices",
                       hint="relmat = list(g = K)")
    return LmerFit(str(formula), data, REML=REML, relmat=relmat, where="lmebreed()")


_IGNORED = {"control", "verbose", "na.action", "na_action", "dateWarning", "start",
            "devFunOnly", "contrasts", "trace", "calc.derivs"}


def _check_options(where: str, options: dict[str, Any]) -> None:
    bad = [k for k in options if k not in _IGNORED]
    if bad:
        raise AsrError(f"{where}: argument(s) {', '.join(bad)} not supported here",
                       hint="lme4's weights/offset/subset are not fitted by asr_py's "
                            "emulation; fit with asr.asreml(..., weights=) instead")


def _unsupported(name: str) -> Any:
    def fn(*_: Any, **__: Any) -> Any:
        """lme4's generalized/nonlinear mixed models are not fitted here (an error)."""
        raise AsrError(f"{name}() (lme4) is not available: asr_py fits Gaussian linear "
                       "mixed models only here",
                       hint="for binomial/Poisson traits use asr.asreml(..., "
                            "family=asr.asr_binomial()) (PQL, as ASReml)")
    fn.__name__ = name
    return fn


glmer = _unsupported("glmer")
nlmer = _unsupported("nlmer")


def fixef(m: LmerFit) -> pd.Series:
    """``fixef(m)``."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    return _lmer(m, "fixef").fixef()


def ranef(m: LmerFit, condVar: bool = True, **_: Any) -> Ranef:
    """``ranef(m, condVar)``."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    return _lmer(m, "ranef").ranef(condVar=condVar)


def VarCorr(m: LmerFit, **_: Any) -> pd.DataFrame:  # noqa: N802 - lme4's name
    """``VarCorr(m)``: a :class:`VarCorrFrame`."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    return _lmer(m, "VarCorr").VarCorr()


def ngrps(m: LmerFit) -> pd.Series:
    """``ngrps(m)``: levels per grouping factor."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    return _lmer(m, "ngrps").ngrps()


def getME(m: LmerFit, name: str) -> Any:  # noqa: N802 - lme4's name
    """``getME(m, name)``."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    return _lmer(m, "getME").getME(name)


def isSingular(m: LmerFit, tol: float = 1e-4) -> Any:  # noqa: N802 - lme4's name
    """``isSingular(m)``."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    return _lmer(m, "isSingular").isSingular(tol)


def _untranslated(*xs: Any) -> Any:
    """The placeholder among ``xs`` (an untranslated value: the script goes on), or None."""
    from asr_py.translate.checks import Untranslated

    for x in xs:
        if isinstance(x, Untranslated):
            return x._use()
    return None


def _lmer(m: Any, what: str) -> LmerFit:
    if not isinstance(m, LmerFit):
        raise AsrError(f"{what}(): not an lmer fit ({type(m).__name__})",
                       hint=f"{what}() is lme4's accessor of lmer()/lmebreed() fits")
    return m


def anova(*fits: LmerFit, names: list[str] | None = None) -> pd.DataFrame:
    """lme4's ``anova(m1, m2, ...)``: models refitted by ML when fitted by REML, sorted by
    their number of parameters, with likelihood-ratio tests between successive models."""
    if _untranslated(*fits) is not None:
        return _untranslated(*fits)
    fits = tuple(_lmer(m, "anova") for m in fits)
    if len(fits) == 1:
        return fits[0].anova()
    if len({m.n for m in fits}) > 1:
        raise AsrError("anova(): models were not all fitted to the same number of "
                       "observations", hint="fit them to the same rows")
    names = list(names) if names else [f"MODEL{i + 1}" for i in range(len(fits))]
    ml = [m.refit_ml() for m in fits]
    order = sorted(range(len(ml)), key=lambda i: ml[i].npar)
    rows = []
    prev = None
    for i in order:
        m = ml[i]
        dev = -2 * m.loglik
        row = {"npar": m.npar, "AIC": m.aic, "BIC": m.bic, "logLik": m.loglik,
               "deviance": dev, "Chisq": np.nan, "Df": np.nan, "Pr(>Chisq)": np.nan}
        if prev is not None:
            chisq = max(prev[0] - dev, 0.0)
            df = m.npar - prev[1]
            row.update({"Chisq": chisq, "Df": df,
                        "Pr(>Chisq)": stats.chi2.sf(chisq, df) if df > 0 else np.nan})
        prev = (dev, m.npar)
        rows.append(row)
    return pd.DataFrame(rows, index=[names[i] for i in order])


def _fit(m: Any, what: str) -> Any:
    from asr_py.translate.rlm import RLm

    if not isinstance(m, (LmerFit, RLm)):
        raise AsrError(f"{what}(): not an lm or lmer fit ({type(m).__name__})",
                       hint=f"{what}() here takes lm(), lmer() and lmebreed() fits")
    return m


def predict(m: Any, newdata: pd.DataFrame | None = None, re_form: Any = None,
            allow_new_levels: bool = False, **_: Any) -> pd.Series:
    """``predict()`` of an lmer fit (``re.form``, ``newdata``) or of an lm (or of an
    LMMsolve() fit: LMMsolver's predict)."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    from asr_py.translate.rlmmsolver import LMMsolveFit

    if isinstance(m, LMMsolveFit):
        return m.predict(newdata, **_)
    m = _fit(m, "predict")
    if isinstance(m, LmerFit):
        return m.predict(newdata, re_form=re_form, allow_new_levels=allow_new_levels)
    if newdata is None:
        return m.fitted_values.copy()
    from asr_py.translate.rlm import _r_name

    mm = m._spec.get_model_matrix(newdata)
    X = pd.DataFrame(np.asarray(mm, dtype=float), columns=[_r_name(c) for c in mm.columns],
                     index=newdata.index)
    cols = [m.X.columns[j] for j in m.keep]
    return pd.Series(X[cols].to_numpy() @ m.coefficients[cols].to_numpy(), index=X.index)


def vcov(m: Any, **_: Any) -> pd.DataFrame:
    """``vcov()`` of an lmer fit or an lm: covariance matrix of the fixed effects."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    m = _fit(m, "vcov")
    if isinstance(m, LmerFit):
        return m.vcov()
    cols = [m.X.columns[j] for j in m.keep]
    xk = m._xw[:, m.keep]
    return pd.DataFrame(np.linalg.inv(xk.T @ xk) * m.sigma ** 2, index=cols, columns=cols)


def nobs(m: Any) -> int:
    """``nobs()`` of an lmer fit or an lm."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    m = _fit(m, "nobs")
    return m.n if isinstance(m, LmerFit) else int(m.y.size)


def deviance(m: Any, **kw: Any) -> float:
    """``deviance()``: of an lmer fit, -2 log-likelihood (ML criterion; for a REML fit at
    the REML estimates); of an lm, the residual sum of squares (R's deviance.lm); of an
    LMMsolve() fit, LMMsolver's (``relative``, ``includeConstant``)."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    from asr_py.translate.rlmmsolver import LMMsolveFit

    if isinstance(m, LMMsolveFit):
        return m.deviance(**kw)
    m = _fit(m, "deviance")
    if isinstance(m, LmerFit):
        return m.deviance
    return float(np.sum(m.w * m.residuals.to_numpy() ** 2))


def sigma(m: Any) -> float:
    """``sigma()``: the residual standard deviation of an lmer fit or an lm."""
    if _untranslated(m) is not None:
        return _untranslated(m)
    return float(_fit(m, "sigma").sigma)
