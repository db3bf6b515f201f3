"""nlme's residual structures on asreml's residual formula (for rnlmefit/rnlmegls).

* ``weights = varIdent(form = ~ 1 | s)``: ``var(e_i) = sigma^2 delta_s(i)^2``, delta = 1 for
  the first level met -> ``residual = ~ dsum(~ units | s)``;
* ``correlation = corAR1(form = ~ 1 | g)``: ``rho^|i - j|`` between the i-th and j-th
  records of a group (data order) -> ``g:ar1(position)``; ``corAR1(form = ~ t | g)``
  (integer t, every value from min to max present) -> ``g:ar1(t)``;
* ``corCAR1(form = ~ t | g)``: ``phi^|t_i - t_j|`` -> ``g:exp(t)``;
* ``corCompSymm(form = ~ 1 | g)``: ``rho`` between any two records of a group ->
  ``g:cor(position)``;
* ``corSymm(form = ~ 1 | g)`` (``~ t | g``, integer t), in gls() only: a general
  correlation ``rho_kl`` between the k-th and l-th records of a group (by position, or by
  t), one variance -> ``g:corg(position)``; nlme's ``value =`` (starting values) is not
  needed.

R (dense) is rebuilt from the fitted components: ``sigma^2 (C_g)`` block-diagonal by group.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from asr_py.compat.lme4 import _split_top
from asr_py.errors import AsrError

__all__ = ["CORRELATIONS", "residual_matrix", "residual_spec"]

_NAME = r"[A-Za-z.][\w.]*"
#: correlation structures fitted here
CORRELATIONS = ("corAR1", "corCAR1", "corCompSymm", "corSymm")


def _call(text: str) -> tuple[str, str] | None:
    """(function, inside) of ``f(...)``, or None."""
    m = re.fullmatch(r"\s*(?:nlme::)?([A-Za-z.]\w*)\s*\((.*)\)\s*", text, flags=re.S)
    return (m.group(1), m.group(2)) if m else None


def _arg(inside: str, name: str, pos: int) -> str | None:
    """The argument ``name`` (or the ``pos``-th unnamed one) of a call's inside text."""
    parts = [p for _, p in _split_top(inside, ",")]
    unnamed = []
    for p in parts:
        m = re.match(rf"\s*({_NAME})\s*=(?!=)\s*(.*)", p, flags=re.S)
        if m:
            if m.group(1) == name:
                return m.group(2).strip()
        else:
            unnamed.append(p.strip())
    return unnamed[pos] if pos < len(unnamed) else None


def _var_ident(weights: Any, where: str) -> str | None:
    """The stratifying factor of ``varIdent(form = ~ 1 | s)``, None without weights."""
    if weights is None:
        return None
    text = " ".join(str(weights).split())
    got = _call(text)
    if got is None or got[0] != "varIdent":
        raise AsrError(f"{where}: weights = {text} is not fitted here",
                       hint="varIdent(form = ~ 1 | s) is (one residual variance per level "
                            "of s); varPower/varExp/varFixed/varComb are not")
    form = _arg(got[1], "form", 1) or ""
    m = re.fullmatch(rf"~\s*1\s*\|\s*({_NAME})", form)
    if not m:
        raise AsrError(f"{where}: varIdent(form = {form!r}) is not fitted here",
                       hint="varIdent(form = ~ 1 | s) with one factor s is")
    return m.group(1)


def _cor_struct(correlation: Any, where: str) -> tuple[str, str | None, str | None] | None:
    """(corAR1 or corCAR1, time column or None, group or None: the innermost random
    group) of ``correlation``, None without."""
    if correlation is None:
        return None
    text = " ".join(str(correlation).split())
    got = _call(text)
    hint = ("corAR1(form = ~ 1 | g), corAR1(form = ~ t | g) (integer t), "
            "corCAR1(form = ~ t | g), corCompSymm(form = ~ 1 | g) and corSymm(form = "
            "~ 1 | g) are fitted; corARMA/spatial structures are not")
    if got is None or got[0] not in CORRELATIONS or \
            got[0] == "corSymm" and not where.startswith("gls"):
        # corSymm is fitted for gls() (no random term) only
        raise AsrError(f"{where}: correlation = {text} is not fitted here", hint=hint + (
            " (corSymm in gls() only)" if got is not None and got[0] == "corSymm" else ""))
    form = _arg(got[1], "form", 1)
    value = _arg(got[1], "value", 0)
    if value is not None and value.startswith("~"):
        form = value
    if form is None and got[0] != "corCAR1":
        return got[0], None, None       # nlme: ~ 1 | the innermost random group
    m = re.fullmatch(rf"~\s*({_NAME}|1)\s*\|\s*({_NAME})", form or "")
    if not m:
        raise AsrError(f"{where}: {got[0]}(form = {form}) is not fitted here",
                       hint=hint + " (one grouping factor; without form: nlme's order in "
                                   "the innermost random group, write it out)")
    t = None if m.group(1) == "1" else m.group(1)
    if got[0] == "corCAR1" and t is None:
        raise AsrError(f"{where}: corCAR1 needs a time: form = ~ t | g", hint=hint)
    return got[0], t, m.group(2)


