"""The EM-REML fallback step."""

from __future__ import annotations

import numpy as np

from asr_py.reml.mme import MME

#: eigenvalues of the scaled I_c below this x its largest are raised to it
EIG_FLOOR = 1e-12


def em_step(mme: MME, theta: np.ndarray, s: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """EM-REML step δ = I_c⁻¹ s over the parameters ``idx`` (see :meth:`MME.em_information`).

    For a covariance linear in its parameters (σ²K, us, diag, their Kronecker products with
    a known matrix) θ + δ is exactly the EM-REML update of that template; in general I_c is
    positive definite, so δ is an ascent direction.
    """
    if idx.size == 0:
        return np.zeros(0)
    return floored_solve(mme.em_information(theta)[np.ix_(idx, idx)], s[idx])


def floored_solve(ic: np.ndarray, s: np.ndarray) -> np.ndarray:
    """I_c⁻¹ s with I_c's eigenvalues floored at EIG_FLOOR x its largest, on its scaled
    form D I_c D (D = diag(I_c)^-½, unit diagonal): the same step in any units of the
    parameters (δ_k scales as θ_k does). Unscaled, a kg/ha variance's information (1e-21)
    fell under the floor set by a correlation's (1e2) and its step was cut by ~1e11."""
    d = np.diag(ic).copy()
    ok = np.isfinite(d) & (d > 0)
    r = np.where(ok, 1.0 / np.sqrt(np.where(ok, d, 1.0)), 1.0)
    w, v = np.linalg.eigh(ic * r[:, None] * r[None, :])
    w = np.maximum(w, EIG_FLOOR * max(float(w.max()), 1e-300))
    return r * (v @ ((v.T @ (r * s)) / w))
