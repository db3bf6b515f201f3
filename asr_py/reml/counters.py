"""Process-wide counts of the expensive steps of a fit (deterministic, unlike timings):
numeric factorizations of C by the sparse (CHOLMOD) and blocked backends and selected
inverses. ``benchmarks/bench_goals.py`` reports them per fit (issue 16, goal 3)."""

from __future__ import annotations

COUNTS: dict[str, int] = {"factorizations": 0, "selected_inverses": 0}


def bump(key: str) -> None:
    """Add one to ``key``."""
    COUNTS[key] = COUNTS.get(key, 0) + 1


def snapshot() -> dict[str, int]:
    """A copy of the counts (subtract two snapshots for the steps between them)."""
    return dict(COUNTS)
