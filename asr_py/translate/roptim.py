"""R's general-purpose optimisers for translated scripts: ``optim()``, ``optimize()``
(``optimise()``), ``nlminb()`` and optimx's ``optimr()``.

* ``optim(par, fn, gr, ..., method, lower, upper, control, hessian)`` (R 4.x ``?optim``):
  ``"Nelder-Mead"`` and ``"BFGS"`` are ports of R's own C routines (``nmmin``, ``vmmin`` in
  src/appl/optim.c), so iterates, values and counts follow R's; the finite-difference
  gradient is R's (central differences, ``ndeps = 1e-3`` on the scaled parameters, clipped
  to the bounds for L-BFGS-B). ``"L-BFGS-B"`` runs scipy's L-BFGS-B (Nocedal & Morales'
  v3.0 of the code R has v2.3 of) with R's ``lmm = 5``, ``factr`` and ``pgtol``; ``"CG"``
  runs scipy's nonlinear conjugate gradients; ``"Brent"`` is ``optimize()`` as R's. For
  those three the optimum agrees with R's to the tolerance, the counts do not.
  ``control``: ``fnscale``, ``parscale``, ``maxit``, ``reltol``, ``abstol``, ``ndeps``,
  ``factr``, ``pgtol``, ``lmm``, ``trace`` (ignored), ``REPORT`` (ignored). Bounds with the
  default method switch to L-BFGS-B with R's warning. ``"SANN"`` (random) is refused.
  The value: ``list(par, value, counts, convergence, message)`` (+ ``hessian``).
* ``optimize(f, interval, ..., lower, upper, maximum, tol)``: Brent's golden-section and
  parabolic search (Forsythe, Malcolm & Moler's ``fmin``, as R's ``Brent_fmin``; scipy's
  ``fminbound`` is the same algorithm); ``list(minimum | maximum, objective)``.
* ``nlminb(start, objective, gradient, hessian, ..., scale, control, lower, upper)``: R's is
  the PORT library, which is not available here; it is emulated by L-BFGS-B (bounds) or
  BFGS (none), so ``par`` and ``objective`` agree with R's at a well-defined optimum, while
  ``iterations``/``evaluations`` are the emulation's and ``message`` says so.
* ``optimr(par, fn, gr, lower, upper, method, hessian, control, ...)`` (optimx): dispatches
  to the above for the methods ``"Nelder-Mead"``, ``"BFGS"``, ``"L-BFGS-B"``, ``"CG"``,
  ``"Brent"``, ``"nlminb"`` and ``"nlm"`` (as ``"BFGS"``), and returns ``optim()``'s list.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.translate.checks import Untranslated

__all__ = ["r_nlminb", "r_optim", "r_optimize", "r_optimr"]

_BIG = 1.0e35                       # R's optim.c: a non-finite value counts as this
_METHODS = ("Nelder-Mead", "BFGS", "CG", "L-BFGS-B", "SANN", "Brent")


def _par(par: Any, what: str) -> tuple[np.ndarray, list[str] | None]:
    """The starting values as floats, and their names (a named vector/dict/Series)."""
    if isinstance(par, Untranslated):
        return par._use()  # type: ignore[return-value]
    names: list[str] | None = None
    if isinstance(par, dict):
        names, par = [str(k) for k in par], list(par.values())
    elif isinstance(par, pd.Series) and not isinstance(par.index, pd.RangeIndex):
        names = [str(k) for k in par.index]
    try:
        x = np.atleast_1d(np.asarray(par, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise AsrError(f"{what}: 'par' must be numeric, got {par!r}",
                       hint="give the starting values as a numeric vector") from None
    if not np.isfinite(x).all():
        raise AsrError(f"{what}: non-finite value supplied in 'par' ({x.tolist()})",
                       hint="start from finite values")
    return x, names


def _shape(x: np.ndarray, names: list[str] | None) -> Any:
    """Parameters as the function sees them: a named Series when R's par had names."""
    return pd.Series(x.copy(), index=names) if names is not None else x.copy()


def _scalar(v: Any, what: str) -> float:
    if isinstance(v, Untranslated):
        return v._use()  # type: ignore[return-value]
    a = np.asarray(v.to_numpy() if hasattr(v, "to_numpy") else v, dtype=float).ravel()
    if a.size != 1:
        raise AsrError(f"{what}: the objective function returned {a.size} values",
                       hint="optim()'s fn must return one number")
    return float(a[0])


