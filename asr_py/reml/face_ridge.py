"""What the ridge of a face still costs at the end of a fit converged on it.

A fit on a face reports M = LL' + c Diag(LL') with c = FINAL_RIDGE (:mod:`asr_py.reml.
pd_face`): the mixed model equations need G⁻¹, so c > 0. On the correlation scale of M that
is a tiny distance from the boundary, but not always in the data's metric: for lme4's (x | g)
as ``str(~ g + g:x, ~ us(2):id(g))`` with x far from 0 (x = 700 ± 20), the face is a zero
variance of the effect at the mean of x, which looks like a correlation of ±1 with an
intercept variance of 7 000, and c Diag(LL') adds 7e-5 to that intercept: ℓ stayed 2.6e-4
below the boundary optimum (lme4 fuzz d188, d21), with every stopping rule met.

:func:`ridge_gap` reads that cost: ℓ with the faces' ridge lowered to GAP_RIDGE minus ℓ at
the reported point, both on V formed directly (V = ZGZ' + R: no G⁻¹, accurate at any c; at
most V_MAX records), when the equations' own ℓ says it may exceed the tolerance. The fit
then says so and is not reported converged (:data:`GAP_NOTE`): centring the covariate
removes the cause.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.dense_v import evaluate as v_evaluate
from asr_py.reml.mme import MME
from asr_py.reml.pd_face import FINAL_RIDGE, FaceStep, reridge

#: the ridge ℓ is compared at (V's ℓ is accurate there; the equations' is not)
GAP_RIDGE = 1e-12
#: ... the equations' ℓ at this ridge triggers the check on V
PROBE_RIDGE = 1e-10
#: V is formed for at most this many records
V_MAX = 1000

GAP_NOTE = ("the fit converged on the positive-definite boundary of {names} with the "
            "matrix held a ridge c = {c:g} (relative to its variances) inside it, but the "
            "boundary optimum itself is {gap:.3g} higher in log-likelihood (ℓ on V with "
            "c = {c0:g}): not converged to the tolerance {tol:.2g}. The variances of the "
            "structure are far apart on the scale of the data (a random slope on a "
            "covariate far from 0, whose intercept is the effect at x = 0): centre the "
            "covariate (x - mean(x)) and refit")


def ridge_gap(mme: MME, theta: np.ndarray, step: FaceStep, ridge: float, tol: float
              ) -> float:
    """ℓ(c = GAP_RIDGE) − ℓ(θ) on V, θ's faces at ``ridge`` (module docstring); 0.0 when
    the equations' ℓ at PROBE_RIDGE does not exceed ℓ(θ) by ``tol`` or V cannot be
    formed."""
    try:
        here = mme.evaluate(theta).loglik
        probe = mme.evaluate(reridge(step, theta, ridge, PROBE_RIDGE)).loglik
    except (np.linalg.LinAlgError, ValueError):
        return 0.0
    if not probe - here > tol or mme.problem.y.size > V_MAX:
        return 0.0
    a = v_evaluate(mme.problem, theta)
    b = v_evaluate(mme.problem, reridge(step, theta, ridge, GAP_RIDGE))
    if a is None or b is None:
        return 0.0
    return max(float(b.loglik - a.loglik), 0.0)


def gap_note(step: FaceStep, gap: float, tol: float) -> str:
    names = ", ".join(f.block.name for f in step.faces)
    return GAP_NOTE.format(names=names, c=FINAL_RIDGE, gap=gap, c0=GAP_RIDGE, tol=tol)
