"""Isotropic power correlations over the distances between points in a plane (ASReml's
``iexp``, ``igau``, ``ieuc``; with 'v'/'h' variants, see correlation.py).

Written ``iexp(x, y)``: the levels are the distinct (x, y) pairs of the records. With
Δx_ij = x_i − x_j, Δy_ij = y_i − y_j and one parameter φ in (0, 1) (``{name}!cor``), the
ASReml User Guide's definitions (Table 7.3, "two dimensional irregular spacing"):

* ``iexp``: C_ij = φ^(|Δx_ij| + |Δy_ij|)       (exponential in the city-block metric)
* ``igau``: C_ij = φ^(Δx_ij² + Δy_ij²)         (gaussian)
* ``ieuc``: C_ij = φ^√(Δx_ij² + Δy_ij²)        (exponential in the euclidean metric)

Each is φ^e_ij with a fixed exponent matrix e, so the derivative, the start (nlme's, as for
``exp``) and the engine's restart from the other end of (0, 1) are the 1-d family's
(distance.py). One coordinate (``iexp(x)``) is the 1-d ``exp(x)``/``gau(x)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from asr_py.vcov.coordinates import city_block, euclidean, level_coordinates, squared
from asr_py.vcov.correlation import (
    CorrelationStructure,
    correlation_syntax,
    register_correlation,
)
from asr_py.vcov.distance import _Distance


class _IsotropicPower(_Distance):
    """C_ij = φ^e_ij with e_ij = :meth:`exponents` of the (n, d) coordinates."""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        CorrelationStructure.__init__(self, levels, name=name, **options)
        self.coords = level_coordinates(self.levels, self.options.get("coords"),
                                        f"{self.family}({name or 'x, y'})")
        self._e = self.exponents(self.coords)

    @staticmethod
    def exponents(x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class IsotropicExponential(_IsotropicPower):
    """``iexp``: C_ij = φ^(|Δx| + |Δy|)."""

    power = 1
    family = "iexp"

    @staticmethod
    def exponents(x: np.ndarray) -> np.ndarray:
        return city_block(x)


class IsotropicGaussian(_IsotropicPower):
    """``igau``: C_ij = φ^(Δx² + Δy²)."""

    power = 2
    family = "igau"

    @staticmethod
    def exponents(x: np.ndarray) -> np.ndarray:
        return squared(x)


class IsotropicEuclidean(_IsotropicPower):
    """``ieuc``: C_ij = φ^√(Δx² + Δy²)."""

    power = 1
    family = "ieuc"

    @staticmethod
    def exponents(x: np.ndarray) -> np.ndarray:
        return euclidean(x)


_NAMED = ("init",)
register_correlation(IsotropicExponential, "iexp", syntax=correlation_syntax(
    "isotropic exponential (2-d, city block)",
    "exponential correlation over city-block distances between points (x, y)",
    "IEXP(φ)", "C_ij = φ^(|Δx| + |Δy|)", max_args=2, named=_NAMED, coordinates=True,
    dimensions=(1, 2), spatial=True))
register_correlation(IsotropicGaussian, "igau", syntax=correlation_syntax(
    "isotropic gaussian (2-d)", "gaussian correlation over distances between points (x, y)",
    "IGAU(φ)", "C_ij = φ^(Δx² + Δy²)", max_args=2, named=_NAMED, coordinates=True,
    dimensions=(1, 2), spatial=True))
register_correlation(IsotropicEuclidean, "ieuc", syntax=correlation_syntax(
    "isotropic euclidean (2-d)",
    "exponential correlation over euclidean distances between points (x, y)",
    "IEUC(φ)", "C_ij = φ^√(Δx² + Δy²)", max_args=2, named=_NAMED, coordinates=True,
    dimensions=(1, 2), spatial=True))
