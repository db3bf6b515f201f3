"""Profile-likelihood confidence intervals of variance parameters (lme4's
``confint(method = "profile")`` on the variance scale).

For parameter θ_k with REML estimate θ̂_k the profile log-likelihood is
ℓ_p(v) = max over the other parameters of ℓ(θ) with θ_k = v (a fit with θ_k fixed at v,
constraint 'F', started from θ̂). The interval is {v : 2 (ℓ̂ − ℓ_p(v)) <= χ²₁(level)}; each end
is found by doubling a step from θ̂_k until it is outside, then Brent's method. An end that
reaches the parameter's bound (0 for a positive variance, ±1 for a correlation) before leaving
the region is that bound (note 'bound'). Intervals are invariant to monotone
reparameterisation: square roots of a variance interval are the standard-deviation interval.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from asr_py.errors import AsrError, ModelError


def _bounds(kind: str, constraint: str) -> tuple[float, float]:
    if kind == "correlation":
        return -1.0, 1.0
    if kind == "variance" and constraint != "U":
        return 0.0, math.inf
    return -math.inf, math.inf


def confint(fit: Any, parm: str | list[str] | None = None, level: float = 0.95,
            maxit: int = 50) -> pd.DataFrame:
    """A table (component, estimate, lower, upper, note) of profile-likelihood intervals."""
    from asr_py.reml import fit_reml
    from asr_py.reml.ml import fit_ml

    if not 0 < level < 1:
        raise AsrError(f"confint(level={level!r}): level must lie between 0 and 1")
    res, model = fit.result, fit.model
    if getattr(res, "free_map", None) is not None:
        raise AsrError("confint: profile intervals under vcm= constraints are not available",
                       hint="profile the model without vcm=, or use the standard errors")
    names = list(res.names)
    if parm is None:
        todo = [k for k, c in enumerate(res.constraints) if c != "F"]
    else:
        wanted = [parm] if isinstance(parm, str) else list(parm)
        missing = [p for p in wanted if p not in names]
        if missing:
            raise AsrError(f"confint: no variance parameter named {missing[0]!r}",
                           hint="names as in varcomp: " + ", ".join(names))
        todo = [names.index(p) for p in wanted]
    base = model.problem(res.theta)
    cons0 = ["P" if c == "B" else c for c in res.constraints]
    crit = 0.5 * float(stats.chi2.ppf(level, 1))
    ll_hat = float(res.loglik)
    se = np.sqrt(np.clip(np.diag(res.vcov_theta), 0, None)) if res.vcov_theta.size else None
    solver = getattr(res, "solver", "auto") or "auto"
    refit = fit_ml if getattr(res, "method", "REML") == "ML" else fit_reml  # ML: ML profile

    rows = []
    for k in todo:
        kind = list(model.param_kinds)[k]
        lo_b, hi_b = _bounds(kind, cons0[k])
        est = float(res.theta[k])

        def excess(v: float, k: int = k) -> float:
            """2(ℓ̂ − ℓ_p(v))/2 − χ²/2: negative inside the interval."""
            th = res.theta.copy()
            th[k] = v
            cons = list(cons0)
            cons[k] = "F"
            try:
                r = refit(replace(base, theta0=th, constraints=cons,
                                     random=list(base.random)), maxit=maxit, solver=solver)
            except ModelError:
                return math.inf  # v makes the model invalid (not positive definite)
            return ll_hat - float(r.loglik) - crit

        s = se[k] if se is not None and np.isfinite(se[k]) and se[k] > 0 else 0.0
        step0 = max(s, 0.1 * abs(est), 1e-3 if kind == "correlation" else 1e-8 + 1e-3 * abs(est))
        ends, notes = [], []
        for sign, bound in ((-1.0, lo_b), (1.0, hi_b)):
            step, inside = step0, est
            end: float | None = None
            for _ in range(60):
                v = est + sign * step
                if (sign < 0 and v <= bound) or (sign > 0 and v >= bound):
                    edge = bound - sign * 1e-10 * max(1.0, abs(bound))
                    if excess(edge) <= 0:
                        end = bound
                        notes.append("bound")
                        break
                    v = edge
                    f = excess(v)
                else:
                    f = excess(v)
                if f > 0:
                    a, b = sorted((inside, v))
                    end = optimize.brentq(excess, a, b, xtol=1e-10 * max(1.0, abs(est)),
                                          rtol=1e-10)
                    break
                inside = v
                step *= 2.0
            ends.append(math.nan if end is None else end)
        rows.append({"component": names[k], "estimate": est, "lower": ends[0],
                     "upper": ends[1], "note": ", ".join(notes)})
    out = pd.DataFrame(rows).set_index("component")
    out.attrs["level"] = level
    return out


__all__ = ["confint"]
