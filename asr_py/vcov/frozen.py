"""A template whose parameters are all fixed ('F'): a known covariance Σ(θ_F).

Two-stage analyses pass stage-1 error (co)variances as fixed parameters (asreml-3
``R.param``/``G.param`` with constraint 'F', ``init = c(F = ...)``), often thousands of them.
Such a structure is a constant matrix: :class:`Frozen` answers Σ, Σ⁻¹ and log|Σ| at the fixed
θ_F (each computed once) and has no parameters, so the engine forms no derivative, score
entry or AI row for it (:mod:`asr_py.reml.fixed_hold`).
"""

from __future__ import annotations

import numpy as np

from asr_py.vcov.base import CovTemplate, Matrix
from asr_py.vcov.known import FixedMatrix


class Frozen(FixedMatrix):
    """Σ = ``template``(θ_F) for the fixed ``theta``: no parameters; Σ, Σ⁻¹ and log|Σ| are
    the template's at θ_F, formed on first use and kept."""

    def __init__(self, template: CovTemplate, theta: np.ndarray) -> None:
        th = np.array(theta, dtype=float, copy=True).ravel()
        if th.size != template.n_params:
            raise ValueError(f"Frozen: {th.size} values for a template with "
                             f"{template.n_params} parameters")
        self.template = template
        self.theta = th
        self.n = int(template.n)
        self.block_size = template.block_size
        self.name = getattr(template, "name", "")
        self._kept: dict[str, object] = {}

    def _once(self, key: str, fn: str) -> object:
        if key not in self._kept:
            self._kept[key] = getattr(self.template, fn)(self.theta)
        return self._kept[key]

    def matrix(self, theta: np.ndarray | None = None) -> Matrix:
        return self._once("matrix", "matrix")  # type: ignore[return-value]

    def inverse(self, theta: np.ndarray | None = None) -> Matrix:
        """Σ(θ_F)⁻¹ (raises LinAlgError, every time, if Σ(θ_F) is not positive definite)."""
        return self._once("inverse", "inverse")  # type: ignore[return-value]

    def logdet(self, theta: np.ndarray | None = None) -> float:
        return float(self._once("logdet", "logdet"))  # type: ignore[arg-type]

    def is_valid(self, theta: np.ndarray | None = None) -> bool:
        """The template is valid at θ_F (inside its bounds, Σ positive definite)."""
        return bool(self._once("valid", "is_valid"))

    def deriv_times(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.zeros((self.n, 0))

    def inv_deriv_trace(self, theta: np.ndarray) -> np.ndarray:
        return np.zeros(0)

    def em_block(self, theta: np.ndarray) -> np.ndarray:
        return np.zeros((0, 0))

    def __repr__(self) -> str:
        return f"Frozen({self.template!r} at {self.theta.size} fixed values)"


__all__ = ["Frozen"]
