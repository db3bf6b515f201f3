"""The gradient of a face step read from ℓ where the analytic score has lost its digits.

On a face (:mod:`asr_py.reml.pd_face`) the block matrix is M = LL' + c Diag(LL') with
c = FACE_RIDGE: G⁻¹ has eigenvalues ~ 1/(c v), and the analytic score of the block's
parameters is a sum of trace terms of G⁻¹ that cancel (error ~ ε/c). The gradient of the
face coordinates, g = J's, can then be wrong in its first digit: the Newton steps
H δφ = g converge only linearly (each gaining a fixed fraction of what is left) and end
where the wrong g predicts a gain no evaluation of ℓ realises (lme4 fuzz d3: stopped 1e-5
below the optimum, "converged" by the stall rule).

:func:`checked` asks ℓ. Along the step, the directional derivative is the central
difference (ℓ(φ₀ + aδφ) − ℓ(φ₀ − aδφ)) / 2a, a = FD_Z / sqrt(δφ'Hδφ) (a thousandth of
the step's standard error: truncation error negligible, round-off ~ noise / a). When it
agrees with g'δφ to FD_AGREE (or within the noise) the step stands; else each face entry's
component of g is its own central difference (h_a = FD_Z / sqrt(H_aa)), the other free
parameters keep their analytic score (their G⁻¹ is well conditioned), and δφ = H⁻¹g is
solved again. Near the optimum of the face the step then converges as Newton's does and
its predicted gain, the stopping rule's quantity, is ℓ's own.
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
#: no differenced gradient beyond this many face entries (2 evaluations of ℓ each)
FD_MAX_ENTRIES = 40

LoglikOf = Callable[[np.ndarray], "float | None"]


def checked(step: FaceStep, loglik_of: LoglikOf, ridge: float, noise: float) -> FaceStep:
    """``step``, or the step from the ℓ-differenced gradient of its face entries when the
    analytic one disagrees with ℓ along δφ (module docstring); ``noise``: ℓ's rounding
    noise. The step as it was when a difference cannot be evaluated."""
    H, d = step.H, step.dphi
    q = float(d @ H @ d)
    if step.g.size == 0 or not np.isfinite(q) or q <= 0:
        return step
    a = FD_Z / np.sqrt(q)
    fd = _central(step, loglik_of, d, a, ridge)
    if fd is None:
        return step
    an = float(step.g @ d)
    if abs(fd - an) <= FD_AGREE * abs(an) + noise / a:
        return step
    o = step.free.size
    n_face = step.dphi.size - o
    if n_face > FD_MAX_ENTRIES:
        return step
    g = step.g.copy()
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
    dphi = newton_step(H, g)
    if dphi is None:
        return step
    gain = float(g @ dphi - 0.5 * dphi @ H @ dphi)
    return replace(step, dphi=dphi, gain=gain, g=g)


def _central(step: FaceStep, loglik_of: LoglikOf, v: np.ndarray, t: float, ridge: float
             ) -> float | None:
    """(ℓ(φ₀ + t v) − ℓ(φ₀ − t v)) / 2t, the derivative of ℓ along v (None where ℓ fails)."""
    up = loglik_of(step.theta_of(t * v, ridge))
    dn = loglik_of(step.theta_of(-t * v, ridge))
    if up is None or dn is None:
        return None
    return (up - dn) / (2.0 * t)