def residual_spec(data: pd.DataFrame, strata: str | None,
                  cor: tuple[str, str | None, str | None] | None, where: str
                  ) -> tuple[pd.DataFrame, str, np.ndarray | None]:
    """(data with the columns the residual needs, asreml's residual formula, positions or
    times of a correlation) for varIdent's strata or a correlation (its group resolved)."""
    d = data.copy()
    pos: np.ndarray | None = None
    if strata is not None:
        s = strata
        if s not in d.columns:
            raise AsrError(f"{where}: varIdent's factor {s!r} is not a column of data")
        if d[s].isna().any():
            raise AsrError(f"{where}: {s!r} has missing values (nlme's default na.action = "
                           "na.fail stops too)", hint="drop those records first (na.omit)")
        lv = list(dict.fromkeys(d[s].astype(str)))   # nlme: the first level seen is 1
        d[s] = pd.Categorical(d[s].astype(str), categories=lv)
        return d, f"~ dsum(~ units | {s})", None
    if cor is None or cor[2] is None:
        raise AsrError(f"{where}: no residual structure to fit")
    kind, t, c = cor
    for col in (c,) if t is None else (c, t):
        if col not in d.columns:
            raise AsrError(f"{where}: {col!r} of the correlation's form is not a column of "
                           "data")
        if d[col].isna().any():
            raise AsrError(f"{where}: {col!r} has missing values (nlme's default na.action "
                           "= na.fail stops too)", hint="drop those records first (na.omit)")
    if kind == "corCAR1":
        pos = pd.to_numeric(d[t], errors="coerce").to_numpy(float)
        if np.isnan(pos).any():
            raise AsrError(f"{where}: corCAR1's time {t!r} is not numeric")
        return d, f"~ {c}:exp({t})", pos
    if t is None:       # ~ 1 | c: the order of the records within c's groups
        ip = d.groupby(d[c].astype(str), sort=False).cumcount().to_numpy() + 1
    else:
        tv = pd.to_numeric(d[t], errors="coerce")
        if tv.isna().any() or not np.allclose(tv, np.round(tv)):
            raise AsrError(f"{where}: {kind}(form = ~ {t} | {c}): {t} must be "
                           "integer-valued", hint="corCAR1 takes continuous times")
        ip = tv.to_numpy(int)
        missing = set(range(ip.min(), ip.max() + 1)) - set(ip)
        if missing and kind == "corAR1":
            raise AsrError(f"{where}: corAR1(form = ~ {t} | {c}): no record at {t} = "
                           f"{sorted(missing)[:5]} in any group (a lag would be miscounted)",
                           hint="corCAR1(form = ~ t | g) for gaps in time")
    width = len(str(ip.max() - ip.min()))
    d["nlmepos"] = [f"{v - ip.min():0{width}d}" for v in ip]
    struct = {"corAR1": "ar1", "corSymm": "corg"}.get(kind, "cor")
    return d, f"~ {c}:{struct}(nlmepos)", ip.astype(float)


def residual_matrix(vc: pd.DataFrame, d: pd.DataFrame, strata: str | None,
                    cor: tuple[str, str | None, str | None] | None, pos: np.ndarray | None
                    ) -> tuple[np.ndarray, float, int, pd.Series | None, float | None]:
    """(R, sigma^2, residual parameters, varIdent's delta, the correlation parameter) at
    the fitted components ``vc`` (asreml's varcomp)."""
    if strata is not None:
        s = strata
        lv = list(d[s].cat.categories)
        rvar = {}
        for lvl in lv:
            row = [i for i in vc.index if f"{s}_{lvl}!" in str(i)]
            if not row:
                raise AsrError(f"nlme: no residual variance for {s} = {lvl} in the fit")
            rvar[lvl] = float(vc.loc[row[0], "component"])
        delta = pd.Series({k: math.sqrt(v / rvar[lv[0]]) for k, v in rvar.items()})
        return (np.diag(d[s].astype(str).map(rvar).to_numpy(float)), rvar[lv[0]], len(lv),
                delta, None)
    assert cor is not None and pos is not None
    kind, _, c = cor
    s2 = float(vc.loc[[i for i in vc.index if str(i).endswith("!R")][0], "component"])
    if kind == "corSymm":
        return _general(vc, d, c, pos, s2)
    phi = float(vc.loc[[i for i in vc.index if str(i).endswith("!cor")][0], "component"])
    same = d[c].astype(str).to_numpy()
    lag = np.abs(pos[:, None] - pos[None, :])
    corr = np.where(lag == 0, 1.0, phi) if kind == "corCompSymm" else phi ** lag
    return s2 * np.where(same[:, None] == same[None, :], corr, 0.0), s2, 2, None, phi


def _general(vc: pd.DataFrame, d: pd.DataFrame, c: str, pos: np.ndarray, s2: float
             ) -> tuple[np.ndarray, float, int, None, pd.Series]:
    """corSymm's R = sigma^2 C, C_kl = rho_kl between a group's records at positions k and
    l (residual_spec's ``nlmepos`` levels, the fit's ``...!nlmepos_k:l!cor``), with its
    correlations named as nlme's ``cor(k,l)`` (k < l numbering the distinct positions or
    times 1, 2, ...)."""
    lo = int(pos.min())
    rho: dict[tuple[int, int], float] = {}
    for name, val in vc["component"].items():
        m = re.search(r"!nlmepos_(\d+):(\d+)!cor$", str(name))
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            rho[(a, b)] = rho[(b, a)] = float(val)
    k = (pos - lo).astype(int)
    corr = np.array([[1.0 if i == j else rho.get((i, j), np.nan) for j in k] for i in k])
    same = d[c].astype(str).to_numpy()
    block = same[:, None] == same[None, :]
    if np.isnan(corr[block]).any():
        raise AsrError("corSymm: a correlation between two positions of a group is not in "
                       "the fit", hint="every group's positions must be among the fitted "
                       "levels")
    u = sorted(set(k.tolist()))                 # nlme numbers the distinct positions 1, 2, ...
    names = {f"cor({i + 1},{j + 1})": rho.get((u[j], u[i]), np.nan)
             for i in range(len(u)) for j in range(i + 1, len(u))}
    return (s2 * np.where(block, corr, 0.0), s2, 1 + len(rho) // 2, None,
            pd.Series(names, dtype=float))
