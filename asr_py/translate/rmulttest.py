"""Bioconductor multtest's ``mt.rawp2adjp()`` in translated scripts: its rule and runtime.

``mt.rawp2adjp(rawp, proc = c("Bonferroni", "Holm", "Hochberg", "SidakSS", "SidakSD", "BH",
"BY", "ABH", "TSBH"), alpha = 0.05, na.rm = FALSE)`` as multtest documents it: a list of

- ``adjp``: a matrix (here a data frame) with one row per hypothesis in the order of the raw
  p-values (increasing, NA last) and the columns ``rawp`` and one per procedure, in the
  order asked (``TSBH`` gives one column ``TSBH_<alpha>`` per alpha);
- ``index``: the 1-based positions that order them (R's ``order(rawp)``), so
  ``adjp[order(index), ]`` is in the original order;
- ``h0.ABH`` / ``h0.TSBH``: the estimated numbers of true null hypotheses of the adaptive
  procedures (``NULL`` unless asked).

With ``na.rm = TRUE`` the number of tests m is that of the p-values present, else all of
them. Adjustments (p_(i) the i-th smallest): Bonferroni min(m p, 1); Holm the running max
of min((m-i+1) p_(i), 1); Hochberg the running min from the top of min((m-i+1) p_(i), 1);
SidakSS 1-(1-p)^m; SidakSD the running max of 1-(1-p_(i))^(m-i+1); BH the running min from
the top of min(m/i p_(i), 1); BY as BH with m·sum(1/k) for m; ABH and TSBH BH scaled by
h0/m (Benjamini-Hochberg 2000 and Benjamini-Krieger-Yekutieli 2006 estimates of h0).
multtest keeps the largest p-value itself in the step-up procedures (Hochberg, BH, ABH,
TSBH); with m the count of all tests these equal R's ``p.adjust``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.rmatchargs import ArgMatchError, match_args

__all__ = ["FUNCTIONS", "PACKAGES", "r_mt_rawp2adjp", "translate"]

FUNCTIONS = frozenset({"mt.rawp2adjp", "multtest::mt.rawp2adjp"})
PACKAGES = frozenset({"multtest"})
PROCS = ("Bonferroni", "Holm", "Hochberg", "SidakSS", "SidakSD", "BH", "BY", "ABH", "TSBH")
_ARGS = ("rawp", "proc", "alpha", "na.rm")


def translate(tr: Any, e: Any) -> str | None:
    """``mt.rawp2adjp(rawp, proc, alpha, na.rm)`` -> ``r_mt_rawp2adjp(...)`` (R's positional
    order and partial argument names); None for an argument it does not have."""
    try:                                # R's exact, partial, positional (rmatchargs)
        got = match_args(_ARGS, e.args, "mt.rawp2adjp")
    except ArgMatchError:
        return None
    out = [f"{k.replace('.', '_')}={tr.py(got[k])}" for k in _ARGS
           if k in got and got[k].kind != "empty"]
    return f"{tr.runtime('r_mt_rawp2adjp')}({', '.join(out)})"


def _as_list(x: Any) -> list[Any]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return list(x.values())
    return list(np.ravel(np.asarray(x, dtype=object)))


def _step_down(sp: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Running max (from the smallest p) of min(factor·p, 1); NA stays NA onwards (R's max)."""
    out = np.empty_like(sp)
    prev = -np.inf
    for i, p in enumerate(sp):
        v = min(factor[i] * p, 1.0) if not np.isnan(p) else np.nan
        prev = np.nan if np.isnan(prev) or np.isnan(v) else max(prev, v)
        out[i] = prev
    return out


def _step_up(sp: np.ndarray, factor: np.ndarray, last: float | None = None) -> np.ndarray:
    """Running min from the largest p of min(factor·p, 1), NA skipped (na.rm = TRUE) and
    kept as NA; the last value is the largest p itself unless ``last`` is given (multtest)."""
    out = sp.copy()
    m = len(sp)
    if m == 0:
        return out
    if last is not None:
        out[m - 1] = last
    for i in range(m - 2, -1, -1):
        cands = [v for v in (out[i + 1], min(factor[i] * sp[i], 1.0)) if not np.isnan(v)]
        out[i] = min(cands) if cands else np.nan
        if np.isnan(sp[i]):
            out[i] = np.nan
    return out


