"""The gradient of a face step read from ℓ where the analytic score has lost its digits.

On a face (:mod:`asr_py.reml.pd_face`) the block matrix is M = LL' + c Diag(LL') with
c = FACE_RIDGE: G⁻¹ has eigenvalues ~ 1/(c v), and the analytic score of the block's
parameters is a sum of trace terms of G⁻¹ that cancel (error ~ ε/c). The gradient of the
face coordinates, g = J's, can then be wrong in its first digit: the Newton steps
H δφ = g converge only linearly (each gaining a fixed fraction of what is left) and end
where the wrong g predicts a gain no evaluation of ℓ realises (lme4 fuzz d3: stopped 1e-5
below the optimum, "converged" by the stall rule).

:func:`checked` asks ℓ where a face step fails (ai_step.face_line_search). Along the step, the
directional derivative is the central difference (ℓ(φ₀ + aδφ) − ℓ(φ₀ − aδφ)) / 2a,
a = FD_Z / sqrt(δφ'J'AIJδφ) (a thousandth of the step's standard error: truncation error
negligible, round-off ~ noise / a). When it disagrees with g'δφ beyond FD_AGREE (and the
noise), each face entry's component of g is its own central difference (h_a = FD_Z /
sqrt(H_aa)); the other free parameters keep their analytic score (their G⁻¹ is well
conditioned). When δφ'Hδφ disagrees with ℓ's second difference along δφ, H = J'AIJ − T
loses T (made of the same analytic score) and keeps J'AIJ. δφ = H⁻¹g is then solved again:
near the optimum of the face the step converges as Newton's does and its predicted gain,
the stopping rule's quantity, is ℓ's own.

:func:`collapsing` / :func:`collapsed` / :func:`zero_confirmed`: a face whose optimum is
the zero matrix (rank 0), which LL' + c Diag(LL') reaches only in the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from asr_py.reml.pd_face import FaceStep, newton_step

#: differences' step in units of the standard error along the step (1/sqrt(δφ'Hδφ)) or of
#: the coordinate (1/sqrt(H_aa))
FD_Z = 1e-3
#: the analytic directional derivative stands when the difference agrees to this fraction
FD_AGREE = 0.05
#: δφ'Hδφ stands when ℓ's second difference along δφ agrees to this fraction
FD_AGREE_H = 0.5
#: no differenced gradient beyond this many face entries (2 evaluations of ℓ each)
FD_MAX_ENTRIES = 40

LoglikOf = Callable[[np.ndarray], "float | None"]


def checked(step: FaceStep, loglik_of: LoglikOf, ridge: float, noise: float) -> FaceStep:
    """``step``, or the step from the ℓ-differenced gradient of its face entries when the
    analytic one disagrees with ℓ along δφ, and with H = J'AIJ (the second-order term T,
    made of the same analytic score, dropped) when δφ'Hδφ disagrees with ℓ's second
    difference along δφ by more than FD_AGREE_H (module docstring); ``noise``: ℓ's rounding
    noise. The step as it was when a difference cannot be evaluated."""
    H, d = step.H, step.dphi
    q = float(d @ H @ d)
    fisher = H + step.T if step.T.shape == H.shape else H  # J'AIJ: positive semi-definite
    qs = float(d @ fisher @ d)
    if step.g.size == 0 or not np.isfinite(q) or not np.isfinite(qs) or qs <= 0:
        return step
    a = FD_Z / np.sqrt(qs)
    up = loglik_of(step.theta_of(a * d, ridge))
    dn = loglik_of(step.theta_of(-a * d, ridge))
    l0 = loglik_of(step.theta0)
    if up is None or dn is None or l0 is None:
        return step
    fd = (up - dn) / (2.0 * a)
    curv = -(up - 2.0 * l0 + dn) / (a * a)
    an = float(step.g @ d)
    bad_g = abs(fd - an) > FD_AGREE * abs(an) + noise / a
    bad_h = step.T.shape == H.shape and (
        q <= 0 or abs(curv - q) > FD_AGREE_H * q + 4.0 * noise / a ** 2)
    if not (bad_g or bad_h):
        return step
    g = step.g.copy()
    o = step.free.size
    if bad_g:
        if step.dphi.size - o > FD_MAX_ENTRIES:
            return step
        hd = np.abs(np.diag(H))
        for k in range(o, step.dphi.size):
            if not (np.isfinite(hd[k]) and hd[k] > 0):
                return step
            e = np.zeros(step.dphi.size)
            e[k] = 1.0
            gk = _central(step, loglik_of, e, FD_Z / np.sqrt(hd[k]), ridge)
            if gk is None:
                return step
            g[k] = gk
    h = fisher if bad_h else H
    dphi = newton_step(h, g)
    if dphi is None:
        return step
    gain = float(g @ dphi - 0.5 * dphi @ h @ dphi)
    return replace(step, dphi=dphi, gain=gain, g=g, H=h)


def _central(step: FaceStep, loglik_of: LoglikOf, v: np.ndarray, t: float, ridge: float
             ) -> float | None:
    """(ℓ(φ₀ + t v) − ℓ(φ₀ − t v)) / 2t, the derivative of ℓ along v (None where ℓ fails)."""
    up = loglik_of(step.theta_of(t * v, ridge))
    dn = loglik_of(step.theta_of(-t * v, ridge))
    if up is None or dn is None:
        return None
    return (up - dn) / (2.0 * t)


#: a face step that takes every face's L to below this fraction of its norm heads for L = 0
COLLAPSE_RATIO = 0.5
#: ... and the faces' matrices are tried at this fraction of themselves
COLLAPSE = 1e-4


def collapsing(step: FaceStep) -> bool:
    """Every face of ``step`` (a covariance face) has ‖L + δL‖ < COLLAPSE_RATIO ‖L‖: the
    Newton step heads for the zero matrix, the face of rank 0, which LL' + c Diag(LL')
    reaches only in the limit (lme4 fuzz d177: (0 + f | g) with a zero optimum; face steps
    shrank L by ~10 per iteration, then halvings stalled 2e-6 below it)."""
    if not step.faces:
        return False
    o = step.free.size
    for f in step.faces:
        if f.block.corr or not hasattr(f, "L"):  # (a correlation face: unit rows)
            return False
        cur = f.L[f.mask]
        dl = step.dphi[o:o + f.n_free]
        o += f.n_free
        n0 = float(np.linalg.norm(cur))
        if not (n0 > 0 and np.linalg.norm(cur + dl) < COLLAPSE_RATIO * n0):
            return False
    return True


def collapsed(step: FaceStep, ridge: float) -> np.ndarray:
    """θ at the step with every face's matrix at COLLAPSE x its value at φ₀ (the same
    correlations, so as positive definite; the other free parameters moved by the step)."""
    th = step.theta_at(1.0, ridge)
    for f in step.faces:
        th[f.block.idx] = COLLAPSE * step.theta0[f.block.idx]
    return th


def zero_confirmed(loglik_of: LoglikOf, loglik: float, theta: np.ndarray,
                   before: tuple[np.ndarray, np.ndarray], variance: np.ndarray,
                   tol: float) -> bool:
    """At a point reached by :func:`collapsed` (``before``: the faces' θ indices and their
    values before the collapse), whether the zero matrix is the optimum to ``tol``: ℓ
    rises by at most ``tol`` when the matrix grows by FD_Z x its value before the
    collapse, as a whole (the face's own direction) or along each variance alone (the
    normal cone of the PSD cone at 0, read from ℓ: the analytic score at M ≈ 0 has no
    digits)."""
    ix, prev = before
    dirs = [np.asarray(prev, dtype=float)]
    for j, k in enumerate(ix):
        if variance[k]:
            e = np.zeros(len(ix))
            e[j] = prev[j]
            dirs.append(e)
    for d in dirs:
        th = theta.copy()
        th[ix] = theta[ix] + FD_Z * d
        up = loglik_of(th)
        if up is None or up - loglik > tol:
            return False
    return True
