"""benchmarks/bench_small_fits.py: its workloads have the stated designs, and its old/new
comparison treats missing predictions as the same only when both are missing."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_small_fits as bsf  # noqa: E402


@pytest.mark.parametrize("name, records, missing, classify_levels", [
    ("rcbd", 100, 0, 25), ("met_us", 480, 0, 6), ("field", 300, 12, 50),
    ("chickpea", 1056, 46, 2)])
def test_workload_designs(name: str, records: int, missing: int, classify_levels: int) -> None:
    d, kw, classify = bsf.workload(name)
    assert len(d) == records
    assert int(d["y"].isna().sum()) == missing
    assert d[classify].nunique() == classify_levels
    assert kw["fixed"].startswith("y ~")


def test_relative_difference() -> None:
    nan = float("nan")
    assert bsf._rel([1.0, nan], [1.0, nan]) == 0.0
    assert bsf._rel([1.0, 2.0], [1.0, nan]) == math.inf
    assert math.isnan(bsf._rel([1.0], [1.0, 2.0]))
    assert bsf._rel([10.0, 21.0], [10.0, 20.0]) == pytest.approx(0.05)
    with pytest.raises(SystemExit):
        bsf.workload("nope")
