"""R's ``p.adjust(p, method = "holm", n = length(p))`` (stats) for translated scripts: the
p-values adjusted for multiple comparisons, in the input's order and names, NA kept.

With ``p_(1) <= ... <= p_(k)`` the k non-missing p-values and n the number of tests
(``n >= k``; more than k when some tests are not in p): "bonferroni" ``min(1, n p)``;
"holm" the running maximum of ``min(1, (n - i + 1) p_(i))``; "hochberg" the running minimum
from the largest of ``min(1, (n - i + 1) p_(i))``; "BH" (alias "fdr") the running minimum
from the largest of ``min(1, n / i p_(i))``; "BY" as BH times ``sum_{j<=n} 1/j``; "hommel"
Hommel's (1988) closed Simes test - the adjusted ``p_i`` is the largest, over the sets of
hypotheses holding i, of the set's Simes p-value ``min_j |I| p_(j:I) / j`` (computed by
Wright's 1992 algorithm, the n - k tests not in p counted with p = 1); "none" p itself.
With n <= 1 the p-values are returned as they are, and "hommel" with n = 2 is "hochberg"
(R does the same).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["FUNCS", "METHODS", "r_p_adjust"]

METHODS = ("holm", "hochberg", "hommel", "bonferroni", "BH", "BY", "fdr", "none")
#: R function -> (runtime function, formals, packages) for asreml_rules' _TMM_FUNCS
FUNCS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "p.adjust": ("r_p_adjust", ("p", "method", "n"), ("stats",)),
}


def _step_down(p: np.ndarray, n: int) -> np.ndarray:          # Holm
    o = np.argsort(p, kind="stable")
    i = np.arange(1, p.size + 1)
    out = np.empty_like(p)
    out[o] = np.minimum(1.0, np.maximum.accumulate((n + 1 - i) * p[o]))
    return out


def _step_up(p: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """min(1, running min from the largest of factor_i p_(i)), factor for ranks k..1."""
    o = np.argsort(-p, kind="stable")                          # decreasing
    out = np.empty_like(p)
    out[o] = np.minimum(1.0, np.minimum.accumulate(factor * p[o]))
    return out


def _hommel(p: np.ndarray, n: int) -> np.ndarray:
    k = p.size
    q_all = np.concatenate([p, np.ones(n - k)])
    o = np.argsort(q_all, kind="stable")
    s = q_all[o]
    i = np.arange(1, n + 1)
    q = pa = np.full(n, np.min(n * s / i))
    for m in range(n - 1, 1, -1):
        i1 = np.arange(0, n - m + 1)
        i2 = np.arange(n - m + 1, n)
        q1 = np.min(m * s[i2] / np.arange(2, m + 1))
        q = q.copy()
        q[i1] = np.minimum(m * s[i1], q1)
        q[i2] = q[n - m]
        pa = np.maximum(pa, q)
    adj = np.maximum(pa, s)
    out = np.empty(n)
    out[o] = adj
    return out[:k]


def r_p_adjust(p: Any = None, method: str = "holm", n: Any = None) -> Any:
    """R's ``p.adjust()`` (module docstring)."""
    if isinstance(p, Untranslated):
        return p._use()
    if p is None:
        raise AsrError("p.adjust(): p is missing", hint="give the vector of p-values")
    names = list(p.index) if isinstance(p, pd.Series) else None
    vals = np.atleast_1d(np.asarray(p.to_numpy() if isinstance(p, pd.Series) else p,
                                    dtype=float)).ravel()
    matches = [m for m in METHODS if m.startswith(str(method))]    # R's match.arg
    if str(method) in METHODS:
        matches = [str(method)]
    if len(matches) != 1:
        raise AsrError(f"p.adjust(method = \"{method}\"): not a method",
                       hint=f"one of {', '.join(METHODS)}")
    meth = "BH" if matches[0] == "fdr" else matches[0]
    ok = ~np.isnan(vals)
    x = vals[ok]
    k = x.size
    nn = vals.size if n is None else int(np.asarray(n).ravel()[0])
    if nn < k:
        raise AsrError(f"p.adjust(): n = {nn} is smaller than the {k} p-values given",
                       hint="n counts all the tests, at least those in p")
    out = vals.copy()
    if nn > 1 and k > 0:
        if meth == "hommel" and nn == 2:
            meth = "hochberg"
        rank_up = np.arange(k, 0, -1)                     # i = k..1 for the decreasing order
        adj = {"bonferroni": lambda: np.minimum(1.0, nn * x),
               "holm": lambda: _step_down(x, nn),
               "hochberg": lambda: _step_up(x, nn + 1 - rank_up),
               "BH": lambda: _step_up(x, nn / rank_up),
               "BY": lambda: _step_up(x, np.sum(1.0 / np.arange(1, nn + 1)) * nn / rank_up),
               "hommel": lambda: _hommel(x, nn),
               "none": lambda: x}[meth]()
        out[ok] = adj
    if names is not None:
        return pd.Series(out, index=names)
    return out
