"""Convergence where the analytic score has lost its digits beside held variances (s17fa).

With variances held at (near) zero the covariance matrix of their template can be nearly
singular: fa(env, k) with specific variances ψ_e ≈ 0 has G = ΛΛ' + Ψ of condition ~ λ²/ψ
(1e11 in a MET mixing t/ha and kg/ha sites). The analytic score sums trace terms of G⁻¹
that cancel, and it can be wrong in its first digit (the loadings' scores even in sign):
the AI step then predicts a gain s'AI⁻¹s/2 that no evaluation of ℓ realises, every
halving lowers ℓ, and the fit never stops although it sits at the optimum (the loadings
move along the flat ridge the round-off of the score draws).

:func:`fd_check` asks ℓ itself. The score of each free parameter is the central
difference s̃_k = (ℓ(θ + h_k e_k) − ℓ(θ − h_k e_k)) / 2h_k with h_k = FD_Z / sqrt(AI_kk)
(a thousandth of its standard error: truncation error ~ h_k² ℓ''' is negligible, round-off
~ noise / h_k is far below tol); the remaining gain of the free part is predicted by the
same quadratic model, g̃ = ½ s̃' AI⁻¹ s̃ (AI over the free parameters). A held variance
must not gain more than FD_Z x that tolerance when raised by its own h_k (forward
difference: the KKT condition read from ℓ). The fit has converged when
g̃ <= FD_DEC x tol (the full-step rule's absolute ℓ tolerance, :mod:`asr_py.reml.tolerance`) and
no held variance rises; else the step AI⁻¹ s̃ is the next step (the iteration continues
with a score that has its digits). A free parameter closer to its lower bound than h_k (ℓ
cannot be evaluated at θ − h_k e_k) is on its bound for this test: checked as a held one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: the differences' step in units of the parameter's standard error 1/sqrt(AI_kk)
FD_Z = 1e-3
#: no differenced score above this many free parameters (2 evaluations of ℓ each)
FD_MAX = 60
#: at most this many differenced scores in one fit
FD_TRIES = 6
#: ... and this many more where the fit would otherwise stop unconverged (neither an AI nor
#: an EM step gains: the last chance to read convergence from ℓ itself)
FD_FINAL = 2
#: converged when the differenced score predicts a gain <= FD_DEC x tol (absolute ℓ tolerance):
#: the full-step rule's ℓ tolerance (0.1 was too strict where AI overstates the gain: the
#: sweep's fa(env, 2) case predicts 6e-7 at each of its last points while ℓ changes 1e-8)
FD_DEC = 1.0


@dataclass
class FdCheck:
    """``converged``: the differenced score predicts a gain ``gain`` <= the tolerance and
    no held variance rises (``rise``: the largest forward gain of one); ``delta``: the
    step AI⁻¹ s̃ over the free parameters."""

    converged: bool
    gain: float
    rise: float
    delta: np.ndarray


def fd_check(loglik_of: Callable[[np.ndarray], float | None], loglik: float,
             theta: np.ndarray, ai: np.ndarray, free: np.ndarray, held: np.ndarray,
             tol: float, inward: np.ndarray | None = None) -> FdCheck | None:
    """See the module docstring. ``loglik_of(θ)``: ℓ(θ), None where it cannot be
    evaluated; ``inward``: per held parameter the sign of a move off its bound (+1, the
    default: a variance on zero; −1: a correlation held at its upper bound). None when it
    does not apply (too many free parameters, AI not positive definite on them, a
    difference that cannot be evaluated)."""
    fi = np.flatnonzero(free)
    if fi.size == 0 or fi.size > FD_MAX:
        return None
    d = np.diag(ai)
    if not np.all(np.isfinite(d[free | held])) or np.any(d[free | held] <= 0):
        return None
    s = np.zeros(theta.size)
    rise = -np.inf
    near = np.zeros(theta.size, dtype=bool)
    for k in fi:
        h = FD_Z / np.sqrt(d[k])
        lo, hi = theta.copy(), theta.copy()
        lo[k] -= h
        hi[k] += h
        up, dn = loglik_of(hi), loglik_of(lo)
        if up is not None and dn is None and (inward is None or inward[k] > 0):
            # within h of its lower bound (a variance at 1e-7 of its standard error that
            # the iteration did not hold: s31inv's MET at y x 1000): on its bound for ℓ,
            # checked as a held one (the forward difference must not rise)
            near[k] = True
            rise = max(rise, up - loglik)
            continue
        if up is None or dn is None:
            return None
        s[k] = (up - dn) / (2.0 * h)
    fi = fi[~near[fi]]
    for k in np.flatnonzero(held):
        th = theta.copy()
        th[k] += (1.0 if inward is None else float(inward[k])) * FD_Z / np.sqrt(d[k])
        v = loglik_of(th)
        if v is None:
            return None
        rise = max(rise, v - loglik)
    try:
        step = np.linalg.solve(ai[np.ix_(fi, fi)], s[fi]) if fi.size else np.zeros(0)
    except np.linalg.LinAlgError:
        return None
    gain = 0.5 * float(s[fi] @ step)
    if not np.isfinite(gain) or gain < 0:
        return None
    delta = np.zeros(theta.size)
    delta[fi] = step
    ok = gain <= FD_DEC * tol and rise <= FD_Z * tol
    return FdCheck(bool(ok), gain, float(max(rise, 0.0)), delta)


def fd_note(chk: FdCheck, it: int, tol: float) -> str:
    """The diagnostic of a fit that converged by :func:`fd_check`."""
    return (f"converged at iteration {it} with parameters held at their bound: the analytic "
            "score has lost digits there (a nearly singular covariance matrix); the score "
            f"from differences of the log-likelihood predicts a gain of {chk.gain:.2g} "
            f"(<= {FD_DEC * tol:.2g}) and no held parameter rises off its bound")