def _vec(v: Any, n: int, what: str) -> np.ndarray:
    a = np.asarray(v, dtype=float).ravel()
    if a.size == 1:
        return np.full(n, float(a[0]))
    if a.size != n:
        raise AsrError(f"{what}: length {a.size}, but par has length {n}",
                       hint="give one value or one per parameter")
    return a


def _control(control: Any, n: int, method: str) -> dict[str, Any]:
    """optim()'s control list with R's defaults."""
    c = dict(control or {})
    known = {"trace", "fnscale", "parscale", "ndeps", "maxit", "abstol", "reltol", "alpha",
             "beta", "gamma", "REPORT", "warn.1d.NelderMead", "type", "lmm", "factr",
             "pgtol", "temp", "tmax"}
    bad = sorted(set(c) - known)
    if bad:
        raise AsrError(f"optim(): unknown names in control: {', '.join(bad)}",
                       hint="see R's ?optim for the control list")
    return {
        "fnscale": float(c.get("fnscale", 1.0)),
        "parscale": _vec(c.get("parscale", 1.0), n, "optim(control = list(parscale))"),
        "ndeps": _vec(c.get("ndeps", 1e-3), n, "optim(control = list(ndeps))"),
        "maxit": int(c.get("maxit", 500 if method == "Nelder-Mead" else 100)),
        "abstol": float(c.get("abstol", -math.inf)),
        "reltol": float(c.get("reltol", math.sqrt(np.finfo(float).eps))),
        "alpha": float(c.get("alpha", 1.0)), "beta": float(c.get("beta", 0.5)),
        "gamma": float(c.get("gamma", 2.0)), "lmm": int(c.get("lmm", 5)),
        "factr": float(c.get("factr", 1e7)), "pgtol": float(c.get("pgtol", 0.0)),
        "type": int(c.get("type", 1)),
    }


class _Problem:
    """fn and gr on R's internal scale: par / parscale, value / fnscale."""

    def __init__(self, fn: Callable[..., Any], gr: Callable[..., Any] | None,
                 names: list[str] | None, con: dict[str, Any], dots: dict[str, Any],
                 lower: np.ndarray, upper: np.ndarray, bounded: bool) -> None:
        self.fn, self.gr, self.names, self.con, self.dots = fn, gr, names, con, dots
        self.ps, self.fs = con["parscale"], con["fnscale"]
        self.lower, self.upper, self.bounded = lower / self.ps, upper / self.ps, bounded

    def f(self, p: np.ndarray) -> float:
        return _scalar(self.fn(_shape(p * self.ps, self.names), **self.dots),
                       "optim()") / self.fs

    def g(self, p: np.ndarray) -> np.ndarray:
        if self.gr is not None:
            g = np.asarray(self.gr(_shape(p * self.ps, self.names), **self.dots),
                           dtype=float).ravel()
            if g.size != p.size:
                raise AsrError(f"optim(): gradient in optim evaluated to length {g.size} not "
                               f"{p.size}", hint="gr must return one value per parameter")
            return g * self.ps / self.fs
        df = np.empty_like(p)
        for i, eps in enumerate(self.con["ndeps"]):
            x = p.copy()
            up, lo = p[i] + eps, p[i] - eps
            e_up = e_lo = eps
            if self.bounded and up > self.upper[i]:
                up = self.upper[i]
                e_up = up - p[i]
            if self.bounded and lo < self.lower[i]:
                lo = self.lower[i]
                e_lo = p[i] - lo
            x[i] = up
            v1 = self.f(x)
            x[i] = lo
            v2 = self.f(x)
            if not (math.isfinite(v1) and math.isfinite(v2)):
                raise AsrError(f"optim(): non-finite finite-difference value [{i + 1}]",
                               hint="the function is not finite near the parameters; give "
                                    "bounds (L-BFGS-B) or a gradient")
            df[i] = (v1 - v2) / (e_up + e_lo)
        return df


