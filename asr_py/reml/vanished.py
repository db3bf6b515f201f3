"""A variance that ended free but indistinguishable from zero is reported on its boundary.

A 'P' variance parameter the fit leaves free (not held) with 0 ≤ θ̂_k ≤ VANISHED_SE x se_k,
se_k = sqrt(Var(θ̂)_kk), is at its boundary as far as the data can tell (asreml codes it 'B',
and asremlPlus's rmboundary drops it): its constraint becomes 'B' and its row and column of
Var(θ̂) NaN, as for a held variance. The ratio θ̂_k / se_k is unit-free."""

from __future__ import annotations

import numpy as np

from asr_py.reml.result import RemlResult

__all__ = ["VANISHED_SE", "code_vanished"]

#: an estimate below this fraction of its own standard error is zero to the data
VANISHED_SE = 1e-6


def code_vanished(res: RemlResult) -> RemlResult:
    """``res`` with such variances coded 'B' (in place; returned for chaining)."""
    vc = np.asarray(res.vcov_theta, dtype=float)
    theta = np.asarray(res.theta, dtype=float)
    if vc.ndim != 2 or vc.shape[0] != theta.size:
        return res
    for k, c in enumerate(res.constraints):
        if str(c).upper() != "P" or bool(res.boundary[k]):
            continue
        v = vc[k, k]
        if np.isfinite(v) and v > 0 and 0 <= theta[k] <= VANISHED_SE * np.sqrt(v):
            res.constraints[k] = "B"
            res.boundary[k] = True
            vc[k, :] = np.nan
            vc[:, k] = np.nan
    res.vcov_theta = vc
    return res
