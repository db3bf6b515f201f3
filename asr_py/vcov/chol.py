"""``chol(f, k)``: a Cholesky-parameterised covariance matrix of order k (ASReml's CHOLk).

    Σ = L D L',   L unit lower triangular with L_ij free for 1 <= i − j <= k (else 0),
                  D = diag(d_1, ..., d_n), d_i > 0.

Option ``order`` = k (alias ``k``), default 1, 1 <= k <= n − 1; with k = n − 1 every
positive-definite matrix is reached (the same set as ``us(f)``).

θ follows the banded lower triangle row by row, the diagonal carrying D: d_1, l_21, d_2,
l_31, l_32, d_3, ... (the positions and order of ``us`` restricted to the band).
Names: ``{f}_{l_i}!d`` for d_i (kind "variance": d_i = Var of the i-th innovation),
``{f}_{l_i}:{l_j}!l`` for L_ij (kind "other": unbounded).

Derivatives (l_j the j-th column of L):
    ∂Σ/∂d_i  = l_i l_i',          ∂Σ/∂L_ij = d_j (e_i l_j' + l_j e_i').
Σ⁻¹ = L⁻ᵀ D⁻¹ L⁻¹ and log|Σ| = Σ_i log d_i. With m_j = L⁻ᵀ e_j and q_i = Σ⁻¹ e_i,
    Σ⁻¹ (∂Σ/∂d_i) Σ⁻¹ = m_i m_i' / d_i²,   Σ⁻¹ (∂Σ/∂L_ij) Σ⁻¹ = q_i m_j' + m_j q_i'.
Valid: finite θ, d_i > 0 (then Σ is positive definite) and Σ numerically PD.
Start: the banded L D L' factor of the ``us`` start s (0.9 I + 0.1 J), band-truncated
(exact when k = n − 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.vcov.banded import BandedFactor, ldl
from asr_py.vcov.base import Matrix, StructureSyntax, register


@register("chol", syntax=StructureSyntax(
    "Cholesky of order k", max_args=2, named=("k", "init"), order=True,
    words="Cholesky of order k", math="Σ_{f} ({n}×{n}, LDL', order k)",
    definition="L unit lower triangular with k bands, D diagonal"))
class Cholesky(BandedFactor):
    """``chol(f, k)``: Σ = L D L' with k sub-diagonal bands in L (see the module docstring)."""

    family = "chol"
    is_upper = False
    letter = "l"

    def from_matrix(self, s: np.ndarray) -> np.ndarray:
        """θ of the L D L' factor of a PD matrix ``s``, keeping only the k bands of L
        (exact for k = n − 1)."""
        return self._theta(*ldl(np.asarray(s, dtype=float)))

    def matrix(self, theta: np.ndarray) -> Matrix:
        low, d = self.factors(theta)
        return (low * d) @ low.T

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return self._d_product(*self.factors(theta))

    def inverse(self, theta: np.ndarray) -> Matrix:
        """Σ⁻¹ = L⁻ᵀ D⁻¹ L⁻¹."""
        _, li, d = self._checked(theta)
        return (li.T / d) @ li

    def logdet(self, theta: np.ndarray) -> float:
        """log|Σ| = Σ log d_i (|L| = 1)."""
        _, _, d = self._checked(theta)
        return float(np.log(d).sum())

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        _, li, d = self._checked(theta)
        return self._d_inverse(li, d)


@register("cholc", syntax=StructureSyntax(
    "Cholesky with k columns", max_args=2, named=("k", "init"), order=True,
    words="Cholesky with k free columns", math="Σ_{f} ({n}×{n}, LDL', k columns)",
    definition="L unit lower triangular, free below the diagonal in its first k columns, "
               "D diagonal"))
class CholeskyColumns(Cholesky):
    """``cholc(f, k)`` (ASReml's CHOLkC): Σ = L D L' with L unit lower triangular whose
    sub-diagonal entries are free in the first k columns and 0 in the others ("k is the
    number of non-zero sub diagonal columns in L", ASReml 3 User Guide, variance models
    CHOLk, CHOLkC); with k = n − 1 it is ``us(f)``. θ as ``chol``: the lower triangle row by
    row restricted to the free positions, d_i on the diagonal; the derivatives, inverse and
    determinant are chol's (they read the positions)."""

    family = "cholc"

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        self._pos = [(i, j) for i in range(self.n) for j in range(i + 1)
                     if j == i or j < self.order]
        self._diag = np.array([r == c for r, c in self._pos])
