"""The AI step's active-set QP (reml/qp.py) on ill-conditioned information matrices.

max g'x − ½x'Hx subject to box bounds is checked against scipy's bounded least squares
(BVLS on ½|L'x − L⁻¹g|², H = LL': the same objective up to a constant), an independent
solver. On main (2365677) a full step on an unchanged working set was followed by a fresh
solve whose round-off (|p| ~ cond(H) ε |x|, above the 1e-12 test at cond 1e8) was taken as a
step: the loop re-solved the same system up to its iteration cap and, as round-off steps ran
into bounds, ended up to 10 % below the optimum of the quadratic model.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import lsq_linear

import asr_py.reml.qp as qp


def _case(seed: int, n: int = 60, n_bounded: int = 20, log_cond: float = 8.0,
          upper: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """H with eigenvalues 1 .. 10^-log_cond in a random basis, g ~ N(0, I), bounds below 0
    on the first ``n_bounded`` coordinates (and above 0 on the next ones, ``upper``)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    h = (q * np.logspace(0.0, -log_cond, n)) @ q.T
    h = (h + h.T) / 2
    g = rng.normal(size=n)
    lb = np.full(n, -np.inf)
    lb[:n_bounded] = -rng.uniform(0.0, 1.0, n_bounded)
    ub = np.full(n, np.inf)
    if upper:
        ub[n_bounded:2 * n_bounded] = rng.uniform(0.0, 1.0, n_bounded)
    return h, g, lb, ub


def _objective(h: np.ndarray, g: np.ndarray, x: np.ndarray) -> float:
    return float(g @ x - 0.5 * x @ h @ x)


def _bvls(h: np.ndarray, g: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    low = np.linalg.cholesky(h)
    return lsq_linear(low.T, np.linalg.solve(low, g), bounds=(lb, ub), method="bvls",
                      tol=1e-14).x


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_ill_conditioned_qp_reaches_the_bvls_optimum(seed: int, upper: bool) -> None:
    h, g, lb, ub = _case(seed, upper=upper)
    solves = [0]
    eqp = qp._eqp

    def counted(*args):
        solves[0] += 1
        return eqp(*args)

    qp._eqp = counted
    try:
        x, active, _ = qp.active_set_qp(h, g, lb, np.zeros((0, g.size)), ub)
    finally:
        qp._eqp = eqp
    assert np.all(x >= lb - 1e-12) and np.all(x <= ub + 1e-12)
    ref = _objective(h, g, _bvls(h, g, lb, ub))
    assert _objective(h, g, x) == pytest.approx(ref, rel=1e-9)  # main: 2-17 % below
    # KKT: zero gradient off the active bounds, and each active bound's multiplier >= 0
    grad = g - h @ x
    scale = float(np.abs(g).max())
    assert np.abs(grad[~active]).max() <= 1e-6 * scale
    at_low = active & (np.abs(x - lb) <= 1e-12)
    assert np.all(grad[at_low] <= 1e-9 * scale) and np.all(grad[active & ~at_low] >= -1e-9 * scale)
    # one solve per working-set change (main: its cap, 4(2n) + 10 = 490, on every seed)
    assert solves[0] <= 2 * int(np.isfinite(lb).sum() + np.isfinite(ub).sum()) + 2


def test_qp_follows_a_permutation_of_the_parameters() -> None:
    h, g, lb, ub = _case(7)
    perm = np.random.default_rng(1).permutation(g.size)
    x, _, _ = qp.active_set_qp(h, g, lb, np.zeros((0, g.size)), ub)
    xp, _, _ = qp.active_set_qp(h[np.ix_(perm, perm)], g[perm], lb[perm],
                                np.zeros((0, g.size)), ub[perm])
    assert _objective(h[np.ix_(perm, perm)], g[perm], xp) == pytest.approx(
        _objective(h, g, x), rel=1e-9)
    np.testing.assert_allclose(xp, x[perm], atol=1e-6 * np.abs(x).max())
