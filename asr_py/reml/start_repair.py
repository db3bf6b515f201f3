"""Start values given by the user (``params=``, ``update()``, ``init=``) at which the mixed
model equations cannot be solved: the fit restarts from repaired values instead of dying.

A fit's estimates carried into a changed model (asreml's ``update``, asremlPlus's
``changeTerms``/``changeModelOnIC``) often hold a variance at its boundary: the engine holds
a 'P' variance at ``BOUNDARY_REL`` (1e-12) x its scale, so the residual variance of a fit
with ``units`` and ``ar1(Lane):ar1(Position)`` can come back as 1.7e-12 beside a ``units``
variance of 23. In the new model R⁻¹ is then ~1e12 times G⁻¹ and C = [X'R⁻¹X, X'R⁻¹Z;
Z'R⁻¹X, Z'R⁻¹Z + G⁻¹] is positive definite in exact arithmetic but not to the factorization
(its Schur complement X'(R + ZGZ')⁻¹X is ~1e-12 of the blocks it is formed from). ASReml
starts such a fit (its parameters are ratios updated in a scaled form); so does asr_py, by
trying in turn:

1. the given values with every free variance parameter below ``START_FLOOR`` x its default
   start value (the compiler's, set by the data: a share of var(y)) raised to that floor,
   every other value kept;
2. the compiler's default start values for every parameter that is not fixed ('F').

Each candidate must be a valid point of the parameter space; the first at which C factors
is used, and the fit's diagnostics say which values were replaced. When none works, the
original error stands (a named :class:`~asr_py.errors.ModelError` with a hint).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from asr_py.errors import ModelError
from asr_py.reml.problem import MixedProblem

#: a free variance start below this fraction of its default start value is raised to it
START_FLOOR = 1e-4


class StartValueError(ModelError):
    """The mixed model equations cannot be solved (C not positive definite) at valid start
    values."""


def raised_variances(problem: MixedProblem, default: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """θ₀ with each free ('P', 'B', 'U') variance parameter below ``START_FLOOR`` x its
    default start value raised to that floor; returns (θ, names of the raised ones)."""
    theta = problem.theta0.astype(float).copy()
    kinds = problem.param_map.kinds if problem.param_map is not None else []
    raised = []
    for k, (c, kind) in enumerate(zip(problem.constraints, kinds)):
        if str(c).upper() == "F" or kind != "variance":
            continue
        floor = START_FLOOR * abs(float(default[k]))
        if np.isfinite(floor) and floor > 0 and theta[k] < floor:
            theta[k] = floor
            raised.append(problem.names[k])
    return theta, raised


def start_candidates(problem: MixedProblem, default: np.ndarray
                     ) -> list[tuple[MixedProblem, str]]:
    """The repaired problems to try, in order, each with the diagnostic that says what
    was replaced (see the module docstring)."""
    out: list[tuple[MixedProblem, str]] = []
    theta, raised = raised_variances(problem, default)
    if raised:
        shown = ", ".join(repr(n) for n in raised[:5]) + (" ..." if len(raised) > 5 else "")
        out.append((replace(problem, theta0=theta, random=list(problem.random)),
                    f"the given start values could not be evaluated (the mixed model equations "
                    f"are not positive definite there); the variance parameter(s) {shown}, "
                    f"at or near zero, started at {START_FLOOR:g} x their default start value "
                    "instead"))
    free = np.array([str(c).upper() != "F" for c in problem.constraints], dtype=bool)
    theta = problem.theta0.astype(float).copy()
    theta[free] = np.asarray(default, dtype=float)[free]
    if not np.array_equal(theta, problem.theta0):
        out.append((replace(problem, theta0=theta, random=list(problem.random)),
                    "the given start values could not be evaluated (the mixed model equations "
                    "are not positive definite there); the fit started from the default start "
                    "values of every parameter not fixed ('F')"))
    return out


def fit_with_start_repair(fit: Callable[[MixedProblem], Any], problem: MixedProblem,
                          default: np.ndarray | Callable[[], np.ndarray]) -> Any:
    """``fit(problem)``; when it raises a :class:`StartValueError` (C cannot be factored at
    the start values), ``fit`` of the first candidate of :func:`start_candidates` that
    starts, its diagnostic first in the result's diagnostics. Other errors, and a start
    that no candidate repairs, raise the original error. ``default``: the default start
    values, or a function giving them (called only when a repair is needed)."""
    try:
        return fit(problem)
    except StartValueError as exc:
        first = exc
    if callable(default):
        default = default()
    for cand, note in start_candidates(problem, default):
        try:
            result = fit(cand)
        except ModelError:      # this candidate does not start either: the next one
            continue
        result.diagnostics.insert(0, note)
        return result
    raise first
