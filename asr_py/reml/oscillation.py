"""A period-2 oscillation of the AI iteration on a flat ridge: the averaged point, and a
stopping rule.

Where full AI steps overshoot along a direction v (I − AI⁻¹H has an eigenvalue near or below
−1, H = −∇²ℓ) the iterates jump across the ridge and back: successive steps are
anti-parallel (cosine ≈ −1 in standard-error units), ℓ changes by round-off-sized amounts of
either sign, and neither the relative parameter change nor the predicted gain ever meets the
stopping rule (fa(env, 6) over 40 simulated environments with rank-3 genotype effects: from
iteration 56 to 92 steps at cosine −0.87 .. −1.00, ℓ within 5e-6 of its final value, near-zero
loadings of factors 4-6 flipping sign; GIS-FA_Mallawi's FA6 the same, s28).

:func:`oscillating` reads the last OSC_STEPS steps. The iteration then (reml/ai.py) tries
the averaged point θ̄ = (θ_k + θ_{k−1}) / 2, on which the oscillating component cancels
(the overshoot along v is symmetric about the ridge to first order), and moves there when ℓ
gains at least what the last step gained there (an iteration still climbing through its
oscillation, a drift along other parameters, is left to climb: GIS-FA_Mallawi's FA6 update,
whose steps oscillate in near-zero loadings while ψ drift, ended 1.1e-3 lower after 50
iterations with every averaged point taken). When ℓ over the window (and θ̄) varies by at
most the ℓ tolerance, the fit has converged on the ridge at the window's best point: ℓ is
flat along the oscillating direction to the tolerance, and the parameters moving along it
are not identified by the data
(:func:`ridge_note`, as asreml reports a singular information).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: this many steps in a row, each at a cosine <= −OSC_COS with the one before (standard-error
#: units), are an oscillation
OSC_STEPS = 4
OSC_COS = 0.9
#: ... and the last of them at least this fraction of the first (not a converging one)
OSC_KEEP = 0.8
#: the parameters named in the note: those whose share of the oscillating step (standard-error
#: units, squared) is at least this
NOTE_SHARE = 0.05
#: ... at most this many of them
NOTE_MAX = 6


def _z(steps: Sequence[np.ndarray], ai: np.ndarray, free: np.ndarray) -> list[np.ndarray]:
    d = np.abs(np.diag(ai))[free]
    sq = np.sqrt(np.where(np.isfinite(d), d, 0.0))
    return [np.asarray(s, dtype=float)[free] * sq for s in steps]


def oscillating(steps: Sequence[np.ndarray], ai: np.ndarray, free: np.ndarray) -> bool:
    """True when each of the last OSC_STEPS ``steps`` (θ differences) points against the one
    before: cosine <= −OSC_COS in standard-error units z = diag(AI)^½ δ over ``free``."""
    if len(steps) < OSC_STEPS or not free.any():
        return False
    z = _z(steps[-OSC_STEPS:], ai, free)
    n = [float(np.linalg.norm(v)) for v in z]
    if not all(np.isfinite(v) and v > 0 for v in n):
        return False
    return all(float(z[i] @ z[i + 1]) <= -OSC_COS * n[i] * n[i + 1]
               for i in range(len(z) - 1))


def ridge_note(names: Sequence[str], step: np.ndarray, ai: np.ndarray, free: np.ndarray,
               it: int, spread: float) -> str:
    """The diagnostic of a fit stopped on a ridge at iteration ``it``: the parameters moving
    most along the oscillating ``step`` and ℓ's ``spread`` over the window."""
    idx = np.flatnonzero(free)
    z2 = _z([step], ai, free)[0] ** 2
    tot = float(z2.sum())
    order = np.argsort(-z2)
    top = [names[idx[j]] for j in order[:NOTE_MAX] if tot > 0 and z2[j] >= NOTE_SHARE * tot]
    who = ", ".join(repr(n) for n in top) if top else "several parameters"
    return (f"converged on a ridge at iteration {it}: the last {OSC_STEPS} AI steps "
            f"oscillated along one direction (successive steps at cosine <= -{OSC_COS:g}) "
            f"while the log-likelihood changed by at most {spread:.2g}; it is flat along that "
            f"direction and the parameters moving along it ({who}) are not identified by the "
            "data (a singular information): their estimates are one point of the ridge")


__all__ = ["NOTE_MAX", "NOTE_SHARE", "OSC_COS", "OSC_KEEP", "OSC_STEPS", "oscillating",
           "ridge_note"]
