"""The EM-REML fallback step."""

from __future__ import annotations

import numpy as np

from asr_py.reml.mme import MME


def em_step(mme: MME, theta: np.ndarray, s: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """EM-REML step δ = I_c⁻¹ s over the parameters ``idx`` (see :meth:`MME.em_information`).

    For a covariance linear in its parameters (σ²K, us, diag, their Kronecker products with
    a known matrix) θ + δ is exactly the EM-REML update of that template; in general I_c is
    positive definite, so δ is an ascent direction.
    """
    if idx.size == 0:
        return np.zeros(0)
    ic = mme.em_information(theta)[np.ix_(idx, idx)]
    w, v = np.linalg.eigh(ic)
    w = np.maximum(w, 1e-12 * max(float(w.max()), 1e-300))
    return v @ ((v.T @ s[idx]) / w)
