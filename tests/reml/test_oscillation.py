"""The oscillation rule of the AI iteration (reml/oscillation.py): successive steps
anti-parallel in standard-error units, independent of the parameters' units."""

from __future__ import annotations

import numpy as np
import pytest

from asr_py.reml.extrapolate import straight, walk
from asr_py.reml.oscillation import OSC_STEPS, oscillating, ridge_note


def _steps(signs: list[float], scale: list[float], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    v = np.array([1.0, -0.5, 0.2, 0.0])
    return [s * m * v + 0.01 * rng.normal(size=4) for s, m in zip(signs, scale)]


AI = np.diag([4.0, 1.0, 9.0, 2.0])
FREE = np.ones(4, dtype=bool)


def test_flipping_steps_oscillate() -> None:
    assert oscillating(_steps([1, -1, 1, -1], [1, 1.1, 1.2, 1.3]), AI, FREE)


@pytest.mark.parametrize("signs", [[1, 1, 1, 1], [1, -1, 1, 1], [1, -1, -1, 1]])
def test_not_every_pair_flips(signs) -> None:
    assert not oscillating(_steps(signs, [1, 1, 1, 1]), AI, FREE)


def test_too_few_steps() -> None:
    assert not oscillating(_steps([1, -1, 1], [1, 1, 1]), AI, FREE)
    assert OSC_STEPS == 4


def test_orthogonal_steps_do_not_oscillate() -> None:
    steps = [np.array([1.0, 0, 0, 0]), np.array([0, 1.0, 0, 0]),
             np.array([-1.0, 0, 0, 0]), np.array([0, -1.0, 0, 0])]
    assert not oscillating(steps, AI, FREE)


def test_units_of_the_parameters() -> None:
    """θ_0 in units 1000x smaller: its steps x 1000, its AI entry / 1000²: the same answer,
    also where the unscaled cosines would say otherwise."""
    c = np.diag([1000.0, 1.0, 1.0, 1.0])
    ai_c = np.linalg.inv(c) @ AI @ np.linalg.inv(c)
    for signs in ([1, -1, 1, -1], [1, 1, -1, 1]):
        st = _steps(signs, [1, 1, 1, 1])
        assert oscillating([c @ s for s in st], ai_c, FREE) == oscillating(st, AI, FREE)
    # steps flipping only in θ_1 while θ_0 (tiny information) drifts: in θ units the drift
    # dominates, in standard-error units the flip does
    st = [np.array([5.0, (-1.0) ** k, 0, 0]) for k in range(4)]
    ai = np.diag([1e-6, 1.0, 1.0, 1.0])
    assert oscillating(st, ai, FREE)


def test_held_parameters_are_left_out() -> None:
    st = [np.array([1.0 * (-1) ** k, 0, 0, 3.0]) for k in range(4)]
    free = np.array([True, True, True, False])
    assert oscillating(st, AI, free)
    assert not oscillating(st, AI, FREE)


def test_note_names_the_moving_parameters() -> None:
    note = ridge_note(["a", "b", "c", "d"], np.array([1.0, -0.5, 0.0, 0.0]), AI, FREE, 12,
                      3e-7)
    assert "iteration 12" in note and "'a'" in note and "'b'" in note and "'c'" not in note
    assert "not identified" in note


# --- the straight crawl (reml/extrapolate.py) ---

def test_straight_crawl_rule() -> None:
    v = np.array([1.0, -0.5, 0.2, 0.0])
    same = [v, 1.02 * v, 0.98 * v]
    assert straight(same, [1e-4, 1e-4, 0.9e-4], AI, FREE)
    assert not straight(same, [1e-4, 2e-5, 0.9e-5], AI, FREE)   # gains shrinking fast
    assert not straight([v, 0.5 * v, 0.25 * v], [1e-4] * 3, AI, FREE)   # steps shrinking
    assert not straight([v, -v, v], [1e-4] * 3, AI, FREE)
    assert not straight(same, [1e-4, -1e-6, 1e-4], AI, FREE)


def test_walk_along_a_linear_rise() -> None:
    """ℓ = a'θ − ½ (θ − c)'(θ − c)/100 along the line: the best multiple is taken, and the
    walk stops at the first that does not gain; a 'P' parameter is never halved."""
    c = np.array([10.0, 5.0])

    def ll(th: np.ndarray):
        return float(-0.5 * np.sum((th - c) ** 2)), th.copy()

    got = walk(ll, np.zeros(2), np.array([1.0, 0.5]), ll(np.zeros(2))[0], 1e-12,
               np.zeros(2, dtype=bool))
    assert got is not None
    np.testing.assert_allclose(got[0], [7.0, 3.5])       # 1, 3, 7 gain; 15 overshoots
    halving = walk(ll, np.array([1.0, 1.0]), np.array([1.0, -0.4]), ll(np.ones(2))[0], 1e-12,
                   np.array([False, True]))
    assert halving is not None
    np.testing.assert_allclose(halving[0], [2.0, 0.6])   # m = 3 would take θ_1 to −0.2
    assert walk(ll, c, np.array([1.0, 0.0]), ll(c)[0], 1e-12, np.zeros(2, dtype=bool)) is None
