"""Banded unit-triangular factor structures: the shared part of ``chol`` and ``ante``.

Both hold X = F D F' with F unit triangular, free only in k bands next to the diagonal, and
D = diag(d), d_i > 0: ``chol`` takes X = Σ with F = L lower triangular, ``ante`` takes
X = Σ⁻¹ with F = U upper triangular. θ follows the banded lower triangle row by row, the
diagonal carrying d: position (r, c) is d_r when r == c, else the factor entry F[r, c]
(``chol``) or F[c, r] (``ante``). With f_j the j-th column of F, g_j = F⁻ᵀ e_j and
Y = X⁻¹ = F⁻ᵀ D⁻¹ F⁻¹, for the entry F_ab:

    ∂X/∂d_a = f_a f_a',              ∂X/∂F_ab = d_b (e_a f_b' + f_b e_a'),
    −∂Y/∂d_a = g_a g_a' / d_a²,      −∂Y/∂F_ab = Y e_a g_b' + g_b e_a' Y.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

import numpy as np
import scipy.linalg as sla

from asr_py.errors import ModelError
from asr_py.vcov.base import Matrix, Structure, is_pd, label


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


class BandedFactor(Structure):
    """X = F D F' with k bands in the unit triangular F (see the module docstring).

    Subclasses set ``family`` (the registry name, for messages), ``is_upper`` (F upper
    triangular, its entry F[c, r] at θ position (r, c)) and ``letter`` (the name suffix of
    a factor entry), and map X and Y = X⁻¹ to Σ and Σ⁻¹.
    """

    family: str = ""
    is_upper: bool = False
    letter: str = ""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        self.order = band_order(self.options, self.n, f"{self.family}({name or 'f'})")
        self._pos = band_positions(self.n, self.order)
        self._diag = np.array([r == c for r, c in self._pos])

    def _entry(self, r: int, c: int) -> tuple[int, int]:
        """The entry of F at θ position (r, c), r > c."""
        return (c, r) if self.is_upper else (r, c)

    @property
    def param_names(self) -> list[str]:
        lv = self.levels
        out = []
        for r, c in self._pos:
            a, b = self._entry(r, c)
            out.append(label(self.name, f"{lv[r]}!d" if r == c
                             else f"{lv[a]}:{lv[b]}!{self.letter}"))
        return out

    @property
    def param_kinds(self) -> list[str]:
        return ["variance" if r == c else "other" for r, c in self._pos]

    # ----- the factors -------------------------------------------------------------------
    def factors(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(F, d) from θ."""
        theta = np.asarray(theta, dtype=float)
        f = np.eye(self.n)
        d = np.zeros(self.n)
        for t, (r, c) in zip(theta, self._pos):
            if r == c:
                d[r] = t
            else:
                f[self._entry(r, c)] = t
        return f, d

    def _theta(self, f: np.ndarray, d: np.ndarray) -> np.ndarray:
        """θ of the factors (F, d), keeping only the k bands of F."""
        return np.array([d[r] if r == c else f[self._entry(r, c)] for r, c in self._pos])

    def _tri_inv(self, f: np.ndarray) -> np.ndarray:
        """F⁻¹."""
        return sla.solve_triangular(f, np.eye(self.n), lower=not self.is_upper,
                                    unit_diagonal=True)

    def _checked(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(F, F⁻¹, d), raising LinAlgError unless every d_i > 0."""
        f, d = self.factors(theta)
        if not np.all(d > 0) or not np.all(np.isfinite(f)):
            raise np.linalg.LinAlgError(f"{self.family}: D must be positive")
        return f, self._tri_inv(f), d

    def _d_product(self, f: np.ndarray, d: np.ndarray) -> list[Matrix]:
        """[∂X/∂θ_k], X = F D F'."""
        out = []
        for r, c in self._pos:
            if r == c:
                out.append(np.outer(f[:, r], f[:, r]))
            else:
                a, b = self._entry(r, c)
                m = np.zeros((self.n, self.n))
                m[a, :] = d[b] * f[:, b]
                out.append(m + m.T)
        return out

    def _d_inverse(self, fi: np.ndarray, d: np.ndarray) -> list[Matrix]:
        """[−∂Y/∂θ_k] = [Y (∂X/∂θ_k) Y], Y = X⁻¹ = F⁻ᵀ D⁻¹ F⁻¹, from fi = F⁻¹."""
        g = fi.T  # g[:, j] = F⁻ᵀ e_j
        y = (fi.T / d) @ fi
        out = []
        for r, c in self._pos:
            if r == c:
                out.append(np.outer(g[:, r], g[:, r]) / (d[r] * d[r]))
            else:
                a, b = self._entry(r, c)
                m = np.outer(y[:, a], g[:, b])
                out.append(m + m.T)
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
        """θ of the ``us`` start s (0.9 I + 0.1 J), band-truncated (see ``from_matrix``)."""
        return self.from_matrix(us_start(self.n, scale))

    @abstractmethod
    def from_matrix(self, s: np.ndarray) -> np.ndarray:
        """θ for a PD matrix Σ = ``s``, keeping only the k bands (exact for k = n − 1)."""
