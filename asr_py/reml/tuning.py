"""Tuning constants of the AI-REML iteration (reml/ai.py and its step, boundary and
convergence modules); docs/method.md explains each rule."""

from __future__ import annotations

#: relative size (to the parameter's own scale, see
#: :meth:`~asr_py.reml.iter_context.IterContext.update_scales`) of the value a 'P'
#: parameter is held at
BOUNDARY_REL = 1e-12
#: ... and a variance of the residual structure of a model with random terms (R⁻¹ enters
#: C: at 1e-12 x its scale ℓ of PSA.27's units + ar1(Lane):ar1(Position) was off by 0.6; at
#: 1e-6 x its standard error the error is below 1e-6, and holding there instead of at 0
#: costs |∂ℓ/∂θ_k| x b_k)
RESID_HELD_REL = 1e-6
#: AI_kk x θ_k² (the information on log θ_k) below this is round-off: no standard error
TINY_INFO = 1e-20
#: a held parameter's scale is renewed when its standard error falls below this x the scale
#: it was held with (that scale came from a point with next to no information on it)
RESCALE_HELD = 1e-3
#: relative size (to the parameter's own scale) below which a variance/covariance's change
#: is measured absolutely in the relative parameter change
CHANGE_FLOOR = 1e-4
#: maximum number of step halvings per iteration
MAX_HALVINGS = 8
#: a step may lower ℓ by this much (relative) and still count as not decreasing (round-off)
LL_SLACK = 1e-10
#: an EM step may take a 'P' parameter down to this fraction of its value at most; a
#: covariance matrix's smallest (correlation-scale) eigenvalue shrinks at most by this factor
SHRINK = 1e-3
#: a (diagonally scaled) information matrix is singular below this eigenvalue ratio
EIG_TOL = 1e-10
#: smallest eigenvalue of a covariance matrix's correlation matrix at the PD boundary
PD_EPS = 1e-6
#: convergence on the PD boundary: this many iterations in a row with |Δℓ| <= tol (the
#: absolute ℓ tolerance tol_loglik x max(1, n − p), reml/tolerance.py) and every |Δθ_k| <=
#: STALL_Z / sqrt(AI_kk) (a small fraction of its conditional standard error)
STALL_ITERS = 3
STALL_Z = 0.02
#: a PD block whose floor would exceed this (variances 10⁵ x more disparate) is not handled
PD_MAX_FLOOR = 1e-2
#: largest covariance matrix checked for the positive-definite boundary
PD_MAX_N = 50
#: round-off level of ℓ relative to |ℓ| x sqrt(number of equations): a predicted gain below
#: it cannot be told from rounding noise in the evaluation of ℓ
ROUNDOFF = 1e-12
#: ... and a step that moves every parameter by at most this fraction of its standard error
ROUNDOFF_Z = 1e-3
#: a full step and the next AI step moving every parameter by at most this fraction of its
#: standard error, with ℓ settled within its tolerance, is convergence
#: (:func:`asr_py.reml.convergence.settled`)
SETTLE_Z = 1e-4
#: convergence on a PD face (issue 11): the face's Newton step predicts a gain <= FACE_DEC x
#: tol (its steps converge fast but not quadratically, and ℓ is evaluated to ~1e-10
#: relative on the boundary, so DEC_TOL is below what they can confirm)
FACE_DEC = 1e-1
#: Newton-decrement convergence: predicted gain ½ δ'AIδ <= DEC_TOL x tol
DEC_TOL = 1e-2
#: ... and the predicted relative parameter change <= PRED_PARAM x tol_param
PRED_PARAM = 1e-2
