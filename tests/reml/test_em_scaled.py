"""The EM-REML step δ = I_c⁻¹ s (reml/em.py) with parameters of very different scales.

Checked against the closed form: for a positive definite I_c the step is the linear solve
I_c⁻¹ s, and rescaling parameter k by c_k (θ → Cθ, C = diag(c)) maps I_c to C⁻¹ I_c C⁻¹
and s to C⁻¹ s, so δ → C δ (the step is in the parameter's own units). The eigenvalue floor
acted on the unscaled I_c: a kg/ha variance's information (~1e-21) beside a correlation's
(~1e2) fell under 1e-12 x the largest and its step was cut by ~1e11.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.em import em_step


class _Info:
    """What em_step asks of the MME: I_c at θ."""

    def __init__(self, ic: np.ndarray) -> None:
        self.ic = ic

    def em_information(self, theta: np.ndarray) -> np.ndarray:
        return self.ic


def _case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.array([[1.0, 0.3, -0.2], [0.3, 1.0, 0.4], [-0.2, 0.4, 1.0]])  # well conditioned
    scale = np.array([3e-11, 10.0, 2.0])  # information ~ 1e-21 (σ² at kg/ha), 1e2, 4
    ic = a * np.outer(scale, scale)
    s = np.array([2e-11, -3.0, 0.5])
    return ic, s, scale


def test_step_is_the_linear_solve_at_mixed_scales() -> None:
    ic, s, scale = _case()
    idx = np.arange(3)
    want = np.linalg.solve(ic / np.outer(scale, scale), s / scale) / scale  # exact I_c⁻¹ s
    got = em_step(_Info(ic), np.zeros(3), s, idx)
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_step_follows_the_units_of_its_parameter() -> None:
    ic, s, _ = _case()
    idx = np.arange(3)
    c = np.array([1e4, 1.0, 1e-4])  # e.g. a trait rescaled: a variance in other units
    base = em_step(_Info(ic), np.zeros(3), s, idx)
    moved = em_step(_Info(ic / np.outer(c, c)), np.zeros(3), s / c, idx)
    np.testing.assert_allclose(moved, c * base, rtol=1e-10)
