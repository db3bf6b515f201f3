"""Distance-based correlation families on numeric level coordinates x_i (with 'v'/'h'
variants, see correlation.py). d_ij = |x_i - x_j|.

* ``exp``: C_ij = ρ^d_ij     (exponential; ∂C/∂ρ = d ρ^(d-1))
* ``gau``: C_ij = ρ^(d_ij²)  (gaussian;   ∂C/∂ρ = d² ρ^(d²-1))

One parameter ``{name}!cor`` in (0, 1). Coordinates come from the option ``coords`` (one
number per level) or else from the level labels themselves (``"1.5"``).

The start follows nlme's ``corExp`` / ``corGaus`` (range r₀ = 90 % of the smallest nonzero
distance d_min, correlation exp(−d/r₀) or exp(−(d/r₀)²)): the nearest pair starts at
correlation c₀ = exp(−1/0.9) ≈ 0.33 (exp) or exp(−1/0.81) ≈ 0.29 (gau), i.e.
φ₀ = c₀^(1/e_min), e_min = d_min or d_min², whatever the units of the coordinates
(a fixed φ₀ = 0.1 over coordinates 10 units apart started every correlation at 1e-10, where
the score of φ vanishes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.errors import ModelError
from asr_py.vcov.base import label
from asr_py.vcov.correlation import (
    CorrelationStructure,
    correlation_syntax,
    register_correlation,
)

#: nlme's start: the range at this fraction of the smallest nonzero distance
RANGE_START = 0.9
#: ... but φ₀ within these (coordinates 1e6 apart would start on the bound at 1; 0.01 apart,
#: gau's φ₀ = 0.29^10000 underflows to the bound at 0)
PHI0_MIN, PHI0_MAX = 1e-3, 1.0 - 1e-6


def power_derivative(e: np.ndarray, r: float) -> np.ndarray:
    """∂ r^e / ∂r = e r^(e−1) elementwise, 0 where e = 0 (the diagonal: r⁰ = 1)."""
    d = np.zeros_like(e)
    nz = e > 0
    d[nz] = e[nz] * r ** (e[nz] - 1.0)
    return d


class _Distance(CorrelationStructure):
    power = 1  # d ** power is the exponent of ρ
    family = ""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        coords = self.options.get("coords")
        what = f"{self.family}({name or 'x'})"
        if coords is None:
            try:
                x = np.array([float(v) for v in self.levels])
            except ValueError:
                raise ModelError(
                    f"{what}: the levels are not numbers ({', '.join(self.levels[:3])}...)",
                    hint="a distance-based structure needs numeric coordinates: use a numeric "
                    "column, or pass coords=[...]",
                ) from None
        else:
            x = np.asarray(coords, dtype=float).ravel()
            if x.size != self.n:
                raise ModelError(f"{what}: {x.size} coordinates for {self.n} levels")
        if not np.all(np.isfinite(x)):
            raise ModelError(f"{what}: the coordinates must be finite numbers")
        self.coords = x
        self._e = np.abs(x[:, None] - x[None, :]) ** self.power

    def corr_names(self) -> list[str]:
        return [label(self.name, "cor", "!")]

    def distance_exponents(self) -> np.ndarray:
        """The exponents e_ij of C_ij = φ^e_ij (d_ij, or d_ij² for gau): what the engine
        reads to restart φ from the other end of (0, 1) (reml/distance_restart.py)."""
        return self._e.copy()

    def corr_lower(self) -> np.ndarray:
        return np.array([0.0])

    def corr_initial(self) -> np.ndarray:
        """φ₀ with the nearest pair's correlation φ₀^e_min = exp(−(1/RANGE_START)^power)
        (module docstring), within [PHI0_MIN, PHI0_MAX]; 0.1 with a single coordinate."""
        e = self._e[self._e > 0]
        if e.size == 0:
            return np.array([0.1])
        near = np.exp(-(1.0 / RANGE_START) ** self.power)
        return np.array([float(np.clip(near ** (1.0 / e.min()), PHI0_MIN, PHI0_MAX))])

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        return float(rho[0]) ** self._e

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        return [power_derivative(self._e, float(rho[0]))]


class Exponential(_Distance):
    """``exp``: C_ij = ρ^|x_i - x_j|."""

    power = 1
    family = "exp"


class Gaussian(_Distance):
    """``gau``: C_ij = ρ^((x_i - x_j)²)."""

    power = 2
    family = "gau"


register_correlation(Exponential, "exp", syntax=correlation_syntax(
    "exponential (1-d or 2-d coordinates)", "exponential correlation over distances d_ij",
    "EXP(φ)", "C_ij = φ^d_ij", max_args=2, named=("dist", "init"), coordinates=True, spatial=True))
register_correlation(Gaussian, "gau", syntax=correlation_syntax(
    "gaussian", "gaussian correlation over distances d_ij", "GAU(φ)", "C_ij = φ^(d_ij²)",
    max_args=2, named=("dist", "init"), coordinates=True, spatial=True))
