"""A crawl of the AI iteration beside a fold of the parametrisation: stop and fit the fold.

Near a declared fold θ_i = θ_j (:meth:`~asr_py.vcov.base.CovTemplate.fold_faces`; sar2's
γ_1 = γ_2, :mod:`asr_py.reml.fold_face`) the information of the difference vanishes: every
AI step fails and EM steps crawl, each gain a near-constant fraction r of the one before,

    Δℓ_k ≈ r Δℓ_{k−1},   ℓ* − ℓ_k ≈ Δℓ_k r / (1 − r),

so that maxit iterations are spent before the fold is tried after the fit (smallgrains-uiuc
"single trial analysis 2023.R", study 5 grain yield, sar2(colNumber):sar2(rowNumber): 29 EM
steps in a row, r 0.6 .. 0.9). :class:`CrawlStop` reads the iteration's record: CRAWL_STEPS
iterations in a row that were EM steps or damped AI steps (an AI step failed), each gaining
at most CRAWL_RATE of the one before and none nothing, while a declared fold is within
:data:`asr_py.reml.fold_face.FOLD_NEAR`: the fit stops there and the caller fits the fold
(:func:`asr_py.reml.fold_face.tie`), or, when that fit is not kept, continues the first fit
from where it stopped (:func:`continued`: the same iterations in all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: this many EM or damped AI iterations in a row, each gaining at most CRAWL_RATE of the one
#: before, are a crawl
CRAWL_STEPS = 4
CRAWL_RATE = 0.95

#: the diagnostic of a fit stopped by :class:`CrawlStop` (removed when it is continued)
CRAWL_NOTE = ("iteration {it}: EM steps crawling beside a fold of the parametrisation "
              "({fold}): stopped to fit the fold")


def crawling(methods: Sequence[str], alphas: Sequence[float], gains: Sequence[float]
             ) -> bool:
    """True when the last CRAWL_STEPS iterations were EM steps or damped AI steps whose
    ℓ gains are positive and each at most CRAWL_RATE of the one before (a geometric crawl)."""
    k = CRAWL_STEPS
    if len(gains) < k + 1:
        return False
    slow = all(m == "EM" or (m == "AI" and a < 1.0)
               for m, a in zip(methods[-k:], alphas[-k:]))
    g = np.asarray(gains[-k - 1:], dtype=float)
    return bool(slow and np.all(np.isfinite(g)) and np.all(g > 0)
                and np.all(g[1:] <= CRAWL_RATE * g[:-1]))


@dataclass
class CrawlStop:
    """The first fit's stop rule: ``__call__(theta, history)`` is True (the fit stops) when
    the record ``history`` ends in a crawl (:func:`crawling`) and a declared fold (neither
    parameter fixed) is within FOLD_NEAR at ``theta``; ``fired`` then holds the fold's
    label."""

    problem: MixedProblem
    fired: str = ""
    _folds: list = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        from asr_py.reml.fold_face import _templates

        cons = [str(c).upper() for c in self.problem.constraints]
        for tmpl, off, _ in _templates(self.problem):
            for f in tmpl.fold_faces():
                i, j = off + f.i, off + f.j
                if "F" not in (cons[i], cons[j]):
                    self._folds.append((i, j, f"{self.problem.names[i]!r} = "
                                              f"{self.problem.names[j]!r}"))

    def __call__(self, theta: np.ndarray, history: Sequence[dict]) -> bool:
        from asr_py.reml.fold_face import FOLD_NEAR

        if not self._folds or self.fired:
            return False
        h = list(history)
        gains = np.diff([float(x["loglik"]) for x in h])
        if not crawling([str(x["method"]) for x in h[1:]], [float(x["step"]) for x in h[1:]],
                        gains):
            return False
        near = [lab for i, j, lab in self._folds if abs(theta[i] - theta[j]) <= FOLD_NEAR]
        if not near:
            return False
        self.fired = ", ".join(near)
        return True


def continued(first: RemlResult, second: RemlResult) -> RemlResult:
    """``second`` (a fit started at ``first``'s estimate) as the continuation of ``first``:
    n_iter the total, history the first's then the second's (iterations renumbered), the
    first's diagnostics other than its CrawlStop note before the second's."""
    n1 = int(first.n_iter)
    own = [{**h, "iteration": int(h.get("iteration", 0)) + n1} for h in second.history[1:]]
    second.history = [*first.history, *own]
    second.n_iter = n1 + int(second.n_iter)
    keep = [d for d in first.diagnostics if "stopped to fit the fold" not in d]
    second.diagnostics = [*keep, *[d for d in second.diagnostics if d not in keep]]
    return second


__all__ = ["CRAWL_NOTE", "CRAWL_RATE", "CRAWL_STEPS", "CrawlStop", "continued", "crawling"]
