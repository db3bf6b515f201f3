"""reml/fd_score.py's differenced-score convergence check for a correlation held at its
bound (benchmarks/sweep_dense_reml.py, size 150, seed 2)."""

from __future__ import annotations

from _sweep_cases import check_corh_held_at_one


def test_corh_correlation_held_at_one_converges_by_the_differenced_score() -> None:
    """A corh correlation held at its bound 1 (Σ_env of rank 1): the analytic score has
    lost digits, as beside a variance held at zero (reml/fd_score.py), the AI step predicts
    1e-5 .. 1e-4 that no halving realises and the fit stopped unconverged at iteration 29
    although ℓ had been flat to 1e-8 since iteration 17 and sat within 4e-10 (relative) of
    the dense-V optimum. The differenced-score check now also applies to a correlation on
    its bound (moved off it inwards for the KKT test)."""
    check_corh_held_at_one(2, 1e-6)
