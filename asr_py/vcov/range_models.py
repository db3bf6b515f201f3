"""Correlations with a finite range φ over euclidean distances (ASReml's ``sph``, ``cir``;
with 'v'/'h' variants, see correlation.py).

Written ``sph(x, y)`` (points in a plane: the levels are the distinct (x, y) pairs) or
``sph(x)`` (a transect). With d_ij the euclidean distance, t = d_ij / φ and one parameter,
the range φ > 0 (``{name}!range``), beyond which points are uncorrelated (the ASReml User
Guide, Table 7.3; the textbook forms, e.g. Cressie 1993 §2.3.1, Webster & Oliver 2001):

* ``sph`` (spherical): C_ij = 1 − (3/2) t + (1/2) t³ for t ≤ 1, else 0;
  dC/dt = −(3/2)(1 − t²)
* ``cir`` (circular):  C_ij = 1 − (2/π)(t √(1 − t²) + arcsin t) for t ≤ 1, else 0;
  dC/dt = −(4/π) √(1 − t²)

∂C/∂φ = (dC/dt)(−t/φ). Both are valid correlation functions in the plane (the spherical
also in space) and vanish smoothly at t = 1. The start is the median distance between
distinct points (sommer's ``metricm``), so that about half of the pairs are correlated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.vcov.base import label
from asr_py.vcov.coordinates import euclidean, level_coordinates
from asr_py.vcov.correlation import (
    CorrelationStructure,
    correlation_syntax,
    register_correlation,
)


class _RangeModel(CorrelationStructure):
    """C_ij = g(d_ij / φ) for d_ij < φ, 0 beyond; subclasses give g and dg/dt on [0, 1]."""

    family = ""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        self.coords = level_coordinates(self.levels, self.options.get("coords"),
                                        f"{self.family}({name or 'x, y'})")
        self._d = euclidean(self.coords)

    @staticmethod
    def shape(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(g(t), dg/dt) for 0 <= t <= 1."""
        raise NotImplementedError

    def corr_names(self) -> list[str]:
        return [label(self.name, "range", "!")]

    def corr_kinds(self) -> list[str]:
        return ["other"]

    def corr_lower(self) -> np.ndarray:
        return np.array([0.0])

    def corr_upper(self) -> np.ndarray:
        return np.array([np.inf])

    def corr_valid(self, rho: np.ndarray) -> bool:
        return bool(float(rho[0]) > 0.0)

    def corr_initial(self) -> np.ndarray:
        pos = self._d[self._d > 0]
        return np.array([float(np.median(pos)) if pos.size else 1.0])

    def _inside(self, rho: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        phi = float(rho[0])
        if not phi > 0.0:
            raise ValueError(f"{self.family}(): the range must be positive, got {phi}")
        t = self._d / phi
        return phi, t, t < 1.0

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        _, t, ins = self._inside(rho)
        c = np.zeros_like(t)
        c[ins] = self.shape(t[ins])[0]
        return c

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        phi, t, ins = self._inside(rho)
        d = np.zeros_like(t)
        d[ins] = self.shape(t[ins])[1] * (-t[ins] / phi)
        return [d]


class Spherical(_RangeModel):
    """``sph``: C = 1 − 1.5 t + 0.5 t³ (t = d/φ ≤ 1), 0 beyond."""

    family = "sph"

    @staticmethod
    def shape(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return 1.0 - 1.5 * t + 0.5 * t**3, -1.5 * (1.0 - t * t)


class Circular(_RangeModel):
    """``cir``: C = 1 − (2/π)(t√(1 − t²) + arcsin t) (t = d/φ ≤ 1), 0 beyond."""

    family = "cir"

    @staticmethod
    def shape(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = np.sqrt(np.clip(1.0 - t * t, 0.0, None))
        return 1.0 - (2.0 / np.pi) * (t * s + np.arcsin(np.clip(t, 0.0, 1.0))), \
            -(4.0 / np.pi) * s


register_correlation(Spherical, "sph", syntax=correlation_syntax(
    "spherical (range φ)", "spherical correlation over euclidean distances, zero beyond the "
    "range φ", "SPH(φ)", "C_ij = 1 − 1.5 d/φ + 0.5 (d/φ)³ for d < φ, else 0", max_args=2,
    named=("init",), coordinates=True, dimensions=(1, 2), spatial=True))
register_correlation(Circular, "cir", syntax=correlation_syntax(
    "circular (range φ)", "circular correlation over euclidean distances, zero beyond the "
    "range φ", "CIR(φ)", "C_ij = 1 − (2/π)(t√(1−t²) + asin t), t = d/φ < 1, else 0",
    max_args=2, named=("init",), coordinates=True, dimensions=(1, 2), spatial=True))
