"""Prior weights on a residual template (asreml's ``weights = w``).

With positive weights w_i (one per record) and D = diag(w)^{-1/2},

    R_w(θ) = D R(θ) D              (σ²I becomes σ² W⁻¹: Var(e_i) = σ²/w_i),
    ∂R_w/∂θ_k = D Ṙ_k D,
    R_w⁻¹ = D⁻¹ R⁻¹ D⁻¹,
    R_w⁻¹ Ṙ_{w,k} R_w⁻¹ = D⁻¹ (R⁻¹ Ṙ_k R⁻¹) D⁻¹,
    log|R_w| = log|R(θ)| − Σ_i log w_i.

The parameters, their kinds, bounds and starting values are the wrapped template's
(:class:`~asr_py.vcov.wrapper.Wrapper`), and R_w(θ) is positive definite exactly when R(θ)
is (D is positive diagonal), so validity is delegated. D is diagonal, so a block-diagonal R
stays block diagonal (same ``block_size``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from asr_py.vcov.base import CovTemplate, Matrix
from asr_py.vcov.wrapper import Wrapper


def _scale(m: Matrix, s: np.ndarray) -> Matrix:
    """diag(s) m diag(s), sparse in -> sparse CSC out, dense in -> dense out."""
    if sp.issparse(m):
        d = sp.diags(s, 0, format="csc")
        return sp.csc_matrix(d @ sp.csc_matrix(m) @ d)
    a = np.asarray(m, dtype=float)
    return a * s[:, None] * s[None, :]


class Weighted(Wrapper):
    """``template`` with records weighted by ``weights``: R_w = W^{-1/2} R(θ) W^{-1/2}."""

    def __init__(self, template: CovTemplate, weights: np.ndarray) -> None:
        w = np.asarray(weights, dtype=float).ravel()
        if w.size != template.n:
            raise ValueError(f"Weighted: {w.size} weights for a {template.n} x {template.n} "
                             "template")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError("Weighted: weights must be positive and finite")
        super().__init__(template)
        self.weights = w.copy()
        self.weights.setflags(write=False)
        self.n = template.n
        self.block_size = template.block_size
        self._s = 1.0 / np.sqrt(w)  # D = diag(w)^{-1/2}
        self._si = np.sqrt(w)  # D⁻¹
        self._sum_log_w = float(np.log(w).sum())

    def rewrap(self, template: CovTemplate) -> CovTemplate:
        """The same weights on another ``template`` (a face of the wrapped one)."""
        return Weighted(template, self.weights)

    # ----- values ------------------------------------------------------------------------
    def matrix(self, theta: np.ndarray) -> Matrix:
        """D R(θ) D."""
        return _scale(self.template.matrix(theta), self._s)

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        """[D Ṙ_k D]."""
        return [_scale(d, self._s) for d in self.template.derivatives(theta)]

    def inverse(self, theta: np.ndarray) -> Matrix:
        """D⁻¹ R(θ)⁻¹ D⁻¹."""
        return _scale(self.template.inverse(theta), self._si)

    def logdet(self, theta: np.ndarray) -> float:
        """log|R(θ)| − Σ log w_i."""
        return float(self.template.logdet(theta)) - self._sum_log_w

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        """[D⁻¹ (R⁻¹ Ṙ_k R⁻¹) D⁻¹]."""
        return [_scale(m, self._si) for m in self.template.inv_deriv_inv(theta)]

    def scaled_diagonal(self, theta: np.ndarray) -> np.ndarray | None:
        """R = θ diag(1/v) gives R_w = θ diag(1/(v w)): w·v (None when R has no such form)."""
        inner = self.template.scaled_diagonal(theta)
        return None if inner is None else inner * self.weights

    def __repr__(self) -> str:
        return f"Weighted({self.template!r}, n={self.n})"


__all__ = ["Weighted"]
