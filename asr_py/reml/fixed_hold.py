"""Fixed ('F') variance parameters removed from the fit: its cost follows the free ones.

A structure whose parameters are all fixed is a known covariance: each template says which
of its structures are (:meth:`~asr_py.vcov.base.CovTemplate.hold_fixed`) and holds them as
:class:`~asr_py.vcov.frozen.Frozen` (Σ(θ_F), Σ⁻¹ and log|Σ| once; no parameters), so the
REML score, the AI matrix (``AI_kl = ½ q_k'Pq_l``, q_k = V̇_k Py), the EM step and every
n x n_θ working array run over the free parameters only. ℓ is unchanged: with θ_F held,

    ℓ(θ_free) = ℓ(θ_free, θ_F),   s_free and AI_free are the free rows of the full ones,

(Σ(θ_F) enters V exactly as before). Structures are frozen where they are whole: a template
with every parameter fixed; a direct-sum section (``dsum``: stage-1 error matrices per
trial) or a Kronecker part (``us(trait)`` fixed beside ``vm(id, A)``) with every parameter
fixed, inside a template that keeps free ones. A structure with some parameters fixed and
some free exposes its free ones only (:class:`~asr_py.vcov.frozen.PartlyFrozen`) when at
least :data:`~asr_py.vcov.frozen.PARTLY_MIN_FIXED` are fixed (a stage-1 error matrix with
one genotype's row left free), unless it fixes parameters of its own (fa/rr's structural
zero loadings, fitted through their latent factors); otherwise it keeps them all ('F' ones
are held by the engine as before: a covariance matrix with a fixed parameter has no
positive-definite-boundary handling there either). A residual σ² diag(1/w) with its one
parameter fixed (family dispersion = 1, σ² fixed with weights) keeps it too: the engine's
scaled-residual path needs the parameter, which costs one column of the working variates.

:func:`hold_fixed` builds the reduced problem; :meth:`FixedHold.result` puts a fit of it
back in the original θ (fixed values with code 'F'; score, AI and Var(θ̂) NaN in their rows
and columns, as the engine reports fixed parameters).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from asr_py.reml.problem import MixedProblem, RandomBlock
from asr_py.reml.result import RemlResult
from asr_py.vcov.base import CovTemplate


def _scaled_residual(t: CovTemplate, theta: np.ndarray) -> bool:
    """R = σ² diag(1/w) with its one parameter: kept for the engine's scaled path."""
    return t.n_params == 1 and t.scaled_diagonal(theta) is not None


@dataclasses.dataclass
class FixedHold:
    """How a fit of the reduced problem maps back: ``keep`` = θ indices it estimates."""

    original: MixedProblem
    keep: np.ndarray

    def theta(self, reduced: np.ndarray) -> np.ndarray:
        """The full θ: the fixed values, and ``reduced`` at the kept positions."""
        out = np.asarray(self.original.theta0, dtype=float).copy()
        out[self.keep] = reduced
        return out

    def callback(self, cb: Callable[[dict], None] | None) -> Callable[[dict], None] | None:
        """``cb`` called with each history entry's θ in full (the fit's own entry kept)."""
        if cb is None:
            return None

        def full(h: dict) -> None:
            cb({**h, "theta": self.theta(h["theta"])})
        return full

    def result(self, r: RemlResult) -> RemlResult:
        """The reduced fit in the original θ: fixed values with code 'F'; their score, AI
        rows/columns and Var(θ̂) NaN (not computed); β̂, û, ℓ, the factor unchanged."""
        prob, k = self.original, self.keep
        nt = prob.n_theta
        cons = ["F"] * nt
        for i, c in zip(k, r.constraints):
            cons[int(i)] = c
        score = np.full(nt, np.nan)
        score[k] = r.score
        ai = np.full((nt, nt), np.nan)
        ai[np.ix_(k, k)] = r.ai
        vc = np.full((nt, nt), np.nan)
        vc[np.ix_(k, k)] = r.vcov_theta
        work = None
        if r.ai_work is not None:  # reml/congruence.py's working AI, laid out as ai
            work = np.full((nt, nt), np.nan)
            work[np.ix_(k, k)] = r.ai_work
        bound = np.zeros(nt, dtype=bool)
        bound[k] = r.boundary
        free_map = None
        if r.free_map is not None:
            free_map = np.zeros((nt, r.free_map.shape[1]))
            free_map[k] = r.free_map
        return dataclasses.replace(
            r, theta=self.theta(r.theta), names=list(prob.names), constraints=cons,
            score=score, ai=ai, vcov_theta=vc, boundary=bound,
            history=[{**h, "theta": self.theta(h["theta"])} for h in r.history],
            free_map=free_map, face_idx=k[np.asarray(r.face_idx, dtype=int)], ai_work=work)


def hold_fixed(problem: MixedProblem) -> tuple[MixedProblem, FixedHold] | None:
    """The problem with its wholly fixed structures frozen (see the module docstring) and
    the map back; None when no structure is wholly fixed."""
    cons = [str(c).upper() for c in problem.constraints]
    fixed = np.array([c == "F" for c in cons], dtype=bool)
    if not fixed.any():
        return None
    th = np.asarray(problem.theta0, dtype=float)
    sl = problem.slices()
    blocks, keeps = [], []
    for b, s in zip(problem.random, sl):
        t, k = b.template.hold_fixed(th[s], fixed[s])
        blocks.append(RandomBlock(b.name, b.Z, t))
        keeps.append(k)
    res, fr = problem.residual, fixed[sl[-1]]
    if fr.any() and _scaled_residual(res, th[sl[-1]]):
        rk = np.ones(1, dtype=bool)
    else:
        res, rk = res.hold_fixed(th[sl[-1]], fr)
    keep = np.flatnonzero(np.concatenate([*keeps, rk]))
    if keep.size == problem.n_theta:
        return None
    reduced = dataclasses.replace(
        problem, random=blocks, residual=res, theta0=th[keep].copy(),
        constraints=[problem.constraints[i] for i in keep],
        names=[problem.names[i] for i in keep], param_map=None)
    return reduced, FixedHold(problem, keep)


__all__ = ["FixedHold", "hold_fixed"]