def r_mt_rawp2adjp(rawp: Any, proc: Any = PROCS, alpha: Any = 0.05,
                   na_rm: bool = False) -> dict[str, Any]:
    """multtest's ``mt.rawp2adjp()``: see the module docstring."""
    if isinstance(rawp, Untranslated):
        return rawp._use()
    try:
        p = np.asarray(pd.to_numeric(pd.Series(_as_list(rawp)), errors="raise"), dtype=float)
    except (TypeError, ValueError) as exc:
        raise AsrError("mt.rawp2adjp(rawp): the raw p-values are not numbers",
                       hint="rawp is a numeric vector of unadjusted p-values") from exc
    if ((p < 0) | (p > 1)).any():
        raise AsrError("mt.rawp2adjp(rawp): raw p-values outside [0, 1]",
                       hint="rawp holds unadjusted p-values")
    procs = [str(x) for x in _as_list(proc)]
    bad = [x for x in procs if x not in PROCS]
    if bad:
        raise AsrError(f"mt.rawp2adjp(proc = {bad[0]!r}): not a multtest procedure",
                       hint="proc is one or more of " + ", ".join(PROCS))
    alphas = [float(a) for a in _as_list(alpha)]
    m = len(p)
    mg = int((~np.isnan(p)).sum()) if bool(na_rm) else m
    index = np.argsort(np.where(np.isnan(p), np.inf, p), kind="stable")   # R's order()
    sp = p[index]
    i1 = np.arange(1, m + 1, dtype=float)
    cols: dict[str, np.ndarray] = {"rawp": sp}
    h0_abh: float | None = None
    h0_tsbh: pd.Series | None = None
    bh = _step_up(sp, mg / i1)
    for name in procs:
        if name == "Bonferroni":
            cols[name] = np.minimum(mg * sp, 1.0)
        elif name == "Holm":
            cols[name] = _step_down(sp, mg - i1 + 1)
        elif name == "Hochberg":
            cols[name] = _step_up(sp, mg - i1 + 1)
        elif name == "SidakSS":
            cols[name] = 1 - (1 - sp) ** mg
        elif name == "SidakSD":
            out = np.empty_like(sp)
            prev = -np.inf
            for i, v in enumerate(1 - (1 - sp) ** (mg - i1 + 1)):
                prev = np.nan if np.isnan(prev) or np.isnan(v) else max(prev, v)
                out[i] = prev
            cols[name] = out
        elif name == "BH":
            cols[name] = bh
        elif name == "BY":
            q = sum(1.0 / k for k in range(1, mg + 1))
            cols[name] = _step_up(sp, mg * q / i1, last=min(q * sp[-1], 1.0) if m else None)
        elif name == "ABH":
            h0m = (mg + 1 - np.arange(1, mg + 1)) / (1 - sp[:mg])
            up = np.flatnonzero(np.diff(h0m) > 0)
            if len(up):
                h0_abh = float(math.ceil(min(h0m[up[0]], mg)))
            else:       # multtest: min(which(...)) of none is Inf, h0 NA (with a warning)
                warnings.warn("mt.rawp2adjp(proc = 'ABH'): no estimate of the number of "
                              "true null hypotheses (h0.m never increases): ABH is NA",
                              stacklevel=2)
                h0_abh = float("nan")
            cols[name] = bh * h0_abh / mg
        elif name == "TSBH":
            h0 = [mg - int(np.nansum(bh < a / (1 + a))) for a in alphas]
            h0_tsbh = pd.Series(h0, index=[f"h0.TSBH_{_num(a)}" for a in alphas], dtype=float)
            for a, h in zip(alphas, h0):
                cols[f"TSBH_{_num(a)}"] = bh * h / mg
    return {"adjp": pd.DataFrame(cols), "index": index + 1, "h0.ABH": h0_abh,
            "h0.TSBH": h0_tsbh}


def _num(a: float) -> str:
    """A number as R's paste() writes it (0.05, 0.1, 1)."""
    return str(int(a)) if float(a).is_integer() else f"{a:.15g}"
