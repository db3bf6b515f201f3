"""The outcome of a REML fit: estimates, log-likelihood, iteration history and C⁻¹ access."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asr_py.reml.solver import Factor


@dataclass
class RemlResult:
    """Result of :func:`asr_py.reml.fit_reml`.

    ``theta``, ``names``, ``constraints`` run over all variance parameters (problem order);
    ``constraints`` carries 'B' for a 'P' parameter that ended held at its boundary.
    ``ai`` is the average-information matrix over all θ at the final estimates, with the rows
    and columns of fixed ('F') and boundary parameters set to NaN; ``vcov_theta`` is the
    inverse of ``ai`` over the free parameters (NaN elsewhere, and NaN everywhere if that
    block is singular). ``score`` is the exact REML score at ``theta``; NaN for fixed
parameters of structures the fit held as known (:mod:`asr_py.reml.fixed_hold`: not
computed).
    ``beta`` (p), ``u`` (one array per random block), ``fitted`` = Xβ̂ + Zû,
    ``residuals`` = y − fitted, ``vcov_beta`` = the β block of C⁻¹ (may be given as a
    :class:`Deferred`: formed on first use, then kept), ``pev`` = diagonals of
    the u blocks of C⁻¹ (prediction error variances). ``history`` has one dict per evaluated
    iteration (iteration 0 is the start): iteration, loglik, theta, step, seconds, method
    ('start', 'AI', 'EM').
    """

    theta: np.ndarray
    names: list[str]
    constraints: list[str]
    loglik: float
    converged: bool
    n_iter: int
    history: list[dict]
    score: np.ndarray
    ai: np.ndarray
    vcov_theta: np.ndarray
    boundary: np.ndarray
    beta: np.ndarray
    u: list[np.ndarray]
    fitted: np.ndarray
    residuals: np.ndarray
    n_minus_p: int
    vcov_beta: np.ndarray
    pev: list[np.ndarray]
    diagnostics: list[str] = field(default_factory=list)
    solver: str = "dense"
    factor: Factor | None = field(default=None, repr=False)
    u_offsets: list[int] = field(default_factory=list, repr=False)
    #: why solver='auto' took this path (eigen or mixed model equations); '' otherwise
    path_reason: str = ""
    #: 'REML' or 'ML' (:mod:`asr_py.reml.ml`): which likelihood ``loglik`` is
    method: str = "REML"
    #: θ = c + M φ under vcm constraints (:mod:`asr_py.reml.constraints`); None otherwise
    free_map: np.ndarray | None = field(default=None, repr=False)
    #: peak resident memory of the process during the fit, bytes (asr_py.reml.memory)
    peak_memory: int | None = None
    #: θ indices of covariance matrices that converged on a face of the PD cone (singular,
    #: rank < n; reml/pd_face.py): their identifiability and Var(θ̂) are judged in the face's
    #: own coordinates, so the θ-space AI (singular there) does not flag them
    face_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int), repr=False)
    #: per matrix on a PD face: (term, its parameters, the face's dimension: n·r − r(r−1)/2
    #: for a covariance matrix of rank r, n(r − 1) − r(r − 1)/2 for a correlation matrix)
    face_dims: list[tuple[str, int, int]] = field(default_factory=list, repr=False)
    #: the AI matrix in the coordinates the engine iterated in, when they are not θ's
    #: (:mod:`asr_py.reml.congruence`: θ_w = Aθ, same parameter positions): identifiability
    #: is judged there (``ai`` = A'(ai_work)A is as singular, but its diagonal scaling is not)
    ai_work: np.ndarray | None = field(default=None, repr=False)
    #: s33polish: the form (mixed model equations or V) the fit's iteration evaluated, kept
    #: for fit_reml's post-fit checks (reml/face_polish.py: no second symbolic analysis)
    #: when the fit ends with a singular covariance matrix; None once fit_reml returns
    form: Any = field(default=None, repr=False, compare=False)
    #: s33polish: the rule that ended the iteration ('predicted', 'full_step', 'stall',
    #: 'zero', 'on_face', 'face_failed', 'maxit', ...: reml/ai.py's _fit_reml), with
    #: '+pd_held' when its last AI step was held on a positive-definite boundary and
    #: '+unconverged' when the fit did not converge
    stop: str = ""

    @property
    def solution(self) -> np.ndarray:
        """ŝ = [β̂; û] (the MME solution, in C's order)."""
        parts = [self.beta, *self.u]
        return np.concatenate(parts) if parts else np.zeros(0)

    def solve_c(self, rhs: np.ndarray) -> np.ndarray:
        """C⁻¹ rhs at the final estimates (rhs: N-vector or N x k)."""
        if self.factor is None:
            raise ValueError("this result holds no factor of C")
        return self.factor.solve(np.asarray(rhs, dtype=float))

    def cinv_quad(self, L: np.ndarray) -> np.ndarray:
        """L C⁻¹ L' for a dense k x N matrix L (prediction error (co)variances of Lŝ)."""
        L = np.atleast_2d(np.asarray(L, dtype=float))
        x = self.solve_c(L.T)
        out = L @ x
        return 0.5 * (out + out.T)


class Deferred:
    """A value formed on first use by a zero-argument function: a fit that is never asked
    for Var(β̂) = C⁻¹[β, β] (model-selection loops keep ℓ only) does not pay for the
    p x p block."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[], np.ndarray]) -> None:
        self.fn = fn


def _get_vcov_beta(self: RemlResult) -> np.ndarray:
    v = self.__dict__["_vcov_beta"]
    if isinstance(v, Deferred):
        v = self.__dict__["_vcov_beta"] = v.fn()
    return v


def _set_vcov_beta(self: RemlResult, value: np.ndarray | Deferred) -> None:
    self.__dict__["_vcov_beta"] = value


# a property over the dataclass field (no default, so no class attribute to shadow): the
# generated __init__ assigns through the setter
RemlResult.vcov_beta = property(_get_vcov_beta, _set_vcov_beta,  # type: ignore[assignment]
                                doc="Var(β̂) = C⁻¹[β, β] (p x p), formed on first use")
