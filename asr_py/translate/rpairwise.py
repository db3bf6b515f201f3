"""biometryassist's (1.5.0) ``pairwise_comparisons(model.obj, classify, pairs = NULL,
contrasts = NULL, adjust = "holm", by = NULL, sig = 0.05, include_means = TRUE,
descending = NULL, ...)`` of an asreml or aov/lm fit, as its R/pairwise_comparisons.R and
R/comparison_helpers.R compute it:

* predictions μ and their covariance V (asreml: ``predict(m, classify, vcov = TRUE, ...)``,
  aliased rows dropped; aov/lm: emmeans' means and covariance), the denominator df ν as in
  :mod:`asr_py.translate.rmct`; lmer: emmeans' means, their Kenward-Roger covariance and KR
  df of each comparison's own linear function (its lmerMod engine);
* the pairs: ``pairs`` (``"a - b"`` strings, split at the '-' that leaves two known levels,
  or ``list(c("a", "b"))``; two distinct levels, a duplicate or reversed pair dropped with
  a warning), by default every pair of levels in prediction order (R's ``combn``), within
  each ``by`` group (levels of the rest joined by ':'; a pair absent from a group skipped
  there with a warning);
* ``estimate = μ_i − μ_j``, ``std.error = √(V_ii + V_jj − 2V_ij)``, ``statistic`` = t,
  p = 2 P(t_ν > |t|) adjusted by ``p.adjust(adjust)`` within the group, ``conf.low/high =
  est ∓ qt(1 − sig/2, ν)·se`` (unadjusted);
* columns [by...], level1, level2, comparison ("a - b"), estimate, [level1.mean,
  level2.mean], std.error, statistic, df, p.value, conf.low, conf.high; rows by estimate
  when ``descending`` is given; attributes sig_level, comparison_method, classify, by, ylab,
  comparison_type, aliased.

``contrasts = list(name = c(level = coef, ...))`` (general linear contrasts, its
build_contrast_block): per contrast c, ``estimate = c'μ``, ``std.error = √max(0, c'Vc)``,
t, p adjusted over the group's contrasts, the same df and limits; columns [by...],
comparison (the contrast's name), estimate, std.error, statistic, df, p.value, conf.low,
conf.high; a contrast naming a level absent from a ``by`` group is skipped there with a
warning; coefficients not summing to zero give a warning (evaluated as a linear
combination). An aov/lm fit with one residual df gives the same df as emmeans' contrast().
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_pairwise_comparisons"]

_P_ADJUST = ("holm", "hochberg", "hommel", "bonferroni", "BH", "BY", "fdr", "none")


def _pairs(pairs: Any, labels: list[str]) -> list[tuple[str, str]]:
    if pairs is None:
        return list(itertools.combinations(labels, 2))
    items = [pairs] if isinstance(pairs, str) else list(pairs)
    out: list[tuple[str, str]] = []
    for p in items:
        if not isinstance(p, str):
            q = [str(x) for x in np.ravel(np.asarray(p, dtype=object))]
            if len(q) != 2:
                raise AsrError("Each element of `pairs` (list form) must be a character "
                               "vector of length 2.", hint='pairs = list(c("a", "b"))')
            out.append((q[0], q[1]))
            continue
        cand = [(p[:k].strip(), p[k + 1:].strip()) for k, ch in enumerate(p) if ch == "-"]
        hits = [c for c in cand if c[0] in labels and c[1] in labels]
        if len(hits) > 1:
            raise AsrError(f'Pair "{p}" is ambiguous because a level name contains \'-\'',
                           hint='use the list form, e.g. list(c("level1", "level2"))')
        if not hits:
            raise AsrError(f'Unknown level(s) in `pairs`: "{p}".\nAvailable levels: '
                           f"{', '.join(labels)}.", hint='pairs = c("a - b")')
        out.append(hits[0])
    for a, b in out:
        if a == b:
            raise AsrError(f'A pair must reference two distinct levels (got "{a}" twice).',
                           hint='pairs = c("a - b")')
    seen: set[frozenset[str]] = set()
    kept, dups = [], []
    for pr in out:                  # order-insensitive, the first occurrence and direction
        if frozenset(pr) in seen:
            dups.append("-".join(pr))
            continue
        seen.add(frozenset(pr))
        kept.append(pr)
    if dups:
        warnings.warn(f"Duplicate or reversed pair(s) removed: {', '.join(dups)}.",
                      stacklevel=4)
    return kept


def _check_levels(pairs: Any, labels: list[str], aliased: list[str] | None) -> None:
    """R's parse_pairs() errors for levels that are not estimable: a pair with no split
    into two known levels is split at its '-' (more or fewer than two parts: an error), and
    its parts that are no label are named, the aliased ones (dropped from the predictions)
    as aliased, the rest as unknown (its stop_unknown_levels)."""
    if pairs is None:
        return
    items = [pairs] if isinstance(pairs, str) else list(pairs)
    asked: list[str] = []
    for p in items:
        if not isinstance(p, str):
            asked += [str(x) for x in np.ravel(np.asarray(p, dtype=object))]
            continue
        s = p.strip()
        if any(s[:k].strip() in labels and s[k + 1:].strip() in labels
               for k, ch in enumerate(s) if ch == "-"):
            continue
        parts = [x.strip() for x in s.split("-")]
        if len(parts) != 2:
            raise AsrError(f'Could not unambiguously parse pair "{s}" (expected exactly two '
                           "levels separated by '-'). If a factor level contains '-', use "
                           'the list form, e.g. list(c("level1", "level2")).',
                           hint='pairs = list(c("a", "b"))')
        asked += parts
    unknown = list(dict.fromkeys(x for x in asked if x not in labels))
    if not unknown:
        return
    gone = [x for x in unknown if aliased and x in aliased]
    truly = [x for x in unknown if x not in gone]
    msg = []
    if gone:
        msg.append(f"Aliased (not estimable) level(s) in `pairs`: {', '.join(gone)}. These "
                   "levels were aliased in the model and removed from the predictions, so "
                   "they cannot be compared.")
    if truly:
        msg.append(f"Unknown level(s) in `pairs`: {', '.join(truly)}.\nAvailable levels: "
                   f"{', '.join(labels)}.")
    raise AsrError("\n".join(msg), hint='pairs = c("a - b") with estimable levels')


def _contrasts(contrasts: Any, labels: list[str], aliased: list[str] | None
               ) -> dict[str, dict[str, float]]:
    """The named list of named coefficient vectors, checked (its parse_contrasts)."""
    if isinstance(contrasts, pd.Series):
        contrasts = {str(contrasts.name or ""): contrasts}
    if not isinstance(contrasts, dict) or not contrasts or any(not str(k) for k in contrasts):
        raise AsrError("`contrasts` must be a non-empty named list of named numeric "
                       'coefficient vectors, e.g. list("A vs B&C" = c(A = 1, B = -0.5, '
                       "C = -0.5)).", hint='contrasts = list(name = c(a = 1, b = -1))')
    out: dict[str, dict[str, float]] = {}
    for name, co in contrasts.items():
        items = (list(co.items()) if isinstance(co, (dict, pd.Series)) else None)
        if not items or any(not str(k) for k, _ in items):
            raise AsrError("Each contrast must be a named numeric vector whose names are "
                           "level labels.", hint="c(a = 1, b = -0.5, c = -0.5)")
        try:
            w = {str(k): float(v) for k, v in items}
        except (TypeError, ValueError) as err:
            raise AsrError("Each contrast must be a named numeric vector whose names are "
                           "level labels.", hint="c(a = 1, b = -0.5, c = -0.5)") from err
        unknown = [k for k in w if k not in labels]
        if unknown:
            gone = [k for k in unknown if aliased and k in aliased]
            raise AsrError(f"Unknown level(s) in `contrasts`: {', '.join(unknown)}."
                           + (f" Aliased (not estimable): {', '.join(gone)}." if gone else "")
                           + f"\nAvailable levels: {', '.join(labels)}.",
                           hint="name the coefficients by the classify levels")
        tot = sum(w.values())
        if abs(tot) > 1e-8:
            warnings.warn(f"Coefficients of a contrast do not sum to zero (sum = {tot:.3g}); "
                          "it is evaluated as a general linear combination.", stacklevel=4)
        out[str(name)] = w
    return out


def _contrast_block(cons: dict[str, dict[str, float]], lab: dict[str, int], group: str,
                    mu: np.ndarray, vc: np.ndarray, dff: Any, method: str, sig: float,
                    descending: bool | None) -> pd.DataFrame | None:
    """One group's contrasts: estimate c'μ, se √(c'Vc), t on ``dff(c)`` df, p adjusted."""
    from asr_py.translate.rpadjust import r_p_adjust

    keep = {k: w for k, w in cons.items() if all(x in lab for x in w)}
    if len(keep) < len(cons):
        warnings.warn(f"In group '{group}', skipped contrast(s) referencing levels not "
                      f"present there: {', '.join(k for k in cons if k not in keep)}.",
                      stacklevel=4)
    if not keep:
        return None
    c = np.zeros((len(keep), mu.size))
    for r, w in enumerate(keep.values()):
        for x, v in w.items():
            c[r, lab[x]] += v
    est = c @ mu
    se = np.sqrt(np.maximum(0.0, np.einsum("ij,jk,ik->i", c, vc, c)))
    t = est / se
    ndf = dff(c)
    p_adj = np.asarray(r_p_adjust(list(2 * stats.t.sf(np.abs(t), ndf)), method=method),
                       dtype=float)
    crit = stats.t.isf(sig / 2, ndf)
    block = pd.DataFrame({"comparison": list(keep), "estimate": est, "std.error": se,
                          "statistic": t, "df": ndf, "p.value": p_adj,
                          "conf.low": est - crit * se, "conf.high": est + crit * se})
    if descending is not None:
        block = block.iloc[np.argsort(-est if descending else est, kind="stable")]
    return block


def _predictions(fit: Any, classify: str, dots: dict[str, Any]
                 ) -> tuple[pd.DataFrame, np.ndarray, Any, list[str] | None, str]:
    """(predictions, their covariance, df function of contrast rows over the predictions,
    aliased labels, response label). An lmer fit: emmeans' means with Kenward-Roger df
    per comparison (biometryassist's lmerMod engine)."""
    from asr_py.compat.lme4 import LmerFit
    from asr_py.translate.rlm import RLm
    from asr_py.translate.rmct import _PREDICT, _denominator_df, _response, _term_labels

    vars_ = classify.split(":")
    lin = None
    from asr_py.translate.raov import RAovList

    if isinstance(fit, (RLm, LmerFit, RAovList)):
        from asr_py.compat.emmeans import emmeans

        em = emmeans(fit, vars_)
        tab = pd.DataFrame(em).reset_index(drop=True)
        pp = tab[[*vars_, "emmean"]].rename(columns={"emmean": "predicted.value"})
        vc = np.asarray(em.vcov() if callable(getattr(em, "vcov", None)) else em.V,
                        dtype=float)
        if isinstance(fit, LmerFit):
            lin, dfun = np.asarray(em.linfct, dtype=float), em.dffun
            ylab = str(fit.y_name)
        elif isinstance(fit, RAovList):     # df per comparison (Satterthwaite over strata)
            lin, dfun = np.asarray(em.linfct, dtype=float), em.dffun
            ylab = fit.response
        else:
            ndf = float(tab["df"].iloc[0])
            ylab = fit.formula.split("~", 1)[0].strip()
    elif hasattr(fit, "predict") and hasattr(fit, "varcomp"):
        if classify not in _term_labels(fit):
            raise AsrError(f"{classify} is not a term in the model. Please check model "
                           "specification.", hint="classify = 'Variety' or 'A:B'")
        kw = {_PREDICT[k]: v for k, v in dots.items() if k in _PREDICT}
        p = fit.predict(classify=classify, vcov=True, **kw)
        pp = p[[*vars_, "predicted.value"]].reset_index(drop=True)
        vc = np.asarray(p.attrs["vcov"], dtype=float)
        ndf = _denominator_df(fit, classify, dots.get("dendf"))
        ylab = _response(fit)
    else:
        raise AsrError("model.obj must be a linear (mixed) model object. Supported here: "
                       "asreml, aov (with or without Error()), lm, lmer",
                       hint="model.obj <- asreml(...)")
    pv = pp["predicted.value"].to_numpy(dtype=float)
    aliased = None
    if np.isnan(pv).all():
        raise AsrError("All predicted values are aliased. Perhaps you need the `present` "
                       "argument?", hint="present = c('A', 'B')")
    bad = np.isnan(pv)
    if bad.any():
        aliased = [":".join(str(pp.at[i, v]) for v in vars_) for i in np.flatnonzero(bad)]
        pp, vc = pp.loc[~bad].reset_index(drop=True), vc[np.ix_(~bad, ~bad)]
        lin = None if lin is None else lin[~bad]
        warnings.warn(f"Some levels of {classify} are aliased. They have been removed from "
                      f"predicted output.\n  Aliased levels are: {', '.join(aliased)}.",
                      stacklevel=3)
    if lin is not None:
        def dff(c: np.ndarray, lin: np.ndarray = lin) -> np.ndarray:
            return np.asarray(dfun(np.atleast_2d(c) @ lin), dtype=float)
    else:
        def dff(c: np.ndarray, ndf: float = ndf) -> np.ndarray:
            return np.full(len(np.atleast_2d(c)), float(ndf))
    return pp, vc, dff, aliased, ylab


def r_pairwise_comparisons(model_obj: Any, classify: Any = None, pairs: Any = None,
                           contrasts: Any = None, adjust: str = "holm", by: Any = None,
                           sig: float = 0.05, include_means: bool = True,
                           descending: bool | None = None, **dots: Any) -> Any:
    """biometryassist's ``pairwise_comparisons``: see the module docstring."""
    from asr_py.translate.rmct import _HARMLESS, _PREDICT, _check_sig
    from asr_py.translate.rpadjust import r_p_adjust

    if isinstance(model_obj, Untranslated):
        return model_obj._use()
    if pairs is not None and contrasts is not None:
        raise AsrError("Supply only one of `pairs` or `contrasts`, not both.",
                       hint="pairs = c('a - b') or contrasts = list(...)")
    if not isinstance(adjust, str):
        raise AsrError("`adjust` must be a single character string.", hint="adjust = 'holm'")
    method = str(adjust)
    if method.lower() == "tukey":
        raise AsrError('`adjust = "tukey"` is not valid for pairwise_comparisons()',
                       hint="use multiple_comparisons() or adjust = 'holm'")
    if method.lower() == "dunnett":
        raise AsrError('`adjust = "dunnett"` is not valid for pairwise_comparisons()',
                       hint="use reference_comparisons()")
    if method.lower() not in [m.lower() for m in _P_ADJUST]:
        raise AsrError(f"Invalid `adjust` method. Must be one of: {', '.join(_P_ADJUST)}.",
                       hint="adjust = 'holm'")
    unknown = [k for k in dots if k not in _PREDICT and k not in _HARMLESS and k != "dendf"]
    if unknown:
        raise AsrError(f"pairwise_comparisons(): argument(s) {', '.join(unknown)} not "
                       "supported", hint="predict arguments such as present are")
    if not isinstance(classify, str):
        raise AsrError("pairwise_comparisons(): classify must name a model term",
                       hint="classify = 'Variety'")
    sig = float(sig)
    _check_sig(sig)
    vars_ = classify.split(":")
    by_v = [] if by is None else ([by] if isinstance(by, str) else [str(b) for b in by])
    if any(b not in vars_ for b in by_v):
        raise AsrError("`by` must be a subset of the `classify` factor(s). Unknown: "
                       f"{', '.join(b for b in by_v if b not in vars_)}.", hint="by = 'A'")
    within = [v for v in vars_ if v not in by_v]
    if not within:
        raise AsrError("`by` consumes all `classify` factors, leaving nothing to compare "
                       "within each group.", hint="by = one of the classify factors")
    pp, vc, dff, aliased, ylab = _predictions(model_obj, classify, dots)
    label = [":".join(str(pp.at[i, v]) for v in within) for i in range(len(pp))]
    key = [":".join(str(pp.at[i, v]) for v in by_v) if by_v else "All"
           for i in range(len(pp))]
    groups = list(dict.fromkeys(key))
    if by_v:       # interaction(pp[, by]) levels: by the factors' level orders
        from asr_py.translate.rmct import _factor_levels

        known = _factor_levels(model_obj, by_v) if hasattr(model_obj, "model") else None
        rank = [{x: k for k, x in enumerate(lv)} for lv in known] if known else [
            {str(x): k for k, x in enumerate(pp[v].cat.categories)}
            if isinstance(pp[v].dtype, pd.CategoricalDtype) else {} for v in by_v]
        groups.sort(key=lambda g: tuple(r.get(x, len(r)) for r, x in
                                        zip(rank[::-1], g.split(":")[::-1], strict=True)))
    _check_levels(pairs, list(dict.fromkeys(label)), aliased)   # R's stop_unknown_levels
    wanted = None if pairs is None else _pairs(pairs, list(dict.fromkeys(label)))
    cons = None if contrasts is None else _contrasts(contrasts, list(dict.fromkeys(label)),
                                                     aliased)
    mu = pp["predicted.value"].to_numpy(dtype=float)
    blocks = []
    for g in groups:
        idx = [i for i in range(len(pp)) if key[i] == g]
        if len(idx) < 2:
            warnings.warn(f"Group '{g}' has fewer than 2 levels to compare; skipping.",
                          stacklevel=2)
            continue
        lab = {label[i]: i for i in idx}
        if cons is not None:
            block = _contrast_block(cons, lab, g, mu, vc, dff, method, sig, descending)
            if block is not None:
                for v in reversed(by_v):
                    block.insert(0, v, [pp.at[idx[0], v]] * len(block))
                blocks.append(block)
            continue
        gp = (list(itertools.combinations([label[i] for i in idx], 2)) if wanted is None
              else [p for p in wanted if p[0] in lab and p[1] in lab])
        if wanted is not None and len(gp) < len(wanted):
            warnings.warn(f"In group '{g}', skipped comparison(s) referencing levels not "
                          "present there: " + ", ".join(f"{a} - {b}" for a, b in wanted
                                                       if a not in lab or b not in lab)
                          + ".", stacklevel=2)
        if not gp:
            continue
        i_ix = np.array([lab[a] for a, _ in gp])
        j_ix = np.array([lab[b] for _, b in gp])
        est = mu[i_ix] - mu[j_ix]
        dv = np.diag(vc)
        se = np.sqrt(np.maximum(0.0, dv[i_ix] + dv[j_ix] - 2 * vc[i_ix, j_ix]))
        t = est / se
        cmat = np.zeros((len(gp), mu.size))
        cmat[np.arange(len(gp)), i_ix] += 1.0
        cmat[np.arange(len(gp)), j_ix] -= 1.0
        ndf = dff(cmat)
        p_raw = 2 * stats.t.sf(np.abs(t), ndf)
        p_adj = np.asarray(r_p_adjust(list(p_raw), method=method), dtype=float)
        crit = stats.t.isf(sig / 2, ndf)
        block = pd.DataFrame({"level1": [a for a, _ in gp], "level2": [b for _, b in gp]})
        block["comparison"] = [f"{a} - {b}" for a, b in gp]
        block["estimate"] = est
        if include_means:
            block["level1.mean"], block["level2.mean"] = mu[i_ix], mu[j_ix]
        block["std.error"], block["statistic"], block["df"] = se, t, ndf
        block["p.value"] = p_adj
        block["conf.low"], block["conf.high"] = est - crit * se, est + crit * se
        for v in reversed(by_v):
            block.insert(0, v, [pp.at[idx[0], v]] * len(block))
        if descending is not None:
            block = block.iloc[np.argsort(-est if descending else est, kind="stable")]
        blocks.append(block)
    if not blocks:
        raise AsrError("No comparisons could be computed.", hint="check pairs and by")
    out = pd.concat(blocks, ignore_index=True)
    out.attrs.update({"class": ["pairwise_comparisons", "data.frame"], "sig_level": sig,
                      "comparison_method": method, "classify": classify, "by": by,
                      "ylab": ylab,
                      "comparison_type": "pairs" if contrasts is None else "contrasts"})
    if aliased:
        out.attrs["aliased"] = aliased
    return out
