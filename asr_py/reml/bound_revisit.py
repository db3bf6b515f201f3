"""A variance that an AI step sent to its boundary on the way but that ended inside it: the
boundary face is fitted too, and the better optimum kept.

When the AI step wants a variance below zero, the iteration cuts it to a fraction of its
value (fraction-to-boundary, reml/bounds.py) and the next step may take it back inside. The
REML likelihood can then have two optima: an interior one, where the iteration ends, and one
on the face θ_k = 0, which ASReml reaches because it holds such a variance on its bound
('B'). asremlPlus tests/testthat/test42Selection.r:499 (longit.dat, ``Area ~ Block +
Treatments + Treatments:xDAP``, ``random = ~ Block:Cart + at(Treatments):spl(xDAP, k = 10) +
Treatments:DAP + Block:Cart:spl(xDAP) + Block:Cart:xDAP``, ``residual = ~
Block:Cart:ar1h(DAP)``): from the default start DAP_17's variance went 6.31 → 0.0063 at
iteration 8 and ended at 1.54 with ℓ −2203.724 (a local maximum: a dense-V REML's score is 0
there and its Hessian negative definite); with DAP_17 on its bound ℓ is −2190.06 and the
spline variances are asreml's recorded ones (233.15, 502.67, 74.96, ... within 1 % but the
smallest), and asreml codes DAP_17 'B'.

:func:`visited` finds such variances: free ('P'), ended off their bound, and on the
path at most :data:`VISIT_REL` of the value they ended at, right after a step that cut them
by that factor, unless that step cut every free variance of the template alike (s34fa: the
AI step from a start whose scale is far too large, as in benchmarks/bench_met_postpass.py's
predFA-shaped ``corh(env):vm(geno, G)`` from 7.5 x its optimum, holds all 13 variances on
their bounds at once; that says the start's scale is wrong, not that one variance belongs
on its face; the three face fits it triggered there were 80 % of the fit's CPU and ended
110-370 below its ℓ).
Each such face is fitted with the variance fixed at :data:`HOLD_REL` × its
final value (from the problem's start, as ASReml's path would be); only when the best face
optimum is better than the first fit's ℓ is the whole problem refitted from it, the variance
free again (the iteration then holds it on its bound when its score points out of the
face). The better of the fits is kept.

A face fit that cannot end above the target T (the first fit's ℓ + :data:`MIN_GAIN`, or the
best face so far) is abandoned early (:class:`FaceWatch`). After iteration i, with ℓ_i and
the next step's predicted gain g_i = s'δ − ½δ'AIδ, the gain still to come is estimated from
the contraction of g, q_i = g_i / g_{i−1} < 1, as a geometric series scaled by how much the
last step out-gained its prediction, ρ_i = max(1, (ℓ_i − ℓ_{i−1}) / g_{i−1}):

    R_i = ρ_i g_i / (1 − q_i)      (R_i = ∞ unless 0 ≤ g_i < g_{i−1}),

and the fit is abandoned once ℓ_i + :data:`ABANDON_MULT` · R_i < T at :data:`ABANDON_ITERS`
iterations in a row. Differences of ℓ and predicted gains do not change with the units,
and the rule reads only the fit's own path (deterministic). Far from its optimum a fit's g
does not contract (test42Selection's face DAP_17: g 689 → 736 → 620 from ℓ −4201.5) and R_i
is large; near it the estimate is checked by the path itself (sweetpotato's
Cross-validations.R fold 1: its three faces, none better, abandoned after 4, 4 and 4 of
8, 15 and 10 iterations). R_i is an estimate, not a bound: of the faces that ended better
(test42Selection's two, two of cculma/Fransen_2022's 2_single_trial.R, the ar1-plus-nugget
series of tests/reml/test_face_abandon.py) the hardest would have been abandoned for
M < 1.31 (the others for M < 0.85, 0.98 or never), so M = 5 leaves a factor 3.8; most faces
that were not better (benchmarks/revisit_census.py) fell below T for M up to 10⁵ or more.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.param_codes import param_codes
from asr_py.reml.problem import MixedProblem
from asr_py.reml.result import RemlResult

#: a variance "visited its bound" when an iterate was at most this fraction of its final
#: value and of the iterate before it (the fraction-to-boundary cut is 1e-3)
VISIT_REL = 1e-2
#: the face fit holds the variance at this fraction of its final value ('F')
HOLD_REL = 1e-4
#: at most this many faces are fitted (one extra fit each)
MAX_FACES = 3
#: a face optimum replaces the fit only when its ℓ is higher by this much (another optimum,
#: not the round-off of the same one; differences of ℓ do not change with the units)
MIN_GAIN = 1e-3
#: a face fit is abandoned when ℓ + this multiple of its estimated remaining gain R stays
#: below the target (a margin for R's being an estimate, not a bound)
ABANDON_MULT = 5.0
#: ... at this many iterations in a row
ABANDON_ITERS = 2


class FaceAbandoned(Exception):
    """Raised by :class:`FaceWatch` to stop a face fit that cannot reach its target."""


class FaceWatch:
    """The monitor of a face fit (called with ℓ_i and g_i after each iteration): raises
    :class:`FaceAbandoned` once ℓ_i + ABANDON_MULT · R_i < ``target`` at ABANDON_ITERS
    iterations in a row (R_i: the module docstring). ``iterations`` counts the calls."""

    def __init__(self, target: float) -> None:
        self.target = float(target)
        self.iterations = 0
        self._prev: tuple[float, float] | None = None
        self._below = 0

    def remaining(self, loglik: float, gain: float) -> float:
        """R_i from this iterate and the one before (∞ when g does not contract)."""
        if self._prev is None:
            return np.inf
        ll0, g0 = self._prev
        if not (np.isfinite(gain) and np.isfinite(g0) and 0.0 <= gain < g0):
            return np.inf
        q = gain / g0
        rho = max(1.0, (loglik - ll0) / g0)
        return rho * gain / (1.0 - q)

    def __call__(self, loglik: float, gain: float) -> None:
        self.iterations += 1
        r = self.remaining(loglik, gain)
        self._prev = (loglik, gain)
        self._below = self._below + 1 if loglik + ABANDON_MULT * r < self.target else 0
        if self._below >= ABANDON_ITERS:
            raise FaceAbandoned(f"iteration {self.iterations}: ℓ {loglik:.6g} + "
                                f"{ABANDON_MULT:g} x {r:.3g} below {self.target:.6g}")


def visited(problem: MixedProblem, res: RemlResult) -> list[int]:
    """θ indices of the free variances that ended inside but visited their bound."""
    codes = param_codes(problem, res)
    if codes is None or not res.converged or len(res.history) < 3:
        return []
    path = np.array([h["theta"] for h in res.history], dtype=float)
    theta = np.asarray(res.theta, dtype=float)
    free = [kind == "variance" and start == "P" for kind, start in zip(codes.kinds, codes.start)]
    drop = path[1:] <= VISIT_REL * path[:-1]   # the step to iterate s + 1 cut θ_j
    out = []
    for k, fit in enumerate(codes.fit):
        if not free[k] or fit != "P" or not theta[k] > 0:
            continue
        cut = (path[1:, k] <= VISIT_REL * theta[k]) & drop[:, k]
        mates = _template_mates(problem, free, k)
        if mates:  # s34fa: a step that cut the whole template is no face of θ_k's
            cut &= ~drop[:, mates].all(axis=1)
        if cut.any():
            out.append(k)
    return out


def _template_mates(problem: MixedProblem, free: list[bool], k: int) -> list[int]:
    """The other free variances of θ_k's template (its random block or the residual)."""
    for s in problem.slices():
        if s.start <= k < s.stop:
            return [j for j in range(s.start, s.stop) if j != k and free[j]]
    return []


