"""Per-parameter codes of a fitted problem, read by the second fits after a fit
(reml/corr_escape.py, reml/ar_limit_fix.py): each parameter's kind, the constraint code
the fit ended with ('B' on a bound) and the one the user started from ('F' fixed), and
the correlations that have a limit inside their valid range (ASReml's ``!ARLIMIT`` on
ar1's ρ: the template's ``closed_bound``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult


@dataclass(frozen=True)
class ParamCodes:
    """``kinds[k]``, ``fit[k]`` (the fit's code, upper case) and ``start[k]`` (the
    problem's code) of every parameter k."""

    kinds: list[str]
    fit: list[str]
    start: list[str]


def param_codes(problem: MixedProblem, res: RemlResult) -> ParamCodes | None:
    """The codes of ``problem``'s parameters after the fit ``res`` (None without a
    parameter map)."""
    pm = problem.param_map
    if pm is None:
        return None
    return ParamCodes(list(pm.kinds), [str(c).upper() for c in res.constraints],
                      [str(c).upper() for c in problem.constraints])


def limit_correlations(problem: MixedProblem) -> Iterator[int]:
    """The θ indices of the correlations, not fixed by the user, whose template holds them
    on a limit inside their valid range (``closed_bound``: ar1's ρ and its v/h variants),
    in parameter-map order."""
    pm = problem.param_map
    if pm is None:
        return
    kinds = pm.kinds
    for sp_ in pm.structures:
        closed = getattr(sp_.template, "closed_bound", None)
        if closed is None:
            continue
        for j in range(sp_.template.n_params):
            k = sp_.start + j
            if (kinds[k] == "correlation" and str(problem.constraints[k]).upper() != "F"
                    and closed(j)):
                yield k


__all__ = ["ParamCodes", "limit_correlations", "param_codes"]
