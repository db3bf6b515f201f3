"""Diagonal structures: ``id`` (I), ``idv`` (σ² I) and ``diag``/``idh`` (diag(σ²_i)).

All three are returned as sparse CSC matrices with closed-form inverse and log-determinant,
so they stay cheap for factors with many levels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from asr_py.vcov.base import Matrix, Structure, StructureSyntax, label, register


def _sdiag(v: np.ndarray) -> sp.csc_matrix:
    return sp.diags(np.asarray(v, dtype=float), 0, format="csc")


def _check_positive(v: np.ndarray, what: str) -> None:
    if np.any(~np.isfinite(v)) or np.any(v <= 0):
        raise np.linalg.LinAlgError(f"{what}: a variance is not positive, Σ is singular")


@register("id", syntax=StructureSyntax(
    "identity (correlation 1 on the diagonal)",
    words="identity: independent levels, no parameter of its own", math="I_{n}"))
class Identity(Structure):
    """``id(f)``: the identity correlation matrix I_n. No parameters, no own scale."""

    has_variance = False
    block_size = 1
    diagonal = "identity"

    def diagonal_variances(self, theta: np.ndarray) -> np.ndarray:
        return np.ones(self.n)

    @property
    def param_names(self) -> list[str]:
        return []

    @property
    def param_kinds(self) -> list[str]:
        return []

    def matrix(self, theta: np.ndarray) -> Matrix:
        return sp.identity(self.n, format="csc")

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return []

    def inverse(self, theta: np.ndarray) -> Matrix:
        return sp.identity(self.n, format="csc")

    def logdet(self, theta: np.ndarray) -> float:
        return 0.0

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        return []

    def initial(self, scale: float) -> np.ndarray:
        """No parameters: an empty vector."""
        return np.zeros(0)


@register("idv", syntax=StructureSyntax(
    "identity, times one variance", words="identity times one variance", math="σ² I_{n}"))
class IdentityV(Structure):
    """``idv(f)``: Σ = σ² I_n, one parameter ``{name}!var``."""

    block_size = 1
    diagonal = "common"

    def diagonal_variances(self, theta: np.ndarray) -> np.ndarray:
        return np.full(self.n, float(theta[0]))

    def scaled_diagonal(self, theta: np.ndarray) -> np.ndarray | None:
        """σ²I: w = 1."""
        return np.ones(self.n)

    @property
    def param_names(self) -> list[str]:
        return [label(self.name, "var", "!")]

    @property
    def param_kinds(self) -> list[str]:
        return ["variance"]

    def matrix(self, theta: np.ndarray) -> Matrix:
        return _sdiag(np.full(self.n, float(theta[0])))

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return [sp.identity(self.n, format="csc")]

    def inverse(self, theta: np.ndarray) -> Matrix:
        v = np.full(self.n, float(theta[0]))
        _check_positive(v, "idv")
        return _sdiag(1.0 / v)

    def logdet(self, theta: np.ndarray) -> float:
        _check_positive(np.array([theta[0]], dtype=float), "idv")
        return float(self.n * np.log(theta[0]))

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        v = float(theta[0])
        _check_positive(np.array([v]), "idv")
        return [_sdiag(np.full(self.n, 1.0 / v**2))]

    def initial(self, scale: float) -> np.ndarray:
        """σ² = scale."""
        return np.array([float(scale)])


@register("diag", "idh", syntax=StructureSyntax(
    "diagonal: one variance per level (= idh)",
    words="diagonal: one variance per level, no covariances", math="diag(σ²_1..σ²_{n})"))
class Diagonal(Structure):
    """``diag(f)`` / ``idh(f)``: Σ = diag(σ²_1, ..., σ²_n), parameters ``{name}_{level}``."""

    block_size = 1
    diagonal = "each"

    def diagonal_variances(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(theta, dtype=float)

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)

    @property
    def param_names(self) -> list[str]:
        return [label(self.name, lv) for lv in self.levels]

    @property
    def param_kinds(self) -> list[str]:
        return ["variance"] * self.n

    def matrix(self, theta: np.ndarray) -> Matrix:
        return _sdiag(np.asarray(theta, dtype=float))

    def derivatives(self, theta: np.ndarray) -> list[Matrix]:
        return [sp.csc_matrix(([1.0], ([k], [k])), shape=(self.n, self.n)) for k in range(self.n)]

    def inverse(self, theta: np.ndarray) -> Matrix:
        v = np.asarray(theta, dtype=float)
        _check_positive(v, "diag")
        return _sdiag(1.0 / v)

    def logdet(self, theta: np.ndarray) -> float:
        v = np.asarray(theta, dtype=float)
        _check_positive(v, "diag")
        return float(np.log(v).sum())

    def inv_deriv_inv(self, theta: np.ndarray) -> list[Matrix]:
        v = np.asarray(theta, dtype=float)
        _check_positive(v, "diag")
        return [
            sp.csc_matrix(([1.0 / v[k] ** 2], ([k], [k])), shape=(self.n, self.n))
            for k in range(self.n)
        ]

    def initial(self, scale: float) -> np.ndarray:
        """Every σ²_i = scale."""
        return np.full(self.n, float(scale))
