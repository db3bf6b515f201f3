"""nlme's generalised least squares solve and information criteria, shared by ``gls()``
(rnlmegls.py) and ``lme()`` (rnlmefit.py) fits.

For V the records' covariance and X of rank p (n records):

    β̂ = (X'V⁻¹X)⁻¹ X'V⁻¹ y,   r = y − Xβ̂,
    −2ℓ_REML = (n − p) log 2π + log|V| + log|X'V⁻¹X| + r'V⁻¹r,
    −2ℓ_ML   = n log 2π + log|V| + r'V⁻¹r;

AIC = −2ℓ + 2k and nlme's BIC = −2ℓ + k log(n − p) for REML (log n for ML), k the number of
parameters (fixed effects and variance parameters).
"""

from __future__ import annotations

import math

import numpy as np

from asr_py.compat.lme4 import DevianceCriteria


def gls_solve(X: np.ndarray, y: np.ndarray, V: np.ndarray, reml: bool
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """(β̂, (X'V⁻¹X)⁻¹, V⁻¹, r, −2ℓ) as in the module docstring."""
    n, p = X.shape
    Vi = np.linalg.inv(V)
    C = X.T @ Vi @ X
    Ci = np.linalg.inv(C)
    beta = Ci @ X.T @ Vi @ y
    r = y - X @ beta
    _, ldv = np.linalg.slogdet(V)
    quad = float(r @ Vi @ r)
    if reml:
        _, ldc = np.linalg.slogdet(C)
        dev = (n - p) * math.log(2 * math.pi) + ldv + ldc + quad
    else:
        dev = n * math.log(2 * math.pi) + ldv + quad
    return beta, Ci, Vi, r, dev


class NlmeCriteria(DevianceCriteria):
    """nlme's criteria: lme4's ``logLik``/``AIC`` and nlme's ``BIC`` with log(n − p) for REML."""

    p: int
    REML: bool

    @property
    def bic(self) -> float:
        """nlme's BIC: ``-2 logLik + npar log(N - p)`` for REML (N for ML)."""
        return self._dev + math.log(self.n - (self.p if self.REML else 0)) * self.npar
