"""Covariates far from their origin fitted centred on the intercept.

A fixed covariate x = 5·10⁶ ± 100 (UTM northings of the plots of one field, dates in
seconds, latitudes in degrees) beside an intercept makes the columns [1, x] nearly collinear:
X'R⁻¹X has a condition number of order (x̄/sd)², the MME lose that many digits, and the fit
stalls or is refused as rank-deficient, though the model is an ordinary one. With the unit
upper-triangular M (M₀ⱼ = −x̄ⱼ for each such column j, the identity elsewhere),

    X_w = X M   (column j: xⱼ − x̄ⱼ),   β = M β_w,   Var(β̂) = M Var(β̂_w) M',

so Xβ, V, the REML log-likelihood (|M| = 1: log|X'V⁻¹X| unchanged), the variance estimates
and BLUPs are those of the user's X; only the digits lost are not. C⁻¹ comes back as
T C_w⁻¹ T' with T = blockdiag(M, I) (:class:`asr_py.reml.psd.MappedFactor`). A column is
centred when its standard deviation is below :data:`asr_py.model.alias_origin.FAR` of its
root mean square and the first column of X is the intercept; otherwise the fit is left as
written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from asr_py.model.alias_origin import centring_map
from asr_py.reml.problem import MixedProblem
from asr_py.reml.psd import MappedFactor
from asr_py.reml.result import Deferred, RemlResult


@dataclass
class XOrigin:
    """M of the module docstring (p x p, sparse) and the problem it maps back to."""

    M: sp.csr_matrix

    def result(self, r: RemlResult) -> RemlResult:
        """The working fit for the user's X: β̂ = Mβ̂_w, Var(β̂) = M Var(β̂_w) M' (formed on
        first use, as the working fit's), C⁻¹ via blockdiag(M, I); θ, ℓ, û, fitted values
        and residuals are unchanged."""
        m = self.M
        beta = np.asarray(m @ np.asarray(r.beta, dtype=float)).ravel()
        raw = r.__dict__.get("_vcov_beta")

        def vcov() -> np.ndarray:
            vb = np.asarray(raw.fn() if isinstance(raw, Deferred) else raw, dtype=float)
            # M V M' as two sparse-by-dense products (M is the identity but for row 0)
            return np.asarray(m @ np.asarray(m @ vb).T).T if vb.size else vb

        factor = r.factor
        if factor is not None:
            q = factor.n - m.shape[0]
            t = sp.block_diag([m, sp.identity(q, format="csr")], format="csr") if q else m
            factor = MappedFactor(factor, sp.csr_matrix(t))
        return dataclasses.replace(r, beta=beta, vcov_beta=Deferred(vcov), factor=factor)


def working_x(problem: MixedProblem) -> tuple[MixedProblem, XOrigin] | None:
    """The problem with its far covariates centred (module docstring) and the map back;
    None when there is none or X has no intercept first."""
    x = problem.X
    got = centring_map(x)
    if got is None:
        return None
    m, far = got
    if sp.issparse(x):  # column j: x_j·1 + 1·(−x̄_j), the same arithmetic as x_j − x̄_j
        xw = sp.csc_matrix(sp.csc_matrix(x, dtype=float) @ m)
    else:
        xw = np.array(x, dtype=float)
        xw[:, far] += m[0, far].toarray().ravel()
    work = dataclasses.replace(problem, X=xw, random=list(problem.random))
    return work, XOrigin(m)


__all__ = ["XOrigin", "working_x"]
