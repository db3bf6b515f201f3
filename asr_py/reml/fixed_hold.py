"""Fixed ('F') variance parameters removed from the fit: its cost follows the free ones.

A structure whose parameters are all fixed is a known covariance: it is replaced by
:class:`asr_py.vcov.frozen.Frozen` (Σ(θ_F), Σ⁻¹ and log|Σ| once; no parameters), so the
REML score, the AI matrix (``AI_kl = ½ q_k'Pq_l``, q_k = V̇_k Py), the EM step and every
n x n_θ working array run over the free parameters only. ℓ is unchanged: with θ_F held,

    ℓ(θ_free) = ℓ(θ_free, θ_F),   s_free and AI_free are the free rows of the full ones,

(Σ(θ_F) enters V exactly as before). Structures are frozen where they are whole: a template
with every parameter fixed; a direct-sum section (``dsum``: stage-1 error matrices per
trial) or a Kronecker part (``us(trait)`` fixed beside ``vm(id, A)``) with every parameter
fixed, inside a template that keeps free ones. A structure with some parameters fixed and
some free is a :class:`~asr_py.vcov.frozen.PartlyFrozen` over its free ones when at least
:data:`PARTLY_MIN_FIXED` are fixed (a stage-1 error matrix with one genotype's row left
free), unless it fixes parameters of its own (fa/rr's structural zero loadings, fitted
through their latent factors); otherwise it keeps them all ('F' ones are held by the engine
as before: a covariance matrix with a fixed parameter has no positive-definite-boundary
handling there either). A residual σ² diag(1/w) with its one parameter fixed (family
dispersion = 1, σ² fixed with weights) keeps it too: the engine's scaled-residual path
needs the parameter, which costs one column of the working variates.

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
from asr_py.vcov.composite import DirectSum
from asr_py.vcov.frozen import Frozen, PartlyFrozen

#: a structure with some parameters fixed and some free keeps them all (the engine holds the
#: fixed ones) unless at least this many are fixed: then it is a
#: :class:`~asr_py.vcov.frozen.PartlyFrozen` over its free ones. A few fixed parameters cost
#: little, and the whole structure keeps its positive-definite-boundary handling (a
#: PartlyFrozen Σ is affine in its free parameters: no face geometry)
PARTLY_MIN_FIXED = 10


def _hold(t: CovTemplate, theta: np.ndarray, fixed: np.ndarray
          ) -> tuple[CovTemplate, np.ndarray]:
    """(``t`` with its wholly fixed structures frozen, which of its parameters remain)."""
    keep = np.ones(t.n_params, dtype=bool)
    if not fixed.any() or t.n_params == 0:
        return t, keep
    if fixed.all():
        if not t.is_valid(theta):  # left to the engine's start-value check and message
            return t, keep
        return Frozen(t, theta), ~keep
    if type(t) is DirectSum:
        parts, off, changed = [], 0, False
        for s in t.templates:
            sl = slice(off, off + s.n_params)
            ns, k = _hold(s, theta[sl], fixed[sl])
            parts.append(ns)
            keep[sl] = k
            changed |= ns is not s
            off = sl.stop
        return (DirectSum(parts, t.indices, t.n), keep) if changed else (t, keep)
    factors = t.kronecker_factors()
    if factors is not None:
        scale, parts_k = factors
        off = 1 if scale else 0
        if off + sum(p.n_params for p in parts_k) != t.n_params:  # pragma: no cover
            return t, keep
        new, changed = [], False
        for p in parts_k:
            sl = slice(off, off + p.n_params)
            npart, k = _hold(p, theta[sl], fixed[sl])
            new.append(npart)
            keep[sl] = k
            changed |= npart is not p
            off = sl.stop
        return (t.with_factors(new), keep) if changed else (t, keep)
    if (int(fixed.sum()) >= PARTLY_MIN_FIXED and not t.fixed_mask().any()
            and t.latent_identity() is None and t.is_valid(theta)):
        return PartlyFrozen(t, theta, fixed), ~fixed
    return t, keep


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
            free_map=free_map, face_idx=k[np.asarray(r.face_idx, dtype=int)])


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
        t, k = _hold(b.template, th[s], fixed[s])
        blocks.append(RandomBlock(b.name, b.Z, t))
        keeps.append(k)
    res, fr = problem.residual, fixed[sl[-1]]
    if fr.any() and _scaled_residual(res, th[sl[-1]]):
        rk = np.ones(1, dtype=bool)
    else:
        res, rk = _hold(res, th[sl[-1]], fr)
    keep = np.flatnonzero(np.concatenate([*keeps, rk]))
    if keep.size == problem.n_theta:
        return None
    reduced = dataclasses.replace(
        problem, random=blocks, residual=res, theta0=th[keep].copy(),
        constraints=[problem.constraints[i] for i in keep],
        names=[problem.names[i] for i in keep], param_map=None)
    return reduced, FixedHold(problem, keep)


__all__ = ["FixedHold", "hold_fixed"]