def revisit_starts(problem: MixedProblem, res: RemlResult
                   ) -> list[tuple[np.ndarray, list[str], int]]:
    """(θ start, constraints, index) of each face fit (at most :data:`MAX_FACES`, the
    variances cut deepest first): the problem's start with that variance fixed ('F') at
    HOLD_REL × its final value. One face per variance: holding several at once can cost
    more than one gains (test42Selection's first fit: DAP_17 alone −2190.06; with
    Treatments:DAP and DAP_21 too −2211.57, below the interior −2203.72)."""
    ks = visited(problem, res)
    if not ks:
        return []
    path = np.array([h["theta"] for h in res.history], dtype=float)
    depth = {k: float(path[:, k].min()) / float(res.theta[k]) for k in ks}
    out = []
    for k in sorted(ks, key=lambda j: depth[j])[:MAX_FACES]:
        theta = np.asarray(problem.theta0, dtype=float).copy()
        cons = [str(c) for c in problem.constraints]
        theta[k] = HOLD_REL * float(res.theta[k])
        cons[k] = "F"
        out.append((theta, cons, k))
    return out


def note(name: str, gain: float) -> str:
    """The diagnostic of a kept face fit."""
    return (f"{name!r} went to the boundary during the iteration and came back; a fit on that "
            f"boundary reached a log-likelihood {gain:.3g} higher (kept)")


__all__ = ["ABANDON_ITERS", "ABANDON_MULT", "HOLD_REL", "MAX_FACES", "MIN_GAIN", "VISIT_REL",
           "FaceAbandoned", "FaceWatch", "note", "revisit_starts", "visited"]
