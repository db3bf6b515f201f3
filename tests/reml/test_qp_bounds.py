"""The AI step's active-set QP (reml/qp.py) with lower and upper bounds: max g'x − ½x'Hx s.t.
lb ≤ x ≤ ub, against scipy's L-BFGS-B on the same (strictly concave) quadratic, and its
reported active set against where the solution sits on a bound."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from asr_py.reml.qp import active_set_qp


def _problem(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n))
    h = a @ a.T + 0.3 * np.eye(n)
    g = rng.normal(scale=3.0, size=n)
    lb = np.where(rng.random(n) < 0.6, -rng.random(n), -np.inf)
    ub = np.where(rng.random(n) < 0.6, rng.random(n), np.inf)
    lb[0], ub[1] = 0.0, 0.0  # bounds active at the start point x = 0
    return h, g, lb, ub


@pytest.mark.parametrize("seed", range(12))
def test_box_qp_matches_scipy(seed: int) -> None:
    n = 3 + seed % 5
    h, g, lb, ub = _problem(seed, n)
    x, active, rows = active_set_qp(h, g, lb, np.zeros((0, n)), ub)
    ref = minimize(lambda z: 0.5 * z @ h @ z - g @ z, np.zeros(n), jac=lambda z: h @ z - g,
                   method="L-BFGS-B", bounds=list(zip(np.where(np.isfinite(lb), lb, None),
                                                      np.where(np.isfinite(ub), ub, None))),
                   options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
    np.testing.assert_allclose(x, ref.x, atol=1e-6)
    assert np.all(x >= lb - 1e-12) and np.all(x <= ub + 1e-12)
    on = np.isclose(x, lb, atol=1e-9) | np.isclose(x, ub, atol=1e-9)
    grad = g - h @ x  # KKT: the gradient points outwards on every active bound
    assert not np.any(active & ~on)  # reported active: on a bound
    assert not np.any(on & (np.abs(grad) > 1e-9) & ~active)  # on a bound with a multiplier
    assert np.all(np.abs(grad[~on]) < 1e-8)  # stationary in the free coordinates
    assert rows.size == 0


def test_upper_bound_only_and_release() -> None:
    """A maximiser beyond the upper bound stops on it; a bound at 0 whose gradient points
    inside is released."""
    h = np.array([[2.0, 0.5], [0.5, 1.0]])
    g = np.array([4.0, -1.0])
    x, active, _ = active_set_qp(h, g, np.array([-np.inf, -np.inf]), np.zeros((0, 2)),
                                 np.array([0.5, 0.0]))
    # x0 = 0.5 on its bound; then x1 maximises −1·x1 − ½(x1² + 2·0.5·0.5·x1): x1 = −1.25
    np.testing.assert_allclose(x, [0.5, -1.25], atol=1e-12)
    assert list(active) == [True, False]
