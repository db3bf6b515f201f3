"""The EM-REML step δ = I_c⁻¹ s (reml/em.py) with parameters of very different scales.

Checked against the closed form: for a positive definite I_c the step is the linear solve
I_c⁻¹ s, and rescaling parameter k by c_k (θ → Cθ, C = diag(c)) maps I_c to C⁻¹ I_c C⁻¹
and s to C⁻¹ s, so δ → C δ (the step is in the parameter's own units). The eigenvalue floor
acted on the unscaled I_c: a kg/ha variance's information (~1e-21) beside a correlation's
(~1e2) fell under 1e-12 x the largest and its step was cut by ~1e11.
"""

from __future__ import annotations

import numpy as np

from asr_py.reml.em import EMPath, damped_search, em_step


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


def test_damped_path_is_marquardts_solve_in_any_units() -> None:
    """δ(μ) = (I_c + μ diag(I_c))⁻¹ s (Marquardt's damping, reml/em.py EMPath): the linear
    solve; the same step in other units; an ascent direction (s'δ(μ) > 0) for every μ, and
    μ·δ(μ) -> diag(I_c)⁻¹ s (the diagonally scaled score) as μ grows."""
    ic, s, _ = _case()
    c = np.array([1e4, 1.0, 1e-4])
    for mu in (0.0, 1e-6, 1e-2, 1.0, 1e3):
        want = np.linalg.solve(ic + mu * np.diag(np.diag(ic)), s)
        got = EMPath(ic, s).step(mu)
        np.testing.assert_allclose(got, want, rtol=1e-8)
        moved = EMPath(ic / np.outer(c, c), s / c).step(mu)
        np.testing.assert_allclose(moved, c * got, rtol=1e-10)
        assert float(s @ got) > 0
    big = 1e8
    np.testing.assert_allclose(big * EMPath(ic, s).step(big), s / np.diag(ic), rtol=1e-6)


def test_damped_search_keeps_the_best_point_and_stops_past_it() -> None:
    """damped_search tries μ = DAMPING in turn and keeps the highest ℓ; it stops at the first
    accepted μ whose ℓ falls below the best (ℓ here: a known concave quadratic whose
    curvature along I_c's near-null direction is 1e6 times I_c's: the undamped step
    overshoots there by as much)."""
    r = 1.0 - 1e-6  # scaled I_c: eigenvalues 2 - 1e-6 along (1, 1), 1e-6 along (1, -1)
    u = np.array([1.0, 1e3])  # the parameters' units: θ_2's information is 1e6 x θ_1's
    ic = np.array([[1.0, r], [r, 1.0]]) * np.outer(u, u)
    s = (np.array([1.0, 1.0]) + 1e-4 * np.array([1.0, -1.0])) * u
    # the true curvature: I_c's along (1, 1), 1e6 x I_c's along (1, -1)
    h = (np.eye(2) + 0.5 * np.array([[1.0, 1.0], [1.0, 1.0]])) * np.outer(u, u)
    path = EMPath(ic, s)

    class _St:
        def __init__(self, ll: float) -> None:
            self.loglik = ll

    calls: list[np.ndarray] = []

    def full_step(d: np.ndarray) -> tuple[_St, float, np.ndarray]:
        calls.append(d)
        return _St(float(s @ d - 0.5 * d @ h @ d)), 1.0, d

    best, th = damped_search(path, np.arange(2), 2, 0.0, full_step)
    lls = [float(s @ d - 0.5 * d @ h @ d) for d in calls]
    assert best is not None and th is not None
    assert best.loglik == max(lls) > 0
    k = lls.index(max(lls))
    assert len(calls) == k + 2  # stopped at the first point past the best
    assert lls[0] < 0  # μ = 1e-6 still overshoots along (1, -1)
    assert float(s @ path.step() - 0.5 * path.step() @ h @ path.step()) < lls[0]  # μ = 0
