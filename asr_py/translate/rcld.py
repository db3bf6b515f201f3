"""``multcomp::cld()`` of an emmeans result (emmeans' ``cld.emmGrid`` method) in translated
scripts: its rule and runtime.

``cld(object, details = FALSE, sort = TRUE, by, alpha = 0.05, Letters = c("1234567890",
LETTERS, letters), reversed = decreasing, decreasing = FALSE, signif.sets = FALSE, ...)`` as
emmeans documents it:

1. the means table (``summary(object)``) is sorted by estimate, ascending, within each
   ``by`` group (``by`` defaults to the object's own; R's ``order`` is stable);
2. within each group the sorted means are compared pairwise in emmeans' ``revpairwise``
   order (``2 - 1``, ``3 - 1``, ``3 - 2``, ``4 - 1``, ...): estimate ``l_j'b - l_i'b``, SE
   ``sqrt(d'Vd)``, the df the emulated emmeans gives (an lm's residual df; for an lmer fit
   Kenward-Roger df per contrast, emmeans' default), p-values Tukey-adjusted over the k
   means of the group (studentized range, ``P(q_{k,df} > |t| sqrt 2)``) unless ``adjust``
   says otherwise;
3. two means differ when p < alpha; the letters are Piepho's (2004) insert-absorb display
   as multcompView's ``multcompLetters`` builds it (no sweep step): start with one letter
   shared by all; for each differing pair (i, j), every letter held by both is split into a
   copy without i and the original without j, and then any letter whose means all hold
   another letter is dropped; letters are ordered by the first mean holding them (ties by
   the next mean, recursively) and named from ``Letters`` (strings split into characters).
   ``.group`` is the monospaced display (a letter or a blank per column) after one blank;
   means sharing a letter were not shown to differ. ``reversed``/``decreasing`` reverse the
   letters and, when sorted, the rows; ``signif.sets = TRUE`` marks differing means instead
   (column ``.signif.set``).

``details = TRUE`` gives a list: ``$emmeans`` (the table with ``.group``) and
``$comparisons`` (contrast, [by], estimate, SE, df, t.ratio or z.ratio, p.value). An
``adjust`` given to cld() also adjusts the means' confidence limits as emmeans' summary
does: Sidak for ``tukey``/``sidak`` (level ``L^(1/k)``), Bonferroni (``1 - (1-L)/k``) for
``bonferroni`` and the p-value methods (``holm``, ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import pkg_of
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "PACKAGES", "letter_matrix", "compact_letters", "r_cld", "translate"]

FUNCTIONS = frozenset({"cld", "CLD"})
PACKAGES: frozenset[str] = frozenset()
_ARGS = ("object", "details", "sort", "by", "alpha", "Letters", "reversed", "decreasing",
         "signif.sets", "delta")
_EXTRA = ("adjust", "which")
_DEFAULT_LETTERS = ("1234567890", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MISSING = object()


def translate(tr: Any, e: Any) -> str | None:
    """``cld(x, ...)`` / ``multcomp::cld(x, ...)`` / ``emmeans::CLD(x, ...)`` ->
    ``r_cld(...)`` (R's positional order and partial names); None otherwise."""
    pkg = pkg_of(e.left) if e.left is not None else ""
    if pkg not in ("", "multcomp", "emmeans"):
        return None
    try:                          # R's exact, partial, positional (rmatchargs); cld's
        got = match_args((*_ARGS, "..."), e.args, "cld")   # methods take adjust/which in ...
    except ArgMatchError:
        return None
    extra = got.pop("...")
    if any(n not in _EXTRA for n, _ in extra):
        return None
    if "object" not in got or got["object"].kind == "empty":
        return None
    out = [f"{k.replace('.', '_')}={tr.py(a)}"
           for k, a in [*((k, got[k]) for k in _ARGS if k in got), *extra] if a.kind != "empty"]
    return f"{tr.runtime('r_cld')}({', '.join(out)})"


def _absorb(m: np.ndarray) -> np.ndarray:
    """Drop letters (columns) whose means all hold another letter, first pair first, until
    none is left (multcompView's order: for i < j, j inside i goes, else i inside j)."""
    while True:
        k = m.shape[1]
        drop = None
        for i in range(k - 1):
            for j in range(i + 1, k):
                if m[m[:, j], i].all():
                    drop = j
                elif m[m[:, i], j].all():
                    drop = i
                if drop is not None:
                    break
            if drop is not None:
                break
        if drop is None:
            return m
        m = np.delete(m, drop, axis=1)


def _first(col: np.ndarray) -> float:
    hit = np.flatnonzero(col)
    return float(hit[0]) if hit.size else np.inf


def _sort_cols(b: np.ndarray) -> np.ndarray:
    """Letters ordered by the first mean holding them; two with the same first mean are
    ordered by the means below it, recursively (adjacent ties, as multcompView)."""
    if b.shape[1] < 2:
        return b
    first = np.array([_first(b[:, j]) for j in range(b.shape[1])])
    order = np.argsort(first, kind="stable")
    b, first = b[:, order].copy(), first[order]
    for i in range(len(first) - 1):
        if np.isfinite(first[i]) and first[i] == first[i + 1]:
            rows = slice(int(first[i]) + 1, b.shape[0])
            b[rows, i:i + 2] = _sort_cols(b[rows, i:i + 2])
    return b


def letter_matrix(n: int, differ: list[tuple[int, int]]) -> np.ndarray:
    """Piepho's insert-absorb letter matrix (n means x letters, True where a mean holds a
    letter) for the differing pairs ``(i, j)``, i < j, 0-based, taken in the order given."""
    m = np.ones((n, 1), dtype=bool)
    for i, j in differ:
        both = m[i] & m[j]
        if both.any():
            copy = m[:, both].copy()
            copy[i] = False
            m[j, both] = False
            m = _absorb(np.hstack([m, copy]))
    return _sort_cols(m)


def _letter_names(k: int, letters: list[str]) -> list[str]:
    """k letter names from ``letters``; past its end the last one prefixes the others
    (multcompView's makeLtrs: with a-z, 'a'..'y', then 'za', 'zb', ...)."""
    if k < len(letters):
        return letters[:k]
    last = letters[-1]
    return letters[:-1] + _letter_names(k - len(letters) + 1,
                                        [last + x for x in letters[:-1]] + [last])


def compact_letters(n: int, differ: list[tuple[int, int]], letters: list[str],
                    reversed_: bool = False) -> list[str]:
    """The monospaced letter display of each of n means (a letter or blanks per column)."""
    m = letter_matrix(n, differ)
    if reversed_:
        m = m[:, ::-1]
    names = _letter_names(m.shape[1], letters)
    return ["".join(nm if m[r, c] else " " * len(nm) for c, nm in enumerate(names))
            for r in range(n)]


def _letters_arg(letters: Any) -> list[str]:
    vals = [letters] if isinstance(letters, str) else list(np.ravel(np.asarray(letters,
                                                                               dtype=object)))
    out = [ch for s in vals for ch in str(s)]
    if not out:
        raise AsrError("cld(Letters = ...): no letters given",
                       hint="Letters = letters, or a vector of symbols")
    return out


def _groups(tbl: pd.DataFrame, by: list[str]) -> list[np.ndarray]:
    """Row positions of each by group, groups in order of first appearance."""
    if not by:
        return [np.arange(len(tbl))]
    keys = [tuple(r) for r in tbl[by].astype(object).itertuples(index=False)]
    return [np.array([i for i, x in enumerate(keys) if x == g]) for g in dict.fromkeys(keys)]


def _ci_level(adjust: str, level: float, k: int) -> float:
    """The per-interval level of k intervals under emmeans' adjustment of means' limits:
    Sidak ``L^(1/k)`` (also for 'tukey', which emmeans turns to 'sidak' for means),
    Bonferroni ``1 - (1-L)/k`` (also for p-value methods as 'holm', 'fdr', as emmeans)."""
    a = adjust.lower()
    if a in ("scheffe", "dunnettx", "mvt"):
        raise AsrError(f"cld(adjust = {adjust!r}): not supported for the means' limits",
                       hint="adjust = 'tukey', 'sidak', 'bonferroni' or 'none'")
    if a == "none" or k <= 1:
        return level
    if a in ("tukey", "sidak"):
        return level ** (1.0 / k)
    return 1 - (1 - level) / k


def _adjusted_ci(tbl: pd.DataFrame, est: str, groups: list[np.ndarray], adjust: str) -> None:
    lo, hi = ("asymp.LCL", "asymp.UCL") if "asymp.LCL" in tbl.columns else \
        ("lower.CL", "upper.CL")
    if lo not in tbl.columns:
        return
    for idx in groups:
        lev = _ci_level(adjust, 0.95, len(idx))
        q = stats.t.ppf((1 + lev) / 2, tbl["df"].to_numpy(dtype=float)[idx])
        se = tbl["SE"].to_numpy(dtype=float)[idx]
        e = tbl[est].to_numpy(dtype=float)[idx]
        tbl.loc[tbl.index[idx], lo] = e - q * se
        tbl.loc[tbl.index[idx], hi] = e + q * se


def r_cld(object: Any, details: bool = False, sort: bool = True, by: Any = _MISSING,
          alpha: float = 0.05, Letters: Any = _DEFAULT_LETTERS, reversed: Any = None,
          decreasing: bool = False, signif_sets: bool = False, delta: float = 0.0,
          adjust: str | None = None, which: int = 1) -> Any:
    """emmeans' ``cld()`` of an emmGrid (or of ``emmeans(fit, pairwise ~ f)``'s list, its
    ``which``-th element); see the module docstring."""
    from asr_py.compat.emmeans import EmmGrid, EmmList, _adjust

    if isinstance(object, Untranslated):
        return object._use()
    if isinstance(object, EmmList):
        object = list(object.values())[int(which) - 1]
    if not isinstance(object, EmmGrid):
        raise AsrError(f"cld(): an object of type {type(object).__name__} is not supported; "
                       "only emmeans results (emmGrid) are",
                       hint="cld(emmeans(fit, ~ f)); multcomp's cld() of a glht() object "
                            "is not emulated")
    if delta and float(delta) > 0:
        raise AsrError("cld(delta = ...): equivalence groupings (TOST) are not supported",
                       hint="leave delta = 0")
    rev = bool(decreasing) if reversed is None else bool(reversed)
    letters = _letters_arg(Letters)
    est = object.kind
    by_f = list(object.by) if by is _MISSING else (
        [] if by is None else [by] if isinstance(by, str) else [str(b) for b in by])
    tbl = pd.DataFrame(object).reset_index(drop=True).copy()
    L = np.asarray(object.linfct, dtype=float)
    if sort:
        keys = [tbl[est].to_numpy(dtype=float)]
        for b in by_f[::-1]:          # np.lexsort: the last key is the primary one
            codes = {v: i for i, v in enumerate(dict.fromkeys(tbl[b]))}
            keys.append(np.array([codes[v] for v in tbl[b]]))
        order = np.lexsort(keys)           # stable, as R's order()
        tbl, L = tbl.iloc[order].reset_index(drop=True), L[order]
    groups = _groups(tbl, by_f)
    if adjust is not None:
        _adjusted_ci(tbl, est, groups, str(adjust))
    own = [f for f in object.factors if f not in by_f]
    names = [" ".join(str(v) for v in r) for r in tbl[own].astype("O").itertuples(
        index=False)]
    rows, dl, fam = [], [], []
    for gi, idx in enumerate(groups):
        for j in range(1, len(idx)):
            for i in range(j):
                rows.append((f"{names[idx[j]]} - {names[idx[i]]}",
                             *[tbl[b].iloc[idx[0]] for b in by_f]))
                dl.append(L[idx[j]] - L[idx[i]])
                fam.append(gi)
    D = np.array(dl).reshape(len(dl), L.shape[1])
    cmp = pd.DataFrame(rows, columns=["contrast", *by_f])
    d_est = D @ np.asarray(object.bhat, dtype=float)
    d_se = np.sqrt(np.einsum("ij,jk,ik->i", D, np.asarray(object.V, dtype=float), D))
    df = np.asarray(object.dffun(D), dtype=float) if len(D) else np.zeros(0)
    t = d_est / d_se
    p = 2 * stats.t.sf(np.abs(t), df)
    fam_a = np.array(fam)
    padj = np.empty_like(p)
    for gi, idx in enumerate(groups):
        sel = np.flatnonzero(fam_a == gi)
        if sel.size:
            padj[sel] = _adjust(p[sel], t[sel], adjust or "tukey", len(idx), df[sel])
    cmp["estimate"], cmp["SE"], cmp["df"] = d_est, d_se, df
    cmp["z.ratio" if len(df) and np.isinf(df).all() else "t.ratio"] = t
    cmp["p.value"] = padj
    differ = ~(padj < alpha) if signif_sets else (padj < alpha)
    differ[np.isnan(padj)] = False
    group = [""] * len(tbl)
    for gi, idx in enumerate(groups):
        sel = np.flatnonzero(fam_a == gi)
        pairs = [(i, j) for j in range(1, len(idx)) for i in range(j)]
        disp = compact_letters(len(idx), [pr for pr, d in zip(pairs, differ[sel]) if d],
                               letters, rev)
        for r, s in zip(idx, disp):
            group[r] = " " + s
    se_all = tbl["SE"].to_numpy(dtype=float)
    group = ["" if np.isnan(se_all[r]) else g for r, g in enumerate(group)]
    tbl[".signif.set" if signif_sets else ".group"] = group
    if sort and rev:
        order = np.arange(len(tbl))
        for idx in groups:
            order[idx] = idx[::-1]
        tbl = tbl.iloc[order].reset_index(drop=True)
    if details:
        return {"emmeans": tbl, "comparisons": cmp}
    return tbl