def _nmmin(b: np.ndarray, f: Callable[[np.ndarray], float], abstol: float, intol: float,
           alpha: float, bet: float, gamm: float, maxit: int
           ) -> tuple[np.ndarray, float, int, int]:
    """R's ``nmmin`` (optim.c): Nelder-Mead as R does it. Returns x, f, fail, fncount."""
    n = b.size
    if maxit <= 0:
        return b.copy(), f(b), 0, 0
    fv = f(b)
    if not math.isfinite(fv):
        raise AsrError("optim(): function cannot be evaluated at initial parameters",
                       hint="start where fn is finite")
    funcount, fail = 1, 0
    convtol = intol * (abs(fv) + intol)
    n1 = n + 1
    P = np.zeros((n + 1, n + 2))                 # rows: parameters then the value
    P[n, 0] = fv
    P[:n, 0] = b
    L = 1
    size = 0.0
    step = max(0.1 * float(np.max(np.abs(b))), 0.0)
    if step == 0.0:
        step = 0.1
    for j in range(2, n1 + 1):
        P[:n, j - 1] = b
        trystep = step
        while P[j - 2, j - 1] == b[j - 2]:
            P[j - 2, j - 1] = b[j - 2] + trystep
            trystep *= 10
        size += trystep
    oldsize = size
    calcvert = True
    C = n + 2
    while True:
        if calcvert:
            for j in range(n1):
                if j + 1 != L:
                    v = f(P[:n, j].copy())
                    P[n, j] = v if math.isfinite(v) else _BIG
                    funcount += 1
            calcvert = False
        VL = P[n, L - 1]
        VH, H = VL, L
        for j in range(1, n1 + 1):
            if j != L:
                v = P[n, j - 1]
                if v < VL:
                    L, VL = j, v
                if v > VH:
                    H, VH = j, v
        if VH <= VL + convtol or VL <= abstol:
            break
        P[:n, C - 1] = (P[:n, :n1].sum(axis=1) - P[:n, H - 1]) / n
        bv = (1.0 + alpha) * P[:n, C - 1] - alpha * P[:n, H - 1]
        v = f(bv)
        v = v if math.isfinite(v) else _BIG
        funcount += 1
        VR = v
        if VR < VL:
            P[n, C - 1] = v
            ext = gamm * bv + (1 - gamm) * P[:n, C - 1]
            P[:n, C - 1] = bv
            bv = ext
            v = f(bv)
            v = v if math.isfinite(v) else _BIG
            funcount += 1
            if v < VR:
                P[:n, H - 1] = bv
                P[n, H - 1] = v
            else:
                P[:n, H - 1] = P[:n, C - 1]
                P[n, H - 1] = VR
        else:
            if VR < VH:
                P[:n, H - 1] = bv
                P[n, H - 1] = VR
            bv = (1 - bet) * P[:n, H - 1] + bet * P[:n, C - 1]
            v = f(bv)
            v = v if math.isfinite(v) else _BIG
            funcount += 1
            if v < P[n, H - 1]:
                P[:n, H - 1] = bv
                P[n, H - 1] = v
            elif VR >= VH:                          # shrink towards the lowest vertex
                calcvert = True
                size = 0.0
                for j in range(n1):
                    if j + 1 != L:
                        P[:n, j] = bet * (P[:n, j] - P[:n, L - 1]) + P[:n, L - 1]
                        size += float(np.sum(np.abs(P[:n, j] - P[:n, L - 1])))
                if size < oldsize:
                    oldsize = size
                else:
                    fail = 10
                    break
        if funcount > maxit:
            break
    if funcount > maxit:
        fail = 1
    return P[:n, L - 1].copy(), float(P[n, L - 1]), fail, funcount


