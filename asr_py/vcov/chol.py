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
import scipy.linalg as sla

from asr_py.errors import ModelError
from asr_py.vcov.base import Matrix, Structure, is_pd, label, register


def band_order(options: dict, n: int, what: str) -> int:
    """The order k of a banded structure from options ``order``/``k`` (default 1),
    checked 1 <= k <= max(n − 1, 1)."""
    k = options.get("order", options.get("k", 1))
    if isinstance(k, float) and float(k).is_integer():
        k = int(k)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ModelError(f"{what}: the order must be a positive integer, got {k!r}")
    top = max(n - 1, 1)
    if k > top:
        raise ModelError(f"{what}: order {k} is too large for a factor with {n} levels",
                         hint=f"use an order of at most {top} (order {top} is us())")
    return int(k)


def band_positions(n: int, k: int) -> list[tuple[int, int]]:
    """(i, j), i >= j, i − j <= k: the banded lower triangle row by row."""
    return [(i, j) for i in range(n) for j in range(max(0, i - k), i + 1)]


def ldl(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S = L D L' with L unit lower triangular: (L, diag D), from the Cholesky factor."""
    c = np.linalg.cholesky(s)
    dc = np.diag(c)
    return c / dc, dc * dc


def us_start(n: int, scale: float) -> np.ndarray:
    """The ``us`` starting matrix: variances ``scale``, covariances 0.1 x scale."""
    return scale * (0.9 * np.eye(n) + 0.1 * np.ones((n, n)))


@register("chol")
class Cholesky(Structure):
    """``chol(f, k)``: Σ = L D L' with k sub-diagonal bands in L (see the module docstring)."""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        self.order = band_order(self.options, self.n, f"chol({name or 'f'})")
        self._pos = band_positions(self.n, self.order)
        self._diag = np.array([i == j for i, j in self._pos])

    @property
    def param_names(self) -> list[str]:
        lv = self.levels
        return [label(self.name, f"{lv[i]}!d" if i == j else f"{lv[i]}:{lv[j]}!l")
                for i, j in self._pos]

    @property
    def param_kinds(self) -> list[str]:
        return ["variance" if i == j else "other" for i, j in self._pos]

    # ----- the factors -------------------------------------------------------------------
    def factors(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(L, d) from θ."""
        theta = np.asarray(theta, dtype=float)
        low = np.eye(self.n)
        d = np.zeros(self.n)
        for t, (i, j) in zip(theta, self._pos):
            if i == j:
                d[i] = t
            else:
                low[i, j] = t
        return low, d

    def from_matrix(self, s: np.ndarray) -> np.ndarray:
        """θ of the L D L' factor of a PD matrix ``s``, keeping only the k bands of L
        (exact for k = n − 1)."""
        low, d = ldl(np.asarray(s, dtype=float))
        return np.array([d[i] if i == j else low[i, j] for i, j in self._pos])

    # ----- values ------------------------------------------------------------------------
    def matrix(self, theta: np.ndarray) -> Matrix:
        low, d = self.factors(theta)
        return (low * d) @ low.T

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        low, d = self.factors(theta)
        out = []
        for i, j in self._pos:
            if i == j:
                out.append(np.outer(low[:, i], low[:, i]))
            else:
                a = np.zeros((self.n, self.n))
                a[i, :] = d[j] * low[:, j]
                out.append(a + a.T)
        return out

    def _linv(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(L⁻¹, d), raising LinAlgError unless every d_i > 0."""
        low, d = self.factors(theta)
        if not np.all(d > 0) or not np.all(np.isfinite(low)):
            raise np.linalg.LinAlgError("chol: D must be positive")
        li = sla.solve_triangular(low, np.eye(self.n), lower=True, unit_diagonal=True)
        return li, d

    def inverse(self, theta: np.ndarray) -> Matrix:
        """Σ⁻¹ = L⁻ᵀ D⁻¹ L⁻¹."""
        li, d = self._linv(theta)
        return (li.T / d) @ li

    def logdet(self, theta: np.ndarray) -> float:
        """log|Σ| = Σ log d_i (|L| = 1)."""
        _, d = self._linv(theta)
        return float(np.log(d).sum())

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        li, d = self._linv(theta)
        m = li.T  # m[:, j] = L⁻ᵀ e_j
        q = (li.T / d) @ li  # Σ⁻¹
        out = []
        for i, j in self._pos:
            if i == j:
                out.append(np.outer(m[:, i], m[:, i]) / (d[i] * d[i]))
            else:
                a = np.outer(q[:, i], m[:, j])
                out.append(a + a.T)
        return out

    # ----- constraints and starting values -----------------------------------------------
    def is_valid(self, theta: np.ndarray) -> bool:
        """Finite θ, d_i > 0 and Σ numerically positive definite."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,) or not np.all(np.isfinite(theta)):
            return False
        if np.any(theta[self._diag] <= 0):
            return False
        return is_pd(self.matrix(theta))

    def initial(self, scale: float) -> np.ndarray:
        """The band of the L D L' factor of the us start s (0.9 I + 0.1 J)."""
        return self.from_matrix(us_start(self.n, scale))
