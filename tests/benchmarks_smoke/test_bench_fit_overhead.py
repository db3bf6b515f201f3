"""benchmarks/bench_fit_overhead.py: its workloads have the stated designs, its dense V (the
benchmark's independent check) gives asreml's ℓ at the estimates, and its maximum
difference says when two runs disagree."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from _dense_reml import reml_loglik

import asr_py as asr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_fit_overhead as bfo  # noqa: E402


@pytest.mark.parametrize("name, records, levels", [
    ("rcbd", 100, {"Trt": 25, "Block": 4}), ("split", 96, {"Rep": 4, "A": 3, "B": 4}),
    ("met", 180, {"Site": 3, "Geno": 30}), ("ar1", 120, {"Row": 12, "Col": 10, "Entry": 60})])
def test_workload_designs(name: str, records: int, levels: dict[str, int]) -> None:
    d, kw, classify = bfo.workload(name)
    assert len(d) == records and not d["y"].isna().any()
    assert {c: d[c].nunique() for c in levels} == levels
    assert kw["fixed"].startswith("y ~") and classify.split(":")[0] in d.columns


def test_dense_v_gives_the_fitted_loglik() -> None:
    """rcbd: V = σ²_b ZZ' + σ² I at the fitted components (numpy only) gives asreml's ℓ."""
    d, kw, _ = bfo.workload("rcbd")
    m = asr.asreml(data=d, **kw)
    X = np.asarray(m.model.fixed.X.toarray() if hasattr(m.model.fixed.X, "toarray")
                   else m.model.fixed.X)
    V = bfo._dense_v("rcbd", d, m.varcomp)
    assert reml_loglik(d["y"].to_numpy(float), X, V) == pytest.approx(m.loglik, abs=1e-8)


def test_maxdiff() -> None:
    assert bfo._maxdiff([1.0, 2.0], [1.0, 2.5]) == 0.5
    assert bfo._maxdiff([], []) == 0.0
    assert math.isnan(bfo._maxdiff([1.0], [1.0, 2.0]))
    with pytest.raises(SystemExit):
        bfo.workload("nope")
