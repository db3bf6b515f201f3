"""msm's ``deltamethod(g, mean, cov, ses = TRUE)`` for translated scripts: the delta-method
standard errors (or covariance matrix) of functions of estimates - scripts use it for the
SE of heritabilities and genetic correlations computed from variance components.

``g`` is a formula ``~ f(x1, x2, ...)`` (or a ``list()`` of them) whose variables ``x1 ..
xp`` stand for ``mean[1] .. mean[p]``; with ``G`` the Jacobian of the functions at ``mean``
(one row per function) and ``V = cov``,

    cov(g(mean)) ~= G V G',    SE = sqrt(diag(G V G'))

``ses = TRUE`` gives the SEs (a number for one formula), ``ses = FALSE`` the matrix. msm
differentiates symbolically (R's ``deriv()``); here the derivatives are central differences
with one Richardson extrapolation (error O(h^4), about 1e-10 relative for the smooth
functions of variance components scripts write).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated
from asr_py.translate.parser import R, bind_formals, names_in

if TYPE_CHECKING:
    from asr_py.translate.printer import BasePrinter

__all__ = ["r_deltamethod", "translate"]

_X = re.compile(r"x([1-9]\d*)")


def _formulas(g: R) -> list[R] | None:
    if g.kind == "formula" and g.right is not None and g.left is None:
        return [g]
    if g.kind == "call" and g.value in ("list", "c") and g.args and \
            all(n is None and a.kind == "formula" and a.left is None and a.right is not None
                for n, a in g.args):
        return [a for _, a in g.args]
    return None


def translate(tr: BasePrinter, e: R) -> str | None:
    """``deltamethod(~ x1/(x1 + x2), mean, cov)`` -> ``r_deltamethod([lambda x1, x2:
    ...], mean, cov)``; None when ``g`` is not written as formulas (built as text)."""
    got = bind_formals(("g", "mean", "cov", "ses"), e.args)
    if got is None or not {"g", "mean", "cov"} <= set(got):
        return None
    forms = _formulas(got["g"])
    if forms is None:
        return None
    lambdas = []
    for f in forms:
        assert f.right is not None
        used = [int(m.group(1)) for n in names_in(f.right) if (m := _X.fullmatch(n))]
        k = max(used, default=0)
        params = ", ".join(f"x{i}" for i in range(1, k + 1))
        old = tr.params
        tr.params = old | {f"x{i}" for i in range(1, k + 1)}
        try:
            lambdas.append(f"lambda {params}: {tr.py(f.right)}")
        finally:
            tr.params = old
    ses = f", ses={tr.py(got['ses'])}" if "ses" in got else ""
    single = got["g"].kind == "formula"
    return (f"{tr.runtime('r_deltamethod')}([{', '.join(lambdas)}], {tr.py(got['mean'])}, "
            f"{tr.py(got['cov'])}{ses}, single={single})")


def _jacobian(fn: Callable[..., Any], m: np.ndarray) -> np.ndarray:
    """d fn / d m by central differences, Richardson-extrapolated (h and h/2)."""
    k = fn.__code__.co_argcount
    if k > m.size:
        raise AsrError(f"deltamethod(): the formula uses x{k} but mean has {m.size} "
                       "value(s)", hint="x1 .. xp stand for mean[1] .. mean[p]")
    grad = np.zeros(m.size)
    for i in range(k):
        h = 1e-4 * max(abs(m[i]), 1e-3)

        def diff(step: float, i: int = i) -> float:
            up, down = m[:k].copy(), m[:k].copy()
            up[i] += step
            down[i] -= step
            return (float(fn(*up)) - float(fn(*down))) / (2 * step)
        grad[i] = (4 * diff(h / 2) - diff(h)) / 3
    return grad


def r_deltamethod(g: Sequence[Callable[..., Any]], mean: Any, cov: Any, ses: bool = True,
                  single: bool = False) -> Any:
    """``deltamethod(g, mean, cov, ses)``: see the module docstring."""
    for v in (mean, cov):
        if isinstance(v, Untranslated):
            v._use()
    m = np.asarray(mean.to_numpy() if isinstance(mean, pd.Series) else
                   list(mean.values()) if isinstance(mean, dict) else mean,
                   dtype=float).ravel()
    V = np.asarray(cov.to_numpy() if isinstance(cov, pd.DataFrame) else cov, dtype=float)
    if V.ndim == 0 and m.size == 1:
        V = V.reshape(1, 1)
    if V.shape != (m.size, m.size):
        raise AsrError(f"deltamethod(): cov is {V.shape[0] if V.ndim else 1} x "
                       f"{V.shape[1] if V.ndim > 1 else 1}, mean has {m.size} value(s)",
                       hint="cov must be the square covariance matrix of mean")
    G = np.vstack([_jacobian(fn, m) for fn in g])
    C = G @ V @ G.T
    if not ses:
        return C
    se = np.sqrt(np.diag(C))
    return float(se[0]) if single else se
