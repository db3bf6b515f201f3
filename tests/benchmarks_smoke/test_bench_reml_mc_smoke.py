"""benchmarks/bench_reml_mc.py end to end on a tiny instance (1 000 animals, K = 4): the
child runs under its memory limit and every figure the goal-2 row quotes is printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_reml_mc_prints_its_figures() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_reml_mc.py"),
                          "--sizes", "1", "--samples", "4", "--mem-gb", "4",
                          "--timeout", "240"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout
    assert "== 1k animals, K = 4" in text and "(converged)" in text
    for key in ("peak memory: child ru_maxrss", "ratio reml_mc / baseline",
                "exact REML (asr.asreml)", "MC - exact in MC s.e."):
        assert key in text, text[-1500:]
    diffs = [float(d) for d in re.search(r"MC s\.e\.: ([-+\d., ]+)$", text, re.M)
             .group(1).split(",")]
    assert len(diffs) == 2 and max(abs(d) for d in diffs) < 5
