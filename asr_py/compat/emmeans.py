"""emmeans' estimated marginal means for lm, lmer and asreml fits in translated scripts.

``emmeans(fit, ~ f)``, ``emmeans(fit, "f")``, ``emmeans(fit, pairwise ~ f)``, ``~ f | g``,
``pairs()``, ``contrast()``, ``summary()``/``as.data.frame()`` and the slots scripts read
(``@linfct``, ``@bhat``, ``@V``).

As emmeans: a marginal mean averages the model-matrix rows of the reference grid (numeric
covariates at their mean) over the factors not named, with equal weights over every level
of a crossed factor and, for a nested factor (``Block %in% Loc``, detected as emmeans does or
declared by ``nesting =``), over its levels with data within its nests
(:mod:`asr_py.compat.emmnest`); ``weights = "cells"``, ``"flat"``, ``"proportional"`` as
emmeans. ``emmean = L b``, ``SE = sqrt(diag(L V L'))``; a mean whose ``L`` is not estimable
(a crossed cell without data) is NA, as emmeans' ``nonEst``.

Degrees of freedom: an lm's residual df (t); for lmer fits emmeans' default
``lmer.df = "kenward-roger"`` (the KR-adjusted covariance of the fixed effects and KR df per
mean or contrast, from :mod:`asr_py.results.kenward_roger`), or ``"satterthwaite"``, or
``"asymptotic"`` (the unadjusted covariance, df ``Inf``, z). Of an asreml fit, the means are
its ``predict(classify)`` (the same definition on the fixed part), with asymptotic df. p-values
of ``pairs()`` are Tukey-adjusted by default, as emmeans; ``adjust = "none"``,
``"bonferroni"``, ``"sidak"``, ``"holm"`` are also available.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.compat.emmnest import Component, find_nesting, mean_rows, nested_weights, parse_nesting
from asr_py.compat.lme4 import _untranslated
from asr_py.errors import AsrError
from asr_py.reml.sparse_x import as_dense

__all__ = ["EmmGrid", "as_data_frame", "contrast", "emmeans", "pairs"]


class EmmGrid(pd.DataFrame):
    """An emmGrid: its summary table (columns as emmeans' ``as.data.frame``) with the slots
    ``linfct``, ``bhat``, ``V`` (``x@linfct`` translates to ``x["linfct"]``)."""

    _metadata = ["linfct", "bhat", "V", "by", "factors", "kind", "dffun"]

    @property
    def _constructor(self) -> type:
        return pd.DataFrame

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str) and key in ("linfct", "bhat", "V"):
            return getattr(self, key)
        if isinstance(key, str) and key == "grid":
            return pd.DataFrame(self[self.factors])
        return super().__getitem__(key)

    def describe(self, *_: Any, **__: Any) -> pd.DataFrame:   # type: ignore[override]
        """``summary(emm)``: the table."""
        return pd.DataFrame(self)

    def vcov(self) -> pd.DataFrame:
        """``vcov(emm)``: covariance matrix of the estimates."""
        return pd.DataFrame(self.linfct @ self.V @ self.linfct.T)


class EmmList(dict):
    """``emmeans(fit, pairwise ~ f)``: ``$emmeans`` and ``$contrasts``."""

    def __repr__(self) -> str:
        return "\n\n".join(f"${k}\n{pd.DataFrame(v).to_string()}" for k, v in self.items())

    def describe(self, *_: Any, **__: Any) -> dict[str, pd.DataFrame]:
        return {k: pd.DataFrame(v) for k, v in self.items()}


def _const(df: float) -> Any:
    return lambda L: np.full(len(L), float(df))


def _lmer_df(fit: Any, method: str) -> tuple[np.ndarray, Any]:
    """(V, df function) of an lmer fit by ``lmer.df``: 'kenward-roger' (emmeans' default:
    the KR-adjusted covariance, KR df per row), 'satterthwaite' (unadjusted covariance) or
    'asymptotic' (unadjusted, df Inf)."""
    from asr_py.results.kenward_roger import kr_info, kr_test, satterthwaite_test

    m = str(method).lower()
    if not m.startswith("asymp") and fit.n > 3000:
        # emmeans' pbkrtest.limit / lmerTest.limit: beyond 3000 records, asymptotic df
        import warnings

        warnings.warn(f"emmeans(): {fit.n} records exceed emmeans' limit of 3000 for "
                      f"{method} df; asymptotic df are used, as emmeans does", stacklevel=3)
        m = "asymptotic"
    if m.startswith("asymp"):
        return fit._vcov, _const(np.inf)
    if not (m.startswith("kenward") or m.startswith("satter")):
        raise AsrError(f"emmeans(): lmer.df = {method!r} is not supported",
                       hint="'kenward-roger', 'satterthwaite' or 'asymptotic'")
    # pbkrtest differentiates Σ in every variance parameter, a zero one too (a singular
    # lmer fit: the emulation dropped the term, kr_fit still has it on its boundary)
    kfit = getattr(fit, "kr_fit", fit.fit) if m.startswith("kenward") else fit.fit
    Xa = as_dense(kfit.model.X)
    X = fit.X.to_numpy()
    perm = []       # column j of lme4's X is column perm[j] of asr_py's
    for j in range(X.shape[1]):
        hit = [k for k in range(Xa.shape[1]) if np.allclose(Xa[:, k], X[:, j])]
        if len(hit) != 1:
            raise AsrError("emmeans(): cannot match the fixed effects for Kenward-Roger",
                           hint="use lmer.df = 'asymptotic'")
        perm.append(hit[0])
    info = kr_info(kfit.model, kfit.result, boundary=kfit is not fit.fit)
    test = kr_test if m.startswith("kenward") else satterthwaite_test
    phi = info.phi_a if m.startswith("kenward") else info.phi
    V = np.asarray(phi)[np.ix_(perm, perm)]
    beta_a = np.asarray(kfit.result.beta, dtype=float).ravel()

    def dffun(L: np.ndarray) -> np.ndarray:
        out = []
        for row in np.atleast_2d(L):
            la = np.zeros(Xa.shape[1])
            la[perm] = row
            out.append(test(info, beta_a, la[:, None])["denDF"])
        return np.array(out, dtype=float)
    return V, dffun


def _model(fit: Any, lmer_df: str = "kenward-roger"
           ) -> tuple[np.ndarray, np.ndarray, list[int], Any, pd.DataFrame, Any, np.ndarray, str]:
    """(beta, V, positions of the estimated columns among the model matrix's, formulaic
    spec, data, df function, the full model matrix, the response's name) of a fit."""
    from asr_py.compat.lme4 import LmerFit
    from asr_py.translate.rlm import RLm

    if isinstance(fit, LmerFit):
        V, dffun = _lmer_df(fit, lmer_df)
        return (fit.beta, V, list(fit._keep), fit._spec, fit.data, dffun, fit._x_all,
                fit.y_name)
    if isinstance(fit, RLm):
        keep = fit.keep
        xk = fit._xw[:, keep]
        v = np.linalg.inv(xk.T @ xk) * fit.sigma ** 2
        return (fit.coefficients.to_numpy()[keep], v, list(keep), fit._spec, fit.data,
                _const(fit.df_residual), fit.X.to_numpy(),
                fit.formula.split("~")[0].strip().strip("`"))
    from asr_py.translate.raov import RAovList

    if isinstance(fit, RAovList):          # aov(y ~ ... + Error(e)): intra-block basis
        beta, V, keep, dffun = fit.emm_basis()
        return beta, V, keep, fit._spec, fit.data, dffun, fit.X, fit.response
    raise AsrError(f"emmeans(): fits of type {type(fit).__name__} are not supported",
                   hint="emmeans() takes lm(), lmer() and asreml fits")


def _specs(specs: Any) -> tuple[list[str], list[str], bool]:
    """(factors, by factors, pairwise?) of ``~ f``, ``"f"``, ``pairwise ~ f | g``."""
    if isinstance(specs, (list, tuple)):
        return [str(s) for s in specs], [], False
    text = " ".join(str(specs).split())
    pair = False
    if "~" in text:
        lhs, text = (s.strip() for s in text.split("~", 1))
        if lhs:
            if lhs not in ("pairwise", "revpairwise"):
                raise AsrError(f"emmeans(): the contrast {lhs!r} ~ is not supported",
                               hint="use pairwise ~ f, or contrast(emm, method = ...)")
            pair = True
    by: list[str] = []
    if "|" in text:
        text, b = (s.strip() for s in text.split("|", 1))
        by = [s.strip() for s in re.split(r"[*:+]", b) if s.strip()]
    facs = [s.strip() for s in re.split(r"[*:+]", text) if s.strip()]
    # pairwise ~ "f": a quoted name in the formula (emmeans reads it as f)
    return [f.strip("\"'`") for f in facs], [b.strip("\"'`") for b in by], pair


def _levels(col: pd.Series) -> list[Any]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    vals = list(col.dropna().unique())
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def emmeans(fit: Any, specs: Any = None, by: Any = None, **options: Any) -> Any:
    """emmeans' ``emmeans(fit, specs, by)``; see the module's docstring."""
    if _untranslated(fit) is not None:
        return _untranslated(fit)
    if specs is None:
        raise AsrError("emmeans(): no specs given", hint="emmeans(fit, ~ f)")
    for k in options:
        if k not in ("lmer.df", "type", "level", "adjust", "weights", "data", "nesting",
                     "nuisance", "non.nuisance", "wt.nuis", "rg.limit"):
            raise AsrError(f"emmeans(): argument {k!r} is not supported")
    facs, by_f, pair = _specs(specs)
    if by is not None:
        by_f = [by] if isinstance(by, str) else list(by)
    if _is_asreml(fit):
        em = _asreml_means(fit, facs + [b for b in by_f if b not in facs], by_f,
                           float(options.get("level", 0.95)))
        if pair:
            return EmmList(emmeans=em, contrasts=contrast(
                em, "pairwise", adjust=options.get("adjust", "tukey")))
        return em
    beta, V, keep, spec, data, dffun, x_all, yname = _model(
        fit, options.get("lmer.df", "kenward-roger"))
    variables = [v for v in spec.variables_by_source.get("data", set())
                 if v in data.columns] if hasattr(spec, "variables_by_source") else []
    if not variables:
        variables = [c for c in data.columns if re.search(rf"\b{re.escape(str(c))}\b",
                                                          str(spec.formula))]
    variables = sorted((v for v in variables if v != yname), key=list(data.columns).index)
    numeric = [v for v in variables if pd.api.types.is_numeric_dtype(data[v])
               and not isinstance(data[v].dtype, pd.CategoricalDtype)]
    factors = [v for v in variables if v not in numeric]
    for f in facs + by_f:
        if f not in factors:
            raise AsrError(f"emmeans(): {f!r} is not a factor of the fixed model",
                           hint=f"one of {', '.join(factors) or '(none)'}")
    _check_nuisance(options, factors, facs + by_f)
    used = data[[*variables, *([yname] if yname in data.columns else [])]].notna().all(axis=1)
    cells = data.loc[used.to_numpy(), factors].drop_duplicates().reset_index(drop=True)
    levels = {f: _levels(data[f]) for f in factors}
    terms = [frozenset(spec.term_variables.get(t, set()) & set(variables))
             for t in spec.term_slices]
    terms = [t for t in terms if t]
    if "nesting" in options:
        nesting = {} if options["nesting"] is None else parse_nesting(options["nesting"],
                                                                         factors)
    else:
        nesting = find_nesting(cells, factors, terms)
    keys = facs + [b for b in by_f if b not in facs]
    # a nested factor's means are within its nesting factors (emmeans adds them)
    nested_keys = [k for k in keys if k in nesting]
    keys = list(dict.fromkeys(nested_keys + [g for k in nested_keys for g in nesting[k]]
                              + keys))
    # a nested by factor groups within its nests (emmeans widens by to them)
    by_f = list(dict.fromkeys([g for b in by_f if b in nesting for g in nesting[b]] + by_f))
    out_levels = [tuple(reversed(c)) for c in
                  itertools.product(*[levels[f] for f in reversed(keys)])]
    if nested_keys:     # only the combinations of a nested factor and its nests with data
        have = {k: set(cells[[k, *nesting[k]]].itertuples(index=False, name=None))
                for k in nested_keys}
        pos = {f: i for i, f in enumerate(keys)}
        out_levels = [lv for lv in out_levels if all(
            (lv[pos[k]], *(lv[pos[g]] for g in nesting[k])) in have[k]
            for k in nested_keys)]
    dists = _distributions(out_levels, keys, factors, levels, cells, nesting,
                           data.loc[used.to_numpy(), factors], options.get("weights", "equal"))
    cats = {f: data[f].cat.categories for f in factors
            if isinstance(data[f].dtype, pd.CategoricalDtype)}
    cats.update({f: levels[f] for f in factors if f not in cats})
    L_all = mean_rows(spec, dists, factors, {v: float(data[v].mean()) for v in numeric},
                      {f: levels[f][0] for f in factors}, cats, x_all.shape[1])
    L = L_all[:, keep]
    L[~_estimable(L_all, x_all)] = np.nan      # emmeans' nonEst: reported NA
    est = L @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", L, V, L))
    table = pd.DataFrame(out_levels, columns=keys)
    em = _grid(table, est, se, dffun, L, beta, V, by_f, keys, "emmean",
               float(options.get("level", 0.95)))
    if pair:
        return EmmList(emmeans=em, contrasts=contrast(em, "pairwise",
                                                      adjust=options.get("adjust", "tukey")))
    return em


def _check_nuisance(options: dict[str, Any], factors: list[str], named: list[str]) -> None:
    """ref_grid's ``nuisance`` factors (or all but ``non.nuisance``): emmeans averages them
    out of the reference grid beforehand, ``wt.nuis = "equal"`` by default, which gives the
    means of averaging them with the others, as here (no grid is built: ``rg.limit`` has no
    effect). A named factor cannot be a nuisance; other weights are not supported."""
    if str(options.get("wt.nuis", "equal")).lower() != "equal":
        raise AsrError(f"emmeans(): wt.nuis = {options['wt.nuis']!r} is not supported",
                       hint="wt.nuis = 'equal' (emmeans' default)")
    nuis = options.get("nuisance")
    nuis = [] if nuis is None else [nuis] if isinstance(nuis, str) else list(nuis)
    keep = options.get("non.nuisance")
    if keep is not None:
        keep = [keep] if isinstance(keep, str) else list(keep)
        nuis += [f for f in factors if f not in keep]
    bad = [f for f in nuis if f not in factors or f in named]
    if bad:
        raise AsrError(f"emmeans(): nuisance {bad} must be factors of the model that the "
                       "means are not of", hint=f"factors: {', '.join(factors)}")


def _estimable(L: np.ndarray, X: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    """Rows of ``L`` that are estimable: orthogonal to the null space ``N`` of ``X``
    (``|N' l|^2 / |l|^2 < tol``, the estimability package's rule emmeans uses); a NaN row
    is not."""
    ok = ~np.isnan(L).any(axis=1)
    if not ok.any():
        return ok
    # V' of the SVD, all p rows (with n >= p the thin SVD has them: no n x n U is formed)
    _, sv, vt = np.linalg.svd(X, full_matrices=X.shape[0] < X.shape[1])
    rank = int((sv > sv.max() * max(X.shape) * np.finfo(float).eps).sum()) if sv.size else 0
    null = vt[rank:].T
    if null.shape[1] == 0:
        return ok
    Lk = np.where(ok[:, None], L, 0.0)
    ratio = (Lk @ null) ** 2
    return ok & (ratio.sum(axis=1) <= tol * np.maximum((Lk ** 2).sum(axis=1), 1e-300))


def _distributions(out_levels: list[tuple], keys: list[str], factors: list[str],
                   levels: dict[str, list[Any]], cells: pd.DataFrame,
                   nesting: dict[str, list[str]], rows: pd.DataFrame, weights: Any
                   ) -> list[list[Component] | None]:
    """For each mean (``out_levels`` of ``keys``), the factor combinations it averages
    over, as independent components (None where emmeans' mean is not estimable for want of
    data): see :mod:`asr_py.compat.emmnest` for ``weights = "equal"``; ``"cells"``: the
    data's frequencies of the cells at that mean's levels, ``"flat"``: those cells with
    equal weight, ``"proportional"``: the data's frequencies of the combinations of the
    averaged factors, the same for every mean."""
    avg = [f for f in factors if f not in keys]
    w = str(weights).lower()
    if w not in ("equal", "cells", "flat", "proportional"):
        raise AsrError(f"emmeans(): weights = {weights!r} is not supported",
                       hint="'equal' (emmeans' default), 'cells', 'flat' or 'proportional'")
    a_nested = [f for f in avg if f in nesting]
    if w in ("flat", "proportional") and a_nested:
        raise AsrError(f"emmeans(): weights = {weights!r} with nested factors averaged over "
                       f"({', '.join(a_nested)}) is not supported", hint="weights = 'equal'")
    out: list[list[Component] | None] = []
    if w != "equal":
        pool = rows[avg].value_counts(sort=False) if avg else None
        for lv in out_levels:
            fixed = Component(keys, pd.DataFrame([lv], columns=keys), np.ones(1))
            if not avg:
                out.append([fixed])
                continue
            if w == "proportional":
                cnt = pool
            else:
                sub = rows[(rows[keys] == pd.Series(lv, index=keys)).all(axis=1)]
                cnt = sub[avg].value_counts(sort=False)
                if w == "flat":
                    cnt = cnt.clip(upper=1)
            if cnt is None or cnt.sum() == 0:
                out.append(None)
                continue
            combos = cnt.index.to_frame(index=False)
            combos.columns = avg
            out.append([fixed, Component(avg, combos, cnt.to_numpy(float) / cnt.sum())])
        return out
    ncols = list(dict.fromkeys([g for a in a_nested for g in nesting[a]] + a_nested))
    crossed = [f for f in avg if f not in ncols]
    nc = cells[ncols].drop_duplicates().reset_index(drop=True) if ncols else None
    nw = nested_weights(nc, nesting, a_nested) if nc is not None else None
    mix = [f for f in ncols if f not in keys and f not in a_nested]   # crossed nests
    on = [f for f in ncols if f in keys]
    # the crossed factors' and the nested parts' components are shared by the means
    # (emmnest.mean_rows computes a shared part's marginal once)
    uniform = [Component([f], pd.DataFrame({f: levels[f]}), np.full(len(levels[f]),
                                                                    1 / len(levels[f])))
               for f in crossed]
    parts: dict[tuple, Component | None] = {}
    for lv in out_levels:
        comps = [Component(keys, pd.DataFrame([lv], columns=keys), np.ones(1)), *uniform]
        if nc is not None:
            pos = dict(zip(keys, lv))
            at = tuple(pos[f] for f in on)
            if at not in parts:
                parts[at] = _nested_part(nc, nw, on, at, mix, levels,
                                         [f for f in ncols if f not in keys])
            if parts[at] is None:
                out.append(None)            # a crossed nest without data: not estimable
                continue
            comps.append(parts[at])
        out.append(comps)
    return out


def _nested_part(nc: pd.DataFrame, nw: np.ndarray, on: list[str], at: tuple,
                 mix: list[str], levels: dict[str, list[Any]], rest: list[str]
                 ) -> Component | None:
    """The nested factors' part of a mean at the values ``at`` of its named factors ``on``:
    the data's combinations there with their weights, spread equally over the crossed
    nesting factors ``mix`` (None when one of their levels has no data there)."""
    m = np.ones(len(nc), dtype=bool)
    for f, v in zip(on, at):
        m &= (nc[f] == v).to_numpy()
    sub, sw = nc[m], nw[m]
    n_mix = int(np.prod([len(levels[f]) for f in mix])) if mix else 1
    if len(sub) == 0 or (mix and len(sub[mix].drop_duplicates()) < n_mix):
        return None
    return Component(rest, sub[rest].reset_index(drop=True), sw / n_mix)


def _is_asreml(fit: Any) -> bool:
    from asr_py.results.fit import AsremlFit

    return isinstance(fit, AsremlFit)


def _asreml_means(fit: Any, keys: list[str], by: list[str], level: float) -> EmmGrid:
    """The marginal means of an asreml fit: its ``predict(classify)`` (fixed factors not in
    classify averaged with equal weights, random terms left out, covariates at their mean:
    emmeans' definition on the fixed part), with ``vcov``; the slots hold the predictions
    (``linfct`` the identity, ``bhat`` the means, ``V`` their covariance matrix)."""
    p = fit.predict(classify=":".join(keys), vcov=True)
    missing = [k for k in keys if k not in p.columns]
    if missing:
        raise AsrError(f"emmeans(): {missing} are not factors of the asreml fit",
                       hint="name factors of the fixed model")
    est = p["predicted.value"].to_numpy(dtype=float)
    V = np.asarray(p.attrs["vcov"], dtype=float)
    table = p[keys].reset_index(drop=True)
    # emmeans' order: the first factor varies fastest
    levels = [{v: j for j, v in enumerate(dict.fromkeys(table[k]))} for k in keys]
    order = sorted(range(len(table)), key=lambda i: tuple(
        levels[j][table.iloc[i][k]] for j, k in reversed(list(enumerate(keys)))))
    table, est, V = table.iloc[order].reset_index(drop=True), est[order], V[np.ix_(order, order)]
    return _grid(table, est, np.sqrt(np.diag(V)), _const(np.inf), np.eye(len(est)), est, V,
                 by, keys, "emmean", level)


def _grid(table: pd.DataFrame, est: np.ndarray, se: np.ndarray, dffun: Any, L: np.ndarray,
          beta: np.ndarray, V: np.ndarray, by: list[str], factors: list[str], kind: str,
          level: float = 0.95) -> EmmGrid:
    t = table.copy()
    df = dffun(L)
    t[kind] = est
    t["SE"] = se
    t["df"] = df
    q = stats.t.ppf((1 + level) / 2, df)        # the normal quantile where df is Inf
    lo, hi = ("asymp.LCL", "asymp.UCL") if np.isinf(df).all() else ("lower.CL", "upper.CL")
    if kind == "emmean":
        t[lo] = est - q * se
        t[hi] = est + q * se
    g = EmmGrid(t)
    g.linfct, g.bhat, g.V, g.by, g.factors, g.kind, g.dffun = L, beta, V, by, factors, kind, \
        dffun
    return g


def _adjust(p: np.ndarray, t: np.ndarray, adjust: str, k: int, df: np.ndarray) -> np.ndarray:
    m = len(p)
    a = str(adjust).lower()
    if a == "none" or m <= 1:
        return p
    if a == "tukey":
        d = np.where(np.isinf(df), 1e6, df)
        return np.clip(stats.studentized_range.sf(np.abs(t) * np.sqrt(2), k, d), 0, 1)
    if a == "bonferroni":
        return np.minimum(p * m, 1)
    if a == "sidak":
        return 1 - (1 - p) ** m
    if a == "holm":
        o = np.argsort(p)
        adj = np.maximum.accumulate(np.minimum((m - np.arange(m)) * p[o], 1))
        out = np.empty(m)
        out[o] = adj
        return out
    raise AsrError(f"p-value adjustment {adjust!r} is not supported",
                   hint="one of 'tukey', 'none', 'bonferroni', 'sidak', 'holm'")


def contrast(em: EmmGrid, method: Any = "eff", adjust: str | None = None,
             **_: Any) -> EmmGrid:
    """emmeans' ``contrast(emm, method)``: 'pairwise', 'revpairwise', 'eff', 'del.eff',
    'trt.vs.ctrl' (against the first level, adjust 'none' unless given), or a dict of named
    coefficient vectors."""
    if _untranslated(em) is not None:
        return _untranslated(em)
    if isinstance(em, EmmList):
        em = em["emmeans"]
    if not isinstance(em, EmmGrid):
        raise AsrError("contrast(): not an emmeans result", hint="contrast(emmeans(fit, ~ f))")
    by = list(em.by)
    own = [f for f in em.factors if f not in by]
    groups = [tuple(r) for r in em[by].astype(object).itertuples(index=False)] if by \
        else [()] * len(em)
    rows_l, labels, blocks = [], [], []
    for g in dict.fromkeys(groups):
        idx = [i for i, x in enumerate(groups) if x == g]
        names = [" ".join(str(v) for v in em[own].iloc[i]) for i in idx]
        k = len(idx)
        coef: list[tuple[str, np.ndarray]] = []
        m = method.lower() if isinstance(method, str) else method
        if m in ("pairwise", "revpairwise"):
            # emmeans' orders: pairwise 1-2, 1-3, ..., 2-3, ...; revpairwise 2-1, 3-1, 3-2, ...
            prs = itertools.combinations(range(k), 2) if m == "pairwise" else \
                ((a, b) for b in range(1, k) for a in range(b))
            for a, b in prs:
                c = np.zeros(k)
                if m == "pairwise":
                    c[a], c[b] = 1, -1
                    coef.append((f"{names[a]} - {names[b]}", c))
                else:
                    c[b], c[a] = 1, -1
                    coef.append((f"{names[b]} - {names[a]}", c))
        elif m in ("eff", "del.eff"):
            for a in range(k):
                c = np.full(k, -1.0 / (k if m == "eff" else k - 1))
                c[a] = 1 - 1.0 / k if m == "eff" else 1.0
                coef.append((f"{names[a]} effect", c))
        elif m == "trt.vs.ctrl":
            for a in range(1, k):
                c = np.zeros(k)
                c[a], c[0] = 1, -1
                coef.append((f"{names[a]} - {names[0]}", c))
        elif isinstance(method, dict):
            for nm, v in method.items():
                c = np.asarray(v, dtype=float).ravel()
                if c.size != k:
                    raise AsrError(f"contrast(): coefficients {nm!r} have {c.size} values "
                                   f"for {k} means", hint="one coefficient per mean")
                coef.append((str(nm), c))
        else:
            raise AsrError(f"contrast(): method {method!r} is not supported",
                           hint="'pairwise', 'revpairwise', 'eff', 'trt.vs.ctrl' or a "
                                "named list of coefficient vectors")
        blk = []
        for nm, c in coef:
            row = np.zeros(len(em))
            row[idx] = c
            rows_l.append(row)
            labels.append((nm, *g))
            blk.append(len(rows_l) - 1)
        blocks.append((blk, k))
    C = np.array(rows_l)
    na = np.isnan(em.linfct).any(axis=1)        # a non-estimable mean: its contrasts NA
    L = C @ np.where(na[:, None], 0.0, em.linfct)
    L[(C[:, na] != 0).any(axis=1)] = np.nan
    est = L @ em.bhat
    se = np.sqrt(np.einsum("ij,jk,ik->i", L, em.V, L))
    table = pd.DataFrame(labels, columns=["contrast", *by])
    out = _grid(table, est, se, em.dffun, L, em.bhat, em.V, by, ["contrast", *by],
                "estimate")
    tval = est / se
    df = out["df"].to_numpy(dtype=float)
    p = 2 * stats.t.sf(np.abs(tval), df)
    if adjust is None:
        adjust = "tukey" if isinstance(method, str) and method.lower() in (
            "pairwise", "revpairwise") else ("fdr" if method == "eff" else "none")
    padj = np.empty_like(p)
    for blk, k in blocks:
        if str(adjust).lower() == "fdr":
            pb = p[blk]
            o = np.argsort(pb)[::-1]
            m = len(pb)
            adj = np.minimum.accumulate(pb[o] * m / np.arange(m, 0, -1))
            res = np.empty(m)
            res[o] = np.minimum(adj, 1)
            padj[blk] = res
        else:
            padj[blk] = _adjust(p[blk], tval[blk], adjust, k, df[blk])
    ratio = "z.ratio" if np.isinf(df).all() else "t.ratio"
    out = out.assign(**{ratio: tval, "p.value": padj})
    g = EmmGrid(out)
    g.linfct, g.bhat, g.V, g.by, g.factors, g.kind, g.dffun = L, em.bhat, em.V, by, \
        ["contrast", *by], "estimate", em.dffun
    return g


def pairs(em: Any, adjust: str = "tukey", reverse: bool = False, **_: Any) -> EmmGrid:
    """emmeans' ``pairs(emm)``: all pairwise differences, Tukey-adjusted p-values (of a
    data frame: graphics' scatterplot matrix, not drawn here: None)."""
    if _untranslated(em) is not None:
        return _untranslated(em)
    if isinstance(em, pd.DataFrame) and not isinstance(em, EmmGrid):
        return None
    return contrast(em, "revpairwise" if reverse else "pairwise", adjust=adjust)


def as_data_frame(x: Any) -> Any:
    """``as.data.frame()`` of an emmeans result: its table (other objects unchanged)."""
    return pd.DataFrame(x) if isinstance(x, EmmGrid) else x