def _vmmin(b0: np.ndarray, f: Callable[[np.ndarray], float],
           g: Callable[[np.ndarray], np.ndarray], maxit: int, abstol: float, reltol: float
           ) -> tuple[np.ndarray, float, int, int, int]:
    """R's ``vmmin`` (optim.c): BFGS as R does it. Returns x, f, fail, fncount, grcount."""
    stepredn, acctol, reltest = 0.2, 0.0001, 10.0
    b = b0.copy()
    n = b.size
    if maxit <= 0:
        return b, f(b), 0, 0, 0
    fv = f(b)
    if not math.isfinite(fv):
        raise AsrError("optim(): initial value in 'vmmin' is not finite",
                       hint="start where fn is finite")
    fmin = fv
    funcount = gradcount = 1
    gv = g(b)
    it = 1
    ilast = gradcount
    B = np.eye(n)
    count = 0
    while True:
        if ilast == gradcount:
            B = np.eye(n)
        X = b.copy()
        c = gv.copy()
        t = -(B @ gv)
        gradproj = float(t @ gv)
        if gradproj < 0.0:                            # downhill
            steplength = 1.0
            accpoint = False
            while True:
                b = X + steplength * t
                count = int(np.sum(reltest + X == reltest + b))
                if count < n:
                    fv = f(b)
                    funcount += 1
                    accpoint = math.isfinite(fv) and fv <= fmin + gradproj * steplength * acctol
                    if not accpoint:
                        steplength *= stepredn
                if count == n or accpoint:
                    break
            enough = fv > abstol and abs(fv - fmin) > reltol * (abs(fmin) + reltol)
            if not enough:
                count = n
                fmin = fv
            if count < n:                             # progress
                fmin = fv
                gv = g(b)
                gradcount += 1
                it += 1
                t = steplength * t
                c = gv - c
                D1 = float(t @ c)
                if D1 > 0:
                    Xv = B @ c
                    D2 = 1.0 + float(Xv @ c) / D1
                    B = B + (D2 * np.outer(t, t) - np.outer(Xv, t) - np.outer(t, Xv)) / D1
                else:
                    ilast = gradcount
            else:                                     # no progress
                if ilast < gradcount:
                    count = 0
                    ilast = gradcount
        else:                                         # uphill: reset unless just reset
            count = 0
            if ilast == gradcount:
                count = n
            else:
                ilast = gradcount
        if it >= maxit:
            break
        if gradcount - ilast > 2 * n:
            ilast = gradcount                         # periodic restart
        if count == n and ilast == gradcount:
            break
    return b, fmin, 0 if it < maxit else 1, funcount, gradcount


def _bounds(lower: Any, upper: Any, n: int) -> tuple[np.ndarray, np.ndarray, bool]:
    lo = _vec(-math.inf if lower is None else lower, n, "optim(lower = )")
    up = _vec(math.inf if upper is None else upper, n, "optim(upper = )")
    if np.any(lo > up):
        raise AsrError(f"optim(): lower bounds above upper ones ({lo.tolist()} > "
                       f"{up.tolist()})", hint="lower <= upper for every parameter")
    return lo, up, bool(np.isfinite(lo).any() or np.isfinite(up).any())


def _hessian(prob: _Problem, p: np.ndarray) -> np.ndarray:
    """R's optimhess: central differences of the gradient, symmetrised, unscaled."""
    n = p.size
    h = np.empty((n, n))
    for i, eps in enumerate(prob.con["ndeps"]):
        x = p.copy()
        x[i] = p[i] + eps
        d1 = prob.g(x)
        x[i] = p[i] - eps
        d2 = prob.g(x)
        h[i] = prob.fs * (d1 - d2) / (2 * eps * prob.ps[i] * prob.ps)
    return 0.5 * (h + h.T)


def _result(x: np.ndarray, value: float, fcount: Any, gcount: Any, fail: int,
            msg: str | None, names: list[str] | None) -> dict[str, Any]:
    # R's par is a vector: a Series (positions by .iloc, as fit$par[2] translates)
    return {"par": pd.Series(x.copy(), index=names), "value": value,
            "counts": pd.Series([fcount, gcount], index=["function", "gradient"],
                                dtype=float if fcount is None or gcount is None
                                or isinstance(gcount, float) else "Int64"),
            "convergence": fail, "message": msg}


