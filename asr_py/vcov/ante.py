"""``ante(f, k)``: antedependence of order k (ASReml's ANTEk), parameterised by its inverse.

    Σ⁻¹ = U D U',   U unit upper triangular with U_ij free for 1 <= j − i <= k (else 0),
                    D = diag(d_1, ..., d_n), d_i > 0.

Read as regressions: e = U'y has Var(e) = D⁻¹, i.e. y_j = −Σ_{j−k <= i < j} U_ij y_i + e_j with
innovation variance 1/d_j, so each level depends on the k before it only. Option ``order`` = k
(alias ``k``), default 1, 1 <= k <= n − 1; with k = n − 1 every positive-definite matrix is
reached (the same set as ``us(f)``).

θ follows the banded lower triangle row by row, U_ij stored at position (j, i) and d_j on the
diagonal: d_1, U_12, d_2, U_13, U_23, d_3, ... (the order of ``us`` restricted to the band).
Names: ``{f}_{l_j}!d`` for d_j (kind "variance": a precision, kept > 0) and
``{f}_{l_i}:{l_j}!u`` for U_ij (kind "other": unbounded).

With P = Σ⁻¹, u_j the j-th column of U, V = U⁻¹, w_j = V' e_j and s_i = Σ e_i:
    ∂P/∂d_i = u_i u_i',                  ∂P/∂U_ij = d_j (e_i u_j' + u_j e_i'),
    ∂Σ/∂d_i = −w_i w_i' / d_i²,          ∂Σ/∂U_ij = −(s_i w_j' + w_j s_i')      (∂Σ = −Σ ∂P Σ),
    Σ⁻¹ (∂Σ/∂θ) Σ⁻¹ = −∂P/∂θ,            Σ = V' D⁻¹ V,   log|Σ| = −Σ_i log d_i.
Valid: finite θ, d_i > 0 and Σ numerically positive definite.
Start: the band of the U D U' factor of the inverse of the ``us`` start s (0.9 I + 0.1 J)
(exact when k = n − 1).
"""

from __future__ import annotations

import numpy as np

from asr_py.vcov.banded import BandedFactor, ldl
from asr_py.vcov.base import Matrix, StructureSyntax, register


def udu(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P = U D U' with U unit upper triangular: (U, diag D), by reversing the order of
    rows and columns (J P J = L D̃ L' gives U = J L J, D = J D̃ J)."""
    low, d = ldl(p[::-1, ::-1])
    return low[::-1, ::-1], d[::-1]


@register("ante", syntax=StructureSyntax(
    "antedependence of order k", max_args=2, named=("k", "init"), order=True,
    words="antedependence of order k: each level depends on the k before it",
    math="Σ_{f} ({n}×{n}, Σ⁻¹ = UDU', order k)",
    definition="U unit upper triangular with k bands, D diagonal"))
class Antedependence(BandedFactor):
    """``ante(f, k)``: Σ⁻¹ = U D U' with k super-diagonal bands in U (see the module
    docstring)."""

    family = "ante"
    is_upper = True
    letter = "u"

    def from_matrix(self, s: np.ndarray) -> np.ndarray:
        """θ of the U D U' factor of the inverse of a PD matrix ``s``, keeping only the k
        bands of U (exact for k = n − 1)."""
        s = np.asarray(s, dtype=float)
        return self._theta(*udu(np.linalg.inv(s)))

    def matrix(self, theta: np.ndarray) -> Matrix:
        """Σ = V' D⁻¹ V (d_i <= 0 gives a non-finite or indefinite matrix, never an error)."""
        up, d = self.factors(theta)
        v = self._tri_inv(up)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (v.T / d) @ v

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        """∂Σ/∂θ = −∂(U D U')⁻¹/∂θ."""
        _, v, d = self._checked(theta)
        return [-m for m in self._d_inverse(v, d)]

    def inverse(self, theta: np.ndarray) -> Matrix:
        """Σ⁻¹ = U D U' (banded, 2k + 1 diagonals)."""
        up, _, d = self._checked(theta)
        return (up * d) @ up.T

    def logdet(self, theta: np.ndarray) -> float:
        """log|Σ| = −Σ log d_i."""
        _, _, d = self._checked(theta)
        return float(-np.log(d).sum())

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        """Σ⁻¹ (∂Σ/∂θ) Σ⁻¹ = −∂(U D U')/∂θ (no inverse needed)."""
        up, _, d = self._checked(theta)
        return [-m for m in self._d_product(up, d)]
