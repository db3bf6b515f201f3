"""Benchmark: genomic relationship matrix for 2 000 lines x 1 000 SNPs, and its inverse.

Run: ``python3 benchmarks/bench_grm.py [n] [m]``. Markers are simulated 0/1/2 in
Hardy-Weinberg proportions with allele frequencies ~ U(0.05, 0.95) and 0.5% missing.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

from asr_py.genetics import ginverse, gmatrix


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    rng = np.random.default_rng(7)
    p = rng.uniform(0.05, 0.95, m)
    M = rng.binomial(2, p, size=(n, m)).astype(float)
    M[rng.random((n, m)) < 0.005] = np.nan
    print(f"markers: {n} individuals x {m} SNPs, {int(np.isnan(M).sum())} missing")
    for method in ("vanraden", "scaled"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            G = gmatrix(M, method=method, min_maf=0.01)
            dt = time.perf_counter() - t
        print(f"gmatrix({method!r}): {dt:.3f} s (markers used {G.info['n_markers_used']}, "
              f"mean diag {np.diag(G.matrix).mean():.3f})")
    t = time.perf_counter()
    Gi = ginverse(G, ridge=0.01)
    print(f"ginverse(ridge=0.01): {time.perf_counter() - t:.3f} s (log|G| {Gi.logdet:.1f})")


if __name__ == "__main__":
    main()
