"""The engine sweep against an independent dense-V REML (tests/_dense_reml.py): simulated
user-like data sets, one per covariance structure (tests/reml/_sweep_cases.py), several
seeds; prints one row per fit with the relative gaps (see ``_sweep_cases.compare``).

    .venv/bin/python benchmarks/sweep_dense_reml.py [--size 120] [--seeds 3] [--match REGEX]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "reml")]

from _sweep_cases import cases, compare, fit_asr  # noqa: E402

COLS = ("ll_at", "ll_gap", "cov", "beta", "se", "blup", "pev")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=120, help="records per data set (about)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--match", default="", help="regex on the case names")
    a = ap.parse_args(argv)
    print(f"{'case':32s} seed  n    conv {' '.join(f'{c:>9s}' for c in COLS)}  secs")
    worst = 0.0
    for case in cases(a.size):
        if a.match and not re.search(a.match, case.name):
            continue
        for seed in range(a.seeds):
            d = case.data(np.random.default_rng(seed), a.size)
            t = time.perf_counter()
            try:
                m = fit_asr(case, d)
                r = compare(case, d, m)
            except Exception as e:  # noqa: BLE001 - a row per failure, the sweep goes on
                print(f"{case.name:32s} {seed:4d} {len(d):4d} ERROR {type(e).__name__}: {e}"[:200])
                continue
            dt = time.perf_counter() - t
            worst = max(worst, r["ll_gap"])
            vals = " ".join(f"{r.get(c, float('nan')):9.1e}" for c in COLS)
            print(f"{case.name:32s} {seed:4d} {len(d):4d} {int(r['converged']):4d} {vals} "
                  f"{dt:5.1f}", flush=True)
    print(f"largest ℓ gap (dense optimum above asr_py, relative): {worst:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