def r_optim(par: Any, fn: Callable[..., Any], gr: Callable[..., Any] | None = None,
            method: str | list[str] = "Nelder-Mead", lower: Any = None, upper: Any = None,
            control: dict[str, Any] | None = None, hessian: bool = False,
            **dots: Any) -> dict[str, Any]:
    """R's ``optim()`` (see the module); ``dots`` are passed on to ``fn`` and ``gr``."""
    if isinstance(fn, Untranslated):
        return fn._use()  # type: ignore[return-value]
    if not callable(fn):
        raise AsrError(f"optim(): 'fn' must be a function, got {type(fn).__name__}",
                       hint="optim(par, fn = function(p) ...)")
    x0, names = _par(par, "optim()")
    n = x0.size
    if isinstance(method, (list, tuple)):
        method = method[0]
    if method not in _METHODS:
        raise AsrError(f"optim(): unknown method {method!r}",
                       hint=f"one of {', '.join(_METHODS)}")
    lo, up, bounded = _bounds(lower, upper, n)
    if bounded and method == "Nelder-Mead":
        warnings.warn("bounds can only be used with method L-BFGS-B (or Brent)",
                      stacklevel=2)
        method = "L-BFGS-B"
    if bounded and method not in ("L-BFGS-B", "Brent"):
        warnings.warn("bounds can only be used with method L-BFGS-B (or Brent)",
                      stacklevel=2)
        bounded = False
    if method == "SANN":
        raise AsrError("optim(method = 'SANN'): simulated annealing draws from R's random "
                       "stream, which cannot be reproduced",
                       hint="use method = 'Nelder-Mead' or 'BFGS' (or 'L-BFGS-B' with bounds)")
    con = _control(control, n, method)
    prob = _Problem(fn, gr, names, con, dots, lo, up, bounded and method == "L-BFGS-B")
    p0 = x0 / con["parscale"]
    if method == "Brent":
        if n != 1 or not (np.isfinite(lo).all() and np.isfinite(up).all()):
            raise AsrError("optim(method = 'Brent'): needs one parameter and finite "
                           "'lower' and 'upper'", hint="optim(1, f, method = 'Brent', "
                                                     "lower = 0, upper = 10)")
        # R calls fn with a vector of length one
        r = r_optimize(lambda p, **kw: _scalar(fn(_shape(np.array([p]), names), **kw),
                                               "optim()") / con["fnscale"],
                       lower=float(lo[0]), upper=float(up[0]), tol=con["reltol"], **dots)
        out = _result(np.array([r["minimum"]]), r["objective"] * con["fnscale"], None, None,
                      0, None, names)
        if hessian:
            out["hessian"] = _hessian(prob, np.array([r["minimum"]]))
        return out
    if method == "Nelder-Mead":
        if n == 1:
            warnings.warn("one-dimensional optimization by Nelder-Mead is unreliable:\n"
                          "use \"Brent\" or optimize() directly", stacklevel=2)
        p, v, fail, fc = _nmmin(p0, prob.f, con["abstol"], con["reltol"], con["alpha"],
                                con["beta"], con["gamma"], con["maxit"])
        out = _result(p * con["parscale"], v * con["fnscale"], fc, None, fail, None, names)
    elif method == "BFGS":
        p, v, fail, fc, gc = _vmmin(p0, prob.f, prob.g, con["maxit"], con["abstol"],
                                    con["reltol"])
        out = _result(p * con["parscale"], v * con["fnscale"], fc, gc, fail, None, names)
    else:
        from scipy.optimize import minimize

        if method == "L-BFGS-B":
            bnds = list(zip(np.where(np.isfinite(prob.lower), prob.lower, None),
                            np.where(np.isfinite(prob.upper), prob.upper, None)))
            p_start = np.clip(p0, prob.lower, prob.upper)
            res = minimize(prob.f, p_start, jac=prob.g, method="L-BFGS-B", bounds=bnds,
                           options={"maxcor": con["lmm"], "maxiter": con["maxit"],
                                    "ftol": con["factr"] * np.finfo(float).eps,
                                    "gtol": con["pgtol"]})
            fail = 0 if res.success else (1 if res.nit >= con["maxit"] else 52)
            msg = str(res.message)
            msg = {"CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH":
                   "CONVERGENCE: REL_REDUCTION_OF_F <= FACTR*EPSMCH",
                   "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL":
                   "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL"}.get(msg, msg)
        else:                                                     # CG
            res = minimize(prob.f, p0, jac=prob.g, method="CG",
                           options={"maxiter": con["maxit"], "gtol": 1e-8})
            fail = 0 if res.success else 1
            msg = None
        out = _result(np.asarray(res.x) * con["parscale"], float(res.fun) * con["fnscale"],
                      int(res.nfev), int(res.njev), fail, msg, names)
    if hessian:
        out["hessian"] = _hessian(prob, np.asarray(out["par"], dtype=float) / con["parscale"])
    return out


def r_optimize(f: Callable[..., Any], interval: Any = None, lower: Any = None,
               upper: Any = None, maximum: bool = False, tol: float | None = None,
               **dots: Any) -> dict[str, float]:
    """R's ``optimize(f, interval, ..., lower, upper, maximum, tol)`` (Brent's fmin)."""
    from scipy.optimize import fminbound

    if isinstance(f, Untranslated):
        return f._use()  # type: ignore[return-value]
    if interval is not None:
        iv = np.asarray(interval, dtype=float).ravel()
        lo = float(np.min(iv)) if lower is None else float(lower)
        up = float(np.max(iv)) if upper is None else float(upper)
    elif lower is not None and upper is not None:
        lo, up = float(lower), float(upper)
    else:
        raise AsrError("optimize(): needs 'interval' or 'lower' and 'upper'",
                       hint="optimize(f, c(0, 1))")
    if not lo < up:
        raise AsrError(f"optimize(): 'xmin' not less than 'xmax' ({lo} >= {up})",
                       hint="interval = c(lower, upper) with lower < upper")
    tol = np.finfo(float).eps ** 0.25 if tol is None else float(tol)
    sign = -1.0 if maximum else 1.0

    def obj(x: float) -> float:
        v = _scalar(f(x, **dots), "optimize()")
        return sign * v if math.isfinite(v) else _BIG

    x = float(fminbound(obj, lo, up, xtol=tol, maxfun=10000))
    val = _scalar(f(x, **dots), "optimize()")
    return {"maximum" if maximum else "minimum": x, "objective": val}


