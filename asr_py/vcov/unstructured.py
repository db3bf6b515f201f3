"""``us(f)``: the unstructured covariance matrix, parameterised by its own elements.

θ is the lower triangle row by row, (1,1), (2,1), (2,2), (3,1), (3,2), (3,3), ... (ASReml's
order); the name of θ for element (i, j), i >= j, is ``{name}_{level_i}:{level_j}``.
∂Σ/∂σ_ii = e_i e_i', ∂Σ/∂σ_ij = e_i e_j' + e_j e_i'. Valid when Σ is positive definite.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from asr_py.vcov.base import Matrix, Structure, StructureSyntax, is_pd, label, register


def tril_pairs(n: int) -> list[tuple[int, int]]:
    """(i, j) with i >= j, lower triangle row by row."""
    return [(i, j) for i in range(n) for j in range(i + 1)]


@cache
def tril_rc(n: int) -> tuple[np.ndarray, np.ndarray]:
    """np.tril_indices(n) (row by row: (0,0), (1,0), (1,1), (2,0) ...), read-only and built
    once per n: Σ is filled from θ at every likelihood evaluation."""
    r, c = np.tril_indices(n)
    r.flags.writeable = False
    c.flags.writeable = False
    return r, c


@register("us", syntax=StructureSyntax(
    "unstructured (all variances and covariances)", named=("init", "Gpos"),
    words="unstructured: every variance and covariance free",
    math="Σ_{f} ({n}×{n} unstructured)", definition="Σ_ij free, n(n+1)/2 parameters"))
class Unstructured(Structure):
    """Σ_ij = σ_ij: n(n+1)/2 parameters, variances on the diagonal, covariances off it."""

    linear = True

    def linear_basis(self, theta: np.ndarray) -> np.ndarray:
        """E_k = e_i e_j' + e_j e_i' ((i, j) the k-th lower-triangle pair; E = e_i e_i' on
        the diagonal): Σ = Σ_k θ_k E_k."""
        r, c = tril_rc(self.n)
        d = np.zeros((r.size, self.n, self.n))
        k = np.arange(r.size)
        d[k, r, c] = 1.0
        d[k, c, r] = 1.0
        return d

    @property
    def param_names(self) -> list[str]:
        lv = self.levels
        return [label(self.name, f"{lv[i]}:{lv[j]}") for i, j in tril_pairs(self.n)]

    @property
    def param_kinds(self) -> list[str]:
        return ["variance" if i == j else "covariance" for i, j in tril_pairs(self.n)]

    def matrix(self, theta: np.ndarray) -> Matrix:
        theta = np.asarray(theta, dtype=float)
        m = np.zeros((self.n, self.n))
        r, c = tril_rc(self.n)
        m[r, c] = theta
        m[c, r] = theta
        return m

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        out = []
        for i, j in tril_pairs(self.n):
            d = np.zeros((self.n, self.n))
            d[i, j] = 1.0
            d[j, i] = 1.0
            out.append(d)
        return out

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        si = self.inverse(theta)
        out = []
        for i, j in tril_pairs(self.n):
            a, b = si[:, [i]], si[:, [j]]
            out.append(a @ b.T if i == j else a @ b.T + b @ a.T)
        return out

    def is_valid(self, theta: np.ndarray) -> bool:
        """Variances >= 0 and Σ positive definite (smallest eigenvalue > 1e-10 x max σ_ii)."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,) or not np.all(np.isfinite(theta)):
            return False
        return is_pd(self.matrix(theta))

    def initial(self, scale: float) -> np.ndarray:
        """Variances = scale, covariances = 0.1 x scale (correlation 0.1)."""
        return np.array([scale if i == j else 0.1 * scale for i, j in tril_pairs(self.n)],
                        dtype=float)
