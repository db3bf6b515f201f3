"""The EM-REML fallback step."""

from __future__ import annotations

import numpy as np

from asr_py.reml.mme import MME


def em_step(mme: MME, theta: np.ndarray, s: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """EM-REML step δ = I_c⁻¹ s over the parameters ``idx`` (see :meth:`MME.em_information`).

    For a covariance linear in its parameters (σ²K, us, diag, their Kronecker products with
    a known matrix) θ + δ is exactly the EM-REML update of that template; in general I_c is
    positive definite, so δ is an ascent direction. Solved in the scaled coordinates
    x = D^{½}δ, D = diag(I_c), with I_c's scaled eigenvalues floored at 1e-12 x the largest:
    the step does not depend on the units of the parameters (unscaled, a variance of a trait
    in kg/ha, information ~ 1/σ⁴ ~ 1e-21, fell under the floor set by a correlation's ~ 1e2
    and the EM step left it where it was).
    """
    if idx.size == 0:
        return np.zeros(0)
    ic = mme.em_information(theta)[np.ix_(idx, idx)]
    d = np.diag(ic)
    r = np.where(np.isfinite(d) & (d > 0), 1.0 / np.sqrt(np.where(d > 0, d, 1.0)), 1.0)
    w, v = np.linalg.eigh(ic * np.outer(r, r))
    w = np.maximum(w, 1e-12 * max(float(w.max()), 1e-300))
    return r * (v @ ((v.T @ (r * s[idx])) / w))
