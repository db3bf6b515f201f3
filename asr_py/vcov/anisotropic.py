"""Anisotropic power correlations over points in a plane (ASReml's ``aexp``, ``agau``; with
'v'/'h' variants, see correlation.py).

Written ``aexp(x, y)``: the levels are the distinct (x, y) pairs of the records. With
Δx_ij = x_i − x_j, Δy_ij = y_i − y_j and one parameter per axis, φ_1 (x) and φ_2 (y), each
in (0, 1) (``{name}!cor1``, ``{name}!cor2``), the ASReml User Guide's definitions
(Table 7.3, two-parameter models for irregular spacing in the plane):

* ``aexp``: C_ij = φ_1^|Δx_ij| φ_2^|Δy_ij|
* ``agau``: C_ij = φ_1^(Δx_ij²) φ_2^(Δy_ij²)

On a complete grid this is the separable ``exp(x):exp(y)``; over scattered points it is one
n x n correlation of the points (not a Kronecker product). With e_a = |Δ_a| or Δ_a²:
∂C/∂φ_a = e_a φ_a^(e_a − 1) Π_(b≠a) φ_b^e_b. Each φ_a starts as ``exp``'s does on its own
axis (nlme's range, distance.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.vcov.base import label
from asr_py.vcov.coordinates import axis_distances, level_coordinates
from asr_py.vcov.correlation import (
    CorrelationStructure,
    correlation_syntax,
    register_correlation,
)
from asr_py.vcov.distance import PHI0_MAX, PHI0_MIN, RANGE_START, power_derivative


class _AnisotropicPower(CorrelationStructure):
    """C = Π_a φ_a^(|Δ_a|^power) over the two axes."""

    power = 1
    family = ""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        self.coords = level_coordinates(self.levels, self.options.get("coords"),
                                        f"{self.family}({name or 'x, y'})", dims=(2,))
        self._e = axis_distances(self.coords) ** self.power  # (2, n, n)

    def corr_names(self) -> list[str]:
        return [label(self.name, f"cor{a}", "!") for a in (1, 2)]

    def corr_lower(self) -> np.ndarray:
        return np.zeros(2)

    def distance_exponents(self) -> np.ndarray:
        """(2, n, n): the exponents of φ1 and φ2 (|Δx|^power, |Δy|^power), what the engine
        reads to restart a φ from the other end of (0, 1) (reml/distance_restart.py)."""
        return self._e.copy()

    def corr_initial(self) -> np.ndarray:
        """Per axis: the nearest distinct pair along it correlated exp(−(1/0.9)^power)."""
        out = []
        near = np.exp(-(1.0 / RANGE_START) ** self.power)
        for e in self._e:
            pos = e[e > 0]
            out.append(0.1 if pos.size == 0 else
                       float(np.clip(near ** (1.0 / pos.min()), PHI0_MIN, PHI0_MAX)))
        return np.array(out)

    def _factors(self, rho: np.ndarray) -> list[np.ndarray]:
        return [float(r) ** e for r, e in zip(rho, self._e)]

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        f = self._factors(rho)
        return f[0] * f[1]

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        f = self._factors(rho)
        out = []
        for a, (r, e) in enumerate(zip(rho, self._e)):
            out.append(power_derivative(e, float(r)) * f[1 - a])
        return out


class AnisotropicExponential(_AnisotropicPower):
    """``aexp``: C_ij = φ_1^|Δx| φ_2^|Δy|."""

    power = 1
    family = "aexp"


class AnisotropicGaussian(_AnisotropicPower):
    """``agau``: C_ij = φ_1^(Δx²) φ_2^(Δy²)."""

    power = 2
    family = "agau"


register_correlation(AnisotropicExponential, "aexp", syntax=correlation_syntax(
    "anisotropic exponential (2-d)",
    "exponential correlation with its own decay along x and along y",
    "AEXP(φ1, φ2)", "C_ij = φ1^|Δx| φ2^|Δy|", max_args=2, named=("init",), coordinates=True,
    dimensions=(2,), spatial=True))
register_correlation(AnisotropicGaussian, "agau", syntax=correlation_syntax(
    "anisotropic gaussian (2-d)", "gaussian correlation with its own decay along x and along y",
    "AGAU(φ1, φ2)", "C_ij = φ1^(Δx²) φ2^(Δy²)", max_args=2, named=("init",), coordinates=True,
    dimensions=(2,), spatial=True))
