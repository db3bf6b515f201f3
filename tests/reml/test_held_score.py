"""The score of a variance held at its boundary, read from ℓ (asr_py/reml/held_score.py).

Closed form: for V = θ_g ZZ' + θ_e I the REML score is ∂ℓ/∂θ_g = ½(y'PZZ'Py − tr(PZZ'));
at θ_g = 0, P = (I − X(X'X)⁻¹X')/θ_e. The one-sided difference of the dense ℓ
(tests/_dense_reml.py) from the held value must give it, with either sign, in any units.
"""

from __future__ import annotations

import numpy as np
import pytest
from _dense_reml import indicator, reml_loglik

from asr_py.reml.held_score import boundary_scores


class _Valid:
    """What boundary_scores asks of the iteration context: θ valid (variances >= 0)."""

    def valid(self, theta: np.ndarray) -> bool:
        return bool(np.all(theta >= 0))


def _data(seed: int, sd_g: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(12), 4)
    y = 10.0 + rng.normal(0.0, sd_g, 12)[g] + rng.normal(0.0, 1.0, g.size)
    return y, np.ones((g.size, 1)), indicator(g)


def _closed_form(y: np.ndarray, X: np.ndarray, Z: np.ndarray, te: float
                 ) -> tuple[float, float]:
    """(score, expected information ½ tr(PZZ'PZZ')) of θ_g at θ_g = 0."""
    P = (np.eye(len(y)) - X @ np.linalg.solve(X.T @ X, X.T)) / te
    zz = Z @ Z.T
    py = P @ y
    return 0.5 * (py @ zz @ py - np.trace(P @ zz)), 0.5 * np.trace(P @ zz @ P @ zz)


@pytest.mark.parametrize("seed,sd_g", [(0, 0.0), (1, 0.0), (2, 0.6), (3, 1.0)])
@pytest.mark.parametrize("f", [1.0, 3.0])  # θ_e = f x var(y): without signal, score < 0 at 3
@pytest.mark.parametrize("c", [1.0, 1e3, 1e-3])
def test_one_sided_difference_is_the_closed_form_score(seed: int, sd_g: float, c: float,
                                                       f: float) -> None:
    y, X, Z = _data(seed, sd_g)
    y = y * c
    te = f * float(np.var(y))
    want, info = _closed_form(y, X, Z, te)
    held_at = 1e-12 * te

    def loglik_of(th: np.ndarray) -> float:
        return reml_loglik(y, X, th[0] * Z @ Z.T + th[1] * np.eye(len(y)))

    theta = np.array([held_at, te])
    ai = np.diag([info, 1.0])
    got = boundary_scores(loglik_of, _Valid(), loglik_of(theta), theta, np.array([9.9, 0.0]),
                          ai, np.array([True, False]))  # type: ignore[arg-type]
    # in standard-error units (z = s / sqrt(AI)): the difference's truncation ~ HS_Z²
    assert abs(got[0] - want) / np.sqrt(info) <= 1e-5, (got[0], want)
    if sd_g == 0.0:  # both signs are covered
        assert np.sign(want) == (1.0 if f == 1.0 else -1.0)
    assert got[1] == 0.0  # a parameter not held keeps its (analytic) score
