"""The EM-REML fallback step, and its Marquardt-damped path.

The step δ = I_c⁻¹ s is solved on the scaled information Ĩ = D I_c D (D = diag(I_c)^-½, unit
diagonal), so it is the same step in any units of the parameters. Where Ĩ is nearly singular
the step is dominated by directions that carry little of its predicted gain: on GIS-FA's
soybean MET, fa(env, 4) at iteration 5 had three eigenvalues of Ĩ at 1e-7 .. 2e-6 (the
largest 1.5) whose directions held 2.4 of the 30 predicted, but a step of 2200 scaled units
against 37 for the rest. ℓ is far from quadratic there (a loading moving 1000 times its
value): θ + δ lost 743, halving keeps the bad directions in proportion and α = 2⁻⁷ gained
0.16 (the fit stalled at iteration 25, 340 below its optimum). The eigenvalue floor does not
act at such ratios (scaled or not: the two steps agreed to 3e-9 at that point). Marquardt's
damping does: δ(μ) = D (Ĩ + μI)⁻¹ D s (I_c + μ diag(I_c) in the parameters' units) shortens
the step mostly in those directions, and along μ = 1e-6 .. 1 it turns into the diagonally
scaled score, an ascent direction. There it gained 40 .. 54 at μ = 1e-5 .. 1e-3 in full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from asr_py.reml.mme import MME

#: eigenvalues of the scaled I_c below this x its largest are raised to it
EIG_FLOOR = 1e-12

#: Marquardt's μ (relative to the unit diagonal of the scaled I_c) tried in turn when the EM
#: step is not taken in full (:func:`damped_search`)
DAMPING = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)


class EMPath:
    """δ(μ) = D (Ĩ + μI)⁻¹ D s over the parameters of ``ic`` (module docstring): δ(0) is the
    EM step I_c⁻¹ s (Ĩ's eigenvalues floored at EIG_FLOOR x its largest)."""

    def __init__(self, ic: np.ndarray, s: np.ndarray) -> None:
        d = np.diag(ic).copy()
        ok = np.isfinite(d) & (d > 0)
        self.r = np.where(ok, 1.0 / np.sqrt(np.where(ok, d, 1.0)), 1.0)
        w, self.v = np.linalg.eigh(ic * self.r[:, None] * self.r[None, :])
        self.w = np.maximum(w, EIG_FLOOR * max(float(w.max(initial=0.0)), 1e-300))
        self.g = self.v.T @ (self.r * s)

    def step(self, mu: float = 0.0) -> np.ndarray:
        """δ(μ); μ = 0: the EM step."""
        return self.r * (self.v @ (self.g / (self.w + mu)))


def em_path(mme: MME, theta: np.ndarray, s: np.ndarray, idx: np.ndarray) -> EMPath:
    """The :class:`EMPath` of the parameters ``idx`` at θ (see :meth:`MME.em_information`)."""
    return EMPath(mme.em_information(theta)[np.ix_(idx, idx)], s[idx])


def em_step(mme: MME, theta: np.ndarray, s: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """EM-REML step δ = I_c⁻¹ s over the parameters ``idx`` (see :meth:`MME.em_information`).

    For a covariance linear in its parameters (σ²K, us, diag, their Kronecker products with
    a known matrix) θ + δ is exactly the EM-REML update of that template; in general I_c is
    positive definite, so δ is an ascent direction.
    """
    if idx.size == 0:
        return np.zeros(0)
    return em_path(mme, theta, s, idx).step()


def floored_solve(ic: np.ndarray, s: np.ndarray) -> np.ndarray:
    """I_c⁻¹ s with I_c's eigenvalues floored at EIG_FLOOR x its largest, on its scaled
    form D I_c D (D = diag(I_c)^-½, unit diagonal): the same step in any units of the
    parameters (δ_k scales as θ_k does). Unscaled, a kg/ha variance's information (1e-21)
    fell under the floor set by a correlation's (1e2) and its step was cut by ~1e11."""
    return EMPath(ic, s).step()


def damped_search(path: EMPath, idx: np.ndarray, n: int, loglik: float,
                  full_step: Callable[[np.ndarray], tuple[Any, float, np.ndarray | None]]
                  ) -> tuple[Any, np.ndarray | None]:
    """The best point θ + δ(μ) over μ in DAMPING, each taken in full (``full_step(δ)``: the
    line search's (state, α, θ) with no halving): (state, θ), (None, None) when none is
    accepted. The search stops past the best: at the first accepted μ whose ℓ is below the
    previous accepted one (ℓ along the path rises, then falls as the step shrinks to 0).
    ``loglik``: ℓ at θ; ``n``: θ's size; ``idx``: the parameters of ``path``."""
    best, best_th, best_ll = None, None, loglik
    for mu in DAMPING:
        delta = np.zeros(n)
        delta[idx] = path.step(mu)
        st, _, th = full_step(delta)
        if st is None:
            continue
        if best is not None and st.loglik < best_ll:
            break
        if st.loglik > best_ll:
            best, best_th, best_ll = st, th, st.loglik
    return best, best_th
