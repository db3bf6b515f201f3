"""The Matérn correlation over points in a plane (ASReml's ``mtrn``; with 'v'/'h' variants,
see correlation.py), without geometric anisotropy.

Written ``mtrn(x, y, phi = NA, nu = 0.5, delta = 1, alpha = 0, lambda = 2)`` (asreml-R 4;
VSNi's knowledge base "matern – Matern variance structure"): a numeric argument is a start
value and the parameter is estimated, a string ``"1.5F"`` fixes it, an absent one is held
at its default; φ (the range) is always estimated. With d_ij the distance between points i
and j in the metric λ (2: euclidean, 1: city block) and t = d_ij / φ (Haskard, Cullis &
Verbyla 2007, the Matérn class of Stein 1999):

    C_ij = 2^(1−ν) / Γ(ν) · t^ν K_ν(t)     (C_ii = 1),

K_ν the modified Bessel function of the second kind. ν = 0.5 gives exp(−t), i.e. ``ieuc``
(λ = 2) or ``iexp`` (λ = 1) with their φ = exp(−1/φ_mtrn); ν → ∞ the gaussian.
Derivatives: d/dt [t^ν K_ν(t)] = −t^ν K_(ν−1)(t), so ∂C/∂φ = 2^(1−ν)/Γ(ν) · t^(ν+1)
K_(ν−1)(t) / φ; ∂C/∂ν by central differences (step 1e-5 · max(1, ν); ASReml too uses
numerical derivatives for ν). Parameters ``{name}!phi`` (> 0) and, when estimated,
``{name}!nu`` (> 0); a fixed ν is no parameter. The anisotropy parameters δ and α are
taken at their defaults (1, 0) only: another value is refused (a clear error), not ignored.
The start of φ is nlme's for ``exp`` (0.9 x the smallest distance, distance.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import gammaln, kv

from asr_py.errors import ModelError
from asr_py.vcov.base import label
from asr_py.vcov.coordinates import city_block, euclidean, level_coordinates
from asr_py.vcov.correlation import (
    CorrelationStructure,
    correlation_syntax,
    register_correlation,
)
from asr_py.vcov.distance import RANGE_START

#: below this t = d/φ the correlation is 1 to double precision (and K_ν(t) overflows)
T_MIN = 1e-12
#: relative step of the central difference in ν
NU_STEP = 1e-5


def matern(t: np.ndarray, nu: float) -> np.ndarray:
    """2^(1−ν)/Γ(ν) t^ν K_ν(t), 1 at t = 0."""
    out = np.ones_like(t, dtype=float)
    m = t > T_MIN
    tm = t[m]
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        v = np.exp((1 - nu) * np.log(2) - gammaln(nu) + nu * np.log(tm)) * kv(nu, tm)
    out[m] = np.where(np.isfinite(v), v, 0.0)
    return out


class Matern(CorrelationStructure):
    """``mtrn``: C = Matérn(d/φ; ν) over the λ-metric distances (module docstring)."""

    def __init__(self, levels: Sequence[str], *, name: str = "", **options: object) -> None:
        super().__init__(levels, name=name, **options)
        what = f"mtrn({name or 'x, y'})"
        self.coords = level_coordinates(self.levels, self.options.get("coords"), what)
        lam = float(self.options.get("lam", 2))  # type: ignore[arg-type]
        if lam not in (1.0, 2.0):
            raise ModelError(f"{what}: lambda must be 2 (euclidean) or 1 (city block), "
                             f"got {lam:g}")
        self._d = euclidean(self.coords) if lam == 2.0 else city_block(self.coords)
        nu = self.options.get("nu", 0.5)
        self.nu_fixed = bool(self.options.get("nu_fixed", True))
        self._nu0 = float(nu)  # type: ignore[arg-type]
        if not self._nu0 > 0:
            raise ModelError(f"{what}: nu must be positive, got {self._nu0:g}")
        self._phi0 = self.options.get("phi")

    def corr_names(self) -> list[str]:
        out = [label(self.name, "phi", "!")]
        return out if self.nu_fixed else out + [label(self.name, "nu", "!")]

    def corr_kinds(self) -> list[str]:
        return ["other"] * len(self.corr_names())

    def corr_lower(self) -> np.ndarray:
        return np.zeros(len(self.corr_names()))

    def corr_upper(self) -> np.ndarray:
        return np.full(len(self.corr_names()), np.inf)

    def corr_valid(self, rho: np.ndarray) -> bool:
        return bool(np.all(np.asarray(rho, dtype=float) > 0))

    def corr_initial(self) -> np.ndarray:
        if self._phi0 is not None:
            phi = float(self._phi0)  # type: ignore[arg-type]
        else:
            pos = self._d[self._d > 0]
            phi = RANGE_START * float(pos.min()) if pos.size else 1.0
        return np.array([phi] if self.nu_fixed else [phi, self._nu0])

    def _par(self, rho: np.ndarray) -> tuple[float, float]:
        phi = float(rho[0])
        nu = self._nu0 if self.nu_fixed else float(rho[1])
        if not (phi > 0 and nu > 0):
            raise ValueError(f"mtrn(): phi and nu must be positive, got {phi}, {nu}")
        return phi, nu

    def correlation(self, rho: np.ndarray) -> np.ndarray:
        phi, nu = self._par(rho)
        return matern(self._d / phi, nu)

    def correlation_derivatives(self, rho: np.ndarray) -> list[np.ndarray]:
        phi, nu = self._par(rho)
        t = self._d / phi
        d_phi = np.zeros_like(t)
        m = t > T_MIN
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):
            v = np.exp((1 - nu) * np.log(2) - gammaln(nu) + (nu + 1) * np.log(t[m])) \
                * kv(nu - 1, t[m]) / phi
        d_phi[m] = np.where(np.isfinite(v), v, 0.0)
        out = [d_phi]
        if not self.nu_fixed:
            h = NU_STEP * max(1.0, nu)
            out.append((matern(t, nu + h) - matern(t, nu - h)) / (2 * h))
        return out


register_correlation(Matern, "mtrn", syntax=correlation_syntax(
    "Matérn (2-d, isotropic)", "Matérn correlation over distances between points (x, y)",
    "MTRN(φ, ν)", "C_ij = 2^(1−ν)/Γ(ν) t^ν K_ν(t), t = d_ij/φ", max_args=2,
    named=("phi", "nu", "delta", "alpha", "lambda", "init"), coordinates=True,
    dimensions=(1, 2), spatial=True))
