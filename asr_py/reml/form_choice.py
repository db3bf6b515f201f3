"""Which form the AI-REML iteration evaluates: the mixed model equations C (N equations,
:class:`~asr_py.reml.mme.MME`) or V (n records, :class:`~asr_py.reml.v_form.VForm`).

Decided before either is built, from counts only. C is dense when its G⁻¹ blocks fill at
least :data:`~asr_py.reml.dense_mme.DENSE_MME_MIN_FILL` of it,

    fill ≈ Σ_j nnz(G_j⁻¹) / N²,   nnz(G_j⁻¹) = Π_l nnz(Σ_l⁻¹) over G_j = [s] ⊗_l Σ_l,

with nnz(Σ_l⁻¹) = n_l for a diagonal Σ_l (id, idv, diag, ide), n_l² for a known matrix given
as K (the inverse of a relationship matrix is dense), nnz of a given inverse, and the
pattern of Σ_l⁻¹ at the start for a small parametric Σ_l. A dense C costs N³ flops a point
(Cholesky and inverse), V n³ (:func:`~asr_py.reml.v_form.prefer_v`).
"""

from __future__ import annotations

import numpy as np

from asr_py.errors import ModelError
from asr_py.reml.dense_mme import DENSE_MME_MIN_FILL
from asr_py.reml.mme import MME
from asr_py.reml.problem import MixedProblem
from asr_py.reml.v_form import VForm, feasible, prefer_v
from asr_py.vcov.base import CovTemplate

#: a parametric factor up to this size has its inverse pattern probed at the start
PROBE_MAX = 200
#: 'v' forces the V form (``fit_reml(solver='v')``)
V_SOLVER = "v"


def _inv_nnz(part: CovTemplate, theta: np.ndarray) -> float:
    """nnz(Σ⁻¹) of one Kronecker factor (module docstring)."""
    n = float(part.n)
    if part.diagonal is not None:
        return n
    if part.is_known:
        if getattr(part, "given_inverse", False):
            return float(part.inverse(theta).nnz) if hasattr(part.inverse(theta), "nnz") \
                else n * n
        d = getattr(part, "_given", None)
        if d is not None and hasattr(d, "nnz") and d.nnz <= part.n:  # diagonal K
            return n
        return n * n
    if part.n <= PROBE_MAX:
        try:
            return float(part.inverse_pattern(theta).nnz)
        except (np.linalg.LinAlgError, ValueError):
            return n * n
    return 3.0 * n  # a large parametric structure (ar1 over many levels): banded inverse


def estimated_fill(problem: MixedProblem) -> float:
    """Σ_j nnz(G_j⁻¹) / N² at the start values (module docstring)."""
    p = int(np.shape(problem.X)[1]) if np.ndim(problem.X) == 2 else 1
    n_eq = p + sum(b.template.n for b in problem.random)
    total = 0.0
    for b in problem.random:
        t = b.template
        th = problem.theta0[b.offset:b.offset + t.n_params]
        kf = t.kronecker_factors()
        if kf is None:
            total += _inv_nnz(t, th)
            continue
        _, ths = t.split(th)
        total += float(np.prod([_inv_nnz(pt, pth) for pt, pth in zip(kf[1], ths)]))
    return total / float(max(n_eq, 1)) ** 2


def use_v(problem: MixedProblem, solver: str) -> bool:
    """True when the iteration should evaluate V: ``solver='v'``, or 'auto' with a dense C
    whose points cost more than V's (:func:`~asr_py.reml.v_form.prefer_v`)."""
    if solver == V_SOLVER:
        return True
    if solver != "auto":
        return False
    from asr_py.reml.indefinite import signed_model

    n = int(np.size(problem.y))
    n_eq = int(np.shape(problem.X)[1]) + sum(b.template.n for b in problem.random)
    if not prefer_v(n, n_eq, dense_c=True):  # cheap test first
        return False
    if signed_model(problem) is not None or not feasible(problem):
        return False
    return prefer_v(n, n_eq, estimated_fill(problem) >= DENSE_MME_MIN_FILL)


def make_form(problem: MixedProblem, solver: str = "auto") -> MME | VForm:
    """The form the iteration evaluates (module docstring)."""
    if use_v(problem, solver):
        try:
            return VForm(problem)
        except ModelError:  # V's arrays do not fit in memory: the MME, unless V was asked
            if solver == V_SOLVER:
                raise
    return MME(problem, solver=solver)


#: s33polish: the face polish continues on V up to this many records (n³ flops a point)
POLISH_V_MAX = 1000


def precise_form(problem: MixedProblem, form: MME | VForm | None) -> VForm | None:
    """The form whose ℓ and score keep their digits as a covariance matrix approaches its
    face, for reml/face_polish.py: V = ZGZ' + R (no G⁻¹, whose eigenvalues ~ 1/(c v) take
    them from the MME's) when the problem has at most POLISH_V_MAX records, every term can
    be put on V and ``form`` (the fit's) is not V already; else None."""
    if form is not None and form.backend == V_SOLVER:
        return None
    if np.size(problem.y) > POLISH_V_MAX or not feasible(problem):
        return None
    try:
        return VForm(problem)
    except ModelError:
        return None


__all__ = ["POLISH_V_MAX", "V_SOLVER", "estimated_fill", "make_form", "precise_form", "use_v"]