def r_nlminb(start: Any, objective: Callable[..., Any],
             gradient: Callable[..., Any] | None = None, hessian: Any = None,
             scale: Any = 1, control: dict[str, Any] | None = None, lower: Any = None,
             upper: Any = None, **dots: Any) -> dict[str, Any]:
    """R's ``nlminb()`` emulated by L-BFGS-B/BFGS (see the module)."""
    from scipy.optimize import minimize

    if isinstance(objective, Untranslated):
        return objective._use()  # type: ignore[return-value]
    x0, names = _par(start, "nlminb()")
    n = x0.size
    lo, up, bounded = _bounds(lower, upper, n)
    c = dict(control or {})
    maxit = int(c.get("iter.max", 150))
    rel_tol = float(c.get("rel.tol", 1e-10))
    f = _Problem(objective, gradient, names,
                 _control({}, n, "BFGS"), dots, lo, up, bounded)
    x0 = np.clip(x0, lo, up)
    jac = f.g if gradient is not None else "3-point"
    if bounded:
        bnds = list(zip(np.where(np.isfinite(lo), lo, None), np.where(np.isfinite(up), up, None)))
        res = minimize(f.f, x0, jac=jac, method="L-BFGS-B", bounds=bnds,
                       options={"maxiter": maxit, "ftol": rel_tol, "gtol": 1e-10,
                                "maxls": 50})
    else:
        res = minimize(f.f, x0, jac=jac, method="BFGS",
                       options={"maxiter": maxit, "gtol": 1e-8})
    ok = bool(res.success) or "ABNORMAL" in str(res.message).upper() and \
        np.all(np.isfinite(res.x))
    return {"par": pd.Series(np.asarray(res.x), index=names), "objective": float(res.fun),
            "convergence": 0 if ok else 1, "iterations": int(res.nit),
            "evaluations": pd.Series([int(res.nfev), int(getattr(res, "njev", 0) or 0)],
                                     index=["function", "gradient"]),
            "message": ("relative convergence (emulated by scipy " +
                        ("L-BFGS-B" if bounded else "BFGS") + ")") if ok else
            f"false convergence (emulated: {res.message})"}


def r_optimr(par: Any, fn: Callable[..., Any], gr: Callable[..., Any] | None = None,
             lower: Any = None, upper: Any = None, method: str | None = None,
             hessian: bool = False, control: dict[str, Any] | None = None,
             **dots: Any) -> dict[str, Any]:
    """optimx's ``optimr()``: optim()'s list from the chosen method (see the module)."""
    dots.pop("hess", None)
    method = method or "Nelder-Mead"
    if method in ("nlminb",):
        r = r_nlminb(par, fn, gr, lower=lower, upper=upper, **dots)
        out = {"par": r["par"], "value": r["objective"],
               "counts": pd.Series([int(r["evaluations"]["function"]),
                                    int(r["evaluations"]["gradient"])],
                                   index=["function", "gradient"]),
               "convergence": r["convergence"], "message": r["message"]}
        if hessian:
            x, names = _par(r["par"], "optimr()")
            n = x.size
            prob = _Problem(fn, gr, names, _control({}, n, "BFGS"), dots, *_bounds(
                lower, upper, n))
            out["hessian"] = _hessian(prob, x)
        return out
    if method == "nlm":
        method = "BFGS"
    if method not in _METHODS or method == "SANN":
        raise AsrError(f"optimr(): method {method!r} is not emulated",
                       hint="one of Nelder-Mead, BFGS, CG, L-BFGS-B, Brent, nlminb")
    return r_optim(par, fn, gr, method=method, lower=lower, upper=upper, control=control,
                   hessian=hessian, **dots)
